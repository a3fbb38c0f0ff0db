// SPDX-License-Identifier: GPL-2.0-or-later
/* The sysfs/procfs layer (livepatch.h) against a fake tree under KLPB_SYSFS_ROOT. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sys/livepatch.h"
#include "tap.h"

static char root[] = "/tmp/test-livepatch.XXXXXX";

static void put(const char *rel, const char *content)
{
	char path[512], cmd[600];
	FILE *f;

	snprintf(path, sizeof(path), "%s%s", root, rel);
	snprintf(cmd, sizeof(cmd), "mkdir -p \"$(dirname '%s')\"", path);
	if (system(cmd) != 0)
		return;
	f = fopen(path, "w");
	if (!f)
		return;
	fputs(content, f);
	fclose(f);
}

static void task(int pid, int tid, const char *comm, int state)
{
	char rel[128], v[16];

	snprintf(rel, sizeof(rel), "/proc/%d/task/%d/patch_state", pid, tid);
	snprintf(v, sizeof(v), "%d\n", state);
	put(rel, v);
	snprintf(rel, sizeof(rel), "/proc/%d/task/%d/comm", pid, tid);
	put(rel, comm);
}

static void build_tree(void)
{
	put("/proc/sys/kernel/osrelease", "6.1.0-56-amd64\n");
	put("/proc/sys/kernel/tainted", "45056\n");
	put("/proc/sys/kernel/ftrace_enabled", "1\n");
	put("/proc/cmdline", "root=/dev/vda klp_bundle.disable=1 quiet\n");
	put("/sys/module/module/parameters/sig_enforce", "N\n");
	put("/sys/kernel/security/lockdown", "[none] integrity confidentiality\n");
	put("/sys/kernel/livepatch/klpb_seed_v1/enabled", "1\n");
	put("/sys/kernel/livepatch/klpb_seed_v1/transition", "1\n");
	put("/sys/kernel/livepatch/other_lp/enabled", "1\n");
	put("/sys/kernel/livepatch/other_lp/transition", "0\n");
	put("/sys/kernel/klp_bundle/klpb_seed_v1/name", "seed\n");
	put("/sys/kernel/klp_bundle/klpb_seed_v1/version", "1\n");
	put("/sys/kernel/klp_bundle/klpb_seed_v1/lineage", "00112233445566778899aabbccddeeff\n");
	put("/sys/kernel/klp_bundle/klpb_seed_v1/replace", "1\n");
	put("/sys/kernel/klp_bundle/klpb_seed_v1/manifest", "not cbor");
	put("/sys/kernel/klp_bundle/klpb_seed_v1/objects/vmlinux/state", "patched\n");
	put("/sys/kernel/klp_bundle/klpb_seed_v1/objects/vmlinux/build_id", "\n");
	put("/sys/kernel/klp_bundle/klpb_seed_v1/objects/klpb_example_m/state", "pending\n");
	put("/sys/kernel/klp_bundle/klpb_seed_v1/objects/klpb_example_m/build_id",
	    "d67aad895c13da08e4450d20ee6d23e97e4badda\n");
	put("/sys/kernel/klp_bundle/klpb_old_v1/name", "old\n");
	put("/sys/kernel/klp_bundle/klpb_old_v1/version", "3\n");
	put("/sys/module/klpb_seed_v1/refcnt", "1\n");
	task(1, 1, "init", 1);
	task(2, 2, "kthreadd", -1);
	task(77, 77, "kworker/0:1", 0);
	task(88, 88, "bash", 0);
	task(88, 89, "bash-thread", 1);
}

static void test_files(void)
{
	char buf[128];
	long v;

	is_int(lp_kernel_release(buf, sizeof(buf)), 0, "release read through the root");
	is_str(buf, "6.1.0-56-amd64", "newline dropped");
	is_int(lp_module_refcnt("klpb_seed_v1", &v), 0, "refcnt");
	is_int(v, 1, "refcnt value");
	is_int(lp_module_refcnt("nothere", &v), -ENOENT, "refcnt of a module not loaded");
	ok(lp_module_loaded("klpb_seed_v1") && !lp_module_loaded("nothere"), "module loaded");
	ok(lp_livepatch_available(), "livepatch present");
	is_int(lp_ftrace_enabled(), 1, "ftrace enabled");
	is_int(lp_sig_enforced(buf, sizeof(buf)), 0, "no enforcement");
	put("/sys/kernel/security/lockdown", "none [integrity] confidentiality\n");
	is_int(lp_sig_enforced(buf, sizeof(buf)), 1, "lockdown integrity enforces signatures");
	put("/sys/kernel/security/lockdown", "[none] integrity confidentiality\n");
	put("/sys/module/module/parameters/sig_enforce", "Y\n");
	is_int(lp_sig_enforced(buf, sizeof(buf)), 1, "sig_enforce=Y enforces");
	put("/sys/module/module/parameters/sig_enforce", "N\n");
	ok(lp_cmdline_has("klp_bundle.disable=1") && !lp_cmdline_has("klp_bundle.disable"),
	   "kernel command line words match whole");
	unsigned long t;
	is_int(lp_taint(&t, buf, sizeof(buf)), 0, "taint");
	is_str(buf, "OEK", "taint flags (O E K)");
	is_int(lp_write("/sys/kernel/livepatch/other_lp/enabled", "0"), 0, "write");
	is_int(lp_read_long("/sys/kernel/livepatch/other_lp/enabled", &v), 0, "read back");
	is_int(v, 0, "written value");
	put("/sys/kernel/livepatch/other_lp/enabled", "1\n");
	struct build_id id;
	is_int(lp_vmlinux_build_id(&id), -ENOENT, "no /sys/kernel/notes: -ENOENT");
}

static void test_patches(void)
{
	struct lp_patch *p, one;
	char name[64];
	int n = lp_patches(&p);

	is_int(n, 2, "two live patches");
	is_str(p[0].name, "klpb_seed_v1", "sorted");
	ok(p[0].enabled == 1 && p[0].transition == 1 && p[1].transition == 0,
	   "enabled, transition");
	free(p);
	is_int(lp_transition_patch(name, sizeof(name)), 1, "a transition is in progress");
	is_str(name, "klpb_seed_v1", "and which patch");
	is_int(lp_patch("gone", &one), -ENOENT, "a freed patch is -ENOENT");
}

static void test_tasks(void)
{
	struct lp_task t[8];
	int n = lp_tasks_left(1, t, 8);

	is_int(n, 2, "two tasks not yet patched (idle ones ignored)");
	ok(t[0].pid == 77 && !strcmp(t[0].comm, "kworker/0:1") && t[1].pid == 88 && t[1].tid == 88,
	   "pid, tid and comm of each");
	is_int(lp_tasks_left(0, NULL, 0), 2, "two not yet unpatched");
	is_int(lp_tasks_left(1, t, 1), 2, "the count beyond the array");
}

static void test_bundles(void)
{
	struct lp_bundle *b;
	int n = lp_bundles(&b);

	is_int(n, 2, "two loaded bundles");
	is_str(b[0].module, "klpb_old_v1", "sorted by module");
	ok(!lp_bundle_active(&b[0]) && b[0].enabled == -1,
	   "a bundle without a livepatch dir is not active");
	is_str(b[1].name, "seed", "name");
	ok(b[1].version == 1 && b[1].replace && lp_bundle_active(&b[1]),
	   "version, replace, active");
	is_str(b[1].lineage, "00112233445566778899aabbccddeeff", "lineage");
	ok(b[1].core == NULL && b[1].manifest_len == 8, "an undecodable manifest: raw bytes only");
	is_int(b[1].n_objects, 2, "two objects");
	is_str(b[1].objects[0].name, "klpb_example_m", "object name");
	is_str(b[1].objects[0].state, "pending", "object state");
	is_str(b[1].objects[0].build_id, "d67aad895c13da08e4450d20ee6d23e97e4badda",
	       "object build-id");
	lp_bundles_free(b, n);
}

int main(void)
{
	char cmd[300];

	if (!mkdtemp(root))
		return 1;
	setenv("KLPB_SYSFS_ROOT", root, 1);
	build_tree();
	test_files();
	test_patches();
	test_tasks();
	test_bundles();
	snprintf(cmd, sizeof(cmd), "rm -rf %s", root);
	if (system(cmd) != 0)
		diag("cannot remove %s", root);
	return done_testing();
}
