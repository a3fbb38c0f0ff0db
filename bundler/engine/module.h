/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * module.h - one transaction module in the running kernel, as the engine
 * drives it: load it (from a payload or a saved bundle), wait for its
 * transition, disable it, unload it.  Every function reports its failure
 * once (p_err) and returns 0 or a negative errno.
 */
#ifndef KLPB_ENGINE_MODULE_H
#define KLPB_ENGINE_MODULE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "engine/engine.h"
#include "sys/kernel-info.h"
#include "klp-bundle/format.h"

/* The running kernel, as a bundle's targets name kernels. */
struct eng_kernel {
	char release[128];
	struct build_id vmlinux_id;
};

/* Read the running kernel's release and vmlinux build-id (not reported). */
int eng_running_kernel(struct eng_kernel *k);
/*
 * The payload index for kernel @k: the target with its release and its
 * vmlinux build-id.  -ENOENT when no target has the release, -ESTALE when
 * targets have it but none the build-id (not reported).
 */
int eng_pick_payload(const struct klpb_bundle *b, const struct eng_kernel *k, size_t *out);
/*
 * Report that @file (@b) has no target for @k: the releases it has and
 * what to do.  Returns -EOPNOTSUPP.
 */
int eng_no_target(struct klpb_ctx *ctx, const char *file, const struct klpb_bundle *b,
		  const struct eng_kernel *k, int why);
/*
 * Load the module image @ko as @module from memory, with the module
 * parameters @params (NULL: none); the kernel's -EKEYREJECTED is
 * -EOPNOTSUPP.  A refusal is reported with what the kernel logged about
 * @module meanwhile (/dev/kmsg, sys/kmsg.h).
 */
int eng_insert(struct engine *e, const void *ko, size_t len, const char *module,
	       const char *params);
/* Extract payload @i (digest-checked) and eng_insert() it. */
int eng_load_payload(struct engine *e, const struct klpb_bundle *b, size_t i, const char *module,
		     const char *params);

/* A saved bundles/<module>.klpb, read and verified (digests). */
struct eng_saved {
	uint8_t *data;
	size_t len;
	struct klpb_bundle *b;
};

int eng_saved_open(struct engine *e, const char *module, struct eng_saved *s);
void eng_saved_free(struct eng_saved *s);
/* eng_saved_open() and the index of its payload for the running kernel into *@i. */
int eng_saved_payload(struct engine *e, const char *module, struct eng_saved *s, size_t *i);
/* Load the saved bundles/<module>.klpb for the running kernel, with @params (or NULL). */
int eng_load_saved(struct engine *e, const char *module, const char *params);

/*
 * Wait until @module's transition is over.  0: done (or the patch is gone);
 * -ETIMEDOUT after @timeout_ms (not reported), with the tasks left reported
 * when @report.
 */
int eng_wait_transition(struct engine *e, const char *module, int timeout_ms, bool report);
/* The tasks the last timed-out wait named, one line. */
const char *eng_stalled(void);
/* Is @module an enabled live patch? */
bool eng_patch_active(const char *module);
/* Write 1 or 0 to /sys/kernel/livepatch/@module/enabled (not reported). */
int eng_set_enabled(const char *module, bool enabled);
/* Write 0 to enabled (disables, or reverses a transition) and wait until the patch is gone. */
int eng_disable(struct engine *e, const char *module);
/* rmmod @module (waiting for its references, never forced). */
int eng_remove(struct engine *e, const char *module);

#endif
