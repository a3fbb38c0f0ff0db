/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * recover.h - crash recovery: bring a transaction the journal says was
 * interrupted to one consistent state, trusting the kernel's state (sysfs)
 * over the step.  eng_begin() calls it; 'klp-bundle recover' is only that.
 */
#ifndef KLPB_ENGINE_RECOVER_H
#define KLPB_ENGINE_RECOVER_H

#include "engine/engine.h"

/* Finish or undo the interrupted transaction; 1 if there was one, 0 if none, or -errno. */
int eng_recover(struct engine *e);

#endif
