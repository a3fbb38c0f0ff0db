// SPDX-License-Identifier: GPL-2.0-only
/* Bundle depa of the dependency model, version 1 (vmlinux: /proc/cmdline). */
#include <linux/seq_file.h>
#include <klp_bundle.h>

static int depa_cmdline_proc_show(struct seq_file *m, void *v)
{
	seq_puts(m, "depa: version 1\n");
	return 0;
}

KLPB_PATCH_FUNC(vmlinux, cmdline_proc_show, depa_cmdline_proc_show);
