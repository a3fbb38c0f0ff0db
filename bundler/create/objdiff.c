// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * objdiff.c - see objdiff.h.  Matching the symbols of the original and the
 * patched object by key (objmodel.c), the refusals (data, __init), the
 * changed and new functions; objextract.c writes the object.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "create/objdiff-int.h"

static const struct obj *key_obj;

static int cmp_key(const void *a, const void *b)
{
	const struct osym *x = &key_obj->sym[*(const size_t *)a];
	const struct osym *y = &key_obj->sym[*(const size_t *)b];

	return strcmp(x->key, y->key);
}

static bool defined(const struct obj *o, size_t i)
{
	const GElf_Sym *s = &o->sym[i].s;
	int t = GELF_ST_TYPE(s->st_info);

	return o->sym[i].key && s->st_shndx != SHN_UNDEF && s->st_shndx < o->n_sec &&
	       (t == STT_FUNC || t == STT_OBJECT);
}

/*
 * Whether symbol @i of @o takes part in matching: not the dynamic debug
 * descriptors, which the carried code gets its own of (matched by their
 * order, an added pr_debug() would make the next ones point at the wrong
 * descriptors of the running kernel).
 */
static bool matchable(const struct obj *o, size_t i)
{
	return defined(o, i) && strncmp(o->sec[o->sym[i].s.st_shndx].name, "__dyndbg", 8) != 0;
}

/* Link each defined symbol of @a and @b to the one with the same key in the other. */
static int match_syms(struct obj *a, struct obj *b)
{
	size_t *idx = calloc(a->n_sym + 1, sizeof(size_t)), n = 0;

	if (!idx)
		return -ENOMEM;
	for (size_t i = 1; i < a->n_sym; i++)
		if (matchable(a, i))
			idx[n++] = i;
	key_obj = a;
	qsort(idx, n, sizeof(*idx), cmp_key);
	for (size_t j = 1; j < b->n_sym; j++) {
		size_t lo = 0, hi = n;

		if (!matchable(b, j))
			continue;
		while (lo < hi) {
			size_t mid = (lo + hi) / 2;
			int c = strcmp(a->sym[idx[mid]].key, b->sym[j].key);

			if (!c) {
				b->sym[j].match = idx[mid];
				a->sym[idx[mid]].match = j;
				break;
			}
			if (c < 0)
				lo = mid + 1;
			else
				hi = mid;
		}
	}
	free(idx);
	return 0;
}

static bool sym_equal(const struct obj *a, size_t i, const struct obj *b, size_t j)
{
	uint64_t as, al, bs, bl;

	obj_sym_range(a, i, &as, &al);
	obj_sym_range(b, j, &bs, &bl);
	return obj_range_equal(a, a->sym[i].s.st_shndx, as, al, b, b->sym[j].s.st_shndx, bs, bl);
}

/* Whether function @j of @b (patched) differs from its match in @a, .cold parts included. */
static bool func_changed(const struct obj *a, const struct obj *b, size_t j)
{
	size_t i = b->sym[j].match;
	size_t ac = a->sym[i].cold, bc = b->sym[j].cold;

	if (!sym_equal(a, i, b, j) || (ac == NO_SYM) != (bc == NO_SYM))
		return true;
	return ac != NO_SYM && !sym_equal(a, ac, b, bc);
}

static bool data_ignored(const char *sec)
{
	static const char *const prefixes[] = { ".modinfo",  ".discard", "__ksymtab", "___ksymtab",
						"__kcrctab", ".note",	 "__dyndbg",  ".comment" };

	for (size_t i = 0; i < sizeof(prefixes) / sizeof(*prefixes); i++)
		if (strncmp(sec, prefixes[i], strlen(prefixes[i])) == 0)
			return true;
	return false;
}

static bool static_obj(const struct obj *o, size_t i)
{
	const GElf_Sym *s = &o->sym[i].s;

	return matchable(o, i) && GELF_ST_TYPE(s->st_info) == STT_OBJECT &&
	       GELF_ST_BIND(s->st_info) == STB_LOCAL && !data_ignored(o->sec[s->st_shndx].name);
}

/* An unmatched static variable of @a with the GCC-suffix-free name @base, NO_SYM if none. */
static size_t unmatched_static(const struct obj *a, const char *base)
{
	for (size_t i = 1; i < a->n_sym; i++) {
		char *n;
		bool same;

		if (!static_obj(a, i) || a->sym[i].match != NO_SYM)
			continue;
		n = obj_normalize(a->sym[i].name);
		same = n && strcmp(n, base) == 0;
		free(n);
		if (same)
			return i;
	}
	return NO_SYM;
}

/*
 * Refuse static variables whose match is a guess: a group of same-named
 * statics of one function (numbered in symbol order) that grows or shrinks,
 * and a new static when the original has an unmatched one of the same name
 * (the first function using it changed, by inlining say).
 */
