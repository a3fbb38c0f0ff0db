// SPDX-License-Identifier: GPL-2.0-or-later
/* test-objdiff: a changed function passes a static function's address (refused: IBT). */
#include "common.h"

extern void ext_register(int (*fn)(int));

static noinline int handler(int x)
{
	return x + ext_value;
}

void setup(void)
{
#ifdef PATCHED
	ext_log("registering");
#endif
	ext_register(handler);
}
