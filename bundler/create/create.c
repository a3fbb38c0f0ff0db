// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * create.c - the create pipeline's driver: patch sources in, one signed
 * bundle out.
 *
 * The order: read the sources (and --base's), find their declarations,
 * open every target kernel, assemble the core manifest, build one
 * transaction module per target with that kernel's kbuild (the core
 * embedded) while checking each replaced function exists in the target,
 * check the module declares what the sources showed, encode the bundle,
 * sign it, and write it atomically.  Nothing is written unless every step
 * succeeded.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/bundle-io.h"
#include "create/klp-reloc.h"
#include "create/stages.h"
#include "sys/kernel-info.h"
#include "util/file.h"

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

static int open_target(struct klpb_ctx *ctx, struct create_state *st, struct target *t,
		       const char *release)
{
	const struct create_opts *o = st->opts;
	int rc = target_init(ctx, t, release, o->kdir, o->vmlinux);

	for (size_t i = 0; !rc && i < st->n_objects; i++) {
		const char *file;

		if (strcmp(st->objects[i], "vmlinux") == 0)
			continue;
		rc = target_module_override(ctx, o, st->objects[i], release, &file);
		if (!rc)
			rc = target_add_module(ctx, t, st->objects[i], file);
	}
	return rc;
}

static int open_targets(struct klpb_ctx *ctx, struct create_state *st)
{
	const struct create_opts *o = st->opts;
	size_t n = o->kernels.n ? o->kernels.n : 1;
	char *fallback = NULL;
	int rc = check_target_modules(ctx, st);

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
		rc = open_target(ctx, st, &st->targets[i],
				 o->kernels.n ? o->kernels.v[i] : fallback);
	}
	free(fallback);
	return rc;
}

/*
 * Every replaced function and every referenced symbol exists in every
 * target, uniquely or at its sympos.
 */
static int check_functions(struct klpb_ctx *ctx, struct create_state *st)
{
	int rc = 0;

	for (size_t t = 0; !rc && t < st->n_targets; t++) {
		for (size_t i = 0; !rc && i < st->decls.n_funcs; i++)
			rc = target_check_func(ctx, &st->targets[t], &st->decls.funcs[i]);
		for (size_t i = 0; !rc && i < st->decls.n_symrefs; i++)
			rc = target_check_symref(ctx, &st->targets[t], &st->decls.symrefs[i]);
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
	p_info(ctx, "building '%s' for kernel %s", st->module_name, st->targets[i].release);
	rc = kbuild_start(&job, &st->builds[i]);
	free(desc);
	if (rc)
		p_err(ctx, rc, "cannot start the build for kernel %s: %s", st->targets[i].release,
		      strerror(-rc));
	else
		st->n_builds++;
	return rc;
}

/* The output of a failed build or sign-file run, above the error (not in JSON mode). */
static void print_log(struct klpb_ctx *ctx, const char *log)
{
	if (log && !ctx->json)
		fputs(log, stderr);
}

/* Turn the module's KLPB_SYMBOL slots into livepatch relocations (klp-reloc.c). */
static int add_klp_relocations(struct klpb_ctx *ctx, struct create_state *st, size_t i)
{
	struct klp_symref *refs = NULL;
	int n, rc;

	n = klp_symrefs_read(ctx, st->kos[i].data, st->kos[i].len, &refs);
	if (n < 0)
		return n;
	if (n != (int)st->decls.n_symrefs) {
		p_err(ctx, -EINVAL,
		      "the module declares %d symbol reference(s) but the sources show %zu: write each KLPB_SYMBOL literally, outside #if and other macros",
		      n, st->decls.n_symrefs);
		klp_symrefs_free(refs, n);
		return -EINVAL;
	}
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

static int finish_build(struct klpb_ctx *ctx, struct create_state *st, size_t i)
{
	char *log = NULL;
	int rc, n;

	rc = kbuild_finish(&st->builds[i], &st->kos[i], &log);
	if (rc) {
		print_log(ctx, log);
		p_err(ctx, rc, "building the module for kernel %s failed%s", st->targets[i].release,
		      rc == -ENOEXEC ? " (the build's output is above)" : "");
		free(log);
		return rc;
	}
	n = kbuild_section_entries(st->kos[i].data, st->kos[i].len, KLPB_SECTION_FUNCS,
				   sizeof(struct klpb_func_decl));
	if (n != (int)st->decls.n_funcs) {
		p_err(ctx, -EINVAL,
		      "the module declares %d replaced function(s) but the sources show %zu: write each KLPB_PATCH_FUNC literally, outside #if and other macros",
		      n, st->decls.n_funcs);
		return -EINVAL;
	}
	rc = add_klp_relocations(ctx, st, i);
	if (!rc && st->opts->module_key)
		rc = sign_module(ctx, st, i);
	return rc;
}

/*
 * Build every target's module.  The builds run in the background while the
 * replaced functions are checked against each target's symbols (reading a
 * compressed vmlinux's kallsyms takes about a second); a failed check stops
 * them.
 */
static int build_modules(struct klpb_ctx *ctx, struct create_state *st)
{
	struct klpb_error ferr = { 0 };
	size_t i;
	int rc;

	rc = klpb_core_encode(&st->core, &st->core_bytes, &ferr);
	if (rc)
		return report_format_error(ctx, st->opts->out, rc, &ferr);
	st->kos = calloc(st->n_targets, sizeof(*st->kos));
	st->builds = calloc(st->n_targets, sizeof(*st->builds));
	if (!st->kos || !st->builds)
		return -ENOMEM;
	for (i = 0; !rc && i < st->n_targets; i++)
		rc = start_build(ctx, st, i);
	if (!rc)
		rc = check_functions(ctx, st);
	for (i = 0; i < st->n_builds; i++) {
		if (rc)
			kbuild_abort(&st->builds[i]);
		else
			rc = finish_build(ctx, st, i);
	}
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
	klpb_buf_free(&st->core_bytes);
	klpb_buf_free(&st->file);
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
