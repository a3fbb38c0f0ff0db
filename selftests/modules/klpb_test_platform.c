// SPDX-License-Identifier: GPL-2.0-only
/*
 * klpb_test_platform - the smallest livepatch module: replaces
 * cmdline_proc_show() so /proc/cmdline reads a fixed line.  It proves the
 * platform (kbuild, the guest, livepatch) before any klp-bundle code runs.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kernel.h>
#include <linux/livepatch.h>
#include <linux/module.h>
#include <linux/seq_file.h>

static int klpb_test_cmdline_proc_show(struct seq_file *m, void *v)
{
	seq_puts(m, "klpb_test_platform: this kernel is live patched\n");
	return 0;
}

static struct klp_func funcs[] = {
	{
		.old_name = "cmdline_proc_show",
		.new_func = klpb_test_cmdline_proc_show,
	},
	{ }
};

static struct klp_object objs[] = {
	{
		/* name NULL: vmlinux */
		.funcs = funcs,
	},
	{ }
};

static struct klp_patch patch = {
	.mod = THIS_MODULE,
	.objs = objs,
};

static int __init klpb_test_platform_init(void)
{
	return klp_enable_patch(&patch);
}

static void __exit klpb_test_platform_exit(void)
{
}

module_init(klpb_test_platform_init);
module_exit(klpb_test_platform_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("klp-bundle platform test: a minimal livepatch");
MODULE_INFO(livepatch, "Y");
