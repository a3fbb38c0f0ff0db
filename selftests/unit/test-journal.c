// SPDX-License-Identifier: GPL-2.0-or-later
/* The state directory, the journal, the records and the lock (journal.h, lock.h). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "engine/journal.h"
#include "engine/lock.h"
#include "tap.h"

static char tmp[] = "/tmp/test-journal.XXXXXX";

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

static void test_journal(void)
{
	struct journal j = { .op = "apply", .module = "klpb_seed_v2", .n_prev = 2,
			     .check = true, .pid = 42, .started = 1700000000 };
	struct journal r;
	char path[512];

	snprintf(j.prev[0], SD_NAME_MAX, "klpb_seed_v1");
	snprintf(j.prev[1], SD_NAME_MAX, "other");
	is_int(journal_read(&r), -ENOENT, "no journal at first");
	is_int(journal_step(&j, "begin"), 0, "write at step begin");
	is_int(journal_read(&r), 0, "read back");
	is_str(r.op, "apply", "op");
	is_str(r.step, "begin", "step");
	is_str(r.module, "klpb_seed_v2", "module");
	is_int(r.n_prev, 2, "two replaced modules");
	is_str(r.prev[1], "other", "in order");
	ok(r.check && r.pid == 42 && r.started == 1700000000, "check, pid, started");
	is_int(journal_step(&j, "loaded"), 0, "advance to loaded");
	journal_read(&r);
	is_str(r.step, "loaded", "the step replaced atomically");
	snprintf(path, sizeof(path), "%s/journal", sd_dir());
	FILE *f = fopen(path, "w");
	fputs("garbage without equals\n", f);
	fclose(f);
	is_int(journal_read(&r), -EBADMSG, "a damaged journal is reported, not guessed");
	is_int(journal_clear(), 0, "clear");
	is_int(journal_read(&r), -ENOENT, "gone");
	is_int(journal_clear(), 0, "clearing twice is fine");
}

static void test_records(void)
{
	struct record a = { .module = "klpb_seed_v1", .name = "seed", .version = 1,
			    .lineage = "00112233445566778899aabbccddeeff", .applied = 1700000001,
			    .source = "/tmp/seed-v1.klpb" };
	struct record b = { .module = "klpb_seed_v2", .name = "seed", .version = 2,
			    .previous = "klpb_seed_v1" };
	struct record r, *all;
	char path[512];

	is_int(record_write(&a), 0, "write a record");
	is_int(record_read("klpb_seed_v1", &r), 0, "read it");
	ok(r.version == 1 && r.applied == 1700000001 && !strcmp(r.lineage, a.lineage) &&
	   !strcmp(r.source, a.source) && !r.previous[0], "fields survive");
	record_write(&b);
	is_int(record_list(&all), 2, "two records");
	is_str(all[1].previous, "klpb_seed_v1", "sorted, with previous");
	free(all);
	is_int(sd_save_bundle("klpb_seed_v1", "x", 1), 0, "save a bundle file");
	is_int(sd_save_bundle("klpb_old", "y", 1), 0, "save another");
	sd_gc_bundle("klpb_seed_v1");
	ok(access(sd_bundle_path(path, sizeof(path), "klpb_seed_v1"), F_OK) == 0,
	   "gc keeps a bundle a record names");
	sd_gc_bundle("klpb_old");
	ok(access(sd_bundle_path(path, sizeof(path), "klpb_old"), F_OK) < 0,
	   "gc removes a bundle nothing names");
	record_remove("klpb_seed_v1");
	record_remove("klpb_seed_v2");
	sd_gc_bundle("klpb_seed_v1");
	ok(access(sd_bundle_path(path, sizeof(path), "klpb_seed_v1"), F_OK) < 0,
	   "and once the records are gone");
	is_int(record_list(&all), 0, "no records");
	free(all);
}

static void test_lock(void)
{
	pid_t holder = 0, child;
	int fd, p[2], st;
	char c;

	setenv("KLPB_RUN_DIR", tmp, 1);
	fd = lock_take(false, &holder);
	ok(fd >= 0, "take the lock");
	if (pipe(p) < 0)
		return;
	child = fork();
	if (child == 0) {
		int r;

		close(fd);	/* a forked copy would share the lock */
		r = lock_take(false, &holder);

		_exit(r == -EBUSY && holder == getppid() ? 0 : 1);
	}
	waitpid(child, &st, 0);
	ok(WIFEXITED(st) && WEXITSTATUS(st) == 0, "a second taker gets -EBUSY and the holder's pid");
	child = fork();
	if (child == 0) {
		int r;

		close(fd);
		r = lock_take(true, &holder);

		if (write(p[1], "x", 1) != 1)
			_exit(2);
		_exit(r >= 0 ? 0 : 1);
	}
	usleep(100000);
	ok(fcntl(p[0], F_SETFL, O_NONBLOCK) == 0 && read(p[0], &c, 1) < 0,
	   "a waiting taker blocks while it is held");
	lock_release(fd);
	waitpid(child, &st, 0);
	ok(WIFEXITED(st) && WEXITSTATUS(st) == 0, "and gets it once released");
	child = fork();
	if (child == 0) {
		lock_take(false, NULL);
		_exit(0);	/* dies holding it */
	}
	waitpid(child, &st, 0);
	fd = lock_take(false, &holder);
	ok(fd >= 0, "a lock whose holder died is free (no stale lock)");
	lock_release(fd);
}

int main(void)
{
	char cmd[300];

	if (!mkdtemp(tmp))
		return 1;
	unsetenv("KLPB_STATE_DIR");
	test_state_dir();
	test_journal();
	test_records();
	test_lock();
	snprintf(cmd, sizeof(cmd), "rm -rf %s", tmp);
	if (system(cmd) != 0)
		diag("cannot remove %s", tmp);
	return done_testing();
}
