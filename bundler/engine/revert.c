// SPDX-License-Identifier: GPL-2.0-or-later
/* revert.c - the revert transaction, with --to-previous; see revert.h. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "engine/apply.h"
#include "engine/journal.h"
#include "engine/module.h"
#include "engine/restore.h"
#include "engine/revert.h"

#define COPY(dst, src) snprintf(dst, sizeof(dst), "%s", src)

/* The one active bundle named @name (NULL: the only one) into @out (no objects kept). */
static int find_active(struct klpb_ctx *ctx, const char *name, struct lp_bundle *out)
{
	struct lp_bundle *bs;
	int n = lp_bundles(&bs), found = 0;

	for (int i = 0; i < n; i++) {
		if (!lp_bundle_active(&bs[i]))
			continue;
		if (name && strcmp(bs[i].name, name) != 0 && strcmp(bs[i].module, name) != 0)
			continue;
		if (found++ == 0) {
			*out = bs[i];
			out->core = NULL; /* not kept */
			out->manifest = NULL;
			out->objects = NULL;
			out->n_objects = 0;
		}
	}
	lp_bundles_free(bs, n > 0 ? n : 0);
	if (found == 1)
		return 0;
	if (found == 0 && name)
		p_err(ctx, -ENOENT, "no active bundle '%s'", name);
	else if (found == 0)
		p_err(ctx, -ENOENT, "no bundle is active");
	else
		return usage_err(ctx, "%d bundles are active%s: name one", found,
				 name ? " under that name" : "");
	return -ENOENT;
}

/* Disable @m; a stalled unpatching is reversed so @m stays active. */
static int disable_one(struct engine *e, const char *m)
{
	char stalled[256];
	int rc = eng_set_enabled(m, false);

	if (rc < 0) {
		p_err(e->ctx, rc, "cannot disable '%s': %s", m, strerror(-rc));
		return rc;
	}
	eng_stop_at(ENG_STEP_REVERT_DISABLING);
	rc = eng_wait_transition(e, m, e->timeout_ms, true);
	if (rc != -ETIMEDOUT)
		return eng_remove(e, m);
	snprintf(stalled, sizeof(stalled), "%s", eng_stalled());
	eng_set_enabled(m, true); /* reverses the unpatching transition */
	eng_wait_transition(e, m, e->timeout_ms > 30000 ? e->timeout_ms : 30000, false);
	p_err(e->ctx, -ECANCELED,
	      "disabling '%s' did not finish in %.1f s (stalled: %s); "
	      "the transition was reversed and '%s' stays active",
	      m, e->timeout_ms / 1000.0, stalled, m);
	return -ECANCELED;
}

/* Record @prev, restored in place of a reverted bundle applied from @source. */
static void record_restored(struct engine *e, const char *prev, const char *source)
{
	struct lp_bundle *bs;
	int n = lp_bundles(&bs);

	for (int i = 0; i < n; i++)
		if (strcmp(bs[i].module, prev) == 0 && bs[i].core)
			eng_record_apply(e, bs[i].core, prev, NULL, source);
	lp_bundles_free(bs, n > 0 ? n : 0);
}

/*
 * --to-previous: can @prev[0] replace @b in one transition?  If not, that
 * needs --allow-unpatched-rollback (-EOPNOTSUPP), and is said.
 */
static int check_to_previous(struct engine *e, const struct lp_bundle *b, char (*prev)[SD_NAME_MAX])
{
	char why[512];
	int rc = eng_rollback_atomic(e, b->module, NULL, prev, 1, why, sizeof(why));

	if (rc != 0)
		return rc < 0 ? rc : 0;
	if (!e->allow_unpatched_rollback) {
		p_err(e->ctx, -EOPNOTSUPP,
		      "'%s' cannot be replaced by '%s' in one transition: %s; reverting to it "
		      "would leave the lineage unpatched in between (give "
		      "--allow-unpatched-rollback to accept that)",
		      b->module, prev[0], why);
		return -EOPNOTSUPP;
	}
	p_warn(e->ctx, "'%s' cannot be replaced by '%s' in one transition: %s; disabling it first",
	       b->module, prev[0], why);
	return 0;
}

/* Revert @b, whose record is @r (empty when it has none). */
static int revert_bundle(struct engine *e, const struct lp_bundle *b, const struct record *r,
			 bool to_previous)
{
	struct journal j;
	int rc;

	journal_init(&j, ENG_OP_REVERT, b->module);
	if (to_previous)
		COPY(j.prev[j.n_prev++], r->previous);
	rc = to_previous ? check_to_previous(e, b, j.prev) : 0;
	if (rc == 0)
		rc = eng_journal_step(e, &j, ENG_STEP_REVERT_BEGIN);
	if (rc < 0)
		return rc;
	eng_stop_at(ENG_STEP_REVERT_BEGIN);
	rc = to_previous ? eng_restore(e, b->module, j.prev, j.n_prev) : disable_one(e, b->module);
	if (rc < 0) {
		journal_clear();
		return rc;
	}
	eng_stop_at(ENG_STEP_REVERT_REMOVED);
	record_remove(b->module);
	if (to_previous)
		record_restored(e, r->previous, r->source);
	else if (r->previous[0])
		sd_gc_bundle(r->previous);
	sd_gc_bundle(b->module);
	journal_clear();
	eng_audit(e, "reverted bundle '%s' version %" PRIu64 " (module '%s')%s%s", b->name,
		  b->version, b->module, to_previous ? ", restored " : "",
		  to_previous ? r->previous : "");
	return 0;
}

int eng_revert(struct engine *e, const char *name, bool to_previous, struct eng_reverted *out)
{
	struct lp_bundle b;
	struct record r;
	int rc = find_active(e->ctx, name, &b);

	if (rc < 0)
		return rc;
	record_read(b.module, &r); /* may be missing: then r is empty */
	if (to_previous && !r.previous[0]) {
		p_err(e->ctx, -ENOENT, "no previous bundle is recorded for '%s'", b.module);
		rc = -ENOENT;
	} else {
		rc = revert_bundle(e, &b, &r, to_previous);
	}
	if (rc == 0) {
		COPY(out->name, b.name);
		out->version = b.version;
		COPY(out->module, b.module);
		COPY(out->restored, to_previous ? r.previous : "");
	}
	record_free(&r);
	return rc;
}
