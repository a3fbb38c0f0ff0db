// SPDX-License-Identifier: GPL-2.0-or-later
/* engine.c - the transaction engine; see engine.h. */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "common/bundle-io.h"
#include "engine/engine.h"
#include "sys/kernel-info.h"
#include "sys/livepatch.h"
#include "sys/loader.h"
#include "engine/lock.h"
#include "util/hex.h"
#include "util/time.h"

#define REMOVE_WAIT_MS 30000
#define STALLED_MAX 16

static char stalled_summary[256];

const char *eng_stalled(void)
{
	return stalled_summary[0] ? stalled_summary : "no task information";
}

void eng_init(struct engine *e, struct klpb_ctx *ctx)
{
	memset(e, 0, sizeof(*e));
	e->ctx = ctx;
	e->lock_fd = -1;
	e->timeout_ms = ENG_DEFAULT_TIMEOUT_MS;
	e->busy_ms = 10000;
	e->progress = !ctx->json && isatty(STDERR_FILENO);
}

int eng_option(struct engine *e, int c, const char *arg)
{
	char *end;
	double s;

	switch (c) {
	case ENG_OPT_STATE_DIR:
		sd_set_dir(arg);
		return 1;
	case ENG_OPT_WAIT:
		e->wait_lock = true;
		return 1;
	case ENG_OPT_TIMEOUT:
		s = strtod(arg, &end);
		if (*end || s <= 0 || s > 86400)
			return usage_err(e->ctx, "--timeout needs seconds (0 < S <= 86400), not '%s'",
					 arg);
		e->timeout_ms = (int)(s * 1000);
		if (e->busy_ms > e->timeout_ms)
			e->busy_ms = e->timeout_ms;
		return 1;
	}
	return 0;
}

void eng_stop_at(const char *step)
{
	const char *want = getenv("KLPB_TEST_STOP_AT");

	if (want && strcmp(want, step) == 0) {
		fflush(NULL);
		raise(SIGKILL);
	}
}

void eng_audit(struct engine *e, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	openlog("klp-bundle", LOG_PID, LOG_DAEMON);
	syslog(LOG_NOTICE, "%s", msg);
	closelog();
	p_dbg(e->ctx, "audit: %s", msg);
}

int eng_begin(struct engine *e)
{
	char path[4096];
	pid_t holder;
	int rc;

	e->lock_fd = lock_take(e->wait_lock, &holder);
	if (e->lock_fd == -EBUSY) {
		if (holder > 0)
			p_err(e->ctx, -EBUSY, "another klp-bundle command holds the lock (pid %d)",
			      (int)holder);
		else
			p_err(e->ctx, -EBUSY, "another klp-bundle command holds the lock");
		return -EBUSY;
	}
	if (e->lock_fd < 0) {
		rc = e->lock_fd;
		p_err(e->ctx, rc, "cannot take the lock '%s': %s", lock_path(path, sizeof(path)),
		      strerror(-rc));
		return rc;
	}
	eng_stop_at("locked");
	rc = sd_open(true);
	if (rc < 0) {
		p_err(e->ctx, rc, "state directory '%s': %s", sd_dir(),
		      rc == -EPERM ? "not owned by this user, or writable by group or others" :
		      strerror(-rc));
		eng_end(e);
		return rc;
	}
	rc = eng_recover(e);
	if (rc < 0)
		eng_end(e);
	e->recovered = rc == 1;
	return rc < 0 ? rc : 0;
}

void eng_end(struct engine *e)
{
	lock_release(e->lock_fd);
	e->lock_fd = -1;
}

/* ---- payloads ---- */

int eng_pick_payload(const struct klpb_bundle *b, const char *release, size_t *out)
{
	for (size_t i = 0; i < b->n_payloads; i++) {
		const struct klpb_target *t = &b->core.targets[b->payloads[i].target];

		if (strcmp(t->kernel_release, release) == 0) {
			*out = i;
			return 0;
		}
	}
	return -ENOENT;
}

