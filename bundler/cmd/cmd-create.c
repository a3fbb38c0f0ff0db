// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * cmd-create.c - klp-bundle create: the options and the output.  The
 * pipeline (patch sources in, one signed bundle out) is create/create.c.
 */
#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/cmd.h"
#include "create/create.h"
#include "util/hex.h"

static const char create_usage[] =
	"usage: klp-bundle create -o OUT.klpb --name NAME --version N [options] SOURCE...\n"
	"       klp-bundle create -o OUT.klpb --name NAME --version N [options]\n"
	"                         --patch FIX.patch [--patch ...] [SOURCE...]\n\n"
	"Compile patch sources (C files written against klp_bundle.h, and the\n"
	"headers they include) into one livepatch transaction module per target\n"
	"kernel and write one bundle file.  Every replaced function is checked to\n"
	"exist in its target first, and to be one livepatch can replace (not\n"
	"notrace, __init or data); nothing is written unless everything succeeds.\n\n"
	"With --patch, the replacement functions come from source diffs against\n"
	"each target's own kernel source (Debian's linux-source package of the\n"
	"image's version, unpacked and prepared once in /var/cache/klp-bundle, or\n"
	"$KLPB_CACHE_DIR): only the touched units are compiled, unpatched and\n"
	"patched, and the functions whose code changed are carried\n"
	"(Documentation/patch-authoring.md, \"From a diff\").\n\n"
	"options:\n"
	"  -o, --out FILE          the bundle to write (replaced atomically)\n"
	"  -n, --name NAME         bundle name: [a-z0-9_], at most 55 characters\n"
	"  -V, --version N         bundle version, 1 to 4294967295, higher than --base's\n"
	"  -k, --kernel RELEASE    a target kernel (repeatable; default: the newest\n"
	"                          installed kernel headers); a path instead is a\n"
	"                          kbuild tree: a build of its release, with its\n"
	"                          vmlinux (KDIR/vmlinux if present), so two builds\n"
	"                          of one release can be targets of one bundle\n"
	"      --kdir DIR          the kbuild tree (one target only; default\n"
	"                          /lib/modules/RELEASE/build)\n"
	"      --vmlinux FILE      the kernel image or vmlinux (one target only;\n"
	"                          default /boot/vmlinuz-RELEASE)\n"
	"      --target-module OBJ=FILE.ko\n"
	"                          the build of module OBJ to patch (default: the\n"
	"                          installed module, found like modprobe); with\n"
	"                          several --kernel, one per kernel: each serves the\n"
	"                          kernel its vermagic names\n"
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
	"      --jobs N            build at most N targets at once (default: the\n"
	"                          number of online CPUs); the file is the same\n"
	"      --patch FILE        a diff (-p1, .patch or .diff) against the target\n"
	"                          kernels' source (repeatable, applied in order,\n"
	"                          after --base's); embedded as a source\n"
	"      --patch-unit FILE.c a unit to compile for a touched header\n"
	"                          (repeatable; a header change needs one)\n"
	"      --source DIR        the kernel source tree to use (one target only;\n"
	"                          default: the release's linux-source package)\n"
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

/* Each --kernel once: one bundle has one target per kernel build. */
static int check_kernels(struct klpb_ctx *ctx, const struct strv *k)
{
	for (size_t i = 1; i < k->n; i++)
		for (size_t j = 0; j < i; j++)
			if (strcmp(k->v[i], k->v[j]) == 0)
				return usage_err(
					ctx,
					"--kernel %s is given twice: a bundle has one target per kernel build (drop the second -k)",
					k->v[i]);
	return 0;
}

