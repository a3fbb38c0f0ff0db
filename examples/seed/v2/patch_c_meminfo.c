// SPDX-License-Identifier: GPL-2.0-only
/* New in version 2: a second vmlinux fix, /proc/meminfo gets a first line. */
#include <linux/seq_file.h>
#include <klp_bundle.h>

#include "seed.h"

static int seed_meminfo_proc_show(struct seq_file *m, void *v)
{
	seed_report_line(m, "meminfo", "patched by the seed bundle");
	return 0;
}

KLPB_PATCH_FUNC(vmlinux, meminfo_proc_show, seed_meminfo_proc_show);
