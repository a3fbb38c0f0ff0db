// SPDX-License-Identifier: GPL-2.0-or-later
/* klp-reloc.c - see klp-reloc.h. */
#include <assert.h>
#include <errno.h>
#include <gelf.h>
#include <libelf.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "common/bundle-io.h"
#include "create/klp-reloc.h"
#include "util/file.h"

#ifndef SHF_RELA_LIVEPATCH
#define SHF_RELA_LIVEPATCH 0x00100000
#endif
#ifndef SHN_LIVEPATCH
#define SHN_LIVEPATCH 0xff20
#endif

/*
 * The declarations as the module holds them: the userspace view of
 * <klp_bundle_abi.h>'s structs, whose layout the kernel side asserts too.
 * create counts the .klpb.funcs entries (create/create.c) and reads the
 * .klpb.symrefs ones (below).
 */
static_assert(KLPB_FUNC_DECL_LAYOUT_OK, "struct klpb_func_decl as the kernel lays it out");
static_assert(KLPB_SYMREF_DECL_LAYOUT_OK, "struct klpb_symref_decl as the kernel lays it out");

#define SYMREF_FIELD(i, field) \
	((i) * sizeof(struct klpb_symref_decl) + offsetof(struct klpb_symref_decl, field))

static Elf_Scn *find_scn(Elf *elf, const char *name, size_t *index)
{
	Elf_Scn *scn = NULL;
	size_t shstrndx;

	if (elf_getshdrstrndx(elf, &shstrndx) != 0)
		return NULL;
	while ((scn = elf_nextscn(elf, scn))) {
		GElf_Shdr shdr;
		const char *n;

		if (!gelf_getshdr(scn, &shdr))
			continue;
		n = elf_strptr(elf, shstrndx, shdr.sh_name);
		if (n && strcmp(n, name) == 0) {
			if (index)
				*index = elf_ndxscn(scn);
			return scn;
		}
	}
	return NULL;
}

/* The RELA section that applies to section @target. */
static Elf_Scn *find_rela_for(Elf *elf, size_t target)
{
	Elf_Scn *scn = NULL;

	while ((scn = elf_nextscn(elf, scn))) {
		GElf_Shdr shdr;

		if (gelf_getshdr(scn, &shdr) && shdr.sh_type == SHT_RELA && shdr.sh_info == target)
			return scn;
	}
	return NULL;
}