static int check_statics(struct klpb_ctx *ctx, const struct unit *u, const struct obj *a,
			 const struct obj *b)
{
	for (size_t j = 1; j < b->n_sym; j++) {
		const struct osym *s = &b->sym[j];
		char *base;
		size_t i;

		if (!static_obj(b, j))
			continue;
		if (s->match != NO_SYM) {
			if (a->sym[s->match].n_group == s->n_group)
				continue;
			p_err(ctx, -EINVAL,
			      "cannot live-patch %s: the patch changes how many static variables "
			      "'%s' there are (%zu before, %zu after), told apart only by their "
			      "order, so objdiff cannot tell which one of the running kernel each "
			      "is; give the new static another name, or write the change by hand",
			      u->path, s->key, a->sym[s->match].n_group, s->n_group);
			return -EINVAL;
		}
		base = obj_normalize(s->name);
		if (!base)
			return -ENOMEM;
		i = unmatched_static(a, base);
		free(base);
		if (i == NO_SYM)
			continue;
		p_err(ctx, -EINVAL,
		      "cannot live-patch %s: the static variable '%s' (%s) has no match in the "
		      "original, which has an unmatched '%s' (%s): a static is matched by the first "
		      "function using it, which the patch changed (an inlined helper?), so objdiff "
		      "cannot tell whether they are one variable; keep that function's use of it "
		      "as it is, or write the change by hand",
		      u->path, s->name, s->key, a->sym[i].name, a->sym[i].key);
		return -EINVAL;
	}
	return 0;
}

/* Refuse changed or new global data, changed writable data, changed __init data. */
static int check_data(struct klpb_ctx *ctx, const struct unit *u, const struct obj *a,
		      struct obj *b)
{
	for (size_t j = 1; j < b->n_sym; j++) {
		struct osym *s = &b->sym[j];
		const struct osec *sec;
		bool global = GELF_ST_BIND(s->s.st_info) != STB_LOCAL;

		if (!defined(b, j) || GELF_ST_TYPE(s->s.st_info) != STT_OBJECT)
			continue;
		sec = &b->sec[s->s.st_shndx];
		if (data_ignored(sec->name))
			continue;
		if (obj_sec_is_init(sec->name)) {
			if (s->match == NO_SYM || !sym_equal(a, s->match, b, j)) {
				p_err(ctx, -EINVAL,
				      "cannot live-patch %s: the patch changes the __init/__exit data "
				      "'%s' (section %s), which is used at boot only or gone; move the "
				      "change out of __init code and data",
				      u->path, s->name, sec->name);
				return -EINVAL;
			}
			continue;
		}
		if (s->match == NO_SYM && global) {
			p_err(ctx, -EINVAL,
			      "cannot live-patch %s: new global data '%s' (section %s): a live patch "
			      "cannot add global variables; make it static to the changed code, or "
			      "attach the state with a shadow variable (klp_shadow_get_or_alloc())",
			      u->path, s->name, sec->name);
			return -EINVAL;
		}
		if (s->match == NO_SYM || sym_equal(a, s->match, b, j))
			continue;
		s->differs = true;
		if (global || (sec->sh.sh_flags & SHF_WRITE)) {
			p_err(ctx, -EINVAL,
			      "cannot live-patch %s: changed data '%s' (section %s): its initial value, "
			      "size or type differs, but the running kernel keeps the variable it has; "
			      "set the new value at run time (a livepatch callback) or keep the new "
			      "state in a shadow variable",
			      u->path, a->sym[s->match].name, sec->name);
			return -EINVAL;
		}
	}
	return 0;
}

static int add_func(struct objdiff_result *res, const char *name, unsigned long sympos, bool is_new,
		    const char *new_sym)
{
	struct objdiff_func *n = reallocarray(res->funcs, res->n_funcs + 1, sizeof(*n));

	if (!n)
		return -ENOMEM;
	res->funcs = n;
	n[res->n_funcs] = (struct objdiff_func){ .name = strdup(name),
						 .sympos = sympos,
						 .is_new = is_new,
						 .new_sym = new_sym ? strdup(new_sym) : NULL };
	if (!n[res->n_funcs].name || (new_sym && !n[res->n_funcs].new_sym)) {
		free(n[res->n_funcs].name);
		free(n[res->n_funcs].new_sym);
		return -ENOMEM;
	}
	res->n_funcs++;
	return 0;
}

