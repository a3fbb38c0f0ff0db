// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * cmd-sign.c - klp-bundle sign: add a COSE_Sign1 signature.  The manifest
 * bytes are unchanged; the file is rewritten deterministically (signatures
 * sorted by kid) and atomically, so FILE is never left half-written.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cmd/cmd.h"
#include "common/bundle-io.h"
#include "util/file.h"
#include "util/hex.h"

static const char sign_usage[] =
	"usage: klp-bundle sign FILE --key KEY [-o OUT]\n\n"
	"Add a signature by KEY (Ed25519 private key, PKCS#8 PEM) over the\n"
	"manifest of FILE.  A signature by the same key is replaced.  The result\n"
	"replaces FILE atomically, or goes to OUT.\n\n"
	"options:\n"
	"  -k, --key KEY    the private key\n"
	"  -o, --out OUT    write here instead of replacing FILE\n"
	"  -h, --help       this text\n";

static int sign_file(struct klpb_ctx *ctx, const char *in, const char *out, struct klpb_key *k)
{
	struct klpb_error ferr = { 0 };
	struct klpb_bundle *b = NULL;
	struct klpb_buf buf = { 0 };
	struct mapped_file m;
	char kid[2 * KLPB_KID_LEN + 1];
	int rc = open_bundle(ctx, in, &m, &b);

	if (rc < 0)
		return rc;
	rc = klpb_bundle_sign(b, k, &ferr);
	if (rc == 0)
		rc = klpb_bundle_write(b, &buf, &ferr);
	if (rc < 0) {
		report_format_error(ctx, in, rc, &ferr);
		goto out;
	}
	rc = write_file_atomic(out, buf.data, buf.len, 0644, false);
	if (rc < 0) {
		p_err(ctx, rc, "cannot write '%s': %s", out, strerror(-rc));
		goto out;
	}
	hex_encode(klpb_key_id(k), KLPB_KID_LEN, kid);
	if (ctx->json) {
		jw_start_object(ctx->jw);
		jw_string_field(ctx->jw, "file", out);
		jw_string_field(ctx->jw, "kid", kid);
		jw_uint_field(ctx->jw, "signatures", b->n_sigs);
		jw_end_object(ctx->jw);
	} else {
		p_info(ctx, "'%s': signed by kid %s (%zu signature(s))", out, kid, b->n_sigs);
	}
out:
	klpb_buf_free(&buf);
	klpb_bundle_free(b);
	unmap_file(&m);
	return rc;
}

int cmd_sign(struct klpb_ctx *ctx, int argc, char **argv)
{
	static const struct option opts[] = { { "help", no_argument, NULL, 'h' },
					      { "key", required_argument, NULL, 'k' },
					      { "out", required_argument, NULL, 'o' },
					      {} };
	const char *key = NULL, *out = NULL;
	struct klpb_key *k = NULL;
	int c, rc;

	while ((c = getopt_long(argc, argv, "hk:o:", opts, NULL)) != -1) {
		switch (c) {
		case 'h':
			fputs(sign_usage, stdout);
			return 0;
		case 'k':
			key = optarg;
			break;
		case 'o':
			out = optarg;
			break;
		default:
			return usage_err(ctx, "sign: bad option");
		}
	}
	if (argc - optind != 1 || !key)
		return usage_err(ctx, "sign needs FILE and --key KEY");
	rc = load_private_key(ctx, key, &k);
	if (rc < 0)
		return rc;
	rc = sign_file(ctx, argv[optind], out ? out : argv[optind], k);
	klpb_key_free(k);
	return rc;
}
