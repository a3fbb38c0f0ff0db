// SPDX-License-Identifier: GPL-2.0-or-later
/* test-objdiff: a helper's static local, newly inlined into an earlier function. */
#include "common.h"

static inline int helper(void)
{
	static int total;

	total += ext_value;
	return total;
}

noinline int first(void)
{
#ifdef PATCHED
	return helper() + 1;
#else
	return 1;
#endif
}

noinline int second(void)
{
	return helper() + 5;
}
