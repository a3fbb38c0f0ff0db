/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * lock.h - the system-wide klp-bundle lock: flock(2) on
 * $KLPB_RUN_DIR/klp-bundle.lock (default /run), holding the owner's pid.
 * The kernel drops it when the owner dies, so kill -9 never leaves it stale.
 */
#ifndef KLPB_LOCK_H
#define KLPB_LOCK_H

#include <stdbool.h>
#include <sys/types.h>

/* The lock file's path: [owned] (free()), NULL when out of memory. */
char *lock_path(void);
/*
 * Take the lock; with @wait block until it is free.  Returns the lock fd
 * (keep it open), -EBUSY with *@holder set (0 if unknown) when held and
 * !@wait, or another -errno.
 */
int lock_take(bool wait, pid_t *holder);
void lock_release(int fd);

#endif
