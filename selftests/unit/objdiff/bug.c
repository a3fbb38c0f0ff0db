// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * test-objdiff: WARN()-like entries in __bug_table (12 bytes: the address, the
 * file name, line and flags, as x86's _BUG_FLAGS() writes them), of two
 * functions; only the changed one's entry is kept.
 */
#include "common.h"

#define MY_WARN(line)                                                      \
	asm volatile("1: ud2\n"                                            \
		     ".pushsection .rodata.str1.1,\"aMS\",@progbits,1\n"   \
		     "3: .asciz \"bug.c\"\n"                               \
		     ".popsection\n"                                       \
		     ".pushsection __bug_table,\"aw\"\n"                   \
		     "2: .long 1b - .\n"                                   \
		     ".long 3b - .\n"                                      \
		     ".word " #line "\n"                                   \
		     ".word 0x900\n"                                       \
		     ".org 2b + 12\n"                                      \
		     ".popsection")

int warn_a(int x)
{
	if (x > 5)
		MY_WARN(10);
#ifdef PATCHED
	return x + 2;
#else
	return x + 1;
#endif
}

int warn_b(int x)
{
	if (x > 7)
		MY_WARN(20);
	return x * 2;
}
