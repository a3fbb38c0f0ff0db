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
 *
 * A function declared where the kernel clears module livepatch relocations
 * (kernel/compat.h, KLPB_SYMREF_CALL) has no slot: its calls are
 * relocations against the weak undefined KLPB_CALL_PREFIX
 * "<obj>.<pos>.<name>".  Each one moves from its ordinary .rela section to
 * ".klp.rela.<obj>.<section>" (sh_info = that section), and the symbol
 * becomes ".klp.sym.<obj>.<name>,<pos>": the livepatch core writes the call
 * sites, so they are direct calls (IBT seals non-exported functions, an
 * indirect call to one traps).  A relocation that is not a call or jump to
 * exactly that function (an R_X86_64_PLT32/PC32 at an e8, e9 or 0f 8x
 * opcode) takes the function's address and is refused.  The runtime's own
 * such calls (clear_relocate_add, text_poke_set: kernel/compat.h) are
 * rewritten the same way.  Afterwards no ordinary relocation may name a weak undefined symbol:
 * it would resolve to 0 at load.
 *
 * A KLPB_SYMREF_DIRECT reference (KLPB_DIRECT_REF_POS: code extracted by
 * create --patch) has no slot either.  A function one (with _FUNC and
 * _CALL) follows the call-only rule above; for data, every relocation
 * against its symbol moves, whatever its type (R_X86_64_PC32, _32S, _64...,
 * those the kernel's apply_relocate_add() knows), except in __init/__exit
 * code and in __jump_table / .static_call_sites (the kernel reads those
 * when the module comes, before livepatch writes the keys' addresses).
 */
#ifndef KLPB_KLP_RELOC_H
#define KLPB_KLP_RELOC_H

#include <stddef.h>

#include "common/ctx.h"
#include "klp-bundle/format.h"

/* <linux/elf.h>'s livepatch marks, which older libc headers lack */
#ifndef SHF_RELA_LIVEPATCH
#define SHF_RELA_LIVEPATCH 0x00100000
#endif
#ifndef SHN_LIVEPATCH
#define SHN_LIVEPATCH 0xff20
#endif

struct klp_symref {
	char *object;
	char *name;
	unsigned long sympos;
	size_t slot; /* offset of the slot in .klpb.slots; unused with KLPB_SYMREF_CALL/_DIRECT */
	unsigned long flags; /* KLPB_SYMREF_* */
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
 * references (slots and direct calls) becomes a livepatch relocation.
 * @ko's buffer is replaced; the same input gives the same bytes.  Returns
 * 0, or a negative errno reported on @ctx (-EINVAL for a function whose
 * address is taken, -EBADMSG for a malformed module).
 */
int klp_reloc_rewrite(struct klpb_ctx *ctx, struct klpb_buf *ko, const struct klp_symref *refs,
		      size_t n);

#endif
