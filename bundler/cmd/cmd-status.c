// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * cmd-status.c - klp-bundle status: options and output.  What it shows is
 * read by engine/status.c.
 */
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <time.h>

#include "cmd/cmd.h"
#include "cmd/print.h"
#include "engine/deps.h"
#include "engine/status.h"

static const char status_usage[] =
	"usage: klp-bundle status [--state-dir DIR]\n\n"
	"Show every loaded bundle (name, version, lineage, module, when applied,\n"
	"state, its requires and conflicts with their version ranges, the active\n"
	"bundles that require it, and per object: patched / pending / refused /\n"
	"disabled), a transition in progress with the tasks it waits for, other\n"
	"live patches and the kernel taint.  Works from sysfs alone when the state\n"
	"directory is missing.  With an interrupted transaction in the journal,\n"
	"status first recovers it when it can take the lock at once (as root).\n\n"
	"options:\n"
	"      --state-dir DIR  the state directory (default $KLPB_STATE_DIR or\n"
	"                       /var/lib/klp-bundle)\n"
	"  -h, --help           this text\n";

static const char *bundle_state(const struct lp_bundle *b)
{
	if (!b->in_livepatch)
		return "disabled";
	if (b->transition)
		return b->enabled == 1 ? "patching" : "unpatching";
	return b->enabled == 1 ? "active" : "disabled";
}

static void format_time(long long t, char *buf, size_t size)
{
	time_t tt = (time_t)t;
	struct tm tm;

	gmtime_r(&tt, &tm);
	strftime(buf, size, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static void print_deps(const char *what, const struct klpb_dep *d, size_t n)
{
	char spec[2 * LP_NAME_MAX];

	if (!n)
		return;
	printf("  %s", what);
	for (size_t i = 0; i < n; i++) {
		dep_spec(&d[i], spec, sizeof(spec));
		printf("%s%s", i ? ", " : " ", spec);
	}
	printf("\n");
}

static void print_bundle_deps(const struct eng_status *s, int i)
{
	const struct eng_bundle *b = &s->bundles[i];

	if (b->lp->core) {
		print_deps("requires:", b->lp->core->requires, b->lp->core->n_requires);
		print_deps("conflicts:", b->lp->core->conflicts, b->lp->core->n_conflicts);
	}
	if (!b->n_required_by)
		return;
	printf("  required by:");
	for (int k = 0; k < b->n_required_by; k++)
		printf("%s%s", k ? ", " : " ", s->bundles[b->required_by[k]].lp->name);
	printf("\n");
}

static void print_plain(const struct eng_status *s)
{
	char when[64];

	if (!s->n_bundles)
		printf("no bundle loaded\n");
	for (int i = 0; i < s->n_bundles; i++) {
		const struct lp_bundle *b = s->bundles[i].lp;

		printf("bundle %s version %" PRIu64 " (%s): %s\n", b->name, b->version,
		       b->replace ? "cumulative" : "stacked", bundle_state(b));
		printf("  module:  %s\n  lineage: %s\n", b->module, b->lineage);
		if (s->bundles[i].applied) {
			format_time(s->bundles[i].applied, when, sizeof(when));
			printf("  applied: %s\n", when);
		}
		print_bundle_deps(s, i);
		for (size_t k = 0; k < b->n_objects; k++)
			printf("  object %-24s %s\n", b->objects[k].name, b->objects[k].state);
	}
	for (int i = 0; i < s->n_patches; i++)
		if (!eng_status_is_bundle(s, s->patches[i].name))
			printf("other live patch %s: %s%s\n", s->patches[i].name,
			       s->patches[i].enabled ? "enabled" : "disabled",
			       s->patches[i].transition ? ", in transition" : "");
	if (s->transition[0]) {
		printf("transition in progress: %s (%s), %d task(s) left\n", s->transition,
		       s->transition_target ? "patching" : "unpatching", s->n_tasks);
		for (int i = 0; i < s->n_tasks && i < ENG_STATUS_TASKS; i++)
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

/* requires, conflicts (null when the core is unreadable) and required_by. */
static void deps_json(struct json_writer *jw, const struct eng_status *s,
		      const struct eng_bundle *b)
{
	const struct klpb_core *c = b->lp->core;

	if (c) {
		jw_object_array_field(jw, "requires", c->requires, c->n_requires,
				      sizeof(*c->requires), print_dep_json);
		jw_object_array_field(jw, "conflicts", c->conflicts, c->n_conflicts,
				      sizeof(*c->conflicts), print_dep_json);
	} else {
		jw_null_field(jw, "requires");
		jw_null_field(jw, "conflicts");
	}
	jw_name(jw, "required_by");
	jw_start_array(jw);
	for (int k = 0; k < b->n_required_by; k++)
		jw_string(jw, s->bundles[b->required_by[k]].lp->name);
	jw_end_array(jw);
}

static void bundle_fields(struct json_writer *jw, const void *item)
{
	const struct lp_bundle *b = ((const struct eng_bundle *)item)->lp;
	long long applied = ((const struct eng_bundle *)item)->applied;
	char when[64];

	jw_string_field(jw, "name", b->name);
	jw_uint_field(jw, "version", b->version);
	jw_string_field(jw, "lineage", b->lineage);
	jw_string_field(jw, "module", b->module);
	jw_bool_field(jw, "replace", b->replace);
	jw_string_field(jw, "state", bundle_state(b));
	if (applied) {
		format_time(applied, when, sizeof(when));
		jw_string_field(jw, "applied", when);
	} else {
		jw_null_field(jw, "applied");
	}
	jw_object_array_field(jw, "objects", b->objects, b->n_objects, sizeof(*b->objects),
			      object_fields);
}

static void bundle_json(struct json_writer *jw, const struct eng_status *s,
			const struct eng_bundle *item)
{
	jw_start_object(jw);
	bundle_fields(jw, item);
	deps_json(jw, s, item);
	jw_end_object(jw);
}

static void task_fields(struct json_writer *jw, const void *item)
{
	const struct lp_task *t = item;

	jw_int_field(jw, "pid", t->pid);
	jw_int_field(jw, "tid", t->tid);
	jw_string_field(jw, "comm", t->comm);
}

static void print_json(struct json_writer *jw, const struct eng_status *s)
{
	int n_tasks = s->n_tasks < ENG_STATUS_TASKS ? s->n_tasks : ENG_STATUS_TASKS;

	jw_start_object(jw);
	jw_name(jw, "bundles");
	jw_start_array(jw);
	for (int i = 0; i < s->n_bundles; i++)
		bundle_json(jw, s, &s->bundles[i]);
	jw_end_array(jw);
	jw_name(jw, "other_patches");
	jw_start_array(jw);
	for (int i = 0; i < s->n_patches; i++) {
		if (eng_status_is_bundle(s, s->patches[i].name))
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

int cmd_status(struct klpb_ctx *ctx, int argc, char **argv)
{
	static const struct option opts[] = { { "help", no_argument, NULL, 'h' },
					      ENG_LONG_OPTS,
					      {} };
	struct engine e;
	struct eng_status s;
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
	eng_status(&e, &s);
	if (ctx->json)
		print_json(ctx->jw, &s);
	else
		print_plain(&s);
	eng_status_free(&s);
	return 0;
}
