// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * test-cbor-validate - every rule of format/cbor-validate.h, accepted and
 * rejected, with the exact rule and offset; the libcbor 0.8 memory bombs;
 * proof that the validator allocates nothing.
 */
#include <errno.h>
#include <malloc.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cbor.h>

#include "cbor-validate.h"
#include "tap.h"

#if defined(__SANITIZE_ADDRESS__)
#define KLPB_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define KLPB_ASAN 1
#endif
#endif

#ifdef KLPB_ASAN
/* From <sanitizer/allocator_interface.h>, which Debian's gcc doesn't ship. */
size_t __sanitizer_get_current_allocated_bytes(void);
#endif

#define MAXBUF 4096

static const uint64_t allowed_tags[] = { 18, 24 };

static const struct klpb_cbor_limits lim = {
	.max_depth = 16,
	.max_bstr = 64,
	.max_tstr = 32,
	.max_items = 16,
	.tags = allowed_tags,
	.n_tags = 2,
};

/* Parse hex digits, ignoring spaces, into @out; returns the byte count. */
static size_t unhex(const char *s, uint8_t *out)
{
	size_t n = 0;
	int hi = -1;

	for (; *s; s++) {
		int v;

		if (*s == ' ')
			continue;
		if (*s >= '0' && *s <= '9')
			v = *s - '0';
		else if (*s >= 'a' && *s <= 'f')
			v = *s - 'a' + 10;
		else
			abort();
		if (hi < 0) {
			hi = v;
		} else {
			out[n++] = (uint8_t)(hi << 4 | v);
			hi = -1;
		}
	}
	if (hi >= 0 || n > MAXBUF)
		abort();
	return n;
}

static int want_errno(enum klpb_cbor_rule rule)
{
	switch (rule) {
	case KLPB_CBOR_OK:
		return 0;
	case KLPB_CBOR_DEPTH:
	case KLPB_CBOR_BSTR_LIMIT:
	case KLPB_CBOR_TSTR_LIMIT:
	case KLPB_CBOR_ITEMS_LIMIT:
		return -EFBIG;
	default:
		return -EBADMSG;
	}
}

static void check_buf(const uint8_t *buf, size_t len, const struct klpb_cbor_limits *l,
		      enum klpb_cbor_rule rule, size_t offset, const char *desc)
{
	struct klpb_cbor_error e = { .rule = 99, .offset = 999 };
	int ret = klpb_cbor_validate(buf, len, l, &e);
	bool pass = ret == want_errno(rule) && e.rule == rule && e.offset == offset;

	if (!ok(pass, "%s -> %s@%zu", desc, klpb_cbor_rule_name(rule), offset))
		diag("got ret %d rule %s offset %zu", ret, klpb_cbor_rule_name(e.rule), e.offset);
}

/* @hex is both the input and the test name. */
static void check_lim(const char *hex, const struct klpb_cbor_limits *l, enum klpb_cbor_rule rule,
		      size_t offset)
{
	uint8_t buf[MAXBUF];
	size_t n = unhex(hex, buf);

	check_buf(buf, n, l, rule, offset, hex);
}

static void check(const char *hex, enum klpb_cbor_rule rule, size_t offset)
{
	check_lim(hex, &lim, rule, offset);
}

static void accepts(const char *hex)
{
	check(hex, KLPB_CBOR_OK, 0);
}

/* Does libcbor's cbor_load() decode @buf completely and without error? */
static bool libcbor_loads(const uint8_t *buf, size_t n)
{
	struct cbor_load_result res;
	cbor_item_t *item = cbor_load(buf, n, &res);
	bool loaded = item && res.error.code == CBOR_ERR_NONE && res.read == n;

	if (item)
		cbor_decref(&item);
	return loaded;
}

