/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * engine.h - the transaction engine shared by apply, revert, recover,
 * install and status: the lock, transitions with a timeout and reversal,
 * loading a verified payload, removing modules, restoring a previous
 * bundle, crash recovery from the journal, and the audit log.
 *
 * Functions report their failure once (p_err) and return a negative errno:
 * -ECANCELED  rolled back (exit 7), -EOPNOTSUPP  incompatible (exit 8),
 * -EBUSY      busy (exit 9); see main.c.
 */
#ifndef KLPB_ENGINE_H
#define KLPB_ENGINE_H

#include <stdbool.h>
#include <stddef.h>

#include "engine/journal.h"
#include "common/ctx.h"
#include "klp-bundle/format.h"

#define ENG_DEFAULT_TIMEOUT_MS 60000

struct engine {
	struct klpb_ctx *ctx;
	int lock_fd;
	bool wait_lock;			/* --wait: wait for the lock */
	int timeout_ms;			/* --timeout: a transition's limit */
	int busy_ms;			/* how long to wait for another transition */
	bool progress;			/* stderr is a terminal: a progress line */
	bool recovered;			/* eng_begin() recovered an interrupted transaction */
};

void eng_init(struct engine *e, struct klpb_ctx *ctx);
/* Common options: --state-dir, --wait, --timeout; 1 if @c was one, else 0, <0 bad value. */
int eng_option(struct engine *e, int c, const char *arg);
#define ENG_OPT_STATE_DIR 1000
#define ENG_OPT_WAIT 1001
#define ENG_OPT_TIMEOUT 1002
#define ENG_LONG_OPTS \
	{ "state-dir", required_argument, NULL, ENG_OPT_STATE_DIR }, \
	{ "wait", no_argument, NULL, ENG_OPT_WAIT }, \
	{ "timeout", required_argument, NULL, ENG_OPT_TIMEOUT }

/* Step 1 and 2 of every command that changes something: lock, state dir, recovery. */
int eng_begin(struct engine *e);
void eng_end(struct engine *e);

/* Bring an interrupted transaction to one consistent state; 1 if there was one. */
int eng_recover(struct engine *e);

/* Test hook: KLPB_TEST_STOP_AT=@step kills the process here (SIGKILL). */
void eng_stop_at(const char *step);
/* An audit line to syslog (and, verbosely, stderr). */
void eng_audit(struct engine *e, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* The payload index for the running kernel's release @release, or -ENOENT. */
int eng_pick_payload(const struct klpb_bundle *b, const char *release, size_t *out);
/* Extract payload @i (digest-checked) and load it from memory.  Reports errors. */
int eng_load_payload(struct engine *e, const struct klpb_bundle *b, size_t i, const char *module);
/*
 * Wait until @module's transition is over.  0: done (or the patch is gone);
 * -ETIMEDOUT after @timeout_ms, with the tasks left reported when @report.
 */
int eng_wait_transition(struct engine *e, const char *module, int timeout_ms, bool report);
/* Write 0 to enabled (disables, or reverses a transition) and wait until the patch is gone. */
int eng_disable(struct engine *e, const char *module);
/* rmmod @module (waiting for its references, never forced).  Reports errors. */
int eng_remove(struct engine *e, const char *module);
/* Load the saved bundles/<module>.klpb (digests checked) for the running kernel. */
int eng_load_saved(struct engine *e, const char *module);
/*
 * Make @prev active again in place of @cur (both bundle modules): in one
 * replace transition when the kernel allows it, else disable @cur first.
 * Then @cur is removed.  Reports errors.
 */
int eng_restore(struct engine *e, const char *cur, const char *prev);
/* Undo an apply of @module: reverse or disable it, restore @prev (may be NULL), unload. */
int eng_undo_apply(struct engine *e, const char *module, const char *prev);

/* Record @module (bundle @core, which replaced @prev) in the state directory. */
int eng_record_apply(struct engine *e, const struct klpb_core *core, const char *module,
		     const char *prev, const char *source);
/* Step 9 and the forward half of recovery: remove what @j's bundle replaced, record it. */
int eng_finish_apply(struct engine *e, struct journal *j, const struct klpb_core *core,
		     const char *source);
/*
 * Read and verify a bundle file (steps 3 of apply, also install): with
 * @key/@keyring or a trust store holding keys ($KLPB_KEYS_DIR, default
 * /etc/klp-bundle/keys) a good signature is required.  [owned] *@data and
 * *@b.  Reports errors.
 */
int eng_verify_file(struct klpb_ctx *ctx, const char *file, const char *key, const char *keyring,
		    uint8_t **data, size_t *len, struct klpb_bundle **b);
/* The tasks the last timed-out wait named, one line. */
const char *eng_stalled(void);

#endif
