/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * restore.h - putting a previous bundle back: the rollback of apply, revert
 * --to-previous and recovery share it.  Functions report their failure once
 * (p_err) and return 0 or a negative errno (-ECANCELED: the restored bundle's
 * transition stalled and was reversed).
 */
#ifndef KLPB_ENGINE_RESTORE_H
#define KLPB_ENGINE_RESTORE_H

#include "engine/engine.h"

/* Load the saved bundle @prev and wait for it; on a stall reverse and unload it. */
int eng_load_and_wait(struct engine *e, const char *prev);
/*
 * Make @prev active again in place of @cur (both bundle modules): in one
 * replace transition when the kernel allows it, else disable @cur first.
 * Then @cur is removed.
 */
int eng_restore(struct engine *e, const char *cur, const char *prev);
/* Undo an apply of @module: reverse or disable it, restore @prev (may be NULL), unload. */
int eng_undo_apply(struct engine *e, const char *module, const char *prev);

#endif
