// SPDX-License-Identifier: GPL-2.0-only
/*
 * klpb_example_m - "module M" of the seed example: /proc/klpb_example_m
 * prints a line built by example_m_report().  The bundle in ../v1 patches
 * example_m_report() so that it uses a vmlinux-side helper the same bundle
 * introduces: the module part depends on the vmlinux part.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>
#include <linux/proc_fs.h>
#include <linux/seq_file.h>

noinline void example_m_report(struct seq_file *m)
{
	seq_puts(m, "klpb_example_m: generation 0 (unpatched)\n");
}

static int example_m_show(struct seq_file *m, void *v)
{
	example_m_report(m);
	return 0;
}

static int __init example_m_init(void)
{
	if (!proc_create_single("klpb_example_m", 0444, NULL, example_m_show))
		return -ENOMEM;
	return 0;
}

static void __exit example_m_exit(void)
{
	remove_proc_entry("klpb_example_m", NULL);
}

module_init(example_m_init);
module_exit(example_m_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("klp-bundle example: the module of the seed scenario");
