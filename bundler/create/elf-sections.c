// SPDX-License-Identifier: GPL-2.0-or-later
/* elf-sections.c - see elf-sections.h. */
#include <libelf.h>
#include <string.h>

#include "create/elf-sections.h"

Elf_Scn *klpb_elf_section(Elf *elf, const char *name, size_t *index)
{
	Elf_Scn *scn = NULL;
	size_t shstrndx;

	if (elf_getshdrstrndx(elf, &shstrndx) != 0)
		return NULL;
	while ((scn = elf_nextscn(elf, scn))) {
		GElf_Shdr shdr;
		const char *n;

		if (gelf_getshdr(scn, &shdr) && (n = elf_strptr(elf, shstrndx, shdr.sh_name)) &&
		    strcmp(n, name) == 0) {
			if (index)
				*index = elf_ndxscn(scn);
			return scn;
		}
	}
	return NULL;
}

Elf_Scn *klpb_elf_rela_for(Elf *elf, size_t target)
{
	Elf_Scn *scn = NULL;

	while ((scn = elf_nextscn(elf, scn))) {
		GElf_Shdr shdr;

		if (gelf_getshdr(scn, &shdr) && shdr.sh_type == SHT_RELA &&
		    shdr.sh_info == target && shdr.sh_entsize)
			return scn;
	}
	return NULL;
}
