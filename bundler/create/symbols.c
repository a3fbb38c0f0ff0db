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
		rc = symtab_add(t, name, strlen(name),
				symtab_type_is_func(type[0]) ? SYMTAB_FUNC : 0);
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
 * The ftrace call sites of an object (its __mcount_loc table: where each
 * function's fentry call is), sorted, as (section, offset) pairs: in a .ko
 * the relocations of __mcount_loc give them; in a linked image the table
 * holds addresses (section 0).  A function livepatch can replace has one
 * inside it (ftrace_location()).
 */
struct mcount_loc {
	size_t shndx;
	uint64_t off;
};

struct mcount_locs {
	struct mcount_loc *v;
	size_t n;
};

static int cmp_loc(const void *a, const void *b)
{
	const struct mcount_loc *x = a, *y = b;

	if (x->shndx != y->shndx)
		return x->shndx < y->shndx ? -1 : 1;
	return (x->off > y->off) - (x->off < y->off);
}

static int locs_alloc(struct mcount_locs *l, size_t n)
{
	l->v = calloc(n ? n : 1, sizeof(*l->v));
	l->n = n;
	return l->v ? 0 : -ENOMEM;
}

/* Is there a call site in [@start, @end) of section @shndx? */
static bool locs_hit(const struct mcount_locs *l, size_t shndx, uint64_t start, uint64_t end)
{
	struct mcount_loc key = { shndx, start };
	size_t lo = 0, hi = l->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (cmp_loc(&l->v[mid], &key) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < l->n && l->v[lo].shndx == shndx && l->v[lo].off < end;
}

static Elf_Scn *section_named(Elf *elf, size_t shstrndx, const char *want)
{
	Elf_Scn *scn = NULL;
	GElf_Shdr shdr;

	while ((scn = elf_nextscn(elf, scn))) {
		const char *name;

		if (!gelf_getshdr(scn, &shdr))
			continue;
		name = elf_strptr(elf, shstrndx, shdr.sh_name);
		if (name && strcmp(name, want) == 0)
			return scn;
	}
	return NULL;
}

/* A .ko's call sites: the targets of the relocations of __mcount_loc. */
static int rel_mcount_locs(Elf *elf, size_t mcount_ndx, struct mcount_locs *l)
{
	Elf_Scn *scn = NULL, *symscn;
	Elf_Data *rel, *syms;
	GElf_Shdr shdr;
	int rc;

	while ((scn = elf_nextscn(elf, scn)))
		if (gelf_getshdr(scn, &shdr) && shdr.sh_type == SHT_RELA &&
		    shdr.sh_info == mcount_ndx && shdr.sh_entsize)
			break;
	if (!scn)
		return locs_alloc(l, 0);
	symscn = elf_getscn(elf, shdr.sh_link);
	rel = elf_getdata(scn, NULL);
	syms = symscn ? elf_getdata(symscn, NULL) : NULL;
	if (!rel || !syms)
		return -EBADMSG;
	rc = locs_alloc(l, shdr.sh_size / shdr.sh_entsize);
	for (size_t i = 0; !rc && i < l->n; i++) {
		GElf_Rela r;
		GElf_Sym sym;

		if (!gelf_getrela(rel, (int)i, &r) ||
		    !gelf_getsym(syms, (int)GELF_R_SYM(r.r_info), &sym))
			return -EBADMSG;
		l->v[i] = (struct mcount_loc){ sym.st_shndx, sym.st_value + (uint64_t)r.r_addend };
	}
	return rc;
}

/* An image's call sites: the (little-endian, x86-64) addresses __mcount_loc holds. */
static int image_mcount_locs(const uint8_t *p, size_t len, struct mcount_locs *l)
{
	int rc = locs_alloc(l, len / 8);

	for (size_t i = 0; !rc && i < l->n; i++)
		for (int b = 7; b >= 0; b--)
			l->v[i].off = l->v[i].off << 8 | p[8 * i + (size_t)b];
	return rc;
}

/* The call sites of an ELF object; none (n 0) when it has no __mcount_loc. */
static int elf_mcount_locs(Elf *elf, size_t shstrndx, struct mcount_locs *l)
{
	Elf_Scn *scn = section_named(elf, shstrndx, "__mcount_loc");
	GElf_Ehdr ehdr;
	Elf_Data *data;
	int rc;

	if (!scn)
		return locs_alloc(l, 0);
	if (!gelf_getehdr(elf, &ehdr))
		return -EBADMSG;
	if (ehdr.e_type == ET_REL)
		rc = rel_mcount_locs(elf, elf_ndxscn(scn), l);
	else if ((data = elf_getdata(scn, NULL)) && data->d_buf)
		rc = image_mcount_locs(data->d_buf, data->d_size, l);
	else
		rc = locs_alloc(l, 0);
	if (!rc)
		qsort(l->v, l->n, sizeof(*l->v), cmp_loc);
	return rc;
}

/*
 * The SYMTAB_* flags of an ELF symbol, or -1 for one kallsyms will not have
 * at all (kernel/module/kallsyms.c, is_core_symbol(): defined, named, in an
 * allocated section).  Init sections are freed once the module is loaded:
 * their symbols are SYMTAB_INIT and SYMTAB_UNLISTED, outside the space
 * livepatch counts sympos in.
 */
static int elf_sym_flags(Elf *elf, size_t shstrndx, const GElf_Sym *sym, bool linked,
			 const struct mcount_locs *locs)
{
	Elf_Scn *scn;
	GElf_Shdr shdr;
	const char *sec;
	int flags = 0;

	if (sym->st_shndx == SHN_UNDEF || sym->st_shndx >= SHN_LORESERVE || !sym->st_name)
		return -1;
	scn = elf_getscn(elf, sym->st_shndx);
	if (!scn || !gelf_getshdr(scn, &shdr) || !(shdr.sh_flags & SHF_ALLOC))
		return -1;
	sec = elf_strptr(elf, shstrndx, shdr.sh_name);
	if (!sec)
		return -1;
	if (strncmp(sec, ".init", 5) == 0)
		flags |= SYMTAB_INIT | SYMTAB_UNLISTED;
	if (GELF_ST_TYPE(sym->st_info) == STT_FUNC) {
		flags |= SYMTAB_FUNC;
		if (!locs_hit(locs, linked ? 0 : sym->st_shndx, sym->st_value,
			      sym->st_value + (sym->st_size ? sym->st_size : 1)))
			flags |= SYMTAB_NOTRACE;
	}
	return flags;
}

static int add_elf_symbols(struct symtab *t, Elf *elf)
{
	struct mcount_locs locs = {};
	Elf_Scn *scn = NULL;
	GElf_Ehdr ehdr;
	size_t shstrndx;
	int rc;

	if (elf_getshdrstrndx(elf, &shstrndx) != 0 || !gelf_getehdr(elf, &ehdr))
		return -EBADMSG;
	rc = elf_mcount_locs(elf, shstrndx, &locs);
	while (!rc && (scn = elf_nextscn(elf, scn))) {
		GElf_Shdr shdr;
		Elf_Data *data;

		if (!gelf_getshdr(scn, &shdr) || shdr.sh_type != SHT_SYMTAB || !shdr.sh_entsize)
			continue;
		data = elf_getdata(scn, NULL);
		for (size_t i = 0; !rc && data && i < shdr.sh_size / shdr.sh_entsize; i++) {
			GElf_Sym sym;
			const char *name;
			int flags;

			if (!gelf_getsym(data, (int)i, &sym))
				continue;
			flags = elf_sym_flags(elf, shstrndx, &sym, ehdr.e_type != ET_REL, &locs);
			name = flags < 0 ? NULL : elf_strptr(elf, shdr.sh_link, sym.st_name);
			if (name && *name)
				rc = symtab_add(t, name, strlen(name), (unsigned int)flags);
		}
	}
	free(locs.v);
	return rc;
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

/* The kallsyms symbols of a stripped image, in table (address) order. */
struct ksym {
	uint64_t addr;
	size_t name; /* offset in ksyms.names */
	char type;
};

struct ksyms {
	struct ksym *v;
	size_t n, cap;
	char *names;
	size_t names_len, names_cap;
};

static int grow(void **p, size_t *cap, size_t need, size_t size)
{
	size_t c = *cap ? *cap : 4096;
	void *v;

	if (need <= *cap)
		return 0;
	while (c < need)
		c *= 2;
	v = realloc(*p, c * size);
	if (!v)
		return -ENOMEM;
	*p = v;
	*cap = c;
	return 0;
}

static int collect_kallsyms_symbol(char type, const char *name, uint64_t addr, void *data)
{
	struct ksyms *k = data;
	size_t len = strlen(name) + 1;
	int rc;

	if (type == 'U')
		return 0;
	rc = grow((void **)&k->v, &k->cap, k->n + 1, sizeof(*k->v));
	if (!rc)
		rc = grow((void **)&k->names, &k->names_cap, k->names_len + len, 1);
	if (rc)
		return rc;
	memcpy(k->names + k->names_len, name, len);
	k->v[k->n++] = (struct ksym){ addr, k->names_len, type };
	k->names_len += len;
	return 0;
}

/* The address of the first symbol called @name; 0 when none. */
static uint64_t ksyms_addr(const struct ksyms *k, const char *name)
{
	for (size_t i = 0; i < k->n; i++)
		if (strcmp(k->names + k->v[i].name, name) == 0)
			return k->v[i].addr;
	return 0;
}

/* @len bytes at virtual address @addr of a linked image, via its PT_LOADs. */
static const uint8_t *image_at(Elf *elf, const uint8_t *buf, size_t buf_len, uint64_t addr,
			       uint64_t len)
{
	size_t n;

	if (elf_getphdrnum(elf, &n) != 0)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		GElf_Phdr ph;

		if (!gelf_getphdr(elf, (int)i, &ph) || ph.p_type != PT_LOAD || addr < ph.p_vaddr ||
		    addr - ph.p_vaddr > ph.p_filesz || len > ph.p_filesz - (addr - ph.p_vaddr))
			continue;
		if (ph.p_offset + (addr - ph.p_vaddr) + len > buf_len)
			return NULL;
		return buf + ph.p_offset + (addr - ph.p_vaddr);
	}
	return NULL;
}

/*
 * The call sites of a stripped image: its __mcount_loc table, between the
 * kallsyms symbols __start_mcount_loc and __stop_mcount_loc
 * (CONFIG_KALLSYMS_ALL).  -ENOENT when they are not there.
 */
static int ksyms_mcount_locs(const struct ksyms *k, Elf *elf, const uint8_t *buf, size_t len,
			     struct mcount_locs *l)
{
	uint64_t start = ksyms_addr(k, "__start_mcount_loc"),
		 stop = ksyms_addr(k, "__stop_mcount_loc");
	const uint8_t *p;
	int rc;

	if (!start || stop < start)
		return -ENOENT;
	p = image_at(elf, buf, len, start, stop - start);
	if (!p)
		return -ENOENT;
	rc = image_mcount_locs(p, stop - start, l);
	if (!rc)
		qsort(l->v, l->n, sizeof(*l->v), cmp_loc);
	return rc;
}

/*
 * The flags of every symbol: a function is __init when it starts in
 * [_sinittext, _einittext), and has no ftrace location when no call site
 * lies between its address and the next higher symbol address (its size,
 * as kallsyms_lookup_size_offset() sees it).  Without addresses, only
 * SYMTAB_FUNC.
 */
static int add_ksyms(struct symtab *t, const struct ksyms *k, Elf *elf, const uint8_t *buf,
		     size_t len)
{
	uint64_t sinit = ksyms_addr(k, "_sinittext"), einit = ksyms_addr(k, "_einittext");
	uint64_t end = UINT64_MAX;
	struct mcount_locs locs = {};
	unsigned int *flags;
	bool addrs = k->n && k->v[k->n - 1].addr;
	int rc = 0;

	flags = calloc(k->n ? k->n : 1, sizeof(*flags));
	if (!flags)
		return -ENOMEM;
	if (addrs && ksyms_mcount_locs(k, elf, buf, len, &locs) != 0)
		addrs = false;
	for (size_t i = k->n; i-- > 0;) {
		const struct ksym *s = &k->v[i];

		if (i + 1 < k->n && k->v[i + 1].addr > s->addr)
			end = k->v[i + 1].addr;
		if (!symtab_type_is_func(s->type))
			continue;
		flags[i] = SYMTAB_FUNC;
		if (addrs && s->addr >= sinit && s->addr < einit)
			flags[i] |= SYMTAB_INIT;
		if (addrs && !locs_hit(&locs, 0, s->addr, end))
			flags[i] |= SYMTAB_NOTRACE;
	}
	for (size_t i = 0; !rc && i < k->n; i++) {
		const char *name = k->names + k->v[i].name;

		rc = symtab_add(t, name, strlen(name), flags[i]);
	}
	free(flags);
	free(locs.v);
	return rc;
}

static int add_kallsyms_symbols(struct symtab *t, Elf *elf, const uint8_t *buf, size_t len)
{
	struct ksyms k = {};
	int rc;

	rc = kallsyms_foreach(buf, len, collect_kallsyms_symbol, &k);
	if (rc >= 0)
		rc = add_ksyms(t, &k, elf, buf, len);
	free(k.v);
	free(k.names);
	return rc;
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
	if (!rc && symtab_size(t) == 0)
		rc = add_kallsyms_symbols(t, elf, buf, len);
	if (elf)
		elf_end(elf);
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