int eng_load_payload(struct engine *e, const struct klpb_bundle *b, size_t i, const char *module)
{
	struct klpb_error ferr = { 0 };
	struct klpb_buf ko = { 0 };
	int rc = klpb_payload_extract(b, i, &ko, &ferr);

	if (rc < 0)
		return report_format_error(e->ctx, module, rc, &ferr);
	rc = ld_insert(ko.data, ko.len, module, e->busy_ms);
	klpb_buf_free(&ko);
	if (rc == -EBUSY)
		p_err(e->ctx, rc, "cannot load '%s': another live patch transition did not finish",
		      module);
	else if (rc == -EKEYREJECTED)
		p_err(e->ctx, -EOPNOTSUPP, "the kernel rejected '%s': its module signature is not trusted",
		      module);
	else if (rc < 0)
		p_err(e->ctx, rc, "the kernel refused to load '%s': %s (see the kernel log)", module,
		      strerror(-rc));
	return rc == -EKEYREJECTED ? -EOPNOTSUPP : rc;
}

/* ---- transitions ---- */

static void report_stalled(struct engine *e, const char *module, int target)
{
	struct lp_task tasks[STALLED_MAX];
	char stack[2048];
	int n = lp_tasks_left(target, tasks, STALLED_MAX);

	if (n <= 0)
		return;
	p_info(e->ctx, "klp-bundle: %d task(s) did not switch to the %s state of '%s':", n,
	       target ? "patched" : "unpatched", module);
	for (int i = 0; i < n && i < STALLED_MAX; i++) {
		p_info(e->ctx, "  pid %d tid %d (%s)", tasks[i].pid, tasks[i].tid, tasks[i].comm);
		if (lp_task_stack(tasks[i].pid, tasks[i].tid, stack, sizeof(stack)) == 0) {
			char *save = NULL;

			for (char *l = strtok_r(stack, "\n", &save); l; l = strtok_r(NULL, "\n", &save))
				p_info(e->ctx, "      %s", l);
		}
	}
	/* the first task goes into the error message */
	snprintf(stalled_summary, sizeof(stalled_summary), "%d task(s), first pid %d (%s)", n,
		 tasks[0].pid, tasks[0].comm);
}

/*
 * One line, redrawn in place.  With no task left the kernel has not yet
 * noticed: it re-checks a transition about once a second.
 */
static void draw_progress(const char *module, int left, long long elapsed_ms)
{
	if (left > 0)
		fprintf(stderr, "\r\033[Kklp-bundle: transition of '%s': %d task(s) left, %llds",
			module, left, elapsed_ms / 1000);
	else if (left == 0)
		fprintf(stderr, "\r\033[Kklp-bundle: transition of '%s': every task switched, "
			"waiting for the kernel to finish it, %llds", module, elapsed_ms / 1000);
	else
		fprintf(stderr, "\r\033[Kklp-bundle: transition of '%s': %llds", module,
			elapsed_ms / 1000);
}

int eng_wait_transition(struct engine *e, const char *module, int timeout_ms, bool report)
{
	long long start = now_ms(), last = 0, now;
	struct lp_patch p;
	bool drawn = false;
	int rc = 0;

	stalled_summary[0] = '\0';
	for (;;) {
		if (lp_patch(module, &p) < 0 || !p.transition)
			break;
		now = now_ms();
		if (now - start >= timeout_ms) {
			rc = -ETIMEDOUT;
			break;
		}
		if (e->progress && now - last >= 250 && now - start >= 500) {
			draw_progress(module, lp_tasks_left(p.enabled ? 1 : 0, NULL, 0),
				      now - start);
			drawn = true;
			last = now;
		}
		sleep_ms(10);
	}
	if (drawn)
		fputs("\r\033[K", stderr);
	if (rc == -ETIMEDOUT && report)
		report_stalled(e, module, p.enabled ? 1 : 0);
	return rc;
}

