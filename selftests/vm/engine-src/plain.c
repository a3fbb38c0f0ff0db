// SPDX-License-Identifier: GPL-2.0-only
/* Patches klpb_target_plain only (the engine tests build it against the alt build). */
#include <linux/seq_file.h>
#include <klp_bundle.h>

static void engine_plain_msg(struct seq_file *m)
{
	seq_puts(m, "klpb_target_plain: patched by engine\n");
}

KLPB_PATCH_FUNC(klpb_target_plain, klpb_target_plain_msg, engine_plain_msg);
