// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * create.c - the create pipeline's driver: patch sources in, one signed
 * bundle out.
 *
 * The order: read the sources (and --base's), find their declarations,
 * open every target kernel, assemble the core manifest, build one
 * transaction module per target with that kernel's kbuild (the core
 * embedded; --jobs targets at once), read back which declarations each
 * module has (code under #if differs between targets) and, when a target
 * has only some, rebuild the modules with a core that lists each target's
 * own (format 1.1), check each target's functions exist in it, encode the
 * bundle, sign it, and write it atomically.  The same inputs give the same
 * bytes, however many targets were built at once.  Nothing is written
 * unless every step succeeded.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/bundle-io.h"
#include "create/klp-reloc.h"
#include "create/module-decls.h"
#include "create/stages.h"
#include "sys/kernel-info.h"
#include "util/file.h"
#include "util/hex.h"

/*
 * The --target-module FILE for @object in the target for @release: NULL
 * (*@file) when none names @object; with one --kernel the first that does;
 * with several, the one whose vermagic names @release (an error when none).
 */
static int target_module_override(struct klpb_ctx *ctx, const struct create_opts *o,
				  const char *object, const char *release, const char **file)
{
	size_t n = strlen(object);
	bool named = false;

	*file = NULL;
	for (size_t i = 0; i < o->target_modules.n; i++) {
		const char *s = o->target_modules.v[i], *path = s + n + 1;
		char *built_for = NULL;
		int rc;

		if (strncmp(s, object, n) != 0 || s[n] != '=')
			continue;
		if (o->kernels.n <= 1) {
			*file = path;
			return 0;
		}
		named = true;
		rc = module_file_release(path, &built_for);
		if (rc) {
			p_err(ctx, rc,
			      "cannot read the kernel release module '%s' was built for: %s", path,
			      rc == -ENOENT ? "it has no vermagic" : strerror(-rc));
			return rc;
		}
		rc = strcmp(built_for, release);
		free(built_for);
		if (rc == 0) {
			*file = path;
			return 0;
		}
	}
	if (!named)
		return 0;
	p_err(ctx, -ENOENT,
	      "no --target-module %s=FILE.ko is built for kernel %s (with several --kernel, give one per kernel)",
	      object, release);
	return -ENOENT;
}

/* Every --target-module names a patched object: a usage error otherwise. */
static int check_target_modules(struct klpb_ctx *ctx, const struct create_state *st)
{
	const struct strv *mods = &st->opts->target_modules;

	for (size_t i = 0; i < mods->n; i++) {
		const char *eq = strchr(mods->v[i], '=');
		size_t j;

		for (j = 0; eq && j < st->n_objects; j++)
			if (strlen(st->objects[j]) == (size_t)(eq - mods->v[i]) &&
			    strncmp(st->objects[j], mods->v[i], eq - mods->v[i]) == 0)
				break;
		if (!eq || j == st->n_objects)
			return usage_err(
				ctx, "--target-module '%s' names no patched module (OBJ=FILE.ko)",
				mods->v[i]);
	}
	return 0;
}

int create_add_target_module(struct klpb_ctx *ctx, struct create_state *st, struct target *t,
			     const char *object)
{
	const char *file;
	int rc = target_module_override(ctx, st->opts, object, t->release, &file);

	return rc ? rc : target_add_module(ctx, t, object, file);
}

static int open_target(struct klpb_ctx *ctx, struct create_state *st, struct target *t,
		       const char *release, const char *kdir, const char *image)
{
	int rc = target_init(ctx, t, release, kdir, image);

	for (size_t i = 0; !rc && i < st->n_objects; i++)
		if (strcmp(st->objects[i], "vmlinux") != 0)
			rc = create_add_target_module(ctx, st, t, st->objects[i]);
	return rc;
}

/*
 * Open --kernel @kernel: a release, or (a path) a kbuild tree: a build of
 * the release that tree is for (target_kdir_release()), with its own vmlinux (KDIR/vmlinux when it
 * exists), so that two builds of one release can both be targets.
 */
static int open_kernel(struct klpb_ctx *ctx, struct create_state *st, struct target *t,
		       const char *kernel)
{
	const struct create_opts *o = st->opts;
	char *release = NULL, *image = NULL;
	int rc;

	if (!strchr(kernel, '/'))
		return open_target(ctx, st, t, kernel, o->kdir, o->vmlinux);
	rc = target_kdir_release(kernel, &release);
	if (rc) {
		p_err(ctx, rc,
		      "--kernel %s: cannot read the kbuild tree's release from include/generated/utsrelease.h: %s (pass a kbuild tree or a release)",
		      kernel, strerror(-rc));
		return rc;
	}
	if (asprintf(&image, "%s/vmlinux", kernel) < 0)
		image = NULL;
	if (image && access(image, R_OK) != 0) {
		free(image);
		image = NULL;
	}
	rc = open_target(ctx, st, t, release, kernel, image ? image : o->vmlinux);
	free(release);
	free(image);
	return rc;
}

/* Target @i is another kernel build than the ones before it (release and vmlinux build-id). */
static int check_distinct(struct klpb_ctx *ctx, const struct create_state *st, size_t i)
{
	const struct target *t = &st->targets[i];
	char id[2 * BUILD_ID_MAX + 1];

	for (size_t j = 0; j < i; j++) {
		const struct target *u = &st->targets[j];

		if (strcmp(t->release, u->release) != 0 || t->vmlinux_id.len != u->vmlinux_id.len ||
		    memcmp(t->vmlinux_id.bytes, u->vmlinux_id.bytes, t->vmlinux_id.len) != 0)
			continue;
		hex_encode(t->vmlinux_id.bytes, t->vmlinux_id.len, id);
		p_err(ctx, -EINVAL,
		      "--kernel %s and --kernel %s are the same kernel build (release %s, vmlinux build-id %s): a bundle has one target per build, drop one",
		      st->opts->kernels.v[j], st->opts->kernels.v[i], t->release, id);
		return -EINVAL;
	}
	return 0;
}

static int open_targets(struct klpb_ctx *ctx, struct create_state *st)
{
	const struct create_opts *o = st->opts;
	size_t n = o->kernels.n ? o->kernels.n : 1;
	char *fallback = NULL;
	int rc = create_has_patches(st) ? 0 : check_target_modules(ctx, st);

	if (rc)
		return rc;
	if (!o->kernels.n) {
		rc = o->kdir ? target_kdir_release(o->kdir, &fallback) :
			       target_default_release(&fallback);
		if (rc) {
			p_err(ctx, rc,
			      "no target kernel: no kernel headers are installed (pass --kernel)");
			return rc;
		}
	}
	st->targets = calloc(n, sizeof(*st->targets));
	if (!st->targets) {
		free(fallback);
		return -ENOMEM;
	}
	for (size_t i = 0; !rc && i < n; i++) {
		st->n_targets++;
		rc = o->kernels.n ?
			     open_kernel(ctx, st, &st->targets[i], o->kernels.v[i]) :
			     open_target(ctx, st, &st->targets[i], fallback, o->kdir, o->vmlinux);
		if (!rc)
			rc = check_distinct(ctx, st, i);
	}
	free(fallback);
	return rc;
}

/*
 * Every replaced function and every referenced symbol of a target's module
 * exists in that target, uniquely or at its sympos.
 */
static int check_functions(struct klpb_ctx *ctx, struct create_state *st)
{
	int rc = 0;

	for (size_t t = 0; !rc && t < st->n_targets; t++) {
		for (size_t i = 0; !rc && i < st->decls.n_funcs; i++)
			if (st->has_func[t][i])
				rc = target_check_func(ctx, &st->targets[t], &st->decls.funcs[i]);
		for (size_t i = 0; !rc && i < st->decls.n_symrefs; i++)
			if (st->has_symref[t][i])
				rc = target_check_symref(ctx, &st->targets[t],
							 &st->decls.symrefs[i]);
	}
	return rc;
}

static int start_build(struct klpb_ctx *ctx, struct create_state *st, size_t i)
{
	struct kbuild_job job = {
		.kdir = st->targets[i].kdir,
		.runtime_dir = kbuild_runtime_dir(),
		.module_name = st->module_name,
		.sources = st->sources,
		.n_sources = st->n_sources,
		.core = { st->core_bytes.data, st->core_bytes.len },
		.keep_dir = st->opts->keep_build,
	};
	char *desc = create_desc_text(st, &st->targets[i]);
	int rc;

	if (!desc)
		return -ENOMEM;
	job.desc = desc;
	create_patch_files(st, i, &job);
	p_info(ctx, "building '%s' for kernel %s", st->module_name, st->targets[i].release);
	rc = kbuild_start(&job, &st->builds[i]);
	free(desc);
	if (rc)
		p_err(ctx, rc, "cannot start the build for kernel %s: %s", st->targets[i].release,
		      strerror(-rc));
	else
		st->n_builds = i + 1;
	return rc;
}

/* Phase 2: the same build directory, the final core. */
static int restart_build(struct klpb_ctx *ctx, struct create_state *st, size_t i)
{
	int rc = kbuild_restart(&st->builds[i],
				(struct klpb_bytes){ st->core_bytes.data, st->core_bytes.len });

	if (rc)
		p_err(ctx, rc, "cannot rebuild the module for kernel %s with the final core: %s",
		      st->targets[i].release, strerror(-rc));
	return rc;
}

/* The output of a failed build or sign-file run, above the error (not in JSON mode). */
static void print_log(struct klpb_ctx *ctx, const char *log)
{
	if (log && !ctx->json)
		fputs(log, stderr);
}

/* The index of the declaration in @list matching (@object, @name, @sympos), or -1. */
static long find_func_decl(const struct decl_list *list, const char *object, const char *name,
			   unsigned long sympos)
{
	for (size_t i = 0; i < list->n_funcs; i++)
		if (strcmp(list->funcs[i].object, object) == 0 &&
		    strcmp(list->funcs[i].old_name, name) == 0 && list->funcs[i].sympos == sympos)
			return (long)i;
	return -1;
}

static long find_symref_decl(const struct decl_list *list, const char *object, const char *name,
			     unsigned long sympos)
{
	for (size_t i = 0; i < list->n_symrefs; i++)
		if (strcmp(list->symrefs[i].object, object) == 0 &&
		    strcmp(list->symrefs[i].name, name) == 0 && list->symrefs[i].sympos == sympos)
			return (long)i;
	return -1;
}

/* A declaration in target @t's module that the sources' text does not show. */
static int unknown_decl(struct klpb_ctx *ctx, const struct create_state *st, size_t t,
			const char *macro, const char *object, const char *name)
{
	p_err(ctx, -EINVAL,
	      "the module for kernel %s declares '%s' of %s, which the sources do not show: write each %s literally (not produced by another macro)",
	      st->targets[t].release, name, object, macro);
	return -EINVAL;
}

/* st->has_func[@t]: the KLPB_PATCH_FUNC declarations target @t's module has. */
static int read_module_funcs(struct klpb_ctx *ctx, struct create_state *st, size_t t)
{
	struct module_func *funcs;
	int n = module_funcs_read(ctx, st->kos[t].data, st->kos[t].len, &funcs), rc = 0;

	for (int i = 0; !rc && i < n; i++) {
		long j = find_func_decl(&st->decls, funcs[i].object, funcs[i].old_name,
					funcs[i].sympos);

		if (j < 0)
			rc = unknown_decl(ctx, st, t, "KLPB_PATCH_FUNC", funcs[i].object,
					  funcs[i].old_name);
		else
			st->has_func[t][j] = true;
	}
	if (n > 0)
		module_funcs_free(funcs, n);
	return n < 0 ? n : rc;
}

/* st->has_symref[@t]: the KLPB_SYMBOL declarations target @t's module has. */
static int read_module_symrefs(struct klpb_ctx *ctx, struct create_state *st, size_t t)
{
	struct klp_symref *refs = NULL;
	int n = klp_symrefs_read(ctx, st->kos[t].data, st->kos[t].len, &refs), rc = 0;

	for (int i = 0; !rc && i < n; i++) {
		long j = find_symref_decl(&st->decls, refs[i].object, refs[i].name, refs[i].sympos);

		if (j < 0)
			rc = unknown_decl(ctx, st, t, "KLPB_SYMBOL", refs[i].object, refs[i].name);
		else
			st->has_symref[t][j] = true;
	}
	if (n > 0)
		klp_symrefs_free(refs, n);
	return n < 0 ? n : rc;
}

/* Turn the module's KLPB_SYMBOL slots into livepatch relocations (klp-reloc.c). */
static int add_klp_relocations(struct klpb_ctx *ctx, struct create_state *st, size_t i)
{
	struct klp_symref *refs = NULL;
	int n, rc;

	n = klp_symrefs_read(ctx, st->kos[i].data, st->kos[i].len, &refs);
	if (n < 0)
		return n;
	rc = klp_reloc_rewrite(ctx, &st->kos[i], refs, n);
	klp_symrefs_free(refs, n);
	return rc;
}

static int sign_module(struct klpb_ctx *ctx, struct create_state *st, size_t i)
{
	const struct create_opts *o = st->opts;
	char *log = NULL;
	int rc = kbuild_sign(st->targets[i].kdir, o->module_key, o->module_cert, &st->kos[i], &log);

	if (rc) {
		print_log(ctx, log);
		p_err(ctx, rc, "signing the module for kernel %s with '%s' failed%s",
		      st->targets[i].release, o->module_key,
		      rc == -ENOEXEC ? " (sign-file's output is above)" : "");
	}
	free(log);
	return rc;
}

/* Wait for target @i's build; in phase 1 also read which declarations it has. */
static int finish_build(struct klpb_ctx *ctx, struct create_state *st, size_t i, bool first)
{
	char *log = NULL;
	int rc;

	rc = kbuild_finish(&st->builds[i], &st->kos[i], &log);
	if (rc) {
		print_log(ctx, log);
		p_err(ctx, rc, "building the module for kernel %s failed%s", st->targets[i].release,
		      rc == -ENOEXEC ? " (the build's output is above)" : "");
		free(log);
		return rc;
	}
	if (first)
		rc = read_module_funcs(ctx, st, i);
	if (!rc && first)
		rc = read_module_symrefs(ctx, st, i);
	return rc;
}

/* How many targets are built at once: --jobs, else the online CPUs. */
static size_t build_jobs(const struct create_opts *o)
{
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);

	if (o->jobs)
		return o->jobs;
	return ncpu > 0 ? (size_t)ncpu : 1;
}

