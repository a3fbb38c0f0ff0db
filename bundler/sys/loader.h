/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * loader.h - load a module from bytes in memory and remove one, the way a
 * live patch needs it: no file on disk between verification and the kernel
 * (memfd + finit_module), removal without ever forcing it.
 *
 * System calls go through libc's syscall(), so tests can interpose them.
 */
#ifndef KLPB_LOADER_H
#define KLPB_LOADER_H

#include <stddef.h>

/*
 * Load the module image @ko: a sealed memfd named after @name, then
 * finit_module() with the module parameters @params ("p=v p2=v2"; NULL:
 * none).  -EBUSY (a transition in progress) is retried every 100 ms for
 * up to @busy_ms.  Returns 0 or the kernel's -errno.
 */
int ld_insert(const void *ko, size_t len, const char *name, const char *params, int busy_ms);
/*
 * Remove module @name: delete_module(O_NONBLOCK) retried on -EAGAIN (its
 * reference count is not 0 yet) every 10 ms for up to @wait_ms.  Never
 * forced.  Returns 0 (also when it is not loaded) or -errno.
 */
int ld_remove(const char *name, int wait_ms);

#endif
