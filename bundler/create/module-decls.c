// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * module-decls.c - see module-decls.h.
 * The sections are found as klp-reloc.c finds them (elf-sections.c).
 */
#include <assert.h>
#include <errno.h>
#include <gelf.h>
#include <libelf.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "create/elf-sections.h"
#include "create/module-decls.h"
#include "klp-bundle/format.h"

static_assert(KLPB_FUNC_DECL_LAYOUT_OK, "struct klpb_func_decl as the kernel lays it out");

struct funcs_reader {
	Elf *elf;
	Elf_Data *decls, *rela, *syms;
	size_t n_rela;
};

/* Open .klpb.funcs, its RELA section and symbol table; 0 entries when it is absent. */
static int open_funcs(struct funcs_reader *r, size_t *n)
{
	Elf_Scn *scn, *rela;
	GElf_Shdr shdr;
	size_t idx;

	*n = 0;
	scn = klpb_elf_section(r->elf, KLPB_SECTION_FUNCS, &idx);
	r->decls = scn ? elf_getdata(scn, NULL) : NULL;
	if (!r->decls || !r->decls->d_size)
		return 0;
	rela = klpb_elf_rela_for(r->elf, idx);
	if (!rela || !gelf_getshdr(rela, &shdr))
		return -EBADMSG;
	r->rela = elf_getdata(rela, NULL);
	r->n_rela = shdr.sh_size / shdr.sh_entsize;
	r->syms = elf_getdata(elf_getscn(r->elf, shdr.sh_link), NULL);
	if (!r->rela || !r->syms)
		return -EBADMSG;
	*n = r->decls->d_size / sizeof(struct klpb_func_decl);
	return 0;
}

/* The string the pointer at @offset of .klpb.funcs points to; [owned]. */
static int string_at(const struct funcs_reader *r, size_t offset, char **out)
{
	for (size_t i = 0; i < r->n_rela; i++) {
		GElf_Rela rela;
		GElf_Sym sym;
		Elf_Data *data;
		Elf_Scn *scn;
		size_t at;

		if (!gelf_getrela(r->rela, (int)i, &rela) || rela.r_offset != offset)
			continue;
		if (!gelf_getsym(r->syms, (int)GELF_R_SYM(rela.r_info), &sym))
			return -EBADMSG;
		scn = elf_getscn(r->elf, sym.st_shndx);
		data = scn ? elf_getdata(scn, NULL) : NULL;
		at = sym.st_value + (size_t)rela.r_addend;
		if (!data || !data->d_buf || at >= data->d_size ||
		    !memchr((const char *)data->d_buf + at, '\0', data->d_size - at))
			return -EBADMSG;
		*out = strdup((const char *)data->d_buf + at);
		return *out ? 0 : -ENOMEM;
	}
	return -EBADMSG;
}

static int read_func(const struct funcs_reader *r, size_t i, struct module_func *f)
{
	size_t at = i * sizeof(struct klpb_func_decl);
	struct klpb_func_decl d;
	int rc;

	memcpy(&d, (const uint8_t *)r->decls->d_buf + at, sizeof(d));
	f->sympos = d.old_sympos;
	rc = string_at(r, at + offsetof(struct klpb_func_decl, object), &f->object);
	return rc ? rc : string_at(r, at + offsetof(struct klpb_func_decl, old_name), &f->old_name);
}

int module_funcs_read(struct klpb_ctx *ctx, const void *ko, size_t len, struct module_func **funcs)
{
	struct funcs_reader r = { 0 };
	size_t n = 0;
	int rc;

	*funcs = NULL;
	if (elf_version(EV_CURRENT) == EV_NONE)
		return -ENOSYS;
	r.elf = elf_memory((char *)ko, len);
	rc = r.elf ? open_funcs(&r, &n) : -EBADMSG;
	if (!rc && n) {
		*funcs = calloc(n, sizeof(**funcs));
		rc = *funcs ? 0 : -ENOMEM;
	}
	for (size_t i = 0; !rc && i < n; i++)
		rc = read_func(&r, i, &(*funcs)[i]);
	if (r.elf)
		elf_end(r.elf);
	if (!rc)
		return (int)n;
	module_funcs_free(*funcs, n);
	*funcs = NULL;
	p_err(ctx, rc, "cannot read the module's " KLPB_SECTION_FUNCS " declarations: %s",
	      rc == -EBADMSG ? "the section or its relocations are malformed" : strerror(-rc));
	return rc;
}

void module_funcs_free(struct module_func *funcs, size_t n)
{
	for (size_t i = 0; funcs && i < n; i++) {
		free(funcs[i].object);
		free(funcs[i].old_name);
	}
	free(funcs);
}
