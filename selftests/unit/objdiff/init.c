// SPDX-License-Identifier: GPL-2.0-or-later
/* test-objdiff: an __init function changes (refused). */
#include "common.h"

#define __init __attribute__((section(".init.text"), __cold__, __noinline__))

int __init setup_thing(void)
{
#ifdef PATCHED
	ext_log("setup v2");
#else
	ext_log("setup");
#endif
	return 0;
}

int runtime(int x)
{
	return x + 1;
}
