// SPDX-License-Identifier: GPL-2.0-only
/* The second of klpb_target_dup's two dup_name() functions (sympos 2). */
#include <linux/seq_file.h>
#include <klp_bundle.h>

static void seed_dup_name(struct seq_file *m)
{
	seq_puts(m, "dup_name b: patched by seed\n");
}

KLPB_PATCH_FUNC_POS(klpb_target_dup, dup_name, 2, seed_dup_name);
