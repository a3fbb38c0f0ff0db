// SPDX-License-Identifier: GPL-2.0-or-later
/* test-objdiff: a changed function with a static local (kept in the running kernel). */
#include "common.h"

int unrelated(void)
{
	static int count;

	return ++count;
}

int tick(void)
{
	static int count;

#ifdef PATCHED
	count += 2;
#else
	count += 1;
#endif
	return count;
}

#ifdef PATCHED
/* new, last: GCC numbers the patched build's static locals differently */
int newcomer(void)
{
	static int count = 7;

	return count--;
}
#endif
