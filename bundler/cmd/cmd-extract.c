// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * cmd-extract.c - klp-bundle extract: write out a bundle's transaction
 * module for one kernel (checked against its digest) and/or its embedded
 * patch sources, for auditing or for loading by hand.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cmd/cmd.h"
#include "common/bundle-io.h"
#include "engine/module.h"
#include "util/file.h"

static const char extract_usage[] =
	"usage: klp-bundle extract FILE [-k RELEASE | -t N] [-o OUT.ko] [-s DIR]\n\n"
	"Write the transaction module of one target kernel (decompressed and\n"
	"checked against the manifest's SHA-256) and/or the embedded sources.\n"
	"Without -k or -t: the only target, or the one for the running kernel\n"
	"(its release and vmlinux build-id).  -k needs a release with one target;\n"
	"for two builds with the same release use -t.\n\n"
	"options:\n"
	"  -k, --kernel RELEASE  the target for this kernel release\n"
	"  -t, --target N        target number N (as 'inspect' lists them)\n"
	"  -o, --out OUT.ko      write the module here\n"
	"  -s, --sources DIR     write the embedded sources into DIR (created;\n"
	"                        existing files are not overwritten)\n"

	"  -h, --help            this text\n";

/* How many targets of @b are for @release; the first one's payload in *@first. */
static size_t release_targets(const struct klpb_bundle *b, const char *release, size_t *first)
{
	size_t n = 0;

	for (size_t i = b->n_payloads; i-- > 0;)
		if (strcmp(b->core.targets[b->payloads[i].target].kernel_release, release) == 0) {
			*first = i;
			n++;
		}
	return n;
}

/* -k RELEASE: a release with one target; reports errors. */
static int pick_release(struct klpb_ctx *ctx, const struct klpb_bundle *b, const char *release,
			size_t *out)
{
	size_t n = release_targets(b, release, out);
	char *have;

	if (n == 1)
		return 0;
	have = bundle_targets_text(b);
	if (n == 0)
		p_err(ctx, -ENOENT,
		      "the bundle has no target for kernel %s; it has %s (use -k with one of them, or -t N)",
		      release, have ? have : "(out of memory)");
	else
		p_err(ctx, -ENOENT,
		      "the bundle has %zu targets for kernel %s, builds with different vmlinux build-ids (%s): pick one with -t N ('inspect' numbers them)",
		      n, release, have ? have : "(out of memory)");
	free(have);
	return -ENOENT;
}

/* The payload index for the chosen target; reports errors. */
static int pick_payload(struct klpb_ctx *ctx, const struct klpb_bundle *b, const char *release,
			long target, size_t *out)
{
	struct eng_kernel k = { .release = "(unknown)" };
	int rc;

	if (target >= 0) {
		for (size_t i = 0; i < b->n_payloads; i++)
			if (b->payloads[i].target == (uint64_t)target) {
				*out = i;
				return 0;
			}
		p_err(ctx, -ENOENT, "the bundle has no target %ld (it has %zu)", target,
		      b->core.n_targets);
		return -ENOENT;
	}
	if (release)
		return pick_release(ctx, b, release, out);
	if (b->core.n_targets == 1) {
		*out = 0;
		return 0;
	}
	rc = eng_running_kernel(&k);
	if (rc == 0)
		rc = eng_pick_payload(b, &k, out);
	if (rc == 0)
		return 0;
	p_err(ctx, -ENOENT,
	      "the bundle has several targets and none is the running kernel %s (or its build-id is unknown): use -k RELEASE or -t N",
	      k.release);
	return -ENOENT;
}