static void test_accepted(void)
{
	size_t n;
	static const char *const good[] = {
		"00",
		"17",
		"18 18",
		"18 ff",
		"19 01 00",
		"19 ff ff",
		"1a 00 01 00 00",
		"1a ff ff ff ff",
		"1b 00 00 00 01 00 00 00 00",
		"1b ff ff ff ff ff ff ff ff",
		"20",
		"37",
		"38 18",
		"39 01 00",
		"3b ff ff ff ff ff ff ff ff",
		"40",
		"41 00",
		"58 18 000102030405060708090a0b0c0d0e0f1011121314151617",
		"60",
		"61 61",
		"61 00",
		"62 c3 a9",
		"63 e2 82 ac",
		"64 f0 9f 98 80",
		"63 ed 9f bf",
		"63 ee 80 80",
		"64 f4 8f bf bf",
		"62 c2 80",
		"63 e0 a0 80",
		"64 f0 90 80 80",
		"80",
		"a0",
		"83 01 02 03",
		"81 81 80",
		"82 41 00 61 61",
		"a2 01 02 03 04",
		"a2 18 18 00 20 01",
		"a2 00 00 40 00",
		"a2 61 61 00 61 62 00",
		"a2 61 62 00 62 61 61 00",
		"a2 01 a2 05 00 06 00 02 a1 01 00",
		"a2 80 00 81 00 00",
		"a3 00 f4 01 f5 02 f6",
		"d8 18 41 00",
		"d8 18 d8 18 00",
	};
	uint8_t buf[MAXBUF];
	bool all = true;

	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		n = unhex(good[i], buf);
		accepts(good[i]);
		if (!libcbor_loads(buf, n)) {
			diag("libcbor rejects %s", good[i]);
			all = false;
		}
	}
	ok(all, "libcbor 0.8 loads every accepted item completely");

	/* Tag 18 (COSE_Sign1) is valid, but libcbor 0.8 refuses tags 6..20. */
	accepts("d2 80");
	n = unhex("d2 80", buf);
	ok(!libcbor_loads(buf, n), "libcbor 0.8 rejects d2 80: decoders strip tag 18 first");
	ok(libcbor_loads(buf + 1, n - 1), "... and load the tagged item alone");
}

static void test_truncated(void)
{
	check("18", KLPB_CBOR_TRUNCATED, 0);
	check("19 01", KLPB_CBOR_TRUNCATED, 0);
	check("1b 01 00 00 00 00 00 00", KLPB_CBOR_TRUNCATED, 0);
	check("42 00", KLPB_CBOR_TRUNCATED, 0);
	check("61", KLPB_CBOR_TRUNCATED, 0);
	check("5b ff ff ff ff ff ff ff ff", KLPB_CBOR_TRUNCATED, 0);
	check("7b ff ff ff ff ff ff ff ff", KLPB_CBOR_TRUNCATED, 0);
	check("81 19 01", KLPB_CBOR_TRUNCATED, 1);
	check("82 41 00", KLPB_CBOR_TRUNCATED, 3);
	check("a1 61 00", KLPB_CBOR_TRUNCATED, 3);
	check("d8", KLPB_CBOR_TRUNCATED, 0);
	check("d8 18", KLPB_CBOR_TRUNCATED, 2);
	check("f9 3c", KLPB_CBOR_TRUNCATED, 0);
	check("f8", KLPB_CBOR_TRUNCATED, 0);
}

static void test_non_shortest(void)
{
	check("18 05", KLPB_CBOR_NON_SHORTEST, 0);
	check("18 17", KLPB_CBOR_NON_SHORTEST, 0);
	check("19 00 05", KLPB_CBOR_NON_SHORTEST, 0);
	check("19 00 ff", KLPB_CBOR_NON_SHORTEST, 0);
	check("1a 00 00 ff ff", KLPB_CBOR_NON_SHORTEST, 0);
	check("1b 00 00 00 00 ff ff ff ff", KLPB_CBOR_NON_SHORTEST, 0);
	check("38 00", KLPB_CBOR_NON_SHORTEST, 0);
	check("59 00 01 61", KLPB_CBOR_NON_SHORTEST, 0);
	check("78 01 61", KLPB_CBOR_NON_SHORTEST, 0);
	check("98 01 00", KLPB_CBOR_NON_SHORTEST, 0);
	check("b8 00", KLPB_CBOR_NON_SHORTEST, 0);
	check("d8 12 80", KLPB_CBOR_NON_SHORTEST, 0);
	check("81 18 05", KLPB_CBOR_NON_SHORTEST, 1);
	check("a1 18 01 00", KLPB_CBOR_NON_SHORTEST, 1);
}

