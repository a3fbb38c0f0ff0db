// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * objmodel.c - a relocatable object as objdiff sees it (objdiff-int.h):
 * sections with their relocations and symbols, symbols with the keys that
 * match them across the original and the patched build, and the meaning
 * of a relocation (what it points at, not where).
 */
#include <errno.h>
#include <gelf.h>
#include <libelf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "create/objdiff-int.h"
#include "util/file.h"

#ifndef R_X86_64_GOTPCRELX
#define R_X86_64_GOTPCRELX 41
#define R_X86_64_REX_GOTPCRELX 42
#endif

char *obj_normalize(const char *name)
{
	size_t n = strlen(name), o = 0;
	char *out = malloc(n + 1);
	const char *p = name;

	if (!out)
		return NULL;
	while (*p) {
		const char *e = strchr(p + 1, '.');
		size_t len = e ? (size_t)(e - p) : strlen(p);
		bool digits = p != name && len > 1;

		for (size_t i = 1; digits && i < len; i++)
			digits = p[i] >= '0' && p[i] <= '9';
		if (!digits) {
			memcpy(out + o, p, len);
			o += len;
		}
		p += len;
	}
	out[o] = '\0';
	/* __UNIQUE_ID_name123 (__COUNTER__): the counter goes too */
	if (strncmp(out, "__UNIQUE_ID_", 12) == 0) {
		char *dot = strchr(out, '.');
		size_t end = dot ? (size_t)(dot - out) : strlen(out);
		size_t start = end;

		while (start > 12 && out[start - 1] >= '0' && out[start - 1] <= '9')
			start--;
		memmove(out + start, out + end, strlen(out + end) + 1);
	}
	return out;
}

bool obj_sec_is_code(const struct osec *s)
{
	return (s->sh.sh_flags & SHF_EXECINSTR) && (s->sh.sh_flags & SHF_ALLOC);
}

bool obj_sec_is_init(const char *name)
{
	size_t n = strlen(name);

	return strncmp(name, ".init.", 6) == 0 || strncmp(name, ".exit.", 6) == 0 ||
	       strcmp(name, ".init") == 0 || strncmp(name, ".initcall", 9) == 0 ||
	       (n > 5 && strcmp(name + n - 5, ".init") == 0) ||
	       (n > 5 && strcmp(name + n - 5, ".exit") == 0);
}

static int cmp_u64(uint64_t a, uint64_t b)
{
	return a < b ? -1 : a > b;
}

static const struct obj *sort_obj; /* qsort has no argument */

static int cmp_sym_value(const void *a, const void *b)
{
	const struct osym *x = &sort_obj->sym[*(const size_t *)a];
	const struct osym *y = &sort_obj->sym[*(const size_t *)b];
	int c = cmp_u64(x->s.st_value, y->s.st_value);

	return c ? c : cmp_u64(*(const size_t *)a, *(const size_t *)b);
}

static int cmp_rela(const void *a, const void *b)
{
	return cmp_u64(((const GElf_Rela *)a)->r_offset, ((const GElf_Rela *)b)->r_offset);
}

static int cmp_sym_key(const void *a, const void *b)
{
	size_t i = *(const size_t *)a, j = *(const size_t *)b;
	int c = strcmp(sort_obj->sym[i].key, sort_obj->sym[j].key);

	return c ? c : cmp_u64(i, j);
}

static bool sym_defined(const struct obj *o, size_t i)
{
	const GElf_Sym *s = &o->sym[i].s;

	return s->st_shndx != SHN_UNDEF && s->st_shndx < o->n_sec &&
	       (GELF_ST_TYPE(s->st_info) == STT_FUNC || GELF_ST_TYPE(s->st_info) == STT_OBJECT);
}

static int load_sections(struct obj *o)
{
	size_t shstrndx;

	if (elf_getshdrnum(o->elf, &o->n_sec) || elf_getshdrstrndx(o->elf, &shstrndx))
		return -EBADMSG;
	o->sec = calloc(o->n_sec, sizeof(*o->sec));
	if (!o->sec)
		return -ENOMEM;
	for (size_t i = 1; i < o->n_sec; i++) {
		Elf_Scn *scn = elf_getscn(o->elf, i);
		struct osec *s = &o->sec[i];
		Elf_Data *d;

		if (!scn || !gelf_getshdr(scn, &s->sh))
			return -EBADMSG;
		s->name = elf_strptr(o->elf, shstrndx, s->sh.sh_name);
		if (!s->name)
			s->name = "";
		d = elf_getdata(scn, NULL);
		if (s->sh.sh_type != SHT_NOBITS && d && d->d_buf && d->d_size == s->sh.sh_size)
			s->data = d->d_buf;
	}
	return 0;
}

