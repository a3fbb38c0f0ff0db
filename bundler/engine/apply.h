/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * apply.h - the apply transaction.  In order, each failure with its own
 * message and exit status and nothing changed:
 *   1 lock  2 recover (eng_begin())
 *   3 verify  4 target and build-ids  5 kernel checks  (eng_apply_check())
 *   6 load from memory  7 transition (timeout: reverse, unload)
 *   8 health check (failure: restore the previous bundle)
 *   9 remove what was replaced, record, audit  (eng_apply_commit())
 * The journal (journal.h) is written before every change.
 */
#ifndef KLPB_ENGINE_APPLY_H
#define KLPB_ENGINE_APPLY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "engine/engine.h"
#include "engine/journal.h"
#include "klp-bundle/format.h"

#define ENG_STATE_MAX 32

struct eng_apply {
	/* set by the caller */
	struct engine *e;
	const char *key, *keyring; /* --key, --keyring (eng_verify_file()) */
	const char *check; /* --check: the health check command */
	/* the bundle (eng_apply_check()) */
	const char *file;
	uint8_t *data;
	size_t len;
	struct klpb_bundle *b;
	size_t payload;
	const struct klpb_target *t; /* the target of the running kernel */
	const char *module;
	struct klpb_buf ko;
	char release[128];
	/* the plan, then (eng_apply_states()) what the kernel shows */
	char vmlinux_state[ENG_STATE_MAX];
	char obj_state[KLPB_MAX_TARGET_OBJECTS][ENG_STATE_MAX]; /* t->objects[i] */
	char prev[JOURNAL_MAX_PREV][SD_NAME_MAX]; /* the active bundles it replaces */
	int n_prev;
	bool stale; /* the module is loaded but not enabled: unload it first */
	bool already; /* this very bundle is active: nothing to do */
	bool atomic_rollback; /* a rollback would restore prev[] in one transition */
};

/* Steps 3 to 5 for @file: change nothing.  Sets @a->already. */
int eng_apply_check(struct eng_apply *a, const char *file);
/* Steps 6 to 9 after eng_apply_check(): -ECANCELED when rolled back. */
int eng_apply_commit(struct eng_apply *a);
/* Read the states of the bundle's objects from the kernel into the plan's. */
void eng_apply_states(struct eng_apply *a);
/* Release what eng_apply_check() read; @a can check another file. */
void eng_apply_free(struct eng_apply *a);

/* Record @module (bundle @core, which replaced @prev) in the state directory. */
int eng_record_apply(struct engine *e, const struct klpb_core *core, const char *module,
		     const char *prev, const char *source);
/* Step 9 and the forward half of recovery: remove what @j's bundle replaced, record it. */
int eng_finish_apply(struct engine *e, struct journal *j, const struct klpb_core *core,
		     const char *source);

#endif
