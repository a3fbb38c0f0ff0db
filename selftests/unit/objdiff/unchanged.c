// SPDX-License-Identifier: GPL-2.0-or-later
/* test-objdiff: the patched build differs in a comment only. */
#include "common.h"

static int counter;

static noinline int helper(int x)
{
	return x * 7 + ext_value;
}

int api(int x)
{
#ifdef PATCHED
	/* a comment the patch adds */
#endif
	counter++;
	ext_log("api called");
	return helper(x) + counter;
}
