// SPDX-License-Identifier: GPL-2.0-only
/*
 * Patch A: /proc/cmdline (cmdline_proc_show) gets a new contract, here a
 * new line format that patch B relies on.
 */
#include <linux/seq_file.h>
#include <klp_bundle.h>

#include "seed.h"

const char *klpbt_seed_contract(void)
{
	return "contract-v2";
}

static int seed_cmdline_proc_show(struct seq_file *m, void *v)
{
	seq_printf(m, "klpbt_seed: %s\n", klpbt_seed_contract());
	return 0;
}

static int seed_pre_patch(struct klp_object *obj)
{
	pr_info("klpbt_seed: pre_patch vmlinux\n");
	return 0;
}

static void seed_post_patch(struct klp_object *obj)
{
	pr_info("klpbt_seed: post_patch vmlinux\n");
}

static void seed_pre_unpatch(struct klp_object *obj)
{
	pr_info("klpbt_seed: pre_unpatch vmlinux\n");
}

static void seed_post_unpatch(struct klp_object *obj)
{
	pr_info("klpbt_seed: post_unpatch vmlinux\n");
}

KLPB_PATCH_FUNC(vmlinux, cmdline_proc_show, seed_cmdline_proc_show);
KLPB_OBJECT_CALLBACKS(vmlinux, seed_pre_patch, seed_post_patch,
		      seed_pre_unpatch, seed_post_unpatch);
