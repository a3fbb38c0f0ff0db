/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * create.h - what cmd-create.c (the steps: options, sources, targets,
 * builds, output) and create-core.c (the core manifest and the runtime's
 * descriptor) share.
 */
#ifndef KLPB_CREATE_H
#define KLPB_CREATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "create/decls.h"
#include "create/kbuild.h"
#include "common/ctx.h"
#include "klp-bundle/format.h"
#include "create/target.h"

struct strv {
	char **v;
	size_t n;
};

struct create_opts {
	const char *out, *name, *description, *lineage_hex, *base, *sign_key;
	const char *kdir, *vmlinux, *keep_build, *module_key, *module_cert;
	uint64_t version;
	bool replace;
	struct strv kernels, requires, conflicts, cves, target_modules, sources;
};

/* Everything create allocates; freed by create_free(). */
struct create_state {
	struct source_file *sources;
	size_t n_sources;
	struct klpb_source_digest *digests;
	struct klpb_bytes *source_bytes;
	struct decl_list decls;
	const char **objects;		/* [borrow] names in decls */
	size_t n_objects;
	struct target *targets;
	size_t n_targets;
	struct klpb_target *core_targets;
	struct klpb_target_object **core_target_objects;
	struct klpb_object *core_objects;
	struct klpb_func **core_funcs;
	struct klpb_symref **core_syms;
	struct klpb_dep *requires, *conflicts;
	size_t n_requires, n_conflicts;
	struct klpb_state state;
	struct klpb_core core;
	char module_name[KLPB_MAX_NAME + 1];
	struct klpb_buf *kos;
	const struct create_opts *opts;
	struct kbuild_proc *builds;	/* started, not yet finished */
	size_t n_builds;
	struct klpb_buf core_bytes;
	struct klpb_buf file;
};

/* Parse a decimal number up to @max: 0 or -EINVAL. */
int create_parse_u64(const char *s, uint64_t max, uint64_t *out);
/* qsort() for arrays that may be empty (and then NULL, which qsort must not get). */
static inline void create_sort(void *base, size_t n, size_t size,
			       int (*cmp)(const void *, const void *))
{
	if (n > 0)
		qsort(base, n, size, cmp);
}

/* qsort comparator of strings held in an array of char * */
int create_cmp_strp(const void *a, const void *b);
/* --requires / --conflicts into [owned] *@out (*@n entries); usage errors reported */
int create_parse_deps(struct klpb_ctx *ctx, const struct strv *specs, const char *opt,
		      struct klpb_dep **out, size_t *n);
/* The lineage: --lineage, else derived from the name (--base overrides later). */
int create_make_lineage(struct klpb_ctx *ctx, const struct create_opts *o,
			uint8_t lineage[KLPB_LINEAGE_LEN]);
/* Fill st->core (and what it points to) from the options, sources, declarations, targets. */
int create_make_core(struct klpb_ctx *ctx, const struct create_opts *o, struct create_state *st,
		     const uint8_t lineage[KLPB_LINEAGE_LEN]);
/* klpb_desc.h for target @t (kernel/bundle.kbuild's contract); [owned], NULL on ENOMEM. */
char *create_desc_text(const struct create_state *st, const struct target *t);

#endif
