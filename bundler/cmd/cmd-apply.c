// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * cmd-apply.c - klp-bundle apply: the transaction.  In order, each failure
 * with its own message and exit status and nothing changed:
 *   1 lock  2 recover  3 verify  4 target and build-ids  5 kernel checks
 *   6 load from memory  7 transition (timeout: reverse, unload)
 *   8 health check (failure: restore the previous bundle)
 *   9 remove what was replaced, record, audit.
 * The journal (journal.h) is written before every change; the step names
 * are those KLPB_TEST_STOP_AT accepts (Documentation/klp-bundle.md).
 */
#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cmd/cmd.h"
#include "common/bundle-io.h"
#include "engine/engine.h"
#include "sys/modsig.h"
#include "sys/kernel-info.h"
#include "sys/livepatch.h"
#include "sys/loader.h"
#include "util/hex.h"
#include "util/time.h"

static const char apply_usage[] =
	"usage: klp-bundle apply [options] FILE\n"
	"       klp-bundle apply [options] --installed\n\n"
	"Apply a bundle to the running kernel as one transaction: verify it,\n"
	"check it was built for this kernel and its loaded modules, check the\n"
	"kernel can take it, load it, wait for the transition, run the health\n"
	"check, then remove the bundles it replaced.  Any failure leaves the\n"
	"system as it was.\n\n"
	"options:\n"
	"  -n, --dry-run        check everything (steps 1-5), change nothing, say\n"
	"                       what would happen\n"
	"  -c, --check CMD      a health check run with /bin/sh -c after the\n"
	"                       transition; failing, the previous state is restored\n"
	"  -t, --timeout SEC    the transition's limit (default 60); past it the\n"
	"                       transition is reversed and the bundle unloaded\n"
	"  -w, --wait           wait for the lock instead of failing\n"
	"  -k, --key PUB        trust this public key (PEM); a signature is required\n"
	"  -K, --keyring DIR    trust every DIR/*.pub (default: $KLPB_KEYS_DIR or\n"
	"                       /etc/klp-bundle/keys; signatures are required when\n"
	"                       it holds keys)\n"
	"      --installed      apply every installed bundle that has a target for\n"
	"                       this kernel (at boot; skipped with\n"
	"                       klp_bundle.disable=1 on the kernel command line)\n"
	"      --state-dir DIR  the state directory (default $KLPB_STATE_DIR or\n"
	"                       /var/lib/klp-bundle)\n"
	"  -h, --help           this text\n\n"
	"exit status: 0 applied (or already active), 7 rolled back, 8 incompatible,\n"
	"9 busy; see 'klp-bundle help'\n";

#define DEFAULT_KEYS_DIR "/etc/klp-bundle/keys"

struct apply {
	struct engine e;
	struct klpb_ctx *ctx;
	const char *key, *keyring;
	const char *check;
	bool dry_run;
	/* the bundle */
	const char *file;
	uint8_t *data;
	size_t len;
	struct klpb_bundle *b;
	size_t payload;
	const struct klpb_target *t;
	const char *module;
	struct klpb_buf ko;
	char release[128];
	/* the plan */
	char obj_state[KLPB_MAX_TARGET_OBJECTS][32];
	char prev[SD_MAX_PREV][SD_NAME_MAX];
	int n_prev;
	bool stale;			/* the module is loaded but not enabled: unload it first */
	bool already;
};

static void apply_free(struct apply *a)
{
	klpb_bundle_free(a->b);
	free(a->data);
	klpb_buf_free(&a->ko);
	a->b = NULL;
	a->data = NULL;
}

/* ---- step 3: the file and its signatures ---- */

static bool dir_has_keys(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	bool found = false;

	if (!d)
		return false;
	while (!found && (de = readdir(d))) {
		size_t l = strlen(de->d_name);

		found = l > 4 && de->d_name[0] != '.' && strcmp(de->d_name + l - 4, ".pub") == 0;
	}
	closedir(d);
	return found;
}

