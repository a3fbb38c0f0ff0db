/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The one place for kernel-version-specific code in klp-bundle.  Each
 * difference is told by the feature itself, not by LINUX_VERSION_CODE, so
 * that a backport is recognised too; the version that brought the feature
 * is noted next to it.
 */
#ifndef _KLPB_COMPAT_H
#define _KLPB_COMPAT_H

#include <linux/module.h>
#include <linux/string.h>

#include <klp_bundle_abi.h>

/**
 * klpb_module_ro_region() - the part of a module's core memory that holds
 *	its read-only data, where .note.gnu.build-id is laid out
 * @mod: a module in MODULE_STATE_COMING or later
 * @size: set to the region's size
 *
 * Return: the start of the region.
 */
static inline const void *klpb_module_ro_region(const struct module *mod,
						size_t *size)
{
	/*
	 * v6.4 replaced struct module's core_layout by mem[MOD_MEM_NUM_TYPES]
	 * (struct module_memory); for_each_mod_mem_type() came with it.
	 */
#ifdef for_each_mod_mem_type
	*size = mod->mem[MOD_RODATA].size;
	return mod->mem[MOD_RODATA].base;
#else
	/* text, rodata, ro_after_init, data: all of it is mapped */
	*size = mod->core_layout.size;
	return mod->core_layout.base;
#endif
}

/*
 * KLPB_KERNEL_CLEARS_KLP_RELOCS: the livepatch core clears a module
 * object's livepatch relocations itself when that module goes away
 * (klp_clear_object_relocs(), after the post_unpatch callback), and x86's
 * clear_relocate_add() checks that every target still holds the value it
 * wrote.  v6.3 (commit 0c05e7bd2d01, "livepatch,x86: Clear relocation
 * targets on a module removal") brought it, with clear_relocate_add()
 * declared in <linux/moduleloader.h>; bundle.kbuild greps that header of
 * the target and passes -DKLPB_HAVE_CLEAR_RELOCATE_ADD.
 *
 * Before it (6.1), the runtime clears its slots itself, or a module's
 * second load is refused ("existing value is nonzero").  From it on, the
 * runtime must not touch them at an unload (the kernel's check would fail:
 * "Invalid relocation target, existing value does not match expected
 * value"), and clears them only where the kernel does not: a load refused
 * by the object's pre_patch callback (klp_module_coming()'s error path
 * cleans only the patches before the failing one).
 */
#ifdef KLPB_HAVE_CLEAR_RELOCATE_ADD
#define KLPB_KERNEL_CLEARS_KLP_RELOCS 1
#else
#define KLPB_KERNEL_CLEARS_KLP_RELOCS 0
#endif

/*
 * KLPB_RUNTIME_CLEARS_KLP_RELOCS: where the kernel does not clear them, the
 * runtime clears every livepatch relocation of a module object itself when
 * that module goes (post_unpatch) or its load is refused (pre_patch): the
 * slots and the direct references in code (KLPB_SYMBOL direct calls,
 * create --patch's references into a module), as the kernel's
 * clear_relocate_add() of v6.3 would.  The targets are mostly read-only
 * module text, written as x86's apply_relocate_add() writes them late:
 * through the temporary text-poking mapping under text_mutex, here by
 * text_poke_set() (v5.19, "x86/alternative: Introduce text_poke_set"),
 * which takes text_mutex itself.  bundle.kbuild greps the
 * target's <asm/text-patching.h> for it and passes
 * -DKLPB_HAVE_TEXT_POKE_SET.  The relocation widths are x86-64's.
 *
 * Without it (another architecture, or x86 before v5.19) the runtime clears
 * only its slots (klpb_core.c), and everything else must be a slot.
 */
#if !KLPB_KERNEL_CLEARS_KLP_RELOCS && defined(CONFIG_X86_64) && \
	defined(KLPB_HAVE_TEXT_POKE_SET)
#define KLPB_RUNTIME_CLEARS_KLP_RELOCS 1
#else
#define KLPB_RUNTIME_CLEARS_KLP_RELOCS 0
#endif

/*
 * KLPB_RUNTIME_NEEDS_VMLINUX: the runtime itself calls a vmlinux function
 * through a livepatch relocation (clear_relocate_add() or text_poke_set(),
 * below), which the livepatch core writes only for a vmlinux object: the
 * bundle's patch gets one even when it patches modules only.  The vmlinux
 * relocations are written once, when the bundle loads, and never need
 * clearing (vmlinux does not go away).
 */
#define KLPB_RUNTIME_NEEDS_VMLINUX \
	(KLPB_KERNEL_CLEARS_KLP_RELOCS || KLPB_RUNTIME_CLEARS_KLP_RELOCS)

