// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * test-objdiff: WARN()-like entries in __bug_table (12 bytes: the address, the
 * file name, line and flags, as x86's _BUG_FLAGS() writes them, the file name
 * an "i" operand so that the assembler keeps its .LC label), of two
 * functions; only the changed one's entry is kept.  The patch adds a string
 * before the file name's, which renumbers the .LC labels.
 */
#include "common.h"

#define MY_WARN()                                        \
	asm volatile("1: ud2\n"                          \
		     ".pushsection __bug_table,\"aw\"\n" \
		     "2: .long 1b - .\n"                 \
		     ".long %c0 - .\n"                   \
		     ".word %c1\n"                       \
		     ".word 0x900\n"                     \
		     ".org 2b + 12\n"                    \
		     ".popsection" ::"i"(__FILE__),      \
		     "i"(__LINE__))

int warn_a(int x)
{
#ifdef PATCHED
	ext_log("a new string first");
#else
	ext_log("");
#endif
	if (x > 5)
		MY_WARN();
	return x + 1;
}

int warn_b(int x)
{
	if (x > 7)
		MY_WARN();
	return x * 2;
}
