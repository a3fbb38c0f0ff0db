// SPDX-License-Identifier: GPL-2.0-only
/* a bundle whose core init refuses (see Kbuild) */
#include <linux/seq_file.h>
#include <klp_bundle.h>

static int bad_vmlinux_cmdline_proc_show(struct seq_file *m, void *v)
{
	seq_puts(m, "klpbt_bad_vmlinux\n");
	return 0;
}

KLPB_PATCH_FUNC(vmlinux, cmdline_proc_show, bad_vmlinux_cmdline_proc_show);