static int load_rela(struct obj *o)
{
	for (size_t i = 1; i < o->n_sec; i++) {
		Elf_Data *d = elf_getdata(elf_getscn(o->elf, i), NULL);
		struct osec *t;
		size_t n;

		if (o->sec[i].sh.sh_type != SHT_RELA || !d)
			continue;
		if (o->sec[i].sh.sh_type == SHT_REL)
			return -EBADMSG;
		/* one relocation section per section, against the symbol table */
		if (o->sec[i].sh.sh_info == 0 || o->sec[i].sh.sh_info >= o->n_sec ||
		    o->sec[i].sh.sh_link != o->symtab)
			return -EBADMSG;
		t = &o->sec[o->sec[i].sh.sh_info];
		if (t->rela)
			return -EBADMSG;
		n = d->d_size / sizeof(Elf64_Rela);
		t->rela = calloc(n ? n : 1, sizeof(*t->rela));
		if (!t->rela)
			return -ENOMEM;
		for (size_t j = 0; j < n; j++) {
			if (!gelf_getrela(d, (int)j, &t->rela[j]) ||
			    GELF_R_SYM(t->rela[j].r_info) >= o->n_sym)
				return -EBADMSG;
		}
		t->n_rela = n;
		sort_obj = o;
		qsort(t->rela, n, sizeof(*t->rela), cmp_rela);
	}
	return 0;
}

static int load_symbols(struct obj *o)
{
	Elf_Data *d = NULL;
	size_t strndx = 0;

	for (size_t i = 1; i < o->n_sec; i++)
		if (o->sec[i].sh.sh_type == SHT_SYMTAB) {
			if (d)
				return -EBADMSG; /* two symbol tables */
			d = elf_getdata(elf_getscn(o->elf, i), NULL);
			strndx = o->sec[i].sh.sh_link;
			o->symtab = i;
		}
	if (!d)
		return -EBADMSG;
	o->n_sym = d->d_size / sizeof(Elf64_Sym);
	o->sym = calloc(o->n_sym ? o->n_sym : 1, sizeof(*o->sym));
	if (!o->sym)
		return -ENOMEM;
	for (size_t i = 0; i < o->n_sym; i++) {
		struct osym *s = &o->sym[i];

		if (!gelf_getsym(d, (int)i, &s->s))
			return -EBADMSG;
		s->name = elf_strptr(o->elf, strndx, s->s.st_name);
		if (!s->name)
			s->name = "";
		s->owner = s->cold = s->match = NO_SYM;
	}
	for (size_t i = 1; i < o->n_sym; i++) {
		struct osec *sec;

		if (!sym_defined(o, i))
			continue;
		sec = &o->sec[o->sym[i].s.st_shndx];
		/* the symbol's bytes lie inside its section (memcmp and copies trust it) */
		if (o->sym[i].s.st_value > sec->sh.sh_size ||
		    o->sym[i].s.st_size > sec->sh.sh_size - o->sym[i].s.st_value)
			return -EBADMSG;
		sec->syms = reallocarray(sec->syms, sec->n_syms + 1, sizeof(size_t));
		if (!sec->syms)
			return -ENOMEM;
		sec->syms[sec->n_syms++] = i;
		if (GELF_ST_TYPE(o->sym[i].s.st_info) == STT_FUNC)
			sec->n_funcs++;
	}
	sort_obj = o;
	for (size_t i = 1; i < o->n_sec; i++)
		if (o->sec[i].n_syms)
			qsort(o->sec[i].syms, o->sec[i].n_syms, sizeof(size_t), cmp_sym_value);
	return 0;
}

