// SPDX-License-Identifier: GPL-2.0-or-later
/* symbols.c - see symbols.h. */
#include <errno.h>
#include <gelf.h>
#include <libelf.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "create/kallsyms.h"
#include "create/symbols.h"
#include "sys/kernel-info.h"

/* A System.map line "ADDR TYPE NAME [MODULE]": a defined symbol of @object? */
static bool map_line_matches(const char *type, const char *mod, const char *object)
{
	if (type[0] == 'U' || type[1] != '\0')
		return false;
	if (strcmp(object, "vmlinux") == 0)
		return mod == NULL;
	return mod && strcmp(mod, object) == 0;
}

int symtab_from_map(const char *path, const char *object, struct symtab **out)
{
	struct symtab *t = symtab_new();
	char *line = NULL, *save;
	size_t cap = 0;
	FILE *f;
	int rc = 0;

	if (!t)
		return -ENOMEM;
	f = fopen(path, "re");
	if (!f) {
		rc = -errno;
		free(t);
		return rc;
	}
	while (!rc && getline(&line, &cap, f) > 0) {
		char *addr = strtok_r(line, " \t\n", &save);
		char *type = strtok_r(NULL, " \t\n", &save);
		char *name = strtok_r(NULL, " \t\n", &save);
		char *mod = strtok_r(NULL, " \t\n[]", &save);

		if (!addr || !type || !name || !map_line_matches(type, mod, object))
			continue;
		rc = symtab_add(t, name, strlen(name), symtab_type_is_func(type[0]));
	}
	free(line);
	fclose(f);
	if (rc) {
		symtab_free(t);
		return rc;
	}
	return symtab_finish(t, out);
}

/*
 * The symbols a module's kallsyms will have (kernel/module/kallsyms.c,
 * is_core_symbol()): defined, named, in an allocated section that is not an
 * init section.  That is the space livepatch counts sympos in.
 */
static bool kallsyms_would_keep(Elf *elf, size_t shstrndx, const GElf_Sym *sym)
{
	Elf_Scn *scn;
	GElf_Shdr shdr;
	const char *sec;

	if (sym->st_shndx == SHN_UNDEF || sym->st_shndx >= SHN_LORESERVE || !sym->st_name)
		return false;
	scn = elf_getscn(elf, sym->st_shndx);
	if (!scn || !gelf_getshdr(scn, &shdr) || !(shdr.sh_flags & SHF_ALLOC))
		return false;
	sec = elf_strptr(elf, shstrndx, shdr.sh_name);
	return sec && strncmp(sec, ".init", 5) != 0;
}

static int add_elf_symbols(struct symtab *t, Elf *elf)
{
	Elf_Scn *scn = NULL;
	size_t shstrndx;

	if (elf_getshdrstrndx(elf, &shstrndx) != 0)
		return -EBADMSG;
	while ((scn = elf_nextscn(elf, scn))) {
		GElf_Shdr shdr;
		Elf_Data *data;

		if (!gelf_getshdr(scn, &shdr) || shdr.sh_type != SHT_SYMTAB || !shdr.sh_entsize)
			continue;
		data = elf_getdata(scn, NULL);
		for (size_t i = 0; data && i < shdr.sh_size / shdr.sh_entsize; i++) {
			GElf_Sym sym;
			const char *name;
			int rc;

			if (!gelf_getsym(data, (int)i, &sym) ||
			    !kallsyms_would_keep(elf, shstrndx, &sym))
				continue;
			name = elf_strptr(elf, shdr.sh_link, sym.st_name);
			if (!name || !*name)
				continue;
			rc = symtab_add(t, name, strlen(name),
					GELF_ST_TYPE(sym.st_info) == STT_FUNC);
			if (rc)
				return rc;
		}
	}
	return 0;
}

int symtab_from_elf_file(const char *path, struct symtab **out)
{
	struct symtab *t;
	uint8_t *buf;
	size_t len;
	Elf *elf;
	int rc;

	if (elf_version(EV_CURRENT) == EV_NONE)
		return -ENOSYS;
	rc = read_elf_file(path, &buf, &len);
	if (rc)
		return rc;
	t = symtab_new();
	elf = t ? elf_memory((char *)buf, len) : NULL;
	if (!elf) {
		free(t);
		free(buf);
		return t ? -EBADMSG : -ENOMEM;
	}
	rc = add_elf_symbols(t, elf);
	elf_end(elf);
	free(buf);
	if (rc) {
		symtab_free(t);
		return rc;
	}
	return symtab_finish(t, out);
}

static int add_kallsyms_symbol(char type, const char *name, void *data)
{
	if (type == 'U')
		return 0;
	return symtab_add(data, name, strlen(name), symtab_type_is_func(type));
}

int symtab_from_vmlinux(const uint8_t *buf, size_t len, struct symtab **out)
{
	struct symtab *t;
	Elf *elf;
	int rc;

	if (elf_version(EV_CURRENT) == EV_NONE)
		return -ENOSYS;
	t = symtab_new();
	if (!t)
		return -ENOMEM;
	elf = elf_memory((char *)buf, len);
	rc = elf ? add_elf_symbols(t, elf) : -EBADMSG;
	if (elf)
		elf_end(elf);
	if (!rc && symtab_size(t) == 0) {
		rc = kallsyms_foreach(buf, len, add_kallsyms_symbol, t);
		rc = rc < 0 ? rc : 0;
	}
	if (rc) {
		symtab_free(t);
		return rc;
	}
	return symtab_finish(t, out);
}

int symtab_from_kernel_image(const char *path, struct symtab **out)
{
	uint8_t *buf;
	size_t len;
	int rc;

	rc = kernel_image_load(path, &buf, &len);
	if (rc)
		return rc;
	rc = symtab_from_vmlinux(buf, len, out);
	free(buf);
	return rc;
}
