// SPDX-License-Identifier: GPL-2.0-or-later
/* cmd-keygen.c - klp-bundle keygen: a new Ed25519 signing key pair. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd/cmd.h"
#include "common/bundle-io.h"
#include "util/file.h"
#include "util/hex.h"

static const char keygen_usage[] =
	"usage: klp-bundle keygen --out PREFIX\n\n"
	"Create an Ed25519 key pair: PREFIX.key (private, PKCS#8 PEM, mode 0600)\n"
	"and PREFIX.pub (public, SPKI PEM).  Existing files are never overwritten.\n"
	"Put PREFIX.pub into a keyring directory to trust it.\n\n"
	"options:\n"
	"  -o, --out PREFIX   where to write the pair\n"
	"  -h, --help         this text\n";

static int write_pair(struct klpb_ctx *ctx, const char *prefix, const struct klpb_key *k)
{
	struct klpb_buf priv = { 0 }, pub = { 0 };
	char *kpath = NULL, *ppath = NULL;
	int rc = klpb_key_private_pem(k, &priv);

	if (rc == 0)
		rc = klpb_key_public_pem(k, &pub);
	if (rc == 0 &&
	    (asprintf(&kpath, "%s.key", prefix) < 0 || asprintf(&ppath, "%s.pub", prefix) < 0))
		rc = -ENOMEM;
	if (rc < 0) {
		p_err(ctx, rc, "cannot create a key: %s", strerror(-rc));
		goto out;
	}
	rc = write_file_atomic(kpath, priv.data, priv.len, 0600, true);
	if (rc < 0) {
		p_err(ctx, rc, "cannot write '%s': %s", kpath, strerror(-rc));
		goto out;
	}
	rc = write_file_atomic(ppath, pub.data, pub.len, 0644, true);
	if (rc < 0) {
		p_err(ctx, rc, "cannot write '%s': %s", ppath, strerror(-rc));
		unlink(kpath);
	}
out:
	if (priv.data)
		explicit_bzero(priv.data, priv.cap);
	klpb_buf_free(&priv);
	klpb_buf_free(&pub);
	free(kpath);
	free(ppath);
	return rc;
}

int cmd_keygen(struct klpb_ctx *ctx, int argc, char **argv)
{
	static const struct option opts[] = { { "help", no_argument, NULL, 'h' },
					      { "out", required_argument, NULL, 'o' },
					      {} };
	const char *prefix = NULL;
	struct klpb_key *k = NULL;
	char kid[2 * KLPB_KID_LEN + 1];
	int c, rc;

	while ((c = getopt_long(argc, argv, "ho:", opts, NULL)) != -1) {
		switch (c) {
		case 'h':
			fputs(keygen_usage, stdout);
			return 0;
		case 'o':
			prefix = optarg;
			break;
		default:
			return usage_err(ctx, "keygen: bad option");
		}
	}
	if (!prefix || !*prefix || optind != argc)
		return usage_err(ctx, "keygen needs --out PREFIX and nothing else");
	rc = klpb_key_generate(&k);
	if (rc < 0) {
		p_err(ctx, rc, "cannot generate a key: %s", strerror(-rc));
		return rc;
	}
	rc = write_pair(ctx, prefix, k);
	hex_encode(klpb_key_id(k), KLPB_KID_LEN, kid);
	klpb_key_free(k);
	if (rc < 0)
		return rc;
	if (ctx->json) {
		jw_start_object(ctx->jw);
		jw_string_field(ctx->jw, "private_key", prefix);
		jw_string_field(ctx->jw, "kid", kid);
		jw_end_object(ctx->jw);
	} else {
		printf("%s.key %s.pub kid %s\n", prefix, prefix, kid);
	}
	return 0;
}
