// SPDX-License-Identifier: GPL-2.0-only
/* klpb_target_dup: one of two static dup_name() functions (sympos tests) */
#include <linux/seq_file.h>

void klpb_target_dup_b(struct seq_file *m);

static noinline void dup_name(struct seq_file *m)
{
	seq_puts(m, "dup_name b: original\n");
}

void klpb_target_dup_b(struct seq_file *m)
{
	dup_name(m);
}