/*
 * Build every target, at most build_jobs() at once: start (phase 1) or
 * restart (phase 2, the final core) them in target order and wait for
 * them in target order, so the first failure in target order is the one
 * reported, whatever finishes first; a failure stops the builds running.
 */
static int run_builds(struct klpb_ctx *ctx, struct create_state *st, bool first)
{
	size_t jobs = build_jobs(st->opts), next = 0;
	int rc = 0;

	for (size_t i = 0; !rc && i < st->n_targets; i++) {
		while (!rc && next < st->n_targets && next < i + jobs)
			rc = first ? start_build(ctx, st, next++) : restart_build(ctx, st, next++);
		if (!rc)
			rc = finish_build(ctx, st, i, first);
	}
	for (size_t i = 0; rc && i < st->n_builds; i++)
		kbuild_abort(&st->builds[i]);
	return rc;
}

static int alloc_builds(struct create_state *st)
{
	st->kos = calloc(st->n_targets, sizeof(*st->kos));
	st->builds = calloc(st->n_targets, sizeof(*st->builds));
	st->has_func = calloc(st->n_targets, sizeof(*st->has_func));
	st->has_symref = calloc(st->n_targets, sizeof(*st->has_symref));
	if (!st->kos || !st->builds || !st->has_func || !st->has_symref)
		return -ENOMEM;
	for (size_t i = 0; i < st->n_targets; i++) {
		st->has_func[i] = calloc(st->decls.n_funcs + 1, sizeof(bool));
		st->has_symref[i] = calloc(st->decls.n_symrefs + 1, sizeof(bool));
		if (!st->has_func[i] || !st->has_symref[i])
			return -ENOMEM;
	}
	return 0;
}

