/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * stages.h - what the create pipeline's stages share: the state of one run
 * (create.c starts and frees it) and the stages create.c calls in turn.
 * Every stage returns 0 or a negative errno and reports its failures on the
 * context.
 */
#ifndef KLPB_CREATE_STAGES_H
#define KLPB_CREATE_STAGES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "common/ctx.h"
#include "create/create.h"
#include "create/decls.h"
#include "create/kbuild.h"
#include "create/target.h"
#include "klp-bundle/format.h"

/* Everything one run allocates; create.c frees it. */
struct create_state {
	const struct create_opts *opts;
	uint8_t lineage[KLPB_LINEAGE_LEN];
	struct source_file *sources;
	size_t n_sources;
	struct klpb_source_digest *digests;
	struct klpb_bytes *source_bytes;
	struct decl_list decls;
	const char **objects; /* [borrow] names in decls */
	size_t n_objects;
	struct target *targets;
	size_t n_targets;
	struct klpb_target *core_targets;
	struct klpb_target_object **core_target_objects;
	struct klpb_object *core_objects;
	struct klpb_func **core_funcs;
	struct klpb_symref **core_syms;
	bool **has_func, **has_symref; /* per target: the declarations its module has */
	uint64_t **core_tfuncs, **core_tsyms; /* per target: the core's index lists */
	struct klpb_dep *requires, *conflicts;
	size_t n_requires, n_conflicts;
	const char **cves; /* [borrow] the options' CVE ids, sorted */
	struct klpb_state state;
	struct klpb_core core;
	char module_name[KLPB_MAX_NAME + 1];
	struct klpb_buf *kos;
	struct kbuild_proc *builds; /* started; their directories removed after the last phase */
	size_t n_builds;
	struct klpb_buf core_bytes;
	struct klpb_buf file;
	struct fp_target *fp; /* --patch: per target, its build files (from-patch.c) */
};

/* qsort() for arrays that may be empty (and then NULL, which qsort must not get). */
static inline void create_sort(void *base, size_t n, size_t size,
			       int (*cmp)(const void *, const void *))
{
	if (n > 0)
		qsort(base, n, size, cmp);
}

/* qsort comparator of strings held in an array of char * */
int create_cmp_strp(const void *a, const void *b);

/* sources.c: --base's sources (and lineage), then the SOURCE files, then their declarations. */
int create_read_base(struct klpb_ctx *ctx, struct create_state *st);
int create_read_sources(struct klpb_ctx *ctx, struct create_state *st);
int create_scan_decls(struct klpb_ctx *ctx, struct create_state *st);

/*
 * from-patch.c: the diffs among the sources (create_is_patch_name()) into
 * per-target build files and declarations (st->decls gets their union);
 * nothing without diffs.  -ENODATA when they change no function anywhere.
 */
bool create_is_patch_name(const char *name);
bool create_has_patches(const struct create_state *st);
int create_from_patch(struct klpb_ctx *ctx, struct create_state *st);
/* Target @ti's build files and objects from the diffs into @job (none without). */
void create_patch_files(const struct create_state *st, size_t ti, struct kbuild_job *job);
void create_free_patch_files(struct create_state *st);

/* create.c: module object @object joins target @t (as the objects in the declarations do). */
int create_add_target_module(struct klpb_ctx *ctx, struct create_state *st, struct target *t,
			     const char *object);

/* create-core.c */
/* --requires / --conflicts into [owned] *@out (*@n entries); usage errors reported */
int create_parse_deps(struct klpb_ctx *ctx, const struct strv *specs, const char *opt,
		      struct klpb_dep **out, size_t *n);
/* st->lineage: --lineage, else derived from the name (--base's replaces it later). */
int create_make_lineage(struct klpb_ctx *ctx, struct create_state *st);
/* Fill st->core (and what it points to) from the options, sources, declarations, targets. */
int create_make_core(struct create_state *st);
/*
 * After the targets' modules were built (st->has_func, st->has_symref):
 * give each target that has only some of the declarations its own lists
 * (format 1.1).  Returns 1 when a target got one (the core changed), 0 when
 * every target has every declaration, or a negative errno (a declaration
 * no target has, reported on @ctx).
 */
int create_target_lists(struct klpb_ctx *ctx, struct create_state *st);
/* klpb_desc.h for target @t (kernel/bundle.kbuild's contract); [owned], NULL on ENOMEM. */
char *create_desc_text(const struct create_state *st, const struct target *t);

#endif
