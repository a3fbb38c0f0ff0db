// SPDX-License-Identifier: GPL-2.0-or-later
/* test-objdiff: a static inline helper changes: its callers change, the rest does not. */
#include "common.h"

static inline int helper(int x)
{
#ifdef PATCHED
	return x ^ 0x55;
#else
	return x ^ 0x33;
#endif
}

int caller_a(int x)
{
	return helper(x) * 2;
}

int caller_b(int x)
{
	return helper(x) * 5 + ext_value;
}

int bystander(int x)
{
	return x - ext_value;
}
