/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * module-decls.h - the KLPB_PATCH_FUNC declarations a built transaction
 * module really has: its .klpb.funcs entries, read back through their
 * relocations.  The sources' text (decls.c) shows every declaration; the
 * module of one target has those its preprocessor kept (#if
 * LINUX_VERSION_CODE, #ifdef CONFIG_...), so create learns per target
 * which functions it replaces.
 */
#ifndef KLPB_MODULE_DECLS_H
#define KLPB_MODULE_DECLS_H

#include <stddef.h>

#include "common/ctx.h"

struct module_func {
	char *object;
	char *old_name;
	unsigned long sympos;
};

/*
 * The .klpb.funcs entries of the module @ko (an ET_REL .ko).  Returns the
 * count (0 when none) with [owned] *@funcs (module_funcs_free()), or a
 * negative errno (-EBADMSG for a malformed module) reported on @ctx.
 */
int module_funcs_read(struct klpb_ctx *ctx, const void *ko, size_t len, struct module_func **funcs);
void module_funcs_free(struct module_func *funcs, size_t n);

#endif
