/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * decls.h - the declarations of a patch source (kernel/include/klp_bundle.h):
 * KLPB_PATCH_FUNC(obj, old, new), KLPB_PATCH_FUNC_POS(obj, old, pos, new),
 * KLPB_OBJECT_CALLBACKS(obj, ...), KLPB_SYMBOL(obj, sym, type) and
 * KLPB_SYMBOL_POS(obj, sym, pos, type) and KLPB_DIRECT_REF_POS(obj, sym, pos,
 * is_func), found in the source text so that
 * create knows the objects and functions before it compiles anything.
 *
 * Declarations must be written literally (not produced by other macros);
 * comments, strings and preprocessor lines are skipped.
 */
#ifndef KLPB_DECLS_H
#define KLPB_DECLS_H

#include <stdbool.h>
#include <stddef.h>

#include "common/ctx.h"

#define OBJECT_NAME_MAX 55 /* MODULE_NAME_LEN - 1 */

struct patch_func {
	char *object; /* "vmlinux" or a module name, '-' read as '_' */
	char *old_name;
	unsigned long sympos; /* 0: the name must be unique */
	char *new_name;
	char *file; /* where it was declared, for messages */
	unsigned int line;
};

struct patch_symref { /* KLPB_SYMBOL: a symbol that is not exported */
	char *object;
	char *name;
	unsigned long sympos;
	bool direct; /* KLPB_DIRECT_REF_POS (extracted code's reference) */
	bool is_func; /* KLPB_DIRECT_REF_POS: a function (else data) */
	char *file;
	unsigned int line;
};

struct decl_list {
	struct patch_func *funcs;
	size_t n_funcs;
	struct patch_symref *symrefs;
	size_t n_symrefs;
	char **callback_objects; /* objects with KLPB_OBJECT_CALLBACKS */
	size_t n_callback_objects;
};

/*
 * Add the declarations in @text (@len bytes of the file @path) to @list.
 * Returns: 0, -EINVAL for a malformed or duplicate declaration, -ENOMEM;
 * each failure reported on @ctx ("p.c:3: ...").
 */
int decls_scan(struct klpb_ctx *ctx, struct decl_list *list, const char *path, const char *text,
	       size_t len);
/*
 * The distinct objects named by @list (functions, callbacks and symbol
 * references), "vmlinux" first if present; [owned] array of [borrow] names.
 */
int decls_objects(const struct decl_list *list, const char ***objects, size_t *n);
/*
 * Add @src's declarations (one target's, create --patch) to @dst, the
 * union over the targets: a declaration already there from the same file is
 * the same one of another target; the same function declared otherwise
 * (another position or replacement, or in another file) is refused, naming
 * kernel @release.  Returns 0, -EINVAL (reported on @ctx) or -ENOMEM.
 */
int decls_merge(struct klpb_ctx *ctx, struct decl_list *dst, const struct decl_list *src,
		const char *release);
void decls_free(struct decl_list *list);

#endif
