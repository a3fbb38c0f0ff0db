// SPDX-License-Identifier: GPL-2.0-only
/*
 * A strict, allocation-free reader for the deterministic CBOR subset of
 * the bundle's core (Documentation/format.md §3 and §4.3): unsigned
 * integers, byte strings, text strings, arrays, maps with unsigned integer
 * keys in strictly increasing order, false and true.  Anything else is
 * rejected: negative integers, tags, floats, null, undefined, other simple
 * values, indefinite lengths, integers, lengths and counts not in their
 * shortest form, text that is not UTF-8 or holds a NUL, nesting deeper
 * than KLPB_KERNEL_CBOR_MAX_DEPTH (<klp_bundle_abi.h>), and any length or
 * count that does not fit in the bytes that remain.
 *
 * klpb_cbor_check() validates a whole item once; the typed readers then
 * walk it, each still checking its type and bounds.  Every function
 * returns 0 or -EBADMSG, and on error leaves the cursor where it stopped.
 */
#include <linux/errno.h>
#include <linux/kernel.h>
#include <linux/types.h>

#include "klpb_cbor.h"

/* the smallest argument each of the 1, 2, 4 and 8 byte forms may carry */
static const u64 klpb_cbor_min_arg[4] = { 24, 0x100, 0x10000, 0x100000000ull };

static size_t klpb_cbor_left(const struct klpb_cbor *c)
{
	return c->end - c->p;
}

/* one head: the major type and its argument, in shortest form */
static int klpb_cbor_head(struct klpb_cbor *c, u8 *major, u64 *arg)
{
	unsigned int i, n;
	u8 ib, ai;
	u64 v = 0;

	if (!klpb_cbor_left(c))
		return -EBADMSG;
	ib = *c->p;
	*major = ib >> 5;
	ai = ib & 0x1f;
	if (ai < 24) {
		c->p++;
		*arg = ai;
		return 0;
	}
	if (ai > 27)		/* reserved, or an indefinite length */
		return -EBADMSG;
	n = 1u << (ai - 24);
	if (klpb_cbor_left(c) < n + 1)
		return -EBADMSG;
	for (i = 1; i <= n; i++)
		v = v << 8 | c->p[i];
	if (v < klpb_cbor_min_arg[ai - 24])
		return -EBADMSG;
	c->p += n + 1;
	*arg = v;
	return 0;
}

/* a head of type @type; for strings, arrays and maps, check @arg fits */
static int klpb_cbor_expect(struct klpb_cbor *c, u8 type, u64 *arg)
{
	const u8 *start = c->p;
	u8 major;

	if (klpb_cbor_head(c, &major, arg))
		return -EBADMSG;
	if (major != type)
		goto out_rewind;
	switch (major) {
	case KLPB_CBOR_MAJOR_BSTR:
	case KLPB_CBOR_MAJOR_TSTR:
	case KLPB_CBOR_MAJOR_ARRAY:
		/* every array element takes at least one byte */
		if (*arg > klpb_cbor_left(c))
			goto out_rewind;
		break;
	case KLPB_CBOR_MAJOR_MAP:
		if (*arg > klpb_cbor_left(c) / 2)
			goto out_rewind;
		break;
	}
	return 0;

out_rewind:
	c->p = start;
	return -EBADMSG;
}

/* RFC 3629 UTF-8 (no overlong forms, no surrogates, <= U+10FFFF), no NUL */
static bool klpb_utf8_valid(const u8 *s, size_t len)
{
	static const u32 min_cp[4] = { 0, 0x80, 0x800, 0x10000 };
	size_t i = 0, j, n;
	u32 cp;

	while (i < len) {
		u8 b = s[i];

		if (!b)
			return false;
		if (b < 0x80) {
			i++;
			continue;
		}
		if ((b & 0xe0) == 0xc0) {
			n = 1;
			cp = b & 0x1f;
		} else if ((b & 0xf0) == 0xe0) {
			n = 2;
			cp = b & 0x0f;
		} else if ((b & 0xf8) == 0xf0) {
			n = 3;
			cp = b & 0x07;
		} else {
			return false;
		}
		if (len - i <= n)
			return false;
		for (j = 1; j <= n; j++) {
			if ((s[i + j] & 0xc0) != 0x80)
				return false;
			cp = cp << 6 | (s[i + j] & 0x3f);
		}
		if (cp < min_cp[n] || cp > 0x10ffff ||
		    (cp >= 0xd800 && cp <= 0xdfff))
			return false;
		i += n + 1;
	}
	return true;
}

static int klpb_cbor_item(struct klpb_cbor *c, unsigned int depth);

static int klpb_cbor_container(struct klpb_cbor *c, u8 major, u64 n,
			       unsigned int depth)
{
	u64 i, key, prev = 0;

	if (depth >= KLPB_KERNEL_CBOR_MAX_DEPTH)
		return -EBADMSG;
	for (i = 0; i < n; i++) {
		if (major == KLPB_CBOR_MAJOR_MAP) {
			if (klpb_cbor_uint(c, &key) || (i && key <= prev))
				return -EBADMSG;
			prev = key;
		}
		if (klpb_cbor_item(c, depth + 1))
			return -EBADMSG;
	}
	return 0;
}

