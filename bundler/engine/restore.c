// SPDX-License-Identifier: GPL-2.0-or-later
/* restore.c - put previous bundles back in place of the current one; see restore.h. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/bundle-io.h"
#include "engine/module.h"
#include "engine/restore.h"
#include "sys/kernel-info.h"
#include "sys/livepatch.h"
#include "util/hex.h"

#define ROLLBACK_PARAM "klpb_rollback_from"

/* ---- the lineage klp_state ---- */

/* The version of @module's lineage klp_state: its version, or its klpb_rollback_from if higher. */
static uint64_t lineage_state_version(const struct lp_bundle *b)
{
	char rel[sizeof("/sys/module//parameters/" ROLLBACK_PARAM) + LP_NAME_MAX];
	long from = 0;

	snprintf(rel, sizeof(rel), "/sys/module/%s/parameters/" ROLLBACK_PARAM, b->module);
	if (lp_read_long(rel, &from) < 0 || from < 0)
		from = 0;
	return (uint64_t)from > b->version ? (uint64_t)from : b->version;
}

const char *eng_lineage_params(const struct klpb_core *c, char *buf, size_t size)
{
	char lineage[2 * KLPB_LINEAGE_LEN + 1];
	struct lp_bundle *bs;
	uint64_t in_force = 0;
	int n = lp_bundles(&bs);

	hex_encode(c->lineage, KLPB_LINEAGE_LEN, lineage);
	for (int i = 0; i < n; i++) {
		uint64_t v = lineage_state_version(&bs[i]);

		if (lp_bundle_active(&bs[i]) && strcmp(bs[i].lineage, lineage) == 0 && v > in_force)
			in_force = v;
	}
	lp_bundles_free(bs, n > 0 ? n : 0);
	if (in_force <= c->version)
		return NULL;
	snprintf(buf, size, ROLLBACK_PARAM "=%" PRIu64, in_force);
	return buf;
}

/* ---- can the older bundles replace the newer one in one transition? ---- */

const struct klpb_state *eng_states_blocking(const struct klpb_state *newer, size_t n_newer,
					     const struct klpb_state *older, size_t n_older,
					     bool older_replaces)
{
	for (size_t i = 0; i < n_newer; i++) {
		const struct klpb_state *o = NULL;

		for (size_t k = 0; k < n_older && !o; k++)
			if (older[k].id == newer[i].id)
				o = &older[k];
		if (o ? o->version < newer[i].version : older_replaces)
			return &newer[i];
	}
	return NULL;
}

/* What the check needs of one bundle: its core and its module's klp_states. */
struct rb_side {
	struct eng_saved s;
	const struct klpb_core *core;
	struct klpb_state *states;
	size_t n_states;
};

static int ko_states(struct engine *e, const char *module, const struct klpb_buf *ko,
		     struct rb_side *side)
{
	int rc = module_klp_states(ko->data, ko->len, &side->states, &side->n_states);

	if (rc < 0)
		p_err(e->ctx, rc, "cannot read the klp_states of module '%s': %s", module,
		      strerror(-rc));
	return rc;
}

/* The saved bundle of @module and its module's klp_states. */
static int saved_side(struct engine *e, const char *module, struct rb_side *side)
{
	struct klpb_error ferr = { 0 };
	struct klpb_buf ko = { 0 };
	size_t i;
	int rc = eng_saved_payload(e, module, &side->s, &i);

	if (rc < 0)
		return rc;
	side->core = &side->s.b->core;
	rc = klpb_payload_extract(side->s.b, i, &ko, &ferr);
	if (rc < 0)
		rc = report_format_error(e->ctx, module, rc, &ferr);
	else
		rc = ko_states(e, module, &ko, side);
	klpb_buf_free(&ko);
	return rc;
}

static void side_free(struct rb_side *side)
{
	eng_saved_free(&side->s);
	free(side->states);
	memset(side, 0, sizeof(*side));
}

static bool is_saved(const char *module)
{
	char *path = sd_bundle_path(module);
	bool saved = path && access(path, F_OK) == 0;

	free(path);
	return saved;
}

/*
 * The bundle of @prev that goes back first: the cumulative one (it replaces
 * the current bundle), else the first; -1 when none is saved.
 */
static int first_to_restore(struct engine *e, char (*prev)[SD_NAME_MAX], int n_prev,
			    bool *cumulative)
{
	int first = -1;

	*cumulative = false;
	for (int i = 0; i < n_prev && !*cumulative; i++) {
		struct eng_saved s;

		if (!is_saved(prev[i]) || eng_saved_open(e, prev[i], &s) < 0)
			continue;
		if (first < 0 || s.b->core.replace)
			first = i;
		*cumulative = s.b->core.replace;
		eng_saved_free(&s);
	}
	return first;
}

static int check_one(struct engine *e, const struct rb_side *cur, const char *cur_name,
		     const char *prev, char *why, size_t size)
{
	const struct klpb_state *st;
	struct rb_side old = { 0 };
	int rc = saved_side(e, prev, &old);

	if (rc < 0) {
		side_free(&old);
		return rc;
	}
	st = eng_states_blocking(cur->states, cur->n_states, old.states, old.n_states,
				 old.core->replace);
	if (st)
		snprintf(why, size,
			 "'%s' carries klp_state %#" PRIx64 " version %" PRIu64 ", which '%s' %s",
			 cur_name, st->id, st->version, prev,
			 old.core->replace ? "lacks or has in a lower version" :
					     "has in a lower version");
	side_free(&old);
	return st ? 0 : 1;
}

