// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * cmd-revert.c - klp-bundle revert: disable a whole bundle in one
 * transition (every object at once) and unload it, or with --to-previous
 * put back the bundle it replaced.  A stalled unpatching transition is
 * reversed: the bundle stays active (exit 7).
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cmd/cmd.h"
#include "engine/engine.h"
#include "sys/livepatch.h"
#include "sys/loader.h"

static const char revert_usage[] =
	"usage: klp-bundle revert [options] [NAME]\n\n"
	"Disable bundle NAME (a bundle or module name; default: the only active\n"
	"bundle) in one transition and unload it.\n\n"
	"options:\n"
	"  -P, --to-previous    re-apply the bundle NAME replaced instead (kept in\n"
	"                       the state directory)\n"
	"  -t, --timeout SEC    the transition's limit (default 60); past it the\n"
	"                       transition is reversed and NAME stays active\n"
	"  -w, --wait           wait for the lock instead of failing\n"
	"      --state-dir DIR  the state directory\n"
	"  -h, --help           this text\n";

static int find_active(struct klpb_ctx *ctx, const char *name, struct lp_bundle *out)
{
	struct lp_bundle *bs;
	int n = lp_bundles(&bs), found = 0;

	for (int i = 0; i < n; i++) {
		if (!lp_bundle_active(&bs[i]))
			continue;
		if (name && strcmp(bs[i].name, name) != 0 && strcmp(bs[i].module, name) != 0)
			continue;
		if (found++ == 0) {
			*out = bs[i];
			out->core = NULL;	/* not kept */
			out->manifest = NULL;
			out->objects = NULL;
			out->n_objects = 0;
		}
	}
	lp_bundles_free(bs, n > 0 ? n : 0);
	if (found == 1)
		return 0;
	if (found == 0 && name)
		p_err(ctx, -ENOENT, "no active bundle '%s'", name);
	else if (found == 0)
		p_err(ctx, -ENOENT, "no bundle is active");
	else
		return usage_err(ctx, "%d bundles are active%s: name one", found,
				 name ? " under that name" : "");
	return -ENOENT;
}

/* Disable @m; a stalled unpatching is reversed so @m stays active. */
static int disable_one(struct engine *e, const char *m)
{
	char rel[256];
	int rc;

	snprintf(rel, sizeof(rel), "/sys/kernel/livepatch/%s/enabled", m);
	rc = lp_write(rel, "0");
	if (rc < 0) {
		p_err(e->ctx, rc, "cannot disable '%s': %s", m, strerror(-rc));
		return rc;
	}
	eng_stop_at("revert-disabling");
	rc = eng_wait_transition(e, m, e->timeout_ms, true);
	if (rc == -ETIMEDOUT) {
		char stalled[256];

		snprintf(stalled, sizeof(stalled), "%s", eng_stalled());
		lp_write(rel, "1");	/* reverses the unpatching transition */
		eng_wait_transition(e, m, e->timeout_ms > 30000 ? e->timeout_ms : 30000, false);
		p_err(e->ctx, -ECANCELED, "disabling '%s' did not finish in %.1f s (stalled: %s); "
		      "the transition was reversed and '%s' stays active", m,
		      e->timeout_ms / 1000.0, stalled, m);
		return -ECANCELED;
	}
	return eng_remove(e, m);
}

static void record_restored(struct engine *e, const char *prev, const char *source)
{
	struct lp_bundle *bs;
	int n = lp_bundles(&bs);

	for (int i = 0; i < n; i++)
		if (strcmp(bs[i].module, prev) == 0 && bs[i].core)
			eng_record_apply(e, bs[i].core, prev, NULL, source);
	lp_bundles_free(bs, n > 0 ? n : 0);
}

static int revert(struct engine *e, const char *name, bool to_previous)
{
	struct lp_bundle b;
	struct record r;
	struct journal j = { .n_prev = 0 };
	int rc = find_active(e->ctx, name, &b);

	if (rc < 0)
		return rc;
	record_read(b.module, &r);	/* may be missing: then r is empty */
	if (to_previous && !r.previous[0]) {
		p_err(e->ctx, -ENOENT, "no previous bundle is recorded for '%s'", b.module);
		return -ENOENT;
	}
	snprintf(j.op, sizeof(j.op), "revert");
	snprintf(j.module, sizeof(j.module), "%s", b.module);
	if (to_previous)
		snprintf(j.prev[j.n_prev++], SD_NAME_MAX, "%s", r.previous);
	j.pid = getpid();
	j.started = time(NULL);
	rc = journal_step(&j, "begin");
	if (rc < 0) {
		p_err(e->ctx, rc, "cannot write the journal in '%s': %s", sd_dir(), strerror(-rc));
		return rc;
	}
	eng_stop_at("revert-begin");
	rc = to_previous ? eng_restore(e, b.module, r.previous) : disable_one(e, b.module);
	if (rc < 0) {
		journal_clear();
		return rc;
	}
	eng_stop_at("revert-removed");
	record_remove(b.module);
	if (to_previous)
		record_restored(e, r.previous, r.source);
	else if (r.previous[0])
		sd_gc_bundle(r.previous);
	sd_gc_bundle(b.module);
	journal_clear();
	eng_audit(e, "reverted bundle '%s' version %" PRIu64 " (module '%s')%s%s", b.name,
		  b.version, b.module, to_previous ? ", restored " : "",
		  to_previous ? r.previous : "");
	if (e->ctx->json) {
		jw_start_object(e->ctx->jw);
		jw_string_field(e->ctx->jw, "result", "reverted");
		jw_string_field(e->ctx->jw, "name", b.name);
		jw_uint_field(e->ctx->jw, "version", b.version);
		jw_string_field(e->ctx->jw, "module", b.module);
		if (to_previous)
			jw_string_field(e->ctx->jw, "restored", r.previous);
		else
			jw_null_field(e->ctx->jw, "restored");
		jw_end_object(e->ctx->jw);
	} else {
		printf("reverted: bundle '%s' version %" PRIu64 " (module '%s')%s%s\n", b.name,
		       b.version, b.module, to_previous ? "; restored " : "",
		       to_previous ? r.previous : "");
	}
	return 0;
}

int cmd_revert(struct klpb_ctx *ctx, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "to-previous", no_argument, NULL, 'P' },
		{ "help", no_argument, NULL, 'h' },
		ENG_LONG_OPTS,
		{}
	};
	bool to_previous = false;
	struct engine e;
	int c, rc;

	eng_init(&e, ctx);
	while ((c = getopt_long(argc, argv, "Pt:wh", opts, NULL)) != -1) {
		switch (c) {
		case 'P': to_previous = true; break;
		case 'h': fputs(revert_usage, stdout); return 0;
		case 't': c = ENG_OPT_TIMEOUT; goto eng;
		case 'w': c = ENG_OPT_WAIT; goto eng;
		default:
eng:
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
	rc = revert(&e, optind < argc ? argv[optind] : NULL, to_previous);
	eng_end(&e);
	return rc;
}