/* check one item of the subset at nesting @depth and move past it */
static int klpb_cbor_item(struct klpb_cbor *c, unsigned int depth)
{
	const u8 *start = c->p;
	const char *str;
	size_t len;
	u8 major;
	u64 arg;
	bool b;

	if (klpb_cbor_head(c, &major, &arg))
		return -EBADMSG;
	c->p = start;
	switch (major) {
	case KLPB_CBOR_MAJOR_UINT:
		return klpb_cbor_uint(c, &arg);
	case KLPB_CBOR_MAJOR_BSTR:
		return klpb_cbor_bstr(c, &start, &len);
	case KLPB_CBOR_MAJOR_TSTR:
		return klpb_cbor_tstr(c, &str, &len);
	case KLPB_CBOR_MAJOR_ARRAY:
	case KLPB_CBOR_MAJOR_MAP:
		if (klpb_cbor_expect(c, major, &arg))
			return -EBADMSG;
		return klpb_cbor_container(c, major, arg, depth);
	case KLPB_CBOR_MAJOR_SIMPLE:
		return klpb_cbor_bool(c, &b);
	default:		/* negative integers, tags */
		return -EBADMSG;
	}
}

/**
 * klpb_cbor_check() - validate one complete item of the core's subset
 * @c: a cursor over exactly the bytes that must hold one item
 *
 * Return: 0 when @c holds exactly one valid item (the cursor is then at
 * its end), else -EBADMSG with the cursor near the offending byte.
 */
int klpb_cbor_check(struct klpb_cbor *c)
{
	if (klpb_cbor_item(c, 0))
		return -EBADMSG;
	return klpb_cbor_left(c) ? -EBADMSG : 0;
}

/**
 * klpb_cbor_uint() - read an unsigned integer
 * @c: the cursor
 * @v: set to the value
 *
 * Return: 0 or -EBADMSG.
 */
int klpb_cbor_uint(struct klpb_cbor *c, u64 *v)
{
	return klpb_cbor_expect(c, KLPB_CBOR_MAJOR_UINT, v);
}

/**
 * klpb_cbor_bool() - read false or true
 * @c: the cursor
 * @v: set to the value
 *
 * Return: 0 or -EBADMSG.
 */
int klpb_cbor_bool(struct klpb_cbor *c, bool *v)
{
	const u8 *start = c->p;
	u64 arg;

	if (klpb_cbor_expect(c, KLPB_CBOR_MAJOR_SIMPLE, &arg))
		return -EBADMSG;
	if (arg != KLPB_CBOR_FALSE && arg != KLPB_CBOR_TRUE) {
		c->p = start;
		return -EBADMSG;
	}
	*v = arg == KLPB_CBOR_TRUE;
	return 0;
}

/**
 * klpb_cbor_bstr() - read a byte string
 * @c: the cursor
 * @data: set to its first byte, inside the buffer
 * @len: set to its length
 *
 * Return: 0 or -EBADMSG.
 */
int klpb_cbor_bstr(struct klpb_cbor *c, const u8 **data, size_t *len)
{
	u64 n;

	if (klpb_cbor_expect(c, KLPB_CBOR_MAJOR_BSTR, &n))
		return -EBADMSG;
	*data = c->p;
	*len = n;
	c->p += n;
	return 0;
}

/**
 * klpb_cbor_tstr() - read a text string: UTF-8 without NUL
 * @c: the cursor
 * @str: set to its first byte, inside the buffer (not NUL-terminated)
 * @len: set to its length in bytes
 *
 * Return: 0 or -EBADMSG.
 */
int klpb_cbor_tstr(struct klpb_cbor *c, const char **str, size_t *len)
{
	const u8 *start = c->p;
	u64 n;

	if (klpb_cbor_expect(c, KLPB_CBOR_MAJOR_TSTR, &n))
		return -EBADMSG;
	if (!klpb_utf8_valid(c->p, n)) {
		c->p = start;
		return -EBADMSG;
	}
	*str = (const char *)c->p;
	*len = n;
	c->p += n;
	return 0;
}

/**
 * klpb_cbor_array() - read an array's head; its @n items follow
 * @c: the cursor
 * @n: set to the number of items
 *
 * Return: 0 or -EBADMSG.
 */
int klpb_cbor_array(struct klpb_cbor *c, u32 *n)
{
	u64 v;

	if (klpb_cbor_expect(c, KLPB_CBOR_MAJOR_ARRAY, &v))
		return -EBADMSG;
	*n = v;		/* bounded by the bytes left, which fit in a u32 */
	return 0;
}

/**
 * klpb_cbor_map() - read a map's head; @n (uint key, value) pairs follow
 * @c: the cursor
 * @n: set to the number of pairs
 *
 * Return: 0 or -EBADMSG.
 */
int klpb_cbor_map(struct klpb_cbor *c, u32 *n)
{
	u64 v;

	if (klpb_cbor_expect(c, KLPB_CBOR_MAJOR_MAP, &v))
		return -EBADMSG;
	*n = v;
	return 0;
}

/**
 * klpb_cbor_skip() - move past one item of the subset, whatever it is
 * @c: the cursor
 *
 * Return: 0 or -EBADMSG.
 */
int klpb_cbor_skip(struct klpb_cbor *c)
{
	return klpb_cbor_item(c, 0);
}
