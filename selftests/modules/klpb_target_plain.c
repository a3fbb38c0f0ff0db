// SPDX-License-Identifier: GPL-2.0-only
/*
 * klpb_target_plain - a target module: /proc/klpb_target_plain prints what
 * klpb_target_plain_msg() writes, so a test sees whether it is patched.
 * alt/ builds the same module with KLPB_TARGET_ALT: another build-id.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>
#include <linux/proc_fs.h>
#include <linux/seq_file.h>

#ifdef KLPB_TARGET_ALT
#define KLPB_TARGET_MSG "klpb_target_plain: original (alt build)\n"
#else
#define KLPB_TARGET_MSG "klpb_target_plain: original\n"
#endif

noinline void klpb_target_plain_msg(struct seq_file *m)
{
	seq_puts(m, KLPB_TARGET_MSG);
}

static int klpb_target_plain_show(struct seq_file *m, void *v)
{
	klpb_target_plain_msg(m);
	return 0;
}

static int __init klpb_target_plain_init(void)
{
	if (!proc_create_single("klpb_target_plain", 0444, NULL,
				klpb_target_plain_show))
		return -ENOMEM;
	return 0;
}

static void __exit klpb_target_plain_exit(void)
{
	remove_proc_entry("klpb_target_plain", NULL);
}

module_init(klpb_target_plain_init);
module_exit(klpb_target_plain_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("klp-bundle test target: a plain module");
