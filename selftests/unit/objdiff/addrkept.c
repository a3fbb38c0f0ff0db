// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * test-objdiff: a changed function passes the address of a static function
 * whose address the original passes too (allowed: the kernel's own use keeps
 * its ENDBR under IBT), as a livepatch reference.
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
#endif
	ext_register(handler);
}
