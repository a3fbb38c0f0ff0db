/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * target.h - one kernel build a bundle is made for, as create sees it on
 * the build host: its release, kbuild tree, vmlinux build-id and symbols,
 * and the modules the bundle patches (path, build-id, symbols).
 */
#ifndef KLPB_TARGET_H
#define KLPB_TARGET_H

#include <stddef.h>

#include "common/ctx.h"
#include "create/decls.h"
#include "sys/kernel-info.h"
#include "sys/symtab.h"

struct target_module {
	char *name; /* the object name */
	char *path; /* the .ko the bundle is built against */
	struct build_id id;
	struct symtab *syms; /* read on first use */
};

struct target {
	char *release;
	char *kdir; /* kbuild tree */
	char *image; /* /boot/vmlinuz-RELEASE or --vmlinux */
	struct build_id vmlinux_id;
	uint8_t *vmlinux; /* the decompressed image, until its symbols are read */
	size_t vmlinux_len;
	struct symtab *vmlinux_syms; /* read on first use */
	struct target_module *mods;
	size_t n_mods;
};

/*
 * The newest release with an installed kbuild tree (/lib/modules/R/build).
 * Returns: 0 with [owned] *@release, or -ENOENT.
 */
int target_default_release(char **release);
/* The release a kbuild tree is for, as uname -r says it (KDIR/include/generated/utsrelease.h). */
int target_kdir_release(const char *kdir, char **release);

/*
 * Open target @release: @kdir NULL means /lib/modules/RELEASE/build, @image
 * NULL means /boot/vmlinuz-RELEASE.  Reads the vmlinux build-id.  Reports
 * what is missing on @ctx.
 */
int target_init(struct klpb_ctx *ctx, struct target *t, const char *release, const char *kdir,
		const char *image);
/*
 * Add module object @name: the file at @path, or (NULL) the one libkmod
 * finds for the release.  Reports failures on @ctx.
 */
int target_add_module(struct klpb_ctx *ctx, struct target *t, const char *name, const char *path);
const struct target_module *target_module(const struct target *t, const char *name);
/*
 * Check that @f's old function exists in its object and that its name is
 * unique or its sympos is in range.  -ENOENT / -EINVAL, reported on @ctx.
 */
int target_check_func(struct klpb_ctx *ctx, struct target *t, const struct patch_func *f);
/* The same for a KLPB_SYMBOL reference: any symbol (function or data) of that name. */
int target_check_symref(struct klpb_ctx *ctx, struct target *t, const struct patch_symref *r);
void target_fini(struct target *t);

#endif
