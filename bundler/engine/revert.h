/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * revert.h - the revert transaction: disable a whole bundle in one
 * transition (every object at once) and unload it, or with --to-previous
 * put back the bundle it replaced.  A stalled unpatching transition is
 * reversed: the bundle stays active (-ECANCELED, exit 7).
 *
 * A bundle that an active bundle requires (engine/deps.h) is not reverted
 * (-EOPNOTSUPP, exit 8), nor put back to a previous version outside an
 * active dependent's range; eng_revert_with_dependents() reverts its
 * dependents first.
 */
#ifndef KLPB_ENGINE_REVERT_H
#define KLPB_ENGINE_REVERT_H

#include <stdbool.h>
#include <stdint.h>

#include "engine/engine.h"
#include "engine/state-dir.h"
#include "sys/livepatch.h"

/* What was reverted. */
struct eng_reverted {
	char name[LP_NAME_MAX];
	uint64_t version;
	char module[LP_NAME_MAX];
	char restored[SD_NAME_MAX]; /* --to-previous: the module restored, else "" */
};

/*
 * Revert the active bundle @name (a bundle or module name; NULL: the only
 * active one); with @to_previous restore the one it replaced.
 */
int eng_revert(struct engine *e, const char *name, bool to_previous, struct eng_reverted *out);
/*
 * Revert the active bundle @name and, first, every active bundle that
 * requires it, transitively (dependents before what they require, ties by
 * name), each as its own transaction.  Stops at the first failure.
 * [owned] *@out (free()) holds the @n_out bundles reverted, also on failure.
 */
int eng_revert_with_dependents(struct engine *e, const char *name, struct eng_reverted **out,
			       size_t *n_out);

#endif
