// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * cmd-status.c - klp-bundle status: every loaded bundle as the kernel shows
 * it (sysfs is the truth; the state directory only adds when each was
 * applied), any transition in progress with the tasks it waits for, other
 * live patches, and the kernel taint.
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

static const char status_usage[] =
	"usage: klp-bundle status [--state-dir DIR]\n\n"
	"Show every loaded bundle (name, version, lineage, module, when applied,\n"
	"state, and per object: patched / pending / refused / disabled), a\n"
	"transition in progress with the tasks it waits for, other live patches\n"
	"and the kernel taint.  Works from sysfs alone when the state directory is\n"
	"missing.  With an interrupted transaction in the journal, status first\n"
	"recovers it when it can take the lock at once (as root).\n\n"
	"options:\n"
	"      --state-dir DIR  the state directory (default $KLPB_STATE_DIR or\n"
	"                       /var/lib/klp-bundle)\n"
	"  -h, --help           this text\n";

#define STATUS_TASKS 32

struct status {
	struct lp_bundle *bundles;
	int n_bundles;
	struct lp_patch *patches;
	int n_patches;
	char transition[LP_NAME_MAX];
	int transition_target;
	struct lp_task tasks[STATUS_TASKS];
	int n_tasks;
	unsigned long taint;
	char taint_flags[32];
	bool journal;
	char journal_desc[160];
};

static const char *bundle_state(const struct lp_bundle *b)
{
	if (!b->in_livepatch)
		return "disabled";
	if (b->transition)
		return b->enabled == 1 ? "patching" : "unpatching";
	return b->enabled == 1 ? "active" : "disabled";
}

static bool is_bundle(const struct status *s, const char *module)
{
	for (int i = 0; i < s->n_bundles; i++)
		if (strcmp(s->bundles[i].module, module) == 0)
			return true;
	return false;
}

