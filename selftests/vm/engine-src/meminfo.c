// SPDX-License-Identifier: GPL-2.0-only
/* A vmlinux-only patch: /proc/meminfo shows one line (engine tests). */
#include <linux/seq_file.h>
#include <klp_bundle.h>

static int engine_meminfo_proc_show(struct seq_file *m, void *v)
{
	seq_puts(m, "klpbt_engine: meminfo patched\n");
	return 0;
}

KLPB_PATCH_FUNC(vmlinux, meminfo_proc_show, engine_meminfo_proc_show);
