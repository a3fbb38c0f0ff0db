// SPDX-License-Identifier: GPL-2.0-or-later
/* test-objdiff: a new static in a section shared with another (movl $imm32, y(%rip)). */
#include "common.h"

#define SEC __attribute__((__section__(".data.mine")))

#ifdef PATCHED
static int SEC y;
#endif
static int SEC x = 5;

noinline int getx(void)
{
	return x;
}

noinline void setx(int v)
{
	x = v;
}

noinline void store(void)
{
#ifdef PATCHED
	y = 7;
	ext_log("b");
#endif
}

#ifdef PATCHED
noinline int gety(void)
{
	return y;
}
#endif