/*
 * KLPB_DIRECT_CALLS: KLPB_SYMBOL functions are called directly, through
 * livepatch relocations at the call sites (klp_bundle.h), not through a
 * pointer slot.  With CONFIG_X86_KERNEL_IBT (Debian 6.12) the kernel seals
 * every function whose address is never taken, and an indirect call to one
 * traps ("Missing ENDBR").  Direct calls need module relocations cleared
 * when the module goes: the call sites are read-only text, which a
 * module's second load must find zero.  The kernel does it from v6.3 on,
 * the runtime before (KLPB_RUNTIME_CLEARS_KLP_RELOCS); there slots stay
 * the default without IBT, and -DKLPB_DIRECT_CALLS_FORCE (a test knob:
 * selftests/vm/t0601-direct-module.sh) makes the calls direct too.
 * -DKLPB_SLOT_CALLS forces the old slot calls (a test knob:
 * selftests/ibt/run shows the IBT check catching them).
 */
#if defined(KLPB_SLOT_CALLS)
#define KLPB_DIRECT_CALLS 0
#elif KLPB_KERNEL_CLEARS_KLP_RELOCS
#define KLPB_DIRECT_CALLS 1
#elif KLPB_RUNTIME_CLEARS_KLP_RELOCS && \
	(defined(CONFIG_X86_KERNEL_IBT) || defined(KLPB_DIRECT_CALLS_FORCE))
#define KLPB_DIRECT_CALLS 1
#else
#define KLPB_DIRECT_CALLS 0
#endif

#if defined(KLPB_DIRECT_CALLS_FORCE) && !KLPB_DIRECT_CALLS && \
	!defined(KLPB_SLOT_CALLS)
#error "KLPB_DIRECT_CALLS_FORCE without clear_relocate_add() or text_poke_set()"
#endif

/*
 * IBT needs direct calls (an indirect call to a sealed function traps),
 * direct calls need module relocations cleared: without either the kernel
 * or the runtime clearing them, KLPB_SYMBOL functions could be reached
 * neither way.
 */
#if defined(CONFIG_X86_KERNEL_IBT) && !KLPB_KERNEL_CLEARS_KLP_RELOCS && \
	!KLPB_RUNTIME_CLEARS_KLP_RELOCS
#error "CONFIG_X86_KERNEL_IBT, no clear_relocate_add()/text_poke_set(): no KLPB_SYMBOL calls"
#endif

/* whether section @i of @info is one of @objname's .klp.rela sections */
static inline bool klpb_is_klp_rela_of(const struct klp_modinfo *info,
				       unsigned int i, const char *objname)
{
	const char *name = info->secstrings + info->sechdrs[i].sh_name;
	size_t len = strlen(objname);

	return (info->sechdrs[i].sh_flags & SHF_RELA_LIVEPATCH) &&
	       !strncmp(name, ".klp.rela.", 10) &&
	       !strncmp(name + 10, objname, len) && name[10 + len] == '.';
}

#if KLPB_KERNEL_CLEARS_KLP_RELOCS
#include <linux/moduleloader.h>

/* not exported: reached by a direct-call livepatch relocation (create) */
typeof(clear_relocate_add) klpb_kernel_clear_relocate_add
	__asm__(KLPB_CALL_PREFIX "vmlinux.0.clear_relocate_add") __weak;

/**
 * klpb_clear_section_relocs() - clear one .klp.rela section's targets
 * @pmod: the livepatch module (THIS_MODULE)
 * @info: its klp_info
 * @secndx: the section
 * @objname: the object's name (unused: the kernel clears what it wrote)
 *
 * Runs clear_relocate_add() over it, as klp_write_section_relocs(...,
 * false) does (x86 takes text_mutex itself).
 */
static inline void klpb_clear_section_relocs(struct module *pmod,
					     const struct klp_modinfo *info,
					     unsigned int secndx,
					     const char *objname)
{
	klpb_kernel_clear_relocate_add(info->sechdrs,
				       pmod->core_kallsyms.strtab,
				       info->symndx, secndx, pmod);
}
#elif KLPB_RUNTIME_CLEARS_KLP_RELOCS
#include <linux/elf.h>
#include <asm/text-patching.h>

/* not exported: reached by a direct-call livepatch relocation (create) */
typeof(text_poke_set) klpb_kernel_text_poke_set
	__asm__(KLPB_CALL_PREFIX "vmlinux.0.text_poke_set") __weak;

/**
 * klpb_x86_reloc_width() - what an x86-64 relocation wrote
 * @type: its ELF64_R_TYPE()
 * @loc: where it wrote
 * @val: S + A on entry; the value written on return (PC-relative types:
 *	minus @loc)
 *
 * The types and widths of x86's __apply_relocate_add().
 *
 * Return: the number of bytes written at @loc, 0 for R_X86_64_NONE, or -1
 * for a type that apply_relocate_add() refuses (so it wrote nothing).
 */
