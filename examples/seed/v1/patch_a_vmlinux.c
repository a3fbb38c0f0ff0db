// SPDX-License-Identifier: GPL-2.0-only
/*
 * Patch A (vmlinux): /proc/cmdline gets a new line format, produced by
 * seed_report_line(), the new contract that patch B relies on.
 */
#include <linux/seq_file.h>
#include <klp_bundle.h>

#include "seed.h"

#define SEED_GENERATION 1

void seed_report_line(struct seq_file *m, const char *who, const char *what)
{
	seq_printf(m, "%s: generation %d (%s)\n", who, SEED_GENERATION, what);
}

static int seed_cmdline_proc_show(struct seq_file *m, void *v)
{
	seed_report_line(m, "cmdline", "patched by the seed bundle");
	return 0;
}

KLPB_PATCH_FUNC(vmlinux, cmdline_proc_show, seed_cmdline_proc_show);
