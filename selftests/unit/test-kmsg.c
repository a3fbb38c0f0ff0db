// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The /dev/kmsg reader (sys/kmsg.h): the record format, which records
 * concern a module, and a refused load (engine/module.c eng_insert())
 * reporting the kernel's lines, in text and JSON mode.  The "kernel" is a
 * fake: /dev/kmsg is a regular file under KLPB_SYSFS_ROOT, and this program
 * defines syscall(), so the loader's finit_module() lands here, appends
 * what a 6.1 kernel logs for a notrace function and fails with -EINVAL.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "common/ctx.h"
#include "engine/engine.h"
#include "engine/module.h"
#include "sys/kmsg.h"
#include "tap.h"

static char root[] = "/tmp/test-kmsg.XXXXXX";
static char kmsg_path[256];
static int finit_calls;

/* what the fake kernel logs while refusing the load */
static const char refusal[] =
	"6,901,5000000,-;livepatch: enabling patch 'klpb_x_1'\n"
	"3,902,5000100,-;livepatch: failed to find location for function 'sched_clock'\n"
	"4,903,5000200,-;livepatch: failed to patch object 'vmlinux'\n"
	"4,904,5000300,-;livepatch: failed to enable patch 'klpb_x_1'\n"
	"6,905,5000400,-;e1000: eth0 link up\n"
	" SUBSYSTEM=net\n"
	" DEVICE=n2\n"
	"14,906,5000500,-;klpb_x_1: a message written by userspace\n"
	"3,907,5000600,-;klpb_x_1: bundle 'x' version 1 was not enabled: error -22 (EINVAL)\n"
	"3,908,5000700,-;klpb_x_10: another module's message\n";

static void append(const char *text)
{
	FILE *f = fopen(kmsg_path, "a");

	if (!f)
		return;
	fputs(text, f);
	fclose(f);
}

long syscall(long nr, ...)
{
	if (nr == SYS_finit_module) {
		finit_calls++;
		append(refusal);
		errno = EINVAL;
		return -1;
	}
	errno = ENOSYS;
	return -1;
}

static int parse_one(const char *s, struct km_record *rec)
{
	const char *p = s;

	return km_parse(&p, s + strlen(s), rec);
}

static void test_parse(void)
{
	static const char two[] = "6,17,123456,-,caller=T1;first\n"
				  " SUBSYSTEM=pci\n"
				  " DEVICE=+pci:0000:00:01.0\n"
				  "12,18,200,c;second \\x0a escaped";
	struct km_record rec = { 0 };
	const char *p = two, *end = two + strlen(two);

	is_int(km_parse(&p, end, &rec), 1, "a record with a caller field and continuation lines");
	is_int(rec.level, 6, "its level");
	is_int(rec.facility, 0, "its facility (the kernel)");
	is_int(rec.seq, 17, "its sequence number");
	is_int(rec.ts_usec, 123456, "its timestamp");
	ok(rec.len == 5 && memcmp(rec.text, "first", 5) == 0, "its text");
	is_int(km_parse(&p, end, &rec), 1, "the next record, after the continuation lines");
	is_int(rec.level, 4, "level of prio 12");
	is_int(rec.facility, 1, "facility of prio 12 (user)");
	ok(rec.len == 19 && memcmp(rec.text, "second \\x0a escaped", 19) == 0,
	   "a last record without a newline, escapes kept");
	is_int(km_parse(&p, end, &rec), 0, "then nothing is left");
	is_int(parse_one("6,1,2;old format\n", &rec), 1, "a header without flags");
	is_int(rec.seq, 1, "its sequence number");
	is_int(parse_one("no header at all\n", &rec), -EBADMSG, "a line without ';'");
	is_int(parse_one("x,1,2,-;text\n", &rec), -EBADMSG, "a non-numeric priority");
	is_int(parse_one("6,1;text\n", &rec), -EBADMSG, "a header without timestamp");
	is_int(parse_one("6,99999999999999999999,2,-;x\n", &rec), -EBADMSG,
	       "a sequence number that overflows");
	p = "garbage\n 6,1,2,-;continuation of garbage\n6,3,4,-;good\n";
	end = p + strlen(p);
	is_int(km_parse(&p, end, &rec), -EBADMSG, "a malformed record ...");
	is_int(km_parse(&p, end, &rec), 1, "... is skipped with its continuation lines");
	is_int(rec.seq, 3, "the good one follows");
}

static bool about(const char *line, const char *module)
{
	struct km_record rec;

	return parse_one(line, &rec) == 1 && km_about(&rec, module);
}

static void test_about(void)
{
	ok(about("3,1,1,-;livepatch: failed to find location for function 'f'\n", "m"),
	   "livepatch's lines are kept");
	ok(about("3,1,1,-;klpb_x_1: refusing\n", "klpb_x_1"), "the runtime's own prefix");
	ok(about("4,1,1,-;module klpb_x_1: bad\n", "klpb_x_1"), "the name as a word");
	ok(about("4,1,1,-;x 'klpb_x_1'\n", "klpb_x_1"), "the name in quotes at the end");
	ok(!about("3,1,1,-;klpb_x_10: other\n", "klpb_x_1"), "not a longer name");
	ok(!about("3,1,1,-;aklpb_x_1: other\n", "klpb_x_1"), "not a name ending in it");
	ok(about("3,1,1,-;klpb_x_10 klpb_x_1\n", "klpb_x_1"), "a later whole-word hit counts");
	ok(!about("14,1,1,-;klpb_x_1: from userspace\n", "klpb_x_1"), "not userspace's lines");
	ok(!about("6,1,1,-;e1000: link up\n", "klpb_x_1"), "not unrelated lines");
}

