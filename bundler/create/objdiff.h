/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * objdiff.h - what a patch changes in one translation unit: the functions
 * whose code differs between the original and the patched object, the
 * references they make, and one relocatable object carrying them
 * (objdiff.c compares, objspecial.c keeps special-section entries,
 * objextract.c writes the object).
 */
#ifndef KLPB_CREATE_OBJDIFF_H
#define KLPB_CREATE_OBJDIFF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/ctx.h"
#include "create/units.h"

/*
 * What the resolver is asked for each symbol the carried code references
 * that is not carried itself.
 */
struct objdiff_query {
	const char *unit, *object; /* the unit's path and its object */
	const char *name; /* as in the ORIGINAL object ("count.3" for a static local) */
	bool is_func, is_local; /* STT_FUNC; STB_LOCAL in the unit */
	const char *const *unit_syms; /* the original unit's defined symbols (functions and */
	size_t n_unit_syms; /* data, in section/address order) for disambiguation */
};

enum objdiff_ref_kind { OBJDIFF_REF_EXPORTED, OBJDIFF_REF_KLP };

struct objdiff_answer {
	enum objdiff_ref_kind kind; /* EXPORTED: plain undefined symbol (vmlinux export) */
	char object[56]; /* KLP: the object defining it */
	unsigned long sympos; /* KLP: 0 if unique, else its position (1-based) */
};

struct objdiff_resolver {
	/* 0, or a negative errno with the failure reported on @ctx */
	int (*resolve)(struct klpb_ctx *ctx, void *arg, const struct objdiff_query *q,
		       struct objdiff_answer *a);
	void *arg;
};

struct objdiff_func {
	char *name; /* the function's name in the target (original object's) */
	unsigned long sympos; /* resolved like a reference (changed functions only) */
	bool is_new; /* new in the patch (carried, not replacing anything) */
	char *new_sym; /* changed: the global symbol of the replacement in the object */
};

struct objdiff_ref {
	char *object, *name;
	unsigned long sympos;
	bool is_func;
};

struct objdiff_result {
	struct objdiff_func *funcs; /* n_funcs == 0: no functional change */
	size_t n_funcs;
	struct objdiff_ref *refs; /* the KLP references, deduplicated */
	size_t n_refs;
	uint8_t *elf; /* the extracted object (NULL if none) */
	size_t elf_len;
};

/*
 * The prefix of a changed function's replacement symbol, a C identifier
 * (the declaration names it, and the runtime checks the manifest's name of
 * the replacement against the module's symbol): PREFIX
 * "<object>_<sympos>_<name>", each '.' of the name as '_'.
 */
#define OBJDIFF_NEW_PREFIX "klpb_new_"

/*
 * Compare @u's original and patched objects (x86-64 ET_REL, built with
 * -ffunction-sections -fdata-sections, no objtool) and extract what the
 * patch changes into res->elf.  Returns 0 (also when nothing changed:
 * res->n_funcs == 0), or a negative errno with the refusal or failure
 * reported on @ctx.  *@res is zeroed first; objdiff_result_free() it in
 * either case.
 */
int objdiff_extract(struct klpb_ctx *ctx, const struct unit *u, const struct objdiff_resolver *r,
		    struct objdiff_result *res);
void objdiff_result_free(struct objdiff_result *res);

#endif
