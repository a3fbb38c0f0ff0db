// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * apply.c - the apply transaction and its rollback; see apply.h.  The step
 * names are those KLPB_TEST_STOP_AT accepts (journal.h).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "common/bundle-io.h"
#include "engine/apply.h"
#include "engine/deps.h"
#include "engine/module.h"
#include "engine/restore.h"
#include "engine/verify.h"
#include "sys/kernel-info.h"
#include "sys/livepatch.h"
#include "sys/loader.h"
#include "sys/modsig.h"
#include "util/hex.h"
#include "util/time.h"

#define COPY(dst, src) snprintf(dst, sizeof(dst), "%s", src)

/* ---- step 4: the target ---- */

static int id_matches(const struct build_id *id, const uint8_t want[KLPB_BUILD_ID_LEN])
{
	return id->len == KLPB_BUILD_ID_LEN && memcmp(id->bytes, want, KLPB_BUILD_ID_LEN) == 0;
}

/* The target for the running kernel: its release and its vmlinux build-id. */
static int pick_target(struct eng_apply *a)
{
	struct klpb_ctx *ctx = a->e->ctx;
	struct eng_kernel k;
	int rc = eng_running_kernel(&k);

	if (rc < 0) {
		p_err(ctx, -EOPNOTSUPP,
		      "cannot read the running kernel's release and vmlinux build-id (/sys/kernel/notes): %s",
		      strerror(-rc));
		return -EOPNOTSUPP;
	}
	COPY(a->release, k.release);
	rc = eng_pick_payload(a->b, &k, &a->payload);
	if (rc < 0)
		return eng_no_target(ctx, a->file, a->b, &k, rc);
	a->t = &a->b->core.targets[a->b->payloads[a->payload].target];
	a->module = a->t->module_name;
	return 0;
}

static void check_on_disk(struct eng_apply *a, size_t i)
{
	const struct klpb_target_object *o = &a->t->objects[i];
	char *path = NULL, have[2 * BUILD_ID_MAX + 1];
	struct build_id id;

	COPY(a->obj_state[i], "pending");
	if (module_path(a->release, o->name, &path) < 0 || file_build_id(path, &id) < 0) {
		free(path);
		return;
	}
	if (!id_matches(&id, o->build_id)) {
		hex_encode(id.bytes, id.len, have);
		p_warn(a->e->ctx,
		       "the installed module '%s' (%s) has build-id %s: it would be "
		       "refused when it loads",
		       o->name, path, have);
		COPY(a->obj_state[i], "pending (would be refused)");
	}
	free(path);
}

static int check_objects(struct eng_apply *a)
{
	char have[2 * BUILD_ID_MAX + 1], want[2 * KLPB_BUILD_ID_LEN + 1];
	struct build_id id;

	for (size_t i = 0; i < a->t->n_objects; i++) {
		const struct klpb_target_object *o = &a->t->objects[i];
		int rc = lp_module_build_id(o->name, &id);

		if (rc == -ENOENT) {
			check_on_disk(a, i);
			continue;
		}
		if (rc < 0 || !id_matches(&id, o->build_id)) {
			if (rc < 0)
				snprintf(have, sizeof(have), "none (%s)", strerror(-rc));
			else
				hex_encode(id.bytes, id.len, have);
			hex_encode(o->build_id, KLPB_BUILD_ID_LEN, want);
			p_err(a->e->ctx, -EOPNOTSUPP,
			      "module '%s' is loaded with build-id %s, but "
			      "'%s' was built for %s",
			      o->name, have, a->file, want);
			return -EOPNOTSUPP;
		}
		COPY(a->obj_state[i], "patched");
	}
	return 0;
}

/* ---- step 5: the kernel and the active bundles ---- */

/* Wait up to busy_ms for another live patch's transition: -EBUSY if it goes on. */
static int wait_other_transition(struct eng_apply *a)
{
	long long deadline = now_ms() + a->e->busy_ms;
	char name[LP_NAME_MAX];
	int rc;

	while ((rc = lp_transition_patch(name, sizeof(name))) == 1 && now_ms() < deadline)
		sleep_ms(20);
	if (rc == 1) {
		p_err(a->e->ctx, -EBUSY,
		      "a live patch transition is in progress ('%s') and did "
		      "not finish in %.1f s",
		      name, a->e->busy_ms / 1000.0);
		return -EBUSY;
	}
	return 0;
}

