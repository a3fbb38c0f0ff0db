/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * status.h - what 'klp-bundle status' shows: every loaded bundle as the
 * kernel shows it (sysfs is the truth; the state directory only adds when
 * each was applied), what each requires and conflicts with (its core) and
 * which active bundles require it (engine/deps.h), a transition in progress with the tasks it waits for,
 * other live patches, the kernel taint and an interrupted transaction.
 */
#ifndef KLPB_ENGINE_STATUS_H
#define KLPB_ENGINE_STATUS_H

#include <stdbool.h>

#include "engine/engine.h"
#include "sys/livepatch.h"

#define ENG_STATUS_TASKS 32

/* One loaded bundle. */
struct eng_bundle {
	const struct lp_bundle *lp; /* as sysfs shows it */
	long long applied; /* when it was applied (0: not recorded) */
	int *required_by; /* [owned] the active bundles (indices into bundles) requiring it */
	int n_required_by;
};

struct eng_status {
	struct lp_bundle *lp_bundles; /* [owned] what bundles[] point to */
	struct eng_bundle *bundles;
	int n_bundles;
	struct lp_patch *patches;
	int n_patches;
	char transition[LP_NAME_MAX]; /* the patch in transition ("": none) */
	int transition_target;
	struct lp_task tasks[ENG_STATUS_TASKS];
	int n_tasks; /* tasks left (may be more than ENG_STATUS_TASKS) */
	unsigned long taint;
	char taint_flags[32];
	bool journal; /* an interrupted transaction is in the journal */
	char journal_desc[160];
};

/*
 * Recover an interrupted transaction when the lock is free and we are root
 * (its errors are not reported: status shows the state), then read the state.
 */
void eng_status(struct engine *e, struct eng_status *s);
void eng_status_free(struct eng_status *s);
/* Is @module one of @s's bundles (not an other live patch)? */
bool eng_status_is_bundle(const struct eng_status *s, const char *module);

#endif
