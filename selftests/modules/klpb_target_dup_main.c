// SPDX-License-Identifier: GPL-2.0-only
/*
 * klpb_target_dup - two static functions named dup_name() in two files
 * (klpb_target_dup_a.c, _b.c); /proc/klpb_target_dup calls both.
 */
#include <linux/module.h>
#include <linux/proc_fs.h>
#include <linux/seq_file.h>

#include "klpb_target_dup.h"

static int klpb_target_dup_show(struct seq_file *m, void *v)
{
	klpb_target_dup_a(m);
	klpb_target_dup_b(m);
	return 0;
}

static int __init klpb_target_dup_init(void)
{
	if (!proc_create_single("klpb_target_dup", 0444, NULL,
				klpb_target_dup_show))
		return -ENOMEM;
	return 0;
}

static void __exit klpb_target_dup_exit(void)
{
	remove_proc_entry("klpb_target_dup", NULL);
}

module_init(klpb_target_dup_init);
module_exit(klpb_target_dup_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("klp-bundle test target: duplicate function names");