static int encode_core(struct klpb_ctx *ctx, struct create_state *st)
{
	struct klpb_error ferr = { 0 };
	int rc;

	st->core_bytes.len = 0;
	rc = klpb_core_encode(&st->core, &st->core_bytes, &ferr);
	return rc ? report_format_error(ctx, st->opts->out, rc, &ferr) : 0;
}

/*
 * Build every target's module.  Phase 1 builds them with a core that
 * gives every target every declaration; the modules show which ones each
 * target has (code under #if).  When a target has only some, the core gets
 * the targets' own lists and phase 2 rebuilds each module with it (only
 * the embedded core and the link are redone).  Then the functions are
 * checked against each target's symbols, and each module gets its
 * livepatch relocations and, if asked, its signature.
 */
static int build_modules(struct klpb_ctx *ctx, struct create_state *st)
{
	int rc = encode_core(ctx, st);

	if (!rc)
		rc = alloc_builds(st);
	if (!rc)
		rc = run_builds(ctx, st, true);
	if (!rc)
		rc = create_target_lists(ctx, st);
	if (rc > 0) {
		rc = encode_core(ctx, st);
		if (!rc)
			rc = run_builds(ctx, st, false);
	}
	if (!rc)
		rc = check_functions(ctx, st);
	for (size_t i = 0; !rc && i < st->n_targets; i++) {
		rc = add_klp_relocations(ctx, st, i);
		if (!rc && st->opts->module_key)
			rc = sign_module(ctx, st, i);
	}
	for (size_t i = 0; i < st->n_builds; i++)
		kbuild_abort(&st->builds[i]);
	st->n_builds = 0;
	return rc;
}

