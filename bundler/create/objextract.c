// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * objextract.c - the object objdiff extracts from a patched unit: the
 * carried functions (and their .cold parts), the read-only data, strings
 * and new static data they use, the special-section entries of that code,
 * and undefined symbols for everything else, chosen by the resolver:
 * exported symbols by their names, the rest as weak KLPB_CALL_PREFIX
 * "<object>.<sympos>.<name>" references.  Written by hand (ELF64, x86-64),
 * in source order: the same inputs give the same bytes.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "create/objdiff-int.h"
#include "klp_bundle_abi.h"
#include "util/strbuf.h"

struct piece {
	uint64_t start, len, out;
};

struct xsec {
	size_t src; /* the section of the patched object */
	struct piece *p;
	size_t n_p;
	uint64_t size;
	size_t symh; /* its section symbol */
	GElf_Rela *rela; /* r_info's symbol: a handle into extract.sy */
	size_t n_rela;
};

struct xsym {
	char *name;
	unsigned char info;
	size_t xsec; /* NO_SYM: undefined */
	uint64_t value, size;
	bool klp, is_func; /* a KLP reference (for the address-taken check) */
	size_t final; /* its index in the output */
};

struct pending {
	size_t sec;
	uint64_t start, len;
};

struct extract {
	struct klpb_ctx *ctx;
	const struct unit *u;
	const struct obj *orig, *o; /* o: the patched object */
	const struct objdiff_resolver *r;
	struct objdiff_result *res;
	size_t *xsec_of; /* per section of @o: index + 1 into @xs, 0: not carried */
	struct xsec *xs;
	size_t n_xs;
	struct xsym *sy;
	size_t n_sy;
	size_t *sym_out; /* per symbol of @o: its handle + 1, 0: none */
	char **new_name; /* per symbol of @o: a changed function's global name */
	struct pending *pending;
	size_t n_pending;
	const char **unit_syms;
	size_t n_unit_syms;
};

