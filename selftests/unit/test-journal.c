// SPDX-License-Identifier: GPL-2.0-or-later
/* The transaction steps, the journal and the lock (journal.h, lock.h). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/bundle-io.h"
#include "engine/journal.h"
#include "engine/lock.h"
#include "tap.h"

static char tmp[] = "/tmp/test-journal.XXXXXX";

/* The state directory the journal lives in (test-state-dir.c tests it). */
static bool open_state_dir(void)
{
	char dir[256];

	snprintf(dir, sizeof(dir), "%s/state", tmp);
	sd_set_dir(dir);
	return sd_open(true) == 0;
}

static void test_steps(void)
{
	static const struct {
		enum eng_step step;
		const char *journal, *stop;
	} want[] = {
		{ ENG_STEP_LOCKED, "locked", "locked" },
		{ ENG_STEP_APPLY_BEGIN, "begin", "begin" },
		{ ENG_STEP_APPLY_LOADED, "loaded", "loaded" },
		{ ENG_STEP_APPLY_TRANSITION_DONE, "transition-done", "transition-done" },
		{ ENG_STEP_APPLY_CHECKED, "checked", "checked" },
		{ ENG_STEP_APPLY_COMMITTED, "committed", "committed" },
		{ ENG_STEP_APPLY_REPLACED_REMOVED, "replaced-removed", "replaced-removed" },
		{ ENG_STEP_APPLY_RECORDED, "recorded", "recorded" },
		{ ENG_STEP_REVERT_BEGIN, "begin", "revert-begin" },
		{ ENG_STEP_REVERT_DISABLING, "disabling", "revert-disabling" },
		{ ENG_STEP_REVERT_REMOVED, "removed", "revert-removed" },
	};
	int bad = 0;

	is_int(sizeof(want) / sizeof(want[0]), ENG_STEP_COUNT, "every step has a name");
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		if (strcmp(eng_step_name(want[i].step), want[i].journal) != 0 ||
		    !eng_stop_matches(want[i].step, want[i].stop)) {
			diag("step %d: '%s'", (int)want[i].step, eng_step_name(want[i].step));
			bad++;
		}
	}
	is_int(bad, 0, "the journal and KLPB_TEST_STOP_AT names of every step");
	ok(!eng_stop_matches(ENG_STEP_APPLY_BEGIN, "revert-begin") &&
		   !eng_stop_matches(ENG_STEP_REVERT_BEGIN, "begin"),
	   "apply's and revert's 'begin' are two steps");
}

static void test_journal(void)
{
	struct journal j = { .op = ENG_OP_APPLY,
			     .module = "klpb_seed_v2",
			     .n_prev = 2,
			     .check = true,
			     .pid = 42,
			     .started = 1700000000 };
	struct journal r;
	char path[512];
	struct klpb_buf text = { 0 };

	snprintf(j.prev[0], SD_NAME_MAX, "klpb_seed_v1");
	snprintf(j.prev[1], SD_NAME_MAX, "other");
	is_int(journal_read(&r), -ENOENT, "no journal at first");
	is_int(journal_step(&j, ENG_STEP_APPLY_BEGIN), 0, "write at step begin");
	snprintf(path, sizeof(path), "%s/journal", sd_dir());
	is_int(read_small_file(path, &text), 0, "the journal is a file");
	if (text.data)
		text.data[text.len] = '\0'; /* read_small_file() leaves room for it */
	is_str(text.data ? (char *)text.data : "",
	       "op=apply\nstep=begin\nmodule=klpb_seed_v2\ncheck=1\npid=42\nstarted=1700000000\n"
	       "prev=klpb_seed_v1\nprev=other\n",
	       "in its key=value format");
	klpb_buf_free(&text);
	is_int(journal_read(&r), 0, "read back");
	is_str(eng_op_name(r.op), "apply", "op");
	is_str(eng_step_name(r.step), "begin", "step");
	is_str(r.module, "klpb_seed_v2", "module");
	is_int(r.n_prev, 2, "two replaced modules");
	is_str(r.prev[1], "other", "in order");
	ok(r.check && r.pid == 42 && r.started == 1700000000, "check, pid, started");
	is_int(journal_step(&j, ENG_STEP_APPLY_LOADED), 0, "advance to loaded");
	journal_read(&r);
	is_str(eng_step_name(r.step), "loaded", "the step replaced atomically");
	j.op = ENG_OP_REVERT;
	j.n_prev = 0;
	journal_step(&j, ENG_STEP_REVERT_BEGIN);
	ok(journal_read(&r) == 0 && r.op == ENG_OP_REVERT && r.step == ENG_STEP_REVERT_BEGIN,
	   "a revert's 'begin' reads back as revert's first step");
	FILE *f = fopen(path, "w");
	fputs("garbage without equals\n", f);
	fclose(f);
	is_int(journal_read(&r), -EBADMSG, "a damaged journal is reported, not guessed");
	f = fopen(path, "w");
	fputs("op=apply\nstep=revert-begin\nmodule=m\n", f);
	fclose(f);
	is_int(journal_read(&r), -EBADMSG, "so is a step apply does not have");
	is_int(journal_clear(), 0, "clear");
	is_int(journal_read(&r), -ENOENT, "gone");
	is_int(journal_clear(), 0, "clearing twice is fine");
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

		close(fd); /* a forked copy would share the lock */
		r = lock_take(false, &holder);

		_exit(r == -EBUSY && holder == getppid() ? 0 : 1);
	}
	waitpid(child, &st, 0);
	ok(WIFEXITED(st) && WEXITSTATUS(st) == 0,
	   "a second taker gets -EBUSY and the holder's pid");
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
		_exit(0); /* dies holding it */
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
	test_steps();
	if (open_state_dir())
		test_journal();
	else
		diag("cannot create the state directory in %s", tmp);
	test_lock();
	sd_set_dir(NULL);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", tmp);
	if (system(cmd) != 0)
		diag("cannot remove %s", tmp);
	return done_testing();
}