static int check_kernel(struct eng_apply *a)
{
	struct klpb_ctx *ctx = a->e->ctx;
	struct klpb_error ferr = { 0 };
	char why[256];
	int rc;

	if (!lp_livepatch_available()) {
		p_err(ctx, -EOPNOTSUPP,
		      "the kernel has no live patching (no /sys/kernel/livepatch)");
		return -EOPNOTSUPP;
	}
	if (lp_ftrace_enabled() == 0) {
		p_err(ctx, -EOPNOTSUPP,
		      "ftrace is disabled (kernel.ftrace_enabled = 0): live "
		      "patches cannot be enabled");
		return -EOPNOTSUPP;
	}
	rc = klpb_payload_extract(a->b, a->payload, &a->ko, &ferr);
	if (rc < 0)
		return report_format_error(ctx, a->file, rc, &ferr);
	if (lp_sig_enforced(why, sizeof(why)) == 1 && !module_is_signed(a->ko.data, a->ko.len)) {
		p_err(ctx, -EOPNOTSUPP,
		      "the kernel would refuse '%s': %s and its module is not "
		      "signed",
		      a->module, why);
		return -EOPNOTSUPP;
	}
	return wait_other_transition(a);
}

static int check_requires(struct eng_apply *a, const struct dep_node *me,
			  const struct dep_node *act, size_t na)
{
	const struct klpb_dep *d = dep_unmet(me, act, na);

	if (!d)
		return 0;
	p_err(a->e->ctx, -EOPNOTSUPP,
	      "'%s' requires bundle '%s' version %" PRIu64 "%s, which is not active", me->name,
	      d->name, d->min_version, d->has_max ? " or in range" : " or later");
	return -EOPNOTSUPP;
}

/* Conflicts both ways: the newcomer's, and every active bundle's. */
static int check_conflicts(struct eng_apply *a, const struct dep_node *me,
			   const struct dep_node *act, size_t na)
{
	const struct klpb_dep *d;
	char spec[2 * LP_NAME_MAX];

	for (size_t k = 0; k < na; k++) {
		if (dep_conflict(me, &act[k])) {
			p_err(a->e->ctx, -EOPNOTSUPP,
			      "'%s' conflicts with the active bundle '%s' version %" PRIu64,
			      me->name, act[k].name, act[k].version);
			return -EOPNOTSUPP;
		}
		d = dep_conflict(&act[k], me);
		if (d) {
			dep_spec(d, spec, sizeof(spec));
			p_err(a->e->ctx, -EOPNOTSUPP,
			      "the active bundle '%s' version %" PRIu64 " conflicts with '%s' "
			      "version %" PRIu64 " (its conflicts name '%s'); revert '%s' first",
			      act[k].name, act[k].version, me->name, me->version, spec,
			      act[k].name);
			return -EOPNOTSUPP;
		}
	}
	return 0;
}

/* Does the newcomer take the place of @o: its module, or its lineage when cumulative? */
static bool supersedes(const struct eng_apply *a, const struct lp_bundle *o)
{
	char lineage[2 * KLPB_LINEAGE_LEN + 1];

	hex_encode(a->b->core.lineage, KLPB_LINEAGE_LEN, lineage);
	return strcmp(o->module, a->module) == 0 ||
	       (a->b->core.replace && strcmp(o->lineage, lineage) == 0);
}

/* A successor must still satisfy what every active dependent requires of it. */
static int check_dependents(struct eng_apply *a, const struct dep_node *me,
			    const struct lp_bundle *bs, int n, const struct dep_node *act,
			    size_t na)
{
	struct dep_node *after = calloc(n + 1, sizeof(*after));
	size_t *broken = calloc(n + 1, sizeof(*broken)), m = 0, nb;
	char names[512], spec[2 * LP_NAME_MAX];
	int rc = 0;

	if (!after || !broken) {
		rc = -ENOMEM;
		goto out;
	}
	for (int k = 0; k < n; k++)
		if (lp_bundle_active(&bs[k]) && !supersedes(a, &bs[k]))
			after[m++] = dep_node_of(&bs[k]);
	after[m++] = *me;
	nb = dep_broken(act, na, after, m, broken);
	if (nb && broken[nb - 1] == m - 1)
		nb--; /* its own requires are check_requires()'s */
	if (nb) {
		dep_names(after, broken, nb, names, sizeof(names));
		dep_spec(dep_unmet(&after[broken[0]], after, m), spec, sizeof(spec));
		p_err(a->e->ctx, -EOPNOTSUPP,
		      "cannot apply '%s' version %" PRIu64 ": the active bundle%s %s require%s "
		      "'%s', which it would no longer satisfy (revert %s first)",
		      me->name, me->version, nb > 1 ? "s" : "", names, nb > 1 ? "" : "s", spec,
		      nb > 1 ? "them" : names);
		rc = -EOPNOTSUPP;
	}
out:
	free(after);
	free(broken);
	return rc;
}

