// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * cmd-apply.c - klp-bundle apply: options and output.  The transaction,
 * its steps and its rollback are engine/apply.c.
 */
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

#include "cmd/cmd.h"
#include "engine/apply.h"
#include "engine/install.h"

static const char apply_usage[] =
	"usage: klp-bundle apply [options] FILE\n"
	"       klp-bundle apply [options] --installed\n\n"
	"Apply a bundle to the running kernel as one transaction: verify it,\n"
	"check it was built for this kernel and its loaded modules, check the\n"
	"kernel can take it, load it, wait for the transition, run the health\n"
	"check, then remove the bundles it replaced.  Any failure leaves the\n"
	"system as it was.\n\n"
	"options:\n"
	"  -n, --dry-run        check everything (steps 1-5), change nothing, say\n"
	"                       what would happen\n"
	"  -c, --check CMD      a health check run with /bin/sh -c after the\n"
	"                       transition; failing, the previous state is restored\n"
	"  -t, --timeout SEC    the transition's limit (default 60); past it the\n"
	"                       transition is reversed and the bundle unloaded\n"
	"  -w, --wait           wait for the lock instead of failing\n"
	"  -k, --key PUB        trust this public key (PEM); a signature is required\n"
	"  -K, --keyring DIR    trust every DIR/*.pub (default: $KLPB_KEYS_DIR or\n"
	"                       /etc/klp-bundle/keys; signatures are required when\n"
	"                       it holds keys)\n"
	"      --allow-unpatched-rollback\n"
	"                       let a --check that fails roll back by disabling the\n"
	"                       bundle before the one it replaced is loaded again,\n"
	"                       when the kernel cannot do it in one transition (a\n"
	"                       klp_state the older bundle lacks); without it such a\n"
	"                       --check is refused (8)\n"
	"      --installed      apply every installed bundle that has a target for\n"
	"                       this kernel (at boot; skipped with\n"
	"                       klp_bundle.disable=1 on the kernel command line),\n"
	"                       each after the bundles it requires (ties by name);\n"
	"                       one that misses a dependency or is on a cycle is not\n"
	"                       applied (8), the others are; every bundle's result\n"
	"                       is reported, the exit status is the first failure's\n"
	"      --state-dir DIR  the state directory (default $KLPB_STATE_DIR or\n"
	"                       /var/lib/klp-bundle)\n"
	"  -h, --help           this text\n\n"
	"Dependencies (create --requires, --conflicts) are checked against the\n"
	"active bundles, refused with exit status 8: a requires entry no active\n"
	"bundle satisfies; a conflicts entry, the bundle's or an active bundle's,\n"
	"naming the other; a successor (same lineage, cumulative) whose version an\n"
	"active dependent's requires range no longer takes.\n\n"
	"exit status: 0 applied (or already active), 7 rolled back, 8 incompatible,\n"
	"9 busy; see 'klp-bundle help'\n";

static void report_plain(const struct eng_apply *a, const char *result, bool dry_run)
{
	printf("%s: bundle '%s' version %" PRIu64 " as module '%s' for %s\n", result,
	       a->b->core.name, a->b->core.version, a->module, a->release);
	printf("  object %-24s %s\n", "vmlinux", a->vmlinux_state);
	for (size_t i = 0; i < a->t->n_objects; i++)
		printf("  object %-24s %s\n", a->t->objects[i].name, a->obj_state[i]);
	for (int i = 0; i < a->n_prev; i++)
		printf("  %s %s\n", dry_run ? "would replace" : "replaced", a->prev[i]);
	if (!a->atomic_rollback)
		printf("  rollback cannot be one transition: it would disable '%s' first\n",
		       a->module);
}

static void object_json(struct json_writer *jw, const char *name, const char *state)
{
	jw_start_object(jw);
	jw_string_field(jw, "name", name);
	jw_string_field(jw, "state", state);
	jw_end_object(jw);
}

static void report_json(struct json_writer *jw, const struct eng_apply *a, const char *result)
{
	jw_start_object(jw);
	jw_string_field(jw, "result", result);
	jw_string_field(jw, "file", a->file);
	jw_string_field(jw, "name", a->b->core.name);
	jw_uint_field(jw, "version", a->b->core.version);
	jw_string_field(jw, "module", a->module);
	jw_string_field(jw, "kernel_release", a->release);
	jw_name(jw, "objects");
	jw_start_array(jw);
	object_json(jw, "vmlinux", a->vmlinux_state);
	for (size_t i = 0; i < a->t->n_objects; i++)
		object_json(jw, a->t->objects[i].name, a->obj_state[i]);
	jw_end_array(jw);
	jw_name(jw, "replaces");
	jw_start_array(jw);
	for (int i = 0; i < a->n_prev; i++)
		jw_string(jw, a->prev[i]);
	jw_end_array(jw);
	jw_bool_field(jw, "atomic_rollback", a->atomic_rollback);
	jw_end_object(jw);
}