/* --patch names a diff, --patch-unit a .c file, --source goes with one kernel. */
static int check_patch_opts(struct klpb_ctx *ctx, const struct create_opts *o)
{
	for (size_t i = 0; i < o->patches.n; i++) {
		const char *p = o->patches.v[i];
		size_t n = strlen(p);

		if (!(n > 6 && strcmp(p + n - 6, ".patch") == 0) &&
		    !(n > 5 && strcmp(p + n - 5, ".diff") == 0))
			return usage_err(
				ctx, "--patch %s: a diff's file name ends in .patch or .diff", p);
	}
	for (size_t i = 0; i < o->patch_units.n; i++) {
		const char *u = o->patch_units.v[i];
		size_t n = strlen(u);

		if (n < 3 || strcmp(u + n - 2, ".c") != 0 || u[0] == '/' || strstr(u, ".."))
			return usage_err(
				ctx,
				"--patch-unit %s: name a .c file of the kernel tree by its relative path (e.g. fs/proc/base.c)",
				u);
	}
	if ((o->patch_units.n || o->source_dir) && !o->patches.n && !o->base)
		return usage_err(ctx, "--patch-unit and --source go with --patch");
	if (o->source_dir && o->kernels.n > 1)
		return usage_err(ctx,
				 "--source takes one --kernel (each kernel has its own source)");
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
	enum {
		OPT_KDIR = 256,
		OPT_VMLINUX,
		OPT_TMOD,
		OPT_NOREPLACE,
		OPT_REQ,
		OPT_CONFL,
		OPT_CVE,
		OPT_LINEAGE,
		OPT_BASE,
		OPT_SIGN,
		OPT_KEEP,
		OPT_MODKEY,
		OPT_MODCERT,
		OPT_JOBS,
		OPT_PATCH,
		OPT_PATCH_UNIT,
		OPT_SOURCE
	};
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
		{ "jobs", required_argument, NULL, OPT_JOBS },
		{ "patch", required_argument, NULL, OPT_PATCH },
		{ "patch-unit", required_argument, NULL, OPT_PATCH_UNIT },
		{ "source", required_argument, NULL, OPT_SOURCE },
		{ "help", no_argument, NULL, 'h' },
		{}
	};
	bool have_version = false;
	int c, rc = 0;

	o->replace = true;
	while (!rc && (c = getopt_long(argc, argv, "o:n:V:k:d:h", opts, NULL)) != -1) {
		switch (c) {
		case 'o':
			o->out = optarg;
			break;
		case 'n':
			o->name = optarg;
			break;
		case 'V':
			if (create_parse_u64(optarg, UINT_MAX, &o->version) || o->version == 0)
				return usage_err(ctx,
						 "--version needs a number from 1 to %u, not '%s'",
						 UINT_MAX, optarg);
			have_version = true;
			break;
		case 'k':
			rc = strv_push(&o->kernels, optarg);
			break;
		case OPT_KDIR:
			o->kdir = optarg;
			break;
		case OPT_VMLINUX:
			o->vmlinux = optarg;
			break;
		case OPT_TMOD:
			rc = strv_push(&o->target_modules, optarg);
			break;
		case OPT_NOREPLACE:
			o->replace = false;
			break;
		case OPT_REQ:
			rc = strv_push(&o->requires, optarg);
			break;
		case OPT_CONFL:
			rc = strv_push(&o->conflicts, optarg);
			break;
		case 'd':
			o->description = optarg;
			break;
		case OPT_CVE:
			rc = strv_push(&o->cves, optarg);
			break;
		case OPT_LINEAGE:
			o->lineage_hex = optarg;
			break;
		case OPT_BASE:
			o->base = optarg;
			break;
		case OPT_SIGN:
			o->sign_key = optarg;
			break;
		case OPT_KEEP:
			o->keep_build = optarg;
			break;
		case OPT_MODKEY:
			o->module_key = optarg;
			break;
		case OPT_MODCERT:
			o->module_cert = optarg;
			break;
		case OPT_JOBS:
			if (create_parse_u64(optarg, KLPB_MAX_TARGETS, &o->jobs) || o->jobs == 0)
				return usage_err(ctx,
						 "--jobs needs a number from 1 to %d, not '%s'",
						 KLPB_MAX_TARGETS, optarg);
			break;
		case OPT_PATCH:
			rc = strv_push(&o->patches, optarg);
			break;
		case OPT_PATCH_UNIT:
			rc = strv_push(&o->patch_units, optarg);
			break;
		case OPT_SOURCE:
			o->source_dir = optarg;
			break;
		case 'h':
			fputs(create_usage, stdout);
			return 1;
		default:
			return usage_err(ctx, "bad option for 'create'");
		}
	}
	if (rc)
		return rc;
	for (int i = optind; i < argc; i++)
		if ((rc = strv_push(&o->sources, argv[i])))
			return rc;
	if (!o->out || !o->name || !have_version)
		return usage_err(ctx, "create needs -o OUT, --name NAME and --version N");
	if (o->sources.n == 0 && o->patches.n == 0 && !o->base)
		return usage_err(ctx, "create needs at least one SOURCE or --patch (or --base)");
	if ((rc = check_patch_opts(ctx, o)))
		return rc;
	if ((rc = check_kernels(ctx, &o->kernels)))
		return rc;
	if (o->kernels.n > 1 && (o->kdir || o->vmlinux))
		return usage_err(ctx, "--kdir and --vmlinux take one --kernel");
	if (!o->module_key != !o->module_cert)
		return usage_err(ctx, "--module-key and --module-cert go together");
	if (o->base && !o->replace)
		return usage_err(ctx, "--base makes a cumulative bundle: it excludes --no-replace");
	if (!valid_bundle_name(o->name))
		return usage_err(ctx,
				 "invalid bundle name '%s': use [a-z0-9_], at most %d characters",
				 o->name, KLPB_MAX_NAME);
	return 0;
}

