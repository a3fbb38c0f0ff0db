// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * test-objdiff: a changed __weak function: another unit may define the
 * strong one the kernel runs, so replacing "the" function by this name
 * would replace that one with this one's code.
 */
#include "common.h"

__attribute__((__weak__)) int arch_thing(int x)
{
#ifdef PATCHED
	return x + 2;
#else
	return x + 1;
#endif
}
