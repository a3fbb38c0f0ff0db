// SPDX-License-Identifier: GPL-2.0-or-later
/* status.c - the state status shows; see status.h. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "engine/deps.h"
#include "engine/journal.h"
#include "engine/status.h"

bool eng_status_is_bundle(const struct eng_status *s, const char *module)
{
	for (int i = 0; i < s->n_bundles; i++)
		if (strcmp(s->bundles[i].lp->module, module) == 0)
			return true;
	return false;
}

/* An interrupted transaction is recovered first when the lock is free (status stays usable without). */
static void try_recover(struct engine *e)
{
	struct klpb_ctx *ctx = e->ctx;
	struct journal j;

	if (journal_read(&j) < 0 || geteuid() != 0)
		return;
	e->wait_lock = false;
	if (eng_begin(e) == 0)
		eng_end(e);
	free(ctx->err_msg); /* status reports the state, not the recovery's errors */
	ctx->err_msg = NULL;
	ctx->err = 0;
}

static void read_bundles(struct eng_status *s)
{
	int n = lp_bundles(&s->lp_bundles);
	struct record r;

	s->bundles = calloc(n > 0 ? n : 1, sizeof(*s->bundles));
	if (!s->bundles) {
		lp_bundles_free(s->lp_bundles, n > 0 ? n : 0);
		s->lp_bundles = NULL;
	}
	if (n <= 0 || !s->bundles)
		return;
	s->n_bundles = n;
	for (int i = 0; i < n; i++) {
		s->bundles[i].lp = &s->lp_bundles[i];
		if (record_read(s->lp_bundles[i].module, &r) == 0)
			s->bundles[i].applied = r.applied;
		record_free(&r);
	}
}

/* Which active bundles require bundle @i. */
static void read_required_by(struct eng_status *s, int i)
{
	struct dep_node p = dep_node_of(s->bundles[i].lp), d;
	struct eng_bundle *b = &s->bundles[i];

	b->required_by = calloc(s->n_bundles, sizeof(*b->required_by));
	for (int k = 0; b->required_by && k < s->n_bundles; k++) {
		d = dep_node_of(s->bundles[k].lp);
		if (k != i && lp_bundle_active(s->bundles[k].lp) && dep_requires(&d, &p))
			b->required_by[b->n_required_by++] = k;
	}
}

static void read_transition(struct eng_status *s)
{
	for (int i = 0; i < s->n_patches; i++) {
		if (!s->patches[i].transition)
			continue;
		snprintf(s->transition, sizeof(s->transition), "%s", s->patches[i].name);
		s->transition_target = s->patches[i].enabled;
		s->n_tasks = lp_tasks_left(s->transition_target, s->tasks, ENG_STATUS_TASKS);
		if (s->n_tasks < 0)
			s->n_tasks = 0;
	}
}

void eng_status(struct engine *e, struct eng_status *s)
{
	struct journal j;

	try_recover(e);
	memset(s, 0, sizeof(*s));
	read_bundles(s);
	for (int i = 0; i < s->n_bundles; i++)
		read_required_by(s, i);
	s->n_patches = lp_patches(&s->patches);
	if (s->n_patches < 0)
		s->n_patches = 0;
	read_transition(s);
	if (lp_taint(&s->taint, s->taint_flags, sizeof(s->taint_flags)) < 0)
		s->taint = 0;
	if (journal_read(&j) == 0) {
		s->journal = true;
		snprintf(s->journal_desc, sizeof(s->journal_desc), "%s of '%s' at step '%s'",
			 eng_op_name(j.op), j.module, eng_step_name(j.step));
	}
}

void eng_status_free(struct eng_status *s)
{
	lp_bundles_free(s->lp_bundles, s->n_bundles);
	for (int i = 0; i < s->n_bundles; i++)
		free(s->bundles[i].required_by);
	free(s->bundles);
	free(s->patches);
}
