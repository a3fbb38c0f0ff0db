// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * cmd-install.c - klp-bundle install / uninstall: options and output.
 * Installed bundles (kept in the state directory for 'apply --installed'
 * at boot, contrib/klp-bundle.service) are engine/install.c.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

#include "cmd/cmd.h"
#include "engine/install.h"

static const char install_usage[] =
	"usage: klp-bundle install [options] FILE\n\n"
	"Verify FILE (signatures as for apply) and keep it in the state directory;\n"
	"'klp-bundle apply --installed' (the klp-bundle.service unit) applies it at\n"
	"boot.  A bundle of the same name is replaced; a lower version is refused.\n"
	"It is not applied now: run 'klp-bundle apply FILE' for that.\n\n"
	"options:\n"
	"  -k, --key PUB        trust this public key (PEM)\n"
	"  -K, --keyring DIR    trust every DIR/*.pub\n"
	"  -w, --wait           wait for the lock instead of failing\n"
	"      --state-dir DIR  the state directory\n"
	"  -h, --help           this text\n";

static const char uninstall_usage[] =
	"usage: klp-bundle uninstall [options] NAME\n\n"
	"Forget the installed bundle NAME: it is no longer applied at boot.  An\n"
	"active bundle stays active ('klp-bundle revert NAME' disables it).\n\n"
	"options:\n"
	"  -w, --wait           wait for the lock instead of failing\n"
	"      --state-dir DIR  the state directory\n"
	"  -h, --help           this text\n";

/* Parse the options of these small commands; returns optind or a negative errno. */
static int parse(struct engine *e, int argc, char **argv, const char *usage, const char **key,
		 const char **keyring)
{
	static const struct option opts[] = { { "key", required_argument, NULL, 'k' },
					      { "keyring", required_argument, NULL, 'K' },
					      { "help", no_argument, NULL, 'h' },
					      ENG_LONG_OPTS,
					      {} };
	int c, rc;

	while ((c = getopt_long(argc, argv, key ? "k:K:wh" : "wh", opts, NULL)) != -1) {
		if (c == 'h') {
			fputs(usage, stdout);
			return -EALREADY;
		}
		if (key && c == 'k') {
			*key = optarg;
			continue;
		}
		if (key && c == 'K') {
			*keyring = optarg;
			continue;
		}
		rc = c == 't' ? 0 : eng_option(e, c, optarg);
		if (rc < 0)
			return rc;
		if (rc == 0)
			return usage_err(e->ctx, "%s: bad option", argv[0]);
	}
	return optind;
}

static void report_installed(struct klpb_ctx *ctx, const struct eng_installed *in)
{
	if (!ctx->json) {
		printf("installed: bundle '%s' version %" PRIu64 " (%s); applied at boot\n",
		       in->name, in->version, in->path);
		return;
	}
	jw_start_object(ctx->jw);
	jw_string_field(ctx->jw, "result", "installed");
	jw_string_field(ctx->jw, "name", in->name);
	jw_uint_field(ctx->jw, "version", in->version);
	jw_string_field(ctx->jw, "path", in->path);
	jw_end_object(ctx->jw);
}

static void report_uninstalled(struct klpb_ctx *ctx, const char *name)
{
	if (!ctx->json) {
		printf("uninstalled: bundle '%s'\n", name);
		return;
	}
	jw_start_object(ctx->jw);
	jw_string_field(ctx->jw, "result", "uninstalled");
	jw_string_field(ctx->jw, "name", name);
	jw_end_object(ctx->jw);
}

int cmd_install(struct klpb_ctx *ctx, int argc, char **argv)
{
	const char *key = NULL, *keyring = NULL;
	struct eng_installed in;
	struct engine e;
	int i, rc;

	eng_init(&e, ctx);
	i = parse(&e, argc, argv, install_usage, &key, &keyring);
	if (i < 0)
		return i == -EALREADY ? 0 : i;
	if (i + 1 != argc)
		return usage_err(ctx, "install takes one FILE");
	rc = eng_begin(&e);
	if (rc < 0)
		return rc;
	rc = eng_install(&e, argv[i], key, keyring, &in);
	if (rc == 0)
		report_installed(ctx, &in);
	free(in.path);
	eng_end(&e);
	return rc;
}

int cmd_uninstall(struct klpb_ctx *ctx, int argc, char **argv)
{
	struct engine e;
	int i, rc;

	eng_init(&e, ctx);
	i = parse(&e, argc, argv, uninstall_usage, NULL, NULL);
	if (i < 0)
		return i == -EALREADY ? 0 : i;
	if (i + 1 != argc)
		return usage_err(ctx, "uninstall takes one NAME");
	if (!eng_installed_name_ok(argv[i]))
		return usage_err(ctx, "invalid bundle name '%s'", argv[i]);
	rc = eng_begin(&e);
	if (rc < 0)
		return rc;
	rc = eng_uninstall(&e, argv[i]);
	if (rc == 0)
		report_uninstalled(ctx, argv[i]);
	eng_end(&e);
	return rc;
}
