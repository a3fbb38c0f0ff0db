/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * units.h - the translation units a patch touches, compiled twice (original
 * and patched) for create --patch (units.c).
 */
#ifndef KLPB_CREATE_UNITS_H
#define KLPB_CREATE_UNITS_H

#include <stddef.h>

#include "common/ctx.h"

struct patch_input; /* patchfile.h: one --patch file */

struct unit {
	char *path; /* tree-relative, e.g. "fs/proc/cmdline.c" */
	char *object; /* "vmlinux" or the module name ('-' as '_'), from kbuild's flags */
	char *orig_o; /* compiled original, absolute path in @workdir */
	char *patched_o; /* compiled patched unit */
};

/*
 * Apply @patches in order to copies of the touched files, compile every
 * touched .c (and, for a touched header, each unit in @named_units; none
 * named: refused) twice with the tree's own flags plus -ffunction-sections
 * -fdata-sections and WITHOUT objtool.
 */
int units_build(struct klpb_ctx *ctx, const char *tree, const struct patch_input *patches,
		size_t n_patches, char *const *named_units, size_t n_named, const char *workdir,
		struct unit **units, size_t *n_units);
void units_free(struct unit *u, size_t n);

#endif
