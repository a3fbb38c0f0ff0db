/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * cbor-validate.h - strict, allocation-free CBOR pre-validator.
 *
 * Every byte string that klp-bundle reads goes through klpb_cbor_validate()
 * before libcbor (or any other decoder) sees it.  libcbor 0.8 allocates
 * declared sizes up front (the 5 bytes 9a 10 00 00 00 cost it 2 GiB) and
 * accepts many non-deterministic encodings, so the validator is the one
 * place that decides what a well-formed klp-bundle CBOR item is.
 *
 * The rules (RFC 8949 section 4.2.1 "core deterministic encoding", plus a
 * few restrictions of our own).  Each has its own enum klpb_cbor_rule value
 * and name, and the error carries the byte offset of the offending head:
 *
 *  truncated                a head, or a byte/text string payload, runs past
 *                           the end of the buffer
 *  non-shortest-head        an integer, length, count or tag number is not
 *                           encoded in its shortest form (18 05, 19 00 05,
 *                           59 00 01 61, ...)
 *  indefinite-length        additional info 31 (any major type, incl. ff)
 *  reserved-additional-info additional info 28, 29 or 30
 *  count-too-large          an array count larger than the bytes left after
 *                           its head, or a map count larger than half of
 *                           them (each item needs at least one byte); checked
 *                           before any item is looked at
 *  depth                    more than max_depth nested arrays/maps/tags; a
 *                           container at top level has depth 1, so
 *                           max_depth 0 forbids containers altogether;
 *                           max_depth is capped at KLPB_CBOR_MAX_DEPTH
 *  key-order                map keys not in strictly increasing bytewise
 *                           (lexicographic) order of their complete encoded
 *                           form; a key that is a prefix of another sorts
 *                           first.  So {24: x, -1: y} is a2 18 18 .. 20 ..
 *                           (RFC 8949 order, not RFC 7049 length-first)
 *  duplicate-key            two map keys with the same encoding (keys may be
 *                           of any type; with deterministic encoding, equal
 *                           keys have equal encodings)
 *  bad-utf8                 a text string that is not valid UTF-8: stray
 *                           continuation bytes, truncated sequences,
 *                           overlong forms, surrogates (U+D800..DFFF), code
 *                           points above U+10FFFF.  NUL is allowed
 *  float                    any float: f9, fa, fb
 *  simple-value             any simple value other than false (f4), true
 *                           (f5) and null (f6): e0..f3, undefined (f7), and
 *                           every f8 xx
 *  tag                      a tag whose number is not in lim->tags
 *  bstr-limit               a byte string longer than lim->max_bstr
 *  tstr-limit               a text string longer than lim->max_tstr (bytes)
 *  items-limit              an array with more than lim->max_items elements,
 *                           or a map with more than lim->max_items pairs
 *  trailing-bytes           bytes after the one top-level item
 *  empty                    a zero-length buffer
 *
 * Precedence, where one head breaks several rules: truncated, then
 * reserved-additional-info, indefinite-length, float/simple-value (major 7),
 * non-shortest-head; then for strings truncated before the length limit and
 * bad-utf8; for containers count-too-large, items-limit, depth; for tags,
 * tag then depth.  Map key order is checked once the key item is complete
 * (so a malformed key is reported as such, not as key-order).
 *
 * -EBADMSG is returned for malformed or non-deterministic input (every rule
 * except the four below), -EFBIG for exceeding a limit of @lim: depth,
 * bstr-limit, tstr-limit, items-limit.  -EINVAL for bad arguments (@lim
 * NULL, or @buf NULL with @len > 0); then @err->rule is KLPB_CBOR_OK.
 *
 * libcbor 0.8 caveat (measured): cbor_load() rejects the one-byte tag heads
 * c6..d4, i.e. tags 6..20, as CBOR_ERR_MALFORMATED, and that includes tag 18
 * (COSE_Sign1, d2).  Only the non-deterministic d8 12 would load.  So when
 * lim->tags allows one of 6..20, the validator is no longer a sufficient
 * filter for cbor_load(): strip such a tag with klpb_cbor_read_head() and
 * hand libcbor the tagged item only.  Tags 0..5 and >= 21 load fine.
 *
 * The validator allocates nothing, uses a fixed explicit stack of
 * KLPB_CBOR_MAX_DEPTH frames (no recursion) and runs in time linear in @len:
 * each map key is compared only with the previous key of the same map.
 */
#ifndef KLPB_CBOR_VALIDATE_H
#define KLPB_CBOR_VALIDATE_H

