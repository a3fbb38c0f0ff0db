// SPDX-License-Identifier: GPL-2.0-only
/* klpb_target_dup: one of two static dup_name() functions (sympos tests) */
#include <linux/seq_file.h>

#include "klpb_target_dup.h"

static noinline void dup_name(struct seq_file *m)
{
	seq_printf(m, "%s b: original\n", __func__);
}

void klpb_target_dup_b(struct seq_file *m)
{
	dup_name(m);
}
