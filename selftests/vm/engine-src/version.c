// SPDX-License-Identifier: GPL-2.0-only
/* A vmlinux-only patch for stacked bundles: /proc/version (engine tests). */
#include <linux/seq_file.h>
#include <klp_bundle.h>

static int engine_version_proc_show(struct seq_file *m, void *v)
{
	seq_puts(m, "klpbt_engine: version patched\n");
	return 0;
}

KLPB_PATCH_FUNC(vmlinux, version_proc_show, engine_version_proc_show);
