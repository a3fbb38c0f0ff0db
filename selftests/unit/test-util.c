// SPDX-License-Identifier: LGPL-2.1-or-later
/* The utility layer: util/file.h, util/strbuf.h, util/hex.h, util/time.h. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tap.h"
#include "util/file.h"
#include "util/hex.h"
#include "util/strbuf.h"
#include "util/time.h"

static char dir[] = "/tmp/test-util.XXXXXX";

/* @name inside the test directory, in a static buffer. */
static const char *at(const char *name)
{
	static char path[256];

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	return path;
}

static void put(const char *name, const void *data, size_t len)
{
	int fd = open(at(name), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);

	if (fd < 0 || write_all(fd, data, len) < 0)
		diag("cannot write %s", name);
	if (fd >= 0)
		close(fd);
}

/* The number of entries in the test directory (but . and ..). */
static int entries(void)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int n = 0;

	while (d && (e = readdir(d)))
		n += strcmp(e->d_name, ".") && strcmp(e->d_name, "..");
	if (d)
		closedir(d);
	return n;
}

static void test_reader(void)
{
	static const char text[] = "line one\nline two\n";
	uint8_t *buf = (uint8_t *)"untouched";
	size_t len = 99;

	put("empty", "", 0);
	is_int(read_file(at("empty"), &buf, &len), 0, "an empty file reads");
	is_int(len, 0, "as 0 bytes");
	is_int(buf[0], 0, "followed by a NUL");
	free(buf);

	put("text", text, strlen(text));
	is_int(read_file(at("text"), &buf, &len), 0, "a text file reads");
	is_int(len, strlen(text), "every byte of it");
	is_str((char *)buf, text, "the bytes, NUL-terminated");
	free(buf);

	is_int(read_file_capped(at("text"), strlen(text), &buf, &len), 0,
	       "a file of exactly the cap reads");
	free(buf);
	buf = (uint8_t *)"untouched";
	len = 99;
	is_int(read_file_capped(at("text"), strlen(text) - 1, &buf, &len), -EFBIG,
	       "one byte over the cap is -EFBIG");
	ok(strcmp((char *)buf, "untouched") == 0 && len == 99, "and sets nothing");
	is_int(read_file_capped(at("empty"), 0, &buf, &len), 0, "a cap of 0 reads an empty file");
	free(buf);
	is_int(read_file(at("missing"), &buf, &len), -ENOENT, "a missing file is -ENOENT");
	is_int(read_file(dir, &buf, &len), -EISDIR, "a directory is -EISDIR");
}

/* A pipe has no size: the reader grows its buffer and still honours the cap. */
static void test_reader_pipe(void)
{
	static char big[20000];
	uint8_t *buf = NULL;
	size_t len = 0;
	int p[2];

	memset(big, 'x', sizeof(big));
	big[sizeof(big) - 1] = 'y';
	if (pipe(p) < 0 || write_all(p[1], big, sizeof(big)) < 0)
		diag("pipe failed");
	close(p[1]);
	is_int(read_fd_capped(p[0], sizeof(big), &buf, &len), 0, "a pipe of 20000 bytes reads");
	ok(len == sizeof(big) && buf && memcmp(buf, big, len) == 0 && buf[len] == 0,
	   "all of it, NUL-terminated");
	free(buf);
	close(p[0]);

	if (pipe(p) < 0 || write_all(p[1], big, sizeof(big)) < 0)
		diag("pipe failed");
	close(p[1]);
	is_int(read_fd_capped(p[0], 5000, &buf, &len), -EFBIG, "a pipe over the cap is -EFBIG");
	close(p[0]);
}

