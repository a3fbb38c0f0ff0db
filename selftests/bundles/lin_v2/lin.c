// SPDX-License-Identifier: GPL-2.0-only
/*
 * lineage "lin" version 2: takes over v1's state (klp_get_prev_state) and
 * shadow variable, and also patches klpb_target_plain.
 */
#include <linux/livepatch.h>
#include <linux/seq_file.h>
#include <klp_bundle.h>

#define LIN_STATE_ID	42
#define LIN_SHADOW_ID	42
/* the shadow is keyed by a vmlinux object both versions know */
#define LIN_SHADOW_OBJ	((void *)&system_state)

static int lin_cmdline_proc_show(struct seq_file *m, void *v)
{
	seq_puts(m, "klpbt_lin: v2\n");
	return 0;
}

static void lin_plain_msg(struct seq_file *m)
{
	seq_puts(m, "klpb_target_plain: patched by lin v2\n");
}

static int lin_pre_patch(struct klp_object *obj)
{
	struct klp_state *prev = klp_get_prev_state(LIN_STATE_ID);
	int *shadow = klp_shadow_get(LIN_SHADOW_OBJ, LIN_SHADOW_ID);

	pr_info("klpbt_lin_v2: pre_patch, previous state %s, shadow %d\n",
		prev ? (prev->version == 1 ? "v1" : "other") : "none",
		shadow ? *shadow : 0);
	return 0;
}

static void lin_post_unpatch(struct klp_object *obj)
{
	pr_info("klpbt_lin_v2: post_unpatch\n");
	klp_shadow_free_all(LIN_SHADOW_ID, NULL);
}

KLPB_PATCH_FUNC(vmlinux, cmdline_proc_show, lin_cmdline_proc_show);
KLPB_PATCH_FUNC(klpb_target_plain, klpb_target_plain_msg, lin_plain_msg);
KLPB_OBJECT_CALLBACKS(vmlinux, lin_pre_patch, NULL, NULL, lin_post_unpatch);
KLPB_STATE(LIN_STATE_ID, 2);
