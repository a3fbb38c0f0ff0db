// SPDX-License-Identifier: GPL-2.0-only
/*
 * klpb_target_refuse - a target module with what livepatch cannot replace,
 * for create's refusals (selftests/cli/t0202-create-refuse.sh): a notrace
 * function (no ftrace location), an __init function and a data symbol,
 * beside one function it can.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>

int klpb_target_refuse_data;

noinline notrace int klpb_target_refuse_notrace(int x)
{
	return x + klpb_target_refuse_data;
}

noinline int klpb_target_refuse_ok(int x)
{
	return klpb_target_refuse_notrace(x) + 1;
}

static int __init klpb_target_refuse_init(void)
{
	klpb_target_refuse_data = klpb_target_refuse_ok(1);
	return 0;
}

static void __exit klpb_target_refuse_exit(void)
{
}

module_init(klpb_target_refuse_init);
module_exit(klpb_target_refuse_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("klp-bundle test target: symbols livepatch cannot replace");
