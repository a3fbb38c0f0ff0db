// SPDX-License-Identifier: GPL-2.0-only
/*
 * klpb_target_busy - a target whose work function sleeps while
 * block_transition is set (writable at run time), so a transition that
 * patches klpb_busy_work_func() stalls (upstream test_klp_callbacks_busy).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/delay.h>
#include <linux/module.h>
#include <linux/workqueue.h>

static bool block_transition;
module_param(block_transition, bool, 0644);
MODULE_PARM_DESC(block_transition, "the work function sleeps while set");

noinline void klpb_busy_work_func(struct work_struct *work)
{
	pr_info("%s enter: sleeping while block_transition is set\n", __func__);
	while (READ_ONCE(block_transition))
		msleep(20);
	pr_info("%s exit: block_transition is clear\n", __func__);
}

static DECLARE_WORK(klpb_busy_work, klpb_busy_work_func);

static int __init klpb_target_busy_init(void)
{
	schedule_work(&klpb_busy_work);
	return 0;
}

static void __exit klpb_target_busy_exit(void)
{
	WRITE_ONCE(block_transition, false);
	flush_work(&klpb_busy_work);
}

module_init(klpb_target_busy_init);
module_exit(klpb_target_busy_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("klp-bundle test target: a busy work function");
