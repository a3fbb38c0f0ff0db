// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * cmd-install.c - klp-bundle install / uninstall / recover: bundles kept in
 * the state directory for 'apply --installed' at boot (contrib/
 * klp-bundle.service), and recovery of an interrupted transaction.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd/cmd.h"
#include "common/bundle-io.h"
#include "engine/engine.h"
#include "sys/kernel-info.h"

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

static const char recover_usage[] =
	"usage: klp-bundle recover [options]\n\n"
	"Finish or undo a transaction that was interrupted (killed, power cut),\n"
	"from the journal: afterwards either the new bundle is fully active and\n"
	"recorded, or the old state is back.  Every other command that changes\n"
	"something does this first.\n\n"
	"options:\n"
	"  -w, --wait           wait for the lock instead of failing\n"
	"      --state-dir DIR  the state directory\n"
	"  -h, --help           this text\n";

/* Parse the options of these small commands; returns optind or a negative errno. */
static int parse(struct engine *e, int argc, char **argv, const char *usage, const char **key,
		 const char **keyring)
{
	static const struct option opts[] = {
		{ "key", required_argument, NULL, 'k' },
		{ "keyring", required_argument, NULL, 'K' },
		{ "help", no_argument, NULL, 'h' },
		ENG_LONG_OPTS,
		{}
	};
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
		rc = eng_option(e, c == 'w' ? ENG_OPT_WAIT : c, optarg);
		if (rc < 0)
			return rc;
		if (rc == 0 || c == ENG_OPT_TIMEOUT)
			return usage_err(e->ctx, "%s: bad option", argv[0]);
	}
	return optind;
}

static int installed_path(char *buf, size_t size, const char *name)
{
	char dir[SD_PATH_MAX + 32];

	if (!*name || strchr(name, '/') || name[0] == '.')
		return -EINVAL;
	snprintf(buf, size, "%s/%s.klpb", sd_path(dir, sizeof(dir), "installed"), name);
	return 0;
}

static int check_not_older(struct engine *e, const char *path, const struct klpb_core *c)
{
	struct klpb_bundle *old = NULL;
	uint8_t *data = NULL;
	size_t len;
	int rc = 0;

	if (read_file(path, &data, &len) == 0 && klpb_bundle_load(data, len, &old, NULL) == 0 &&
	    old->core.version > c->version) {
		p_err(e->ctx, -EOPNOTSUPP, "'%s' version %" PRIu64 " is installed; version %" PRIu64
		      " would be a downgrade (uninstall it first)", c->name, old->core.version,
		      c->version);
		rc = -EOPNOTSUPP;
	}
	klpb_bundle_free(old);
	free(data);
	return rc;
}

static int install(struct engine *e, const char *file, const char *key, const char *keyring)
{
	char path[SD_PATH_MAX + 128];
	struct klpb_bundle *b = NULL;
	uint8_t *data = NULL;
	size_t len = 0;
	int rc = eng_verify_file(e->ctx, file, key, keyring, &data, &len, &b);

	if (rc == 0)
		rc = installed_path(path, sizeof(path), b->core.name);
	if (rc == 0)
		rc = check_not_older(e, path, &b->core);
	if (rc == 0) {
		rc = write_file_atomic(path, data, len, 0600, false);
		if (rc < 0)
			p_err(e->ctx, rc, "cannot write '%s': %s", path, strerror(-rc));
	}
	if (rc == 0) {
		eng_audit(e, "installed bundle '%s' version %" PRIu64, b->core.name, b->core.version);
		if (e->ctx->json) {
			jw_start_object(e->ctx->jw);
			jw_string_field(e->ctx->jw, "result", "installed");
			jw_string_field(e->ctx->jw, "name", b->core.name);
			jw_uint_field(e->ctx->jw, "version", b->core.version);
			jw_string_field(e->ctx->jw, "path", path);
			jw_end_object(e->ctx->jw);
		} else {
			printf("installed: bundle '%s' version %" PRIu64 " (%s); applied at boot\n",
			       b->core.name, b->core.version, path);
		}
	}
	klpb_bundle_free(b);
	free(data);
	return rc;
}

int cmd_install(struct klpb_ctx *ctx, int argc, char **argv)
{
	const char *key = NULL, *keyring = NULL;
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
	rc = install(&e, argv[i], key, keyring);
	eng_end(&e);
	return rc;
}

int cmd_uninstall(struct klpb_ctx *ctx, int argc, char **argv)
{
	char path[SD_PATH_MAX + 128];
	struct engine e;
	int i, rc;

	eng_init(&e, ctx);
	i = parse(&e, argc, argv, uninstall_usage, NULL, NULL);
	if (i < 0)
		return i == -EALREADY ? 0 : i;
	if (i + 1 != argc)
		return usage_err(ctx, "uninstall takes one NAME");
	if (installed_path(path, sizeof(path), argv[i]) < 0)
		return usage_err(ctx, "invalid bundle name '%s'", argv[i]);
	rc = eng_begin(&e);
	if (rc < 0)
		return rc;
	if (unlink(path) < 0) {
		rc = -errno;
		if (rc == -ENOENT)
			p_err(ctx, rc, "no bundle '%s' is installed", argv[i]);
		else
			p_err(ctx, rc, "cannot remove '%s': %s", path, strerror(-rc));
	} else {
		eng_audit(&e, "uninstalled bundle '%s'", argv[i]);
		if (ctx->json) {
			jw_start_object(ctx->jw);
			jw_string_field(ctx->jw, "result", "uninstalled");
			jw_string_field(ctx->jw, "name", argv[i]);
			jw_end_object(ctx->jw);
		} else {
			printf("uninstalled: bundle '%s'\n", argv[i]);
		}
	}
	eng_end(&e);
	return rc;
}

int cmd_recover(struct klpb_ctx *ctx, int argc, char **argv)
{
	struct engine e;
	int i, rc;

	eng_init(&e, ctx);
	i = parse(&e, argc, argv, recover_usage, NULL, NULL);
	if (i < 0)
		return i == -EALREADY ? 0 : i;
	if (i != argc)
		return usage_err(ctx, "recover takes no arguments");
	rc = eng_begin(&e);
	if (rc < 0)
		return rc;
	if (ctx->json) {
		jw_start_object(ctx->jw);
		jw_bool_field(ctx->jw, "recovered", e.recovered);
		jw_end_object(ctx->jw);
	} else {
		printf("%s\n", e.recovered ? "recovered an interrupted transaction" :
		       "nothing to recover");
	}
	eng_end(&e);
	return 0;
}
