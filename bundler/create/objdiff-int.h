/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * objdiff-int.h - the model of a relocatable object that objdiff.c,
 * objmodel.c, objspecial.c and objextract.c share (not an interface).
 */
#ifndef KLPB_CREATE_OBJDIFF_INT_H
#define KLPB_CREATE_OBJDIFF_INT_H

#include <gelf.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "create/objdiff.h"

#define NO_SYM ((size_t)-1)

struct osec {
	const char *name;
	GElf_Shdr sh;
	const uint8_t *data; /* NULL for SHT_NOBITS and for sections without contents */
	GElf_Rela *rela; /* the relocations applying to it, by r_offset */
	size_t n_rela;
	size_t *syms; /* the FUNC and OBJECT symbols defined in it, by value */
	size_t n_syms;
	size_t n_funcs; /* how many of them are functions */
};

struct osym {
	const char *name;
	GElf_Sym s;
	char *key; /* the name to match across the two objects (NULL: none) */
	size_t owner; /* a static local: the first function using it (symbol index) */
	size_t cold; /* a function: its .cold part, NO_SYM if none */
	bool is_cold; /* a .cold part (carried with its parent) */
	size_t match; /* the symbol with the same key in the other object, NO_SYM if none */
	bool differs; /* data: its bytes or relocations differ from its match's */
	size_t n_group; /* defined symbols that had its key before numbering (#1, #2...) */
};

struct obj {
	const char *path;
	uint8_t *buf;
	size_t len;
	Elf *elf;
	struct osec *sec;
	size_t n_sec;
	struct osym *sym;
	size_t n_sym;
	size_t symtab; /* the index of the symbol table section */
};

/* One resolved target of a relocation: symbol @sym (or none), section @sec, offset @off. */
struct otarget {
	size_t sym; /* the named symbol it refers to, NO_SYM if none (anonymous data) */
	size_t sec; /* the section of the target, 0 if undefined */
	int64_t off; /* the target's offset in @sec */
	int64_t resid; /* the addend relative to @sym's value (or to the section) */
	bool via_section; /* the relocation is against the section symbol */
	bool ambiguous; /* PC-relative into a section of several symbols: @sym is a guess */
};

/* objmodel.c */
int obj_load(struct klpb_ctx *ctx, const char *path, struct obj *o);
void obj_free(struct obj *o);
/* The GCC-suffix-free form of @name ("count.3" -> "count"); [owned]. */
char *obj_normalize(const char *name);
bool obj_sec_is_code(const struct osec *s);
bool obj_sec_is_init(const char *name);
/* The defined symbol covering @off of section @sec, NO_SYM if none. */
size_t obj_sym_at(const struct obj *o, size_t sec, int64_t off);
/* Where relocation @r of section @sec points. */
void obj_target(const struct obj *o, size_t sec, const GElf_Rela *r, struct otarget *t);
/* The range of @sym's code or data: the whole section when it holds only @sym. */
void obj_sym_range(const struct obj *o, size_t sym, uint64_t *start, uint64_t *len);
/* Whether ranges of two objects have the same bytes and relocations (by meaning). */
bool obj_range_equal(const struct obj *a, size_t asec, uint64_t astart, uint64_t alen,
		     const struct obj *b, size_t bsec, uint64_t bstart, uint64_t blen);
/* The first relocation of @sec at or after @off. */
size_t obj_rela_from(const struct osec *s, uint64_t off);
/* A relocation of code that is a direct call or jump (not a use of the address). */
bool obj_rela_is_call(const struct obj *o, size_t sec, const GElf_Rela *r);

/* objspecial.c: the special sections, their entries and which to keep. */
struct special {
	size_t sec;
	uint64_t entsize;
};
/*
 * Classify every section of @o that has relocations into code: special
 * sections with their entry size (allocated [owned] *@sp), dropped ones,
 * and the unknown ones (refused when they reference code @carried says is
 * carried).  @carried(arg, sec, off) tells whether code at @off of @sec is
 * carried.
 */
int special_scan(struct klpb_ctx *ctx, const char *unit, const struct obj *o,
		 bool (*carried)(void *arg, size_t sec, int64_t off), void *arg,
		 struct special **sp, size_t *n_sp);

/* objextract.c: the output object. */
struct extract;
struct extract *extract_new(struct klpb_ctx *ctx, const struct unit *u, const struct obj *orig,
			    const struct obj *patched, const struct objdiff_resolver *r,
			    struct objdiff_result *res);
void extract_free(struct extract *ex);
/* Carry function @sym of the patched object (and its .cold part); @new_sym: its global name. */
int extract_func(struct extract *ex, size_t sym, const char *new_sym);
/* Everything the carried functions need, then the object into res->elf. */
int extract_finish(struct extract *ex);

#endif
