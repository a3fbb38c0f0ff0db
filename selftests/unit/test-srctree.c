// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * test-srctree - the source cache of create --patch: Built-Using parsing,
 * config comparison, the lock, stale directories, and srctree_open() end
 * to end with a tiny fake kernel tree packaged as a real .deb, fake
 * dpkg-query / apt-get / compiler on $PATH (no network) and the real make,
 * tar and dpkg-deb.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "create/srctree.h"
#include "tap.h"

static char tdir[] = "/tmp/test-srctree.XXXXXX";
static char path_fakes[600], path_bare[600];

#define VER "9.9.1-1"

static void write_text(const char *path, const char *text, mode_t mode)
{
	FILE *f = fopen(path, "w");

	if (f) {
		fputs(text, f);
		fclose(f);
	}
	chmod(path, mode);
}

/* "@tdir/@rel" (four buffers in turn). */
static char *tpath(const char *rel)
{
	static char buf[4][600];
	static int i;

	i = (i + 1) % 4;
	snprintf(buf[i], sizeof(buf[i]), "%s/%s", tdir, rel);
	return buf[i];
}

static bool exists(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0;
}

/* system(@cmd) with each '@' replaced by the test directory. */
static int sh(const char *cmd)
{
	char buf[2000];
	size_t n = 0;

	for (const char *c = cmd; *c && n < sizeof(buf) - sizeof(tdir); c++) {
		if (*c == '@') {
			memcpy(buf + n, tdir, strlen(tdir));
			n += strlen(tdir);
		} else {
			buf[n++] = *c;
		}
	}
	buf[n] = '\0';
	return system(buf);
}

/* Lines in a file (0 when missing). */
static int count_lines(const char *path)
{
	FILE *f = fopen(path, "r");
	int n = 0, c;

	while (f && (c = fgetc(f)) != EOF)
		n += c == '\n';
	if (f)
		fclose(f);
	return n;
}

static const char fake_makefile[] =
	"olddefconfig:\n"
	"\t@echo olddefconfig $(KERNELRELEASE) $(CC) $(RUSTC) >> $(KLPB_TEST_MAKE_LOG)\n"
	"\tsed -i '/^CONFIG_DROPPED_BY_OLDDEFCONFIG=/d' .config\n"
	"modules_prepare:\n"
	"\ttest -z \"$(KLPB_TEST_SLEEP)\" || sleep $(KLPB_TEST_SLEEP)\n"
	"\t@test \"$(KERNELRELEASE)\" != 9.9.0-1-fail || "
	"{ echo klpbtest build failure; exit 1; }\n"
	"\tmkdir -p include/generated include/config scripts/mod\n"
	"\techo '#define UTS_RELEASE \"$(KERNELRELEASE)\"' > include/generated/utsrelease.h\n"
	"\tcp .config include/config/auto.conf\n"
	"\ttouch scripts/mod/modpost\n";

static const char fake_dpkg_query[] =
	"#!/bin/sh\n"
	"case $2 in\n"
	"-f=\\${Package}*)\n"
	"\tshift 2\n"
	"\tfor p; do case $p in\n"
	"\tlinux-image-none*|*-unsigned) ;;\n"
	"\t*) echo \"$p installed gcc-9 (= 9.1-1), linux (= " VER ")\" ;;\n"
	"\tesac; done\n"
	"\techo 'dpkg-query: no packages found matching x' >&2; exit 1 ;;\n"
	"*) exit 1 ;;\n"
	"esac\n";

static const char config_text[] = "#\n# Automatically generated file; DO NOT EDIT.\n"
				  "CONFIG_CC_VERSION_TEXT=\"klpbtest-gcc-9 (Test 9.1-1) 9.1.0\"\n"
				  "CONFIG_A=y\n# CONFIG_B is not set\nCONFIG_C=\"x y\"\n";