static int encode_bundle(struct klpb_ctx *ctx, struct create_state *st)
{
	struct klpb_module_input *mods = calloc(st->n_targets, sizeof(*mods));
	struct klpb_build_input in = {
		.core = &st->core,
		.modules = mods,
		.sources = st->source_bytes,
	};
	struct klpb_error ferr = { 0 };
	int rc;

	if (!mods)
		return -ENOMEM;
	for (size_t i = 0; i < st->n_targets; i++)
		mods[i] = (struct klpb_module_input){ st->kos[i].data, st->kos[i].len,
						      KLPB_COMPRESSION_ZSTD };
	rc = klpb_bundle_build(&in, &st->file, &ferr);
	free(mods);
	if (rc)
		report_format_error(ctx, st->opts->out, rc, &ferr);
	return rc;
}

static int sign_bundle(struct klpb_ctx *ctx, struct create_state *st)
{
	const struct create_opts *o = st->opts;
	struct klpb_error ferr = { 0 };
	struct klpb_bundle *b = NULL;
	struct klpb_buf signed_file = { 0 };
	struct klpb_key *k = NULL;
	int rc = load_private_key(ctx, o->sign_key, &k);

	if (rc)
		return rc;
	rc = klpb_bundle_load(st->file.data, st->file.len, &b, &ferr);
	if (!rc)
		rc = klpb_bundle_sign(b, k, &ferr);
	if (!rc)
		rc = klpb_bundle_write(b, &signed_file, &ferr);
	klpb_bundle_free(b);
	klpb_key_free(k);
	if (rc) {
		klpb_buf_free(&signed_file);
		return report_format_error(ctx, o->out, rc, &ferr);
	}
	klpb_buf_free(&st->file);
	st->file = signed_file;
	return 0;
}