/* The changed function @j of @b: its position in the target, its replacement's name. */
static int changed_func(struct klpb_ctx *ctx, const struct unit *u, const struct obj *a,
			const struct obj *b, size_t j, struct extract *ex,
			const struct objdiff_resolver *r, struct objdiff_result *res)
{
	const struct osym *m = &a->sym[b->sym[j].match];
	const char *const *unit_syms = NULL;
	struct objdiff_query q = { .unit = u->path,
				   .object = u->object,
				   .name = m->name,
				   .is_func = true,
				   .is_local = GELF_ST_BIND(m->s.st_info) == STB_LOCAL };
	struct objdiff_answer ans = { 0 };
	char *new_sym;
	size_t n = 0;
	int rc;

	/* the same unit_syms as every other query: the original's, by section and address */
	{
		const char **us = calloc(a->n_sym + 1, sizeof(char *));

		if (!us)
			return -ENOMEM;
		for (size_t s = 1; s < a->n_sec; s++)
			for (size_t k = 0; k < a->sec[s].n_syms; k++)
				us[n++] = a->sym[a->sec[s].syms[k]].name;
		unit_syms = us;
	}
	q.unit_syms = unit_syms;
	q.n_unit_syms = n;
	rc = r->resolve(ctx, r->arg, &q, &ans);
	free((void *)unit_syms);
	if (rc)
		return rc;
	if (ans.kind == OBJDIFF_REF_EXPORTED)
		ans.sympos = 0;
	if (asprintf(&new_sym, OBJDIFF_NEW_PREFIX "%s_%lu_%s", u->object, ans.sympos, m->name) < 0)
		return -ENOMEM;
	for (char *p = new_sym; *p; p++)
		if (*p == '.')
			*p = '_';
	rc = add_func(res, m->name, ans.sympos, false, new_sym);
	if (!rc)
		rc = extract_func(ex, j, new_sym);
	free(new_sym);
	return rc;
}

/* The changed and new functions of @b; refuses changed __init/__exit code. */
static int find_funcs(struct klpb_ctx *ctx, const struct unit *u, const struct obj *a,
		      const struct obj *b, struct extract *ex, const struct objdiff_resolver *r,
		      struct objdiff_result *res)
{
	for (size_t j = 1; j < b->n_sym; j++) {
		const struct osym *s = &b->sym[j];
		const char *sec;
		int rc;

		if (!defined(b, j) || GELF_ST_TYPE(s->s.st_info) != STT_FUNC || s->is_cold)
			continue;
		if (s->match != NO_SYM && !func_changed(a, b, j))
			continue;
		sec = b->sec[s->s.st_shndx].name;
		if (obj_sec_is_init(sec)) {
			p_err(ctx, -EINVAL,
			      "cannot live-patch %s: the patch changes the __init/__exit function '%s' "
			      "(section %s): init code has run already (or is gone) and cannot be "
			      "live-patched; leave __init code alone (a livepatch callback can redo "
			      "what it did)",
			      u->path, s->name, sec);
			return -EINVAL;
		}
		if (s->match != NO_SYM && (GELF_ST_BIND(s->s.st_info) == STB_WEAK ||
					   GELF_ST_BIND(a->sym[s->match].s.st_info) == STB_WEAK)) {
			p_err(ctx, -EINVAL,
			      "cannot live-patch %s: the changed function '%s' (section %s) is "
			      "__weak: the kernel may run another definition of it (a strong one "
			      "elsewhere overrides it), which a replacement by this name would "
			      "replace with this code; patch the definition the kernel uses by hand",
			      u->path, s->name, sec);
			return -EINVAL;
		}
		if (s->match != NO_SYM && a->sym[s->match].n_group != s->n_group) {
			p_err(ctx, -EINVAL,
			      "cannot live-patch %s: the function '%s' changed, but the patch changes "
			      "how many functions '%s' there are (%zu before, %zu after), told apart "
			      "only by their order, so objdiff cannot tell which one of the running "
			      "kernel it replaces; write the change by hand",
			      u->path, s->name, s->key, a->sym[s->match].n_group, s->n_group);
			return -EINVAL;
		}
		if (s->match == NO_SYM)
			rc = add_func(res, s->name, 0, true, NULL) ?: extract_func(ex, j, NULL);
		else
			rc = changed_func(ctx, u, a, b, j, ex, r, res);
		if (rc)
			return rc;
	}
	return 0;
}

int objdiff_extract(struct klpb_ctx *ctx, const struct unit *u, const struct objdiff_resolver *r,
		    struct objdiff_result *res)
{
	struct obj a, b;
	struct extract *ex = NULL;
	int rc;

	memset(res, 0, sizeof(*res));
	memset(&b, 0, sizeof(b));
	rc = obj_load(ctx, u->orig_o, &a);
	if (!rc)
		rc = obj_load(ctx, u->patched_o, &b);
	if (!rc)
		rc = match_syms(&a, &b);
	if (!rc)
		rc = check_statics(ctx, u, &a, &b);
	if (!rc)
		rc = check_data(ctx, u, &a, &b);
	if (!rc && !(ex = extract_new(ctx, u, &a, &b, r, res)))
		rc = -ENOMEM;
	if (!rc)
		rc = find_funcs(ctx, u, &a, &b, ex, r, res);
	if (!rc && res->n_funcs)
		rc = extract_finish(ex);
	if (rc == -ENOMEM && !ctx->reported)
		p_err(ctx, rc, "out of memory comparing the objects of %s", u->path);
	extract_free(ex);
	obj_free(&a);
	obj_free(&b);
	return rc;
}

void objdiff_result_free(struct objdiff_result *res)
{
	for (size_t i = 0; i < res->n_funcs; i++) {
		free(res->funcs[i].name);
		free(res->funcs[i].new_sym);
	}
	for (size_t i = 0; i < res->n_refs; i++) {
		free(res->refs[i].object);
		free(res->refs[i].name);
	}
	free(res->funcs);
	free(res->refs);
	free(res->elf);
	memset(res, 0, sizeof(*res));
}
