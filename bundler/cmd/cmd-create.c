// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * cmd-create.c - klp-bundle create: patch sources in, one signed bundle out.
 *
 * The order: read the sources (and --base's), find their declarations,
 * open every target kernel and check each replaced function exists there,
 * assemble the core manifest, build one transaction module per target with
 * that kernel's kbuild (the core embedded), check the module declares what
 * the sources showed, encode the bundle, sign it, and write it atomically.
 * Nothing is written unless every step succeeded.
 */
#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cmd/cmd.h"
#include "common/bundle-io.h"
#include "create/create.h"
#include "create/klp-reloc.h"
#include "util/hex.h"

static const char create_usage[] =
	"usage: klp-bundle create -o OUT.klpb --name NAME --version N [options] SOURCE...\n\n"
	"Compile patch sources (C files written against klp_bundle.h, and the\n"
	"headers they include) into one livepatch transaction module per target\n"
	"kernel and write one bundle file.  Every replaced function is checked to\n"
	"exist in its target first; nothing is written unless everything succeeds.\n\n"
	"options:\n"
	"  -o, --out FILE          the bundle to write (replaced atomically)\n"
	"  -n, --name NAME         bundle name: [a-z0-9_], at most 55 characters\n"
	"  -V, --version N         bundle version, 1 to 4294967295, higher than --base's\n"
	"  -k, --kernel RELEASE    a target kernel (repeatable; default: the newest\n"
	"                          installed kernel headers)\n"
	"      --kdir DIR          the kbuild tree (one target only; default\n"
	"                          /lib/modules/RELEASE/build)\n"
	"      --vmlinux FILE      the kernel image or vmlinux (one target only;\n"
	"                          default /boot/vmlinuz-RELEASE)\n"
	"      --target-module OBJ=FILE.ko\n"
	"                          the build of module OBJ to patch (one target only;\n"
	"                          default: the installed module, found like modprobe)\n"
	"      --no-replace        a stacked bundle (default: cumulative, replaces\n"
	"                          the active bundle of its lineage atomically)\n"
	"      --requires SPEC     needs bundle SPEC active: NAME[>=MIN][,<=MAX] or\n"
	"                          NAME=V (repeatable)\n"
	"      --conflicts SPEC    refuses to apply with SPEC active (repeatable)\n"
	"  -d, --description TEXT  what the bundle fixes\n"
	"      --cve ID            a CVE id it fixes (repeatable)\n"
	"      --lineage HEX       the lineage id, 32 hex digits (default: derived\n"
	"                          from the name; --base's with --base)\n"
	"      --base OLD.klpb     a cumulative successor: OLD's sources plus these\n"
	"                          (a source of the same name replaces OLD's)\n"
	"      --sign KEY          sign the bundle with this Ed25519 private key (PEM)\n"
	"      --module-key KEY    sign each transaction module for the kernel's\n"
	"      --module-cert CERT  module loader (sign-file, SHA-256; an RSA key and\n"
	"                          its X.509 certificate, PEM or DER), after every\n"
	"                          other change to the module\n"
	"      --keep-build DIR    build in DIR and keep it (for debugging)\n"
	"  -h, --help              this text\n\n"
	"SOURCE_DATE_EPOCH sets the creation time: the same sources, options and\n"
	"SOURCE_DATE_EPOCH give a byte-identical bundle.\n";

static int strv_push(struct strv *s, char *item)
{
	char **v = realloc(s->v, (s->n + 1) * sizeof(*v));

	if (!v)
		return -ENOMEM;
	v[s->n++] = item;
	s->v = v;
	return 0;
}

static bool valid_bundle_name(const char *name)
{
	size_t n = strlen(name);

	if (n == 0 || n > KLPB_MAX_NAME)
		return false;
	for (const char *p = name; *p; p++)
		if (!islower((unsigned char)*p) && !isdigit((unsigned char)*p) && *p != '_')
			return false;
	return true;
}

static int parse_opts(struct klpb_ctx *ctx, int argc, char **argv, struct create_opts *o)
{
	enum { OPT_KDIR = 256, OPT_VMLINUX, OPT_TMOD, OPT_NOREPLACE, OPT_REQ, OPT_CONFL, OPT_CVE,
	       OPT_LINEAGE, OPT_BASE, OPT_SIGN, OPT_KEEP, OPT_MODKEY, OPT_MODCERT };
	static const struct option opts[] = {
		{ "out", required_argument, NULL, 'o' },
		{ "name", required_argument, NULL, 'n' },
		{ "version", required_argument, NULL, 'V' },
		{ "kernel", required_argument, NULL, 'k' },
		{ "kdir", required_argument, NULL, OPT_KDIR },
		{ "vmlinux", required_argument, NULL, OPT_VMLINUX },
		{ "target-module", required_argument, NULL, OPT_TMOD },
		{ "no-replace", no_argument, NULL, OPT_NOREPLACE },
		{ "requires", required_argument, NULL, OPT_REQ },
		{ "conflicts", required_argument, NULL, OPT_CONFL },
		{ "description", required_argument, NULL, 'd' },
		{ "cve", required_argument, NULL, OPT_CVE },
		{ "lineage", required_argument, NULL, OPT_LINEAGE },
		{ "base", required_argument, NULL, OPT_BASE },
		{ "sign", required_argument, NULL, OPT_SIGN },
		{ "keep-build", required_argument, NULL, OPT_KEEP },
		{ "module-key", required_argument, NULL, OPT_MODKEY },
		{ "module-cert", required_argument, NULL, OPT_MODCERT },
		{ "help", no_argument, NULL, 'h' },
		{}
	};
	bool have_version = false;
	int c, err = 0;

	o->replace = true;
	while (!err && (c = getopt_long(argc, argv, "o:n:V:k:d:h", opts, NULL)) != -1) {
		switch (c) {
		case 'o': o->out = optarg; break;
		case 'n': o->name = optarg; break;
		case 'V':
			if (create_parse_u64(optarg, UINT_MAX, &o->version) || o->version == 0)
				return usage_err(ctx, "--version needs a number from 1 to %u, not '%s'",
						 UINT_MAX, optarg);
			have_version = true;
			break;
		case 'k': err = strv_push(&o->kernels, optarg); break;
		case OPT_KDIR: o->kdir = optarg; break;
		case OPT_VMLINUX: o->vmlinux = optarg; break;
		case OPT_TMOD: err = strv_push(&o->target_modules, optarg); break;
		case OPT_NOREPLACE: o->replace = false; break;
		case OPT_REQ: err = strv_push(&o->requires, optarg); break;
		case OPT_CONFL: err = strv_push(&o->conflicts, optarg); break;
		case 'd': o->description = optarg; break;
		case OPT_CVE: err = strv_push(&o->cves, optarg); break;
		case OPT_LINEAGE: o->lineage_hex = optarg; break;
		case OPT_BASE: o->base = optarg; break;
		case OPT_SIGN: o->sign_key = optarg; break;
		case OPT_KEEP: o->keep_build = optarg; break;
		case OPT_MODKEY: o->module_key = optarg; break;
		case OPT_MODCERT: o->module_cert = optarg; break;
		case 'h':
			fputs(create_usage, stdout);
			return 1;
		default:
			return usage_err(ctx, "bad option for 'create'");
		}
	}
	if (err)
		return err;
	for (int i = optind; i < argc; i++)
		if ((err = strv_push(&o->sources, argv[i])))
			return err;
	if (!o->out || !o->name || !have_version)
		return usage_err(ctx, "create needs -o OUT, --name NAME and --version N");
	if (o->sources.n == 0 && !o->base)
		return usage_err(ctx, "create needs at least one SOURCE (or --base)");
	if (o->kernels.n > 1 && (o->kdir || o->vmlinux || o->target_modules.n))
		return usage_err(ctx, "--kdir, --vmlinux and --target-module take one --kernel");
	if (!o->module_key != !o->module_cert)
		return usage_err(ctx, "--module-key and --module-cert go together");
	if (o->base && !o->replace)
		return usage_err(ctx, "--base makes a cumulative bundle: it excludes --no-replace");
	if (!valid_bundle_name(o->name))
		return usage_err(ctx, "invalid bundle name '%s': use [a-z0-9_], at most %d characters",
				 o->name, KLPB_MAX_NAME);
	return 0;
}

static bool valid_source_name(const char *n)
{
	size_t len = strlen(n);

	if (len < 3 || len > KLPB_MAX_SOURCE_NAME || n[0] == '.' || strncmp(n, "klpb_", 5) == 0)
		return false;
	for (const char *p = n; *p; p++)
		if (!isalnum((unsigned char)*p) && !strchr("_.-", *p))
			return false;
	return strcmp(n + len - 2, ".c") == 0 || strcmp(n + len - 2, ".h") == 0;
}

/* Add (or replace, by name) a source. @data is [owned] by the state from now on. */
static int add_source(struct klpb_ctx *ctx, struct create_state *st, const char *name,
		      uint8_t *data, size_t len)
{
	struct source_file *v;

	if (!valid_source_name(name)) {
		free(data);
		return usage_err(ctx,
				 "source '%s': names are [A-Za-z0-9_.-] ending in .c or .h, not starting with '.' or 'klpb_'",
				 name);
	}
	for (size_t i = 0; i < st->n_sources; i++) {
		if (strcmp(st->sources[i].name, name) == 0) {
			free(st->sources[i].data);
			st->sources[i].data = data;
			st->sources[i].len = len;
			return 0;
		}
	}
	v = realloc(st->sources, (st->n_sources + 1) * sizeof(*v));
	if (!v) {
		free(data);
		return -ENOMEM;
	}
	st->sources = v;
	v[st->n_sources] = (struct source_file){ strdup(name), data, len };
	if (!v[st->n_sources].name)
		return -ENOMEM;
	st->n_sources++;
	return 0;
}

static int read_sources(struct klpb_ctx *ctx, const struct create_opts *o,
			struct create_state *st)
{
	for (size_t i = 0; i < o->sources.n; i++) {
		const char *path = o->sources.v[i], *base = strrchr(path, '/');
		uint8_t *data;
		size_t len;
		int err = read_file(path, &data, &len);

		if (err) {
			p_err(ctx, err, "cannot read source '%s': %s", path, strerror(-err));
			return err;
		}
		err = add_source(ctx, st, base ? base + 1 : path, data, len);
		if (err)
			return err;
	}
	return 0;
}

/* --base: its version, lineage and sources; verified (digests) first. */
static int read_base(struct klpb_ctx *ctx, const struct create_opts *o, struct create_state *st,
		     uint8_t lineage[KLPB_LINEAGE_LEN])
{
	struct klpb_verify_result res;
	struct klpb_error ferr = { 0 };
	struct klpb_bundle *b = NULL;
	struct mapped_file m;
	int err = open_bundle(ctx, o->base, &m, &b);

	if (err)
		return err;
	err = klpb_bundle_verify(b, NULL, 0, &res, &ferr);
	if (err) {
		report_format_error(ctx, o->base, err, &ferr);
	} else if (!b->sources) {
		err = -ENODATA;
		p_err(ctx, err, "'%s' has no embedded sources: cannot build a successor", o->base);
	} else if (o->version <= b->core.version) {
		err = usage_err(ctx, "version %" PRIu64 " is not higher than --base's %" PRIu64,
				o->version, b->core.version);
	} else if (strcmp(b->core.name, o->name) != 0) {
		err = usage_err(ctx, "--base is bundle '%s', not '%s'", b->core.name, o->name);
	}
	memcpy(lineage, b->core.lineage, KLPB_LINEAGE_LEN);
	for (size_t i = 0; !err && i < b->n_sources; i++) {
		uint8_t *copy = malloc(b->sources[i].len ? b->sources[i].len : 1);

		if (!copy) {
			err = -ENOMEM;
			break;
		}
		memcpy(copy, b->sources[i].data, b->sources[i].len);
		err = add_source(ctx, st, b->core.provenance.sources[i].name, copy,
				 b->sources[i].len);
	}
	klpb_bundle_free(b);
	unmap_file(&m);
	return err;
}

static int scan_decls(struct klpb_ctx *ctx, struct create_state *st)
{
	char msg[512];
	int err;

	for (size_t i = 0; i < st->n_sources; i++) {
		err = decls_scan(&st->decls, st->sources[i].name, (const char *)st->sources[i].data,
				 st->sources[i].len, msg, sizeof(msg));
		if (err) {
			p_err(ctx, err, "%s", err == -EINVAL ? msg : strerror(-err));
			return err;
		}
	}
	if (st->decls.n_funcs == 0) {
		p_err(ctx, -EINVAL, "the sources declare no replaced function (KLPB_PATCH_FUNC)");
		return -EINVAL;
	}
	err = decls_objects(&st->decls, &st->objects, &st->n_objects);
	if (!err)	/* the format lists objects by name */
		create_sort(st->objects, st->n_objects, sizeof(*st->objects), create_cmp_strp);
	return err;
}

/* The --target-module FILE for @object, or NULL. */
static const char *target_module_override(const struct create_opts *o, const char *object)
{
	size_t n = strlen(object);

	for (size_t i = 0; i < o->target_modules.n; i++) {
		const char *s = o->target_modules.v[i];

		if (strncmp(s, object, n) == 0 && s[n] == '=')
			return s + n + 1;
	}
	return NULL;
}

static int open_target(struct klpb_ctx *ctx, const struct create_opts *o,
		       struct create_state *st, struct target *t, const char *release)
{
	char msg[1024];
	int err = target_init(t, release, o->kdir, o->vmlinux, msg, sizeof(msg));

	for (size_t i = 0; !err && i < st->n_objects; i++) {
		if (strcmp(st->objects[i], "vmlinux") == 0)
			continue;
		err = target_add_module(t, st->objects[i],
					target_module_override(o, st->objects[i]), msg,
					sizeof(msg));
	}
	if (err)
		p_err(ctx, err, "%s", msg);
	return err;
}

/*
 * Every replaced function and every referenced symbol exists in every
 * target, uniquely or at its sympos.
 */
static int check_functions(struct klpb_ctx *ctx, struct create_state *st)
{
	char msg[1024];
	int err = 0;

	for (size_t t = 0; !err && t < st->n_targets; t++) {
		for (size_t i = 0; !err && i < st->decls.n_funcs; i++)
			err = target_check_func(&st->targets[t], &st->decls.funcs[i], msg, sizeof(msg));
		for (size_t i = 0; !err && i < st->decls.n_symrefs; i++)
			err = target_check_symref(&st->targets[t], &st->decls.symrefs[i], msg,
						  sizeof(msg));
	}
	if (err)
		p_err(ctx, err, "%s", msg);
	return err;
}

static int open_targets(struct klpb_ctx *ctx, const struct create_opts *o,
			struct create_state *st)
{
	char *fallback = NULL;
	size_t n = o->kernels.n ? o->kernels.n : 1;
	int err = 0;

	for (size_t i = 0; i < o->target_modules.n; i++) {
		const char *eq = strchr(o->target_modules.v[i], '=');
		size_t j;

		for (j = 0; eq && j < st->n_objects; j++)
			if (strlen(st->objects[j]) == (size_t)(eq - o->target_modules.v[i]) &&
			    strncmp(st->objects[j], o->target_modules.v[i], eq - o->target_modules.v[i]) == 0)
				break;
		if (!eq || j == st->n_objects)
			return usage_err(ctx, "--target-module '%s' names no patched module (OBJ=FILE.ko)",
					 o->target_modules.v[i]);
	}
	if (!o->kernels.n) {
		err = o->kdir ? target_kdir_release(o->kdir, &fallback) :
				target_default_release(&fallback);
		if (err) {
			p_err(ctx, err, "no target kernel: no kernel headers are installed (pass --kernel)");
			return err;
		}
	}
	st->targets = calloc(n, sizeof(*st->targets));
	if (!st->targets) {
		free(fallback);
		return -ENOMEM;
	}
	for (size_t i = 0; !err && i < n; i++) {
		st->n_targets++;
		err = open_target(ctx, o, st, &st->targets[i], o->kernels.n ? o->kernels.v[i] : fallback);
	}
	free(fallback);
	return err;
}

static int start_build(struct klpb_ctx *ctx, const struct create_opts *o,
		       struct create_state *st, size_t i)
{
	struct kbuild_job job = {
		.kdir = st->targets[i].kdir,
		.runtime_dir = kbuild_runtime_dir(),
		.module_name = st->module_name,
		.sources = st->sources,
		.n_sources = st->n_sources,
		.core = { st->core_bytes.data, st->core_bytes.len },
		.keep_dir = o->keep_build,
	};
	char *desc = create_desc_text(st, &st->targets[i]);
	int err;

	if (!desc)
		return -ENOMEM;
	job.desc = desc;
	p_info(ctx, "building '%s' for kernel %s", st->module_name, st->targets[i].release);
	err = kbuild_start(&job, &st->builds[i]);
	free(desc);
	if (err)
		p_err(ctx, err, "cannot start the build for kernel %s: %s", st->targets[i].release,
		      strerror(-err));
	else
		st->n_builds++;
	return err;
}

/* Turn the module's KLPB_SYMBOL slots into livepatch relocations (klp-reloc.c). */
static int add_klp_relocations(struct klpb_ctx *ctx, struct create_state *st, size_t i)
{
	struct klp_symref *refs = NULL;
	char msg[512] = "";
	int n, err;

	n = klp_symrefs_read(st->kos[i].data, st->kos[i].len, &refs, msg, sizeof(msg));
	if (n >= 0 && n != (int)st->decls.n_symrefs) {
		p_err(ctx, -EINVAL,
		      "the module declares %d symbol reference(s) but the sources show %zu: write each KLPB_SYMBOL literally, outside #if and other macros",
		      n, st->decls.n_symrefs);
		klp_symrefs_free(refs, n);
		return -EINVAL;
	}
	err = n < 0 ? n : klp_reloc_rewrite(&st->kos[i], refs, n, msg, sizeof(msg));
	if (err)
		p_err(ctx, err, "cannot add the livepatch relocations: %s", msg[0] ? msg : strerror(-err));
	klp_symrefs_free(refs, n > 0 ? n : 0);
	return err;
}

static int sign_module(struct klpb_ctx *ctx, struct create_state *st, size_t i)
{
	char *log = NULL;
	int err = kbuild_sign(st->targets[i].kdir, st->opts->module_key, st->opts->module_cert,
			      &st->kos[i], &log);

	if (err) {
		if (log && !ctx->json)
			fputs(log, stderr);
		p_err(ctx, err, "signing the module for kernel %s with '%s' failed%s",
		      st->targets[i].release, st->opts->module_key,
		      err == -ENOEXEC ? " (sign-file's output is above)" : "");
	}
	free(log);
	return err;
}

static int finish_build(struct klpb_ctx *ctx, struct create_state *st, size_t i)
{
	char *log = NULL;
	int err, n;

	err = kbuild_finish(&st->builds[i], &st->kos[i], &log);
	if (err) {
		if (log && !ctx->json)
			fputs(log, stderr);
		p_err(ctx, err, "building the module for kernel %s failed%s", st->targets[i].release,
		      err == -ENOEXEC ? " (the build's output is above)" : "");
		free(log);
		return err;
	}
	n = kbuild_section_entries(st->kos[i].data, st->kos[i].len, KLPB_SECTION_FUNCS,
				   sizeof(struct klpb_func_decl));
	if (n != (int)st->decls.n_funcs) {
		p_err(ctx, -EINVAL,
		      "the module declares %d replaced function(s) but the sources show %zu: write each KLPB_PATCH_FUNC literally, outside #if and other macros",
		      n, st->decls.n_funcs);
		return -EINVAL;
	}
	err = add_klp_relocations(ctx, st, i);
	if (!err && st->opts->module_key)
		err = sign_module(ctx, st, i);
	return err;
}

/*
 * Build every target's module.  The builds run in the background while the
 * replaced functions are checked against each target's symbols (reading a
 * compressed vmlinux's kallsyms takes about a second); a failed check stops
 * them.
 */
static int build_modules(struct klpb_ctx *ctx, const struct create_opts *o,
			 struct create_state *st)
{
	struct klpb_error ferr = { 0 };
	size_t i;
	int err;

	err = klpb_core_encode(&st->core, &st->core_bytes, &ferr);
	if (err)
		return report_format_error(ctx, o->out, err, &ferr);
	st->kos = calloc(st->n_targets, sizeof(*st->kos));
	st->builds = calloc(st->n_targets, sizeof(*st->builds));
	if (!st->kos || !st->builds)
		return -ENOMEM;
	for (i = 0; !err && i < st->n_targets; i++)
		err = start_build(ctx, o, st, i);
	if (!err)
		err = check_functions(ctx, st);
	for (i = 0; i < st->n_builds; i++) {
		if (err)
			kbuild_abort(&st->builds[i]);
		else
			err = finish_build(ctx, st, i);
	}
	st->n_builds = 0;
	return err;
}

static int encode_bundle(struct klpb_ctx *ctx, const struct create_opts *o,
			 struct create_state *st)
{
	struct klpb_module_input *mods = calloc(st->n_targets, sizeof(*mods));
	struct klpb_build_input in = {
		.core = &st->core,
		.modules = mods,
		.sources = st->source_bytes,
	};
	struct klpb_error ferr = { 0 };
	int err;

	if (!mods)
		return -ENOMEM;
	for (size_t i = 0; i < st->n_targets; i++)
		mods[i] = (struct klpb_module_input){ st->kos[i].data, st->kos[i].len,
						       KLPB_COMPRESSION_ZSTD };
	err = klpb_bundle_build(&in, &st->file, &ferr);
	free(mods);
	if (err)
		report_format_error(ctx, o->out, err, &ferr);
	return err;
}

static int sign_bundle(struct klpb_ctx *ctx, const struct create_opts *o,
		       struct create_state *st)
{
	struct klpb_error ferr = { 0 };
	struct klpb_bundle *b = NULL;
	struct klpb_buf signed_file = { 0 };
	struct klpb_key *k = NULL;
	int err = load_private_key(ctx, o->sign_key, &k);

	if (err)
		return err;
	err = klpb_bundle_load(st->file.data, st->file.len, &b, &ferr);
	if (!err)
		err = klpb_bundle_sign(b, k, &ferr);
	if (!err)
		err = klpb_bundle_write(b, &signed_file, &ferr);
	klpb_bundle_free(b);
	klpb_key_free(k);
	if (err) {
		klpb_buf_free(&signed_file);
		return report_format_error(ctx, o->out, err, &ferr);
	}
	klpb_buf_free(&st->file);
	st->file = signed_file;
	return 0;
}

static void print_result(struct klpb_ctx *ctx, const struct create_opts *o,
			 const struct create_state *st)
{
	uint8_t md[KLPB_SHA256_LEN];
	char hex[2 * KLPB_SHA256_LEN + 1];

	klpb_sha256(st->file.data, st->file.len, md);
	hex_encode(md, sizeof(md), hex);
	if (!ctx->json) {
		p_info(ctx, "wrote '%s': bundle '%s' version %" PRIu64 ", module '%s', %zu target(s), %zu bytes",
		       o->out, o->name, o->version, st->module_name, st->n_targets, st->file.len);
		return;
	}
	jw_start_object(ctx->jw);
	jw_string_field(ctx->jw, "file", o->out);
	jw_string_field(ctx->jw, "name", o->name);
	jw_uint_field(ctx->jw, "version", o->version);
	jw_string_field(ctx->jw, "module_name", st->module_name);
	jw_uint_field(ctx->jw, "size", st->file.len);
	jw_string_field(ctx->jw, "sha256", hex);
	jw_name(ctx->jw, "targets");
	jw_start_array(ctx->jw);
	for (size_t i = 0; i < st->n_targets; i++) {
		jw_start_object(ctx->jw);
		jw_string_field(ctx->jw, "kernel_release", st->targets[i].release);
		jw_uint_field(ctx->jw, "module_size", st->kos[i].len);
		jw_end_object(ctx->jw);
	}
	jw_end_array(ctx->jw);
	jw_end_object(ctx->jw);
}

static void create_free(struct create_state *st)
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
	decls_free(&st->decls);
	klpb_buf_free(&st->core_bytes);
	klpb_buf_free(&st->file);
}

