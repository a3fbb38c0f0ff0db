// SPDX-License-Identifier: GPL-2.0-only
/*
 * Version 2 of patch A: the same fix, generation 2.  Built with
 * 'create --base seed-v1.klpb', this file replaces v1's of the same name and
 * the bundle keeps v1's other sources: a cumulative bundle.
 */
#include <linux/seq_file.h>
#include <klp_bundle.h>

#include "seed.h"

#define SEED_GENERATION 2

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
