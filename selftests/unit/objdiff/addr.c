// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * test-objdiff: a changed function passes the address of a static function
 * that the original only calls (refused: under IBT it may have no ENDBR).
 */
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
	ext_register(handler);
#else
	ext_value = handler(ext_value);
#endif
}