static int check_deps(struct eng_apply *a, const struct lp_bundle *bs, int n)
{
	const struct klpb_core *c = &a->b->core;
	struct dep_node me = { .name = c->name, .version = c->version, .core = c }, *act;
	int na = dep_active_nodes(bs, n, &act), rc;

	if (na < 0)
		return na;
	rc = check_requires(a, &me, act, na);
	if (rc == 0)
		rc = check_conflicts(a, &me, act, na);
	if (rc == 0)
		rc = check_dependents(a, &me, bs, n, act, na);
	free(act);
	return rc;
}

static int check_lineage(struct eng_apply *a, const struct lp_bundle *o)
{
	const struct klpb_core *c = &a->b->core;
	char lineage[2 * KLPB_LINEAGE_LEN + 1];

	hex_encode(c->lineage, KLPB_LINEAGE_LEN, lineage);
	if (strcmp(o->lineage, lineage) == 0 && o->version > c->version) {
		p_err(a->e->ctx, -EOPNOTSUPP,
		      "'%s' version %" PRIu64 " would downgrade the active "
		      "bundle '%s' version %" PRIu64 " of the same lineage",
		      c->name, c->version, o->name, o->version);
		return -EOPNOTSUPP;
	}
	if (c->replace && strcmp(o->lineage, lineage) != 0) {
		p_err(a->e->ctx, -EOPNOTSUPP,
		      "'%s' is cumulative but bundle '%s' of another "
		      "lineage is active; the kernel would refuse to drop its state (revert '%s' "
		      "first)",
		      c->name, o->name, o->name);
		return -EOPNOTSUPP;
	}
	return 0;
}

static int check_same_module(struct eng_apply *a, const struct lp_bundle *o)
{
	if (!lp_bundle_active(o)) {
		a->stale = true; /* disabled or replaced, still loaded */
		return 0;
	}
	if (o->manifest_len == a->b->core_bytes.len &&
	    memcmp(o->manifest, a->b->core_bytes.data, o->manifest_len) == 0) {
		a->already = true;
		return 0;
	}
	p_err(a->e->ctx, -EOPNOTSUPP, "another bundle is active as module '%s'", a->module);
	return -EOPNOTSUPP;
}

/* A cumulative bundle replaces every other enabled live patch. */
static void plan_replaced(struct eng_apply *a)
{
	struct lp_patch *ps;
	int np = lp_patches(&ps);

	for (int k = 0; !a->already && a->b->core.replace && k < np; k++) {
		if (!ps[k].enabled || strcmp(ps[k].name, a->module) == 0 ||
		    a->n_prev >= JOURNAL_MAX_PREV)
			continue;
		COPY(a->prev[a->n_prev++], ps[k].name);
	}
	free(ps);
}

static int check_active(struct eng_apply *a)
{
	struct lp_bundle *bs;
	int n = lp_bundles(&bs), rc;

	if (n < 0)
		n = 0;
	rc = check_deps(a, bs, n);
	for (int k = 0; rc == 0 && k < n; k++)
		if (strcmp(bs[k].module, a->module) == 0)
			rc = check_same_module(a, &bs[k]);
	/* already active as it is: the stacked bundles on top of it stay as they are */
	for (int k = 0; rc == 0 && !a->already && k < n; k++)
		if (strcmp(bs[k].module, a->module) != 0 && lp_bundle_active(&bs[k]))
			rc = check_lineage(a, &bs[k]);
	if (rc == 0)
		plan_replaced(a);
	lp_bundles_free(bs, n);
	return rc;
}

/*
 * Can a rollback put back what this apply replaces in one transition?  Say
 * so before anything changes; a --check (which may roll back) then needs
 * --allow-unpatched-rollback.
 */
static int check_rollback(struct eng_apply *a)
{
	char why[512];
	int rc = eng_rollback_atomic(a->e, a->module, &a->ko, a->prev, a->n_prev, why, sizeof(why));

	if (rc < 0)
		return rc;
	a->atomic_rollback = rc == 1;
	if (a->atomic_rollback)
		return 0;
	if (a->check && !a->e->allow_unpatched_rollback) {
		p_err(a->e->ctx, -EOPNOTSUPP,
		      "'%s' cannot be rolled back in one transition: %s; a failing --check "
		      "would leave the lineage unpatched until the bundles it replaces are "
		      "loaded again (give --allow-unpatched-rollback to accept that)",
		      a->b->core.name, why);
		return -EOPNOTSUPP;
	}
	p_warn(a->e->ctx,
	       "'%s' cannot be rolled back in one transition: %s; a rollback (failed "
	       "--check, revert --to-previous) would disable it before the previous bundle "
	       "is loaded again",
	       a->b->core.name, why);
	return 0;
}

