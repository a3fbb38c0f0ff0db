// SPDX-License-Identifier: GPL-2.0-only
/* Bundle depa, version 3: cumulative (--base v2), outside depb's range. */
#include <linux/seq_file.h>
#include <klp_bundle.h>

static int depa_cmdline_proc_show(struct seq_file *m, void *v)
{
	seq_puts(m, "depa: version 3\n");
	return 0;
}

KLPB_PATCH_FUNC(vmlinux, cmdline_proc_show, depa_cmdline_proc_show);
