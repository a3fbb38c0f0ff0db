/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * kernel-cache.h - remember what reading a kernel image costs (about a
 * second: xz decompression and the kallsyms walk): its vmlinux build-id and
 * function symbols, keyed by the image file's identity (device, inode,
 * size, modification time), in $KLPB_CACHE_DIR or
 * $XDG_CACHE_HOME/klp-bundle (~/.cache/klp-bundle).  A missing, stale or
 * unreadable entry is simply a miss; writing is best effort and atomic.
 */
#ifndef KLPB_KERNEL_CACHE_H
#define KLPB_KERNEL_CACHE_H

#include "sys/kernel-info.h"
#include "sys/symtab.h"

/*
 * Look @image up.  On a hit returns 0 with its build-id in @id and, when
 * @syms is not NULL, [owned] its function symbols.  -ENOENT on a miss.
 */
int kernel_cache_get(const char *image, struct build_id *id, struct symtab **syms);
/* Record @image's build-id and function symbols; errors are ignored. */
void kernel_cache_put(const char *image, const struct build_id *id, const struct symtab *syms);

#endif
