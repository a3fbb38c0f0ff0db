// SPDX-License-Identifier: GPL-2.0-only
/*
 * A module patch that calls a static function of its module and updates a
 * static variable of it.  The module's slots are filled each time the
 * module loads and cleared when it goes, so it can load again and again.
 */
#include <linux/seq_file.h>
#include <klp_bundle.h>

KLPB_SYMBOL(klpb_target_statics, statics_secret, const char *(void));
KLPB_SYMBOL(klpb_target_statics, statics_calls, int);

static void patched_report(struct seq_file *m)
{
	int *calls = KLPB_SYM(statics_calls);

	(*calls)++;
	seq_printf(m, "klpb_target_statics: patched %s %d\n", KLPB_SYM(statics_secret)(), *calls);
}

KLPB_PATCH_FUNC(klpb_target_statics, klpb_target_statics_report, patched_report);