int eng_apply_check(struct eng_apply *a, const char *file)
{
	int rc;

	a->file = file;
	a->n_prev = 0;
	a->stale = a->already = false;
	a->atomic_rollback = true;
	COPY(a->vmlinux_state, "patched");
	for (size_t i = 0; i < KLPB_MAX_TARGET_OBJECTS; i++)
		COPY(a->obj_state[i], "pending");
	rc = eng_verify_file(a->e->ctx, a->file, a->key, a->keyring, &a->data, &a->len, &a->b);
	if (rc == 0)
		rc = pick_target(a);
	if (rc == 0)
		rc = check_objects(a);
	if (rc == 0)
		rc = check_kernel(a);
	if (rc == 0)
		rc = check_active(a);
	if (rc == 0 && !a->already)
		rc = check_rollback(a);
	return rc;
}

static void read_state(char dst[ENG_STATE_MAX], const struct lp_bundle *now, const char *name)
{
	for (size_t k = 0; k < now->n_objects; k++)
		if (strcmp(now->objects[k].name, name) == 0)
			snprintf(dst, ENG_STATE_MAX, "%s", now->objects[k].state);
}

void eng_apply_states(struct eng_apply *a)
{
	struct lp_bundle *bs;
	int n = lp_bundles(&bs);

	for (int k = 0; k < n; k++) {
		if (strcmp(bs[k].module, a->module) != 0)
			continue;
		read_state(a->vmlinux_state, &bs[k], "vmlinux");
		for (size_t i = 0; i < a->t->n_objects; i++)
			read_state(a->obj_state[i], &bs[k], a->t->objects[i].name);
	}
	if (n > 0)
		lp_bundles_free(bs, n);
}

void eng_apply_free(struct eng_apply *a)
{
	klpb_bundle_free(a->b);
	free(a->data);
	klpb_buf_free(&a->ko);
	a->b = NULL;
	a->data = NULL;
}

/* ---- steps 6 to 9 ---- */

