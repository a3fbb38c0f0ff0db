/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * kernel-info.h - facts about a kernel build read from files: GNU build-ids
 * (ELF images, raw note sections, compressed bzImages) and the function
 * symbols of vmlinux or of a module (for create's existence and sympos checks).
 *
 * Every function returns 0 or a negative errno and never prints.
 */
#ifndef KLPB_KERNEL_INFO_H
#define KLPB_KERNEL_INFO_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define BUILD_ID_MAX 64

struct build_id {
	uint8_t bytes[BUILD_ID_MAX];
	size_t len;
};

/*
 * The GNU build-id in a raw note section (/sys/kernel/notes,
 * /sys/module/M/notes/.note.gnu.build-id).  Returns -ENOENT when absent,
 * -EBADMSG when the notes are malformed.
 */
int notes_build_id(const void *buf, size_t len, struct build_id *id);
/* The GNU build-id of an ELF image in memory (vmlinux, a .ko, signed or not). */
int elf_build_id(const void *buf, size_t len, struct build_id *id);
/*
 * The build-id of a kernel image file: an ELF vmlinux, or a bzImage whose
 * payload is xz or zstd (Debian's /boot/vmlinuz-R), decompressed in memory.
 * Returns -EPROTONOSUPPORT for another compression.
 */
int kernel_image_build_id(const char *path, struct build_id *id);
/*
 * Read a kernel image (an ELF vmlinux, or the vmlinux inside a bzImage,
 * decompressed).  Returns: 0 with [owned] *@elf (free()), or -errno.
 */
int kernel_image_load(const char *path, uint8_t **elf, size_t *len);
/* The build-id of an ELF file (a module). */
int file_build_id(const char *path, struct build_id *id);

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
 * when it has one, else its kallsyms tables (kallsyms.c), which even a
 * stripped image carries.  Returns -ENOENT when neither is found.
 */
int symtab_from_kernel_image(const char *path, struct symtab **out);
/* The same from a vmlinux already in memory (kernel_image_load()). */
int symtab_from_vmlinux(const uint8_t *buf, size_t len, struct symtab **out);
/*
 * Call @fn(type, name, @data) for every symbol in the kallsyms tables of the
 * vmlinux image @img.  Returns: the number of symbols, -ENOENT when no
 * tables are found, or @fn's negative return.
 */
int kallsyms_foreach(const uint8_t *img, size_t len,
		     int (*fn)(char type, const char *name, void *data), void *data);

/*
 * The path of module @name for kernel @release, as modprobe would find it
 * (libkmod, /lib/modules/RELEASE).  Returns: 0 with [owned] *@path, -ENOENT.
 */
int module_path(const char *release, const char *name, char **path);

#endif
