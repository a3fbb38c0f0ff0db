// SPDX-License-Identifier: GPL-2.0-or-later
/* module.c - load, wait for, disable and unload a transaction module; see module.h. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/bundle-io.h"
#include "engine/module.h"
#include "engine/state-dir.h"
#include "sys/kernel-info.h"
#include "sys/kmsg.h"
#include "sys/livepatch.h"
#include "sys/loader.h"
#include "util/file.h"
#include "util/hex.h"
#include "util/time.h"

#define REMOVE_WAIT_MS 30000
#define STALLED_MAX 16

static char stalled_summary[256];

const char *eng_stalled(void)
{
	return stalled_summary[0] ? stalled_summary : "no task information";
}

/* ---- loading ---- */

int eng_running_kernel(struct eng_kernel *k)
{
	int rc = lp_kernel_release(k->release, sizeof(k->release));

	return rc < 0 ? rc : lp_vmlinux_build_id(&k->vmlinux_id);
}

int eng_pick_payload(const struct klpb_bundle *b, const struct eng_kernel *k, size_t *out)
{
	int rc = -ENOENT;

	for (size_t i = 0; i < b->n_payloads; i++) {
		const struct klpb_target *t = &b->core.targets[b->payloads[i].target];

		if (strcmp(t->kernel_release, k->release) != 0)
			continue;
		rc = -ESTALE;
		if (k->vmlinux_id.len == KLPB_BUILD_ID_LEN &&
		    memcmp(k->vmlinux_id.bytes, t->vmlinux_build_id, KLPB_BUILD_ID_LEN) == 0) {
			*out = i;
			return 0;
		}
	}
	return rc;
}

int eng_no_target(struct klpb_ctx *ctx, const char *file, const struct klpb_bundle *b,
		  const struct eng_kernel *k, int why)
{
	char id[2 * BUILD_ID_MAX + 1];
	char *have = bundle_targets_text(b);

	hex_encode(k->vmlinux_id.bytes, k->vmlinux_id.len, id);
	if (why == -ESTALE)
		p_err(ctx, -EOPNOTSUPP,
		      "'%s' has a target for kernel release %s but not for the running build of it (vmlinux build-id %s); it has %s: create the bundle against this build's kbuild tree and vmlinux",
		      file, k->release, id, have ? have : "(out of memory)");
	else
		p_err(ctx, -EOPNOTSUPP,
		      "'%s' has no target for the running kernel %s; it has %s: create it with 'klp-bundle create -k %s' (or install a bundle made for this kernel)",
		      file, k->release, have ? have : "(out of memory)", k->release);
	free(have);
	return -EOPNOTSUPP;
}

/* The refusal of @module, with what the kernel logged about it since @log was opened. */
static void report_refusal(struct engine *e, struct km_reader *log, const char *module, int rc)
{
	char **lines;
	int n = km_collect(log, module, &lines);

	if (n > 0)
		p_err_kernel(e->ctx, rc, lines, n, "the kernel refused to load '%s': %s", module,
			     strerror(-rc));
	else
		p_err(e->ctx, rc, "the kernel refused to load '%s': %s (see the kernel log)",
		      module, strerror(-rc));
	km_lines_free(lines, n > 0 ? n : 0);
}

int eng_insert(struct engine *e, const void *ko, size_t len, const char *module, const char *params)
{
	struct km_reader log;
	int rc;

	km_open(&log); /* without the log, the error only points at it */
	rc = ld_insert(ko, len, module, params, e->busy_ms);
	if (rc == -EKEYREJECTED) {
		p_err(e->ctx, -EOPNOTSUPP, "the kernel rejected the module signature of '%s'",
		      module);
		rc = -EOPNOTSUPP;
	} else if (rc == -EBUSY) {
		p_err(e->ctx, rc, "cannot load '%s': a live patch transition is in progress",
		      module);
	} else if (rc < 0) {
		report_refusal(e, &log, module, rc);
	}
	km_close(&log);
	return rc;
}

