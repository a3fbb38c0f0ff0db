/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * symbols.h - the symbol tables (sys/symtab.h) create checks replaced
 * functions and referenced symbols against, read from a System.map, from an
 * ELF file (a module, or an unstripped vmlinux) or from a kernel image (its
 * ELF symbols, else its kallsyms tables: kallsyms.h).  Each symbol carries
 * SYMTAB_* flags: function or data, __init, no ftrace location (from the
 * object's __mcount_loc table); a System.map gives only the first.
 *
 * Every function returns 0 or a negative errno and never prints.
 */
#ifndef KLPB_CREATE_SYMBOLS_H
#define KLPB_CREATE_SYMBOLS_H

#include <stddef.h>
#include <stdint.h>

#include "sys/symtab.h"

/*
 * From a System.map or /proc/kallsyms style file: "ADDR TYPE NAME [MODULE]".
 * @object is "vmlinux" (lines without a module) or a module name.
 * Returns -ENODATA when the file holds no symbol for @object (Debian's
 * placeholder System.map has only an absolute one).
 */
int symtab_from_map(const char *path, const char *object, struct symtab **out);
/* From the symbol table of an ELF file (a module, or an unstripped vmlinux). */
int symtab_from_elf_file(const char *path, struct symtab **out);
/*
 * From a kernel image (/boot/vmlinuz-R or a vmlinux): its ELF symbol table
 * when it has one, else its kallsyms tables, which even a stripped image
 * carries.  Returns -ENOENT when neither is found.
 */
int symtab_from_kernel_image(const char *path, struct symtab **out);
/* The same from a vmlinux already in memory (kernel_image_load()). */
int symtab_from_vmlinux(const uint8_t *buf, size_t len, struct symtab **out);

#endif