static void test_reader(void)
{
	struct km_reader r;
	char **lines;
	int n;

	unlink(kmsg_path);
	ok(km_open(&r) == -ENOENT && r.fd == -1, "no log: -ENOENT and nothing to read");
	is_int(km_collect(&r, "m", &lines), 0, "collecting from no log gives nothing");
	append("6,1,1,-;livepatch: before the mark\n");
	is_int(km_open(&r), 0, "open the fake log");
	append(refusal);
	n = km_collect(&r, "klpb_x_1", &lines);
	is_int(n, 5, "only what was logged since, about the module");
	if (n == 5) {
		is_str(lines[0], "livepatch: enabling patch 'klpb_x_1'", "first line");
		is_str(lines[1], "livepatch: failed to find location for function 'sched_clock'",
		       "the kernel's reason");
		is_str(lines[4],
		       "klpb_x_1: bundle 'x' version 1 was not enabled: error -22 (EINVAL)",
		       "the runtime's line");
	}
	km_lines_free(lines, n > 0 ? n : 0);
	is_int(km_collect(&r, "klpb_x_1", &lines), 0, "a second collection has nothing new");
	km_close(&r);
}

/* Run eng_insert() with stderr in @err (text mode); the error code returned. */
static int insert(struct klpb_ctx *ctx, char *err, size_t size)
{
	struct engine e = { .ctx = ctx, .busy_ms = 0 };
	char path[300];
	FILE *f;
	int saved = dup(STDERR_FILENO), rc;
	size_t n = 0;

	snprintf(path, sizeof(path), "%s/stderr", root);
	fflush(stderr);
	if (!freopen(path, "w", stderr))
		return -EIO;
	rc = eng_insert(&e, "ko", 2, "klpb_x_1", NULL);
	fflush(stderr);
	dup2(saved, STDERR_FILENO);
	close(saved);
	f = fopen(path, "r");
	if (f) {
		n = fread(err, 1, size - 1, f);
		fclose(f);
	}
	err[n] = '\0';
	return rc;
}

static void test_refusal(void)
{
	struct klpb_ctx ctx = { 0 };
	char err[4096];

	append("3,800,1,-;livepatch: an older line about klpb_x_1\n");
	is_int(insert(&ctx, err, sizeof(err)), -EINVAL, "the refused load returns -EINVAL");
	is_int(finit_calls, 1, "through finit_module");
	is_str(err,
	       "klp-bundle: error: the kernel refused to load 'klpb_x_1': Invalid argument\n"
	       "  kernel: livepatch: enabling patch 'klpb_x_1'\n"
	       "  kernel: livepatch: failed to find location for function 'sched_clock'\n"
	       "  kernel: livepatch: failed to patch object 'vmlinux'\n"
	       "  kernel: livepatch: failed to enable patch 'klpb_x_1'\n"
	       "  kernel: klpb_x_1: bundle 'x' version 1 was not enabled: error -22 (EINVAL)\n",
	       "text: the error, then the kernel's lines about the module");

	memset(&ctx, 0, sizeof(ctx));
	ctx.json = true;
	is_int(insert(&ctx, err, sizeof(err)), -EINVAL, "JSON mode: the same error");
	is_str(err, "", "nothing on stderr");
	is_str(ctx.err_msg, "the kernel refused to load 'klpb_x_1': Invalid argument",
	       "the error's message");
	is_int(ctx.n_err_kernel, 5, "the kernel's lines kept with it");
	if (ctx.n_err_kernel == 5)
		is_str(ctx.err_kernel[1],
		       "livepatch: failed to find location for function 'sched_clock'",
		       "the kernel's reason among them");
	for (int i = 0; i < ctx.n_err_kernel; i++)
		free(ctx.err_kernel[i]);
	free(ctx.err_kernel);
	free(ctx.err_msg);

	unlink(kmsg_path);
	memset(&ctx, 0, sizeof(ctx));
	is_int(insert(&ctx, err, sizeof(err)), -EINVAL, "no kernel log: the same error");
	is_str(err,
	       "klp-bundle: error: the kernel refused to load 'klpb_x_1': Invalid argument "
	       "(see the kernel log)\n",
	       "without the log, the error points at it");
}

int main(void)
{
	char cmd[300];

	if (!mkdtemp(root))
		return 1;
	snprintf(kmsg_path, sizeof(kmsg_path), "%s/dev/kmsg", root);
	snprintf(cmd, sizeof(cmd), "%s/dev", root);
	mkdir(cmd, 0755);
	setenv("KLPB_SYSFS_ROOT", root, 1);
	test_parse();
	test_about();
	test_reader();
	test_refusal();
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
	if (system(cmd) != 0)
		diag("cannot remove %s", root);
	return done_testing();
}