#define refuse(ex, fmt, ...)                                                               \
	(p_err((ex)->ctx, -EINVAL, "cannot extract the change of %s: " fmt, (ex)->u->path, \
	       ##__VA_ARGS__),                                                             \
	 -EINVAL)

static int cmp_size(size_t a, size_t b)
{
	return a < b ? -1 : a > b;
}

static const struct obj *us_obj;

static int cmp_unit_sym(const void *a, const void *b)
{
	size_t i = *(const size_t *)a, j = *(const size_t *)b;
	const GElf_Sym *x = &us_obj->sym[i].s, *y = &us_obj->sym[j].s;

	if (x->st_shndx != y->st_shndx)
		return cmp_size(x->st_shndx, y->st_shndx);
	if (x->st_value != y->st_value)
		return x->st_value < y->st_value ? -1 : 1;
	return cmp_size(i, j);
}

struct extract *extract_new(struct klpb_ctx *ctx, const struct unit *u, const struct obj *orig,
			    const struct obj *patched, const struct objdiff_resolver *r,
			    struct objdiff_result *res)
{
	struct extract *ex = calloc(1, sizeof(*ex));
	size_t *idx, n = 0;

	if (!ex)
		return NULL;
	*ex = (struct extract){ .ctx = ctx, .u = u, .orig = orig, .o = patched, .r = r, .res = res };
	ex->xsec_of = calloc(patched->n_sec, sizeof(size_t));
	ex->sym_out = calloc(patched->n_sym, sizeof(size_t));
	ex->new_name = calloc(patched->n_sym, sizeof(char *));
	idx = calloc(orig->n_sym + 1, sizeof(size_t));
	ex->unit_syms = calloc(orig->n_sym + 1, sizeof(char *));
	if (!ex->xsec_of || !ex->sym_out || !ex->new_name || !idx || !ex->unit_syms) {
		free(idx);
		extract_free(ex);
		return NULL;
	}
	for (size_t i = 1; i < orig->n_sym; i++) {
		const GElf_Sym *s = &orig->sym[i].s;
		int t = GELF_ST_TYPE(s->st_info);

		if ((t == STT_FUNC || t == STT_OBJECT) && s->st_shndx != SHN_UNDEF &&
		    s->st_shndx < orig->n_sec)
			idx[n++] = i;
	}
	us_obj = orig;
	qsort(idx, n, sizeof(*idx), cmp_unit_sym);
	for (size_t i = 0; i < n; i++)
		ex->unit_syms[i] = orig->sym[idx[i]].name;
	ex->n_unit_syms = n;
	free(idx);
	return ex;
}

void extract_free(struct extract *ex)
{
	if (!ex)
		return;
	for (size_t i = 0; i < ex->n_xs; i++) {
		free(ex->xs[i].p);
		free(ex->xs[i].rela);
	}
	for (size_t i = 0; i < ex->n_sy; i++)
		free(ex->sy[i].name);
	for (size_t i = 0; ex->new_name && i < ex->o->n_sym; i++)
		free(ex->new_name[i]);
	free(ex->xs);
	free(ex->sy);
	free(ex->xsec_of);
	free(ex->sym_out);
	free(ex->new_name);
	free(ex->pending);
	free(ex->unit_syms);
	free(ex);
}

/* The piece of carried section @sec holding @off, or NULL. */
static struct piece *piece_at(const struct extract *ex, size_t sec, int64_t off)
{
	struct xsec *x;

	if (sec == 0 || sec >= ex->o->n_sec || !ex->xsec_of[sec])
		return NULL;
	x = &ex->xs[ex->xsec_of[sec] - 1];
	for (size_t i = 0; i < x->n_p; i++) {
		struct piece *p = &x->p[i];

		if ((int64_t)p->start <= off &&
		    (off < (int64_t)(p->start + p->len) ||
		     (p->len == 0 && off == (int64_t)p->start) ||
		     (p->start == 0 && p->len == ex->o->sec[sec].sh.sh_size &&
		      off == (int64_t)p->len)))
			return p;
	}
	return NULL;
}

/* Carry [@start, @start + @len) of section @sec (and scan its relocations later). */
static int carry(struct extract *ex, size_t sec, uint64_t start, uint64_t len)
{
	struct xsec *x;
	struct piece *np;
	struct pending *nt;

	if (!ex->xsec_of[sec]) {
		struct xsec *nx = reallocarray(ex->xs, ex->n_xs + 1, sizeof(*nx));

		if (!nx)
			return -ENOMEM;
		ex->xs = nx;
		nx[ex->n_xs] = (struct xsec){ .src = sec };
		ex->xsec_of[sec] = ++ex->n_xs;
	}
	x = &ex->xs[ex->xsec_of[sec] - 1];
	for (size_t i = 0; i < x->n_p; i++)
		if (x->p[i].start <= start && start + len <= x->p[i].start + x->p[i].len &&
		    (len || x->p[i].start == start))
			return 0;
	np = reallocarray(x->p, x->n_p + 1, sizeof(*np));
	if (!np)
		return -ENOMEM;
	x->p = np;
	np[x->n_p++] = (struct piece){ .start = start, .len = len };
	nt = reallocarray(ex->pending, ex->n_pending + 1, sizeof(*nt));
	if (!nt)
		return -ENOMEM;
	ex->pending = nt;
	nt[ex->n_pending++] = (struct pending){ .sec = sec, .start = start, .len = len };
	return 0;
}

/*
 * Refuse to carry function (or .cold part) @sym if its section holds
 * another function: the assembler resolves a call or jump between two
 * functions of one section itself and leaves no relocation, so a copy of
 * one of them would jump to wherever the displacement lands in the patch
 * module.  Aliases (another name at the same address) are the same code.
 */
static int check_alone(struct extract *ex, size_t sym, const char *fn)
{
	const struct obj *o = ex->o;
	const struct osym *s = &o->sym[sym];
	const struct osec *sec = &o->sec[s->s.st_shndx];

	for (size_t i = 0; i < sec->n_syms; i++) {
		const struct osym *y = &o->sym[sec->syms[i]];

		if (GELF_ST_TYPE(y->s.st_info) != STT_FUNC || y->s.st_value == s->s.st_value)
			continue;
		return refuse(ex,
			      "the function %s is in section %s of %s together with "
			      "other functions (%s, %zu in all): calls and jumps between "
			      "functions of one section carry no relocation, so a copy of %s "
			      "would jump into the wrong code; such sections (.sched.text, "
			      ".spinlock.text, .noinstr.text, .kprobes.text, .cpuidle.text, "
			      "__section()) cannot be split: write this livepatch by hand",
			      fn, sec->name, o->path, y->name, sec->n_funcs, fn);
	}
	return 0;
}

int extract_func(struct extract *ex, size_t sym, const char *new_sym)
{
	const struct osym *s = &ex->o->sym[sym];
	uint64_t st, len;
	int rc;

	if (new_sym && !(ex->new_name[sym] = strdup(new_sym)))
		return -ENOMEM;
	obj_sym_range(ex->o, sym, &st, &len);
	if (!len && s->s.st_size == 0)
		return refuse(ex,
			      "the function %s has no size in %s, so its code cannot be split "
			      "out of section %s",
			      s->name, ex->o->path, ex->o->sec[s->s.st_shndx].name);
	rc = check_alone(ex, sym, s->name);
	if (!rc && s->cold != NO_SYM)
		rc = check_alone(ex, s->cold, s->name);
	if (!rc)
		rc = carry(ex, s->s.st_shndx, st, len);
	if (!rc && s->cold != NO_SYM) {
		obj_sym_range(ex->o, s->cold, &st, &len);
		rc = carry(ex, ex->o->sym[s->cold].s.st_shndx, st, len);
	}
	return rc;
}

/* A code section with no functions (.altinstr_replacement): the piece from @off to the next
 * place anything refers to. */
static int carry_split(struct extract *ex, size_t sec, int64_t off)
{
	const struct obj *o = ex->o;
	int64_t start = 0, end = (int64_t)o->sec[sec].sh.sh_size;

	for (size_t i = 1; i < o->n_sec; i++)
		for (size_t j = 0; j < o->sec[i].n_rela; j++) {
			struct otarget t;

			obj_target(o, i, &o->sec[i].rela[j], &t);
			if (t.sec != sec)
				continue;
			if (t.off <= off && t.off > start)
				start = t.off;
			if (t.off > off && t.off < end)
				end = t.off;
		}
	return carry(ex, sec, (uint64_t)start, (uint64_t)(end - start));
}

/* Make what relocation @r (of carried section @sec) points at reachable from the output. */
static int need(struct extract *ex, size_t sec, const GElf_Rela *r)
{
	const struct obj *o = ex->o;
	const struct osec *ts;
	struct otarget t;
	int64_t pos;

	obj_target(o, sec, r, &t);
	if (!t.sec)
		return 0;
	pos = t.via_section ? t.off : (int64_t)o->sym[t.sym].s.st_value;
	if (piece_at(ex, t.sec, pos))
		return 0;
	ts = &o->sec[t.sec];
	if (obj_sec_is_init(ts->name))
		return refuse(ex,
			      "the changed code in %s refers to %s in %s (__init/__exit code or "
			      "data, gone after boot)",
			      o->sec[sec].name, t.sym != NO_SYM ? o->sym[t.sym].name : "data",
			      ts->name);
	if (obj_sec_is_code(ts)) {
		if (!ts->n_funcs)
			return carry_split(ex, t.sec, pos);
		if (t.sym == NO_SYM)
			return refuse(ex,
				      "the changed code in %s refers to %s+0x%llx, which is no "
				      "symbol objdiff can name",
				      o->sec[sec].name, ts->name, (unsigned long long)pos);
		return 0; /* a function not carried: a reference */
	}
	if (!(ts->sh.sh_flags & SHF_WRITE)) {
		/*
		 * An unchanged read-only variable with pointers (an ops table): the running
		 * kernel's, since a copy would take the addresses of functions that are not
		 * carried.  Strings and plain constants: a copy.
		 */
		if (t.sym != NO_SYM && GELF_ST_TYPE(o->sym[t.sym].s.st_info) == STT_OBJECT &&
		    o->sym[t.sym].match != NO_SYM && !o->sym[t.sym].differs) {
			uint64_t st, len;
			size_t k;

			obj_sym_range(o, t.sym, &st, &len);
			k = obj_rela_from(ts, st);
			if (k < ts->n_rela && ts->rela[k].r_offset < st + len)
				return 0;
		}
		return carry(ex, t.sec, 0, ts->sh.sh_size);
	}
	if (t.sym == NO_SYM)
		return refuse(ex,
			      "the changed code in %s refers to writable data at %s+0x%llx that "
			      "has no symbol, so it can neither be copied nor referenced",
			      o->sec[sec].name, ts->name, (unsigned long long)pos);
	if (o->sym[t.sym].match != NO_SYM)
		return 0; /* existing data: referenced in the running kernel */
	if (GELF_ST_BIND(o->sym[t.sym].s.st_info) != STB_LOCAL)
		return refuse(ex,
			      "new global data '%s': a live patch cannot add global variables; "
			      "make it static or use a shadow variable (klp_shadow_get_or_alloc())",
			      o->sym[t.sym].name);
	{
		uint64_t st, len;

		obj_sym_range(o, t.sym, &st, &len);
		return carry(ex, t.sec, st, len); /* new static data */
	}
}

static int drain(struct extract *ex)
{
	for (size_t k = 0; k < ex->n_pending; k++) {
		struct pending td = ex->pending[k];
		const struct osec *s = &ex->o->sec[td.sec];

		for (size_t i = obj_rela_from(s, td.start);
		     i < s->n_rela && s->rela[i].r_offset < td.start + td.len; i++) {
			int rc = need(ex, td.sec, &s->rela[i]);

			if (rc)
				return rc;
		}
	}
	ex->n_pending = 0;
	return 0;
}

static bool carried_code(void *arg, size_t sec, int64_t off)
{
	struct extract *ex = arg;

	return ex->o->sec[sec].n_funcs && piece_at(ex, sec, off);
}

/* The entries of the special sections that point into carried code. */
static int keep_special(struct extract *ex)
{
	struct special *sp;
	size_t n_sp;
	int rc = special_scan(ex->ctx, ex->u->path, ex->o, carried_code, ex, &sp, &n_sp);

	for (size_t k = 0; !rc && k < n_sp; k++) {
		const struct osec *s = &ex->o->sec[sp[k].sec];
		uint64_t es = sp[k].entsize;

		for (uint64_t e = 0; !rc && e < s->sh.sh_size / es; e++) {
			bool keep = false;

			for (size_t i = obj_rela_from(s, e * es);
			     i < s->n_rela && s->rela[i].r_offset < (e + 1) * es && !keep; i++) {
				struct otarget t;

				obj_target(ex->o, sp[k].sec, &s->rela[i], &t);
				keep = t.sec && obj_sec_is_code(&ex->o->sec[t.sec]) &&
				       carried_code(ex, t.sec, t.off);
			}
			if (keep)
				rc = carry(ex, sp[k].sec, e * es, es);
		}
	}
	free(sp);
	return rc;
}

static int cmp_piece(const void *a, const void *b)
{
	const struct piece *x = a, *y = b;

	return x->start < y->start ? -1 : x->start > y->start;
}

static int cmp_xsec(const void *a, const void *b)
{
	return cmp_size(((const struct xsec *)a)->src, ((const struct xsec *)b)->src);
}

static int add_sym(struct extract *ex, const char *name, unsigned char info, size_t xsec,
		   uint64_t value, uint64_t size, size_t *handle)
{
	struct xsym *n = reallocarray(ex->sy, ex->n_sy + 1, sizeof(*n));

	if (!n)
		return -ENOMEM;
	ex->sy = n;
	n[ex->n_sy] = (struct xsym){
		.name = strdup(name), .info = info, .xsec = xsec, .value = value, .size = size
	};
	if (!n[ex->n_sy].name)
		return -ENOMEM;
	*handle = ex->n_sy++;
	return 0;
}

/*
 * Output symbol @i of the patched object, local, in piece @p.  The .cold
 * part of a renamed function is "<new name>.cold": objtool finds a .cold
 * part's parent by that name.
 */
static int add_local_sym(struct extract *ex, size_t i, const struct piece *p, size_t *h)
{
	const struct osym *s = &ex->o->sym[i];
	char *cold = NULL;
	int rc;

	for (size_t j = 1; s->is_cold && j < ex->o->n_sym; j++)
		if (ex->o->sym[j].cold == i && ex->new_name[j] &&
		    asprintf(&cold, "%s.cold", ex->new_name[j]) < 0)
			return -ENOMEM;
	rc = add_sym(ex, cold ? cold : s->name, GELF_ST_INFO(STB_LOCAL, GELF_ST_TYPE(s->s.st_info)),
		     ex->xsec_of[s->s.st_shndx] - 1, s->s.st_value - p->start + p->out,
		     s->s.st_size, h);
	free(cold);
	return rc;
}

/* Pieces in order, merged where they overlap, at their output offsets; the symbols. */
static int layout(struct extract *ex)
{
	const struct obj *o = ex->o;
	int rc;

	qsort(ex->xs, ex->n_xs, sizeof(*ex->xs), cmp_xsec);
	for (size_t i = 0; i < ex->n_xs; i++) {
		struct xsec *x = &ex->xs[i];
		uint64_t al = o->sec[x->src].sh.sh_addralign ? o->sec[x->src].sh.sh_addralign : 1;
		size_t m = 0;

		ex->xsec_of[x->src] = i + 1;
		qsort(x->p, x->n_p, sizeof(*x->p), cmp_piece);
		for (size_t j = 0; j < x->n_p; j++) {
			if (m && x->p[j].start < x->p[m - 1].start + x->p[m - 1].len) {
				uint64_t end = x->p[j].start + x->p[j].len;

				if (end > x->p[m - 1].start + x->p[m - 1].len)
					x->p[m - 1].len = end - x->p[m - 1].start;
				continue;
			}
			x->p[m++] = x->p[j];
		}
		x->n_p = m;
		for (size_t j = 0; j < x->n_p; j++) {
			/* keep each piece's offset modulo the alignment */
			uint64_t off = (x->size + al - 1) / al * al;

			x->p[j].out = off;
			x->size = off + x->p[j].len;
		}
		rc = add_sym(ex, "", GELF_ST_INFO(STB_LOCAL, STT_SECTION), i, 0, 0, &x->symh);
		if (rc)
			return rc;
	}
	for (size_t i = 1; i < o->n_sym; i++) {
		const struct osym *s = &o->sym[i];
		int type = GELF_ST_TYPE(s->s.st_info);
		struct piece *p;
		size_t h;

		if ((type != STT_FUNC && type != STT_OBJECT) || !*s->name ||
		    !(p = piece_at(ex, s->s.st_shndx, (int64_t)s->s.st_value)) ||
		    (p->len && s->s.st_value == p->start + p->len))
			continue;
		if (ex->new_name[i])
			rc = add_sym(ex, ex->new_name[i], GELF_ST_INFO(STB_GLOBAL, STT_FUNC),
				     ex->xsec_of[s->s.st_shndx] - 1,
				     s->s.st_value - p->start + p->out, s->s.st_size, &h);
		else
			rc = add_local_sym(ex, i, p, &h);
		if (rc)
			return rc;
		ex->sym_out[i] = h + 1;
	}
	return 0;
}

static int add_ref(struct extract *ex, const struct objdiff_answer *a, const char *name,
		   bool is_func)
{
	struct objdiff_result *res = ex->res;
	struct objdiff_ref *n;

	for (size_t i = 0; i < res->n_refs; i++)
		if (strcmp(res->refs[i].name, name) == 0 &&
		    strcmp(res->refs[i].object, a->object) == 0 && res->refs[i].sympos == a->sympos)
			return 0;
	n = reallocarray(res->refs, res->n_refs + 1, sizeof(*n));
	if (!n)
		return -ENOMEM;
	res->refs = n;
	n[res->n_refs] = (struct objdiff_ref){ .object = strndup(a->object, sizeof(a->object)),
					       .name = strdup(name),
					       .sympos = a->sympos,
					       .is_func = is_func };
	if (!n[res->n_refs].object || !n[res->n_refs].name) {
		free(n[res->n_refs].object);
		free(n[res->n_refs].name);
		return -ENOMEM;
	}
	res->n_refs++;
	return 0;
}

/*
 * Whether the original object uses the address of its symbol @sym other
 * than by a call from code (a function pointer stored or passed): then the
 * running kernel's function is address-taken, and IBT left its ENDBR.
 */
static bool orig_takes_address(const struct obj *o, size_t sym)
{
	for (size_t sec = 0; sec < o->n_sec; sec++) {
		const struct osec *s = &o->sec[sec];

		/* code and data: not the tables that locate code (unwind, ftrace, ...) */
		if (!(s->sh.sh_flags & SHF_ALLOC) ||
		    (!obj_sec_is_code(s) && strncmp(s->name, ".data", 5) != 0 &&
		     strncmp(s->name, ".rodata", 7) != 0 &&
		     strncmp(s->name, ".init.data", 10) != 0 &&
		     strncmp(s->name, ".ref.data", 9) != 0))
			continue;
		for (size_t i = 0; i < s->n_rela; i++) {
			struct otarget t;

			obj_target(o, sec, &s->rela[i], &t);
			if (t.sym == sym && !obj_rela_is_call(o, sec, &s->rela[i]))
				return true;
		}
	}
	return false;
}

/* The undefined symbol standing for symbol @sym of the patched object, asking the resolver. */
static int extern_sym(struct extract *ex, size_t sym, bool call, size_t *handle)
{
	const struct osym *s = &ex->o->sym[sym];
	struct objdiff_query q = { .unit = ex->u->path,
				   .object = ex->u->object,
				   .unit_syms = ex->unit_syms,
				   .n_unit_syms = ex->n_unit_syms };
	struct objdiff_answer a = { 0 };
	char *name;
	int rc;

	if (s->s.st_shndx != SHN_UNDEF) {
		const struct osym *m;

		if (s->match == NO_SYM)
			return refuse(ex,
				      "'%s' is new in the patch but not carried (internal error)",
				      s->name);
		m = &ex->orig->sym[s->match];
		q.name = m->name;
		q.is_func = GELF_ST_TYPE(m->s.st_info) == STT_FUNC;
		q.is_local = GELF_ST_BIND(m->s.st_info) == STB_LOCAL;
	} else {
		q.name = s->name;
		q.is_func = GELF_ST_TYPE(s->s.st_info) == STT_FUNC || call;
	}
	rc = ex->r->resolve(ex->ctx, ex->r->arg, &q, &a);
	if (rc)
		return rc;
	if (a.kind == OBJDIFF_REF_KLP) {
		if (q.is_func && !call && s->s.st_shndx != SHN_UNDEF &&
		    !orig_takes_address(ex->orig, s->match))
			return refuse(
				ex,
				"the changed code uses the address of the function '%s' "
				"(not a call), which is neither carried nor exported, and the "
				"kernel's own code never takes it: with IBT the function may "
				"have no ENDBR; call it instead, or carry a wrapper",
				q.name);
		if (asprintf(&name, KLPB_CALL_PREFIX "%.*s.%lu.%s", (int)sizeof(a.object), a.object,
			     a.sympos, q.name) < 0)
			return -ENOMEM;
		rc = add_ref(ex, &a, q.name, q.is_func);
	} else {
		name = strdup(q.name);
		rc = name ? 0 : -ENOMEM;
	}
	for (size_t i = 0; !rc && i < ex->n_sy; i++)
		if (ex->sy[i].xsec == NO_SYM && strcmp(ex->sy[i].name, name) == 0) {
			*handle = i;
			free(name);
			return 0;
		}
	if (!rc)
		rc = add_sym(ex, name,
			     GELF_ST_INFO(a.kind == OBJDIFF_REF_KLP ? STB_WEAK : STB_GLOBAL,
					  STT_NOTYPE),
			     NO_SYM, 0, 0, handle);
	free(name);
	return rc;
}

/* Relocation @r of section @sec, for the output: its symbol handle and addend. */
static int out_rela(struct extract *ex, size_t sec, const GElf_Rela *r, size_t *h, int64_t *add)
{
	const struct obj *o = ex->o;
	size_t si = GELF_R_SYM(r->r_info);
	struct otarget t;
	struct piece *p;

	obj_target(o, sec, r, &t);
	*add = r->r_addend;
	if (t.ambiguous)
		return refuse(ex,
			      "the changed code at %s+0x%llx reaches %s through the section, which "
			      "holds several variables, and the instruction does not tell which of "
			      "them ('%s' or the one after it) it uses; give the variable its own "
			      "section (no __section/__read_mostly-style attribute on it) or write "
			      "the change by hand",
			      o->sec[sec].name, (unsigned long long)r->r_offset, o->sec[t.sec].name,
			      o->sym[t.sym].name);
	if (!t.via_section && t.sym != NO_SYM && ex->sym_out[t.sym]) {
		*h = ex->sym_out[t.sym] - 1;
		return 0;
	}
	if (t.via_section) {
		p = piece_at(ex, t.sec, t.off);
		if (!p)
			p = piece_at(ex, t.sec, (int64_t)o->sym[si].s.st_value + r->r_addend);
	} else {
		p = t.sym != NO_SYM ? piece_at(ex, t.sec, (int64_t)o->sym[t.sym].s.st_value) : NULL;
	}
	if (p) {
		*h = ex->xs[ex->xsec_of[t.sec] - 1].symh;
		*add = r->r_addend + (int64_t)o->sym[si].s.st_value + (int64_t)p->out -
		       (int64_t)p->start;
		return 0;
	}
	if (t.via_section && t.sym != NO_SYM && ex->sym_out[t.sym]) {
		/* a carried symbol whose piece does not hold A itself (an immediate follows) */
		*h = ex->sym_out[t.sym] - 1;
		*add = t.resid;
		return 0;
	}
	if (t.sym == NO_SYM)
		return refuse(ex, "a relocation at %s+0x%llx points at nothing objdiff can name",
			      o->sec[sec].name, (unsigned long long)r->r_offset);
	*add = t.resid;
	return extern_sym(ex, t.sym, obj_rela_is_call(o, sec, r), h);
}

static int relocate(struct extract *ex)
{
	for (size_t i = 0; i < ex->n_xs; i++) {
		struct xsec *x = &ex->xs[i];
		const struct osec *s = &ex->o->sec[x->src];

		for (size_t j = 0; j < x->n_p; j++) {
			const struct piece *p = &x->p[j];

			for (size_t k = obj_rela_from(s, p->start);
			     k < s->n_rela && s->rela[k].r_offset < p->start + p->len; k++) {
				GElf_Rela *n = reallocarray(x->rela, x->n_rela + 1, sizeof(*n));
				int64_t add;
				size_t h;
				int rc;

				if (!n)
					return -ENOMEM;
				x->rela = n;
				if (GELF_R_TYPE(s->rela[k].r_info) == R_X86_64_NONE)
					continue;
				rc = out_rela(ex, x->src, &s->rela[k], &h, &add);
				if (rc)
					return rc;
				n[x->n_rela++] = (GElf_Rela){
					.r_offset = s->rela[k].r_offset - p->start + p->out,
					.r_info = GELF_R_INFO(h, GELF_R_TYPE(s->rela[k].r_info)),
					.r_addend = add,
				};
			}
		}
	}
	return 0;
}

/* String table helpers: offset of @s appended to @sb. */
static int strtab_add(struct strbuf *sb, const char *s, uint32_t *off)
{
	*off = (uint32_t)sb->len;
	return strbuf_add(sb, s, strlen(s) + 1);
}

static int pad(struct strbuf *sb, uint64_t al)
{
	static const char zero[64];

	while (al > 1 && sb->len % al)
		if (strbuf_add(sb, zero, al - sb->len % al > 64 ? 64 : al - sb->len % al))
			return -ENOMEM;
	return 0;
}

/* The symbols in output order (null, sections, locals, globals): their final indexes. */
static size_t order_syms(struct extract *ex)
{
	size_t n = 1, first_global;

	for (int pass = 0; pass < 3; pass++)
		for (size_t i = 0; i < ex->n_sy; i++) {
			int bind = GELF_ST_BIND(ex->sy[i].info);
			int type = GELF_ST_TYPE(ex->sy[i].info);

			if ((pass == 0 && type == STT_SECTION) ||
			    (pass == 1 && bind == STB_LOCAL && type != STT_SECTION) ||
			    (pass == 2 && bind != STB_LOCAL))
				ex->sy[i].final = n++;
		}
	first_global = 1;
	for (size_t i = 0; i < ex->n_sy; i++)
		if (GELF_ST_BIND(ex->sy[i].info) == STB_LOCAL)
			first_global++;
	return first_global;
}

static int write_elf(struct extract *ex)
{
	const struct obj *o = ex->o;
	struct strbuf out, shstr, str;
	size_t n_rel = 0, n_shdr, symtab, first_global = order_syms(ex);
	Elf64_Shdr *sh;
	Elf64_Sym *syms;
	Elf64_Ehdr eh = { 0 };
	int rc = 0;

	for (size_t i = 0; i < ex->n_xs; i++)
		n_rel += ex->xs[i].n_rela > 0;
	n_shdr = 1 + ex->n_xs + n_rel + 4; /* + .note.GNU-stack .symtab .strtab .shstrtab */
	symtab = n_shdr - 3;
	sh = calloc(n_shdr, sizeof(*sh));
	syms = calloc(ex->n_sy + 1, sizeof(*syms));
	strbuf_init(&out);
	strbuf_init(&shstr);
	strbuf_init(&str);
	if (!sh || !syms || strbuf_add(&out, &eh, sizeof(eh)) || strbuf_add(&shstr, "", 1) ||
	    strbuf_add(&str, "", 1)) {
		rc = -ENOMEM;
		goto out;
	}
	for (size_t i = 0; i < ex->n_sy && !rc; i++) {
		const struct xsym *y = &ex->sy[i];
		Elf64_Sym *s = &syms[y->final];
		uint32_t off = 0;

		if (GELF_ST_TYPE(y->info) != STT_SECTION)
			rc = strtab_add(&str, y->name, &off);
		*s = (Elf64_Sym){ .st_name = off,
				  .st_info = y->info,
				  .st_shndx = y->xsec == NO_SYM ? SHN_UNDEF :
								  (uint16_t)(y->xsec + 1),
				  .st_value = y->value,
				  .st_size = y->size };
	}
	for (size_t i = 0, rel = 1 + ex->n_xs; i < ex->n_xs && !rc; i++) {
		const struct xsec *x = &ex->xs[i];
		const GElf_Shdr *src = &o->sec[x->src].sh;
		Elf64_Shdr *d = &sh[i + 1];

		*d = (Elf64_Shdr){ .sh_type = src->sh_type,
				   .sh_flags = src->sh_flags & ~SHF_GROUP,
				   .sh_size = x->size,
				   .sh_addralign = src->sh_addralign,
				   .sh_entsize = src->sh_entsize };
		rc = strtab_add(&shstr, o->sec[x->src].name, &d->sh_name) ?:
			     pad(&out, src->sh_addralign);
		d->sh_offset = out.len;
		if (src->sh_type != SHT_NOBITS)
			for (size_t j = 0; j < x->n_p && !rc; j++) {
				rc = pad(&out, 1);
				while (!rc && out.len < d->sh_offset + x->p[j].out)
					rc = strbuf_add(&out, "", 1);
				if (!rc && x->p[j].len)
					rc = o->sec[x->src].data ?
						     strbuf_add(&out,
								o->sec[x->src].data + x->p[j].start,
								x->p[j].len) :
						     -EBADMSG;
			}
		while (!rc && src->sh_type != SHT_NOBITS && out.len < d->sh_offset + x->size)
			rc = strbuf_add(&out, "", 1);
		if (rc || !x->n_rela)
			continue;
		{
			Elf64_Shdr *rs = &sh[rel++];
			char *rn;

			if (asprintf(&rn, ".rela%s", o->sec[x->src].name) < 0) {
				rc = -ENOMEM;
				break;
			}
			rc = strtab_add(&shstr, rn, &rs->sh_name) ?: pad(&out, 8);
			free(rn);
			*rs = (Elf64_Shdr){ .sh_name = rs->sh_name,
					    .sh_type = SHT_RELA,
					    .sh_flags = SHF_INFO_LINK,
					    .sh_offset = out.len,
					    .sh_size = x->n_rela * sizeof(Elf64_Rela),
					    .sh_link = (uint32_t)symtab,
					    .sh_info = (uint32_t)(i + 1),
					    .sh_addralign = 8,
					    .sh_entsize = sizeof(Elf64_Rela) };
			for (size_t k = 0; k < x->n_rela && !rc; k++) {
				Elf64_Rela er = {
					.r_offset = x->rela[k].r_offset,
					.r_info = ELF64_R_INFO(
						ex->sy[GELF_R_SYM(x->rela[k].r_info)].final,
						GELF_R_TYPE(x->rela[k].r_info)),
					.r_addend = x->rela[k].r_addend,
				};

				rc = strbuf_add(&out, &er, sizeof(er));
			}
		}
	}
	if (rc)
		goto out;
	/* no executable stack wanted (ld warns without the note) */
	rc = strtab_add(&shstr, ".note.GNU-stack", &sh[symtab - 1].sh_name);
	sh[symtab - 1].sh_type = SHT_PROGBITS;
	sh[symtab - 1].sh_offset = out.len;
	sh[symtab - 1].sh_addralign = 1;
	rc = rc ?: pad(&out, 8);
	rc = rc ?: strtab_add(&shstr, ".symtab", &sh[symtab].sh_name);
	sh[symtab] = (Elf64_Shdr){ .sh_name = sh[symtab].sh_name,
				   .sh_type = SHT_SYMTAB,
				   .sh_offset = out.len,
				   .sh_size = (ex->n_sy + 1) * sizeof(*syms),
				   .sh_link = (uint32_t)symtab + 1,
				   .sh_info = (uint32_t)first_global,
				   .sh_addralign = 8,
				   .sh_entsize = sizeof(*syms) };
	rc = rc ?: strbuf_add(&out, syms, (ex->n_sy + 1) * sizeof(*syms));
	rc = rc ?: strtab_add(&shstr, ".strtab", &sh[symtab + 1].sh_name);
	sh[symtab + 1].sh_type = SHT_STRTAB;
	sh[symtab + 1].sh_offset = out.len;
	sh[symtab + 1].sh_size = str.len;
	sh[symtab + 1].sh_addralign = 1;
	rc = rc ?: strbuf_add(&out, str.buf, str.len);
	rc = rc ?: strtab_add(&shstr, ".shstrtab", &sh[symtab + 2].sh_name);
	sh[symtab + 2].sh_type = SHT_STRTAB;
	sh[symtab + 2].sh_offset = out.len;
	sh[symtab + 2].sh_size = shstr.len;
	sh[symtab + 2].sh_addralign = 1;
	rc = rc ?: strbuf_add(&out, shstr.buf, shstr.len);
	rc = rc ?: pad(&out, 8);
	if (rc)
		goto out;
	memcpy(eh.e_ident, ELFMAG, SELFMAG);
	eh.e_ident[EI_CLASS] = ELFCLASS64;
	eh.e_ident[EI_DATA] = ELFDATA2LSB;
	eh.e_ident[EI_VERSION] = EV_CURRENT;
	eh.e_type = ET_REL;
	eh.e_machine = EM_X86_64;
	eh.e_version = EV_CURRENT;
	eh.e_shoff = out.len;
	eh.e_ehsize = sizeof(eh);
	eh.e_shentsize = sizeof(Elf64_Shdr);
	eh.e_shnum = (uint16_t)n_shdr;
	eh.e_shstrndx = (uint16_t)(symtab + 2);
	memcpy(out.buf, &eh, sizeof(eh));
	rc = strbuf_add(&out, sh, n_shdr * sizeof(*sh));
	if (!rc) {
		ex->res->elf_len = out.len;
		ex->res->elf = (uint8_t *)strbuf_detach(&out);
	}
out:
	strbuf_release(&out);
	strbuf_release(&shstr);
	strbuf_release(&str);
	free(sh);
	free(syms);
	return rc == -ENOMEM ?
		       (p_err(ex->ctx, rc, "out of memory writing the object of %s", ex->u->path),
			rc) :
		       rc;
}

int extract_finish(struct extract *ex)
{
	int rc = drain(ex);

	rc = rc ?: keep_special(ex);
	rc = rc ?: drain(ex);
	rc = rc ?: layout(ex);
	rc = rc ?: relocate(ex);
	return rc ?: write_elf(ex);
}