static int wait_gone(struct engine *e, const char *module, int timeout_ms)
{
	char rel[256];
	long long start = now_ms();

	snprintf(rel, sizeof(rel), "/sys/kernel/livepatch/%s", module);
	while (lp_exists(rel)) {
		if (now_ms() - start >= timeout_ms)
			return -ETIMEDOUT;
		sleep_ms(10);
	}
	return 0;
}

int eng_disable(struct engine *e, const char *module)
{
	char rel[256];
	int rc, limit = e->timeout_ms > 30000 ? e->timeout_ms : 30000;

	snprintf(rel, sizeof(rel), "/sys/kernel/livepatch/%s/enabled", module);
	rc = lp_write(rel, "0");
	if (rc == -ENOENT)
		return 0;
	if (rc < 0 && rc != -EINVAL) {
		p_err(e->ctx, rc, "cannot disable '%s': %s", module, strerror(-rc));
		return rc;
	}
	rc = wait_gone(e, module, limit);
	if (rc < 0)
		p_err(e->ctx, rc, "'%s' did not finish disabling in %d s", module, limit / 1000);
	return rc;
}

int eng_remove(struct engine *e, const char *module)
{
	int rc;

	if (!lp_module_loaded(module))
		return 0;
	rc = ld_remove(module, REMOVE_WAIT_MS);
	if (rc < 0)
		p_err(e->ctx, rc, "cannot unload '%s': %s", module, strerror(-rc));
	return rc;
}

/* ---- saved bundles ---- */

struct saved {
	uint8_t *data;
	size_t len;
	struct klpb_bundle *b;
};

static void saved_free(struct saved *s)
{
	klpb_bundle_free(s->b);
	free(s->data);
	memset(s, 0, sizeof(*s));
}

static int saved_open(struct engine *e, const char *module, struct saved *s)
{
	char path[SD_PATH_MAX + 128];
	struct klpb_error ferr = { 0 };
	struct klpb_verify_result res;
	int rc;

	memset(s, 0, sizeof(*s));
	sd_bundle_path(path, sizeof(path), module);
	rc = read_file(path, &s->data, &s->len);
	if (rc < 0) {
		p_err(e->ctx, rc, "cannot read the saved bundle '%s': %s", path, strerror(-rc));
		return rc;
	}
	rc = klpb_bundle_load(s->data, s->len, &s->b, &ferr);
	if (rc == 0)
		rc = klpb_bundle_verify(s->b, NULL, 0, &res, &ferr);
	if (rc < 0) {
		report_format_error(e->ctx, path, rc, &ferr);
		saved_free(s);
	}
	return rc;
}

int eng_load_saved(struct engine *e, const char *module)
{
	char release[128];
	struct saved s;
	size_t i = 0;
	int rc = saved_open(e, module, &s);

	if (rc < 0)
		return rc;
	rc = lp_kernel_release(release, sizeof(release));
	if (rc == 0)
		rc = eng_pick_payload(s.b, release, &i);
	if (rc < 0)
		p_err(e->ctx, rc, "the saved bundle '%s' has no target for this kernel", module);
	else
		rc = eng_load_payload(e, s.b, i, module);
	saved_free(&s);
	return rc;
}

static bool lp_active(const char *module)
{
	struct lp_patch p;

	return lp_patch(module, &p) == 0 && p.enabled == 1;
}

/* Load @prev and wait for it; on a stall reverse it and unload it. */
static int load_and_wait(struct engine *e, const char *prev)
{
	int rc = eng_load_saved(e, prev);

	if (rc < 0)
		return rc;
	rc = eng_wait_transition(e, prev, e->timeout_ms, true);
	if (rc == -ETIMEDOUT) {
		eng_disable(e, prev);
		eng_remove(e, prev);
		p_err(e->ctx, -ECANCELED, "restoring '%s' stalled (%s); it was reversed", prev,
		      stalled_summary);
		return -ECANCELED;
	}
	return 0;
}