static int write_bundle(struct klpb_ctx *ctx, struct create_state *st)
{
	int rc = write_file_atomic(st->opts->out, st->file.data, st->file.len, 0644, false);

	if (rc)
		p_err(ctx, rc, "cannot write '%s': %s", st->opts->out, strerror(-rc));
	return rc;
}

/* What the command prints: the bundle's size and digest, each target's module. */
static int make_result(const struct create_state *st, struct create_result *res)
{
	*res = (struct create_result){ .size = st->file.len, .n_targets = st->n_targets };
	memcpy(res->module_name, st->module_name, sizeof(res->module_name));
	klpb_sha256(st->file.data, st->file.len, res->sha256);
	res->targets = calloc(st->n_targets, sizeof(*res->targets));
	if (!res->targets)
		return -ENOMEM;
	for (size_t i = 0; i < st->n_targets; i++) {
		res->targets[i].kernel_release = strdup(st->targets[i].release);
		res->targets[i].module_size = st->kos[i].len;
		if (!res->targets[i].kernel_release)
			return -ENOMEM;
	}
	return 0;
}

void create_result_free(struct create_result *res)
{
	for (size_t i = 0; res->targets && i < res->n_targets; i++)
		free(res->targets[i].kernel_release);
	free(res->targets);
	*res = (struct create_result){ 0 };
}