static int run_check(struct eng_apply *a)
{
	int status;
	pid_t pid;

	fflush(NULL);
	pid = fork();
	if (pid < 0)
		return -errno;
	if (pid == 0) {
		if (a->e->ctx->json)
			dup2(STDERR_FILENO, STDOUT_FILENO); /* stdout holds the one document */
		execl("/bin/sh", "sh", "-c", a->check, (char *)NULL);
		_exit(127);
	}
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -errno;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

static void apply_journal(struct eng_apply *a, struct journal *j)
{
	journal_init(j, ENG_OP_APPLY, a->module);
	for (int i = 0; i < a->n_prev; i++)
		COPY(j->prev[i], a->prev[i]);
	j->n_prev = a->n_prev;
	j->check = a->check != NULL;
}

/* Forget the bundle file and the journal: the transaction did not happen. */
static void forget(struct eng_apply *a)
{
	sd_gc_bundle(a->module);
	journal_clear();
}

/* Undo after a failure at step 7 or 8: the system goes back to what it was. */
static int roll_back(struct eng_apply *a)
{
	int rc = eng_undo_apply(a->e, a->module, a->prev, a->n_prev);

	if (rc == 0)
		forget(a);
	return rc;
}

static int step_load(struct eng_apply *a, struct journal *j)
{
	struct klpb_ctx *ctx = a->e->ctx;
	char buf[64];
	const char *params = eng_lineage_params(&a->b->core, buf, sizeof(buf));
	int rc = sd_save_bundle(a->module, a->data, a->len);

	if (rc < 0) {
		p_err(ctx, rc, "cannot save the bundle in '%s': %s", sd_dir(), strerror(-rc));
		return rc;
	}
	rc = eng_journal_step(a->e, j, ENG_STEP_APPLY_BEGIN);
	if (rc < 0)
		return rc;
	eng_stop_at(ENG_STEP_APPLY_BEGIN);
	if (a->stale)
		rc = eng_remove(a->e, a->module);
	if (rc == 0)
		rc = eng_insert(a->e, a->ko.data, a->ko.len, a->module, params);
	if (rc < 0) {
		forget(a);
		return rc;
	}
	eng_stop_at(ENG_STEP_APPLY_LOADED);
	journal_step(j, ENG_STEP_APPLY_LOADED); /* recovery trusts sysfs over later steps */
	return 0;
}

static int step_transition(struct eng_apply *a, struct journal *j)
{
	int rc = eng_wait_transition(a->e, a->module, a->e->timeout_ms, true);

	if (rc == -ETIMEDOUT) {
		char stalled[256];

		snprintf(stalled, sizeof(stalled), "%s", eng_stalled());
		rc = roll_back(a);
		if (rc < 0)
			return rc;
		p_err(a->e->ctx, -ECANCELED,
		      "the transition of '%s' did not finish in %.1f s "
		      "(stalled: %s); it was reversed and the bundle unloaded, the previous state "
		      "is active",
		      a->module, a->e->timeout_ms / 1000.0, stalled);
		eng_audit(a->e, "apply of '%s' rolled back: transition stalled", a->module);
		return -ECANCELED;
	}
	journal_step(j, ENG_STEP_APPLY_TRANSITION_DONE);
	eng_stop_at(ENG_STEP_APPLY_TRANSITION_DONE);
	return 0;
}

static int step_check(struct eng_apply *a, struct journal *j)
{
	int st = a->check ? run_check(a) : 0, rc;

	if (st != 0) {
		rc = roll_back(a);
		if (rc < 0)
			return rc;
		p_err(a->e->ctx, -ECANCELED,
		      "the health check failed (status %d); '%s' was "
		      "removed and the previous state restored",
		      st, a->module);
		eng_audit(a->e, "apply of '%s' rolled back: health check failed", a->module);
		return -ECANCELED;
	}
	journal_step(j, ENG_STEP_APPLY_CHECKED);
	eng_stop_at(ENG_STEP_APPLY_CHECKED);
	return 0;
}

int eng_apply_commit(struct eng_apply *a)
{
	struct journal j;
	int rc;

	apply_journal(a, &j);
	rc = step_load(a, &j);
	if (rc == 0)
		rc = step_transition(a, &j);
	if (rc == 0)
		rc = step_check(a, &j);
	if (rc < 0)
		return rc;
	journal_step(&j, ENG_STEP_APPLY_COMMITTED);
	eng_stop_at(ENG_STEP_APPLY_COMMITTED);
	rc = eng_finish_apply(a->e, &j, &a->b->core, a->file);
	eng_stop_at(ENG_STEP_APPLY_RECORDED);
	if (rc == 0)
		eng_audit(a->e, "applied bundle '%s' version %" PRIu64 " as module '%s'%s%s",
			  a->b->core.name, a->b->core.version, a->module,
			  a->n_prev ? ", replacing " : "", a->n_prev ? a->prev[0] : "");
	return rc;
}

/* ---- step 9, shared with recovery ---- */

int eng_record_apply(struct engine *e, const struct klpb_core *core, const char *module,
		     const char *prev, const char *source)
{
	struct record r = { 0 };
	int rc;

	COPY(r.module, module);
	COPY(r.name, core->name);
	r.version = core->version;
	hex_encode(core->lineage, KLPB_LINEAGE_LEN, r.lineage);
	r.applied = time(NULL);
	COPY(r.previous, prev ? prev : "");
	r.source = source ? strdup(source) : NULL;
	if (source && !r.source)
		return -ENOMEM;
	rc = record_write(&r);
	record_free(&r);
	return rc;
}

/* Unload what @j's bundle replaced and forget the replaced bundles' records. */
static int remove_replaced(struct engine *e, struct journal *j)
{
	struct record old;
	int rc;

	for (int i = 0; i < j->n_prev; i++) {
		if (eng_patch_active(j->prev[i]))
			continue; /* not replaced after all */
		rc = eng_remove(e, j->prev[i]);
		if (rc < 0)
			return rc;
		if (record_read(j->prev[i], &old) == 0) {
			record_remove(j->prev[i]);
			if (old.previous[0])
				sd_gc_bundle(old.previous);
		}
		record_free(&old);
	}
	return 0;
}

int eng_finish_apply(struct engine *e, struct journal *j, const struct klpb_core *core,
		     const char *source)
{
	int rc = remove_replaced(e, j);

	if (rc < 0)
		return rc;
	journal_step(j, ENG_STEP_APPLY_REPLACED_REMOVED);
	eng_stop_at(ENG_STEP_APPLY_REPLACED_REMOVED);
	rc = eng_record_apply(e, core, j->module, j->n_prev ? j->prev[0] : NULL, source);
	if (rc < 0) {
		p_err(e->ctx, rc, "cannot record '%s' in '%s': %s", j->module, sd_dir(),
		      strerror(-rc));
		return rc;
	}
	return eng_journal_clear(e);
}
