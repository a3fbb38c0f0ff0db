// SPDX-License-Identifier: GPL-2.0-only
/*
 * Replaces klpb_target_busy's work function; every callback logs, so the
 * tests can check their order (upstream test_klp_callbacks_demo).
 */
#include <linux/module.h>
#include <linux/workqueue.h>
#include <klp_bundle.h>

static int pre_patch_ret;
module_param(pre_patch_ret, int, 0644);
MODULE_PARM_DESC(pre_patch_ret, "klpb_target_busy's pre_patch returns this");

static void busy_work_func(struct work_struct *work)
{
	pr_info("klpbt_busy: patched work function\n");
}

static const char *busy_name(struct klp_object *obj)
{
	return obj->name ? obj->name : "vmlinux";
}

static int busy_pre_patch(struct klp_object *obj)
{
	pr_info("klpbt_busy: pre_patch %s\n", busy_name(obj));
	return 0;
}

static int busy_target_pre_patch(struct klp_object *obj)
{
	pr_info("klpbt_busy: pre_patch %s returns %d\n", busy_name(obj),
		pre_patch_ret);
	return pre_patch_ret;
}

static void busy_post_patch(struct klp_object *obj)
{
	pr_info("klpbt_busy: post_patch %s\n", busy_name(obj));
}

static void busy_pre_unpatch(struct klp_object *obj)
{
	pr_info("klpbt_busy: pre_unpatch %s\n", busy_name(obj));
}

static void busy_post_unpatch(struct klp_object *obj)
{
	pr_info("klpbt_busy: post_unpatch %s\n", busy_name(obj));
}

KLPB_PATCH_FUNC(klpb_target_busy, klpb_busy_work_func, busy_work_func);
KLPB_OBJECT_CALLBACKS(vmlinux, busy_pre_patch, busy_post_patch,
		      busy_pre_unpatch, busy_post_unpatch);
KLPB_OBJECT_CALLBACKS(klpb_target_busy, busy_target_pre_patch, busy_post_patch,
		      busy_pre_unpatch, busy_post_unpatch);
