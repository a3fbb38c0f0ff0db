// SPDX-License-Identifier: GPL-2.0-or-later
/* restore.c - put a previous bundle back in place of the current one; see restore.h. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "engine/module.h"
#include "engine/restore.h"
#include "sys/livepatch.h"
#include "util/hex.h"

int eng_load_and_wait(struct engine *e, const char *prev)
{
	int rc = eng_load_saved(e, prev);

	if (rc < 0)
		return rc;
	rc = eng_wait_transition(e, prev, e->timeout_ms, true);
	if (rc == -ETIMEDOUT) {
		eng_disable(e, prev);
		eng_remove(e, prev);
		p_err(e->ctx, -ECANCELED, "restoring '%s' stalled (%s); it was reversed", prev,
		      eng_stalled());
		return -ECANCELED;
	}
	return 0;
}

/* Would the kernel refuse @prev while @cur is active (a lower klp_state version)? */
static bool must_disable_first(struct engine *e, const char *cur, const char *prev)
{
	char lineage[2 * KLPB_LINEAGE_LEN + 1];
	struct lp_bundle *bs;
	struct eng_saved s;
	bool lower = false;
	int n;

	if (eng_saved_open(e, prev, &s) < 0)
		return false;
	hex_encode(s.b->core.lineage, KLPB_LINEAGE_LEN, lineage);
	n = lp_bundles(&bs);
	for (int i = 0; i < n; i++)
		if (strcmp(bs[i].module, cur) == 0 && strcmp(bs[i].lineage, lineage) == 0 &&
		    bs[i].version > s.b->core.version)
			lower = true;
	lp_bundles_free(bs, n > 0 ? n : 0);
	eng_saved_free(&s);
	return lower;
}

int eng_restore(struct engine *e, const char *cur, const char *prev)
{
	int rc;

	/* a replaced module stays loaded (refcount 0) and can never be re-enabled */
	if (!eng_patch_active(prev)) {
		rc = eng_remove(e, prev);
		if (rc < 0)
			return rc;
	}
	if (!eng_patch_active(prev)) {
		if (eng_patch_active(cur) && must_disable_first(e, cur, prev)) {
			p_dbg(e->ctx, "'%s' has a lower version: disabling '%s' first", prev, cur);
			rc = eng_disable(e, cur);
			if (rc < 0)
				return rc;
		}
		p_dbg(e->ctx, "restoring '%s' in place of '%s'", prev, cur);
		rc = eng_load_and_wait(e, prev);
		if (rc < 0)
			return rc;
	}
	if (eng_patch_active(cur)) {
		rc = eng_disable(e, cur);
		if (rc < 0)
			return rc;
	}
	return eng_remove(e, cur);
}

/* After @module was disabled (not replaced back) with no patch left: bring @prev back. */
static int reload_if_none_left(struct engine *e, const char *prev)
{
	struct lp_patch *all;
	int n, rc;

	if (eng_patch_active(prev) || !lp_exists("/sys/kernel/livepatch"))
		return 0;
	n = lp_patches(&all);
	free(all);
	if (n != 0)
		return 0;
	rc = eng_remove(e, prev);
	return rc < 0 ? rc : eng_load_and_wait(e, prev);
}

int eng_undo_apply(struct engine *e, const char *module, const char *prev)
{
	struct lp_patch p;
	int rc;

	if (lp_patch(module, &p) == 0) {
		if (!p.transition && p.enabled == 1 && prev && !eng_patch_active(prev))
			return eng_restore(e, module, prev);
		rc = eng_disable(e, module); /* reverses a transition */
		if (rc < 0)
			return rc;
	}
	rc = eng_remove(e, module);
	if (rc == 0 && prev)
		rc = reload_if_none_left(e, prev);
	return rc;
}
