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
 * KLPB_DIRECT_CALLS: KLPB_SYMBOL functions are called directly, through
 * livepatch relocations at the call sites (klp_bundle.h), not through a
 * pointer slot.  With CONFIG_X86_KERNEL_IBT (Debian 6.12) the kernel seals
 * every function whose address is never taken, and an indirect call to one
 * traps ("Missing ENDBR").  Direct calls need the kernel to clear module
 * relocations: the call sites are read-only text, which a module's second
 * load must find zero.  -DKLPB_SLOT_CALLS forces the old slot calls (a test
 * knob: selftests/ibt/run shows the IBT check catching them).
 */
#if KLPB_KERNEL_CLEARS_KLP_RELOCS && !defined(KLPB_SLOT_CALLS)
#define KLPB_DIRECT_CALLS 1
#else
#define KLPB_DIRECT_CALLS 0
#endif

/*
 * IBT needs direct calls (an indirect call to a sealed function traps),
 * direct calls need the kernel to clear module relocations: without it,
 * KLPB_SYMBOL functions could be reached neither way.
 */
#if defined(CONFIG_X86_KERNEL_IBT) && !KLPB_KERNEL_CLEARS_KLP_RELOCS
#error "CONFIG_X86_KERNEL_IBT without clear_relocate_add(): KLPB_SYMBOL functions cannot be reached"
#endif

#if KLPB_KERNEL_CLEARS_KLP_RELOCS
#include <linux/moduleloader.h>

/* not exported: reached by a direct-call livepatch relocation (create) */
typeof(clear_relocate_add) klpb_kernel_clear_relocate_add
	__asm__(KLPB_CALL_PREFIX "vmlinux.0.clear_relocate_add") __weak;

/**
 * klpb_clear_klp_relocs() - clear what the livepatch core wrote for one
 *	object of a livepatch module
 * @pmod: the livepatch module (THIS_MODULE)
 * @objname: the object's name (a module's, as in .klp.rela.<objname>.)
 *
 * Runs clear_relocate_add() over @pmod's .klp.rela.<objname>.* sections,
 * as klp_write_section_relocs(..., false) does (x86 takes text_mutex
 * itself).  For an object whose load the bundle refused: the livepatch
 * core applied its relocations and will not clear them.
 */
static inline void klpb_clear_klp_relocs(struct module *pmod,
					 const char *objname)
{
	struct klp_modinfo *info = pmod->klp_info;
	size_t len = strlen(objname);
	unsigned int i;

	if (!info)
		return;
	for (i = 1; i < info->hdr.e_shnum; i++) {
		const char *name = info->secstrings + info->sechdrs[i].sh_name;

		if (!(info->sechdrs[i].sh_flags & SHF_RELA_LIVEPATCH) ||
		    strncmp(name, ".klp.rela.", 10) ||
		    strncmp(name + 10, objname, len) || name[10 + len] != '.')
			continue;
		klpb_kernel_clear_relocate_add(info->sechdrs,
					       pmod->core_kallsyms.strtab,
					       info->symndx, i, pmod);
	}
}
#else
static inline void klpb_clear_klp_relocs(struct module *pmod,
					 const char *objname)
{
}
#endif

#endif /* _KLPB_COMPAT_H */
