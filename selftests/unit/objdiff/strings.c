// SPDX-License-Identifier: GPL-2.0-or-later
/* test-objdiff: one function's string changes; the others' move in .rodata.str but do not. */
#include "common.h"

void say_first(void)
{
#ifdef PATCHED
	ext_log("first message, longer now");
#else
	ext_log("first message");
#endif
}

void say_second(void)
{
	ext_log("second message");
}

void say_third(void)
{
	ext_log("third message");
}