static void test_indefinite_reserved(void)
{
	check("5f 41 00 ff", KLPB_CBOR_INDEFINITE, 0);
	check("7f 61 61 ff", KLPB_CBOR_INDEFINITE, 0);
	check("9f ff", KLPB_CBOR_INDEFINITE, 0);
	check("bf ff", KLPB_CBOR_INDEFINITE, 0);
	check("ff", KLPB_CBOR_INDEFINITE, 0);
	check("1f", KLPB_CBOR_INDEFINITE, 0);
	check("81 9f ff", KLPB_CBOR_INDEFINITE, 1);
	check("1c", KLPB_CBOR_RESERVED_AI, 0);
	check("3d", KLPB_CBOR_RESERVED_AI, 0);
	check("5e", KLPB_CBOR_RESERVED_AI, 0);
	check("fc", KLPB_CBOR_RESERVED_AI, 0);
	check("81 dc", KLPB_CBOR_RESERVED_AI, 1);
}

static void test_count(void)
{
	/* libcbor 0.8 allocates these counts before looking further. */
	check("9a 10 00 00 00", KLPB_CBOR_COUNT_TOO_LARGE, 0);
	check("ba ff ff ff ff", KLPB_CBOR_COUNT_TOO_LARGE, 0);
	check("9b ff ff ff ff ff ff ff ff", KLPB_CBOR_COUNT_TOO_LARGE, 0);
	check("bb ff ff ff ff ff ff ff ff", KLPB_CBOR_COUNT_TOO_LARGE, 0);
	check("bb 80 00 00 00 00 00 00 00", KLPB_CBOR_COUNT_TOO_LARGE, 0);
	check("81", KLPB_CBOR_COUNT_TOO_LARGE, 0);
	check("82 00", KLPB_CBOR_COUNT_TOO_LARGE, 0);
	check("a1 00", KLPB_CBOR_COUNT_TOO_LARGE, 0);
	check("a2 00 00 00", KLPB_CBOR_COUNT_TOO_LARGE, 0);
	check("81 83 00 00", KLPB_CBOR_COUNT_TOO_LARGE, 1);
	accepts("82 00 00");
	accepts("a1 00 00");
}

/* @n nested one-element arrays around an empty array: depth n + 1. */
static size_t nest(uint8_t *buf, size_t n, uint8_t head)
{
	for (size_t i = 0; i < n; i++)
		buf[i] = head;
	buf[n] = 0x80;
	return n + 1;
}

