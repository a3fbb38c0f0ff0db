// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * cmd-revert.c - klp-bundle revert: options and output.  The transaction,
 * with --to-previous, is engine/revert.c.
 */
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>

#include "cmd/cmd.h"
#include "engine/revert.h"

static const char revert_usage[] =
	"usage: klp-bundle revert [options] [NAME]\n\n"
	"Disable bundle NAME (a bundle or module name; default: the only active\n"
	"bundle) in one transition and unload it.\n\n"
	"options:\n"
	"  -P, --to-previous    re-apply the bundle NAME replaced instead (kept in\n"
	"                       the state directory), in one replace transition\n"
	"      --allow-unpatched-rollback\n"
	"                       with --to-previous: when the kernel cannot replace\n"
	"                       NAME by the previous bundle in one transition (NAME\n"
	"                       carries a klp_state it lacks), disable NAME first;\n"
	"                       without it that is refused (8)\n"
	"  -t, --timeout SEC    the transition's limit (default 60); past it the\n"
	"                       transition is reversed and NAME stays active\n"
	"  -w, --wait           wait for the lock instead of failing\n"
	"      --state-dir DIR  the state directory\n"
	"  -h, --help           this text\n";

static void report(struct klpb_ctx *ctx, const struct eng_reverted *r)
{
	struct json_writer *jw = ctx->jw;

	if (!ctx->json) {
		printf("reverted: bundle '%s' version %" PRIu64 " (module '%s')%s%s\n", r->name,
		       r->version, r->module, r->restored[0] ? "; restored " : "", r->restored);
		return;
	}
	jw_start_object(jw);
	jw_string_field(jw, "result", "reverted");
	jw_string_field(jw, "name", r->name);
	jw_uint_field(jw, "version", r->version);
	jw_string_field(jw, "module", r->module);
	if (r->restored[0])
		jw_string_field(jw, "restored", r->restored);
	else
		jw_null_field(jw, "restored");
	jw_end_object(jw);
}

int cmd_revert(struct klpb_ctx *ctx, int argc, char **argv)
{
	static const struct option opts[] = { { "to-previous", no_argument, NULL, 'P' },
					      { "allow-unpatched-rollback", no_argument, NULL,
						'U' },
					      { "help", no_argument, NULL, 'h' },
					      ENG_LONG_OPTS,
					      {} };
	struct eng_reverted r;
	bool to_previous = false;
	struct engine e;
	int c, rc;

	eng_init(&e, ctx);
	while ((c = getopt_long(argc, argv, "Pt:wh", opts, NULL)) != -1) {
		switch (c) {
		case 'P':
			to_previous = true;
			break;
		case 'U':
			e.allow_unpatched_rollback = true;
			break;
		case 'h':
			fputs(revert_usage, stdout);
			return 0;
		default:
			rc = eng_option(&e, c, optarg);
			if (rc < 0)
				return rc;
			if (rc == 0)
				return usage_err(ctx, "revert: bad option");
		}
	}
	if (argc - optind > 1)
		return usage_err(ctx, "revert takes at most one NAME");
	rc = eng_begin(&e);
	if (rc < 0)
		return rc;
	rc = eng_revert(&e, optind < argc ? argv[optind] : NULL, to_previous, &r);
	if (rc == 0)
		report(ctx, &r);
	eng_end(&e);
	return rc;
}
