// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * cmd-revert.c - klp-bundle revert: options and output.  The transaction,
 * with --to-previous, is engine/revert.c.
 */
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

#include "cmd/cmd.h"
#include "engine/revert.h"

static const char revert_usage[] =
	"usage: klp-bundle revert [options] [NAME]\n\n"
	"Disable bundle NAME (a bundle or module name; default: the only active\n"
	"bundle) in one transition and unload it.  While an active bundle requires\n"
	"NAME (its requires name NAME and the active version is in their range),\n"
	"the revert is refused (exit status 8) and names the dependents.\n\n"
	"options:\n"
	"  -P, --to-previous    re-apply the bundle NAME replaced instead (kept in\n"
	"                       the state directory), in one replace transition;\n"
	"                       refused (8) when that version is outside an active\n"
	"                       dependent's range\n"
	"      --allow-unpatched-rollback\n"
	"                       with --to-previous: when the kernel cannot replace\n"
	"                       NAME by the previous bundle in one transition (NAME\n"
	"                       carries a klp_state it lacks), disable NAME first;\n"
	"                       without it that is refused (8)\n"
	"  -D, --with-dependents\n"
	"                       revert every active bundle that requires NAME first\n"
	"                       (transitively, dependents before what they require),\n"
	"                       then NAME, each as its own transaction; stops at the\n"
	"                       first failure, what was reverted stays reverted\n"
	"  -t, --timeout SEC    the transition's limit (default 60); past it the\n"
	"                       transition is reversed and NAME stays active\n"
	"  -w, --wait           wait for the lock instead of failing\n"
	"      --state-dir DIR  the state directory\n"
	"  -h, --help           this text\n";

static void print_plain(const struct eng_reverted *r)
{
	printf("reverted: bundle '%s' version %" PRIu64 " (module '%s')%s%s\n", r->name, r->version,
	       r->module, r->restored[0] ? "; restored " : "", r->restored);
}

static void reverted_fields(struct json_writer *jw, const struct eng_reverted *r)
{
	jw_string_field(jw, "name", r->name);
	jw_uint_field(jw, "version", r->version);
	jw_string_field(jw, "module", r->module);
	if (r->restored[0])
		jw_string_field(jw, "restored", r->restored);
	else
		jw_null_field(jw, "restored");
}

static void report(struct klpb_ctx *ctx, const struct eng_reverted *r)
{
	if (!ctx->json) {
		print_plain(r);
		return;
	}
	jw_start_object(ctx->jw);
	jw_string_field(ctx->jw, "result", "reverted");
	reverted_fields(ctx->jw, r);
	jw_end_object(ctx->jw);
}

static void one_reverted(struct json_writer *jw, const void *item)
{
	reverted_fields(jw, item);
}

/* --with-dependents: every bundle reverted, in order, and the failure if any. */
static void report_all(struct klpb_ctx *ctx, const struct eng_reverted *r, size_t n, int rc)
{
	if (!ctx->json) {
		for (size_t i = 0; i < n; i++)
			print_plain(&r[i]);
		return;
	}
	ctx->doc_has_error = true;
	jw_start_object(ctx->jw);
	jw_string_field(ctx->jw, "result", rc < 0 ? "failed" : "reverted");
	jw_object_array_field(ctx->jw, "reverted", r, n, sizeof(*r), one_reverted);
	jw_name(ctx->jw, "error");
	if (rc < 0)
		p_json_error(ctx, rc);
	else
		jw_null(ctx->jw);
	jw_end_object(ctx->jw);
}

static int revert_all(struct engine *e, const char *name)
{
	struct eng_reverted *r;
	size_t n;
	int rc = eng_revert_with_dependents(e, name, &r, &n);

	report_all(e->ctx, r, n, rc);
	free(r);
	return rc;
}

int cmd_revert(struct klpb_ctx *ctx, int argc, char **argv)
{
	static const struct option opts[] = { { "to-previous", no_argument, NULL, 'P' },
					      { "with-dependents", no_argument, NULL, 'D' },
					      { "allow-unpatched-rollback", no_argument, NULL,
						'U' },
					      { "help", no_argument, NULL, 'h' },
					      ENG_LONG_OPTS,
					      {} };
	struct eng_reverted r;
	bool to_previous = false, with_dependents = false;
	struct engine e;
	int c, rc;

	eng_init(&e, ctx);
	while ((c = getopt_long(argc, argv, "PDt:wh", opts, NULL)) != -1) {
		switch (c) {
		case 'P':
			to_previous = true;
			break;
		case 'D':
			with_dependents = true;
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
	if (to_previous && with_dependents)
		return usage_err(ctx,
				 "revert: --to-previous and --with-dependents do not go together");
	rc = eng_begin(&e);
	if (rc < 0)
		return rc;
	if (with_dependents) {
		rc = revert_all(&e, optind < argc ? argv[optind] : NULL);
	} else {
		rc = eng_revert(&e, optind < argc ? argv[optind] : NULL, to_previous, &r);
		if (rc == 0)
			report(ctx, &r);
	}
	eng_end(&e);
	return rc;
}