static void test_depth(void)
{
	struct klpb_cbor_limits l = lim;
	uint8_t buf[200];
	size_t n;

	n = nest(buf, 15, 0x81);
	check_buf(buf, n, &lim, KLPB_CBOR_OK, 0, "16 nested arrays at max_depth 16");
	n = nest(buf, 16, 0x81);
	check_buf(buf, n, &lim, KLPB_CBOR_DEPTH, 16, "17 nested arrays at max_depth 16");
	/* Tags nest too: 15 x tag 18 around []. */
	n = nest(buf, 15, 0xd2);
	check_buf(buf, n, &lim, KLPB_CBOR_OK, 0, "15 tags around [] at max_depth 16");
	n = nest(buf, 16, 0xd2);
	check_buf(buf, n, &lim, KLPB_CBOR_DEPTH, 16, "16 tags around [] at max_depth 16");
	/* Maps: {0: {0: ... {}}} */
	for (n = 0; n < 2 * 15; n += 2) {
		buf[n] = 0xa1;
		buf[n + 1] = 0x00;
	}
	buf[n++] = 0xa0;
	check_buf(buf, n, &lim, KLPB_CBOR_OK, 0, "16 nested maps at max_depth 16");
	memmove(buf + 2, buf, n);
	n += 2;
	check_buf(buf, n, &lim, KLPB_CBOR_DEPTH, 32, "17 nested maps at max_depth 16");

	l.max_depth = 0;
	check_lim("00", &l, KLPB_CBOR_OK, 0);
	check_lim("80", &l, KLPB_CBOR_DEPTH, 0);
	check_lim("d2 00", &l, KLPB_CBOR_DEPTH, 0);
	l.max_depth = 1;
	check_lim("82 00 00", &l, KLPB_CBOR_OK, 0);
	check_lim("82 00 80", &l, KLPB_CBOR_DEPTH, 2);
	l.max_depth = 1000; /* clamped to KLPB_CBOR_MAX_DEPTH */
	n = nest(buf, KLPB_CBOR_MAX_DEPTH - 1, 0x81);
	check_buf(buf, n, &l, KLPB_CBOR_OK, 0, "64 nested arrays, max_depth clamped to 64");
	n = nest(buf, KLPB_CBOR_MAX_DEPTH, 0x81);
	check_buf(buf, n, &l, KLPB_CBOR_DEPTH, KLPB_CBOR_MAX_DEPTH,
		  "65 nested arrays, max_depth clamped to 64");
}

static void test_keys(void)
{
	/* RFC 8949 bytewise order: 18 18 (24) before 20 (-1). */
	accepts("a2 18 18 00 20 01");
	check("a2 20 01 18 18 00", KLPB_CBOR_KEY_ORDER, 3);
	check("a2 02 00 01 00", KLPB_CBOR_KEY_ORDER, 3);
	check("a3 01 00 03 00 02 00", KLPB_CBOR_KEY_ORDER, 5);
	/* "b" (61 62) sorts before "aa" (62 61 61): not length-first. */
	check("a2 62 61 61 00 61 62 00", KLPB_CBOR_KEY_ORDER, 5);
	check("a2 40 00 00 00", KLPB_CBOR_KEY_ORDER, 3);
	/* Each map has its own order; inner keys don't leak out. */
	check("a2 05 a2 01 00 02 00 03 00", KLPB_CBOR_KEY_ORDER, 7);
	check("a1 00 a2 02 00 01 00", KLPB_CBOR_KEY_ORDER, 5);
	/* Container keys compare by their whole encoding. */
	check("a2 81 01 00 81 00 00", KLPB_CBOR_KEY_ORDER, 4);

	check("a2 01 00 01 00", KLPB_CBOR_DUPLICATE_KEY, 3);
	check("a2 61 61 00 61 61 01", KLPB_CBOR_DUPLICATE_KEY, 4);
	check("a2 80 00 80 01", KLPB_CBOR_DUPLICATE_KEY, 3);
	check("a3 00 00 01 00 01 00", KLPB_CBOR_DUPLICATE_KEY, 5);
	check("a2 a1 00 00 00 a1 00 00 01", KLPB_CBOR_DUPLICATE_KEY, 5);
	/* A malformed key is reported as malformed, not as misordered. */
	check("a2 01 00 18 00 00", KLPB_CBOR_NON_SHORTEST, 3);
}

