/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * create.h - the create pipeline as the command (cmd/cmd-create.c) sees it:
 * the options in; one bundle file, and what the command prints about it,
 * out.  create.c drives the stages: the sources and their declarations
 * (sources.c, decls.c), the target kernels and their symbols (target.c,
 * symbols.c, kallsyms.c, kernel-cache.c), the core manifest (create-core.c),
 * one transaction module per target (kbuild.c, klp-reloc.c), then the
 * bundle, signed and written.
 */
#ifndef KLPB_CREATE_CREATE_H
#define KLPB_CREATE_CREATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/ctx.h"
#include "klp-bundle/format.h"

struct strv {
	char **v;
	size_t n;
};

/* The command line, checked for usage errors by the command. */
struct create_opts {
	const char *out, *name, *description, *lineage_hex, *base, *sign_key;
	const char *kdir, *vmlinux, *keep_build, *module_key, *module_cert;
	const char *source_dir; /* --source: the kernel source tree (one target) */
	uint64_t version;
	uint64_t jobs; /* targets built at once; 0: the online CPUs */
	bool replace;
	struct strv kernels, requires, conflicts, cves, target_modules, sources;
	struct strv patches, patch_units; /* --patch diffs; --patch-unit units of touched headers */
};

struct create_target_result {
	char *kernel_release;
	size_t module_size; /* the transaction module built for it */
};

/* What create wrote to @opts->out; free with create_result_free(). */
struct create_result {
	char module_name[KLPB_MAX_NAME + 1];
	size_t size;
	uint8_t sha256[KLPB_SHA256_LEN];
	struct create_target_result *targets;
	size_t n_targets;
};

/*
 * Build the bundle @o describes and write it to @o->out (nothing is written
 * unless every step succeeds).  Returns 0 with [owned] @res, or a negative
 * errno, reported on @ctx.
 */
int create_bundle(struct klpb_ctx *ctx, const struct create_opts *o, struct create_result *res);
void create_result_free(struct create_result *res);

/* Parse a decimal number up to @max: 0 or -EINVAL. */
int create_parse_u64(const char *s, uint64_t max, uint64_t *out);

#endif