/* The fake tree, its .deb, the fake commands and the headers' .config. */
static int make_fixture(void)
{
	char fake_apt[800];
	int rc = 0;

	mkdir(tpath("bin"), 0755);
	mkdir(tpath("bare"), 0755);
	mkdir(tpath("kdir"), 0755);
	mkdir(tpath("kdir-drop"), 0755);
	rc |= sh("mkdir -p @/src/linux-source-9.9 @/pkg/usr/src @/pkg/DEBIAN");
	write_text(tpath("src/linux-source-9.9/Makefile"), fake_makefile, 0644);
	write_text(tpath("src/linux-source-9.9/Kconfig"), "", 0644);
	write_text(tpath("pkg/DEBIAN/control"),
		   "Package: linux-source-9.9\nVersion: " VER "\nArchitecture: all\n"
		   "Maintainer: test <t@example.org>\nDescription: test tree\n",
		   0644);
	rc |= sh("tar -cJf @/pkg/usr/src/linux-source-9.9.tar.xz -C @/src linux-source-9.9");
	rc |= sh("dpkg-deb -b --root-owner-group @/pkg @/linux-source-9.9_" VER "_all.deb "
		 ">/dev/null");
	write_text(tpath("bin/dpkg-query"), fake_dpkg_query, 0755);
	write_text(tpath("bare/dpkg-query"), fake_dpkg_query, 0755);
	snprintf(fake_apt, sizeof(fake_apt),
		 "#!/bin/sh\necho \"$*\" >> %s/apt.log\n"
		 "[ \"$3\" = linux-source-9.9=" VER " ] || exit 100\n"
		 "cp %s/linux-source-9.9_" VER "_all.deb .\n",
		 tdir, tdir);
	write_text(tpath("bin/apt-get"), fake_apt, 0755);
	write_text(tpath("bin/flex"), "#!/bin/sh\n", 0755);
	write_text(tpath("bin/bison"), "#!/bin/sh\n", 0755);
	write_text(tpath("bin/bc"), "#!/bin/sh\n", 0755);
	write_text(tpath("bin/klpbtest-gcc-9"), "#!/bin/sh\n", 0755);
	write_text(tpath("kdir/.config"), config_text, 0644);
	sh("cp @/kdir/.config @/kdir-drop/.config && "
	   "echo CONFIG_DROPPED_BY_OLDDEFCONFIG=y >> @/kdir-drop/.config");
	snprintf(path_fakes, sizeof(path_fakes), "%s/bin:/usr/bin:/bin", tdir);
	snprintf(path_bare, sizeof(path_bare), "%s/bare", tdir);
	setenv("PATH", path_fakes, 1);
	setenv("KLPB_CACHE_DIR", tpath("cache"), 1);
	setenv("KLPB_TEST_MAKE_LOG", tpath("make.log"), 1);
	return rc;
}

static void test_parse(void)
{
	char *v = NULL, *s = NULL;

	is_int(srctree_parse_built_using("linux (= 6.1.192-3)", &v), 0, "built-using: plain");
	is_str(v, "6.1.192-3", "built-using: its version");
	free(v);
	is_int(srctree_parse_built_using("gcc-12 (= 12.2.0-14), linux-6.12 (= 6.12.117-1~deb12u1)",
					 &v),
	       0, "built-using: linux-X.Y after another source");
	is_str(v, "6.12.117-1~deb12u1", "built-using: the linux one");
	free(v);
	is_int(srctree_parse_built_using("linux-signed-amd64 (= 1.2), gcc-12 (= 12.2.0)", &v),
	       -ENOENT, "built-using: no linux source");
	is_int(srctree_parse_built_using("", &v), -ENOENT, "built-using: empty");
	is_int(srctree_parse_built_using("linux (= 6.1", &v), -ENOENT, "built-using: truncated");

	is_int(srctree_parse_image_query("linux-image-6.1.0-57-amd64 installed linux (= 6.1.192-3)\n"
					 "dpkg-query: no packages found matching x\n",
					 "6.1.0-57-amd64", &v),
	       0, "image query: the image package");
	is_str(v, "6.1.192-3", "image query: its version");
	free(v);
	is_int(srctree_parse_image_query(
		       "linux-image-6.1.0-57-amd64 config-files linux (= 6.1.1-1)\n"
		       "linux-image-6.1.0-57-amd64-unsigned installed linux (= "
		       "6.1.192-2)\n",
		       "6.1.0-57-amd64", &v),
	       0, "image query: a removed image is skipped for the -unsigned one");
	is_str(v, "6.1.192-2", "image query: the installed one's version");
	free(v);
	is_int(srctree_parse_image_query(
		       "linux-image-6.1.0-57-amd64-dbg installed linux (= 6.1.1)\n",
		       "6.1.0-57-amd64", &v),
	       -ENOENT, "image query: another package does not count");
	is_int(srctree_parse_image_query("dpkg-query: no packages found matching x\n", "6.1", &v),
	       -ENOENT, "image query: nothing installed");

	is_int(srctree_series("6.12.117-1~deb12u1", &s), 0, "series: 6.12");
	is_str(s, "6.12", "series: value");
	free(s);
	is_int(srctree_series("1:6.1.192-3", &s), 0, "series: with an epoch");
	is_str(s, "6.1", "series: epoch dropped");
	free(s);
	is_int(srctree_series("6", &s), -EINVAL, "series: no minor number");
	is_int(srctree_series("x.y", &s), -EINVAL, "series: not a version");

	setenv("KLPB_CACHE_DIR", "/some/where", 1);
	srctree_cache_dir(&s);
	is_str(s, "/some/where", "cache dir: $KLPB_CACHE_DIR");
	free(s);
	unsetenv("KLPB_CACHE_DIR");
	srctree_cache_dir(&s);
	is_str(s, "/var/cache/klp-bundle", "cache dir: default");
	free(s);
}

