// SPDX-License-Identifier: GPL-2.0-only
/*
 * The dependency model's bundle depb: a stacked patch of module
 * klpb_target_plain that requires depa version 1 or 2.
 */
#include <linux/seq_file.h>
#include <klp_bundle.h>

static void depb_plain_msg(struct seq_file *m)
{
	seq_puts(m, "klpb_target_plain: patched by depb\n");
}

KLPB_PATCH_FUNC(klpb_target_plain, klpb_target_plain_msg, depb_plain_msg);