void obj_sym_range(const struct obj *o, size_t sym, uint64_t *start, uint64_t *len)
{
	const struct osym *s = &o->sym[sym];
	const struct osec *sec = &o->sec[s->s.st_shndx];

	if (sec->n_syms == 1) {
		*start = 0;
		*len = sec->sh.sh_size;
	} else {
		*start = s->s.st_value;
		*len = s->s.st_size;
	}
}

size_t obj_rela_from(const struct osec *s, uint64_t off)
{
	size_t lo = 0, hi = s->n_rela;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (s->rela[mid].r_offset < off)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/*
 * The defined symbol of section @sec that covers @off, or that ends exactly
 * at @off (a pointer one past the end of an array) when none covers it;
 * NO_SYM if none.
 */
static size_t sym_cover(const struct obj *o, size_t sec, int64_t off)
{
	const struct osec *s = &o->sec[sec];
	size_t end_of = NO_SYM;

	for (size_t i = 0; i < s->n_syms; i++) {
		const GElf_Sym *y = &o->sym[s->syms[i]].s;
		int64_t end = (int64_t)(y->st_value + (y->st_size ? y->st_size : 1));

		if ((int64_t)y->st_value <= off && off < end)
			return s->syms[i];
		if (end_of == NO_SYM && y->st_size && (int64_t)(y->st_value + y->st_size) == off)
			end_of = s->syms[i];
	}
	return end_of;
}

size_t obj_sym_at(const struct obj *o, size_t sec, int64_t off)
{
	const struct osec *s;
	size_t best;

	if (sec == 0 || sec >= o->n_sec)
		return NO_SYM;
	best = sym_cover(o, sec, off);
	if (best != NO_SYM)
		return best;
	s = &o->sec[sec];
	for (size_t i = 0; i < s->n_syms; i++) {
		const GElf_Sym *y = &o->sym[s->syms[i]].s;

		/* an instruction with an immediate after the displacement: a bit further on */
		if ((int64_t)y->st_value > off && (int64_t)y->st_value <= off + 8)
			return s->syms[i];
	}
	return NO_SYM;
}

#define IMM(n) (1u << (n)) /* an immediate of n bytes (0, 1, 2 or 4) */
#define IMM_ANY (IMM(0) | IMM(1) | IMM(2) | IMM(4))

/* Whether a legacy operand-size prefix (0x66) may be among the prefixes ending at @p[-1]. */
static bool opsize_prefix(const uint8_t *p, size_t room)
{
	for (size_t i = 1; i <= room && i <= 14; i++) {
		uint8_t b = p[-(ptrdiff_t)i];

		if (b == 0x66)
			return true;
		if (!((b & 0xf0) == 0x40 || b == 0xf2 || b == 0xf3 || b == 0xf0 || b == 0x2e ||
		      b == 0x3e || b == 0x26 || b == 0x36 || b == 0x64 || b == 0x65 || b == 0x67))
			return false;
	}
	return false;
}

/*
 * The sizes the immediate following the 32-bit PC-relative field at @off of
 * code section @s can have (IMM() bits), from the bytes before it: 0 for a
 * branch; for a RIP-relative operand, every size the opcode bytes allow
 * under each reading of them; IMM_ANY when they are not recognised.
 */
static unsigned imm_sizes(const struct osec *s, uint64_t off)
{
	const uint8_t *p;
	unsigned m, reg, imm_z;
	uint8_t op;

	if (!s->data || off < 6 || off + 4 > s->sh.sh_size)
		return IMM_ANY;
	p = s->data + off;
	if (p[-1] == 0xe8 || p[-1] == 0xe9 || (p[-2] == 0x0f && (p[-1] & 0xf0) == 0x80))
		return IMM(0);
	if ((p[-1] & 0xc7) != 0x05)
		return IMM_ANY;
	op = p[-2];
	reg = (p[-1] >> 3) & 7;
	imm_z = opsize_prefix(p - 2, off - 2) ? IMM(2) | IMM(4) : IMM(4);
	if (op == 0xc6 || op == 0x80 || op == 0x82 || op == 0x83 || op == 0x6b || op == 0xc0 ||
	    op == 0xc1 || (op == 0xf6 && reg < 2))
		m = IMM(1);
	else if (op == 0xc7 || op == 0x81 || op == 0x69 || (op == 0xf7 && reg < 2))
		m = imm_z;
	else
		m = IMM(0);
	/* two- and three-byte opcodes with an imm8 (0f xx, 0f 3a xx), VEX and EVEX ones */
	if (p[-3] == 0x0f && ((op >= 0x70 && op <= 0x73) || op == 0xa4 || op == 0xac ||
			      op == 0xba || (op >= 0xc2 && op <= 0xc6)))
		m |= IMM(1);
	if ((p[-4] == 0x0f && p[-3] == 0x3a) || p[-4] == 0xc5 || p[-5] == 0xc4 || p[-6] == 0x62)
		m |= IMM(1);
	return m;
}

/* A local label that the assembler kept (in a mergeable section, say): no name to match. */
static bool label(const struct obj *o, size_t i)
{
	const GElf_Sym *s = &o->sym[i].s;

	return GELF_ST_TYPE(s->st_info) == STT_NOTYPE && GELF_ST_BIND(s->st_info) == STB_LOCAL &&
	       s->st_shndx != SHN_UNDEF && s->st_shndx < o->n_sec;
}

static bool rela_pcrel(uint32_t type)
{
	return type == R_X86_64_PC32 || type == R_X86_64_PLT32 || type == R_X86_64_GOTPCREL ||
	       type == R_X86_64_GOTPCRELX || type == R_X86_64_REX_GOTPCRELX;
}

/*
 * Target @t of a PC-relative relocation @r of code section @sec against a
 * section symbol: the displacement is A + 4 + (the immediate's size) from
 * the place, so the symbol is the one each possible size leads to; two
 * different ones make @t ambiguous.
 */
static void pcrel_section_target(const struct obj *o, size_t sec, const GElf_Rela *r,
				 struct otarget *t)
{
	static const unsigned sizes[] = { 0, 1, 2, 4 };
	unsigned m = imm_sizes(&o->sec[sec], r->r_offset);
	int64_t base = t->off - 4;

	t->sym = NO_SYM;
	for (size_t i = 0; i < sizeof(sizes) / sizeof(*sizes); i++) {
		size_t y;

		if (!(m & IMM(sizes[i])))
			continue;
		y = sym_cover(o, t->sec, base + 4 + (int64_t)sizes[i]);
		if (y == NO_SYM)
			continue;
		if (t->sym == NO_SYM) {
			t->sym = y;
			t->off = base + 4 + (int64_t)sizes[i];
		} else if (y != t->sym) {
			t->ambiguous = true;
		}
	}
	if (t->sym == NO_SYM)
		t->sym = obj_sym_at(o, t->sec, t->off);
}

void obj_target(const struct obj *o, size_t sec, const GElf_Rela *r, struct otarget *t)
{
	size_t si = GELF_R_SYM(r->r_info);
	const GElf_Sym *s = &o->sym[si].s;
	bool pcrel = obj_sec_is_code(&o->sec[sec]) && rela_pcrel(GELF_R_TYPE(r->r_info));

	memset(t, 0, sizeof(*t));
	t->sym = NO_SYM;
	t->resid = r->r_addend;
	if (si == 0)
		return;
	t->sec = s->st_shndx < o->n_sec ? s->st_shndx : 0;
	t->off = (int64_t)s->st_value + r->r_addend + (pcrel ? 4 : 0);
	/* named symbols, but not a local label (.LC0 in a string section): its place counts */
	if (GELF_ST_TYPE(s->st_info) != STT_SECTION && !label(o, si)) {
		t->sym = si;
		return;
	}
	t->via_section = true;
	if (pcrel && t->sec)
		pcrel_section_target(o, sec, r, t);
	else
		t->sym = obj_sym_at(o, t->sec, t->off);
	if (t->sym != NO_SYM)
		t->resid = r->r_addend + (int64_t)s->st_value - (int64_t)o->sym[t->sym].s.st_value;
}

bool obj_rela_is_call(const struct obj *o, size_t sec, const GElf_Rela *r)
{
	const struct osec *s = &o->sec[sec];
	uint32_t type = GELF_R_TYPE(r->r_info);
	const uint8_t *p;

	if (!obj_sec_is_code(s))
		return false;
	if (type == R_X86_64_PLT32)
		return true;
	if (type != R_X86_64_PC32 || !s->data || r->r_offset < 2 || r->r_offset > s->sh.sh_size)
		return false;
	p = s->data + r->r_offset;
	return p[-1] == 0xe8 || p[-1] == 0xe9 || (p[-2] == 0x0f && (p[-1] & 0xf0) == 0x80);
}

static uint64_t fnv(uint64_t h, const void *p, size_t n)
{
	const uint8_t *b = p;

	for (size_t i = 0; i < n; i++)
		h = (h ^ b[i]) * 0x100000001b3ULL;
	return h;
}

#define HASH_DEPTH 4 /* how deep read-only data pointing at read-only data is followed */

static char *meaning(const struct obj *o, size_t sec, const GElf_Rela *r, int64_t *resid,
		     int depth);

/*
 * A hash of read-only data: its bytes and what its relocations mean (the
 * strings, constants and read-only objects they point at, by content, to
 * HASH_DEPTH levels: the guard against cycles), below that by name.
 */
static uint64_t range_hash(const struct obj *o, size_t sec, uint64_t start, uint64_t len, int depth)
{
	const struct osec *s = &o->sec[sec];
	uint64_t h = 0xcbf29ce484222325ULL;

	if (s->data && start + len <= s->sh.sh_size)
		h = fnv(h, s->data + start, len);
	for (size_t i = obj_rela_from(s, start); i < s->n_rela && s->rela[i].r_offset < start + len;
	     i++) {
		const struct osym *y = &o->sym[GELF_R_SYM(s->rela[i].r_info)];
		uint64_t v[3] = { s->rela[i].r_offset - start, s->rela[i].r_info & 0xffffffff,
				  (uint64_t)s->rela[i].r_addend };
		const char *n = y->key ? y->key :
				GELF_ST_TYPE(y->s.st_info) == STT_SECTION &&
						y->s.st_shndx < o->n_sec ?
					 o->sec[y->s.st_shndx].name :
					 y->name;
		char *m = NULL;
		int64_t resid;

		if (depth < HASH_DEPTH && (m = meaning(o, sec, &s->rela[i], &resid, depth + 1))) {
			v[2] = (uint64_t)resid;
			n = m;
		}
		h = fnv(h, v, sizeof(v));
		h = fnv(h, n, strlen(n) + 1);
		free(m);
	}
	return h;
}

/* What relocation @r of section @sec means, [owned]; *@resid: its addend relative to it. */
static char *meaning(const struct obj *o, size_t sec, const GElf_Rela *r, int64_t *resid, int depth)
{
	struct otarget t;
	const struct osec *ts;
	char *m = NULL, *norm;
	int n;

	obj_target(o, sec, r, &t);
	*resid = t.resid;
	ts = t.sec ? &o->sec[t.sec] : NULL;
	if (t.sym != NO_SYM &&
	    !(ts && (ts->sh.sh_flags & SHF_MERGE) && (ts->sh.sh_flags & SHF_STRINGS))) {
		const struct osym *y = &o->sym[t.sym];
		const char *k = y->key ? y->key : y->name;

		if (ts && !(ts->sh.sh_flags & (SHF_WRITE | SHF_EXECINSTR)) &&
		    y->s.st_shndx == t.sec) {
			uint64_t st, len;

			obj_sym_range(o, t.sym, &st, &len);
			n = asprintf(&m, "%s#%llx", k,
				     (unsigned long long)range_hash(o, t.sec, st, len, depth));
		} else {
			n = asprintf(&m, "%s", k);
		}
		return n < 0 ? NULL : m;
	}
	if (!t.sec)
		return strdup("?");
	ts = &o->sec[t.sec];
	if ((ts->sh.sh_flags & SHF_MERGE) && (ts->sh.sh_flags & SHF_STRINGS) && ts->data &&
	    ts->sh.sh_size) {
		int64_t off = t.off < 0 ? 0 : t.off, st;

		if ((uint64_t)off >= ts->sh.sh_size)
			off = (int64_t)ts->sh.sh_size - 1;
		st = off;
		while (st > 0 && ts->data[st - 1])
			st--;
		*resid = t.off - st;
		n = asprintf(&m, "str:%.*s",
			     (int)strnlen((const char *)ts->data + st,
					  ts->sh.sh_size - (uint64_t)st),
			     (const char *)ts->data + st);
		return n < 0 ? NULL : m;
	}
	if ((ts->sh.sh_flags & SHF_MERGE) && ts->sh.sh_entsize && ts->data && t.off >= 0 &&
	    (uint64_t)t.off < ts->sh.sh_size) {
		uint64_t es = ts->sh.sh_entsize, st = (uint64_t)t.off / es * es;

		*resid = t.off - (int64_t)st;
		n = asprintf(&m, "cst:%llx",
			     (unsigned long long)fnv(
				     0xcbf29ce484222325ULL, ts->data + st,
				     st + es <= ts->sh.sh_size ? es : ts->sh.sh_size - st));
		return n < 0 ? NULL : m;
	}
	norm = obj_normalize(ts->name);
	if (!norm)
		return NULL;
	*resid = t.off;
	n = asprintf(&m, "sec:%s#%llx", norm,
		     ts->sh.sh_flags & SHF_WRITE ?
			     0ULL :
			     (unsigned long long)range_hash(o, t.sec, 0, ts->sh.sh_size, depth));
	free(norm);
	return n < 0 ? NULL : m;
}

bool obj_range_equal(const struct obj *a, size_t asec, uint64_t astart, uint64_t alen,
		     const struct obj *b, size_t bsec, uint64_t bstart, uint64_t blen)
{
	const struct osec *x = &a->sec[asec], *y = &b->sec[bsec];
	size_t i, j;

	if (alen != blen || (x->sh.sh_type == SHT_NOBITS) != (y->sh.sh_type == SHT_NOBITS))
		return false;
	if (x->data && y->data && memcmp(x->data + astart, y->data + bstart, alen) != 0)
		return false;
	i = obj_rela_from(x, astart);
	j = obj_rela_from(y, bstart);
	for (;; i++, j++) {
		bool xe = i >= x->n_rela || x->rela[i].r_offset >= astart + alen;
		bool ye = j >= y->n_rela || y->rela[j].r_offset >= bstart + blen;
		int64_t rx, ry;
		char *mx, *my;
		bool same;

		if (xe || ye)
			return xe && ye;
		if (x->rela[i].r_offset - astart != y->rela[j].r_offset - bstart ||
		    GELF_R_TYPE(x->rela[i].r_info) != GELF_R_TYPE(y->rela[j].r_info))
			return false;
		mx = meaning(a, asec, &x->rela[i], &rx, 0);
		my = meaning(b, bsec, &y->rela[j], &ry, 0);
		same = mx && my && strcmp(mx, my) == 0 && rx == ry;
		free(mx);
		free(my);
		if (!same)
			return false;
	}
}

/* Static locals: the first function that uses each one (by symbol order). */
static void find_owners(struct obj *o)
{
	for (size_t f = 1; f < o->n_sym; f++) {
		uint64_t st, len;
		const struct osec *s;
		size_t sec = o->sym[f].s.st_shndx;

		if (!sym_defined(o, f) || GELF_ST_TYPE(o->sym[f].s.st_info) != STT_FUNC)
			continue;
		obj_sym_range(o, f, &st, &len);
		s = &o->sec[sec];
		for (size_t i = obj_rela_from(s, st);
		     i < s->n_rela && s->rela[i].r_offset < st + len; i++) {
			struct otarget t;

			obj_target(o, sec, &s->rela[i], &t);
			if (t.sym != NO_SYM && GELF_ST_BIND(o->sym[t.sym].s.st_info) == STB_LOCAL &&
			    GELF_ST_TYPE(o->sym[t.sym].s.st_info) == STT_OBJECT &&
			    o->sym[t.sym].owner == NO_SYM)
				o->sym[t.sym].owner = f;
		}
	}
}

static int make_keys(struct obj *o)
{
	size_t *idx, n = 0;

	for (size_t i = 1; i < o->n_sym; i++) {
		struct osym *s = &o->sym[i];
		int type = GELF_ST_TYPE(s->s.st_info);

		if (type == STT_SECTION || type == STT_FILE || !*s->name || label(o, i))
			continue;
		s->key = GELF_ST_BIND(s->s.st_info) == STB_LOCAL ? obj_normalize(s->name) :
								   strdup(s->name);
		if (!s->key)
			return -ENOMEM;
		if (type == STT_FUNC) {
			size_t l = strlen(s->key);

			s->is_cold = l > 5 && strcmp(s->key + l - 5, ".cold") == 0;
		}
	}
	find_owners(o);
	for (size_t i = 1; i < o->n_sym; i++) {
		struct osym *s = &o->sym[i];
		char *k;

		if (s->owner == NO_SYM || strcmp(s->key, s->name) == 0)
			continue;
		if (asprintf(&k, "%s@%s", s->key, o->sym[s->owner].key) < 0)
			return -ENOMEM;
		free(s->key);
		s->key = k;
	}
	/* the same key twice among the defined symbols: number them in symbol order */
	idx = calloc(o->n_sym ? o->n_sym : 1, sizeof(*idx));
	if (!idx)
		return -ENOMEM;
	for (size_t i = 1; i < o->n_sym; i++)
		if (o->sym[i].key && sym_defined(o, i))
			idx[n++] = i;
	sort_obj = o;
	qsort(idx, n, sizeof(*idx), cmp_sym_key);
	for (size_t i = 0, end; i < n; i = end) {
		for (end = i + 1; end < n && strcmp(o->sym[idx[end]].key, o->sym[idx[i]].key) == 0;
		     end++)
			;
		for (size_t k = i; k < end; k++)
			o->sym[idx[k]].n_group = end - i;
	}
	for (size_t i = 1, dup = 1, first = 0; i < n; i++) {
		char *k;

		/* idx[first]: the group's first, whose key stays as it is */
		if (strcmp(o->sym[idx[i]].key, o->sym[idx[first]].key) != 0) {
			dup = 1;
			first = i;
			continue;
		}
		if (asprintf(&k, "%s#%zu", o->sym[idx[i]].key, dup++) < 0) {
			free(idx);
			return -ENOMEM;
		}
		free(o->sym[idx[i]].key);
		o->sym[idx[i]].key = k;
	}
	/* each function's .cold part */
	for (size_t i = 0; i < n; i++) {
		struct osym *c = &o->sym[idx[i]];
		size_t l = strlen(c->key);

		if (!c->is_cold)
			continue;
		for (size_t j = 0; j < n; j++) {
			struct osym *p = &o->sym[idx[j]];

			if (GELF_ST_TYPE(p->s.st_info) == STT_FUNC && !p->is_cold &&
			    strlen(p->key) == l - 5 && strncmp(p->key, c->key, l - 5) == 0) {
				p->cold = idx[i];
				break;
			}
		}
	}
	free(idx);
	return 0;
}

int obj_load(struct klpb_ctx *ctx, const char *path, struct obj *o)
{
	GElf_Ehdr eh;
	int rc;

	memset(o, 0, sizeof(*o));
	o->path = path;
	rc = read_file(path, &o->buf, &o->len);
	if (rc) {
		p_err(ctx, rc, "cannot read the object %s: %s", path, strerror(-rc));
		return rc;
	}
	o->elf = elf_memory((char *)o->buf, o->len);
	if (!o->elf || !gelf_getehdr(o->elf, &eh) || eh.e_ident[EI_CLASS] != ELFCLASS64 ||
	    eh.e_type != ET_REL || eh.e_machine != EM_X86_64) {
		p_err(ctx, -EBADMSG, "%s is not an x86-64 relocatable ELF object", path);
		return -EBADMSG;
	}
	rc = load_sections(o);
	if (!rc)
		rc = load_symbols(o);
	if (!rc)
		rc = load_rela(o);
	if (!rc)
		rc = make_keys(o);
	if (rc)
		p_err(ctx, rc, "cannot read the object %s: %s", path,
		      rc == -EBADMSG ? "malformed ELF" : strerror(-rc));
	return rc;
}

void obj_free(struct obj *o)
{
	for (size_t i = 0; o->sec && i < o->n_sec; i++) {
		free(o->sec[i].rela);
		free(o->sec[i].syms);
	}
	for (size_t i = 0; o->sym && i < o->n_sym; i++)
		free(o->sym[i].key);
	free(o->sec);
	free(o->sym);
	if (o->elf)
		elf_end(o->elf);
	free(o->buf);
	memset(o, 0, sizeof(*o));
}
