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

#endif /* _KLPB_COMPAT_H */