static inline int klpb_x86_reloc_width(unsigned int type, const void *loc,
				       u64 *val)
{
	switch (type) {
	case R_X86_64_NONE:
		return 0;
	case R_X86_64_64:
		return 8;
	case R_X86_64_32:
	case R_X86_64_32S:
		return 4;
	case R_X86_64_PC32:
	case R_X86_64_PLT32:
		*val -= (u64)loc;
		return 4;
	case R_X86_64_PC64:
		*val -= (u64)loc;
		return 8;
	}
	return -1;
}

/**
 * klpb_clear_section_relocs() - zero the targets of one livepatch
 *	relocation section of a livepatch module
 * @pmod: the livepatch module
 * @info: its klp_info
 * @secndx: the .klp.rela section's index
 * @objname: the module object it relocates against (for messages)
 *
 * What x86's clear_relocate_add() of v6.3 does: each target that holds the
 * value the relocation wrote (S + A, minus the place for a PC-relative
 * type, with the symbol value the livepatch core resolved at the object's
 * load) is zeroed.  A target already zero was never written (the core
 * stopped at an earlier section) or was cleared: it is left.  A target
 * holding anything else is left too, with a warning: zeroing it could
 * break what wrote it, and the module's next load is then refused.
 */
static inline void klpb_clear_section_relocs(struct module *pmod,
					     const struct klp_modinfo *info,
					     unsigned int secndx,
					     const char *objname)
{
	static const u64 zero;
	const struct elf64_shdr *sec = &info->sechdrs[secndx];
	const struct elf64_shdr *target = &info->sechdrs[sec->sh_info];
	const struct elf64_rela *rel = (const void *)sec->sh_addr;
	const struct elf64_sym *symtab =
		(const void *)info->sechdrs[info->symndx].sh_addr;
	unsigned int i;

	for (i = 0; i < sec->sh_size / sizeof(*rel); i++) {
		const struct elf64_sym *sym = &symtab[ELF64_R_SYM(rel[i].r_info)];
		void *loc = (void *)(target->sh_addr + rel[i].r_offset);
		u64 val = sym->st_value + rel[i].r_addend;
		int width = klpb_x86_reloc_width(ELF64_R_TYPE(rel[i].r_info),
						 loc, &val);

		if (width <= 0 || !memcmp(loc, &zero, width))
			continue;
		if (memcmp(loc, &val, width)) {
			pr_warn("not clearing the livepatch relocation at %s+%#llx against '%s' (type %llu): it holds %*phN, not the value %*phN written for module '%s'; a later load of that module will be refused (\"existing value is nonzero\")\n",
				info->secstrings + target->sh_name,
				(unsigned long long)rel[i].r_offset,
				pmod->core_kallsyms.strtab + sym->st_name,
				(unsigned long long)ELF64_R_TYPE(rel[i].r_info),
				width, loc, width, &val, objname);
			continue;
		}
		klpb_kernel_text_poke_set(loc, 0, width);
	}
}
#endif

#if KLPB_KERNEL_CLEARS_KLP_RELOCS || KLPB_RUNTIME_CLEARS_KLP_RELOCS
/**
 * klpb_clear_klp_relocs() - clear what the livepatch core wrote for one
 *	object of a livepatch module
 * @pmod: the livepatch module (THIS_MODULE)
 * @objname: the object's name (a module's, as in .klp.rela.<objname>.)
 *
 * Clears every target of @pmod's .klp.rela.<objname>.* sections
 * (klpb_clear_section_relocs(): the kernel's clear_relocate_add() from
 * v6.3; the runtime's own before, where the livepatch core writes a module
 * object's relocations at each load of the module and never clears them,
 * and x86 refuses to relocate onto a non-zero target).  For the object of
 * a module that goes (post_unpatch, before v6.3) or whose load the bundle
 * refused (pre_patch: the core applied its relocations and will not clear
 * them).
 */
static inline void klpb_clear_klp_relocs(struct module *pmod,
					 const char *objname)
{
	struct klp_modinfo *info = pmod->klp_info;
	unsigned int i;

	if (!info)
		return;
	for (i = 1; i < info->hdr.e_shnum; i++)
		if (klpb_is_klp_rela_of(info, i, objname))
			klpb_clear_section_relocs(pmod, info, i, objname);
}
#else
static inline void klpb_clear_klp_relocs(struct module *pmod,
					 const char *objname)
{
}
#endif

#endif /* _KLPB_COMPAT_H */
