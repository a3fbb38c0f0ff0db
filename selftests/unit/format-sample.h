/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * format-sample.h - a fixed sample bundle for the format tests, the vector
 * generator and the fuzz seeds.  Everything is static data: the same
 * program always builds the same bytes.
 */
#ifndef KLPB_FORMAT_SAMPLE_H
#define KLPB_FORMAT_SAMPLE_H

#include <string.h>

#include "klp-bundle/format.h"

static const char sample_source[] =
	"--- a/fs/proc/cmdline.c\n+++ b/fs/proc/cmdline.c\n@@ -6,7 +6,7 @@\n"
	" static int cmdline_proc_show(struct seq_file *m, void *v)\n {\n"
	"-\tseq_puts(m, saved_command_line);\n+\tseq_printf(m, \"%s\\n\", \"patched\");\n";

static struct klpb_source_digest sample_sources[1] = { { "fix.patch", { 0 } } };
static const char *const sample_cves[] = { "CVE-2024-1234", "CVE-2024-5678" };
static const struct klpb_dep sample_requires[] = { { "base_fixes", 1, true, 5 } };
static const struct klpb_dep sample_conflicts[] = { { "old_cmdline_fix", 0, false, 0 } };
static const struct klpb_target_object sample_tobjs[] = {
	{ "nfsd", { 0xaa, 0xbb, 0xcc, 0xdd, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16 } },
};
static const struct klpb_target sample_targets[] = {
	{ "6.1.0-56-amd64",
	  { 0x3c, 0x1d, 0x2e, 0x4f, 0x50, 0x61, 0x72, 0x83, 0x94, 0xa5, 0xb6, 0xc7, 0xd8, 0xe9,
	    0xfa, 0x0b, 0x1c, 0x2d, 0x3e, 0x4f },
	  "klpb_fix_cmdline", sample_tobjs, 1, false, false, NULL, 0, NULL, 0 },
	{ "6.1.0-55-amd64",
	  { 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88, 0x99, 0xaa, 0xbb, 0xcc, 0xdd, 0xee,
	    0xff, 0x00, 0x12, 0x34, 0x56, 0x78 },
	  "klpb_fix_cmdline", NULL, 0, false, false, NULL, 0, NULL, 0 },
};
static const struct klpb_func sample_vmlinux_funcs[] = {
	{ "cmdline_proc_show", 0, "livepatch_cmdline_proc_show" },
};
static const struct klpb_symref sample_vmlinux_syms[] = { { "saved_command_line", 0 } };
static const struct klpb_func sample_nfsd_funcs[] = { { "nfsd_open", 2, "livepatch_nfsd_open" } };
static const struct klpb_object sample_objects[] = {
	{ "nfsd", sample_nfsd_funcs, 1, NULL, 0 },
	{ "vmlinux", sample_vmlinux_funcs, 1, sample_vmlinux_syms, 1 },
};
static const struct klpb_state sample_states[] = { { 1, 1 } };

/* Fill @c with the sample core (one or two targets). */
static inline void sample_core(struct klpb_core *c, size_t n_targets)
{
	klpb_sha256(sample_source, strlen(sample_source), sample_sources[0].sha256);
	*c = (struct klpb_core){
		.name = "fix_cmdline",
		.version = 3,
		.lineage = { 0x5e, 0x1f, 0x6a, 0x2b, 0x7c, 0x3d, 0x8e, 0x4f,
			     0x90, 0xa1, 0xb2, 0xc3, 0xd4, 0xe5, 0xf6, 0x07 },
		.description = "Make /proc/cmdline say \"patched\" (sample bundle).",
		.replace = true,
		.requires = sample_requires, .n_requires = 1,
		.conflicts = sample_conflicts, .n_conflicts = 1,
		.provenance = { "klp-bundle 0.1.0", 1700000000, sample_sources, 1, sample_cves, 2 },
		.targets = sample_targets, .n_targets = n_targets,
		.objects = sample_objects, .n_objects = 2,
		.states = sample_states, .n_states = 1,
	};
}

/* A fake module: ELF magic and a repetitive body (compresses well). */
static inline void sample_module(uint8_t *buf, size_t len, unsigned int seed)
{
	for (size_t i = 0; i < len; i++)
		buf[i] = (uint8_t)("livepatch module body "[(i + seed) % 22] + (i / 4096) % 3);
	if (len >= 4)
		memcpy(buf, "\x7f" "ELF", 4);
}

#endif