int eng_verify_file(struct klpb_ctx *ctx, const char *file, const char *key, const char *keyring,
		    uint8_t **data, size_t *len, struct klpb_bundle **b)
{
	const char *env = getenv("KLPB_KEYS_DIR");
	const char *dir = keyring ? keyring : env && *env ? env : DEFAULT_KEYS_DIR;
	struct klpb_verify_result res;
	struct klpb_error ferr = { 0 };
	struct klpb_key **keys = NULL;
	size_t n = 0;
	int rc = read_file(file, data, len);

	if (rc < 0) {
		p_err(ctx, rc, "cannot read '%s': %s", file, strerror(-rc));
		return rc;
	}
	rc = klpb_bundle_load(*data, *len, b, &ferr);
	if (rc < 0)
		return report_format_error(ctx, file, rc, &ferr);
	if (key || keyring || dir_has_keys(dir))
		rc = load_trusted_keys(ctx, key, key && !keyring ? NULL : dir, &keys, &n);
	if (rc < 0)
		return rc;
	rc = klpb_bundle_verify(*b, keys, n, &res, &ferr);
	free_keys(keys, n);
	if (rc == -ENOKEY)
		p_err(ctx, rc, "'%s' has no signature by a trusted key (trust store '%s')", file,
		      key ? key : dir);
	else if (rc < 0)
		report_format_error(ctx, file, rc, &ferr);
	return rc;
}

static int step_verify(struct apply *a)
{
	return eng_verify_file(a->ctx, a->file, a->key, a->keyring, &a->data, &a->len, &a->b);
}

/* ---- step 4: the target ---- */

static int id_matches(const struct build_id *id, const uint8_t want[KLPB_BUILD_ID_LEN])
{
	return id->len == KLPB_BUILD_ID_LEN && memcmp(id->bytes, want, KLPB_BUILD_ID_LEN) == 0;
}

static int pick_target(struct apply *a)
{
	struct build_id id;
	char have[2 * BUILD_ID_MAX + 1], want[2 * KLPB_BUILD_ID_LEN + 1];
	int rc = lp_kernel_release(a->release, sizeof(a->release));

	if (rc < 0) {
		p_err(a->ctx, rc, "cannot read the kernel release: %s", strerror(-rc));
		return rc;
	}
	if (eng_pick_payload(a->b, a->release, &a->payload) < 0) {
		p_err(a->ctx, -EOPNOTSUPP, "'%s' has no target for the running kernel %s", a->file,
		      a->release);
		return -EOPNOTSUPP;
	}
	a->t = &a->b->core.targets[a->b->payloads[a->payload].target];
	a->module = a->t->module_name;
	rc = lp_vmlinux_build_id(&id);
	if (rc < 0) {
		p_err(a->ctx, -EOPNOTSUPP, "cannot read the running kernel's build-id: %s",
		      strerror(-rc));
		return -EOPNOTSUPP;
	}
	if (!id_matches(&id, a->t->vmlinux_build_id)) {
		hex_encode(id.bytes, id.len, have);
		hex_encode(a->t->vmlinux_build_id, KLPB_BUILD_ID_LEN, want);
		p_err(a->ctx, -EOPNOTSUPP,
		      "the running kernel %s has build-id %s, but '%s' was built for %s", a->release,
		      have, a->file, want);
		return -EOPNOTSUPP;
	}
	return 0;
}

static void check_on_disk(struct apply *a, size_t i)
{
	const struct klpb_target_object *o = &a->t->objects[i];
	char *path = NULL, have[2 * BUILD_ID_MAX + 1];
	struct build_id id;

	snprintf(a->obj_state[i], sizeof(a->obj_state[i]), "pending");
	if (module_path(a->release, o->name, &path) < 0 || file_build_id(path, &id) < 0) {
		free(path);
		return;
	}
	if (!id_matches(&id, o->build_id)) {
		hex_encode(id.bytes, id.len, have);
		p_warn(a->ctx, "the installed module '%s' (%s) has build-id %s: it would be refused "
		       "when it loads", o->name, path, have);
		snprintf(a->obj_state[i], sizeof(a->obj_state[i]), "pending (would be refused)");
	}
	free(path);
}

static int check_objects(struct apply *a)
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
			p_err(a->ctx, -EOPNOTSUPP, "module '%s' is loaded with build-id %s, but '%s' "
			      "was built for %s", o->name, have, a->file, want);
			return -EOPNOTSUPP;
		}
		snprintf(a->obj_state[i], sizeof(a->obj_state[i]), "patched");
	}
	return 0;
}

/* ---- step 5: the kernel and the active bundles ---- */

