// SPDX-License-Identifier: GPL-2.0-or-later
/* test-objdiff: a new file-scope static set by a changed function. */
#include "common.h"

#ifdef PATCHED
static int seen;

noinline int get_seen(void)
{
	return seen;
}
#endif

noinline void mark(void)
{
#ifdef PATCHED
	seen = 1;
#endif
	ext_log("f");
}