static void test_utf8(void)
{
	check("61 80", KLPB_CBOR_BAD_UTF8, 0); /* stray continuation */
	check("61 bf", KLPB_CBOR_BAD_UTF8, 0);
	check("62 c0 80", KLPB_CBOR_BAD_UTF8, 0); /* overlong NUL */
	check("62 c1 bf", KLPB_CBOR_BAD_UTF8, 0); /* overlong U+007F */
	check("63 e0 80 80", KLPB_CBOR_BAD_UTF8, 0); /* overlong 3-byte */
	check("63 e0 9f bf", KLPB_CBOR_BAD_UTF8, 0); /* overlong U+07FF */
	check("64 f0 80 80 80", KLPB_CBOR_BAD_UTF8, 0); /* overlong 4-byte */
	check("64 f0 8f bf bf", KLPB_CBOR_BAD_UTF8, 0); /* overlong U+FFFF */
	check("63 ed a0 80", KLPB_CBOR_BAD_UTF8, 0); /* U+D800 */
	check("63 ed bf bf", KLPB_CBOR_BAD_UTF8, 0); /* U+DFFF */
	check("66 ed a0 bd ed b8 80", KLPB_CBOR_BAD_UTF8, 0); /* CESU-8 pair */
	check("64 f4 90 80 80", KLPB_CBOR_BAD_UTF8, 0); /* U+110000 */
	check("64 f5 80 80 80", KLPB_CBOR_BAD_UTF8, 0);
	check("61 fe", KLPB_CBOR_BAD_UTF8, 0);
	check("61 ff", KLPB_CBOR_BAD_UTF8, 0);
	check("61 c3", KLPB_CBOR_BAD_UTF8, 0); /* truncated sequence */
	check("62 e2 82", KLPB_CBOR_BAD_UTF8, 0);
	check("62 c3 41", KLPB_CBOR_BAD_UTF8, 0); /* bad continuation */
	check("63 e2 28 a1", KLPB_CBOR_BAD_UTF8, 0);
	check("82 61 61 61 80", KLPB_CBOR_BAD_UTF8, 3);
	/* Byte strings are not UTF-8 checked. */
	accepts("42 ed a0");
}

static void test_major7(void)
{
	check("f9 3c 00", KLPB_CBOR_FLOAT, 0); /* half 1.0 */
	check("f9 7e 00", KLPB_CBOR_FLOAT, 0); /* half NaN */
	check("fa 3f 80 00 00", KLPB_CBOR_FLOAT, 0); /* single 1.0 */
	check("fb 3f f0 00 00 00 00 00 00", KLPB_CBOR_FLOAT, 0); /* double 1.0 */
	check("81 fb 00 00 00 00 00 00 00 00", KLPB_CBOR_FLOAT, 1);
	check("f7", KLPB_CBOR_SIMPLE, 0); /* undefined */
	check("f8 20", KLPB_CBOR_SIMPLE, 0);
	check("f8 ff", KLPB_CBOR_SIMPLE, 0);
	check("f8 05", KLPB_CBOR_SIMPLE, 0); /* also not well-formed */
	check("f8 f4", KLPB_CBOR_SIMPLE, 0);
	check("e0", KLPB_CBOR_SIMPLE, 0);
	check("f3", KLPB_CBOR_SIMPLE, 0);
	check("82 f6 f7", KLPB_CBOR_SIMPLE, 2);
	accepts("83 f4 f5 f6");
}

static void test_tags(void)
{
	struct klpb_cbor_limits l = lim;

	check("c0 61 61", KLPB_CBOR_TAG, 0);
	check("c1 00", KLPB_CBOR_TAG, 0);
	check("d9 d9 f7 00", KLPB_CBOR_TAG, 0); /* self-describe 55799 */
	check("db ff ff ff ff ff ff ff ff 00", KLPB_CBOR_TAG, 0);
	check("d2 d8 19 00", KLPB_CBOR_TAG, 1);
	check("a1 d8 18 40 d3 00", KLPB_CBOR_TAG, 4);
	l.tags = NULL;
	l.n_tags = 0;
	check_lim("d2 80", &l, KLPB_CBOR_TAG, 0);
	check_lim("80", &l, KLPB_CBOR_OK, 0);
}

