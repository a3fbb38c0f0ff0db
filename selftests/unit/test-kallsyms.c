// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Decode synthetic kallsyms tables laid out as scripts/kallsyms.c does
 * (names, and addresses in both layouts and modes), then the installed
 * Debian image: addresses against a guest's /proc/kallsyms, and what
 * create refuses to replace (notrace, __init, data).
 */
#include <errno.h>
#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "create/kallsyms.h"
#include "create/symbols.h"
#include "sys/kernel-info.h"
#include "tap.h"
#include "util/hex.h"

#define NSYMS 3000
#define TEXT 0xffffffff81000000ull
#define NPERCPU 4 /* with absolute per-CPU symbols, the first ones */

/* Where the address table goes (scripts/kallsyms.c up to 6.3, or 6.4+). */
enum layout { NO_ADDRS, BEFORE_NAMES, AFTER_INDEX };

struct img {
	uint8_t *buf;
	size_t len;
	size_t offsets; /* where kallsyms_offsets went */
};

static void put(struct img *im, const void *p, size_t n)
{
	memcpy(im->buf + im->len, p, n);
	im->len += n;
}

static void put32(struct img *im, uint32_t v)
{
	put(im, &v, 4);
}

static void align8(struct img *im)
{
	while (im->len % 8)
		im->buf[im->len++] = 0;
}

static void sym_name(int i, char *out, size_t size)
{
	if (i == 7) /* a name longer than 127 tokens: two-byte length */
		snprintf(out, size, "t%0200d", 7);
	else
		snprintf(out, size, "%cfunc_%d", i % 5 ? 't' : 'T', i % 1000);
}

/* Symbol @i's address: per-CPU ones (absolute mode) first, then text. */
static uint64_t sym_addr(int i, bool percpu)
{
	if (percpu && i < NPERCPU)
		return 0x1000u * (unsigned int)i;
	return TEXT + 16u * (unsigned int)i;
}

/* kallsyms_offsets and kallsyms_relative_base, absolute per-CPU mode or not. */
static void put_addresses(struct img *im, bool percpu)
{
	align8(im);
	im->offsets = im->len;
	for (int i = 0; i < NSYMS; i++) {
		uint64_t a = sym_addr(i, percpu);

		if (!percpu)
			put32(im, (uint32_t)(a - TEXT));
		else if (a < TEXT)
			put32(im, (uint32_t)a);
		else
			put32(im, (uint32_t)(int32_t)(TEXT - a - 1));
	}
	align8(im);
	put(im, &(uint64_t){ TEXT }, 8);
}

/*
 * Token 0 is "zz", token c (1..255) is the character c; names are encoded
 * one token per character, except that "zz" uses token 0.
 */
static void build(struct img *im, bool big_prefix, enum layout layout, bool percpu)
{
	uint32_t markers[(NSYMS + 255) / 256];
	uint16_t index[256];
	size_t names;
	char name[256];

	im->buf = calloc(1, 1 << 20);
	im->len = 0;
	for (int i = 0; i < (big_prefix ? 5000 : 64); i++)
		put32(im, 0x12345678u * (uint32_t)i); /* unrelated data first */
	if (layout == BEFORE_NAMES)
		put_addresses(im, percpu);
	align8(im);
	put32(im, NSYMS);
	put32(im, 0);
	names = im->len;
	for (int i = 0; i < NSYMS; i++) {
		size_t n;

		if (i % 256 == 0)
			markers[i / 256] = (uint32_t)(im->len - names);
		sym_name(i, name, sizeof(name));
		n = strlen(name);
		if (n > 127) {
			im->buf[im->len++] = (uint8_t)((n & 0x7f) | 0x80);
			im->buf[im->len++] = (uint8_t)(n >> 7);
		} else {
			im->buf[im->len++] = (uint8_t)n;
		}
		put(im, name, n);
	}
	align8(im);
	put(im, markers, sizeof(markers));
	align8(im);
	{
		size_t table = im->len;

		for (int c = 0; c < 256; c++) {
			index[c] = (uint16_t)(im->len - table);
			if (c == 0)
				put(im, "zz", 3);
			else
				put(im, &(char[]){ (char)c, 0 }, 2);
		}
	}
	align8(im);
	put(im, index, sizeof(index));
	if (layout == AFTER_INDEX)
		put_addresses(im, percpu);
	put32(im, 0xdeadbeef);
}

struct seen {
	int n;
	int mismatches;
	int big;
	bool percpu; /* the addresses expected: absolute per-CPU mode */
	int bad_addrs;
	int zero_addrs;
};

