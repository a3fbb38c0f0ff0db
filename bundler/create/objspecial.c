// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * objspecial.c - the special sections of a unit's object (__bug_table,
 * __ex_table, .altinstructions, ...): arrays of fixed-size entries that
 * point into code.  An entry's size comes from the section itself (its
 * size over the number of entries, the entries counted by their
 * relocations into code, and checked consistent), never from a
 * per-version table.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "create/objdiff-int.h"

/* The sections whose entries objdiff keeps for the carried code. */
static const char *const known[] = {
	"__bug_table",	    "__ex_table",	 "__jump_table", ".altinstructions",
	".smp_locks",	    ".parainstructions", "__mcount_loc", ".static_call_sites",
	".retpoline_sites", ".return_sites",	 ".call_sites",	 ".ibt_endbr_seal",
	".orc_unwind",	    ".orc_unwind_ip",
};

/* Sections that are not carried whatever they reference. */
static bool dropped(const char *n)
{
	static const char *const prefixes[] = { ".debug", ".eh_frame", ".note", ".comment",
						"__ksymtab", "___ksymtab", "__kcrctab", ".modinfo",
						".export_symbol", ".BTF", ".gnu.", ".llvm",
						/*
						 * ordered (SHF_LINK_ORDER), which the
						 * output cannot keep; unused on x86 (the
						 * padding it lists stays in the code)
						 */
						"__patchable_function_entries" };

	for (size_t i = 0; i < sizeof(prefixes) / sizeof(*prefixes); i++)
		if (strncmp(n, prefixes[i], strlen(prefixes[i])) == 0)
			return true;
	return obj_sec_is_init(n);
}

static bool is_known(const char *n)
{
	if (strncmp(n, ".discard.", 9) == 0)
		return true;
	for (size_t i = 0; i < sizeof(known) / sizeof(*known); i++)
		if (strcmp(n, known[i]) == 0)
			return true;
	return false;
}

static bool data_like(const struct osec *s)
{
	static const char *const prefixes[] = { ".data", ".rodata", ".bss", ".tdata", ".tbss" };

	for (size_t i = 0; i < sizeof(prefixes) / sizeof(*prefixes); i++)
		if (strncmp(s->name, prefixes[i], strlen(prefixes[i])) == 0)
			return true;
	return s->n_syms > 0;
}

/* Whether relocation @r of section @sec points into code; *@off: where. */
static bool into_code(const struct obj *o, size_t sec, const GElf_Rela *r, size_t *tsec,
		      int64_t *off)
{
	struct otarget t;

	obj_target(o, sec, r, &t);
	*tsec = t.sec;
	*off = t.off;
	return t.sec && obj_sec_is_code(&o->sec[t.sec]);
}

/*
 * The entry size of special section @sec: size / entries, with @k relocations
 * into code per entry at the same offsets in every entry; 0 if none fits.
 */
static uint64_t entry_size(const struct obj *o, size_t sec)
{
	const struct osec *s = &o->sec[sec];
	size_t n = 0, *code = calloc(s->n_rela ? s->n_rela : 1, sizeof(size_t));
	uint64_t es = 0;

	if (!code)
		return 0;
	for (size_t i = 0; i < s->n_rela; i++) {
		size_t ts;
		int64_t off;

		if (into_code(o, sec, &s->rela[i], &ts, &off))
			code[n++] = i;
	}
	for (size_t k = 1; k <= 4 && n && !es; k++) {
		uint64_t cand;
		bool fits = true;

		if (n % k || s->sh.sh_size % (n / k))
			continue;
		cand = s->sh.sh_size / (n / k);
		if (s->sh.sh_entsize && s->sh.sh_entsize != cand)
			continue;
		for (size_t e = 0; e < n / k && fits; e++)
			for (size_t j = 0; j < k && fits; j++) {
				const GElf_Rela *r = &s->rela[code[e * k + j]];
				const GElf_Rela *r0 = &s->rela[code[j]];

				fits = r->r_offset / cand == e &&
				       r->r_offset % cand == r0->r_offset % cand &&
				       GELF_R_TYPE(r->r_info) == GELF_R_TYPE(r0->r_info);
			}
		if (fits)
			es = cand;
	}
	free(code);
	return es;
}

/* The first relocation of @sec into carried code, or NULL. */
static const GElf_Rela *refers_carried(const struct obj *o, size_t sec,
				       bool (*carried)(void *, size_t, int64_t), void *arg)
{
	const struct osec *s = &o->sec[sec];

	for (size_t i = 0; i < s->n_rela; i++) {
		size_t ts;
		int64_t off;

		if (into_code(o, sec, &s->rela[i], &ts, &off) && carried(arg, ts, off))
			return &s->rela[i];
	}
	return NULL;
}

int special_scan(struct klpb_ctx *ctx, const char *unit, const struct obj *o,
		 bool (*carried)(void *arg, size_t sec, int64_t off), void *arg,
		 struct special **sp, size_t *n_sp)
{
	*sp = NULL;
	*n_sp = 0;
	for (size_t i = 1; i < o->n_sec; i++) {
		const struct osec *s = &o->sec[i];
		const GElf_Rela *r;
		struct special *n;
		uint64_t es;

		if (!s->n_rela || dropped(s->name) || obj_sec_is_code(s))
			continue;
		if (!is_known(s->name)) {
			if (data_like(s) || !(r = refers_carried(o, i, carried, arg)))
				continue;
			p_err(ctx, -EINVAL,
			      "cannot extract the change of %s: section %s (offset 0x%llx) refers to "
			      "changed code and objdiff does not know how to split it; the patch "
			      "needs a change that leaves that code alone, or objdiff support for %s",
			      unit, s->name, (unsigned long long)r->r_offset, s->name);
			return -EINVAL;
		}
		es = entry_size(o, i);
		if (!es) {
			if (!(r = refers_carried(o, i, carried, arg)))
				continue;
			p_err(ctx, -EINVAL,
			      "cannot extract the change of %s: the entries of %s (size %llu, %zu "
			      "relocations) cannot be split: no entry size fits them all; the "
			      "changed code it refers to (offset 0x%llx) cannot be carried",
			      unit, s->name, (unsigned long long)s->sh.sh_size, s->n_rela,
			      (unsigned long long)r->r_offset);
			return -EINVAL;
		}
		n = reallocarray(*sp, *n_sp + 1, sizeof(**sp));
		if (!n)
			return -ENOMEM;
		*sp = n;
		n[(*n_sp)++] = (struct special){ .sec = i, .entsize = es };
	}
	return 0;
}
