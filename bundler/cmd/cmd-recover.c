// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * cmd-recover.c - klp-bundle recover: options and output.  Recovery itself
 * is engine/recover.c; every command that changes something runs it first
 * (eng_begin()), so this command is only that.
 */
#include <getopt.h>
#include <stdio.h>

#include "cmd/cmd.h"
#include "engine/engine.h"

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

int cmd_recover(struct klpb_ctx *ctx, int argc, char **argv)
{
	static const struct option opts[] = { { "help", no_argument, NULL, 'h' },
					      ENG_LONG_OPTS,
					      {} };
	struct engine e;
	int c, rc;

	eng_init(&e, ctx);
	while ((c = getopt_long(argc, argv, "wh", opts, NULL)) != -1) {
		if (c == 'h') {
			fputs(recover_usage, stdout);
			return 0;
		}
		rc = c == 't' ? 0 : eng_option(&e, c, optarg);
		if (rc < 0)
			return rc;
		if (rc == 0)
			return usage_err(ctx, "%s: bad option", argv[0]);
	}
	if (optind != argc)
		return usage_err(ctx, "recover takes no arguments");
	rc = eng_begin(&e);
	if (rc < 0)
		return rc;
	if (ctx->json) {
		jw_start_object(ctx->jw);
		jw_bool_field(ctx->jw, "recovered", e.recovered);
		jw_end_object(ctx->jw);
	} else {
		printf("%s\n",
		       e.recovered ? "recovered an interrupted transaction" : "nothing to recover");
	}
	eng_end(&e);
	return 0;
}
