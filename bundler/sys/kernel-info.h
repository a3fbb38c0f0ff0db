/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * kernel-info.h - facts about a kernel build read from files: GNU build-ids
 * (ELF images, raw note sections, compressed bzImages), kernel images and
 * module files decompressed, and where a release's modules are installed.
 *
 * Every function returns 0 or a negative errno and never prints.
 */
#ifndef KLPB_KERNEL_INFO_H
#define KLPB_KERNEL_INFO_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "klp-bundle/format.h"

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
/* Read an ELF file (a module), decompressing a .ko.xz / .ko.zst: [owned] *@buf. */
int read_elf_file(const char *path, uint8_t **buf, size_t *len);
/* The build-id of an ELF file (a module). */
int file_build_id(const char *path, struct build_id *id);

/*
 * The klp_states a transaction module declares (KLPB_STATE: its
 * KLPB_SECTION_STATES section; the lineage state is not among them), from
 * the module image @ko: [owned] *@out (free()), *@n of them (0 when the
 * section is absent or empty).  -EBADMSG when @ko is no ELF image or the
 * section is malformed.
 */
int module_klp_states(const void *ko, size_t len, struct klpb_state **out, size_t *n);

/*
 * The path of module @name for kernel @release, as modprobe would find it
 * (libkmod, /lib/modules/RELEASE).  Returns: 0 with [owned] *@path, -ENOENT.
 */
int module_path(const char *release, const char *name, char **path);

/*
 * The kernel release module file @path was built for: the first word of its
 * modinfo vermagic (libkmod).  Returns: 0 with [owned] *@release, -ENOENT
 * when it has none, another negative errno when it cannot be read.
 */
int module_file_release(const char *path, char **release);

#endif
