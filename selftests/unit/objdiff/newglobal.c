// SPDX-License-Identifier: GPL-2.0-or-later
/* test-objdiff: the patch adds a global variable (refused). */
#include "common.h"

#ifdef PATCHED
int new_limit = 3;
#endif

int over(int x)
{
#ifdef PATCHED
	return x > new_limit;
#else
	return x > 3;
#endif
}
