// SPDX-License-Identifier: GPL-2.0-only
/*
 * Patch B (module klpb_example_m): its report uses patch A's new contract.
 * Shipped in the same bundle as patch A, it can never run without it: when
 * the module loads later, the livepatch core patches it within the same
 * klp_patch, and disabling or replacing the bundle changes both at once.
 */
#include <linux/seq_file.h>
#include <klp_bundle.h>

#include "seed.h"

static void seed_example_m_report(struct seq_file *m)
{
	seed_report_line(m, "klpb_example_m", "patched by the seed bundle");
}

KLPB_PATCH_FUNC(klpb_example_m, example_m_report, seed_example_m_report);
