/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * restore.h - putting previous bundles back: the rollback of apply, revert
 * --to-previous and recovery share it.  Functions report their failure once
 * (p_err) and return 0 or a negative errno (-ECANCELED: the restored bundle's
 * transition stalled and was reversed).
 *
 * An older cumulative bundle of the lineage goes back in ONE replace
 * transition: the engine loads it with klpb_rollback_from=<the lineage
 * klp_state version in force> (Documentation/kernel-abi.md), so the kernel
 * accepts its lineage state, and only then unloads the newer bundle.  That
 * is impossible when the newer bundle's module carries an author klp_state
 * (KLPB_STATE) the older one lacks or has in a lower version: then the newer
 * one is disabled first (every fix of the lineage is gone until the older
 * one is enabled).  Order: the cumulative one first (it replaces the current
 * bundle), then the stacked ones, each in its own transition, in the order
 * given (a replace transition would drop stacked ones loaded before it).
 */
#ifndef KLPB_ENGINE_RESTORE_H
#define KLPB_ENGINE_RESTORE_H

#include <stdbool.h>
#include <stddef.h>

#include "engine/engine.h"
#include "engine/state-dir.h"
#include "klp-bundle/format.h"

/*
 * "klpb_rollback_from=N" in @buf when an active bundle of @c's lineage has
 * a lineage klp_state version N above @c's version (a rollback, or an
 * apply over a bundle restored by one); else NULL (no parameter).
 */
const char *eng_lineage_params(const struct klpb_core *c, char *buf, size_t size);
/*
 * The kernel's rule for an older bundle replacing (@older_replaces) or
 * stacking on a newer one: every klp_state of @newer must be in @older
 * with a version at least as high (a stacked one may lack it).  The lineage
 * state is not in these lists (module_klp_states()).  Returns the first
 * state of @newer that blocks it, or NULL.
 */
const struct klpb_state *eng_states_blocking(const struct klpb_state *newer, size_t n_newer,
					     const struct klpb_state *older, size_t n_older,
					     bool older_replaces);
/*
 * Can the saved bundles @prev be put back in place of @cur (its module image
 * @cur_ko, or NULL: from its saved bundle) with no moment where neither is
 * active?  1 yes (also when none is saved), 0 no with the reason in @why,
 * <0 error (reported).
 */
int eng_rollback_atomic(struct engine *e, const char *cur, const struct klpb_buf *cur_ko,
			char (*prev)[SD_NAME_MAX], int n_prev, char *why, size_t size);

/* Load the saved bundle @prev (with eng_lineage_params()) and wait; on a stall reverse, unload. */
int eng_load_and_wait(struct engine *e, const char *prev);
/*
 * Make @prev (bundle modules) active again in place of @cur: the cumulative
 * one in one replace transition when the kernel allows it, else after
 * disabling @cur; then the stacked ones.  Then @cur is removed.
 */
int eng_restore(struct engine *e, const char *cur, char (*prev)[SD_NAME_MAX], int n_prev);
/* Undo an apply of @module: reverse or disable it, restore @prev (n_prev may be 0), unload. */
int eng_undo_apply(struct engine *e, const char *module, char (*prev)[SD_NAME_MAX], int n_prev);

#endif
