/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * srctree.h - the prepared kernel source tree of a target release, for
 * compiling single translation units the way the distribution did.
 *
 * The tree is Debian's linux-source-X.Y of exactly the version that built
 * the release's image (the image package's Built-Using), configured with
 * the headers' .config and prepared (make olddefconfig modules_prepare).
 * It is prepared once and cached:
 *
 *	<cache>/src/<release>/<version>/              the tree (trusted only
 *	                                              with .klpb-ready)
 *	<cache>/src/<release>/<version>.tmp.<pid>/    being prepared
 *	<cache>/src/<release>/<version>.lock          flock()ed while preparing
 *	<cache>/src/<release>/<version>.failed.log    the last failure's log
 *
 * <cache> is $KLPB_CACHE_DIR, else /var/cache/klp-bundle.  The stamp is
 * written last and the directory renamed into place, so a process killed at
 * any moment leaves nothing a later one trusts; that one removes the stale
 * .tmp.* directories under the lock.
 */
#ifndef KLPB_CREATE_SRCTREE_H
#define KLPB_CREATE_SRCTREE_H

#include <stddef.h>

#include "common/ctx.h"

/* The stamp file of a prepared tree (its last file). */
#define SRCTREE_STAMP ".klpb-ready"

struct srctree {
	char *release; /* uname -r of the target */
	char *version; /* Debian source version, e.g. "6.1.192-3" */
	char *dir; /* the prepared tree (read-only for everyone else) */
	/*
	 * The compiler to run make in @dir with (CC=@cc: the one
	 * CONFIG_CC_VERSION_TEXT names, "gcc-12"): with another one kbuild
	 * would rewrite the tree's configuration.  KERNELRELEASE=@release too.
	 */
	char *cc;
	/*
	 * What to pass to every make in @dir, NULL-terminated ("CC=gcc-12",
	 * "KERNELRELEASE=<release>", and "RUSTC=klpb-no-rustc" for a kernel
	 * built without Rust): the variables the tree was prepared with, so
	 * that kbuild does not reconfigure it.
	 */
	char *make_vars[4];
};

/*
 * Find, obtain, unpack, configure, prepare (once; cached) the source of
 * @release.  @kdir: the target's kbuild tree (headers: .config,
 * Module.symvers); @source_dir: --source DIR or NULL (a user's tree,
 * prepared in place when it is not; its .config must be the headers').
 * Progress lines via p_info().  Returns 0 with @out filled ([owned], free
 * with srctree_free()) or a negative errno, reported on @ctx.
 */
int srctree_open(struct klpb_ctx *ctx, const char *release, const char *kdir,
		 const char *source_dir, struct srctree *out);
void srctree_free(struct srctree *t);

/* The pieces, for the unit test. */

/*
 * The version of the kernel source package in a Built-Using field
 * ("linux (= 6.1.192-3)", "gcc-12 (= 12.2.0-14), linux-6.12 (= 6.12.117-1)"):
 * [owned] *@version.  -ENOENT when it names no linux source.
 */
int srctree_parse_built_using(const char *field, char **version);
/*
 * The Built-Using field of the installed image package of @release in the
 * output of
 *   dpkg-query -W -f='${Package} ${db:Status-Status} ${Built-Using}\n'
 *	linux-image-R linux-image-R-unsigned
 * then parsed as above: [owned] *@version; -ENOENT when neither is installed.
 */
int srctree_parse_image_query(const char *output, const char *release, char **version);
/* The series of a version ("6.12.117-1~deb12u1": "6.12"): [owned] *@series. */
int srctree_series(const char *version, char **series);
/* The cache directory ($KLPB_CACHE_DIR or /var/cache/klp-bundle): [owned]. */
int srctree_cache_dir(char **dir);

/*
 * Compare two .config texts, ignoring comment and blank lines.  Returns the
 * number of options that differ (set in one only, or to another value) and,
 * when there are any, [owned] *@summary naming the first few ("CONFIG_X: y
 * in the headers, m in the tree"); -ENOMEM.
 */
int srctree_config_diff(const char *want, size_t want_len, const char *got, size_t got_len,
			char **summary);

/*
 * Take the lock at @path (created), waiting with a progress line naming
 * @what when another process holds it.  Returns the locked descriptor
 * (close() releases it) or a negative errno, reported on @ctx.
 */
int srctree_lock(struct klpb_ctx *ctx, const char *path, const char *what);

/*
 * Remove the stale build directories "<base>.tmp.*" next to <base>
 * (called under <base>.lock, so none is in use).  Returns how many.
 */
int srctree_remove_stale(struct klpb_ctx *ctx, const char *base);

#endif