static void report(struct eng_apply *a, const char *result, bool dry_run)
{
	if (!dry_run)
		eng_apply_states(a);
	if (a->e->ctx->json)
		report_json(a->e->ctx->jw, a, result);
	else
		report_plain(a, result, dry_run);
}

/* Steps 3 to 9 for one file, with the lock held. */
static int apply_one(struct eng_apply *a, const char *file, bool dry_run)
{
	int rc = eng_apply_check(a, file);

	if (rc == 0 && a->already)
		report(a, "already active", dry_run);
	else if (rc == 0 && dry_run)
		report(a, "would apply", dry_run);
	else if (rc == 0 && (rc = eng_apply_commit(a)) == 0)
		report(a, "applied", dry_run);
	eng_apply_free(a);
	return rc;
}

/* apply --installed: one that fails or is not applied, in the document too. */
static void report_failed(struct eng_apply *a, const struct eng_boot *b, int rc)
{
	struct klpb_ctx *ctx = a->e->ctx;

	if (!ctx->json) {
		printf("failed: bundle '%s' version %" PRIu64 " (%s)\n", b->b->core.name,
		       b->b->core.version, b->path);
		return;
	}
	jw_start_object(ctx->jw);
	jw_string_field(ctx->jw, "result", "failed");
	jw_string_field(ctx->jw, "file", b->path);
	jw_string_field(ctx->jw, "name", b->b->core.name);
	jw_uint_field(ctx->jw, "version", b->b->core.version);
	jw_name(ctx->jw, "error");
	p_json_error(ctx, rc);
	jw_end_object(ctx->jw);
}

static int apply_installed(struct eng_apply *a, bool dry_run)
{
	struct klpb_ctx *ctx = a->e->ctx;
	struct eng_boot *plan;
	int n, rc, first = 0;

	if (eng_installed_disabled()) {
		p_info(ctx, "klp-bundle: klp_bundle.disable=1 is on the kernel command line: "
			    "nothing applied");
		if (ctx->json)
			jw_null(ctx->jw);
		return 0;
	}
	n = eng_installed_plan(a->e, &plan);
	if (n < 0)
		return n;
	ctx->doc_has_error = true;
	if (ctx->json)
		jw_start_array(ctx->jw);
	for (int i = 0; i < n; i++) {
		if (plan[i].place == DEP_ORDERED)
			rc = apply_one(a, plan[i].path, dry_run);
		else
			rc = eng_boot_refuse(a->e, plan, n, i);
		if (rc < 0)
			report_failed(a, &plan[i], rc);
		if (rc < 0 && !first)
			first = rc;
	}
	eng_boot_free(plan, n);
	if (ctx->json)
		jw_end_array(ctx->jw);
	return first;
}

int cmd_apply(struct klpb_ctx *ctx, int argc, char **argv)
{
	static const struct option opts[] = { { "dry-run", no_argument, NULL, 'n' },
					      { "check", required_argument, NULL, 'c' },
					      { "key", required_argument, NULL, 'k' },
					      { "keyring", required_argument, NULL, 'K' },
					      { "installed", no_argument, NULL, 'I' },
					      { "allow-unpatched-rollback", no_argument, NULL,
						'U' },
					      { "help", no_argument, NULL, 'h' },
					      ENG_LONG_OPTS,
					      {} };
	struct engine e;
	struct eng_apply a = { .e = &e };
	bool installed = false, dry_run = false;
	int c, rc;

	eng_init(&e, ctx);
	while ((c = getopt_long(argc, argv, "nc:k:K:t:wh", opts, NULL)) != -1) {
		switch (c) {
		case 'n':
			dry_run = true;
			break;
		case 'c':
			a.check = optarg;
			break;
		case 'k':
			a.key = optarg;
			break;
		case 'K':
			a.keyring = optarg;
			break;
		case 'I':
			installed = true;
			break;
		case 'U':
			e.allow_unpatched_rollback = true;
			break;
		case 'h':
			fputs(apply_usage, stdout);
			return 0;
		default:
			rc = eng_option(&e, c, optarg);
			if (rc < 0)
				return rc;
			if (rc == 0)
				return usage_err(ctx, "apply: bad option");
		}
	}
	if (installed ? optind != argc : optind + 1 != argc)
		return usage_err(ctx, "apply takes one FILE, or --installed");
	rc = eng_begin(&e);
	if (rc < 0)
		return rc;
	rc = installed ? apply_installed(&a, dry_run) : apply_one(&a, argv[optind], dry_run);
	eng_end(&e);
	return rc;
}
