// SPDX-License-Identifier: GPL-2.0-only
/* lineage "lin" version 1: /proc/cmdline, a klp_state and a shadow variable */
#include <linux/livepatch.h>
#include <linux/seq_file.h>
#include <klp_bundle.h>

#define LIN_STATE_ID	42
#define LIN_SHADOW_ID	42
/* the shadow is keyed by a vmlinux object both versions know */
#define LIN_SHADOW_OBJ	((void *)&system_state)

static int lin_cmdline_proc_show(struct seq_file *m, void *v)
{
	seq_puts(m, "klpbt_lin: v1\n");
	return 0;
}

static void lin_post_patch(struct klp_object *obj)
{
	int *shadow = klp_shadow_get_or_alloc(LIN_SHADOW_OBJ, LIN_SHADOW_ID, sizeof(int),
					      GFP_KERNEL, NULL, NULL);

	if (shadow)
		*shadow = 1;
	pr_info("klpbt_lin_v1: post_patch, state version %u\n",
		klp_get_state(klpb_patch(), LIN_STATE_ID)->version);
}

static void lin_post_unpatch(struct klp_object *obj)
{
	pr_info("klpbt_lin_v1: post_unpatch\n");
	klp_shadow_free_all(LIN_SHADOW_ID, NULL);
}

KLPB_PATCH_FUNC(vmlinux, cmdline_proc_show, lin_cmdline_proc_show);
KLPB_OBJECT_CALLBACKS(vmlinux, NULL, lin_post_patch, NULL, lin_post_unpatch);
KLPB_STATE(LIN_STATE_ID, 1);
