/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * journal.h - the transaction journal (state-dir.h: <state dir>/journal) and
 * the steps of a transaction.
 *
 * Each step has one enum value and one name (journal.c).  The journal
 * holds "op=<op name>" and "step=<step name>"; the test stop point of a
 * step (KLPB_TEST_STOP_AT, Documentation/klp-bundle.md) is its op's prefix
 * ("" for apply, "revert-" for revert) followed by its name.  apply and
 * revert both start at a step named "begin": two steps, two meanings.
 * Every function returns 0 or a negative errno and never prints.
 */
#ifndef KLPB_ENGINE_JOURNAL_H
#define KLPB_ENGINE_JOURNAL_H

#include <stdbool.h>

#include "engine/state-dir.h"

#define JOURNAL_MAX_PREV 16

enum eng_op {
	ENG_OP_NONE, /* before a transaction starts (the lock) */
	ENG_OP_APPLY,
	ENG_OP_REVERT,
};

enum eng_step {
	ENG_STEP_LOCKED, /* the lock taken, before recovery */
	/* apply; the commit point is CHECKED (TRANSITION_DONE without a check) */
	ENG_STEP_APPLY_BEGIN, /* journal written, bundle saved, before loading */
	ENG_STEP_APPLY_LOADED, /* finit_module returned (a transition may run) */
	ENG_STEP_APPLY_TRANSITION_DONE, /* the transition finished */
	ENG_STEP_APPLY_CHECKED, /* the health check passed (or there is none) */
	ENG_STEP_APPLY_COMMITTED, /* the commit point written */
	ENG_STEP_APPLY_REPLACED_REMOVED, /* the replaced modules unloaded, before the record */
	ENG_STEP_APPLY_RECORDED, /* recorded, journal removed */
	/* revert */
	ENG_STEP_REVERT_BEGIN, /* journal written */
	ENG_STEP_REVERT_DISABLING, /* 0 written to enabled */
	ENG_STEP_REVERT_REMOVED, /* module unloaded, before the records */
	ENG_STEP_COUNT
};

const char *eng_op_name(enum eng_op op);
/* The step's name in the journal ("begin" for both apply's and revert's first step). */
const char *eng_step_name(enum eng_step step);
/* Is @name the test stop point of @step ("begin", "revert-begin", ...)? */
bool eng_stop_matches(enum eng_step step, const char *name);
/* Test hook: KLPB_TEST_STOP_AT=<@step's stop point> kills the process here (SIGKILL). */
void eng_stop_at(enum eng_step step);

struct journal {
	enum eng_op op;
	enum eng_step step; /* the last step started */
	char module[SD_NAME_MAX]; /* the bundle applied or reverted */
	/* apply: the active bundles it replaces; revert --to-previous: the one restored */
	char prev[JOURNAL_MAX_PREV][SD_NAME_MAX];
	int n_prev;
	bool check; /* apply: a --check must pass before the commit */
	long pid;
	long long started; /* seconds since the epoch */
};

/* A journal for @op on @module, started now by this process, at its first step. */
void journal_init(struct journal *j, enum eng_op op, const char *module);
int journal_write(const struct journal *j);
/* -ENOENT when there is no journal; -EBADMSG when it cannot be parsed. */
int journal_read(struct journal *j);
int journal_clear(void);
/* Set @j->step (a step of @j->op) and write it. */
int journal_step(struct journal *j, enum eng_step step);

#endif