static void format_time(long long t, char *buf, size_t size)
{
	time_t tt = (time_t)t;
	struct tm tm;

	gmtime_r(&tt, &tm);
	strftime(buf, size, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static void print_plain(const struct status *s)
{
	char when[64];
	struct record r;

	if (!s->n_bundles)
		printf("no bundle loaded\n");
	for (int i = 0; i < s->n_bundles; i++) {
		const struct lp_bundle *b = &s->bundles[i];

		printf("bundle %s version %" PRIu64 " (%s): %s\n", b->name, b->version,
		       b->replace ? "cumulative" : "stacked", bundle_state(b));
		printf("  module:  %s\n  lineage: %s\n", b->module, b->lineage);
		if (record_read(b->module, &r) == 0 && r.applied) {
			format_time(r.applied, when, sizeof(when));
			printf("  applied: %s\n", when);
		}
		for (size_t k = 0; k < b->n_objects; k++)
			printf("  object %-24s %s\n", b->objects[k].name, b->objects[k].state);
	}
	for (int i = 0; i < s->n_patches; i++)
		if (!is_bundle(s, s->patches[i].name))
			printf("other live patch %s: %s%s\n", s->patches[i].name,
			       s->patches[i].enabled ? "enabled" : "disabled",
			       s->patches[i].transition ? ", in transition" : "");
	if (s->transition[0]) {
		printf("transition in progress: %s (%s), %d task(s) left\n", s->transition,
		       s->transition_target ? "patching" : "unpatching", s->n_tasks);
		for (int i = 0; i < s->n_tasks && i < STATUS_TASKS; i++)
			printf("  pid %d tid %d (%s)\n", s->tasks[i].pid, s->tasks[i].tid,
			       s->tasks[i].comm);
	}
	if (s->journal)
		printf("interrupted transaction: %s (run 'klp-bundle recover')\n", s->journal_desc);
	printf("kernel taint: %lu%s%s\n", s->taint, s->taint_flags[0] ? " " : "", s->taint_flags);
}

/* The fields of one item of an array, for jw_object_array_field(). */

static void object_fields(struct json_writer *jw, const void *item)
{
	const struct lp_object *o = item;

	jw_string_field(jw, "name", o->name);
	jw_string_field(jw, "state", o->state);
	jw_string_field(jw, "build_id", o->build_id);
}

static void bundle_fields(struct json_writer *jw, const void *item)
{
	const struct lp_bundle *b = item;
	char when[64];
	struct record r;

	jw_string_field(jw, "name", b->name);
	jw_uint_field(jw, "version", b->version);
	jw_string_field(jw, "lineage", b->lineage);
	jw_string_field(jw, "module", b->module);
	jw_bool_field(jw, "replace", b->replace);
	jw_string_field(jw, "state", bundle_state(b));
	if (record_read(b->module, &r) == 0 && r.applied) {
		format_time(r.applied, when, sizeof(when));
		jw_string_field(jw, "applied", when);
	} else {
		jw_null_field(jw, "applied");
	}
	jw_object_array_field(jw, "objects", b->objects, b->n_objects, sizeof(*b->objects),
			      object_fields);
}

static void task_fields(struct json_writer *jw, const void *item)
{
	const struct lp_task *t = item;

	jw_int_field(jw, "pid", t->pid);
	jw_int_field(jw, "tid", t->tid);
	jw_string_field(jw, "comm", t->comm);
}

static void print_json(struct json_writer *jw, const struct status *s)
{
	int n_tasks = s->n_tasks < STATUS_TASKS ? s->n_tasks : STATUS_TASKS;

	jw_start_object(jw);
	jw_object_array_field(jw, "bundles", s->bundles, s->n_bundles, sizeof(*s->bundles),
			      bundle_fields);
	jw_name(jw, "other_patches");
	jw_start_array(jw);
	for (int i = 0; i < s->n_patches; i++) {
		if (is_bundle(s, s->patches[i].name))
			continue;
		jw_start_object(jw);
		jw_string_field(jw, "module", s->patches[i].name);
		jw_bool_field(jw, "enabled", s->patches[i].enabled);
		jw_bool_field(jw, "transition", s->patches[i].transition);
		jw_end_object(jw);
	}
	jw_end_array(jw);
	jw_name(jw, "transition");
	if (s->transition[0]) {
		jw_start_object(jw);
		jw_string_field(jw, "module", s->transition);
		jw_string_field(jw, "direction", s->transition_target ? "patching" : "unpatching");
		jw_int_field(jw, "tasks_left", s->n_tasks);
		jw_object_array_field(jw, "tasks", s->tasks, n_tasks, sizeof(*s->tasks),
				      task_fields);
		jw_end_object(jw);
	} else {
		jw_null(jw);
	}
	jw_name(jw, "interrupted");
	if (s->journal)
		jw_string(jw, s->journal_desc);
	else
		jw_null(jw);
	jw_uint_field(jw, "taint", s->taint);
	jw_string_field(jw, "taint_flags", s->taint_flags);
	jw_end_object(jw);
}

static void collect(struct status *s)
{
	struct journal j;

	memset(s, 0, sizeof(*s));
	s->n_bundles = lp_bundles(&s->bundles);
	if (s->n_bundles < 0)
		s->n_bundles = 0;
	s->n_patches = lp_patches(&s->patches);
	if (s->n_patches < 0)
		s->n_patches = 0;
	for (int i = 0; i < s->n_patches; i++) {
		if (s->patches[i].transition) {
			snprintf(s->transition, sizeof(s->transition), "%s", s->patches[i].name);
			s->transition_target = s->patches[i].enabled;
			s->n_tasks = lp_tasks_left(s->transition_target, s->tasks, STATUS_TASKS);
			if (s->n_tasks < 0)
				s->n_tasks = 0;
		}
	}
	if (lp_taint(&s->taint, s->taint_flags, sizeof(s->taint_flags)) < 0)
		s->taint = 0;
	if (journal_read(&j) == 0) {
		s->journal = true;
		snprintf(s->journal_desc, sizeof(s->journal_desc), "%s of '%s' at step '%s'", j.op,
			 j.module, j.step);
	}
}

/* An interrupted transaction is recovered first when the lock is free (status stays usable without). */
static void try_recover(struct klpb_ctx *ctx, struct engine *e)
{
	struct journal j;

	if (journal_read(&j) < 0 || geteuid() != 0)
		return;
	e->wait_lock = false;
	if (eng_begin(e) == 0)
		eng_end(e);
	free(ctx->err_msg);	/* status reports the state, not the recovery's errors */
	ctx->err_msg = NULL;
	ctx->err = 0;
}

int cmd_status(struct klpb_ctx *ctx, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "help", no_argument, NULL, 'h' },
		ENG_LONG_OPTS,
		{}
	};
	struct engine e;
	struct status s;
	int c, rc;

	eng_init(&e, ctx);
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		if (c == 'h') {
			fputs(status_usage, stdout);
			return 0;
		}
		rc = eng_option(&e, c, optarg);
		if (rc < 0)
			return rc;
		if (rc == 0)
			return usage_err(ctx, "status: bad option");
	}
	if (optind != argc)
		return usage_err(ctx, "status takes no arguments");
	try_recover(ctx, &e);
	collect(&s);
	if (ctx->json)
		print_json(ctx->jw, &s);
	else
		print_plain(&s);
	lp_bundles_free(s.bundles, s.n_bundles);
	free(s.patches);
	return 0;
}
