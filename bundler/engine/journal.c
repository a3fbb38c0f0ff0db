// SPDX-License-Identifier: GPL-2.0-or-later
/* journal.c - the transaction's steps and its journal; see journal.h. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "engine/journal.h"

#define JOURNAL_FILE "journal"

static const struct {
	const char *name;
	const char *stop_prefix;
} op_table[] = {
	[ENG_OP_NONE] = { "none", "" },
	[ENG_OP_APPLY] = { "apply", "" },
	[ENG_OP_REVERT] = { "revert", "revert-" },
};

/* The one name table of the steps. */
static const struct {
	enum eng_op op;
	const char *name;
} step_table[ENG_STEP_COUNT] = {
	[ENG_STEP_LOCKED] = { ENG_OP_NONE, "locked" },
	[ENG_STEP_APPLY_BEGIN] = { ENG_OP_APPLY, "begin" },
	[ENG_STEP_APPLY_LOADED] = { ENG_OP_APPLY, "loaded" },
	[ENG_STEP_APPLY_TRANSITION_DONE] = { ENG_OP_APPLY, "transition-done" },
	[ENG_STEP_APPLY_CHECKED] = { ENG_OP_APPLY, "checked" },
	[ENG_STEP_APPLY_COMMITTED] = { ENG_OP_APPLY, "committed" },
	[ENG_STEP_APPLY_REPLACED_REMOVED] = { ENG_OP_APPLY, "replaced-removed" },
	[ENG_STEP_APPLY_RECORDED] = { ENG_OP_APPLY, "recorded" },
	[ENG_STEP_REVERT_BEGIN] = { ENG_OP_REVERT, "begin" },
	[ENG_STEP_REVERT_DISABLING] = { ENG_OP_REVERT, "disabling" },
	[ENG_STEP_REVERT_REMOVED] = { ENG_OP_REVERT, "removed" },
};

const char *eng_op_name(enum eng_op op)
{
	return op_table[op].name;
}

const char *eng_step_name(enum eng_step step)
{
	return step_table[step].name;
}

bool eng_stop_matches(enum eng_step step, const char *name)
{
	const char *prefix = op_table[step_table[step].op].stop_prefix;
	size_t len = strlen(prefix);

	return strncmp(name, prefix, len) == 0 && strcmp(name + len, step_table[step].name) == 0;
}

void eng_stop_at(enum eng_step step)
{
	const char *want = getenv("KLPB_TEST_STOP_AT");

	if (want && eng_stop_matches(step, want)) {
		fflush(NULL);
		raise(SIGKILL);
	}
}

static int op_by_name(const char *name, enum eng_op *op)
{
	for (size_t i = ENG_OP_APPLY; i < sizeof(op_table) / sizeof(op_table[0]); i++) {
		if (strcmp(op_table[i].name, name) == 0) {
			*op = i;
			return 0;
		}
	}
	return -EBADMSG;
}

static int step_by_name(enum eng_op op, const char *name, enum eng_step *step)
{
	for (size_t i = 0; i < ENG_STEP_COUNT; i++) {
		if (step_table[i].op == op && strcmp(step_table[i].name, name) == 0) {
			*step = i;
			return 0;
		}
	}
	return -EBADMSG;
}

/* ---- the journal file ---- */

#define COPY(dst, src) snprintf(dst, sizeof(dst), "%s", src)

static enum eng_step first_step(enum eng_op op)
{
	return op == ENG_OP_REVERT ? ENG_STEP_REVERT_BEGIN : ENG_STEP_APPLY_BEGIN;
}

void journal_init(struct journal *j, enum eng_op op, const char *module)
{
	memset(j, 0, sizeof(*j));
	j->op = op;
	j->step = first_step(op);
	COPY(j->module, module);
	j->pid = getpid();
	j->started = time(NULL);
}

int journal_write(const struct journal *j)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	int rc;

	if (!f)
		return -ENOMEM;
	fprintf(f, "op=%s\nstep=%s\nmodule=%s\ncheck=%d\npid=%ld\nstarted=%lld\n",
		eng_op_name(j->op), eng_step_name(j->step), j->module, j->check ? 1 : 0, j->pid,
		j->started);
	for (int i = 0; i < j->n_prev; i++)
		fprintf(f, "prev=%s\n", j->prev[i]);
	fclose(f);
	if (!text)
		return -ENOMEM;
	rc = sd_write_file(JOURNAL_FILE, text, len);
	free(text);
	return rc;
}

/* The journal as read: op and step are resolved once both are known. */
struct journal_text {
	struct journal *j;
	char op[16];
	char step[32];
};

static int journal_kv(const char *k, const char *v, void *data)
{
	struct journal_text *t = data;
	struct journal *j = t->j;

	if (strcmp(k, "op") == 0)
		COPY(t->op, v);
	else if (strcmp(k, "step") == 0)
		COPY(t->step, v);
	else if (strcmp(k, "module") == 0)
		COPY(j->module, v);
	else if (strcmp(k, "check") == 0)
		j->check = atoi(v) != 0;
	else if (strcmp(k, "pid") == 0)
		j->pid = atol(v);
	else if (strcmp(k, "started") == 0)
		j->started = atoll(v);
	else if (strcmp(k, "prev") == 0 && j->n_prev < JOURNAL_MAX_PREV)
		COPY(j->prev[j->n_prev++], v);
	return 0;
}

int journal_read(struct journal *j)
{
	struct journal_text t = { .j = j };
	int rc;

	memset(j, 0, sizeof(*j));
	rc = sd_read_kv(JOURNAL_FILE, journal_kv, &t);
	if (rc == 0 && !j->module[0])
		rc = -EBADMSG;
	if (rc == 0)
		rc = op_by_name(t.op, &j->op);
	if (rc == 0)
		rc = step_by_name(j->op, t.step, &j->step);
	return rc;
}

int journal_clear(void)
{
	return sd_remove_file(JOURNAL_FILE, true);
}

int journal_step(struct journal *j, enum eng_step step)
{
	j->step = step;
	return journal_write(j);
}
