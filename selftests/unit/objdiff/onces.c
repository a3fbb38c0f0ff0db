// SPDX-License-Identifier: GPL-2.0-or-later
/* test-objdiff: a new ONCE-style static before two others of the same name. */
#include "common.h"

#define ONCE(msg)                           \
	({                                  \
		static int __done;          \
		if (!__done) {              \
			__done = ext_value; \
			ext_log(msg);       \
		}                           \
	})

noinline void report(int a)
{
#ifdef PATCHED
	if (a == 0)
		ONCE("zero");
#endif
	if (a == 1)
		ONCE("one");
	if (a == 2)
		ONCE("two");
}
