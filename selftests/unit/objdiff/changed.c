// SPDX-License-Identifier: GPL-2.0-or-later
/* test-objdiff: one function's body changes, the other's does not. */
#include "common.h"

noinline int calc(int x)
{
#ifdef PATCHED
	return x * 3 + 2;
#else
	return x * 3 + 1;
#endif
}

int other(int x)
{
	ext_log("other");
	return calc(x) + ext_value;
}
