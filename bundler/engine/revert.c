// SPDX-License-Identifier: GPL-2.0-or-later
/* revert.c - the revert transaction, with --to-previous or --with-dependents; see revert.h. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/apply.h"
#include "engine/deps.h"
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

/* The active bundles of @bs (@n) as nodes, without those @drop names (indices of @bs). */
static size_t nodes_without(const struct lp_bundle *bs, int n, const bool *drop,
			    struct dep_node *out)
{
	size_t m = 0;

	for (int i = 0; i < n; i++)
		if (lp_bundle_active(&bs[i]) && !(drop && drop[i]))
			out[m++] = dep_node_of(&bs[i]);
	return m;
}

static int index_of(const struct lp_bundle *bs, int n, const char *module)
{
	for (int i = 0; i < n; i++)
		if (strcmp(bs[i].module, module) == 0)
			return i;
	return -1;
}

struct active_set {
	struct lp_bundle *bs;
	int n;
	struct dep_node *before, *after;
	size_t nb, na, *broken; /* na: the nodes in after, as set_broken() left them */
	bool *drop;
};

static int set_open(struct active_set *s)
{
	s->n = lp_bundles(&s->bs);
	if (s->n < 0)
		s->n = 0;
	s->before = calloc(s->n + 1, sizeof(*s->before));
	s->after = calloc(s->n + 1, sizeof(*s->after));
	s->broken = calloc(s->n + 1, sizeof(*s->broken));
	s->drop = calloc(s->n + 1, sizeof(*s->drop));
	if (!s->before || !s->after || !s->broken || !s->drop)
		return -ENOMEM;
	s->nb = nodes_without(s->bs, s->n, NULL, s->before);
	return 0;
}

static void set_close(struct active_set *s)
{
	lp_bundles_free(s->bs, s->n);
	free(s->before);
	free(s->after);
	free(s->broken);
	free(s->drop);
}

/* The dependents broken without the dropped bundles (and with @extra, if any) into s->broken. */
static size_t set_broken(struct active_set *s, const struct dep_node *extra)
{
	s->na = nodes_without(s->bs, s->n, s->drop, s->after);
	if (extra)
		s->after[s->na++] = *extra;
	return dep_broken(s->before, s->nb, s->after, s->na, s->broken);
}

/* The previous bundle of @b's lineage as a node (its core kept in @saved). */
static int previous_node(struct engine *e, const struct record *r, struct eng_saved *saved,
			 struct dep_node *out)
{
	int rc = eng_saved_open(e, r->previous, saved);

	if (rc < 0)
		return rc;
	*out = (struct dep_node){ .name = saved->b->core.name,
				  .version = saved->b->core.version,
				  .core = &saved->b->core };
	return 0;
}

static void refuse(struct engine *e, const struct lp_bundle *b, const struct active_set *s,
		   size_t nb, const struct dep_node *prev)
{
	char names[512], spec[2 * LP_NAME_MAX];

	dep_names(s->after, s->broken, nb, names, sizeof(names));
	if (!prev) {
		p_err(e->ctx, -EOPNOTSUPP,
		      "cannot revert '%s': active bundle%s %s require%s it (revert %s first, "
		      "or use --with-dependents)",
		      b->name, nb > 1 ? "s" : "", names, nb > 1 ? "" : "s",
		      nb > 1 ? "them" : names);
		return;
	}
	dep_spec(dep_unmet(&s->after[s->broken[0]], s->after, s->na), spec, sizeof(spec));
	p_err(e->ctx, -EOPNOTSUPP,
	      "cannot revert '%s' to its previous version %" PRIu64 ": active bundle%s %s "
	      "require%s '%s' (revert %s first)",
	      b->name, prev->version, nb > 1 ? "s" : "", names, nb > 1 ? "" : "s", spec,
	      nb > 1 ? "them" : names);
}

/* Would reverting @b (to its previous, recorded in @r) leave an active bundle without what it requires? */
static int check_dependents(struct engine *e, const struct lp_bundle *b, const struct record *r,
			    bool to_previous)
{
	struct eng_saved saved = { 0 };
	struct dep_node prev, *extra = NULL;
	struct active_set s = { 0 };
	int rc = set_open(&s), i;
	size_t nb;

	if (rc == 0 && to_previous) {
		rc = previous_node(e, r, &saved, &prev);
		if (rc < 0)
			goto out;
		extra = &prev;
	}
	i = index_of(s.bs, s.n, b->module);
	if (rc == 0 && i >= 0) {
		s.drop[i] = true;
		nb = set_broken(&s, extra);
		if (nb) {
			refuse(e, b, &s, nb, extra);
			rc = -EOPNOTSUPP;
		}
	}
out:
	eng_saved_free(&saved);
	set_close(&s);
	return rc;
}