#include <stddef.h>
#include <stdint.h>

#include <klp_bundle_abi.h> /* KLPB_CBOR_MAJOR_*, as in klpb_cbor_head.major */

/*
 * Hard cap on klpb_cbor_limits.max_depth; larger values are clamped to it.
 * The size of the validator's explicit stack, above every region's
 * KLPB_MAX_DEPTH_* of the format.
 */
#define KLPB_CBOR_MAX_DEPTH 64

struct klpb_cbor_limits {
	unsigned int max_depth; /* nesting depth of arrays/maps/tags; e.g. 16 */
	uint64_t max_bstr; /* largest byte string */
	uint64_t max_tstr; /* largest text string */
	uint64_t max_items; /* largest array/map count */
	const uint64_t *tags; /* allowed tag numbers */
	size_t n_tags;
};

enum klpb_cbor_rule {
	KLPB_CBOR_OK = 0,
	KLPB_CBOR_TRUNCATED, /* a head or a string runs past the end */
	KLPB_CBOR_NON_SHORTEST, /* an integer/length head not in its shortest form */
	KLPB_CBOR_INDEFINITE, /* indefinite length (additional info 31) */
	KLPB_CBOR_RESERVED_AI, /* additional info 28..30 */
	KLPB_CBOR_COUNT_TOO_LARGE, /* array/map count larger than the bytes left could hold */
	KLPB_CBOR_DEPTH, /* nesting deeper than max_depth */
	KLPB_CBOR_KEY_ORDER, /* map keys not in strictly increasing bytewise order */
	KLPB_CBOR_DUPLICATE_KEY, /* two equal map keys */
	KLPB_CBOR_BAD_UTF8, /* a text string that is not valid UTF-8 */
	KLPB_CBOR_FLOAT, /* any float (major 7, ai 25/26/27) */
	KLPB_CBOR_SIMPLE, /* undefined, f8 xx, any simple value but false/true/null */
	KLPB_CBOR_TAG, /* a tag not in the allowed list */
	KLPB_CBOR_BSTR_LIMIT, /* byte string longer than max_bstr */
	KLPB_CBOR_TSTR_LIMIT, /* text string longer than max_tstr */
	KLPB_CBOR_ITEMS_LIMIT, /* array/map count larger than max_items */
	KLPB_CBOR_TRAILING, /* bytes after the one top-level item */
	KLPB_CBOR_EMPTY, /* no bytes at all */
};

struct klpb_cbor_error {
	enum klpb_cbor_rule rule;
	size_t offset; /* byte offset of the offending head */
};

/*
 * klpb_cbor_validate - check that @buf[0..@len) is one deterministic item
 * @buf: [borrow] the bytes; may be NULL when @len is 0
 * @lim: [borrow] limits and allowed tags
 * @err: [out, optional] which rule failed and where; {KLPB_CBOR_OK, 0} on
 *       success
 *
 * Returns: 0 when the buffer is exactly one item obeying every rule above;
 * -EBADMSG (malformed / non-deterministic), -EFBIG (a limit of @lim
 * exceeded) or -EINVAL (bad arguments).  Allocates nothing.
 */
int klpb_cbor_validate(const uint8_t *buf, size_t len, const struct klpb_cbor_limits *lim,
		       struct klpb_cbor_error *err);

/* A short, stable, lowercase name for @rule ("non-shortest-head", ...); never NULL. */
const char *klpb_cbor_rule_name(enum klpb_cbor_rule rule);

/*
 * One CBOR head: @major (0..7), additional info @ai (0..27), argument @arg
 * (the value for ai < 24, else the following 1/2/4/8 bytes; for floats the
 * raw bits) and the head's length @hlen in bytes (1, 2, 3, 5 or 9).
 */
struct klpb_cbor_head {
	uint8_t major;
	uint8_t ai;
	uint64_t arg;
	size_t hlen;
};

/*
 * klpb_cbor_read_head - decode the head at @buf[@off], for code that walks
 * already validated data.
 *
 * Returns: 0 and fills @h; -EBADMSG when @off >= @len, the head runs past
 * @len, or the head itself breaks a rule (reserved or indefinite additional
 * info, non-shortest argument, f8 xx); @h is then left unspecified.  It does
 * not look at any payload (string bytes, array items) after the head.
 */
int klpb_cbor_read_head(const uint8_t *buf, size_t len, size_t off, struct klpb_cbor_head *h);

#endif