static void test_writer(void)
{
	uint8_t *buf = NULL;
	struct stat st;
	size_t len = 0;

	is_int(write_file_atomic(at("out"), "first", 5, 0640, false), 0, "write a new file");
	ok(read_file(at("out"), &buf, &len) == 0 && len == 5 && memcmp(buf, "first", 5) == 0,
	   "it holds the bytes");
	free(buf);
	ok(stat(at("out"), &st) == 0 && (st.st_mode & 07777) == 0640, "with the mode asked for");

	is_int(write_file_atomic(at("out"), "second", 6, 0600, false), 0, "replace it");
	ok(read_file(at("out"), &buf, &len) == 0 && len == 6 && memcmp(buf, "second", 6) == 0,
	   "the new bytes replace the old");
	free(buf);
	ok(stat(at("out"), &st) == 0 && (st.st_mode & 07777) == 0600, "and the new mode");

	is_int(write_file_atomic(at("out"), "third", 5, 0600, true), -EEXIST,
	       "no_replace refuses an existing file");
	ok(read_file(at("out"), &buf, &len) == 0 && len == 6 && memcmp(buf, "second", 6) == 0,
	   "which keeps its bytes");
	free(buf);
	is_int(write_file_atomic(at("new"), "", 0, 0644, true), 0, "no_replace writes a new file");
	ok(stat(at("new"), &st) == 0 && st.st_size == 0, "an empty one");

	is_int(write_file_atomic(at("no/such/dir"), "x", 1, 0644, false), -ENOENT,
	       "a missing directory is -ENOENT");
	is_int(entries(), 4, "no temporary file is left behind (empty, text, out, new)");
}

static void test_strbuf(void)
{
	struct strbuf sb;
	char *s;

	strbuf_init(&sb);
	ok(sb.buf && sb.buf[0] == '\0' && sb.len == 0, "a new strbuf is the empty string");
	s = strbuf_detach(&sb);
	is_str(s, "", "detaching it gives an allocated empty string");
	free(s);

	is_int(strbuf_add(&sb, "abc", 3), 0, "add");
	is_int(strbuf_addf(&sb, "/%s/%d", "dir", 42), 0, "addf");
	is_str(sb.buf, "abc/dir/42", "the string so far");
	is_int(sb.len, 10, "and its length");
	for (int i = 0; i < 1000; i++)
		if (strbuf_addf(&sb, "%04d", i) < 0)
			break;
	is_int(sb.len, 10 + 4000, "a thousand addf grow it");
	ok(sb.alloc > sb.len && sb.buf[sb.len] == '\0', "it stays NUL-terminated");
	is_str(sb.buf + sb.len - 8, "09980999", "with the last ones at the end");
	strbuf_release(&sb);
	ok(sb.len == 0 && sb.alloc == 0 && sb.buf[0] == '\0', "release empties it");

	is_int(strbuf_addf(&sb, "%s", ""), 0, "an empty addf");
	is_int(strbuf_addf(&sb, "%0300d", 7), 0, "an addf longer than the first allocation");
	ok(sb.len == 300 && sb.buf[0] == '0' && sb.buf[299] == '7', "is written whole");
	s = strbuf_detach(&sb);
	ok(s && strlen(s) == 300 && sb.len == 0 && sb.alloc == 0, "detach hands it over");
	free(s);
}

static void test_hex(void)
{
	const uint8_t id[] = { 0x00, 0x7f, 0xab, 0xff };
	uint8_t back[4];
	char s[9];

	hex_encode(id, sizeof(id), s);
	is_str(s, "007fabff", "encode is lowercase, two digits per byte");
	is_int(hex_decode("007FABff", back, sizeof(back)), 0, "decode takes either case");
	is_mem(back, id, sizeof(id), "decode gives the bytes back");
	is_int(hex_decode("007fab", back, sizeof(back)), -EINVAL, "too short is -EINVAL");
	is_int(hex_decode("007fabff00", back, sizeof(back)), -EINVAL, "too long is -EINVAL");
	is_int(hex_decode("007fabfg", back, sizeof(back)), -EINVAL, "a non-hex digit is -EINVAL");
	hex_encode(id, 0, s);
	is_str(s, "", "zero bytes encode to the empty string");
}

static void test_time(void)
{
	long long start = now_ms();

	sleep_ms(20);
	ok(now_ms() - start >= 20, "sleep_ms(20) takes at least 20 ms of now_ms()");
}

int main(void)
{
	char cmd[300];

	if (!mkdtemp(dir))
		return 99;
	test_reader();
	test_reader_pipe();
	test_writer();
	test_strbuf();
	test_hex();
	test_time();
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	if (system(cmd) != 0)
		diag("cleanup failed");
	return done_testing();
}