/* Would the kernel refuse @prev while @cur is active (a lower klp_state version)? */
static bool must_disable_first(struct engine *e, const char *cur, const char *prev)
{
	char lineage[2 * KLPB_LINEAGE_LEN + 1];
	struct lp_bundle *bs;
	struct saved s;
	bool lower = false;
	int n;

	if (saved_open(e, prev, &s) < 0)
		return false;
	hex_encode(s.b->core.lineage, KLPB_LINEAGE_LEN, lineage);
	n = lp_bundles(&bs);
	for (int i = 0; i < n; i++)
		if (strcmp(bs[i].module, cur) == 0 && strcmp(bs[i].lineage, lineage) == 0 &&
		    bs[i].version > s.b->core.version)
			lower = true;
	lp_bundles_free(bs, n > 0 ? n : 0);
	saved_free(&s);
	return lower;
}

int eng_restore(struct engine *e, const char *cur, const char *prev)
{
	int rc;

	/* a replaced module stays loaded (refcount 0) and can never be re-enabled */
	if (!lp_active(prev)) {
		rc = eng_remove(e, prev);
		if (rc < 0)
			return rc;
	}
	if (!lp_active(prev)) {
		if (lp_active(cur) && must_disable_first(e, cur, prev)) {
			p_dbg(e->ctx, "'%s' has a lower version: disabling '%s' first", prev, cur);
			rc = eng_disable(e, cur);
			if (rc < 0)
				return rc;
		}
		p_dbg(e->ctx, "restoring '%s' in place of '%s'", prev, cur);
		rc = load_and_wait(e, prev);
		if (rc < 0)
			return rc;
	}
	if (lp_active(cur)) {
		rc = eng_disable(e, cur);
		if (rc < 0)
			return rc;
	}
	return eng_remove(e, cur);
}

int eng_undo_apply(struct engine *e, const char *module, const char *prev)
{
	struct lp_patch p;
	int rc;

	if (lp_patch(module, &p) == 0) {
		if (p.transition || p.enabled != 1 || !prev || lp_active(prev))
			rc = eng_disable(e, module);	/* reverses a transition */
		else
			return eng_restore(e, module, prev);
		if (rc < 0)
			return rc;
	}
	rc = eng_remove(e, module);
	if (rc == 0 && prev && !lp_active(prev) && lp_exists("/sys/kernel/livepatch")) {
		struct lp_patch *all;
		int n = lp_patches(&all);

		free(all);
		/* @module was disabled after it replaced @prev: bring @prev back */
		if (n == 0) {
			rc = eng_remove(e, prev);
			if (rc == 0)
				rc = load_and_wait(e, prev);
		}
	}
	return rc;
}

/* ---- recovery ---- */

static const char *const apply_forward_steps[] = { "checked", "committed", "replaced-removed" };

static bool apply_forward(const struct journal *j)
{
	for (size_t i = 0; i < sizeof(apply_forward_steps) / sizeof(apply_forward_steps[0]); i++)
		if (strcmp(j->step, apply_forward_steps[i]) == 0)
			return true;
	return strcmp(j->step, "transition-done") == 0 && !j->check;
}

int eng_record_apply(struct engine *e, const struct klpb_core *core, const char *module,
		     const char *prev, const char *source)
{
	struct record r = { 0 };

	snprintf(r.module, sizeof(r.module), "%s", module);
	snprintf(r.name, sizeof(r.name), "%s", core->name);
	r.version = core->version;
	for (int i = 0; i < KLPB_LINEAGE_LEN; i++)
		sprintf(r.lineage + 2 * i, "%02x", core->lineage[i]);
	r.applied = time(NULL);
	snprintf(r.previous, sizeof(r.previous), "%s", prev ? prev : "");
	snprintf(r.source, sizeof(r.source), "%s", source ? source : "");
	return record_write(&r);
}

