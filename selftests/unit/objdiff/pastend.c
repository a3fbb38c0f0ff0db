// SPDX-License-Identifier: GPL-2.0-or-later
/* test-objdiff: a pointer one past the end of an array (arr + 10). */
#include "common.h"

static int arr[10];

noinline int sum(void)
{
	int s = 0;

	for (int *p = arr; p < arr + 10; p++)
		s += *p;
#ifdef PATCHED
	return s + 1;
#else
	return s;
#endif
}

noinline void touch(int i)
{
	arr[i]++;
}