static int diff(const char *a, const char *b, char **summary)
{
	return srctree_config_diff(a, strlen(a), b, strlen(b), summary);
}

static void test_config_diff(void)
{
	char *s = NULL;

	is_int(diff(config_text,
		    "CONFIG_C=\"x y\"\n# other comment\nCONFIG_CC_VERSION_TEXT="
		    "\"klpbtest-gcc-9 (Test 9.1-1) 9.1.0\"\n\nCONFIG_A=y\n",
		    &s),
	       0, "config: comments, blank lines and order do not count");
	ok(!s, "config: no summary when equal");
	is_int(diff("CONFIG_A=y\nCONFIG_B=m\nCONFIG_D=1\n", "CONFIG_A=m\nCONFIG_C=y\nCONFIG_D=1\n",
		    &s),
	       3, "config: a changed, a dropped and a new option");
	ok(s && strstr(s, "CONFIG_A: y in the headers, m in the tree"),
	   "config: changed value named");
	ok(s && strstr(s, "CONFIG_B: m in the headers, unset in the tree"),
	   "config: dropped named");
	ok(s && strstr(s, "CONFIG_C: unset in the headers, y in the tree"), "config: new named");
	diag("summary: %s", s ? s : "(null)");
	free(s);
	s = NULL;
	is_int(diff("CONFIG_A=y\n", "# CONFIG_A is not set\n", &s), 1,
	       "config: set vs 'is not set' differs");
	free(s);
	s = NULL;
	{
		char big[4000] = "", line[40];

		for (int i = 0; i < 20; i++) {
			snprintf(line, sizeof(line), "CONFIG_X%02d=y\n", i);
			strcat(big, line);
		}
		is_int(diff(big, "", &s), 20, "config: every difference counted");
		ok(s && strstr(s, ", ...") && !strstr(s, "CONFIG_X19"),
		   "config: the summary is capped");
		free(s);
	}
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void test_lock(struct klpb_ctx *ctx)
{
	char *lock = tpath("test.lock");
	int fds[2], fd;
	double t0;
	pid_t pid;
	char c;

	if (pipe(fds) < 0)
		return;
	pid = fork();
	if (pid == 0) {
		int l = open(lock, O_RDWR | O_CREAT, 0644);

		flock(l, LOCK_EX);
		if (write(fds[1], "x", 1) != 1)
			_exit(1);
		usleep(800 * 1000);
		_exit(0);
	}
	if (read(fds[0], &c, 1) != 1)
		return;
	t0 = now();
	fd = srctree_lock(ctx, lock, "the test tree");
	ok(fd >= 0, "lock: taken after the holder let go");
	ok(now() - t0 > 0.5, "lock: waited for the holder (%.2f s)", now() - t0);
	waitpid(pid, NULL, 0);
	pid = fork();
	if (pid == 0)
		_exit(flock(open(lock, O_RDWR), LOCK_EX | LOCK_NB) == 0 ? 0 : 1);
	{
		int st = 0;

		waitpid(pid, &st, 0);
		is_int(WEXITSTATUS(st), 1, "lock: held against another process");
	}
	close(fd);
	close(fds[0]);
	close(fds[1]);
}

static void test_remove_stale(struct klpb_ctx *ctx)
{
	sh("mkdir -p @/st/v.tmp.1/a/b @/st/v.tmp.2 @/st/v.tmpx @/st/w.tmp.3");
	write_text(tpath("st/v.tmp.1/a/b/f"), "x", 0444);
	is_int(srctree_remove_stale(ctx, tpath("st/v")), 2, "stale: two removed");
	ok(!exists(tpath("st/v.tmp.1")) && !exists(tpath("st/v.tmp.2")),
	   "stale: both gone, with their contents");
	ok(exists(tpath("st/v.tmpx")) && exists(tpath("st/w.tmp.3")), "stale: other names kept");
}

static int open_tree(struct klpb_ctx *ctx, const char *release, const char *kdir,
		     const char *source, struct srctree *t)
{
	free(ctx->err_msg);
	*ctx = (struct klpb_ctx){ .json = true };
	return srctree_open(ctx, release, tpath(kdir), source, t);
}

static int count_tmp(const char *release)
{
	char cmd[900];

	snprintf(cmd, sizeof(cmd), "test -z \"$(ls -d %s/cache/src/%s/*.tmp.* 2>/dev/null)\"", tdir,
		 release);
	return system(cmd) == 0 ? 0 : 1;
}

static void test_open(struct klpb_ctx *ctx)
{
	const char *r = "9.9.0-1-test";
	char *final = tpath("cache/src/9.9.0-1-test/" VER);
	struct srctree t = { 0 };
	int rc;

	rc = open_tree(ctx, r, "kdir", NULL, &t);
	is_int(rc, 0, "open: downloaded, unpacked, prepared");
	if (rc)
		diag("%s", ctx->err_msg ? ctx->err_msg : "");
	is_str(t.dir, final, "open: the tree's place in the cache");
	is_str(t.version, VER, "open: the version from Built-Using");
	is_str(t.cc, "klpbtest-gcc-9", "open: the compiler of CONFIG_CC_VERSION_TEXT");
	ok(exists(tpath("cache/src/9.9.0-1-test/" VER "/" SRCTREE_STAMP)), "open: stamped");
	ok(exists(tpath("cache/src/9.9.0-1-test/" VER "/include/generated/utsrelease.h")),
	   "open: modules_prepare ran");
	ok(!exists(tpath("cache/src/9.9.0-1-test/" VER "/.klpb-download")),
	   "open: the download is gone");
	is_int(count_tmp(r), 0, "open: no build directory left");
	is_int(count_lines(tpath("apt.log")), 1, "open: one apt-get download");
	is_int(system("grep -qx 'olddefconfig 9.9.0-1-test klpbtest-gcc-9 klpb-no-rustc' \"$KLPB_TEST_MAKE_LOG\""),
	       0, "open: make ran with CC, KERNELRELEASE and no rustc");
	is_str(t.make_vars[0], "CC=klpbtest-gcc-9", "open: make_vars CC");
	is_str(t.make_vars[1], "KERNELRELEASE=9.9.0-1-test", "open: make_vars KERNELRELEASE");
	is_str(t.make_vars[2], "RUSTC=klpb-no-rustc", "open: make_vars RUSTC (built without Rust)");
	ok(!t.make_vars[3], "open: make_vars ends");
	srctree_free(&t);

	rc = open_tree(ctx, r, "kdir", NULL, &t);
	is_int(rc, 0, "open again: the cached tree");
	is_int(count_lines(tpath("make.log")), 1, "open again: nothing prepared");
	is_int(count_lines(tpath("apt.log")), 1, "open again: nothing downloaded");
	srctree_free(&t);

	/* an unstamped tree (as after a bug or a hand-made copy) and a stale build dir */
	unlink(tpath("cache/src/9.9.0-1-test/" VER "/" SRCTREE_STAMP));
	sh("mkdir -p @/cache/src/9.9.0-1-test/" VER ".tmp.99999/junk");
	rc = open_tree(ctx, r, "kdir", NULL, &t);
	is_int(rc, 0, "unstamped: prepared again");
	is_int(count_lines(tpath("make.log")), 2, "unstamped: not trusted");
	is_int(count_tmp(r), 0, "unstamped: the stale build dir removed");
	srctree_free(&t);
}

static void test_refusals(struct klpb_ctx *ctx)
{
	struct srctree t = { 0 };
	int rc;

	rc = open_tree(ctx, "9.9.0-1-drop", "kdir-drop", NULL, &t);
	is_int(rc, -EINVAL, "config changed by olddefconfig: refused");
	ok(ctx->err_msg && strstr(ctx->err_msg, "CONFIG_DROPPED_BY_OLDDEFCONFIG"),
	   "config changed: the option named");
	ok(!exists(tpath("cache/src/9.9.0-1-drop/" VER)), "config changed: nothing trusted");
	is_int(count_tmp("9.9.0-1-drop"), 0, "config changed: build dir removed");

	rc = open_tree(ctx, "9.9.0-1-fail", "kdir", NULL, &t);
	is_int(rc, -ENOEXEC, "failed make: refused");
	ok(ctx->err_msg && strstr(ctx->err_msg, "make modules_prepare failed") &&
		   strstr(ctx->err_msg, "klpbtest build failure"),
	   "failed make: the step and the log's tail shown");
	ok(exists(tpath("cache/src/9.9.0-1-fail/" VER ".failed.log")), "failed make: the log kept");
	ok(!exists(tpath("cache/src/9.9.0-1-fail/" VER)), "failed make: nothing trusted");

	rc = open_tree(ctx, "none", "kdir", NULL, &t);
	is_int(rc, -ENOENT, "no image package: refused");
	ok(ctx->err_msg && strstr(ctx->err_msg, "'linux-image-none'") &&
		   strstr(ctx->err_msg, "--source"),
	   "no image package: named, --source suggested");

	setenv("PATH", path_bare, 1);
	rc = open_tree(ctx, "9.9.0-1-bare", "kdir", NULL, &t);
	setenv("PATH", path_fakes, 1);
	is_int(rc, -ENOENT, "missing tools: refused");
	ok(ctx->err_msg && strstr(ctx->err_msg, "cannot prepare") && strstr(ctx->err_msg, "flex") &&
		   strstr(ctx->err_msg, "bison") && strstr(ctx->err_msg, "klpbtest-gcc-9") &&
		   strstr(ctx->err_msg, "apt-get install"),
	   "missing tools: 'cannot prepare', each named with its package");
	diag("%s", ctx->err_msg ? ctx->err_msg : "");
}

/* kill -9 in the middle of a prepare: nothing trusted; the next one waits, cleans, prepares. */
static void test_kill(struct klpb_ctx *ctx)
{
	const char *r = "9.9.0-1-kill";
	struct srctree t = { 0 };
	double t0;
	pid_t pid;
	int rc;

	setenv("KLPB_TEST_SLEEP", "2", 1);
	pid = fork();
	if (pid == 0) {
		struct klpb_ctx c = { .json = true };

		_exit(srctree_open(&c, r, tpath("kdir"), NULL, &t) ? 1 : 0);
	}
	for (int i = 0; i < 200 && system("grep -q 'olddefconfig 9.9.0-1-kill' "
					  "\"$KLPB_TEST_MAKE_LOG\"") != 0;
	     i++)
		usleep(50 * 1000);
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	unsetenv("KLPB_TEST_SLEEP");
	ok(!exists(tpath("cache/src/9.9.0-1-kill/" VER)), "killed: nothing trusted");
	is_int(count_tmp(r), 1, "killed: its build dir is left");
	t0 = now();
	rc = open_tree(ctx, r, "kdir", NULL, &t);
	is_int(rc, 0, "after the kill: prepared");
	ok(now() - t0 > 0.5, "after the kill: waited for the orphaned make (%.2f s)", now() - t0);
	is_int(count_tmp(r), 0, "after the kill: the stale build dir removed");
	srctree_free(&t);
}

static void test_source_dir(struct klpb_ctx *ctx)
{
	struct srctree t = { 0 };
	char user[600];
	int rc, before;

	snprintf(user, sizeof(user), "%s", tpath("user"));
	sh("cp -r @/src/linux-source-9.9 @/user");
	before = count_lines(tpath("make.log"));
	rc = open_tree(ctx, "9.9.0-1-test", "kdir", user, &t);
	is_int(rc, 0, "--source: prepared in place");
	is_str(t.dir, user, "--source: the tree is the user's");
	is_str(t.version, VER, "--source: the version from dpkg");
	ok(exists(tpath("user/include/generated/utsrelease.h")), "--source: modules_prepare ran");
	is_int(count_lines(tpath("make.log")), before + 1, "--source: one prepare");
	srctree_free(&t);
	rc = open_tree(ctx, "9.9.0-1-test", "kdir", user, &t);
	is_int(rc, 0, "--source again: ok");
	is_int(count_lines(tpath("make.log")), before + 1, "--source again: already prepared");
	srctree_free(&t);
	sh("echo CONFIG_USER_OWN=y >> @/user/.config");
	rc = open_tree(ctx, "9.9.0-1-test", "kdir", user, &t);
	is_int(rc, -EINVAL, "--source with another config: refused");
	ok(ctx->err_msg && strstr(ctx->err_msg, "CONFIG_USER_OWN"), "--source: the option named");
	rc = open_tree(ctx, "9.9.0-1-test", "kdir", tpath("bin"), &t);
	is_int(rc, -ENOENT, "--source not a kernel tree: refused");
}

int main(void)
{
	struct klpb_ctx ctx = { .json = true };

	if (!mkdtemp(tdir))
		return 99;
	test_parse();
	test_config_diff();
	if (make_fixture()) {
		skip("cannot build the fake tree's .deb (dpkg-deb, tar, xz)", "fixture");
		return done_testing();
	}
	test_lock(&ctx);
	test_remove_stale(&ctx);
	test_open(&ctx);
	test_refusals(&ctx);
	test_kill(&ctx);
	test_source_dir(&ctx);
	free(ctx.err_msg);
	sh("rm -rf @");
	return done_testing();
}