static int check_sym(char type, const char *name, uint64_t addr, void *data)
{
	struct seen *s = data;
	char want[256];

	sym_name(s->n, want, sizeof(want));
	if (type != want[0] || strcmp(name, want + 1) != 0)
		s->mismatches++;
	if (!addr)
		s->zero_addrs++;
	else if (addr != sym_addr(s->n, s->percpu))
		s->bad_addrs++;
	if (strlen(name) > 127)
		s->big++;
	s->n++;
	return 0;
}

static int stop_at_ten(char type, const char *name, uint64_t addr, void *data)
{
	(void)type;
	(void)name;
	(void)addr;
	return ++*(int *)data == 10 ? -ECANCELED : 0;
}

/* Guests' /proc/kallsyms samples, one per image (each names its build-id). */
#define SAMPLES "selftests/unit/kallsyms-*.txt"

struct sample {
	FILE *f;
	uint64_t text; /* our _text */
	long index; /* of the symbol decoded next */
	long want; /* the index of the sample's next line, -1 at its end */
	int n, bad;
};

/* Compare symbol s->index with the sample's next line when it is that one. */
static int match_sample(char type, const char *name, uint64_t addr, void *data)
{
	struct sample *s = data;
	unsigned long long off;
	char t, nm[512];

	if (strcmp(name, "_text") == 0)
		s->text = addr;
	if (s->index++ != s->want)
		return 0;
	s->n++;
	if (fscanf(s->f, "%llx %c %511s", &off, &t, nm) != 3 || t != type ||
	    strcmp(nm, name) != 0 || !s->text || addr - s->text != off)
		s->bad++;
	if (fscanf(s->f, "%ld", &s->want) != 1)
		s->want = -1;
	return 0;
}

/* Is the sample from the image with build-id @id?  Leaves @f after its header. */
static bool sample_is_for(FILE *f, const struct build_id *id)
{
	char line[256], hexid[2 * BUILD_ID_MAX + 2];
	bool same = false;
	long pos = ftell(f);

	hex_encode(id->bytes, id->len, hexid);
	strcat(hexid, "\n");
	while (fgets(line, sizeof(line), f) && line[0] == '#') {
		if (strncmp(line, "# build-id ", 11) == 0)
			same = strcmp(line + 11, hexid) == 0;
		pos = ftell(f);
	}
	fseek(f, pos, SEEK_SET);
	return same;
}

/* The sample of the image with build-id @id, left after its header; NULL if none. */
static FILE *sample_open(const struct build_id *id)
{
	FILE *f = NULL;
	glob_t g;

	if (glob(SAMPLES, 0, NULL, &g) != 0)
		return NULL;
	for (size_t i = 0; !f && i < g.gl_pathc; i++) {
		f = fopen(g.gl_pathv[i], "re");
		if (f && !sample_is_for(f, id)) {
			fclose(f);
			f = NULL;
		}
	}
	globfree(&g);
	return f;
}

static void test_sample(const uint8_t *buf, size_t len, const struct build_id *id,
			const char *release)
{
	struct sample s = { .f = sample_open(id) };

	if (!s.f) {
		skip("no sample of this image", "%s: addresses against /proc/kallsyms", release);
		return;
	}
	if (fscanf(s.f, "%ld", &s.want) != 1)
		s.want = -1;
	kallsyms_foreach(buf, len, match_sample, &s);
	ok(s.n > 300 && s.bad == 0,
	   "%s: addresses relative to _text agree with a guest's /proc/kallsyms (%d of %d)",
	   release, s.n - s.bad, s.n);
	fclose(s.f);
}

/* What create is told about a few known functions of installed image @release. */
static void test_installed_image(const char *release)
{
	static const struct {
		const char *name;
		unsigned int flags;
		const char *what;
	} known[] = {
		{ "cmdline_proc_show", SYMTAB_FUNC, "a patchable function" },
		{ "sched_clock", SYMTAB_FUNC | SYMTAB_NOTRACE, "notrace: no ftrace location" },
		{ "start_kernel", SYMTAB_FUNC | SYMTAB_INIT, "__init" },
		{ "jiffies", 0, "data" },
	};
	struct build_id id = {};
	struct symtab *t = NULL;
	uint8_t *buf = NULL;
	char image[256];
	size_t len;

	snprintf(image, sizeof(image), "/boot/vmlinuz-%s", release);
	if (access(image, R_OK) != 0 || kernel_image_load(image, &buf, &len)) {
		skip("no installed kernel image", "%s: the image's addresses and flags", release);
		free(buf);
		return;
	}
	is_int(elf_build_id(buf, len, &id), 0, "%s: the image has a build-id", release);
	test_sample(buf, len, &id, release);
	is_int(symtab_from_vmlinux(buf, len, &t), 0, "%s: its symbols read", release);
	for (size_t i = 0; t && i < sizeof(known) / sizeof(known[0]); i++)
		is_int(symtab_flags(t, known[i].name, 1), known[i].flags, "%s: %s: %s", release,
		       known[i].name, known[i].what);
	symtab_free(t);
	free(buf);
}