static int check_kernel(struct apply *a)
{
	struct klpb_error ferr = { 0 };
	char why[256], name[LP_NAME_MAX];
	long long deadline;
	int rc;

	if (!lp_livepatch_available()) {
		p_err(a->ctx, -EOPNOTSUPP, "the kernel has no live patching (no /sys/kernel/livepatch)");
		return -EOPNOTSUPP;
	}
	if (lp_ftrace_enabled() == 0) {
		p_err(a->ctx, -EOPNOTSUPP, "ftrace is disabled (kernel.ftrace_enabled = 0): live "
		      "patches cannot be enabled");
		return -EOPNOTSUPP;
	}
	rc = klpb_payload_extract(a->b, a->payload, &a->ko, &ferr);
	if (rc < 0)
		return report_format_error(a->ctx, a->file, rc, &ferr);
	if (lp_sig_enforced(why, sizeof(why)) == 1 && !module_is_signed(a->ko.data, a->ko.len)) {
		p_err(a->ctx, -EOPNOTSUPP, "the kernel would refuse '%s': %s and its module is not "
		      "signed", a->module, why);
		return -EOPNOTSUPP;
	}
	deadline = now_ms() + a->e.busy_ms;
	while ((rc = lp_transition_patch(name, sizeof(name))) == 1 && now_ms() < deadline)
		sleep_ms(20);
	if (rc == 1) {
		p_err(a->ctx, -EBUSY, "a live patch transition is in progress ('%s') and did not "
		      "finish in %.1f s", name, a->e.busy_ms / 1000.0);
		return -EBUSY;
	}
	return 0;
}

static bool dep_matches(const struct klpb_dep *d, const struct lp_bundle *b)
{
	return strcmp(d->name, b->name) == 0 && b->version >= d->min_version &&
	       (!d->has_max || b->version <= d->max_version);
}

static int check_deps(struct apply *a, const struct lp_bundle *bs, int n)
{
	const struct klpb_core *c = &a->b->core;

	for (size_t i = 0; i < c->n_requires; i++) {
		bool found = false;

		for (int k = 0; k < n; k++)
			found |= lp_bundle_active(&bs[k]) && dep_matches(&c->requires[i], &bs[k]);
		if (!found) {
			p_err(a->ctx, -EOPNOTSUPP, "'%s' requires bundle '%s' version %" PRIu64 "%s, "
			      "which is not active", c->name, c->requires[i].name,
			      c->requires[i].min_version, c->requires[i].has_max ? " or in range" :
			      " or later");
			return -EOPNOTSUPP;
		}
	}
	for (size_t i = 0; i < c->n_conflicts; i++) {
		for (int k = 0; k < n; k++) {
			if (lp_bundle_active(&bs[k]) && dep_matches(&c->conflicts[i], &bs[k])) {
				p_err(a->ctx, -EOPNOTSUPP, "'%s' conflicts with the active bundle '%s' "
				      "version %" PRIu64, c->name, bs[k].name, bs[k].version);
				return -EOPNOTSUPP;
			}
		}
	}
	return 0;
}

static int check_lineage(struct apply *a, const struct lp_bundle *o)
{
	const struct klpb_core *c = &a->b->core;
	char lineage[2 * KLPB_LINEAGE_LEN + 1];

	hex_encode(c->lineage, KLPB_LINEAGE_LEN, lineage);
	if (strcmp(o->lineage, lineage) == 0 && o->version > c->version) {
		p_err(a->ctx, -EOPNOTSUPP, "'%s' version %" PRIu64 " would downgrade the active "
		      "bundle '%s' version %" PRIu64 " of the same lineage", c->name, c->version,
		      o->name, o->version);
		return -EOPNOTSUPP;
	}
	if (c->replace && strcmp(o->lineage, lineage) != 0) {
		p_err(a->ctx, -EOPNOTSUPP, "'%s' is cumulative but bundle '%s' of another lineage "
		      "is active; the kernel would refuse to drop its state (revert '%s' first)",
		      c->name, o->name, o->name);
		return -EOPNOTSUPP;
	}
	return 0;
}

static int check_same_module(struct apply *a, const struct lp_bundle *o)
{
	if (!lp_bundle_active(o)) {
		a->stale = true;	/* disabled or replaced, still loaded */
		return 0;
	}
	if (o->manifest_len == a->b->core_bytes.len &&
	    memcmp(o->manifest, a->b->core_bytes.data, o->manifest_len) == 0) {
		a->already = true;
		return 0;
	}
	p_err(a->ctx, -EOPNOTSUPP, "another bundle is active as module '%s'", a->module);
	return -EOPNOTSUPP;
}

