// SPDX-License-Identifier: GPL-2.0-only
/*
 * Only where binfmt_misc is per user namespace (Linux 6.7 and later, so the
 * 6.12 target and not the 6.1 one): a handler's file ends with the user
 * namespace whose instance holds it,
 *
 *	enabled
 *	interpreter /bin/true
 *	flags:
 *	extension .klpb
 *	userns 4026531837
 *
 * as the inode number of /proc/PID/ns/user.  bm_entry_read() is static and
 * formats with entry_status(), inlined into it, so the replacement carries
 * its own copy of entry_status() and of the file's private Node type (as
 * in 6.12's fs/binfmt_misc.c).  On 6.1 this file compiles to nothing:
 * that target's transaction module does not replace bm_entry_read().
 */
#include <linux/version.h>

#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 7, 0)
#include <linux/bits.h>
#include <linux/fs.h>
#include <linux/gfp.h>
#include <linux/kernel.h>
#include <linux/list.h>
#include <linux/refcount.h>
#include <linux/uaccess.h>
#include <linux/user_namespace.h>
#include <klp_bundle.h>

/* fs/binfmt_misc.c's Enabled and Magic bits, MISC_FMT_* flags and Node */
enum { BM_ENABLED, BM_MAGIC };
#define MISC_FMT_PRESERVE_ARGV0 BIT(31)
#define MISC_FMT_OPEN_BINARY BIT(30)
#define MISC_FMT_CREDENTIALS BIT(29)
#define MISC_FMT_OPEN_FILE BIT(28)

struct bm_node {
	struct list_head list;
	unsigned long flags;
	int offset;
	int size;
	char *magic;
	char *mask;
	const char *interpreter;
	char *name;
	struct dentry *dentry;
	struct file *interp_file;
	refcount_t users;
};

/* entry_status() of 6.12 (VERBOSE_STATUS), returning the end of the text. */
static char *klpb_entry_status(struct bm_node *e, char *dp)
{
	dp += sprintf(dp, "%s\ninterpreter %s\n",
		      test_bit(BM_ENABLED, &e->flags) ? "enabled" : "disabled", e->interpreter);
	dp += sprintf(dp, "flags: ");
	if (e->flags & MISC_FMT_PRESERVE_ARGV0)
		*dp++ = 'P';
	if (e->flags & MISC_FMT_OPEN_BINARY)
		*dp++ = 'O';
	if (e->flags & MISC_FMT_CREDENTIALS)
		*dp++ = 'C';
	if (e->flags & MISC_FMT_OPEN_FILE)
		*dp++ = 'F';
	*dp++ = '\n';
	if (!test_bit(BM_MAGIC, &e->flags))
		return dp + sprintf(dp, "extension .%s\n", e->magic);
	dp += sprintf(dp, "offset %i\nmagic ", e->offset);
	dp = bin2hex(dp, e->magic, e->size);
	if (e->mask) {
		dp += sprintf(dp, "\nmask ");
		dp = bin2hex(dp, e->mask, e->size);
	}
	*dp++ = '\n';
	*dp = '\0';
	return dp;
}

static ssize_t klpb_bm_entry_read(struct file *file, char __user *buf, size_t nbytes,
				  loff_t *ppos)
{
	struct inode *inode = file_inode(file);
	char *page, *end;
	ssize_t res;

	page = (char *)__get_free_page(GFP_KERNEL);
	if (!page)
		return -ENOMEM;
	end = klpb_entry_status(inode->i_private, page);
	/* the text above is at most about 1 KiB: the line fits in the page */
	end += sprintf(end, "userns %u\n", inode->i_sb->s_user_ns->ns.inum);
	res = simple_read_from_buffer(buf, nbytes, ppos, page, end - page);
	free_page((unsigned long)page);
	return res;
}

KLPB_PATCH_FUNC(binfmt_misc, bm_entry_read, klpb_bm_entry_read);
#endif
