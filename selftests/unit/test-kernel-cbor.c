// SPDX-License-Identifier: GPL-2.0-only
/*
 * test-kernel-cbor - the kernel runtime's core reader (kernel/klpb_cbor.c),
 * compiled in userspace: what it accepts and rejects, and a real core
 * (klpb_core_encode()) accepted whole and rejected at every truncation.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "klp-bundle/format.h"
#include "tap.h"

/* what klpb_cbor.h takes from the kernel beyond <linux/types.h> */
typedef uint8_t u8;
typedef uint32_t u32;
typedef uint64_t u64;

#include "../../kernel/klpb_cbor.c"

static int check(const void *buf, size_t len)
{
	struct klpb_cbor c = { buf, (const u8 *)buf + len };

	return klpb_cbor_check(&c);
}

#define ACCEPT(desc, ...)                                          \
	do {                                                       \
		static const u8 b_[] = { __VA_ARGS__ };            \
		is_int(check(b_, sizeof(b_)), 0, "accepts " desc); \
	} while (0)

#define REJECT(desc, ...)                                                 \
	do {                                                              \
		static const u8 b_[] = { __VA_ARGS__ };                   \
		is_int(check(b_, sizeof(b_)), -EBADMSG, "rejects " desc); \
	} while (0)

static void test_items(void)
{
	ACCEPT("uint 0", 0x00);
	ACCEPT("uint 24 in one byte", 0x18, 0x18);
	ACCEPT("uint 2^32", 0x1b, 0, 0, 0, 1, 0, 0, 0, 0);
	REJECT("a non-shortest uint", 0x18, 0x17);
	REJECT("a non-shortest 2-byte uint", 0x19, 0x00, 0xff);
	REJECT("a non-shortest 8-byte uint", 0x1b, 0, 0, 0, 0, 0xff, 0xff, 0xff, 0xff);
	REJECT("a negative integer", 0x20);
	REJECT("a tag", 0xc0, 0x00);
	ACCEPT("false", 0xf4);
	ACCEPT("true", 0xf5);
	REJECT("null", 0xf6);
	REJECT("undefined", 0xf7);
	REJECT("a two-byte simple value", 0xf8, 0x20);
	REJECT("a half float", 0xf9, 0x00, 0x00);
	REJECT("reserved additional info", 0x1c);
	REJECT("an indefinite byte string", 0x5f, 0xff);
	REJECT("an indefinite array", 0x9f, 0xff);
	REJECT("an indefinite map", 0xbf, 0xff);
	REJECT("a break", 0xff);
	ACCEPT("a map with increasing uint keys", 0xa2, 0x00, 0x00, 0x01, 0x00);
	REJECT("map keys out of order", 0xa2, 0x01, 0x00, 0x00, 0x00);
	REJECT("a duplicate map key", 0xa2, 0x00, 0x00, 0x00, 0x00);
	REJECT("a text map key", 0xa1, 0x60, 0x00);
	REJECT("a truncated text", 0x62, 0x41);
	REJECT("a truncated head", 0x19, 0x01);
	REJECT("an array count beyond the input", 0x9a, 0x10, 0x00, 0x00, 0x00);
	REJECT("a map count beyond the input", 0xba, 0xff, 0xff, 0xff, 0xff);
	REJECT("a map with one byte per pair", 0xa2, 0x00, 0x00, 0x01);
	ACCEPT("two-byte UTF-8", 0x62, 0xc3, 0xa9);
	REJECT("a NUL in text", 0x63, 0x61, 0x00, 0x62);
	REJECT("overlong UTF-8", 0x62, 0xc0, 0x80);
	REJECT("a UTF-16 surrogate", 0x63, 0xed, 0xa0, 0x80);
	REJECT("a code point above U+10FFFF", 0x64, 0xf4, 0x90, 0x80, 0x80);
	REJECT("a cut UTF-8 sequence", 0x62, 0x61, 0xc3);
	ACCEPT("arrays nested 8 deep", 0x81, 0x81, 0x81, 0x81, 0x81, 0x81, 0x81, 0x81, 0x00);
	REJECT("arrays nested 9 deep", 0x81, 0x81, 0x81, 0x81, 0x81, 0x81, 0x81, 0x81, 0x81, 0x00);
	REJECT("bytes after the item", 0x00, 0x00);
	is_int(check("", 0), -EBADMSG, "rejects no bytes at all");
}

static void test_readers(void)
{
	static const u8 buf[] = { 0x43, 1, 2, 3, 0x18, 0x2a, 0xf5 };
	struct klpb_cbor c = { buf, buf + sizeof(buf) };
	const u8 *data;
	size_t len;
	u64 v;
	bool b;

	is_int(klpb_cbor_uint(&c, &v), -EBADMSG, "uint on a byte string fails");
	ok(c.p == buf, "and leaves the cursor where it was");
	is_int(klpb_cbor_bstr(&c, &data, &len), 0, "bstr");
	ok(data == buf + 1 && len == 3, "bstr points into the buffer");
	is_int(klpb_cbor_uint(&c, &v), 0, "uint");
	is_int((int)v, 42, "uint value");
	is_int(klpb_cbor_bool(&c, &b), 0, "bool");
	ok(b && c.p == c.end, "true, at the end");
}

static void test_core(void)
{
	static const struct klpb_func funcs[] = { { "cmdline_proc_show", 0, "my_show" } };
	static const struct klpb_object objs[] = { { "vmlinux", funcs, 1, NULL, 0 } };
	static const struct klpb_target_object tobjs[] = { { "nfsd", { 1 } } };
	static const struct klpb_target targets[] = {
		{ "6.1.0-56-amd64", { 2 }, "klpb_fix", tobjs, 1, false, false, NULL, 0, NULL, 0 },
	};
	struct klpb_core core = {
		.name = "fix",
		.version = 3,
		.description = "d\xc3\xa9j\xc3\xa0",
		.replace = true,
		.provenance = { .tool_version = "test" },
		.targets = targets,
		.n_targets = 1,
		.objects = objs,
		.n_objects = 1,
	};
	struct klpb_buf out = { 0 };
	struct klpb_error err = { 0 };
	size_t n, bad = 0;

	if (klpb_core_encode(&core, &out, &err)) {
		ok(0, "klpb_core_encode: %s", err.message);
		return;
	}
	is_int(check(out.data, out.len), 0, "a core from klpb_core_encode is accepted");
	for (n = 0; n < out.len; n++)
		bad += check(out.data, n) != -EBADMSG;
	is_int((int)bad, 0, "every truncation of it is rejected");
	klpb_buf_free(&out);
}

int main(void)
{
	test_items();
	test_readers();
	test_core();
	return done_testing();
}