static void test_limits(void)
{
	uint8_t buf[200];

	/* bstr: 64 bytes ok, 65 too long. */
	memset(buf, 0xaa, sizeof(buf));
	buf[0] = 0x58;
	buf[1] = 64;
	check_buf(buf, 2 + 64, &lim, KLPB_CBOR_OK, 0, "bstr of max_bstr bytes");
	buf[1] = 65;
	check_buf(buf, 2 + 65, &lim, KLPB_CBOR_BSTR_LIMIT, 0, "bstr of max_bstr + 1 bytes");
	/* Truncation wins over the limit. */
	check_buf(buf, 2 + 64, &lim, KLPB_CBOR_TRUNCATED, 0, "truncated long bstr");

	/* tstr: 32 bytes ok, 33 too long. */
	memset(buf, 'a', sizeof(buf));
	buf[0] = 0x78;
	buf[1] = 32;
	check_buf(buf, 2 + 32, &lim, KLPB_CBOR_OK, 0, "tstr of max_tstr bytes");
	buf[1] = 33;
	check_buf(buf, 2 + 33, &lim, KLPB_CBOR_TSTR_LIMIT, 0, "tstr of max_tstr + 1 bytes");
	buf[0] = 0x81;
	buf[1] = 0x78;
	buf[2] = 33;
	check_buf(buf, 3 + 33, &lim, KLPB_CBOR_TSTR_LIMIT, 1, "nested long tstr");

	/* arrays: 16 items ok, 17 too many. */
	memset(buf, 0, sizeof(buf));
	buf[0] = 0x90;
	check_buf(buf, 1 + 16, &lim, KLPB_CBOR_OK, 0, "array of max_items");
	buf[0] = 0x91;
	check_buf(buf, 1 + 17, &lim, KLPB_CBOR_ITEMS_LIMIT, 0, "array of max_items + 1");

	/* maps: 16 pairs ok, 17 too many. */
	buf[0] = 0xb0;
	for (int i = 0; i < 17; i++) {
		buf[1 + 2 * i] = (uint8_t)i;
		buf[2 + 2 * i] = 0;
	}
	check_buf(buf, 1 + 2 * 16, &lim, KLPB_CBOR_OK, 0, "map of max_items pairs");
	buf[0] = 0xb1;
	check_buf(buf, 1 + 2 * 17, &lim, KLPB_CBOR_ITEMS_LIMIT, 0, "map of max_items + 1 pairs");
}

static void test_top_level(void)
{
	check("01 02", KLPB_CBOR_TRAILING, 1);
	check("80 00", KLPB_CBOR_TRAILING, 1);
	check("a0 a0", KLPB_CBOR_TRAILING, 1);
	check("a1 01 02 ff", KLPB_CBOR_TRAILING, 3);
	check("", KLPB_CBOR_EMPTY, 0);
	check_buf(NULL, 0, &lim, KLPB_CBOR_EMPTY, 0, "NULL, 0 is empty");
}

static void test_api(void)
{
	struct klpb_cbor_error e = { .rule = KLPB_CBOR_TAG, .offset = 5 };
	const uint8_t one = 0x01;

	is_int(klpb_cbor_validate(&one, 1, &lim, NULL), 0, "err may be NULL (ok)");
	is_int(klpb_cbor_validate((const uint8_t *)"\x18\x05", 2, &lim, NULL), -EBADMSG,
	       "err may be NULL (rejected)");
	is_int(klpb_cbor_validate(&one, 1, NULL, &e), -EINVAL, "lim NULL is -EINVAL");
	ok(e.rule == KLPB_CBOR_OK && e.offset == 0, "-EINVAL leaves rule ok");
	is_int(klpb_cbor_validate(NULL, 1, &lim, &e), -EINVAL, "buf NULL with len is -EINVAL");

	is_str(klpb_cbor_rule_name(KLPB_CBOR_OK), "ok", "name of ok");
	is_str(klpb_cbor_rule_name(KLPB_CBOR_NON_SHORTEST), "non-shortest-head",
	       "name of non-shortest");
	is_str(klpb_cbor_rule_name(KLPB_CBOR_DUPLICATE_KEY), "duplicate-key", "name of dup key");
	is_str(klpb_cbor_rule_name((enum klpb_cbor_rule)1000), "unknown", "unknown rule name");
	for (int a = KLPB_CBOR_OK; a <= KLPB_CBOR_EMPTY; a++) {
		const char *na = klpb_cbor_rule_name(a);
		bool good = strcmp(na, "unknown") != 0;

		for (const char *p = na; *p; p++)
			good = good &&
			       ((*p >= 'a' && *p <= 'z') || *p == '-' || (*p >= '0' && *p <= '9'));
		for (int b = KLPB_CBOR_OK; b < a; b++)
			good = good && strcmp(na, klpb_cbor_rule_name(b)) != 0;
		ok(good, "rule %d has a distinct lowercase name '%s'", a, na);
	}
}

