// SPDX-License-Identifier: GPL-2.0-only
/*
 * klpb_target_statics - a target whose patch needs its static symbols:
 * /proc/klpb_target_statics prints klpb_target_statics_report()'s line,
 * which counts its calls in the static statics_calls; the static
 * statics_secret() is what a patch will call.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>
#include <linux/proc_fs.h>
#include <linux/seq_file.h>

static int statics_calls;

static noinline __used const char *statics_secret(void)
{
	return "static-secret";
}

noinline void klpb_target_statics_report(struct seq_file *m)
{
	statics_calls++;
	seq_printf(m, "klpb_target_statics: original %d\n", statics_calls);
}

static int klpb_target_statics_show(struct seq_file *m, void *v)
{
	klpb_target_statics_report(m);
	return 0;
}

static int __init klpb_target_statics_init(void)
{
	if (!proc_create_single("klpb_target_statics", 0444, NULL,
				klpb_target_statics_show))
		return -ENOMEM;
	return 0;
}

static void __exit klpb_target_statics_exit(void)
{
	remove_proc_entry("klpb_target_statics", NULL);
}

module_init(klpb_target_statics_init);
module_exit(klpb_target_statics_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("klp-bundle test target: static symbols a patch uses");
#ifdef KLPB_TARGET_ALT
MODULE_INFO(klpb_build, "alt");	/* alt/: another build-id */
#endif
