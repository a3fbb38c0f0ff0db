/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Shared by the test-objdiff fixtures: an exported function, and the kernel's noinline. */
extern void ext_log(const char *msg);
extern int ext_value;
#define noinline __attribute__((__noinline__))