static void test_read_head(void)
{
	struct klpb_cbor_head h;
	uint8_t buf[16];
	size_t n;

	n = unhex("82 19 01 00 3b ff ff ff ff ff ff ff ff", buf);
	is_int(klpb_cbor_read_head(buf, n, 0, &h), 0, "read_head array");
	ok(h.major == 4 && h.ai == 2 && h.arg == 2 && h.hlen == 1, "array head decoded");
	is_int(klpb_cbor_read_head(buf, n, 1, &h), 0, "read_head uint16");
	ok(h.major == 0 && h.ai == 25 && h.arg == 256 && h.hlen == 3, "uint16 head decoded");
	is_int(klpb_cbor_read_head(buf, n, 4, &h), 0, "read_head nint64");
	ok(h.major == 1 && h.ai == 27 && h.arg == UINT64_MAX && h.hlen == 9, "nint64 decoded");
	is_int(klpb_cbor_read_head(buf, n, n, &h), -EBADMSG, "read_head at end");
	is_int(klpb_cbor_read_head(buf, n - 1, 4, &h), -EBADMSG, "read_head truncated");
	n = unhex("18 05", buf);
	is_int(klpb_cbor_read_head(buf, n, 0, &h), -EBADMSG, "read_head non-shortest");
	n = unhex("f8 20", buf);
	is_int(klpb_cbor_read_head(buf, n, 0, &h), -EBADMSG, "read_head f8 xx");
	n = unhex("9f", buf);
	is_int(klpb_cbor_read_head(buf, n, 0, &h), -EBADMSG, "read_head indefinite");
	n = unhex("5b ff ff ff ff ff ff ff ff", buf);
	is_int(klpb_cbor_read_head(buf, n, 0, &h), 0, "read_head does not look at the payload");
}

/* A large valid item: a sorted map of 10000 uint keys to 1 KiB bstrs. */
static void test_large(void)
{
	struct klpb_cbor_limits l = lim;
	size_t cap = 16 + 10000 * (5 + 3 + 1024), n = 0;
	uint8_t *buf = malloc(cap);

	if (!buf) {
		skip("out of memory", "large sorted map");
		return;
	}
	l.max_items = 10000;
	l.max_bstr = 1024;
	n += 3;
	buf[0] = 0xb9;
	buf[1] = 10000 >> 8;
	buf[2] = 10000 & 0xff;
	for (unsigned int k = 0; k < 10000; k++) {
		if (k < 24) {
			buf[n++] = (uint8_t)k;
		} else if (k < 256) {
			buf[n++] = 0x18;
			buf[n++] = (uint8_t)k;
		} else {
			buf[n++] = 0x19;
			buf[n++] = (uint8_t)(k >> 8);
			buf[n++] = (uint8_t)k;
		}
		buf[n++] = 0x59;
		buf[n++] = 0x04;
		buf[n++] = 0x00;
		memset(buf + n, (int)k, 1024);
		n += 1024;
	}
	check_buf(buf, n, &l, KLPB_CBOR_OK, 0, "sorted map of 10000 x 1 KiB");
	check_buf(buf, n - 1, &l, KLPB_CBOR_TRUNCATED, n - 1027, "same, last byte cut");
	free(buf);
}

