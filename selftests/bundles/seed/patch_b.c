// SPDX-License-Identifier: GPL-2.0-only
/* Patch B: klpb_target_plain uses patch A's new contract. */
#include <linux/seq_file.h>
#include <klp_bundle.h>

#include "seed.h"

static void seed_plain_msg(struct seq_file *m)
{
	seq_printf(m, "klpb_target_plain: patched by seed (%s)\n",
		   klpbt_seed_contract());
}

static int seed_plain_pre_patch(struct klp_object *obj)
{
	pr_info("klpbt_seed: pre_patch %s\n", obj->name);
	return 0;
}

static void seed_plain_post_patch(struct klp_object *obj)
{
	pr_info("klpbt_seed: post_patch %s\n", obj->name);
}

static void seed_plain_pre_unpatch(struct klp_object *obj)
{
	pr_info("klpbt_seed: pre_unpatch %s\n", obj->name);
}

static void seed_plain_post_unpatch(struct klp_object *obj)
{
	pr_info("klpbt_seed: post_unpatch %s\n", obj->name);
}

KLPB_PATCH_FUNC(klpb_target_plain, klpb_target_plain_msg, seed_plain_msg);
KLPB_OBJECT_CALLBACKS(klpb_target_plain, seed_plain_pre_patch,
		      seed_plain_post_patch, seed_plain_pre_unpatch,
		      seed_plain_post_unpatch);