int eng_load_payload(struct engine *e, const struct klpb_bundle *b, size_t i, const char *module,
		     const char *params)
{
	struct klpb_error ferr = { 0 };
	struct klpb_buf ko = { 0 };
	int rc = klpb_payload_extract(b, i, &ko, &ferr);

	if (rc < 0)
		return report_format_error(e->ctx, module, rc, &ferr);
	rc = eng_insert(e, ko.data, ko.len, module, params);
	klpb_buf_free(&ko);
	return rc;
}

void eng_saved_free(struct eng_saved *s)
{
	klpb_bundle_free(s->b);
	free(s->data);
	memset(s, 0, sizeof(*s));
}

int eng_saved_open(struct engine *e, const char *module, struct eng_saved *s)
{
	char *path = sd_bundle_path(module);
	struct klpb_error ferr = { 0 };
	struct klpb_verify_result res;
	int rc;

	memset(s, 0, sizeof(*s));
	rc = path ? read_file(path, &s->data, &s->len) : -ENOMEM;
	if (rc < 0) {
		p_err(e->ctx, rc, "cannot read the saved bundle '%s': %s", path ? path : module,
		      strerror(-rc));
		free(path);
		return rc;
	}
	rc = klpb_bundle_load(s->data, s->len, &s->b, &ferr);
	if (rc == 0)
		rc = klpb_bundle_verify(s->b, NULL, 0, &res, &ferr);
	if (rc < 0) {
		report_format_error(e->ctx, path, rc, &ferr);
		eng_saved_free(s);
	}
	free(path);
	return rc;
}

int eng_saved_payload(struct engine *e, const char *module, struct eng_saved *s, size_t *i)
{
	struct eng_kernel k;
	int rc = eng_saved_open(e, module, s);

	if (rc < 0)
		return rc;
	rc = eng_running_kernel(&k);
	if (rc < 0)
		p_err(e->ctx, rc, "cannot read the running kernel's release and build-id: %s",
		      strerror(-rc));
	else
		rc = eng_pick_payload(s->b, &k, i);
	if (rc == -ENOENT || rc == -ESTALE)
		rc = eng_no_target(e->ctx, module, s->b, &k, rc);
	if (rc < 0)
		eng_saved_free(s);
	return rc;
}

int eng_load_saved(struct engine *e, const char *module, const char *params)
{
	struct eng_saved s;
	size_t i = 0;
	int rc = eng_saved_payload(e, module, &s, &i);

	if (rc < 0)
		return rc;
	rc = eng_load_payload(e, s.b, i, module, params);
	eng_saved_free(&s);
	return rc;
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

			for (char *l = strtok_r(stack, "\n", &save); l;
			     l = strtok_r(NULL, "\n", &save))
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
		fprintf(stderr,
			"\r\033[Kklp-bundle: transition of '%s': every task switched, "
			"waiting for the kernel to finish it, %llds",
			module, elapsed_ms / 1000);
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

/* ---- disabling and unloading ---- */

bool eng_patch_active(const char *module)
{
	struct lp_patch p;

	return lp_patch(module, &p) == 0 && p.enabled == 1;
}

static bool patch_exists(const char *module)
{
	char *rel;
	bool exists;

	if (asprintf(&rel, "/sys/kernel/livepatch/%s", module) < 0)
		return true; /* cannot tell: keep waiting until the timeout */
	exists = lp_exists(rel);
	free(rel);
	return exists;
}

static int wait_gone(const char *module, int timeout_ms)
{
	long long start = now_ms();

	while (patch_exists(module)) {
		if (now_ms() - start >= timeout_ms)
			return -ETIMEDOUT;
		sleep_ms(10);
	}
	return 0;
}

int eng_set_enabled(const char *module, bool enabled)
{
	char *rel;
	int rc;

	if (asprintf(&rel, "/sys/kernel/livepatch/%s/enabled", module) < 0)
		return -ENOMEM;
	rc = lp_write(rel, enabled ? "1" : "0");
	free(rel);
	return rc;
}

int eng_disable(struct engine *e, const char *module)
{
	int rc, limit = e->timeout_ms > 30000 ? e->timeout_ms : 30000;

	rc = eng_set_enabled(module, false);
	if (rc == -ENOENT)
		return 0;
	if (rc < 0 && rc != -EINVAL) {
		p_err(e->ctx, rc, "cannot disable '%s': %s", module, strerror(-rc));
		return rc;
	}
	rc = wait_gone(module, limit);
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
