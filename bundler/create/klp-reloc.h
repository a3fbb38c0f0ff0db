/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * klp-reloc.h - turn a transaction module's KLPB_SYMBOL slots into the
 * kernel's livepatch relocations (Documentation/livepatch/module-elf-format
 * in the kernel), after kbuild linked it:
 *
 *   - one symbol ".klp.sym.<obj>.<name>,<pos>" per referenced symbol,
 *     st_shndx = SHN_LIVEPATCH, appended to .symtab;
 *   - one section ".klp.rela.<obj>.klpb_slots" per object, SHT_RELA with
 *     SHF_ALLOC | SHF_RELA_LIVEPATCH, sh_info = .klpb.slots: an
 *     R_X86_64_64 relocation writing each symbol's address into its slot.
 *
 * A vmlinux symbol's slot is filled when the bundle loads, a module's when
 * that module loads.  Slots hold no other relocation, so the kernel's rule
 * that a module's .klp.rela section must not name vmlinux symbols holds.
 */
#ifndef KLPB_KLP_RELOC_H
#define KLPB_KLP_RELOC_H

#include <stddef.h>

#include "common/ctx.h"
#include "klp-bundle/format.h"

struct klp_symref {
	char *object;
	char *name;
	unsigned long sympos;
	size_t slot; /* offset of the slot in .klpb.slots */
};

/*
 * The KLPB_SYMBOL declarations compiled into @ko (its .klpb.symrefs
 * section and relocations).  Returns: the count (0 when none) with [owned]
 * *@refs (free with klp_symrefs_free()), or a negative errno (-EBADMSG for
 * a malformed module) reported on @ctx.
 */
int klp_symrefs_read(struct klpb_ctx *ctx, const void *ko, size_t len, struct klp_symref **refs);
void klp_symrefs_free(struct klp_symref *refs, size_t n);

/*
 * Rewrite @ko (a stripped transaction module) so that each of its @n
 * references becomes a livepatch relocation.  @ko's buffer is replaced.
 * Returns 0, or a negative errno reported on @ctx.
 */
int klp_reloc_rewrite(struct klpb_ctx *ctx, struct klpb_buf *ko, const struct klp_symref *refs,
		      size_t n);

#endif
