// SPDX-License-Identifier: GPL-2.0-or-later
/* klp-reloc.c - see klp-reloc.h. */
#include <assert.h>
#include <stdbool.h>
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
#include "create/elf-sections.h"
#include "create/klp-reloc.h"
#include "util/file.h"

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
	ref->flags = decl.flags;
	rc = string_at(r, SYMREF_FIELD(i, object), &ref->object);
	if (!rc)
		rc = string_at(r, SYMREF_FIELD(i, name), &ref->name);
	if (!rc && (ref->flags & (KLPB_SYMREF_CALL | KLPB_SYMREF_DIRECT)))
		return 0; /* no slot: the uses are relocated (rewrite_calls()) */
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
	decls_scn = klpb_elf_section(r.elf, KLPB_SECTION_SYMREFS, &decls_idx);
	decls = decls_scn ? elf_getdata(decls_scn, NULL) : NULL;
	if (!decls || decls->d_size == 0)
		goto out;
	n = decls->d_size / sizeof(struct klpb_symref_decl);
	rela_scn = klpb_elf_rela_for(r.elf, decls_idx);
	if (!klpb_elf_section(r.elf, KLPB_SECTION_SLOTS, &slots_idx) || !rela_scn ||
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
	bool changed; /* anything to write back */
	struct call_site {
		size_t shndx;
		uint64_t off;
	} * sites; /* the call instructions moved to livepatch relocations */
	size_t n_sites;
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

/* Keep @p (a new section's contents) until elf_update() wrote it; frees it on failure. */
static int keep_buf(struct rewrite *rw, void *p)
{
	void **v = realloc(rw->bufs, (rw->n_bufs + 1) * sizeof(*v));

	if (!v) {
		free(p);
		return -ENOMEM;
	}
	rw->bufs = v;
	rw->bufs[rw->n_bufs++] = p;
	return 0;
}

/* Add the livepatch relocation section @name: @count entries of @rela (kept) for @target. */
static int new_rela_section(struct rewrite *rw, const char *name, size_t target, Elf64_Rela *rela,
			    size_t count)
{
	long name_off = table_append(&rw->shstrtab, name, strlen(name) + 1);
	Elf_Scn *scn = elf_newscn(rw->elf);
	Elf_Data *data = scn ? elf_newdata(scn) : NULL;
	GElf_Shdr shdr;

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
	shdr.sh_info = (Elf64_Word)target;
	shdr.sh_addralign = 8;
	shdr.sh_entsize = sizeof(*rela);
	rw->changed = true;
	return gelf_update_shdr(scn, &shdr) ? 0 : -EBADMSG;
}

/* Add ".klp.rela.<object>.klpb_slots" for the slot references to @object. */
static int add_rela_section(struct rewrite *rw, const char *object, const struct klp_symref *refs,
			    size_t n)
{
	Elf64_Rela *rela = calloc(n, sizeof(*rela));
	char name[128];
	size_t count = 0;
	int rc;

	if (!rela)
		return -ENOMEM;
	rc = keep_buf(rw, rela);
	if (rc)
		return rc;
	for (size_t i = 0; i < n; i++) {
		long sym;

		if (strcmp(refs[i].object, object) != 0 ||
		    (refs[i].flags & (KLPB_SYMREF_CALL | KLPB_SYMREF_DIRECT)))
			continue;
		sym = klp_symbol(rw, &refs[i]);
		if (sym < 0)
			return (int)sym;
		rela[count++] = (Elf64_Rela){ .r_offset = refs[i].slot,
					      .r_info = ELF64_R_INFO(sym, R_X86_64_64) };
	}
	if (count == 0)
		return 0; /* only direct calls for this object */
	snprintf(name, sizeof(name), ".klp.rela.%s.klpb_slots", object);
	return new_rela_section(rw, name, rw->slots_idx, rela, count);
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

/* A weak undefined KLPB_CALL_PREFIX "<object>.<pos>.<name>" symbol of the module. */
struct call_sym {
	size_t index; /* in .symtab */
	char object[KLPB_MAX_NAME + 1];
	char name[KLPB_MAX_SYMBOL + 1];
	unsigned long pos;
	bool any_use; /* a KLPB_SYMREF_DIRECT reference: every relocation moves */
};

/* The runtime's own direct calls (kernel/compat.h), which no patch source declares. */
static const struct {
	const char *object, *name;
} runtime_calls[] = {
	{ "vmlinux", "clear_relocate_add" },
	{ "vmlinux", "text_poke_set" },
};

static const Elf64_Sym *sym_at(const struct rewrite *rw, size_t i)
{
	return (const Elf64_Sym *)rw->symtab.buf + i;
}

static const char *sym_name(const struct rewrite *rw, const Elf64_Sym *sym)
{
	return sym->st_name < rw->strtab.len ? (const char *)rw->strtab.buf + sym->st_name : "";
}

/* Parse "<object>.<pos>.<name>" (after the prefix) into @c; -1 if it is not that. */
static int parse_call_name(const char *n, struct call_sym *c)
{
	const char *dot = strchr(n, '.');
	char *end;

	if (!dot || dot == n || (size_t)(dot - n) > KLPB_MAX_NAME || dot[1] < '0' || dot[1] > '9')
		return -1;
	errno = 0;
	c->pos = strtoul(dot + 1, &end, 10);
	if (errno || *end != '.' || !end[1] || strlen(end + 1) > KLPB_MAX_SYMBOL)
		return -1;
	memcpy(c->object, n, (size_t)(dot - n));
	c->object[dot - n] = '\0';
	strcpy(c->name, end + 1);
	return 0;
}

/*
 * Which declaration @c is: 0 for a KLPB_SYMREF_CALL or _DIRECT one (setting
 * @c->any_use for a direct one) or the runtime's, else an error.
 */
static int check_call_sym(struct klpb_ctx *ctx, struct call_sym *c, const struct klp_symref *refs,
			  size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (strcmp(refs[i].object, c->object) != 0 || strcmp(refs[i].name, c->name) != 0 ||
		    refs[i].sympos != c->pos)
			continue;
		if (refs[i].flags & KLPB_SYMREF_DIRECT) {
			/*
			 * Extracted code (create --patch): its function
			 * addresses were checked there, against the
			 * kernel's own uses (objextract.c).
			 */
			c->any_use = true;
			return 0;
		}
		if (refs[i].flags & KLPB_SYMREF_CALL)
			return 0;
		return reloc_err(ctx, -EBADMSG,
				 "'%s' of %s is called directly but its declaration has a slot",
				 c->name, c->object);
	}
	for (size_t i = 0; i < sizeof(runtime_calls) / sizeof(runtime_calls[0]); i++)
		if (c->pos == 0 && strcmp(runtime_calls[i].object, c->object) == 0 &&
		    strcmp(runtime_calls[i].name, c->name) == 0)
			return 0;
	return reloc_err(
		ctx, -EBADMSG,
		"the module calls '%s' of %s (position %lu) directly, but no KLPB_SYMBOL declares it",
		c->name, c->object, c->pos);
}

/* The weak undefined call symbols of the module; their count, or a negative errno. */
static long find_call_syms(struct klpb_ctx *ctx, struct rewrite *rw, const struct klp_symref *refs,
			   size_t n, struct call_sym **out)
{
	size_t nsyms = rw->symtab.len / sizeof(Elf64_Sym), count = 0;
	const size_t plen = strlen(KLPB_CALL_PREFIX);
	struct call_sym *v = NULL;

	for (size_t i = 1; i < nsyms; i++) {
		const Elf64_Sym *sym = sym_at(rw, i);
		const char *name = sym_name(rw, sym);
		struct call_sym *grown;
		int rc;

		if (sym->st_shndx != SHN_UNDEF || strncmp(name, KLPB_CALL_PREFIX, plen) != 0)
			continue;
		grown = realloc(v, (count + 1) * sizeof(*v));
		if (!grown) {
			free(v);
			return reloc_fail(ctx, -ENOMEM);
		}
		v = grown;
		v[count].index = i;
		v[count].any_use = false;
		rc = parse_call_name(name + plen, &v[count]);
		if (rc)
			rc = reloc_err(ctx, -EBADMSG, "malformed direct-call symbol '%s'", name);
		else
			rc = check_call_sym(ctx, &v[count], refs, n);
		if (rc) {
			free(v);
			return rc;
		}
		count++;
	}
	*out = v;
	return (long)count;
}

/* The function of section @shndx that holds offset @off, or "". */
static const char *function_at(const struct rewrite *rw, size_t shndx, uint64_t off)
{
	size_t nsyms = rw->symtab.len / sizeof(Elf64_Sym);

	for (size_t i = 1; i < nsyms; i++) {
		const Elf64_Sym *sym = sym_at(rw, i);

		if (ELF64_ST_TYPE(sym->st_info) == STT_FUNC && sym->st_shndx == shndx &&
		    sym->st_value <= off && off < sym->st_value + sym->st_size)
			return sym_name(rw, sym);
	}
	return "";
}

/*
 * Whether @rela, in section @target (@tshdr, @tdata), is a call or jump to
 * exactly its symbol: a rel32 after an e8 (call), e9 (jmp) or 0f 8x (jcc)
 * opcode, with addend -4.
 */
static bool is_direct_call(const Elf64_Rela *rela, const GElf_Shdr *tshdr, const Elf_Data *tdata)
{
	unsigned int type = ELF64_R_TYPE(rela->r_info);
	const uint8_t *b = tdata ? tdata->d_buf : NULL;
	uint64_t off = rela->r_offset;

	if ((type != R_X86_64_PLT32 && type != R_X86_64_PC32) || rela->r_addend != -4 ||
	    !(tshdr->sh_flags & SHF_EXECINSTR) || !b || off < 1 || off + 4 > tdata->d_size)
		return false;
	return b[off - 1] == 0xe8 || b[off - 1] == 0xe9 ||
	       (off >= 2 && b[off - 2] == 0x0f && (b[off - 1] & 0xf0) == 0x80);
}

/* The refusal of a relocation to a direct-call function that is not a call. */
static int refuse_address(struct klpb_ctx *ctx, struct rewrite *rw, const struct call_sym *c,
			  const char *tname, size_t target, const Elf64_Rela *rela)
{
	const char *fn = function_at(rw, target, rela->r_offset);

	return reloc_err(
		ctx, -EINVAL,
		"%s+0x%llx%s%s%s uses the address of the function '%s' of %s (KLPB_SYMBOL) other than to call it: on a kernel with CONFIG_X86_KERNEL_IBT, a function reached through a pointer is called indirectly, and a non-exported one has no ENDBR (IBT traps: \"Missing ENDBR\"). Call it only as KLPB_SYM(%s)(...), in a function of the patch, and pass or store the address of that function instead",
		tname, (unsigned long long)rela->r_offset, *fn ? " (in " : "", fn, *fn ? ")" : "",
		c->name, c->object, c->name);
}

/* The name of section @shdr. */
static const char *scn_name(const struct rewrite *rw, const GElf_Shdr *shdr)
{
	return shdr->sh_name < rw->shstrtab.len ? (const char *)rw->shstrtab.buf + shdr->sh_name :
						  "";
}

/* Relocation types x86-64's apply_relocate_add() writes (besides R_X86_64_NONE). */
static bool klp_writable_type(unsigned int type)
{
	return type == R_X86_64_64 || type == R_X86_64_32 || type == R_X86_64_32S ||
	       type == R_X86_64_PC32 || type == R_X86_64_PLT32 || type == R_X86_64_PC64;
}

/*
 * Whether @rela (in section @tname, @tshdr) against the direct data
 * reference @c can become a livepatch relocation; 0 or the refusal.
 */
static int check_data_use(struct klpb_ctx *ctx, struct rewrite *rw, const struct call_sym *c,
			  const char *tname, const GElf_Shdr *tshdr, size_t target,
			  const Elf64_Rela *rela)
{
	const char *fn = function_at(rw, target, rela->r_offset);
	const char *why = NULL;

	if (!klp_writable_type(ELF64_R_TYPE(rela->r_info)))
		why = "its relocation type is not one the kernel's apply_relocate_add() writes";
	else if (!(tshdr->sh_flags & SHF_ALLOC))
		why = "that section is not loaded";
	else if (strcmp(tname, "__jump_table") == 0 || strcmp(tname, ".static_call_sites") == 0)
		why = "the kernel reads that table when the module comes, before livepatch writes the key's address: the key must be exported, or the code must not use it";
	if (!why)
		return 0;
	return reloc_err(ctx, -EINVAL,
			 "%s+0x%llx%s%s%s refers to '%s' of %s (relocation type %u): %s", tname,
			 (unsigned long long)rela->r_offset, *fn ? " (in " : "", fn, *fn ? ")" : "",
			 c->name, c->object, (unsigned int)ELF64_R_TYPE(rela->r_info), why);
}

/*
 * Move the relocations of one ordinary RELA section @scn against the call
 * symbols into ".klp.rela.<object>.<target section>" sections.
 */
static int move_calls(struct klpb_ctx *ctx, struct rewrite *rw, Elf_Scn *scn,
		      const struct call_sym *calls, size_t n_calls, const long *call_of)
{
	GElf_Shdr shdr, tshdr;
	Elf_Data *data = elf_getdata(scn, NULL), *tdata;
	Elf_Scn *tscn;
	Elf64_Rela *rela, *kept;
	size_t count, n_kept = 0, n_moved = 0, nsyms = rw->symtab.len / sizeof(Elf64_Sym);
	char tname_buf[512];
	const char *tname;
	int rc;

	if (!gelf_getshdr(scn, &shdr) || !data || !data->d_buf)
		return 0;
	rela = data->d_buf;
	count = data->d_size / sizeof(*rela);
	for (size_t j = 0; j < count; j++) {
		size_t si = ELF64_R_SYM(rela[j].r_info);

		if (si < nsyms && call_of[si] >= 0)
			n_moved++;
	}
	if (n_moved == 0)
		return 0;
	tscn = elf_getscn(rw->elf, shdr.sh_info);
	tdata = tscn ? elf_getdata(tscn, NULL) : NULL;
	if (!tscn || !gelf_getshdr(tscn, &tshdr))
		return reloc_fail(ctx, -EBADMSG);
	/*
	 * A copy: new_rela_section() appends to .shstrtab, which moves the
	 * section names, once per object of the section's references.
	 */
	snprintf(tname_buf, sizeof(tname_buf), "%s", scn_name(rw, &tshdr));
	tname = tname_buf;
	for (size_t j = 0; j < count; j++) {
		size_t si = ELF64_R_SYM(rela[j].r_info);

		if (si >= nsyms || call_of[si] < 0)
			continue;
		if (calls[call_of[si]].any_use) {
			rc = check_data_use(ctx, rw, &calls[call_of[si]], tname, &tshdr,
					    shdr.sh_info, &rela[j]);
			if (rc)
				return rc;
		} else if (!is_direct_call(&rela[j], &tshdr, tdata)) {
			return refuse_address(ctx, rw, &calls[call_of[si]], tname, shdr.sh_info,
					      &rela[j]);
		}
		if (strncmp(tname, ".init", 5) == 0 || strncmp(tname, ".exit", 5) == 0)
			return reloc_err(
				ctx, -EINVAL,
				"%s+0x%llx %s '%s' of %s from an __init or __exit function: use it only from the patch's replacement functions and callbacks",
				tname, (unsigned long long)rela[j].r_offset,
				calls[call_of[si]].any_use ? "refers to" : "calls",
				calls[call_of[si]].name, calls[call_of[si]].object);
		if (strcmp(tname, ".altinstr_replacement") == 0)
			return reloc_err(
				ctx, -EINVAL,
				"%s+0x%llx %s '%s' of %s from an alternative's replacement code: the module loader's apply_alternatives() copies that code into the function before livepatch writes the .klp.rela relocations, so the copy would keep a displacement to nothing; keep the use out of alternative() replacements (call it from the function's ordinary code)",
				tname, (unsigned long long)rela[j].r_offset,
				calls[call_of[si]].any_use ? "refers to" : "calls",
				calls[call_of[si]].name, calls[call_of[si]].object);
		if (is_direct_call(&rela[j], &tshdr, tdata) &&
		    ((const uint8_t *)tdata->d_buf)[rela[j].r_offset - 1] == 0xe8) {
			struct call_site *v = realloc(rw->sites, (rw->n_sites + 1) * sizeof(*v));

			if (!v)
				return reloc_fail(ctx, -ENOMEM);
			rw->sites = v;
			v[rw->n_sites++] = (struct call_site){ shdr.sh_info, rela[j].r_offset - 1 };
		}
	}
	/* one section per object, in the order the objects' symbols come */
	for (size_t c = 0; c < n_calls; c++) {
		Elf64_Rela *out;
		size_t n_out = 0, d;
		char name[600];

		for (d = 0; d < c && strcmp(calls[d].object, calls[c].object) != 0; d++)
			;
		if (d < c)
			continue; /* that object is done */
		out = calloc(n_moved, sizeof(*out));
		rc = out ? keep_buf(rw, out) : -ENOMEM;
		if (rc)
			return reloc_fail(ctx, rc);
		for (size_t j = 0; j < count; j++) {
			size_t si = ELF64_R_SYM(rela[j].r_info);

			if (si < nsyms && call_of[si] >= 0 &&
			    strcmp(calls[call_of[si]].object, calls[c].object) == 0)
				out[n_out++] = rela[j];
		}
		if (n_out == 0)
			continue;
		snprintf(name, sizeof(name), ".klp.rela.%s.%s", calls[c].object, tname);
		rc = new_rela_section(rw, name, shdr.sh_info, out, n_out);
		if (rc)
			return reloc_fail(ctx, rc);
	}
	kept = calloc(count - n_moved + 1, sizeof(*kept));
	rc = kept ? keep_buf(rw, kept) : -ENOMEM;
	if (rc)
		return reloc_fail(ctx, rc);
	for (size_t j = 0; j < count; j++) {
		size_t si = ELF64_R_SYM(rela[j].r_info);

		if (si >= nsyms || call_of[si] < 0)
			kept[n_kept++] = rela[j];
	}
	data->d_buf = kept;
	data->d_size = n_kept * sizeof(*kept);
	elf_flagdata(data, ELF_C_SET, ELF_F_DIRTY);
	return 0;
}

/* Whether @scn is an ordinary (not livepatch) RELA section of .symtab. */
static bool ordinary_rela(const struct rewrite *rw, Elf_Scn *scn)
{
	GElf_Shdr shdr;

	return gelf_getshdr(scn, &shdr) && shdr.sh_type == SHT_RELA &&
	       !(shdr.sh_flags & SHF_RELA_LIVEPATCH) && shdr.sh_link == rw->symtab_idx;
}

/* Make every call symbol ".klp.sym.<object>.<name>,<pos>" (SHN_LIVEPATCH). */
static int rename_call_syms(struct rewrite *rw, const struct call_sym *calls, size_t n_calls)
{
	for (size_t c = 0; c < n_calls; c++) {
		char name[600];
		Elf64_Sym *sym;
		long off;

		snprintf(name, sizeof(name), ".klp.sym.%s.%s,%lu", calls[c].object, calls[c].name,
			 calls[c].pos);
		off = table_append(&rw->strtab, name, strlen(name) + 1);
		if (off < 0)
			return -ENOMEM;
		sym = (Elf64_Sym *)rw->symtab.buf + calls[c].index;
		sym->st_name = (Elf64_Word)off;
		sym->st_info = ELF64_ST_INFO(STB_GLOBAL, STT_NOTYPE);
		sym->st_shndx = SHN_LIVEPATCH;
		sym->st_value = 0;
		sym->st_size = 0;
	}
	rw->changed = rw->changed || n_calls;
	return 0;
}

/* Whether the call instruction at @off of section @shndx was moved. */
static bool moved_site(const struct rewrite *rw, size_t shndx, uint64_t off)
{
	for (size_t i = 0; i < rw->n_sites; i++)
		if (rw->sites[i].shndx == shndx && rw->sites[i].off == off)
			return true;
	return false;
}

/*
 * Drop the moved call sites from objtool's .call_sites (an array of s32,
 * each filled by one R_X86_64_PC32 to a call instruction), so that
 * call-depth tracking (retbleed=stuff) does not look at them when the
 * module loads: their rel32 is still 0 then, the "destination" the next
 * instruction, and the kernel would only warn ("Invalid padding area")
 * and leave them.  Anything unexpected in the section: left as it is.
 */
static int drop_call_sites(struct rewrite *rw)
{
	size_t cs_idx, nsyms = rw->symtab.len / sizeof(Elf64_Sym), n, n_rela, kept = 0;
	Elf_Scn *cs = klpb_elf_section(rw->elf, ".call_sites", &cs_idx), *rscn;
	Elf_Data *data, *rdata;
	Elf64_Rela *rela, *new_rela;
	int32_t *new_data;
	long *new_index;
	int rc;

	if (!cs || rw->n_sites == 0 || !(rscn = klpb_elf_rela_for(rw->elf, cs_idx)))
		return 0;
	data = elf_getdata(cs, NULL);
	rdata = elf_getdata(rscn, NULL);
	if (!data || !rdata || !data->d_buf || !rdata->d_buf || data->d_size % 4)
		return 0;
	n = data->d_size / 4;
	rela = rdata->d_buf;
	n_rela = rdata->d_size / sizeof(*rela);
	new_index = calloc(n + 1, sizeof(*new_index));
	if (!new_index)
		return -ENOMEM;
	for (size_t j = 0; j < n_rela; j++) {
		size_t si = ELF64_R_SYM(rela[j].r_info);
		const Elf64_Sym *sym = si < nsyms ? sym_at(rw, si) : NULL;

		if (!sym || rela[j].r_offset % 4 || rela[j].r_offset / 4 >= n ||
		    ELF64_R_TYPE(rela[j].r_info) != R_X86_64_PC32) {
			free(new_index);
			return 0; /* not the layout objtool writes */
		}
		if (moved_site(rw, sym->st_shndx, sym->st_value + (uint64_t)rela[j].r_addend))
			new_index[rela[j].r_offset / 4] = -1;
	}
	new_data = calloc(n + 1, sizeof(*new_data));
	new_rela = calloc(n_rela + 1, sizeof(*new_rela));
	rc = new_data ? keep_buf(rw, new_data) : -ENOMEM;
	if (!rc)
		rc = new_rela ? keep_buf(rw, new_rela) : -ENOMEM;
	else
		free(new_rela);
	if (rc) {
		free(new_index);
		return rc;
	}
	for (size_t k = 0; k < n; k++)
		if (new_index[k] >= 0) {
			new_data[kept] = ((const int32_t *)data->d_buf)[k];
			new_index[k] = (long)kept++;
		}
	if (kept == n) {
		free(new_index);
		return 0;
	}
	n = 0;
	for (size_t j = 0; j < n_rela; j++) {
		long k = new_index[rela[j].r_offset / 4];

		if (k < 0)
			continue;
		new_rela[n] = rela[j];
		new_rela[n++].r_offset = (uint64_t)k * 4;
	}
	free(new_index);
	data->d_buf = new_data;
	data->d_size = kept * 4;
	elf_flagdata(data, ELF_C_SET, ELF_F_DIRTY);
	rdata->d_buf = new_rela;
	rdata->d_size = n * sizeof(*new_rela);
	elf_flagdata(rdata, ELF_C_SET, ELF_F_DIRTY);
	return 0;
}

/*
 * Turn the direct calls of KLPB_SYMREF_CALL functions, and every use of
 * KLPB_SYMREF_DIRECT data, into livepatch relocations.
 */
static int rewrite_calls(struct klpb_ctx *ctx, struct rewrite *rw, const struct klp_symref *refs,
			 size_t n)
{
	size_t nsyms = rw->symtab.len / sizeof(Elf64_Sym);
	struct call_sym *calls = NULL;
	long n_calls = find_call_syms(ctx, rw, refs, n, &calls);
	long *call_of;
	Elf_Scn *scn = NULL;
	int rc = 0;

	if (n_calls <= 0)
		return (int)n_calls;
	call_of = malloc(nsyms * sizeof(*call_of));
	if (!call_of) {
		free(calls);
		return reloc_fail(ctx, -ENOMEM);
	}
	for (size_t i = 0; i < nsyms; i++)
		call_of[i] = -1;
	for (long c = 0; c < n_calls; c++)
		call_of[calls[c].index] = c;
	while (!rc && (scn = elf_nextscn(rw->elf, scn)))
		if (ordinary_rela(rw, scn))
			rc = move_calls(ctx, rw, scn, calls, (size_t)n_calls, call_of);
	if (!rc && rename_call_syms(rw, calls, (size_t)n_calls))
		rc = reloc_fail(ctx, -ENOMEM);
	if (!rc && drop_call_sites(rw))
		rc = reloc_fail(ctx, -ENOMEM);
	free(call_of);
	free(calls);
	return rc;
}

/*
 * No ordinary relocation may be left against a weak undefined symbol (the
 * module loader would resolve it to 0, a call to 0 fits a rel32 from module
 * space) or against a livepatch symbol.
 */
static int check_leftovers(struct klpb_ctx *ctx, struct rewrite *rw)
{
	size_t nsyms = rw->symtab.len / sizeof(Elf64_Sym);
	Elf_Scn *scn = NULL;

	while ((scn = elf_nextscn(rw->elf, scn))) {
		Elf_Data *data = elf_getdata(scn, NULL);
		const Elf64_Rela *rela;
		GElf_Shdr shdr;

		if (!ordinary_rela(rw, scn) || !data || !data->d_buf || !gelf_getshdr(scn, &shdr))
			continue;
		rela = data->d_buf;
		for (size_t j = 0; j < data->d_size / sizeof(*rela); j++) {
			size_t si = ELF64_R_SYM(rela[j].r_info);
			const Elf64_Sym *sym = si < nsyms ? sym_at(rw, si) : NULL;

			if (!sym || si == 0)
				continue;
			if ((sym->st_shndx == SHN_UNDEF &&
			     ELF64_ST_BIND(sym->st_info) == STB_WEAK) ||
			    sym->st_shndx == SHN_LIVEPATCH)
				return reloc_err(
					ctx, -EBADMSG,
					"%s still has a relocation against '%s', which the module loader would resolve to 0",
					scn_name(rw, &shdr), sym_name(rw, sym));
		}
	}
	return 0;
}

static int open_tables(struct klpb_ctx *ctx, struct rewrite *rw)
{
	Elf_Scn *symtab = klpb_elf_section(rw->elf, ".symtab", &rw->symtab_idx);
	Elf_Scn *scn = NULL;
	size_t shstrndx;
	GElf_Shdr shdr;
	int rc;

	/* Read every section now: elf_update() rewrites the file under them. */
	while ((scn = elf_nextscn(rw->elf, scn)))
		elf_getdata(scn, NULL);
	if (!symtab || !gelf_getshdr(symtab, &shdr) ||
	    !klpb_elf_section(rw->elf, KLPB_SECTION_SLOTS, &rw->slots_idx) ||
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
		rc = rewrite_calls(ctx, &rw, refs, n);
	if (!rc)
		rc = check_leftovers(ctx, &rw);
	if (!rc && rw.changed)
		rc = update_elf(ctx, &rw);
	if (rw.elf)
		elf_end(rw.elf);
	if (!rc && rw.changed) {
		rc = read_back(fd, ko);
		if (rc)
			reloc_fail(ctx, rc);
	}
	close(fd);
	for (size_t i = 0; i < rw.n_bufs; i++)
		free(rw.bufs[i]);
	free(rw.bufs);
	free(rw.sites);
	free(rw.symtab.buf);
	free(rw.strtab.buf);
	free(rw.shstrtab.buf);
	return rc;
}