int eng_rollback_atomic(struct engine *e, const char *cur, const struct klpb_buf *cur_ko,
			char (*prev)[SD_NAME_MAX], int n_prev, char *why, size_t size)
{
	struct rb_side now = { 0 };
	bool cumulative;
	int first = first_to_restore(e, prev, n_prev, &cumulative), rc;

	why[0] = '\0';
	if (first < 0)
		return 1; /* nothing to put back */
	rc = cur_ko ? ko_states(e, cur, cur_ko, &now) : saved_side(e, cur, &now);
	if (rc == 0)
		rc = check_one(e, &now, cur, prev[first], why, size);
	side_free(&now);
	return rc;
}

/* ---- putting them back ---- */

int eng_load_and_wait(struct engine *e, const char *prev)
{
	char buf[64];
	const char *params;
	struct eng_saved s;
	int rc = eng_saved_open(e, prev, &s);

	if (rc < 0)
		return rc;
	params = eng_lineage_params(&s.b->core, buf, sizeof(buf));
	eng_saved_free(&s);
	if (params)
		p_dbg(e->ctx, "loading '%s' with %s", prev, params);
	rc = eng_load_saved(e, prev, params);
	if (rc < 0)
		return rc;
	rc = eng_wait_transition(e, prev, e->timeout_ms, true);
	if (rc == -ETIMEDOUT) {
		eng_disable(e, prev);
		eng_remove(e, prev);
		p_err(e->ctx, -ECANCELED, "restoring '%s' stalled (%s); it was reversed", prev,
		      eng_stalled());
		return -ECANCELED;
	}
	return 0;
}

/* Load every inactive @prev but @skip, in order (the stacked ones, after the cumulative one). */
static int load_rest(struct engine *e, char (*prev)[SD_NAME_MAX], int n_prev, int skip)
{
	for (int i = 0; i < n_prev; i++) {
		int rc;

		if (i == skip || eng_patch_active(prev[i]) || !is_saved(prev[i]))
			continue;
		rc = eng_remove(e, prev[i]);
		if (rc == 0)
			rc = eng_load_and_wait(e, prev[i]);
		if (rc < 0)
			return rc;
	}
	return 0;
}

/* Put @prev[first] back in place of the active @cur: one replace transition when it can be. */
static int restore_first(struct engine *e, const char *cur, char (*prev)[SD_NAME_MAX], int n_prev,
			 int first)
{
	char why[256];
	int rc = eng_remove(e, prev[first]); /* a replaced module stays loaded, never re-enabled */

	if (rc < 0)
		return rc;
	if (eng_patch_active(cur)) {
		rc = eng_rollback_atomic(e, cur, NULL, prev, n_prev, why, sizeof(why));
		if (rc < 0)
			return rc;
		if (rc == 0) {
			p_dbg(e->ctx, "%s: disabling '%s' before '%s' is loaded", why, cur,
			      prev[first]);
			rc = eng_disable(e, cur);
			if (rc < 0)
				return rc;
		}
	}
	p_dbg(e->ctx, "restoring '%s' in place of '%s'", prev[first], cur);
	return eng_load_and_wait(e, prev[first]);
}

int eng_restore(struct engine *e, const char *cur, char (*prev)[SD_NAME_MAX], int n_prev)
{
	bool cumulative;
	int first = first_to_restore(e, prev, n_prev, &cumulative), rc = 0;

	if (first >= 0 && cumulative && !eng_patch_active(prev[first]))
		rc = restore_first(e, cur, prev, n_prev, first);
	if (rc == 0)
		rc = load_rest(e, prev, n_prev, cumulative ? first : -1);
	if (rc == 0 && eng_patch_active(cur))
		rc = eng_disable(e, cur);
	return rc < 0 ? rc : eng_remove(e, cur);
}

/* Are none of @prev active (the apply replaced them all, or there were none)? */
static bool none_active(char (*prev)[SD_NAME_MAX], int n_prev)
{
	for (int i = 0; i < n_prev; i++)
		if (eng_patch_active(prev[i]))
			return false;
	return true;
}

/* After @module was disabled (not replaced back) with no patch left: bring @prev back. */
static int reload_if_none_left(struct engine *e, char (*prev)[SD_NAME_MAX], int n_prev)
{
	struct lp_patch *all;
	bool cumulative;
	int n, first, rc = 0;

	if (!none_active(prev, n_prev) || !lp_exists("/sys/kernel/livepatch"))
		return 0;
	n = lp_patches(&all);
	free(all);
	if (n != 0)
		return 0;
	first = first_to_restore(e, prev, n_prev, &cumulative);
	if (first >= 0 && cumulative) {
		rc = eng_remove(e, prev[first]);
		if (rc == 0)
			rc = eng_load_and_wait(e, prev[first]);
	}
	return rc < 0 ? rc : load_rest(e, prev, n_prev, cumulative ? first : -1);
}

int eng_undo_apply(struct engine *e, const char *module, char (*prev)[SD_NAME_MAX], int n_prev)
{
	struct lp_patch p;
	int rc;

	if (lp_patch(module, &p) == 0) {
		if (!p.transition && p.enabled == 1 && n_prev && none_active(prev, n_prev))
			return eng_restore(e, module, prev, n_prev);
		rc = eng_disable(e, module); /* reverses a transition */
		if (rc < 0)
			return rc;
	}
	rc = eng_remove(e, module);
	if (rc == 0 && n_prev)
		rc = reload_if_none_left(e, prev, n_prev);
	return rc;
}
