// SPDX-License-Identifier: GPL-2.0-only
/*
 * A vmlinux patch that reaches symbols no module may link against: it calls
 * the static version_proc_show() and reads the static tainted_mask, through
 * livepatch relocations that klp-bundle create writes.  /proc/cmdline then
 * shows /proc/version's line and the value of /proc/sys/kernel/tainted.
 */
#include <linux/seq_file.h>
#include <klp_bundle.h>

KLPB_SYMBOL(vmlinux, version_proc_show, int (struct seq_file *, void *));
KLPB_SYMBOL(vmlinux, tainted_mask, unsigned long);

static int statics_cmdline_proc_show(struct seq_file *m, void *v)
{
	KLPB_SYM(version_proc_show)(m, v);
	seq_printf(m, "tainted_mask=%lu\n", *KLPB_SYM(tainted_mask));
	return 0;
}

KLPB_PATCH_FUNC(vmlinux, cmdline_proc_show, statics_cmdline_proc_show);
