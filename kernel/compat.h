/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The one place for kernel-version-specific code in klp-bundle.
 */
#ifndef _KLPB_COMPAT_H
#define _KLPB_COMPAT_H

#include <linux/module.h>
#include <linux/version.h>

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
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 4, 0)
	*size = mod->mem[MOD_RODATA].size;
	return mod->mem[MOD_RODATA].base;
#else
	/* text, rodata, ro_after_init, data: all of it is mapped */
	*size = mod->core_layout.size;
	return mod->core_layout.base;
#endif
}

#endif /* _KLPB_COMPAT_H */
