// SPDX-License-Identifier: GPL-2.0-only
/*
 * A patch for a real Debian module, binfmt_misc: its static bm_status_read()
 * is replaced by one that reads the module's static 'enabled' flag and says
 * it is live patched.  Applied before binfmt_misc loads, it takes effect
 * when the module loads.
 */
#include <linux/fs.h>
#include <linux/kernel.h>
#include <klp_bundle.h>

KLPB_SYMBOL(binfmt_misc, enabled, int);

static ssize_t klpb_bm_status_read(struct file *file, char __user *buf, size_t nbytes,
				   loff_t *ppos)
{
	char s[64];
	int n = scnprintf(s, sizeof(s), "%s (live patched by klp-bundle)\n",
			  *KLPB_SYM(enabled) ? "enabled" : "disabled");

	return simple_read_from_buffer(buf, nbytes, ppos, s, n);
}

KLPB_PATCH_FUNC(binfmt_misc, bm_status_read, klpb_bm_status_read);
