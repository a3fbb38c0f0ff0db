// SPDX-License-Identifier: GPL-2.0-or-later
/* test-objdiff: the patch adds a static function that a changed one calls. */
#include "common.h"

#ifdef PATCHED
static noinline int clamp_input(int x)
{
	ext_log("clamped");
	return x > 100 ? 100 : x;
}
#endif

int entry(int x)
{
#ifdef PATCHED
	x = clamp_input(x);
#endif
	return x + ext_value;
}
