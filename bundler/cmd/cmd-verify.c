// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * cmd-verify.c - klp-bundle verify: structure, signatures, then every
 * payload and source digest (Documentation/format.md, "Verification
 * order").  The exit status says which step failed.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cmd/cmd.h"
#include "common/bundle-io.h"
#include "util/hex.h"

static const char verify_usage[] =
	"usage: klp-bundle verify FILE [--keyring DIR | --key PUB]\n\n"
	"Check a bundle: strict structure, signatures, the SHA-256 of every payload\n"
	"and embedded source.  With --key or --keyring at least one signature by a\n"
	"trusted key is required and every signature by a trusted key must verify;\n"
	"without them signatures are listed but not checked.\n\n"
	"options:\n"
	"  -k, --key PUB       trust this public key (PEM, SPKI)\n"
	"  -K, --keyring DIR   trust every DIR/*.pub\n"
	"  -h, --help          this text\n\n"
	"exit status: 0 ok, 3 malformed, 4 digest mismatch, 5 bad signature,\n"
	"6 no signature by a trusted key (see 'klp-bundle help')\n";

static void report_plain(struct klpb_ctx *ctx, const char *path, const struct klpb_bundle *b,
			 const struct klpb_verify_result *res, int rc)
{
	char h[2 * KLPB_KID_LEN + 1];

	for (size_t i = 0; i < b->n_sigs; i++) {
		hex_encode(b->sigs[i].kid, KLPB_KID_LEN, h);
		p_info(ctx, "signature %zu: kid %s: %s", i, h,
		       klpb_sig_status_name(res->status[i]));
	}
	if (rc == 0)
		printf("'%s': ok: %zu payload(s) and %zu source(s) match, %s\n", path,
		       b->n_payloads, b->n_sources,
		       res->keys_given ? "signed by a trusted key" :
		       b->n_sigs       ? "signatures not checked (no --key/--keyring)" :
					 "unsigned");
}

static void report_json(struct json_writer *jw, const char *path, const struct klpb_bundle *b,
			const struct klpb_verify_result *res)
{
	jw_start_object(jw);
	jw_string_field(jw, "file", path);
	jw_bool_field(jw, "ok", true);
	jw_bool_field(jw, "keys_given", res->keys_given);
	jw_uint_field(jw, "payloads", b->n_payloads);
	jw_uint_field(jw, "sources", b->n_sources);
	jw_name(jw, "signatures");
	jw_start_array(jw);
	for (size_t i = 0; i < b->n_sigs; i++) {
		jw_start_object(jw);
		jw_hex_field(jw, "kid", b->sigs[i].kid, KLPB_KID_LEN);
		jw_string_field(jw, "status", klpb_sig_status_name(res->status[i]));
		jw_end_object(jw);
	}
	jw_end_array(jw);
	jw_end_object(jw);
}

static int verify_one(struct klpb_ctx *ctx, const char *path, struct klpb_key **keys, size_t n)
{
	struct klpb_verify_result res;
	struct klpb_error ferr = { 0 };
	struct klpb_bundle *b = NULL;
	struct mapped_file m;
	int rc = open_bundle(ctx, path, &m, &b);

	if (rc < 0)
		return rc;
	rc = klpb_bundle_verify(b, keys, n, &res, &ferr);
	if (!ctx->json)
		report_plain(ctx, path, b, &res, rc);
	if (rc < 0)
		report_format_error(ctx, path, rc, &ferr);
	else if (ctx->json)
		report_json(ctx->jw, path, b, &res);
	klpb_bundle_free(b);
	unmap_file(&m);
	return rc;
}

int cmd_verify(struct klpb_ctx *ctx, int argc, char **argv)
{
	static const struct option opts[] = { { "help", no_argument, NULL, 'h' },
					      { "key", required_argument, NULL, 'k' },
					      { "keyring", required_argument, NULL, 'K' },
					      {} };
	const char *key = NULL, *keyring = NULL;
	struct klpb_key **keys = NULL;
	size_t n = 0;
	int c, rc;

	while ((c = getopt_long(argc, argv, "hk:K:", opts, NULL)) != -1) {
		switch (c) {
		case 'h':
			fputs(verify_usage, stdout);
			return 0;
		case 'k':
			key = optarg;
			break;
		case 'K':
			keyring = optarg;
			break;
		default:
			return usage_err(ctx, "verify: bad option");
		}
	}
	if (argc - optind != 1)
		return usage_err(ctx, "verify takes exactly one FILE");
	if (key && keyring)
		return usage_err(ctx, "give --key or --keyring, not both");
	rc = load_trusted_keys(ctx, key, keyring, &keys, &n);
	if (rc < 0)
		return rc;
	rc = verify_one(ctx, argv[optind], keys, n);
	free_keys(keys, n);
	return rc;
}
