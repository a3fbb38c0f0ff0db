// SPDX-License-Identifier: GPL-2.0-or-later
/* Decode synthetic kallsyms tables laid out as scripts/kallsyms.c does. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "create/kallsyms.h"
#include "tap.h"

#define NSYMS 3000

struct img {
	uint8_t *buf;
	size_t len;
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

/*
 * Token 0 is "zz", token c (1..255) is the character c; names are encoded
 * one token per character, except that "zz" uses token 0.
 */
static void build(struct img *im, bool big_prefix)
{
	uint32_t markers[(NSYMS + 255) / 256];
	uint16_t index[256];
	size_t names;
	char name[256];

	im->buf = calloc(1, 1 << 20);
	im->len = 0;
	for (int i = 0; i < (big_prefix ? 5000 : 64); i++)
		put32(im, 0x12345678u * (uint32_t)i); /* unrelated data first */
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
	put32(im, 0xdeadbeef);
}

struct seen {
	int n;
	int mismatches;
	int big;
};

static int check_sym(char type, const char *name, void *data)
{
	struct seen *s = data;
	char want[256];

	sym_name(s->n, want, sizeof(want));
	if (type != want[0] || strcmp(name, want + 1) != 0)
		s->mismatches++;
	if (strlen(name) > 127)
		s->big++;
	s->n++;
	return 0;
}

static int stop_at_ten(char type, const char *name, void *data)
{
	(void)type;
	(void)name;
	return ++*(int *)data == 10 ? -ECANCELED : 0;
}

int main(void)
{
	struct seen s = {};
	struct img im;
	int calls = 0;

	build(&im, false);
	is_int(kallsyms_foreach(im.buf, im.len, check_sym, &s), NSYMS, "every symbol found");
	is_int(s.n, NSYMS, "the callback ran once per symbol");
	is_int(s.mismatches, 0, "types and names decode exactly, in order");
	is_int(s.big, 1, "a name over 127 tokens (two-byte length) decodes");
	is_int(kallsyms_foreach(im.buf, im.len, stop_at_ten, &calls), -ECANCELED,
	       "a callback error stops the walk and is returned");

	im.buf[im.len - 4 - 512 + 2 * 'f'] ^= 0x01; /* corrupt token_index['f'] */
	is_int(kallsyms_foreach(im.buf, im.len, check_sym, &s), -ENOENT,
	       "a corrupt token index: no tables found");
	free(im.buf);

	memset(&s, 0, sizeof(s));
	build(&im, true);
	is_int(kallsyms_foreach(im.buf, im.len, check_sym, &s), NSYMS,
	       "found after 20 KiB of other data");
	/* markers[1] (12 markers, then the 520-byte table and the index) */
	im.buf[im.len - 4 - 512 - 520 - 48 + 4] ^= 0x10;
	is_int(kallsyms_foreach(im.buf, im.len, check_sym, &s), -ENOENT,
	       "markers that disagree with the names: not found");
	free(im.buf);

	is_int(kallsyms_foreach((const uint8_t *)"short", 5, check_sym, &s), -ENOENT,
	       "a tiny buffer: -ENOENT");
	return done_testing();
}