int cmd_create(struct klpb_ctx *ctx, int argc, char **argv)
{
	struct create_opts o = { 0 };
	struct create_state st = { 0 };
	uint8_t lineage[KLPB_LINEAGE_LEN];
	int err = parse_opts(ctx, argc, argv, &o);

	st.opts = &o;
	if (err)
		goto out;
	err = create_make_lineage(ctx, &o, lineage);
	if (!err)
		err = create_parse_deps(ctx, &o.requires, "--requires", &st.requires, &st.n_requires);
	if (!err)
		err = create_parse_deps(ctx, &o.conflicts, "--conflicts", &st.conflicts, &st.n_conflicts);
	if (!err && o.base)
		err = read_base(ctx, &o, &st, lineage);
	if (!err)
		err = read_sources(ctx, &o, &st);
	if (!err)
		err = scan_decls(ctx, &st);
	if (!err)
		err = open_targets(ctx, &o, &st);
	if (!err)
		err = create_make_core(ctx, &o, &st, lineage);
	if (!err)
		err = build_modules(ctx, &o, &st);
	if (!err)
		err = encode_bundle(ctx, &o, &st);
	if (!err && o.sign_key)
		err = sign_bundle(ctx, &o, &st);
	if (!err) {
		err = write_file_atomic(o.out, st.file.data, st.file.len, 0644, false);
		if (err)
			p_err(ctx, err, "cannot write '%s': %s", o.out, strerror(-err));
	}
	if (!err)
		print_result(ctx, &o, &st);
out:
	create_free(&st);
	free(o.kernels.v);
	free(o.requires.v);
	free(o.conflicts.v);
	free(o.cves.v);
	free(o.target_modules.v);
	free(o.sources.v);
	return err > 0 ? 0 : err;
}