static void free_state(struct create_state *st)
{
	for (size_t i = 0; i < st->n_sources; i++) {
		free(st->sources[i].name);
		free(st->sources[i].data);
	}
	free(st->sources);
	free(st->digests);
	free(st->source_bytes);
	free(st->objects);
	for (size_t i = 0; i < st->n_targets; i++) {
		target_fini(&st->targets[i]);
		if (st->core_target_objects)
			free(st->core_target_objects[i]);
		if (st->kos)
			klpb_buf_free(&st->kos[i]);
	}
	for (size_t i = 0; i < st->n_targets; i++) {
		if (st->has_func)
			free(st->has_func[i]);
		if (st->has_symref)
			free(st->has_symref[i]);
		if (st->core_tfuncs)
			free(st->core_tfuncs[i]);
		if (st->core_tsyms)
			free(st->core_tsyms[i]);
	}
	free(st->has_func);
	free(st->has_symref);
	free(st->core_tfuncs);
	free(st->core_tsyms);
	for (size_t i = 0; st->core_funcs && i < st->n_objects; i++)
		free(st->core_funcs[i]);
	for (size_t i = 0; st->core_syms && i < st->n_objects; i++)
		free(st->core_syms[i]);
	free(st->core_funcs);
	free(st->core_syms);
	free(st->core_objects);
	free(st->core_target_objects);
	free(st->core_targets);
	free(st->targets);
	free(st->kos);
	free(st->builds);
	for (size_t i = 0; i < st->n_requires; i++)
		free((char *)st->requires[i].name);
	for (size_t i = 0; i < st->n_conflicts; i++)
		free((char *)st->conflicts[i].name);
	free(st->requires);
	free(st->conflicts);
	free(st->cves);
	decls_free(&st->decls);
	create_free_patch_files(st);
	klpb_buf_free(&st->core_bytes);
	klpb_buf_free(&st->file);
}

/*
 * --patch: the diffs' functions and declarations (from-patch.c); then every
 * target has the modules they patch, and --target-module names one of them.
 */
static int patch_stage(struct klpb_ctx *ctx, struct create_state *st)
{
	int rc = create_from_patch(ctx, st);

	if (!rc && st->decls.n_funcs == 0) {
		p_err(ctx, -EINVAL, "neither the diffs nor the sources replace a function");
		rc = -EINVAL;
	}
	if (!rc) {
		free(st->objects);
		st->objects = NULL;
		rc = decls_objects(&st->decls, &st->objects, &st->n_objects);
	}
	if (!rc)
		create_sort(st->objects, st->n_objects, sizeof(*st->objects), create_cmp_strp);
	for (size_t t = 0; !rc && t < st->n_targets; t++)
		for (size_t i = 0; !rc && i < st->n_objects; i++)
			if (strcmp(st->objects[i], "vmlinux") != 0 &&
			    !target_module(&st->targets[t], st->objects[i]))
				rc = create_add_target_module(ctx, st, &st->targets[t],
							      st->objects[i]);
	return rc ? rc : check_target_modules(ctx, st);
}

int create_bundle(struct klpb_ctx *ctx, const struct create_opts *o, struct create_result *res)
{
	struct create_state st = { .opts = o };
	int rc;

	*res = (struct create_result){ 0 };
	rc = create_make_lineage(ctx, &st);
	if (!rc)
		rc = create_parse_deps(ctx, &o->requires, "--requires", &st.requires,
				       &st.n_requires);
	if (!rc)
		rc = create_parse_deps(ctx, &o->conflicts, "--conflicts", &st.conflicts,
				       &st.n_conflicts);
	if (!rc && o->base)
		rc = create_read_base(ctx, &st);
	if (!rc)
		rc = create_read_sources(ctx, &st);
	if (!rc)
		rc = create_scan_decls(ctx, &st);
	if (!rc)
		rc = open_targets(ctx, &st);
	if (!rc && create_has_patches(&st))
		rc = patch_stage(ctx, &st);
	if (!rc)
		rc = create_make_core(&st);
	if (!rc)
		rc = build_modules(ctx, &st);
	if (!rc)
		rc = encode_bundle(ctx, &st);
	if (!rc && o->sign_key)
		rc = sign_bundle(ctx, &st);
	if (!rc)
		rc = make_result(&st, res);
	if (!rc)
		rc = write_bundle(ctx, &st);
	if (rc)
		create_result_free(res);
	free_state(&st);
	return rc;
}
