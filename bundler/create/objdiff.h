/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * objdiff.h - MINIMAL STAND-IN holding exactly the resolver declarations of
 * the shared issue-13 spec (objdiff_query, objdiff_ref_kind, objdiff_answer,
 * objdiff_resolver), so that resolve.c builds on its own.  Helper C's
 * objdiff.h (which also has objdiff_extract()) replaces this file at merge.
 */
#ifndef KLPB_CREATE_OBJDIFF_H
#define KLPB_CREATE_OBJDIFF_H

#include <stdbool.h>
#include <stddef.h>

#include "common/ctx.h"

/* What the resolver is asked for each symbol the carried code references that is not
 * carried itself. */
struct objdiff_query {
	const char *unit, *object; /* the unit's path and its object */
	const char *name; /* as in the ORIGINAL object ("count.3" for a static local) */
	bool is_func, is_local; /* STT_FUNC; STB_LOCAL in the unit */
	const char *const *unit_syms;
	size_t n_unit_syms; /* the original unit's defined symbols (functions and data, in
			       section/address order) for disambiguation */
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

#endif