int eng_finish_apply(struct engine *e, struct journal *j, const struct klpb_core *core,
		     const char *source)
{
	struct record old;
	int rc = 0;

	for (int i = 0; i < j->n_prev; i++) {
		if (lp_active(j->prev[i]))
			continue;	/* not replaced after all */
		rc = eng_remove(e, j->prev[i]);
		if (rc < 0)
			return rc;
		if (record_read(j->prev[i], &old) == 0) {
			record_remove(j->prev[i]);
			if (old.previous[0])
				sd_gc_bundle(old.previous);
		}
	}
	journal_step(j, "replaced-removed");
	eng_stop_at("replaced-removed");
	rc = eng_record_apply(e, core, j->module, j->n_prev ? j->prev[0] : NULL, source);
	if (rc < 0) {
		p_err(e->ctx, rc, "cannot record '%s' in '%s': %s", j->module, sd_dir(), strerror(-rc));
		return rc;
	}
	return journal_clear();
}

static int recover_apply(struct engine *e, struct journal *j)
{
	const char *prev = j->n_prev ? j->prev[0] : NULL;
	struct saved s;
	int rc;

	if (apply_forward(j) && lp_active(j->module)) {
		rc = eng_wait_transition(e, j->module, e->timeout_ms, false);
		if (rc == 0)
			rc = saved_open(e, j->module, &s);
		if (rc == 0) {
			char src[SD_PATH_MAX + 128];

			rc = eng_finish_apply(e, j, &s.b->core,
					      sd_bundle_path(src, sizeof(src), j->module));
			saved_free(&s);
		}
		if (rc == 0)
			p_info(e->ctx, "klp-bundle: recovered: the interrupted apply of '%s' completed",
			       j->module);
		return rc;
	}
	rc = eng_undo_apply(e, j->module, prev);
	if (rc < 0)
		return rc;
	sd_gc_bundle(j->module);
	p_info(e->ctx, "klp-bundle: recovered: the interrupted apply of '%s' was rolled back",
	       j->module);
	return journal_clear();
}

static int recover_revert(struct engine *e, struct journal *j)
{
	const char *prev = j->n_prev ? j->prev[0] : NULL;
	struct record r;
	int rc;

	eng_wait_transition(e, j->module, e->timeout_ms, false);
	if (lp_active(j->module) && (!prev || !lp_active(prev))) {
		/* nothing took effect: drop a half-loaded predecessor */
		if (prev && !lp_active(prev))
			eng_remove(e, prev);
		p_info(e->ctx, "klp-bundle: recovered: the interrupted revert of '%s' was undone",
		       j->module);
		return journal_clear();
	}
	rc = eng_disable(e, j->module);
	if (rc == 0)
		rc = eng_remove(e, j->module);
	if (rc == 0 && prev && !lp_active(prev)) {
		eng_remove(e, prev);
		rc = load_and_wait(e, prev);
	}
	if (rc < 0)
		return rc;
	if (record_read(j->module, &r) == 0) {
		record_remove(j->module);
		if (prev && lp_active(prev)) {
			struct saved s;

			if (saved_open(e, prev, &s) == 0) {
				eng_record_apply(e, &s.b->core, prev, NULL, r.source);
				saved_free(&s);
			}
		}
		sd_gc_bundle(j->module);
	}
	p_info(e->ctx, "klp-bundle: recovered: the interrupted revert of '%s' completed", j->module);
	return journal_clear();
}

int eng_recover(struct engine *e)
{
	struct journal j;
	int rc = journal_read(&j);

	if (rc == -ENOENT)
		return 0;
	if (rc < 0) {
		p_err(e->ctx, rc, "cannot read the journal in '%s': %s", sd_dir(), strerror(-rc));
		return rc;
	}
	p_dbg(e->ctx, "journal: %s of '%s' stopped at step '%s'", j.op, j.module, j.step);
	if (strcmp(j.op, "apply") == 0)
		rc = recover_apply(e, &j);
	else if (strcmp(j.op, "revert") == 0)
		rc = recover_revert(e, &j);
	else
		rc = journal_clear();
	if (rc == 0)
		eng_audit(e, "recovered an interrupted %s of '%s' (step %s)", j.op, j.module, j.step);
	return rc < 0 ? rc : 1;
}
