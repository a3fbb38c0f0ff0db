// SPDX-License-Identifier: GPL-2.0-only
/*
 * The fix, on every series: binfmt_misc's "status" file says how many
 * handlers are registered, in a second line after "enabled"/"disabled":
 *
 *	enabled
 *	handlers 1
 *
 * bm_status_read() is static in binfmt_misc.c and so is everything it
 * reads, and the two series keep that state differently:
 *
 * - Linux 6.1 has one instance: the file's static 'enabled', 'entries' and
 *   'entries_lock'.  The replacement reaches them with KLPB_SYMBOL: the
 *   livepatch core fills the slots each time binfmt_misc loads.
 * - Linux 6.7 made binfmt_misc per user namespace: the state is a struct
 *   binfmt_misc (<linux/binfmts.h>) that the superblock's user namespace
 *   points to, where the module's own (inlined) i_binfmt_misc() finds it.
 *
 * Each target's transaction module is compiled against that target's
 * headers, so LINUX_VERSION_CODE picks the variant.
 */
#include <linux/binfmts.h>
#include <linux/fs.h>
#include <linux/kernel.h>
#include <linux/list.h>
#include <linux/spinlock.h>
#include <linux/uaccess.h>
#include <linux/user_namespace.h>
#include <linux/version.h>
#include <klp_bundle.h>

#if LINUX_VERSION_CODE < KERNEL_VERSION(6, 7, 0)
KLPB_SYMBOL(binfmt_misc, enabled, int);
KLPB_SYMBOL(binfmt_misc, entries, struct list_head);
KLPB_SYMBOL(binfmt_misc, entries_lock, rwlock_t);

static bool binfmt_state(struct file *file, unsigned int *handlers)
{
	rwlock_t *lock = KLPB_SYM(entries_lock);
	struct list_head *p, *head = KLPB_SYM(entries);

	read_lock(lock);
	list_for_each(p, head)
		(*handlers)++;
	read_unlock(lock);
	return *KLPB_SYM(enabled);
}
#else
static bool binfmt_state(struct file *file, unsigned int *handlers)
{
	struct binfmt_misc *misc = file_inode(file)->i_sb->s_user_ns->binfmt_misc;
	struct list_head *p;

	read_lock(&misc->entries_lock);
	list_for_each(p, &misc->entries)
		(*handlers)++;
	read_unlock(&misc->entries_lock);
	return READ_ONCE(misc->enabled);
}
#endif

static ssize_t klpb_bm_status_read(struct file *file, char __user *buf, size_t nbytes,
				   loff_t *ppos)
{
	unsigned int handlers = 0;
	char s[48];
	bool on = binfmt_state(file, &handlers);
	int len = scnprintf(s, sizeof(s), "%s\nhandlers %u\n", on ? "enabled" : "disabled",
			    handlers);

	return simple_read_from_buffer(buf, nbytes, ppos, s, len);
}

KLPB_PATCH_FUNC(binfmt_misc, bm_status_read, klpb_bm_status_read);
