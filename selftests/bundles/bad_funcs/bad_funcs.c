// SPDX-License-Identifier: GPL-2.0-only
/*
 * Declares /proc/cmdline and /proc/version; its core (Kbuild) instead lists
 * /proc/cmdline under another replacement name and /proc/meminfo: init
 * must name all three differences and fail.
 */
#include <linux/seq_file.h>
#include <klp_bundle.h>

static int bad_cmdline_proc_show(struct seq_file *m, void *v)
{
	seq_puts(m, "klpbt_bad_funcs\n");
	return 0;
}

static int bad_version_proc_show(struct seq_file *m, void *v)
{
	seq_puts(m, "klpbt_bad_funcs\n");
	return 0;
}

KLPB_PATCH_FUNC(vmlinux, cmdline_proc_show, bad_cmdline_proc_show);
KLPB_PATCH_FUNC(vmlinux, version_proc_show, bad_version_proc_show);