static int write_module(struct klpb_ctx *ctx, const char *file, const struct klpb_bundle *b,
			size_t i, const char *out)
{
	struct klpb_error ferr = { 0 };
	struct klpb_buf ko = { 0 };
	int rc = klpb_payload_extract(b, i, &ko, &ferr);

	if (rc)
		return report_format_error(ctx, file, rc, &ferr);
	rc = write_file_atomic(out, ko.data, ko.len, 0644, false);
	if (rc)
		p_err(ctx, rc, "cannot write '%s': %s", out, strerror(-rc));
	klpb_buf_free(&ko);
	return rc;
}

static int write_sources(struct klpb_ctx *ctx, const struct klpb_bundle *b, const char *dir)
{
	int rc;

	if (!b->sources) {
		p_err(ctx, -ENODATA, "the bundle has no embedded sources");
		return -ENODATA;
	}
	if (mkdir(dir, 0755) < 0 && errno != EEXIST) {
		rc = -errno;
		p_err(ctx, rc, "cannot create '%s': %s", dir, strerror(-rc));
		return rc;
	}
	for (size_t i = 0; i < b->n_sources; i++) {
		char *path;

		if (asprintf(&path, "%s/%s", dir, b->core.provenance.sources[i].name) < 0)
			return -ENOMEM;
		rc = write_file_atomic(path, b->sources[i].data, b->sources[i].len, 0644, true);
		if (rc)
			p_err(ctx, rc, "cannot write '%s': %s", path, strerror(-rc));
		free(path);
		if (rc)
			return rc;
	}
	return 0;
}

int cmd_extract(struct klpb_ctx *ctx, int argc, char **argv)
{
	static const struct option opts[] = { { "kernel", required_argument, NULL, 'k' },
					      { "target", required_argument, NULL, 't' },
					      { "out", required_argument, NULL, 'o' },
					      { "sources", required_argument, NULL, 's' },
					      { "help", no_argument, NULL, 'h' },
					      {} };
	const char *release = NULL, *out = NULL, *srcdir = NULL;
	struct klpb_verify_result res;
	struct klpb_error ferr = { 0 };
	struct klpb_bundle *b = NULL;
	struct mapped_file m;
	long target = -1;
	size_t payload = 0;
	char *end;
	int c, rc;

	while ((c = getopt_long(argc, argv, "k:t:o:s:h", opts, NULL)) != -1) {
		switch (c) {
		case 'k':
			release = optarg;
			break;
		case 't':
			target = strtol(optarg, &end, 10);
			if (*end || target < 0)
				return usage_err(ctx, "--target needs a target number, not '%s'",
						 optarg);
			break;
		case 'o':
			out = optarg;
			break;
		case 's':
			srcdir = optarg;
			break;
		case 'h':
			fputs(extract_usage, stdout);
			return 0;
		default:
			return usage_err(ctx, "bad option for 'extract'");
		}
	}
	if (optind + 1 != argc || (!out && !srcdir))
		return usage_err(ctx, "extract needs one FILE and -o OUT.ko and/or -s DIR");
	rc = open_bundle(ctx, argv[optind], &m, &b);
	if (rc)
		return rc;
	rc = klpb_bundle_verify(b, NULL, 0, &res, &ferr);
	if (rc)
		report_format_error(ctx, argv[optind], rc, &ferr);
	if (!rc && out)
		rc = pick_payload(ctx, b, release, target, &payload);
	if (!rc && out)
		rc = write_module(ctx, argv[optind], b, payload, out);
	if (!rc && srcdir)
		rc = write_sources(ctx, b, srcdir);

	if (!rc && ctx->json) {
		jw_start_object(ctx->jw);
		if (out) {
			jw_string_field(ctx->jw, "module", out);
			jw_string_field(
				ctx->jw, "kernel_release",
				b->core.targets[b->payloads[payload].target].kernel_release);
		}
		if (srcdir) {
			jw_string_field(ctx->jw, "sources_dir", srcdir);
			jw_uint_field(ctx->jw, "sources", b->n_sources);
		}
		jw_end_object(ctx->jw);
	}
	klpb_bundle_free(b);
	unmap_file(&m);
	return rc;
}
