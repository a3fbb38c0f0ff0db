/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * kallsyms.h - the symbol names and addresses of a stripped vmlinux, read from the
 * kallsyms tables every kernel image carries (their layout: kallsyms.c).
 */
#ifndef KLPB_CREATE_KALLSYMS_H
#define KLPB_CREATE_KALLSYMS_H

#include <stddef.h>
#include <stdint.h>

/*
 * Call @fn(type, name, addr, @data) for every symbol in the kallsyms tables
 * of the vmlinux image @img, in the tables' order (by address).  addr is the
 * link-time address, or 0 for every symbol when the address table is not
 * recognised.  Returns: the number of symbols, -ENOENT when no tables are
 * found, or @fn's negative return.
 */
int kallsyms_foreach(const uint8_t *img, size_t len,
		     int (*fn)(char type, const char *name, uint64_t addr, void *data), void *data);

#endif
