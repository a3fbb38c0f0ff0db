// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * recover.c - crash recovery from the journal; see recover.h and
 * Documentation/klp-bundle.md ("The journal").
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "engine/apply.h"
#include "engine/journal.h"
#include "engine/module.h"
#include "engine/recover.h"
#include "engine/restore.h"

/* Did the interrupted apply reach its commit point? */
static bool apply_committed(const struct journal *j)
{
	switch (j->step) {
	case ENG_STEP_APPLY_CHECKED:
	case ENG_STEP_APPLY_COMMITTED:
	case ENG_STEP_APPLY_REPLACED_REMOVED:
		return true;
	case ENG_STEP_APPLY_TRANSITION_DONE:
		return !j->check;
	default:
		return false;
	}
}

/* Roll forward: the new bundle is active, finish its apply from the saved file. */
static int finish_apply(struct engine *e, struct journal *j)
{
	struct eng_saved s;
	char *src;
	int rc = eng_wait_transition(e, j->module, e->timeout_ms, false);

	if (rc == -ETIMEDOUT)
		p_err(e->ctx, rc, "the transition of '%s' did not finish in %.1f s", j->module,
		      e->timeout_ms / 1000.0);
	if (rc == 0)
		rc = eng_saved_open(e, j->module, &s);
	if (rc < 0)
		return rc;
	src = sd_bundle_path(j->module);
	rc = src ? eng_finish_apply(e, j, &s.b->core, src) : -ENOMEM;
	if (!src)
		p_err(e->ctx, rc, "out of memory");
	free(src);
	eng_saved_free(&s);
	if (rc == 0)
		p_info(e->ctx, "klp-bundle: recovered: the interrupted apply of '%s' completed",
		       j->module);
	return rc;
}

static int recover_apply(struct engine *e, struct journal *j)
{
	int rc;

	if (apply_committed(j) && eng_patch_active(j->module))
		return finish_apply(e, j);
	rc = eng_undo_apply(e, j->module, j->prev, j->n_prev);
	if (rc < 0)
		return rc;
	sd_gc_bundle(j->module);
	p_info(e->ctx, "klp-bundle: recovered: the interrupted apply of '%s' was rolled back",
	       j->module);
	return eng_journal_clear(e);
}

/* The revert completed: update the records (@prev was restored, or NULL). */
static void record_reverted(struct engine *e, const char *module, const char *prev)
{
	struct eng_saved s;
	struct record r;

	if (record_read(module, &r) < 0) {
		record_free(&r);
		return;
	}
	record_remove(module);
	if (prev && eng_patch_active(prev) && eng_saved_open(e, prev, &s) == 0) {
		eng_record_apply(e, &s.b->core, prev, NULL, r.source);
		eng_saved_free(&s);
	}
	record_free(&r);
	sd_gc_bundle(module);
}

static int recover_revert(struct engine *e, struct journal *j)
{
	const char *prev = j->n_prev ? j->prev[0] : NULL;
	int rc;

	eng_wait_transition(e, j->module, e->timeout_ms, false);
	if (prev) /* --to-previous: the replace transition that restores it */
		eng_wait_transition(e, prev, e->timeout_ms, false);
	if (eng_patch_active(j->module) && (!prev || !eng_patch_active(prev))) {
		/* nothing took effect: drop a half-loaded predecessor */
		if (prev)
			eng_remove(e, prev);
		p_info(e->ctx, "klp-bundle: recovered: the interrupted revert of '%s' was undone",
		       j->module);
		return eng_journal_clear(e);
	}
	rc = prev ? eng_restore(e, j->module, j->prev, 1) : eng_disable(e, j->module);
	if (rc == 0)
		rc = eng_remove(e, j->module);
	if (rc < 0)
		return rc;
	record_reverted(e, j->module, prev);
	p_info(e->ctx, "klp-bundle: recovered: the interrupted revert of '%s' completed",
	       j->module);
	return eng_journal_clear(e);
}

int eng_recover(struct engine *e)
{
	struct journal j;
	int rc = journal_read(&j);

	if (rc == -ENOENT)
		return 0;
	if (rc < 0) {
		p_err(e->ctx, rc, "cannot read the journal in '%s': %s", sd_dir(), strerror(-rc));
		return rc;
	}
	p_dbg(e->ctx, "journal: %s of '%s' stopped at step '%s'", eng_op_name(j.op), j.module,
	      eng_step_name(j.step));
	rc = j.op == ENG_OP_APPLY ? recover_apply(e, &j) : recover_revert(e, &j);
	if (rc < 0)
		return rc;
	eng_audit(e, "recovered an interrupted %s of '%s' (step %s)", eng_op_name(j.op), j.module,
		  eng_step_name(j.step));
	return 1;
}