/* Report why the relocations cannot be added; evaluates to @rc (a constant). */
#define reloc_err(ctx, rc, fmt, ...) \
	(p_err(ctx, rc, "cannot add the livepatch relocations: " fmt, ##__VA_ARGS__), (rc))

/* The same for a failure that needs no more words than its errno; returns @rc. */
static int reloc_fail(struct klpb_ctx *ctx, int rc)
{
	return reloc_err(ctx, rc, "%s", strerror(-rc));
}

struct reader {
	Elf *elf;
	Elf_Data *rela, *syms;
	size_t n_rela;
	struct klpb_ctx *ctx;
};

/* The symbol and addend of the relocation at @offset of .klpb.symrefs. */
static int reloc_at(const struct reader *r, size_t offset, GElf_Sym *sym, int64_t *addend)
{
	for (size_t i = 0; i < r->n_rela; i++) {
		GElf_Rela rela;

		if (!gelf_getrela(r->rela, (int)i, &rela) || rela.r_offset != offset)
			continue;
		if (!gelf_getsym(r->syms, (int)GELF_R_SYM(rela.r_info), sym))
			return reloc_fail(r->ctx, -EBADMSG);
		*addend = rela.r_addend;
		return 0;
	}
	return reloc_err(r->ctx, -EBADMSG, "no relocation at offset %zu of " KLPB_SECTION_SYMREFS,
			 offset);
}

/* The NUL-terminated string a pointer field points to; [owned]. */
static int string_at(const struct reader *r, size_t offset, char **out)
{
	Elf_Data *data;
	Elf_Scn *scn;
	GElf_Sym sym;
	int64_t addend;
	size_t at, n;
	int rc = reloc_at(r, offset, &sym, &addend);

	if (rc)
		return rc;
	scn = elf_getscn(r->elf, sym.st_shndx);
	data = scn ? elf_getdata(scn, NULL) : NULL;
	at = sym.st_value + (size_t)addend;
	if (!data || !data->d_buf || at >= data->d_size)
		return reloc_err(r->ctx, -EBADMSG,
				 "a " KLPB_SECTION_SYMREFS " string points outside its section");
	n = strnlen((const char *)data->d_buf + at, data->d_size - at);
	if (n == data->d_size - at)
		return reloc_fail(r->ctx, -EBADMSG);
	*out = strndup((const char *)data->d_buf + at, n);
	return *out ? 0 : reloc_fail(r->ctx, -ENOMEM);
}

static int read_entry(const struct reader *r, const Elf_Data *decls, size_t slots, size_t i,
		      struct klp_symref *ref)
{
	struct klpb_symref_decl decl;
	GElf_Sym sym;
	int64_t addend;
	int rc;

	memcpy(&decl, (const uint8_t *)decls->d_buf + i * sizeof(decl), sizeof(decl));
	ref->sympos = decl.sympos;
	rc = string_at(r, SYMREF_FIELD(i, object), &ref->object);
	if (!rc)
		rc = string_at(r, SYMREF_FIELD(i, name), &ref->name);
	if (!rc)
		rc = reloc_at(r, SYMREF_FIELD(i, slot), &sym, &addend);
	if (!rc && sym.st_shndx != slots)
		rc = reloc_err(r->ctx, -EBADMSG, "the slot of '%s' is not in " KLPB_SECTION_SLOTS,
			       ref->name);
	if (!rc)
		ref->slot = sym.st_value + (size_t)addend;
	return rc;
}

int klp_symrefs_read(struct klpb_ctx *ctx, const void *ko, size_t len, struct klp_symref **refs)
{
	struct reader r = { .ctx = ctx };
	size_t decls_idx, slots_idx, n = 0;
	Elf_Scn *decls_scn, *rela_scn;
	Elf_Data *decls;
	GElf_Shdr shdr;
	int rc = 0;

	*refs = NULL;
	if (elf_version(EV_CURRENT) == EV_NONE)
		return reloc_fail(ctx, -ENOSYS);
	r.elf = elf_memory((char *)ko, len);
	if (!r.elf)
		return reloc_fail(ctx, -EBADMSG);
	decls_scn = find_scn(r.elf, KLPB_SECTION_SYMREFS, &decls_idx);
	decls = decls_scn ? elf_getdata(decls_scn, NULL) : NULL;
	if (!decls || decls->d_size == 0)
		goto out;
	n = decls->d_size / sizeof(struct klpb_symref_decl);
	rela_scn = find_rela_for(r.elf, decls_idx);
	if (!find_scn(r.elf, KLPB_SECTION_SLOTS, &slots_idx) || !rela_scn ||
	    !gelf_getshdr(rela_scn, &shdr) || !shdr.sh_entsize) {
		rc = reloc_err(ctx, -EBADMSG,
			       "the module has KLPB_SYMBOL declarations but no slots");
		goto out;
	}
	r.rela = elf_getdata(rela_scn, NULL);
	r.n_rela = shdr.sh_size / shdr.sh_entsize;
	r.syms = elf_getdata(elf_getscn(r.elf, shdr.sh_link), NULL);
	*refs = calloc(n, sizeof(**refs));
	if (!*refs || !r.rela || !r.syms) {
		rc = reloc_fail(ctx, *refs ? -EBADMSG : -ENOMEM);
		goto out;
	}
	for (size_t i = 0; !rc && i < n; i++)
		rc = read_entry(&r, decls, slots_idx, i, &(*refs)[i]);
out:
	elf_end(r.elf);
	if (rc) {
		klp_symrefs_free(*refs, n);
		*refs = NULL;
		return rc;
	}
	return (int)n;
}

void klp_symrefs_free(struct klp_symref *refs, size_t n)
{
	for (size_t i = 0; refs && i < n; i++) {
		free(refs[i].object);
		free(refs[i].name);
	}
	free(refs);
}

/* Growable copies of the sections the rewrite appends to. */
struct table {
	Elf_Data *data;
	uint8_t *buf;
	size_t len;
};

static int table_open(struct table *t, Elf_Scn *scn)
{
	t->data = elf_getdata(scn, NULL);
	if (!t->data)
		return -EBADMSG;
	t->len = t->data->d_size;
	t->buf = malloc(t->len + 1);
	if (!t->buf)
		return -ENOMEM;
	memcpy(t->buf, t->data->d_buf, t->len);
	return 0;
}

/* Append @len bytes; returns their offset, or -ENOMEM. */
static long table_append(struct table *t, const void *p, size_t len)
{
	uint8_t *b = realloc(t->buf, t->len + len + 1);
	long off = (long)t->len;

	if (!b)
		return -ENOMEM;
	memcpy(b + t->len, p, len);
	t->buf = b;
	t->len += len;
	return off;
}

static void table_commit(struct table *t)
{
	t->data->d_buf = t->buf;
	t->data->d_size = t->len;
	elf_flagdata(t->data, ELF_C_SET, ELF_F_DIRTY);
}

struct rewrite {
	Elf *elf;
	size_t symtab_idx, slots_idx;
	struct table symtab, strtab, shstrtab;
	void **bufs; /* new section contents, freed after elf_update */
	size_t n_bufs;
};

/* The index of ".klp.sym.<obj>.<name>,<pos>", appended on first use. */
static long klp_symbol(struct rewrite *rw, const struct klp_symref *ref)
{
	char name[600];
	Elf64_Sym sym = {
		.st_info = ELF64_ST_INFO(STB_GLOBAL, STT_NOTYPE),
		.st_shndx = SHN_LIVEPATCH,
	};
	size_t nsyms = rw->symtab.len / sizeof(Elf64_Sym);
	long off;

	snprintf(name, sizeof(name), ".klp.sym.%s.%s,%lu", ref->object, ref->name, ref->sympos);
	for (size_t i = 0; i < nsyms; i++) {
		const Elf64_Sym *s = (const Elf64_Sym *)rw->symtab.buf + i;

		if (s->st_shndx == SHN_LIVEPATCH && s->st_name < rw->strtab.len &&
		    strcmp((const char *)rw->strtab.buf + s->st_name, name) == 0)
			return (long)i;
	}
	off = table_append(&rw->strtab, name, strlen(name) + 1);
	if (off < 0)
		return off;
	sym.st_name = (Elf64_Word)off;
	if (table_append(&rw->symtab, &sym, sizeof(sym)) < 0)
		return -ENOMEM;
	return (long)nsyms;
}

/* Add ".klp.rela.<object>.klpb_slots" for the references to @object. */
static int add_rela_section(struct rewrite *rw, const char *object, const struct klp_symref *refs,
			    size_t n)
{
	Elf64_Rela *rela = calloc(n, sizeof(*rela));
	char name[128];
	size_t count = 0;
	Elf_Data *data;
	Elf_Scn *scn;
	GElf_Shdr shdr;
	long name_off;
	void **v;

	if (!rela)
		return -ENOMEM;
	v = realloc(rw->bufs, (rw->n_bufs + 1) * sizeof(*v));
	if (!v) {
		free(rela);
		return -ENOMEM;
	}
	rw->bufs = v;
	rw->bufs[rw->n_bufs++] = rela;
	for (size_t i = 0; i < n; i++) {
		long sym;

		if (strcmp(refs[i].object, object) != 0)
			continue;
		sym = klp_symbol(rw, &refs[i]);
		if (sym < 0)
			return (int)sym;
		rela[count++] = (Elf64_Rela){ .r_offset = refs[i].slot,
					      .r_info = ELF64_R_INFO(sym, R_X86_64_64) };
	}
	snprintf(name, sizeof(name), ".klp.rela.%s.klpb_slots", object);
	name_off = table_append(&rw->shstrtab, name, strlen(name) + 1);
	scn = elf_newscn(rw->elf);
	data = scn ? elf_newdata(scn) : NULL;
	if (name_off < 0 || !data || !gelf_getshdr(scn, &shdr))
		return -ENOMEM;
	data->d_buf = rela;
	data->d_size = count * sizeof(*rela);
	data->d_type = ELF_T_RELA;
	data->d_align = 8;
	shdr.sh_name = (Elf64_Word)name_off;
	shdr.sh_type = SHT_RELA;
	shdr.sh_flags = SHF_ALLOC | SHF_RELA_LIVEPATCH;
	shdr.sh_link = (Elf64_Word)rw->symtab_idx;
	shdr.sh_info = (Elf64_Word)rw->slots_idx;
	shdr.sh_addralign = 8;
	shdr.sh_entsize = sizeof(*rela);
	return gelf_update_shdr(scn, &shdr) ? 0 : -EBADMSG;
}

static int add_relocations(struct klpb_ctx *ctx, struct rewrite *rw, const struct klp_symref *refs,
			   size_t n)
{
	for (size_t i = 0; i < n; i++) {
		size_t j;
		int rc;

		for (j = 0; j < i && strcmp(refs[j].object, refs[i].object) != 0; j++)
			;
		if (j < i)
			continue; /* that object has its section already */
		rc = add_rela_section(rw, refs[i].object, refs, n);
		if (rc)
			return reloc_fail(ctx, rc);
	}
	return 0;
}

static int open_tables(struct klpb_ctx *ctx, struct rewrite *rw)
{
	Elf_Scn *symtab = find_scn(rw->elf, ".symtab", &rw->symtab_idx);
	Elf_Scn *scn = NULL;
	size_t shstrndx;
	GElf_Shdr shdr;
	int rc;

	/* Read every section now: elf_update() rewrites the file under them. */
	while ((scn = elf_nextscn(rw->elf, scn)))
		elf_getdata(scn, NULL);
	if (!symtab || !gelf_getshdr(symtab, &shdr) ||
	    !find_scn(rw->elf, KLPB_SECTION_SLOTS, &rw->slots_idx) ||
	    elf_getshdrstrndx(rw->elf, &shstrndx) != 0)
		return reloc_err(ctx, -EBADMSG,
				 "the module has no .symtab or no " KLPB_SECTION_SLOTS " section");
	rc = table_open(&rw->symtab, symtab);
	if (!rc)
		rc = table_open(&rw->strtab, elf_getscn(rw->elf, shdr.sh_link));
	if (!rc)
		rc = table_open(&rw->shstrtab, elf_getscn(rw->elf, shstrndx));
	return rc ? reloc_fail(ctx, rc) : 0;
}

/* Read all of @fd (from 0) into @out. */
static int read_back(int fd, struct klpb_buf *out)
{
	uint8_t *p;
	size_t len;
	int rc;

	if (lseek(fd, 0, SEEK_SET) < 0)
		return -errno;
	rc = read_fd_capped(fd, READ_FILE_MAX, &p, &len);
	if (!rc)
		buf_adopt(out, p, len);
	return rc;
}

/* Write the grown tables and the new sections back into the module. */
static int update_elf(struct klpb_ctx *ctx, struct rewrite *rw)
{
	table_commit(&rw->symtab);
	table_commit(&rw->strtab);
	table_commit(&rw->shstrtab);
	if (elf_update(rw->elf, ELF_C_WRITE) < 0)
		return reloc_err(ctx, -EBADMSG, "cannot rewrite the module: %s", elf_errmsg(-1));
	return 0;
}

int klp_reloc_rewrite(struct klpb_ctx *ctx, struct klpb_buf *ko, const struct klp_symref *refs,
		      size_t n)
{
	struct rewrite rw = { 0 };
	int fd, rc;

	if (n == 0)
		return 0;
	if (elf_version(EV_CURRENT) == EV_NONE)
		return reloc_fail(ctx, -ENOSYS);
	fd = memfd_create("klpb-ko", MFD_CLOEXEC);
	if (fd < 0)
		return reloc_fail(ctx, -errno);
	if (pwrite(fd, ko->data, ko->len, 0) != (ssize_t)ko->len) {
		close(fd);
		return reloc_fail(ctx, -EIO);
	}
	rw.elf = elf_begin(fd, ELF_C_RDWR, NULL);
	rc = rw.elf ? open_tables(ctx, &rw) : reloc_fail(ctx, -EBADMSG);
	if (!rc)
		rc = add_relocations(ctx, &rw, refs, n);
	if (!rc)
		rc = update_elf(ctx, &rw);
	if (rw.elf)
		elf_end(rw.elf);
	if (!rc) {
		rc = read_back(fd, ko);
		if (rc)
			reloc_fail(ctx, rc);
	}
	close(fd);
	for (size_t i = 0; i < rw.n_bufs; i++)
		free(rw.bufs[i]);
	free(rw.bufs);
	free(rw.symtab.buf);
	free(rw.strtab.buf);
	free(rw.shstrtab.buf);
	return rc;
}
