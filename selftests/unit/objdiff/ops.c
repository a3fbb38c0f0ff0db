// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * test-objdiff: a changed function uses an unchanged read-only table of
 * function pointers (referenced in the running kernel, not copied) and a
 * table of plain constants (copied).
 */
#include "common.h"

struct ops {
	int (*fn)(int);
};

extern void ext_register_ops(const struct ops *ops);

static noinline int handler(int x)
{
	return x + ext_value;
}

static const struct ops my_ops = { .fn = handler };
static const int weights[4] = { 3, 1, 4, 1 };

int setup_ops(int i)
{
	ext_register_ops(&my_ops);
#ifdef PATCHED
	return weights[i & 3] + 1;
#else
	return weights[i & 3];
#endif
}
