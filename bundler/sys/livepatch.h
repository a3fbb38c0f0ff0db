/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * livepatch.h - what the running kernel shows about live patches: the
 * livepatch core's sysfs (/sys/kernel/livepatch), the klp-bundle runtime's
 * (/sys/kernel/klp_bundle, Documentation/kernel-abi.md), per-task patch
 * states, build-ids, and the facts apply checks (sig_enforce, lockdown,
 * ftrace_enabled, taint, the kernel command line).
 *
 * Every path below /sys and /proc (and /dev/kmsg, kmsg.h) is read through
 * lp_path(), which puts $KLPB_SYSFS_ROOT in front when it is set: unit and
 * CLI tests point it at a fake tree.  Functions return 0 (or a count) or a negative errno and never
 * print.
 */
#ifndef KLPB_LIVEPATCH_H
#define KLPB_LIVEPATCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sys/kernel-info.h"
#include "klp-bundle/format.h"

#define LP_NAME_MAX 64

/*
 * The path @fmt, ... ("/sys/kernel/livepatch/%s") with the test root in
 * front: [owned] (free()), NULL when memory runs out.
 */
char *lp_path(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Read one line (trailing newline dropped) of the file at lp_path(@rel). */
int lp_read_line(const char *rel, char *buf, size_t size);
/* Read an integer file (-EINVAL when it is not one). */
int lp_read_long(const char *rel, long *v);
/* Write @s to the file at lp_path(@rel). */
int lp_write(const char *rel, const char *s);
bool lp_exists(const char *rel);

/* The running kernel: release (proc/sys/kernel/osrelease) and vmlinux build-id. */
int lp_kernel_release(char *buf, size_t size);
int lp_vmlinux_build_id(struct build_id *id);
/* A loaded module's build-id (-ENOENT: not loaded; -ENODATA: no build-id note). */
int lp_module_build_id(const char *mod, struct build_id *id);
bool lp_module_loaded(const char *mod);
/* /sys/module/@mod/refcnt, or -ENOENT. */
int lp_module_refcnt(const char *mod, long *refcnt);

/* ---- the livepatch core ---- */

bool lp_livepatch_available(void);

struct lp_patch {
	char name[LP_NAME_MAX];
	int enabled;
	int transition;
};

/* Every /sys/kernel/livepatch/<patch>: [owned] *@out (free()), count returned. */
int lp_patches(struct lp_patch **out);
/* One patch; -ENOENT when its directory is gone (disabled and freed, or replaced). */
int lp_patch(const char *name, struct lp_patch *p);
/* The patch in transition, if any: 1 and its name, or 0. */
int lp_transition_patch(char *name, size_t size);

struct lp_task {
	int pid, tid;
	char comm[32];
	int state; /* patch_state: -1 idle, 0 unpatched, 1 patched */
};

/*
 * Tasks whose patch_state is neither -1 nor @target: the ones a transition
 * towards @target still waits for.  Returns the count; the first @max are
 * stored in @tasks (may be NULL).
 */
int lp_tasks_left(int target, struct lp_task *tasks, size_t max);
/* The kernel stack of a task (proc/PID/task/TID/stack) into @buf; -errno if unreadable. */
int lp_task_stack(int pid, int tid, char *buf, size_t size);

/* ---- the klp-bundle runtime ---- */

#define LP_MAX_OBJECTS 256

struct lp_object {
	char name[LP_NAME_MAX];
	char state[16]; /* patched, pending, refused, disabled */
	char build_id[2 * BUILD_ID_MAX + 1];
};

struct lp_bundle {
	char module[LP_NAME_MAX];
	char name[LP_NAME_MAX];
	uint64_t version;
	char lineage[2 * KLPB_LINEAGE_LEN + 1];
	bool replace;
	bool in_livepatch; /* /sys/kernel/livepatch/<module> exists */
	int enabled, transition; /* from livepatch; -1 when !in_livepatch */
	struct klpb_core *core; /* decoded manifest, NULL when undecodable */
	uint8_t *manifest; /* raw manifest bytes */
	size_t manifest_len;
	struct lp_object *objects;
	size_t n_objects;
};

/*
 * Every /sys/kernel/klp_bundle/<module>, sorted by module name.
 * [owned] *@out: free with lp_bundles_free().  Returns the count.
 */
int lp_bundles(struct lp_bundle **out);
void lp_bundles_free(struct lp_bundle *b, size_t n);
/* Active: enabled in livepatch (transition or not). */
bool lp_bundle_active(const struct lp_bundle *b);

/* ---- kernel policy ---- */

/* 1 if module signatures are enforced (sig_enforce or lockdown), else 0. */
int lp_sig_enforced(char *why, size_t size);
/* proc/sys/kernel/ftrace_enabled: 1, 0, or -errno. */
int lp_ftrace_enabled(void);
/* proc/sys/kernel/tainted, and its flag letters into @flags. */
int lp_taint(unsigned long *taint, char *flags, size_t size);
/* Does the kernel command line hold @word (e.g. "klp_bundle.disable=1")? */
bool lp_cmdline_has(const char *word);

#endif
