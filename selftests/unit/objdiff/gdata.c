// SPDX-License-Identifier: GPL-2.0-or-later
/* test-objdiff: the initial value of a global variable changes (refused). */
#include "common.h"

#ifdef PATCHED
int limit = 6;
#else
int limit = 5;
#endif

int over(int x)
{
	return x > limit;
}