static int revert_found(struct engine *e, const struct lp_bundle *b, bool to_previous, bool check,
			struct eng_reverted *out)
{
	struct record r;
	int rc;

	record_read(b->module, &r); /* may be missing: then r is empty */
	if (to_previous && !r.previous[0]) {
		p_err(e->ctx, -ENOENT, "no previous bundle is recorded for '%s'", b->module);
		rc = -ENOENT;
	} else {
		rc = check ? check_dependents(e, b, &r, to_previous) : 0;
		if (rc == 0)
			rc = revert_bundle(e, b, &r, to_previous);
	}
	if (rc == 0) {
		COPY(out->name, b->name);
		out->version = b->version;
		COPY(out->module, b->module);
		COPY(out->restored, to_previous ? r.previous : "");
	}
	record_free(&r);
	return rc;
}

int eng_revert(struct engine *e, const char *name, bool to_previous, struct eng_reverted *out)
{
	struct lp_bundle b;
	int rc = find_active(e->ctx, name, &b);

	return rc < 0 ? rc : revert_found(e, &b, to_previous, true, out);
}

/* ---- --with-dependents ---- */

/* Drop, transitively, every active bundle that requires a dropped one. */
static void close_over_dependents(struct active_set *s)
{
	size_t nb;

	while ((nb = set_broken(s, NULL)) > 0)
		for (size_t k = 0; k < nb; k++)
			s->drop[index_of(s->bs, s->n, s->after[s->broken[k]].module)] = true;
}

/*
 * The next of the dropped bundles to revert, given those in @gone: one no
 * other remaining bundle requires, the first by name.
 */
static int next_leaf(struct active_set *s, const bool *plan, bool *gone)
{
	int first = -1;

	for (int pass = 0; pass < 2; pass++) {
		for (int i = 0; i < s->n; i++) {
			if (!plan[i] || gone[i] ||
			    (first >= 0 && strcmp(s->bs[i].name, s->bs[first].name) >= 0))
				continue;
			memcpy(s->drop, gone, s->n * sizeof(*gone));
			s->drop[i] = true;
			if (pass == 1 || set_broken(s, NULL) == 0)
				first = i;
		}
		if (first >= 0)
			break;
	}
	if (first >= 0)
		gone[first] = true;
	return first;
}

/* The modules to revert for @b with its dependents, in order, into @plan ([owned]); the count. */
static int plan_with_dependents(const struct lp_bundle *b, char (**plan)[LP_NAME_MAX])
{
	struct active_set s = { 0 };
	bool *in = NULL, *gone = NULL;
	int rc = set_open(&s), i = index_of(s.bs, s.n, b->module), k = 0;

	*plan = calloc(s.n + 1, sizeof(**plan));
	in = calloc(s.n + 1, sizeof(*in));
	gone = calloc(s.n + 1, sizeof(*gone));
	if (rc == 0 && (!*plan || !in || !gone))
		rc = -ENOMEM;
	if (rc == 0 && i >= 0) {
		s.drop[i] = true;
		close_over_dependents(&s);
		memcpy(in, s.drop, s.n * sizeof(*in));
		while ((i = next_leaf(&s, in, gone)) >= 0)
			COPY((*plan)[k++], s.bs[i].module);
	}
	free(in);
	free(gone);
	set_close(&s);
	return rc < 0 ? rc : k;
}

int eng_revert_with_dependents(struct engine *e, const char *name, struct eng_reverted **out,
			       size_t *n_out)
{
	char(*plan)[LP_NAME_MAX] = NULL;
	struct lp_bundle b;
	int rc = find_active(e->ctx, name, &b), n = 0;

	*out = NULL;
	*n_out = 0;
	if (rc == 0)
		rc = n = plan_with_dependents(&b, &plan);
	if (rc >= 0)
		*out = calloc(n + 1, sizeof(**out));
	if (rc >= 0 && !*out)
		rc = -ENOMEM;
	for (int i = 0; rc >= 0 && i < n; i++) {
		rc = find_active(e->ctx, plan[i], &b);
		if (rc == 0)
			rc = revert_found(e, &b, false, false, &(*out)[*n_out]);
		if (rc == 0)
			(*n_out)++;
	}
	free(plan);
	return rc < 0 ? rc : 0;
}
