/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * units.h - the translation units a source patch touches, each compiled
 * twice (original and patched) with the prepared tree's own kbuild command
 * plus -ffunction-sections -fdata-sections and without objtool, for the
 * object differ (objdiff.h).
 *
 * Work directory layout:
 *   <workdir>/patched/<path>        patched copies (with #line directives)
 *   <workdir>/obj/orig/<path>.o     the original unit compiled
 *   <workdir>/obj/patched/<path>.o  the patched unit compiled
 *   <workdir>/log/                  make's and the compiler's output
 */
#ifndef KLPB_CREATE_UNITS_H
#define KLPB_CREATE_UNITS_H

#include <stddef.h>

#include "create/patchfile.h"

struct klpb_ctx;

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
 * -fdata-sections and WITHOUT objtool.  The compile command of a unit is
 * kbuild's (the tree's `.<file>.o.cmd`, made with `make <path>.o` under the
 * tree's lock file `<tree>.lock` when there is none yet).  On success
 * [owned] *@units (units_free()) holds *@n_units units: the touched .c
 * files in patch order, then the named ones.  @make_vars (NULL-terminated,
 * or NULL for KERNELRELEASE from the tree) are the variables every make in
 * the tree gets (struct srctree's), lest kbuild reconfigure it.
 */
int units_build(struct klpb_ctx *ctx, const char *tree, char *const *make_vars,
		const struct patch_input *patches, size_t n_patches, char *const *named_units,
		size_t n_named, const char *workdir, struct unit **units, size_t *n_units);
void units_free(struct unit *u, size_t n);

/*
 * The command kbuild saved for @target in the text of its .cmd file
 * (`cmd_<target> := ...` or `savedcmd_<target> := ...`, make-escaped), up
 * to the first unquoted ';' (objtool, ld -r follow it), split into words
 * the way the shell would.  [owned] *@argv (NULL-terminated; free each and
 * the vector) with *@argc words.  -ENOENT: no such line; -EINVAL: shell
 * syntax other than quoting (expansions, redirections).
 */
int kbuild_saved_cmd(const char *cmd_text, const char *target, char ***argv, size_t *argc);

#endif
