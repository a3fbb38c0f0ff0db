// SPDX-License-Identifier: GPL-2.0-only
/*
 * Version 2 of the "st" bundle adds this file: a klp_state version 1 does
 * not carry, so the kernel cannot replace v2 by v1 (engine tests, t0505).
 */
#include <linux/seq_file.h>
#include <klp_bundle.h>

#define ENGINE_ST_STATE_ID 0x5354

static int engine_st_meminfo_proc_show(struct seq_file *m, void *v)
{
	seq_puts(m, "klpbt_engine: meminfo patched by st v2\n");
	return 0;
}

KLPB_PATCH_FUNC(vmlinux, meminfo_proc_show, engine_st_meminfo_proc_show);
KLPB_STATE(ENGINE_ST_STATE_ID, 1);
