// SPDX-License-Identifier: GPL-2.0-only
/* stacked bundle b, first source: /proc/cmdline */
#include <linux/seq_file.h>
#include <klp_bundle.h>

static int stack_b_cmdline_proc_show(struct seq_file *m, void *v)
{
	seq_puts(m, "klpbt_stack_b\n");
	return 0;
}

KLPB_PATCH_FUNC(vmlinux, cmdline_proc_show, stack_b_cmdline_proc_show);
