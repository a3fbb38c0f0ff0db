// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * test-objdiff: a changed function in a section shared with another
 * function (the kernel's __sched): the assembler resolves the call to the
 * static helper itself, with no relocation, so the function cannot be
 * carried alone.
 */
#include "common.h"

#define __sched __attribute__((__section__(".sched.text")))

static noinline __sched int helper(int x)
{
	ext_log("h");
	return x * 3 + 1;
}

noinline __sched int entry(int x)
{
#ifdef PATCHED
	return helper(x) + 2;
#else
	return helper(x) + 1;
#endif
}