/* Every installed series' newest image (tools/kver --all). */
static void test_installed_images(void)
{
	FILE *p = popen("KVER= tools/kver --all 2>/dev/null", "r");
	char release[128];
	int n = 0;

	while (p && fgets(release, sizeof(release), p)) {
		release[strcspn(release, "\n")] = '\0';
		test_installed_image(release);
		n++;
	}
	if (p)
		pclose(p);
	if (n == 0)
		skip("no installed kernel", "the installed images' addresses and flags");
}

static void test_addresses(enum layout layout, bool percpu, const char *what)
{
	struct seen s = { .percpu = percpu };
	struct img im;

	build(&im, false, layout, percpu);
	is_int(kallsyms_foreach(im.buf, im.len, check_sym, &s), NSYMS, "%s: every symbol found",
	       what);
	is_int(s.mismatches, 0, "%s: names decode", what);
	/* symbol 0 of the absolute mode is at address 0, like fixed_percpu_data */
	is_int(s.zero_addrs, percpu ? 1 : 0, "%s: addresses found", what);
	is_int(s.bad_addrs, 0, "%s: every address decodes exactly", what);

	/* symbol 100 before symbol 99: not sorted, so not an address table */
	im.buf[im.offsets + 4 * 100 + 1] ^= percpu ? 0x08 : 0xf0;
	s = (struct seen){ .percpu = percpu };
	is_int(kallsyms_foreach(im.buf, im.len, check_sym, &s), NSYMS,
	       "%s, unsorted addresses: the names still decode", what);
	is_int(s.zero_addrs, NSYMS, "%s, unsorted addresses: none reported", what);
	free(im.buf);
}

int main(void)
{
	struct seen s = {};
	struct img im;
	int calls = 0;

	build(&im, false, NO_ADDRS, false);
	is_int(kallsyms_foreach(im.buf, im.len, check_sym, &s), NSYMS, "every symbol found");
	is_int(s.n, NSYMS, "the callback ran once per symbol");
	is_int(s.mismatches, 0, "types and names decode exactly, in order");
	is_int(s.big, 1, "a name over 127 tokens (two-byte length) decodes");
	is_int(s.zero_addrs, NSYMS, "without an address table every address is 0");
	is_int(kallsyms_foreach(im.buf, im.len, stop_at_ten, &calls), -ECANCELED,
	       "a callback error stops the walk and is returned");

	im.buf[im.len - 4 - 512 + 2 * 'f'] ^= 0x01; /* corrupt token_index['f'] */
	is_int(kallsyms_foreach(im.buf, im.len, check_sym, &s), -ENOENT,
	       "a corrupt token index: no tables found");
	free(im.buf);

	memset(&s, 0, sizeof(s));
	build(&im, true, NO_ADDRS, false);
	is_int(kallsyms_foreach(im.buf, im.len, check_sym, &s), NSYMS,
	       "found after 20 KiB of other data");
	/* markers[1] (12 markers, then the 520-byte table and the index) */
	im.buf[im.len - 4 - 512 - 520 - 48 + 4] ^= 0x10;
	is_int(kallsyms_foreach(im.buf, im.len, check_sym, &s), -ENOENT,
	       "markers that disagree with the names: not found");
	free(im.buf);

	is_int(kallsyms_foreach((const uint8_t *)"short", 5, check_sym, &s), -ENOENT,
	       "a tiny buffer: -ENOENT");

	test_addresses(BEFORE_NAMES, true, "6.1 layout, absolute per-CPU");
	test_addresses(BEFORE_NAMES, false, "6.1 layout, relative only");
	test_addresses(AFTER_INDEX, true, "6.4 layout, absolute per-CPU");
	test_addresses(AFTER_INDEX, false, "6.4 layout, relative only");
	test_installed_images();
	return done_testing();
}
