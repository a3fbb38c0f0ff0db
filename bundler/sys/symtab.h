/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * symtab.h - the symbols of one object (vmlinux or a module) by name, as
 * kallsyms will list them: create's existence, uniqueness and sympos checks.
 * Livepatch counts sympos among ALL symbols of a name (klp_find_callback),
 * so counts are kept for every symbol and, separately, for functions.
 * The readers are in create/symbols.c (System.map, ELF symtab, kallsyms).
 */
#ifndef KLPB_SYMTAB_H
#define KLPB_SYMTAB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

struct symtab;

/* What a symbol is, for the checks livepatch's apply would otherwise fail. */
enum {
	SYMTAB_FUNC = 1 << 0, /* a function (else data) */
	SYMTAB_INIT = 1 << 1, /* in the init text, freed after boot */
	SYMTAB_NOTRACE = 1 << 2, /* a function without an ftrace location */
	SYMTAB_UNLISTED = 1 << 3, /* not in the running kernel's kallsyms (a
				     module's init symbols): counted nowhere */
};

/* An empty table, to fill with symtab_add() and close with symtab_finish(). */
struct symtab *symtab_new(void);
/* Add a symbol with SYMTAB_* @flags; the order of equal names is kept. */
int symtab_add(struct symtab *t, const char *name, size_t len, unsigned int flags);
/* Sort @t and hand it to *@out; -ENODATA (and @t freed) when it is empty. */
int symtab_finish(struct symtab *t, struct symtab **out);
/* kallsyms/System.map type letters of functions: t, T, w, W. */
bool symtab_type_is_func(char type);

/* How many symbols are called @name (0: none): the kernel's sympos range. */
unsigned int symtab_count(const struct symtab *t, const char *name);
/* How many of them are functions. */
unsigned int symtab_count_funcs(const struct symtab *t, const char *name);
/*
 * The SYMTAB_* flags of symbol @pos (from 1, in the order added, as sympos
 * counts) among those called @name; with @pos 0 the union of the flags of
 * every symbol of that name, SYMTAB_UNLISTED ones included.  0 when none.
 */
unsigned int symtab_flags(const struct symtab *t, const char *name, unsigned int pos);
size_t symtab_size(const struct symtab *t);
void symtab_free(struct symtab *t);

/*
 * "f NAME" / "o NAME" lines (kernel-cache.c), the letter followed by i, n
 * and u for SYMTAB_INIT, _NOTRACE and _UNLISTED, and back into [owned] *@out.
 */
void symtab_write_lines(const struct symtab *t, FILE *f);
int symtab_read_lines(FILE *f, struct symtab **out);

#endif
