// SPDX-License-Identifier: GPL-2.0-or-later
/* test-objdiff: three static locals of one name in one changed function: three references. */
#include "common.h"

int multi(int x)
{
	int sum = 0;

	if (x & 1) {
		static int count;

		sum += ++count;
	}
	if (x & 2) {
		static int count;

		sum += ++count;
	}
	if (x & 4) {
		static int count;

		sum += ++count;
	}
#ifdef PATCHED
	return sum + 1;
#else
	return sum;
#endif
}
