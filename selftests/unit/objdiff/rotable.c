// SPDX-License-Identifier: GPL-2.0-or-later
/* test-objdiff: a string behind a read-only pointer table changes (same length). */
#include "common.h"

#ifdef PATCHED
static const char *const msgs[] = { "the value", "other" };
#else
static const char *const msgs[] = { "teh value", "other" };
#endif

noinline void say(int i)
{
	ext_log(msgs[i]);
}
