/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * engine.h - the transaction engine's session, shared by apply, revert,
 * recover, install, uninstall and status: the common options, the lock,
 * the state directory, recovery of an interrupted transaction (recover.h)
 * and the audit log.  The transactions: apply.h, revert.h, install.h; the
 * steps and the journal: journal.h.
 *
 * Every engine function reports its failure once (p_err) and returns 0 or
 * a negative errno: -ECANCELED rolled back (exit 7), -EOPNOTSUPP
 * incompatible (exit 8), -EBUSY busy (exit 9); see main.c.
 */
#ifndef KLPB_ENGINE_H
#define KLPB_ENGINE_H

#include <stdbool.h>

#include "common/ctx.h"
#include "engine/journal.h"

#define ENG_DEFAULT_TIMEOUT_MS 60000

struct engine {
	struct klpb_ctx *ctx;
	int lock_fd;
	bool wait_lock; /* --wait: wait for the lock */
	int timeout_ms; /* --timeout: a transition's limit */
	int busy_ms; /* how long to wait for another transition */
	bool progress; /* stderr is a terminal: a progress line */
	bool recovered; /* eng_begin() recovered an interrupted transaction */
	/* --allow-unpatched-rollback: a rollback may disable before it restores */
	bool allow_unpatched_rollback;
};

void eng_init(struct engine *e, struct klpb_ctx *ctx);
/*
 * Common options: --state-dir, -w/--wait, -t/--timeout (getopt returns 'w'
 * and 't' for both spellings); 1 if @c was one, else 0, <0 bad value.
 */
int eng_option(struct engine *e, int c, const char *arg);
#define ENG_OPT_STATE_DIR 1000
/* clang-format off */
#define ENG_LONG_OPTS \
	{ "state-dir", required_argument, NULL, ENG_OPT_STATE_DIR }, \
	{ "wait", no_argument, NULL, 'w' }, \
	{ "timeout", required_argument, NULL, 't' }
/* clang-format on */

/* Step 1 and 2 of every command that changes something: lock, state dir, recovery. */
int eng_begin(struct engine *e);
void eng_end(struct engine *e);

/* journal_step() and journal_clear(), reporting their failure. */
int eng_journal_step(struct engine *e, struct journal *j, enum eng_step step);
int eng_journal_clear(struct engine *e);

/* An audit line to syslog (and, verbosely, stderr). */
void eng_audit(struct engine *e, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