static int check_active(struct apply *a)
{
	struct lp_bundle *bs;
	struct lp_patch *ps;
	int n = lp_bundles(&bs), np, rc = 0;

	if (n < 0)
		n = 0;
	rc = check_deps(a, bs, n);
	for (int k = 0; rc == 0 && k < n; k++) {
		if (strcmp(bs[k].module, a->module) == 0)
			rc = check_same_module(a, &bs[k]);
		else if (lp_bundle_active(&bs[k]))
			rc = check_lineage(a, &bs[k]);
	}
	np = lp_patches(&ps);
	for (int k = 0; rc == 0 && !a->already && a->b->core.replace && k < np; k++) {
		if (!ps[k].enabled || strcmp(ps[k].name, a->module) == 0 || a->n_prev >= SD_MAX_PREV)
			continue;
		snprintf(a->prev[a->n_prev++], SD_NAME_MAX, "%s", ps[k].name);
	}
	free(ps);
	lp_bundles_free(bs, n);
	return rc;
}

/* ---- steps 6 to 9 ---- */

static int run_check(struct apply *a)
{
	int status;
	pid_t pid;

	fflush(NULL);
	pid = fork();
	if (pid < 0)
		return -errno;
	if (pid == 0) {
		if (a->ctx->json)
			dup2(STDERR_FILENO, STDOUT_FILENO);	/* stdout holds the one document */
		execl("/bin/sh", "sh", "-c", a->check, (char *)NULL);
		_exit(127);
	}
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -errno;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

static void journal_init(struct apply *a, struct journal *j)
{
	memset(j, 0, sizeof(*j));
	snprintf(j->op, sizeof(j->op), "apply");
	snprintf(j->module, sizeof(j->module), "%s", a->module);
	for (int i = 0; i < a->n_prev; i++)
		snprintf(j->prev[i], SD_NAME_MAX, "%s", a->prev[i]);
	j->n_prev = a->n_prev;
	j->check = a->check != NULL;
	j->pid = getpid();
	j->started = time(NULL);
}

/* Undo after a failure at step 6-8: the system goes back to what it was. */
static int roll_back(struct apply *a, struct journal *j)
{
	int rc = eng_undo_apply(&a->e, a->module, a->n_prev ? a->prev[0] : NULL);

	if (rc == 0) {
		sd_gc_bundle(a->module);
		journal_clear();
	}
	return rc;
}

static int step_load(struct apply *a, struct journal *j)
{
	int rc = sd_save_bundle(a->module, a->data, a->len);

	if (rc < 0) {
		p_err(a->ctx, rc, "cannot save the bundle in '%s': %s", sd_dir(), strerror(-rc));
		return rc;
	}
	rc = journal_step(j, "begin");
	if (rc < 0) {
		p_err(a->ctx, rc, "cannot write the journal in '%s': %s", sd_dir(), strerror(-rc));
		return rc;
	}
	eng_stop_at("begin");
	if (a->stale)
		rc = eng_remove(&a->e, a->module);
	if (rc == 0)
		rc = ld_insert(a->ko.data, a->ko.len, a->module, a->e.busy_ms);
	if (rc < 0) {
		if (rc == -EKEYREJECTED)
			p_err(a->ctx, -EOPNOTSUPP, "the kernel rejected the module signature of '%s'",
			      a->module);
		else if (rc == -EBUSY)
			p_err(a->ctx, rc, "cannot load '%s': a live patch transition is in progress",
			      a->module);
		else
			p_err(a->ctx, rc, "the kernel refused to load '%s': %s (see the kernel log)",
			      a->module, strerror(-rc));
		sd_gc_bundle(a->module);
		journal_clear();
		return rc == -EKEYREJECTED ? -EOPNOTSUPP : rc;
	}
	eng_stop_at("loaded");
	journal_step(j, "loaded");
	return 0;
}

static int step_transition(struct apply *a, struct journal *j)
{
	int rc = eng_wait_transition(&a->e, a->module, a->e.timeout_ms, true);

	if (rc == -ETIMEDOUT) {
		char stalled[256];

		snprintf(stalled, sizeof(stalled), "%s", eng_stalled());
		rc = roll_back(a, j);
		if (rc < 0)
			return rc;
		p_err(a->ctx, -ECANCELED, "the transition of '%s' did not finish in %.1f s (stalled: "
		      "%s); it was reversed and the bundle unloaded, the previous state is active",
		      a->module, a->e.timeout_ms / 1000.0, stalled);
		eng_audit(&a->e, "apply of '%s' rolled back: transition stalled", a->module);
		return -ECANCELED;
	}
	journal_step(j, "transition-done");
	eng_stop_at("transition-done");
	return 0;
}

static int step_check(struct apply *a, struct journal *j)
{
	int st;

	if (a->check) {
		st = run_check(a);
		if (st != 0) {
			int rc = roll_back(a, j);

			if (rc < 0)
				return rc;
			p_err(a->ctx, -ECANCELED, "the health check failed (status %d); '%s' was "
			      "removed and the previous state restored", st, a->module);
			eng_audit(&a->e, "apply of '%s' rolled back: health check failed", a->module);
			return -ECANCELED;
		}
	}
	journal_step(j, "checked");
	eng_stop_at("checked");
	return 0;
}

static int transact(struct apply *a)
{
	struct journal j;
	int rc;

	journal_init(a, &j);
	rc = step_load(a, &j);
	if (rc == 0)
		rc = step_transition(a, &j);
	if (rc == 0)
		rc = step_check(a, &j);
	if (rc < 0)
		return rc;
	journal_step(&j, "committed");
	eng_stop_at("committed");
	rc = eng_finish_apply(&a->e, &j, &a->b->core, a->file);
	eng_stop_at("recorded");
	if (rc == 0)
		eng_audit(&a->e, "applied bundle '%s' version %" PRIu64 " as module '%s'%s%s",
			  a->b->core.name, a->b->core.version, a->module,
			  a->n_prev ? ", replacing " : "", a->n_prev ? a->prev[0] : "");
	return rc;
}

/* ---- output ---- */

static const char *named_state(const struct lp_bundle *now, const char *name, const char *dflt)
{
	for (size_t k = 0; now && k < now->n_objects; k++)
		if (strcmp(now->objects[k].name, name) == 0)
			return now->objects[k].state;
	return dflt;
}

static const char *object_state(struct apply *a, size_t i, const struct lp_bundle *now)
{
	return named_state(now, a->t->objects[i].name, a->obj_state[i][0] ? a->obj_state[i] :
			   "pending");
}

static void report(struct apply *a, const char *result)
{
	struct lp_bundle *bs, *now = NULL;
	int n = a->dry_run ? 0 : lp_bundles(&bs);
	struct json_writer *jw = a->ctx->jw;

	if (n < 0)
		n = 0;
	for (int k = 0; k < n; k++)
		if (strcmp(bs[k].module, a->module) == 0)
			now = &bs[k];
	if (!a->ctx->json) {
		printf("%s: bundle '%s' version %" PRIu64 " as module '%s' for %s\n", result,
		       a->b->core.name, a->b->core.version, a->module, a->release);
		printf("  object %-24s %s\n", "vmlinux", named_state(now, "vmlinux", "patched"));
		for (size_t i = 0; i < a->t->n_objects; i++)
			printf("  object %-24s %s\n", a->t->objects[i].name, object_state(a, i, now));
		for (int i = 0; i < a->n_prev; i++)
			printf("  %s %s\n", a->dry_run ? "would replace" : "replaced", a->prev[i]);
	} else {
		jw_start_object(jw);
		jw_string_field(jw, "result", result);
		jw_string_field(jw, "file", a->file);
		jw_string_field(jw, "name", a->b->core.name);
		jw_uint_field(jw, "version", a->b->core.version);
		jw_string_field(jw, "module", a->module);
		jw_string_field(jw, "kernel_release", a->release);
		jw_name(jw, "objects");
		jw_start_array(jw);
		jw_start_object(jw);
		jw_string_field(jw, "name", "vmlinux");
		jw_string_field(jw, "state", named_state(now, "vmlinux", "patched"));
		jw_end_object(jw);
		for (size_t i = 0; i < a->t->n_objects; i++) {
			jw_start_object(jw);
			jw_string_field(jw, "name", a->t->objects[i].name);
			jw_string_field(jw, "state", object_state(a, i, now));
			jw_end_object(jw);
		}
		jw_end_array(jw);
		jw_name(jw, "replaces");
		jw_start_array(jw);
		for (int i = 0; i < a->n_prev; i++)
			jw_string(jw, a->prev[i]);
		jw_end_array(jw);
		jw_end_object(jw);
	}
	if (n > 0)
		lp_bundles_free(bs, n);
}

/* Steps 3 to 9 for one file, with the lock held. */
static int apply_one(struct apply *a, const char *file)
{
	int rc;

	a->file = file;
	a->n_prev = 0;
	a->stale = a->already = false;
	memset(a->obj_state, 0, sizeof(a->obj_state));
	rc = step_verify(a);
	if (rc == 0)
		rc = pick_target(a);
	if (rc == 0)
		rc = check_objects(a);
	if (rc == 0)
		rc = check_kernel(a);
	if (rc == 0)
		rc = check_active(a);
	if (rc == 0 && a->already)
		report(a, "already active");
	else if (rc == 0 && a->dry_run)
		report(a, "would apply");
	else if (rc == 0 && (rc = transact(a)) == 0)
		report(a, "applied");
	apply_free(a);
	return rc;
}

static int apply_installed(struct apply *a)
{
	char dir[SD_PATH_MAX + 32], path[SD_PATH_MAX + 320];
	struct dirent **ents = NULL;
	int n, rc = 0, first = 0;

	if (lp_cmdline_has("klp_bundle.disable=1")) {
		p_info(a->ctx, "klp-bundle: klp_bundle.disable=1 is on the kernel command line: "
		       "nothing applied");
		if (a->ctx->json)
			jw_null(a->ctx->jw);
		return 0;
	}
	n = scandir(sd_path(dir, sizeof(dir), "installed"), &ents, NULL, alphasort);
	if (a->ctx->json)
		jw_start_array(a->ctx->jw);
	for (int i = 0; i < n; i++) {
		size_t l = strlen(ents[i]->d_name);
		struct klpb_bundle *b = NULL;
		char release[128];
		uint8_t *data = NULL;
		size_t p, len;
		bool here;

		if (l > 5 && strcmp(ents[i]->d_name + l - 5, ".klpb") == 0) {
			snprintf(path, sizeof(path), "%s/%s", dir, ents[i]->d_name);
			/* a bundle for another kernel waits for that kernel */
			here = read_file(path, &data, &len) == 0 &&
			       klpb_bundle_load(data, len, &b, NULL) == 0 &&
			       lp_kernel_release(release, sizeof(release)) == 0 &&
			       eng_pick_payload(b, release, &p) == 0;
			klpb_bundle_free(b);
			free(data);
			if (here) {
				rc = apply_one(a, path);
				if (rc < 0 && !first)
					first = rc;
			}
		}
		free(ents[i]);
	}
	free(ents);
	if (a->ctx->json)
		jw_end_array(a->ctx->jw);
	return first;
}

int cmd_apply(struct klpb_ctx *ctx, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "dry-run", no_argument, NULL, 'n' },
		{ "check", required_argument, NULL, 'c' },
		{ "key", required_argument, NULL, 'k' },
		{ "keyring", required_argument, NULL, 'K' },
		{ "installed", no_argument, NULL, 'I' },
		{ "help", no_argument, NULL, 'h' },
		ENG_LONG_OPTS,
		{}
	};
	struct apply a = { .ctx = ctx };
	bool installed = false;
	int c, rc;

	eng_init(&a.e, ctx);
	while ((c = getopt_long(argc, argv, "nc:k:K:t:wh", opts, NULL)) != -1) {
		switch (c) {
		case 'n': a.dry_run = true; break;
		case 'c': a.check = optarg; break;
		case 'k': a.key = optarg; break;
		case 'K': a.keyring = optarg; break;
		case 'I': installed = true; break;
		case 't': c = ENG_OPT_TIMEOUT; goto eng;
		case 'w': c = ENG_OPT_WAIT; goto eng;
		case 'h': fputs(apply_usage, stdout); return 0;
		default:
eng:
			rc = eng_option(&a.e, c, optarg);
			if (rc < 0)
				return rc;
			if (rc == 0)
				return usage_err(ctx, "apply: bad option");
		}
	}
	if (installed ? optind != argc : optind + 1 != argc)
		return usage_err(ctx, "apply takes one FILE, or --installed");
	rc = eng_begin(&a.e);
	if (rc < 0)
		return rc;
	rc = installed ? apply_installed(&a) : apply_one(&a, argv[optind]);
	eng_end(&a.e);
	return rc;
}