static const char *const bombs[] = {
	"9a 10 00 00 00",
	"ba ff ff ff ff",
	"5b ff ff ff ff ff ff ff ff",
	"9b ff ff ff ff ff ff ff ff",
	"bb ff ff ff ff ff ff ff ff",
	"7b 00 00 00 01 00 00 00 00",
};

static bool bombs_rejected(void)
{
	bool all = true;

	for (size_t i = 0; i < sizeof(bombs) / sizeof(bombs[0]); i++) {
		uint8_t buf[16];
		size_t n = unhex(bombs[i], buf);

		all = all && klpb_cbor_validate(buf, n, &lim, NULL) == -EBADMSG;
	}
	return all;
}

/* Bytes currently allocated through malloc, as the allocator sees it. */
static size_t heap_in_use(void)
{
#ifdef KLPB_ASAN
	return __sanitizer_get_current_allocated_bytes();
#else
	struct mallinfo2 mi = mallinfo2();

	return mi.uordblks + mi.hblkhd;
#endif
}

#ifndef KLPB_ASAN
static long vm_size(void)
{
	long pages = 0;
	FILE *f = fopen("/proc/self/statm", "r");

	if (!f)
		return -1;
	if (fscanf(f, "%ld", &pages) != 1)
		pages = -1;
	fclose(f);
	return pages < 0 ? -1 : pages * sysconf(_SC_PAGESIZE);
}

/*
 * Child under RLIMIT_AS = current size + 64 MiB: libcbor itself must fail
 * on the first bomb (so the limit bites), the validator must reject all of
 * them.  Exit status 0, or a bit for what went wrong.
 */
static int rlimit_child(void)
{
	long size = vm_size();
	struct rlimit rl;
	struct cbor_load_result res;
	cbor_item_t *item;
	void *p;
	int status = 0;

	if (size < 0)
		return 8;
	rl.rlim_cur = rl.rlim_max = (rlim_t)size + (64 << 20);
	if (setrlimit(RLIMIT_AS, &rl))
		return 8;
	p = malloc((size_t)1 << 30);
	if (p)
		status |= 1;
	free(p);
	item = cbor_load((const uint8_t *)"\x9a\x10\x00\x00\x00", 5, &res);
	if (item || res.error.code != CBOR_ERR_MEMERROR)
		status |= 2;
	if (item)
		cbor_decref(&item);
	if (!bombs_rejected())
		status |= 4;
	return status;
}
#endif

static void test_no_allocation(void)
{
	size_t before, after;
	int status;
	pid_t pid;

	fflush(stdout);
	before = heap_in_use();
	ok(bombs_rejected(), "all memory bombs rejected");
	after = heap_in_use();
	is_int(after, before, "no heap allocated while validating them");

#ifdef KLPB_ASAN
	skip("ASan reserves terabytes of address space", "bombs rejected under RLIMIT_AS");
	(void)status;
	(void)pid;
#else
	pid = fork();
	if (pid == 0)
		_exit(rlimit_child());
	if (!ok(pid > 0 && waitpid(pid, &status, 0) == pid && WIFEXITED(status) &&
			WEXITSTATUS(status) == 0,
		"bombs rejected under RLIMIT_AS = VmSize + 64 MiB (where libcbor fails)"))
		diag("child status 0x%x (1: limit ineffective, 2: libcbor loaded, "
		     "4: validator, 8: setup)",
		     pid > 0 ? status : -1);
#endif
}

int main(void)
{
	test_accepted();
	test_truncated();
	test_non_shortest();
	test_indefinite_reserved();
	test_count();
	test_depth();
	test_keys();
	test_utf8();
	test_major7();
	test_tags();
	test_limits();
	test_top_level();
	test_api();
	test_read_head();
	test_large();
	test_no_allocation();
	return done_testing();
}
