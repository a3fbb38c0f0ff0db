/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * resolve.h - the objdiff_resolver (create/objdiff.h) of one target: how
 * the code create --patch carries reaches each symbol it references but
 * does not carry.
 *
 *   - exported by vmlinux (<kdir>/Module.symvers, no namespace): a plain
 *     undefined symbol (OBJDIFF_REF_EXPORTED);
 *   - exported by a module other than the unit's object: refused (the
 *     bundle would depend on that module);
 *   - otherwise a livepatch reference (OBJDIFF_REF_KLP) into the unit's
 *     object, or, from a module unit, into vmlinux (a namespaced vmlinux
 *     export), with its sympos.
 *
 * sympos counts every symbol of the name in the object as livepatch does:
 * vmlinux in kallsyms (address) order, read from the image's ELF symbols
 * or else its kallsyms tables; a module in the order of its .ko symbol
 * table (the symbols the module's kallsyms keeps: defined, named, in a
 * loaded non-init section).  When the name is not unique, the unit's own
 * symbol is the candidate whose neighbours hold most of the unit's other
 * symbols (objdiff_query.unit_syms): for a module, the symbols of its
 * STT_FILE group; for vmlinux, those within a window around it in address
 * order.  A tie, or no candidate with any neighbour, is refused.
 */
#ifndef KLPB_CREATE_RESOLVE_H
#define KLPB_CREATE_RESOLVE_H

#include "common/ctx.h"
#include "create/objdiff.h"
#include "create/target.h"

struct resolver_state;

/*
 * A resolver for units of @t, which must outlive it.  Reads
 * <t->kdir>/Module.symvers now; an object's symbols on its first query
 * (the image is decompressed again unless @t still holds it).  A module
 * object that @t does not have yet is added with target_add_module() (the
 * release's installed module).  Returns 0 with [owned] *@out, or a negative
 * errno reported on @ctx.
 */
int resolve_init(struct klpb_ctx *ctx, struct target *t, struct resolver_state **out);
/* The objdiff_resolver of @s (resolve = resolve_symbol, arg = @s). */
struct objdiff_resolver resolve_resolver(struct resolver_state *s);
/*
 * The answer for @q (@arg is the resolver_state).  Returns 0, -ENOENT (not
 * found), -EINVAL (ambiguous, or exported by another module) or another
 * negative errno; every failure reported on @ctx as "UNIT: 'NAME' ...".
 */
int resolve_symbol(struct klpb_ctx *ctx, void *arg, const struct objdiff_query *q,
		   struct objdiff_answer *a);
void resolve_free(struct resolver_state *s);

#endif
