// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * test-objdiff: alternatives as x86's ALTERNATIVE() writes them: a 12-byte
 * .altinstructions entry (the place, the replacement, the feature, the two
 * lengths) and the replacement bytes in .altinstr_replacement, for two
 * functions; only the changed one's entry and replacement are kept.
 */
#include "common.h"

#define MY_ALT(repl)                                               \
	asm volatile("1: .byte 0x90, 0x90, 0x90\n"                 \
		     ".pushsection .altinstructions,\"a\"\n"       \
		     ".long 1b - .\n"                              \
		     ".long 3f - .\n"                              \
		     ".word 0x75\n"                                \
		     ".byte 3, " #repl "\n"                        \
		     ".popsection\n"                               \
		     ".pushsection .altinstr_replacement,\"ax\"\n" \
		     "3: .fill " #repl ", 1, 0xcc\n"               \
		     ".popsection")

int alt_a(int x)
{
	MY_ALT(1);
	return x + 1;
}

/* changed: its replacement moves from offset 1 to 0 in the extracted object */
int alt_b(int x)
{
	MY_ALT(3);
#ifdef PATCHED
	return x * 3;
#else
	return x * 2;
#endif
}
