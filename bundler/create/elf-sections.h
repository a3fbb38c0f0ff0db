/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * elf-sections.h - finding a transaction module's sections with libelf, for
 * the readers and the rewriter of its .klpb.* declarations (klp-reloc.c,
 * module-decls.c).
 */
#ifndef KLPB_ELF_SECTIONS_H
#define KLPB_ELF_SECTIONS_H

#include <gelf.h>
#include <stddef.h>

/* The section called @name, and its index in *@index when @index is not NULL; NULL if none. */
Elf_Scn *klpb_elf_section(Elf *elf, const char *name, size_t *index);

/* The SHT_RELA section that applies to section @target; NULL if none. */
Elf_Scn *klpb_elf_rela_for(Elf *elf, size_t target);

#endif
