// SPDX-License-Identifier: GPL-2.0-or-later
/* The state directory, its records and saved bundle files (state-dir.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "engine/state-dir.h"
#include "tap.h"

static char tmp[] = "/tmp/test-state-dir.XXXXXX";

static void test_state_dir(void)
{
	char dir[256];
	struct stat st;

	snprintf(dir, sizeof(dir), "%s/state", tmp);
	sd_set_dir(dir);
	is_int(sd_open(false), -ENOENT, "a missing state directory is not created without create");
	is_int(sd_open(true), 0, "created");
	stat(dir, &st);
	is_int(st.st_mode & 0777, 0700, "mode 0700");
	chmod(dir, 0770);
	is_int(sd_open(true), -EPERM, "refused when the group can write it");
	chmod(dir, 0702);
	is_int(sd_open(true), -EPERM, "refused when others can write it");
	chmod(dir, 0700);
	is_int(sd_open(true), 0, "accepted again at 0700");
}

static bool bundle_file_exists(const char *module)
{
	char *path = sd_bundle_path(module);
	bool exists = path && access(path, F_OK) == 0;

	free(path);
	return exists;
}

static void test_records(void)
{
	struct record a = { .module = "klpb_seed_v1",
			    .name = "seed",
			    .version = 1,
			    .lineage = "00112233445566778899aabbccddeeff",
			    .applied = 1700000001,
			    .source = "/tmp/seed-v1.klpb" };
	struct record b = {
		.module = "klpb_seed_v2", .name = "seed", .version = 2, .previous = "klpb_seed_v1"
	};
	struct record r, *all;
	int n;

	is_int(record_write(&a), 0, "write a record");
	is_int(record_read("klpb_seed_v1", &r), 0, "read it");
	ok(r.version == 1 && r.applied == 1700000001 && !strcmp(r.lineage, a.lineage) && r.source &&
		   !strcmp(r.source, a.source) && !r.previous[0],
	   "fields survive");
	record_free(&r);
	record_write(&b);
	n = record_list(&all);
	is_int(n, 2, "two records");
	is_str(all[1].previous, "klpb_seed_v1", "sorted, with previous");
	record_list_free(all, n);
	is_int(sd_save_bundle("klpb_seed_v1", "x", 1), 0, "save a bundle file");
	is_int(sd_save_bundle("klpb_old", "y", 1), 0, "save another");
	sd_gc_bundle("klpb_seed_v1");
	ok(bundle_file_exists("klpb_seed_v1"), "gc keeps a bundle a record names");
	sd_gc_bundle("klpb_old");
	ok(!bundle_file_exists("klpb_old"), "gc removes a bundle nothing names");
	record_remove("klpb_seed_v1");
	record_remove("klpb_seed_v2");
	sd_gc_bundle("klpb_seed_v1");
	ok(!bundle_file_exists("klpb_seed_v1"), "and once the records are gone");
	n = record_list(&all);
	is_int(n, 0, "no records");
	record_list_free(all, n);
}

int main(void)
{
	char cmd[300];

	if (!mkdtemp(tmp))
		return 1;
	unsetenv("KLPB_STATE_DIR");
	test_state_dir();
	test_records();
	sd_set_dir(NULL);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", tmp);
	if (system(cmd) != 0)
		diag("cannot remove %s", tmp);
	return done_testing();
}