static void print_result(struct klpb_ctx *ctx, const struct create_opts *o,
			 const struct create_result *res)
{
	char hex[2 * KLPB_SHA256_LEN + 1];

	hex_encode(res->sha256, sizeof(res->sha256), hex);
	if (!ctx->json) {
		p_info(ctx,
		       "wrote '%s': bundle '%s' version %" PRIu64
		       ", module '%s', %zu target(s), %zu bytes",
		       o->out, o->name, o->version, res->module_name, res->n_targets, res->size);
		return;
	}
	jw_start_object(ctx->jw);
	jw_string_field(ctx->jw, "file", o->out);
	jw_string_field(ctx->jw, "name", o->name);
	jw_uint_field(ctx->jw, "version", o->version);
	jw_string_field(ctx->jw, "module_name", res->module_name);
	jw_uint_field(ctx->jw, "size", res->size);
	jw_string_field(ctx->jw, "sha256", hex);
	jw_name(ctx->jw, "targets");
	jw_start_array(ctx->jw);
	for (size_t i = 0; i < res->n_targets; i++) {
		jw_start_object(ctx->jw);
		jw_string_field(ctx->jw, "kernel_release", res->targets[i].kernel_release);
		jw_uint_field(ctx->jw, "module_size", res->targets[i].module_size);
		jw_end_object(ctx->jw);
	}
	jw_end_array(ctx->jw);
	jw_end_object(ctx->jw);
}

int cmd_create(struct klpb_ctx *ctx, int argc, char **argv)
{
	struct create_opts o = { 0 };
	struct create_result res;
	int rc = parse_opts(ctx, argc, argv, &o);

	if (!rc) {
		rc = create_bundle(ctx, &o, &res);
		if (!rc)
			print_result(ctx, &o, &res);
		create_result_free(&res);
	}
	free(o.kernels.v);
	free(o.requires.v);
	free(o.conflicts.v);
	free(o.cves.v);
	free(o.target_modules.v);
	free(o.sources.v);
	free(o.patches.v);
	free(o.patch_units.v);
	return rc > 0 ? 0 : rc;
}
