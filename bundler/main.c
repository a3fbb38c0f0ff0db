// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * main.c - klp-bundle: global options, the command table, and the one
 * use of the mapping from a command's negative errno to the exit status
 * (klpb_exit_status(), common/output.c).
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/cmd.h"

static int cmd_help(struct klpb_ctx *ctx, int argc, char **argv);

static const struct klpb_cmd commands[] = {
	{ "help", cmd_help, "show this help" },
	{ "version", cmd_version, "print the version" },
	{ "create", cmd_create, "build a bundle from patch sources" },
	{ "extract", cmd_extract, "write out a bundle's module or sources" },
	{ "inspect", cmd_inspect, "show what a bundle contains" },
	{ "verify", cmd_verify, "check a bundle's structure, digests and signatures" },
	{ "keygen", cmd_keygen, "create an Ed25519 signing key pair" },
	{ "sign", cmd_sign, "add a signature to a bundle" },
	{ "apply", cmd_apply, "apply a bundle to the running kernel (one transaction)" },
	{ "revert", cmd_revert, "disable and unload an active bundle" },
	{ "status", cmd_status, "show the active bundles, per object, and transitions" },
	{ "install", cmd_install, "keep a bundle to apply at boot" },
	{ "uninstall", cmd_uninstall, "forget an installed bundle" },
	{ "recover", cmd_recover, "finish or undo an interrupted apply or revert" },
};

static const char exit_help[] =
	"exit status:\n"
	"  0  success\n"
	"  1  failure\n"
	"  2  usage error\n"
	"  3  malformed bundle, a limit exceeded, or unsupported format version\n"
	"  4  a payload digest does not match the manifest\n"
	"  5  a signature does not verify\n"
	"  6  no signature by a trusted key\n"
	"  7  rolled back: the transition stalled or the health check failed; the\n"
	"     previous state is active\n"
	"  8  incompatible: wrong kernel or module build, requires/conflicts, a\n"
	"     downgrade, or the kernel would refuse it (signature enforcement, no\n"
	"     livepatch, ftrace disabled)\n"
	"  9  busy: another klp-bundle command holds the lock, or a live patch\n"
	"     transition is in progress\n";

static void print_help(FILE *f)
{
	fputs("usage: klp-bundle [-v] [-j|-p] COMMAND [ARGS...]\n\n"
	      "Build, ship and apply Linux kernel live patches as one transaction.\n\n"
	      "global options:\n"
	      "  -v, --verbose   more messages (repeatable)\n"
	      "  -j, --json      print one JSON document on stdout, errors included\n"
	      "  -p, --pretty    like --json, indented\n"
	      "  -h, --help      this text\n"
	      "  -V, --version   print the version\n\n"
	      "commands:\n",
	      f);
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(f, "  %-10s %s\n", commands[i].name, commands[i].summary);
	fputs("\n'klp-bundle COMMAND --help' describes a command.\n\n", f);
	fputs(exit_help, f);
}

static int cmd_help(struct klpb_ctx *ctx, int argc, char **argv)
{
	(void)argv;
	if (argc > 1)
		return usage_err(ctx, "'help' takes no arguments");
	if (ctx->json) {
		jw_start_array(ctx->jw);
		for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
			jw_start_object(ctx->jw);
			jw_string_field(ctx->jw, "command", commands[i].name);
			jw_string_field(ctx->jw, "summary", commands[i].summary);
			jw_end_object(ctx->jw);
		}
		jw_end_array(ctx->jw);
		return 0;
	}
	print_help(stdout);
	return 0;
}

int cmd_version(struct klpb_ctx *ctx, int argc, char **argv)
{
	(void)argv;
	if (argc > 1)
		return usage_err(ctx, "'version' takes no arguments");
	if (ctx->json) {
		jw_start_object(ctx->jw);
		jw_string_field(ctx->jw, "version", KLPB_VERSION);
		jw_end_object(ctx->jw);
	} else {
		printf("klp-bundle %s\n", KLPB_VERSION);
	}
	return 0;
}

static const struct klpb_cmd *find_command(const char *name)
{
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (strcmp(commands[i].name, name) == 0)
			return &commands[i];
	return NULL;
}

static void print_json_error(struct klpb_ctx *ctx, int rc)
{
	ctx->jw = jw_new(stdout, ctx->pretty);
	if (!ctx->jw)
		return;
	jw_start_object(ctx->jw);
	jw_name(ctx->jw, "error");
	p_json_error(ctx, rc);
	jw_end_object(ctx->jw);
	jw_free(ctx->jw);
	ctx->jw = NULL;
}

/*
 * Run @cmd.  In JSON mode the document is written to memory and printed only
 * on success; a failure prints the error object instead, so stdout always
 * holds exactly one valid document.
 */
static int run_command(struct klpb_ctx *ctx, const struct klpb_cmd *cmd, int argc, char **argv)
{
	char *doc = NULL;
	size_t doc_len = 0;
	FILE *mem = NULL;
	int rc;

	if (ctx->json) {
		mem = open_memstream(&doc, &doc_len);
		if (!mem)
			return -errno;
		ctx->jw = jw_new(mem, ctx->pretty);
		if (!ctx->jw) {
			fclose(mem);
			free(doc);
			return -ENOMEM;
		}
	}
	optind = 0;
	rc = cmd->fn(ctx, argc, argv);
	if (!ctx->json)
		return rc;

	jw_free(ctx->jw);
	ctx->jw = NULL;
	fclose(mem);
	if (rc >= 0 && doc_len <= 1)
		fputs("null\n", stdout);
	else if (rc >= 0 || (ctx->doc_has_error && doc_len > 1))
		fwrite(doc, 1, doc_len, stdout);
	else
		ctx->doc_has_error = false;
	free(doc);
	return rc;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "verbose", no_argument, NULL, 'v' }, { "json", no_argument, NULL, 'j' },
		{ "pretty", no_argument, NULL, 'p' },  { "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' }, {}
	};
	struct klpb_ctx ctx = {};
	const struct klpb_cmd *cmd;
	int c, rc;

	while ((c = getopt_long(argc, argv, "+vjphV", opts, NULL)) != -1) {
		switch (c) {
		case 'v':
			ctx.verbose++;
			break;
		case 'p':
			ctx.pretty = true;
			/* fall through */
		case 'j':
			ctx.json = true;
			break;
		case 'h':
			print_help(stdout);
			return 0;
		case 'V':
			printf("klp-bundle %s\n", KLPB_VERSION);
			return 0;
		default:
			print_help(stderr);
			return 2;
		}
	}
	if (optind >= argc) {
		rc = usage_err(&ctx, "no command given");
	} else if (!(cmd = find_command(argv[optind]))) {
		rc = usage_err(&ctx, "unknown command '%s'", argv[optind]);
	} else {
		rc = run_command(&ctx, cmd, argc - optind, argv + optind);
	}
	if (rc < 0 && !ctx.reported) /* e.g. ENOMEM, which the layers return unreported */
		p_err(&ctx, rc, "%s", strerror(-rc));
	if (rc < 0 && ctx.json && !ctx.doc_has_error)
		print_json_error(&ctx, rc);
	free(ctx.err_msg);
	for (int i = 0; i < ctx.n_err_kernel; i++)
		free(ctx.err_kernel[i]);
	free(ctx.err_kernel);
	if (fflush(stdout) != 0 && rc >= 0) {
		fprintf(stderr, "klp-bundle: error: cannot write output: %s\n", strerror(errno));
		return 1;
	}
	return klpb_exit_status(&ctx, rc);
}
