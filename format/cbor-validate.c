// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * cbor-validate.c - see cbor-validate.h for the rules.
 *
 * One pass over the bytes with an explicit stack: each open array, map or
 * tag is a frame counting the items it still expects (a map expects two
 * per entry: key, value).  When an item completes, the innermost frame is
 * told; for a map key that is the moment the key's encoded extent
 * [key_off, off) is known and compared with the previous key.
 *
 * Invariant: off <= len everywhere, so "len - off" never wraps; every size
 * check is phrased as "n > len - off", never as "off + n > len".
 */
#include <errno.h>
#include <stdbool.h>
#include <string.h>

#include "cbor-validate.h"

enum frame_kind {
	FRAME_ARRAY,
	FRAME_MAP,
	FRAME_TAG,
};

struct frame {
	uint64_t left; /* items still expected (map: keys + values) */
	size_t key_off; /* map: start of the key being read */
	size_t prev_off; /* map: previous key's encoding ... */
	size_t prev_len; /* ... and its length; 0 = no previous key */
	enum frame_kind kind;
};

struct vstate {
	const uint8_t *buf;
	size_t len;
	size_t off; /* next byte to read */
	const struct klpb_cbor_limits *lim;
	unsigned int max_depth;
	unsigned int depth; /* open frames */
	struct frame stack[KLPB_CBOR_MAX_DEPTH];
	struct klpb_cbor_error err;
};

static const char *const rule_names[] = {
	[KLPB_CBOR_OK] = "ok",
	[KLPB_CBOR_TRUNCATED] = "truncated",
	[KLPB_CBOR_NON_SHORTEST] = "non-shortest-head",
	[KLPB_CBOR_INDEFINITE] = "indefinite-length",
	[KLPB_CBOR_RESERVED_AI] = "reserved-additional-info",
	[KLPB_CBOR_COUNT_TOO_LARGE] = "count-too-large",
	[KLPB_CBOR_DEPTH] = "depth",
	[KLPB_CBOR_KEY_ORDER] = "key-order",
	[KLPB_CBOR_DUPLICATE_KEY] = "duplicate-key",
	[KLPB_CBOR_BAD_UTF8] = "bad-utf8",
	[KLPB_CBOR_FLOAT] = "float",
	[KLPB_CBOR_SIMPLE] = "simple-value",
	[KLPB_CBOR_TAG] = "tag",
	[KLPB_CBOR_BSTR_LIMIT] = "bstr-limit",
	[KLPB_CBOR_TSTR_LIMIT] = "tstr-limit",
	[KLPB_CBOR_ITEMS_LIMIT] = "items-limit",
	[KLPB_CBOR_TRAILING] = "trailing-bytes",
	[KLPB_CBOR_EMPTY] = "empty",
};

const char *klpb_cbor_rule_name(enum klpb_cbor_rule rule)
{
	if ((unsigned int)rule >= sizeof(rule_names) / sizeof(rule_names[0]) || !rule_names[rule])
		return "unknown";
	return rule_names[rule];
}

/* Rules exceeding a caller-given limit give -EFBIG, all others -EBADMSG. */
static int rule_errno(enum klpb_cbor_rule rule)
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

/* Smallest argument that needs additional info @ai (24..27). */
static uint64_t shortest_min(uint8_t ai)
{
	switch (ai) {
	case 24:
		return 24;
	case 25:
		return 0x100;
	case 26:
		return 0x10000;
	default:
		return 0x100000000ULL;
	}
}

/*
 * Decode and check the head at @buf[@off] (@off < @len).  Returns the first
 * rule it breaks, in the precedence documented in the header.
 */
static enum klpb_cbor_rule parse_head(const uint8_t *buf, size_t len, size_t off,
				      struct klpb_cbor_head *h)
{
	uint8_t ib = buf[off];
	size_t n;

	h->major = ib >> 5;
	h->ai = ib & 0x1f;
	h->arg = h->ai;
	h->hlen = 1;
	if (h->ai >= 28 && h->ai <= 30)
		return KLPB_CBOR_RESERVED_AI;
	if (h->ai == 31)
		return KLPB_CBOR_INDEFINITE;
	if (h->ai < 24)
		return KLPB_CBOR_OK;

	n = (size_t)1 << (h->ai - 24);
	if (n > len - off - 1)
		return KLPB_CBOR_TRUNCATED;
	h->arg = 0;
	for (size_t i = 1; i <= n; i++)
		h->arg = h->arg << 8 | buf[off + i];
	h->hlen = 1 + n;

	if (h->major == KLPB_CBOR_MAJOR_SIMPLE)
		return KLPB_CBOR_OK; /* f8 xx and floats: the caller decides */
	if (h->arg < shortest_min(h->ai))
		return KLPB_CBOR_NON_SHORTEST;
	return KLPB_CBOR_OK;
}

int klpb_cbor_read_head(const uint8_t *buf, size_t len, size_t off, struct klpb_cbor_head *h)
{
	if (!buf || !h || off >= len)
		return -EBADMSG;
	if (parse_head(buf, len, off, h) != KLPB_CBOR_OK)
		return -EBADMSG;
	if (h->major == KLPB_CBOR_MAJOR_SIMPLE && h->ai == 24)
		return -EBADMSG;
	return 0;
}

/* Length of the UTF-8 sequence at @p (@n > 0 bytes left), or 0 if invalid. */
static size_t utf8_seq(const uint8_t *p, size_t n)
{
	uint8_t c = p[0], lo = 0x80, hi = 0xbf;
	size_t need;

	if (c < 0x80)
		return 1;
	if (c < 0xc2 || c > 0xf4)
		return 0; /* continuation byte, overlong C0/C1, > U+10FFFF */
	if (c < 0xe0) {
		need = 1;
	} else if (c < 0xf0) {
		need = 2;
		if (c == 0xe0)
			lo = 0xa0; /* overlong */
		else if (c == 0xed)
			hi = 0x9f; /* surrogates */
	} else {
		need = 3;
		if (c == 0xf0)
			lo = 0x90; /* overlong */
		else if (c == 0xf4)
			hi = 0x8f; /* > U+10FFFF */
	}
	if (need > n - 1)
		return 0;
	if (p[1] < lo || p[1] > hi)
		return 0;
	for (size_t i = 2; i <= need; i++)
		if (p[i] < 0x80 || p[i] > 0xbf)
			return 0;
	return need + 1;
}

static bool utf8_valid(const uint8_t *p, size_t n)
{
	while (n) {
		size_t k = utf8_seq(p, n);

		if (!k)
			return false;
		p += k;
		n -= k;
	}
	return true;
}

static int fail(struct vstate *s, enum klpb_cbor_rule rule, size_t offset)
{
	s->err.rule = rule;
	s->err.offset = offset;
	return rule_errno(rule);
}

static bool tag_allowed(const struct klpb_cbor_limits *lim, uint64_t tag)
{
	if (!lim->tags)
		return false;
	for (size_t i = 0; i < lim->n_tags; i++)
		if (lim->tags[i] == tag)
			return true;
	return false;
}

/* A byte or text string whose head (at @at) has been read; s->off is past the head. */
static int check_string(struct vstate *s, const struct klpb_cbor_head *h, size_t at)
{
	bool text = h->major == KLPB_CBOR_MAJOR_TSTR;

	if (h->arg > s->len - s->off)
		return fail(s, KLPB_CBOR_TRUNCATED, at);
	if (h->arg > (text ? s->lim->max_tstr : s->lim->max_bstr))
		return fail(s, text ? KLPB_CBOR_TSTR_LIMIT : KLPB_CBOR_BSTR_LIMIT, at);
	if (text && !utf8_valid(s->buf + s->off, (size_t)h->arg))
		return fail(s, KLPB_CBOR_BAD_UTF8, at);
	s->off += (size_t)h->arg;
	return 0;
}

static int check_simple(struct vstate *s, const struct klpb_cbor_head *h, size_t at)
{
	if (h->ai >= 25)
		return fail(s, KLPB_CBOR_FLOAT, at);
	if (h->ai < KLPB_CBOR_FALSE || h->ai > KLPB_CBOR_NULL)
		return fail(s, KLPB_CBOR_SIMPLE, at);
	return 0;
}

/*
 * Open a container (array, map or tag) whose head is at @at: check it, then
 * push a frame expecting @items items.  *@opened is false when it has no
 * items, i.e. it is already complete.
 */
static int open_container(struct vstate *s, enum frame_kind kind, uint64_t items, size_t at,
			  bool *opened)
{
	struct frame *f;

	if (s->depth >= s->max_depth)
		return fail(s, KLPB_CBOR_DEPTH, at);
	*opened = items > 0;
	if (!items)
		return 0;
	f = &s->stack[s->depth++];
	f->kind = kind;
	f->left = items;
	f->key_off = 0;
	f->prev_off = 0;
	f->prev_len = 0;
	return 0;
}

static int check_array_or_map(struct vstate *s, const struct klpb_cbor_head *h, size_t at,
			      bool *opened)
{
	bool map = h->major == KLPB_CBOR_MAJOR_MAP;
	uint64_t room = s->len - s->off;

	if (map)
		room /= 2;
	if (h->arg > room)
		return fail(s, KLPB_CBOR_COUNT_TOO_LARGE, at);
	if (h->arg > s->lim->max_items)
		return fail(s, KLPB_CBOR_ITEMS_LIMIT, at);
	/* h->arg <= len / 2 for maps, so doubling cannot overflow. */
	return open_container(s, map ? FRAME_MAP : FRAME_ARRAY, map ? 2 * h->arg : h->arg, at,
			      opened);
}

/*
 * Read one head at s->off and everything that belongs to it except the
 * items of a container.  *@opened tells whether a frame was pushed.
 */
static int read_item(struct vstate *s, bool *opened)
{
	struct klpb_cbor_head h;
	enum klpb_cbor_rule rule;
	size_t at = s->off;

	*opened = false;
	rule = parse_head(s->buf, s->len, at, &h);
	if (rule != KLPB_CBOR_OK)
		return fail(s, rule, at);
	s->off += h.hlen;

	switch (h.major) {
	case KLPB_CBOR_MAJOR_UINT:
	case KLPB_CBOR_MAJOR_NINT:
		return 0;
	case KLPB_CBOR_MAJOR_BSTR:
	case KLPB_CBOR_MAJOR_TSTR:
		return check_string(s, &h, at);
	case KLPB_CBOR_MAJOR_ARRAY:
	case KLPB_CBOR_MAJOR_MAP:
		return check_array_or_map(s, &h, at, opened);
	case KLPB_CBOR_MAJOR_TAG:
		if (!tag_allowed(s->lim, h.arg))
			return fail(s, KLPB_CBOR_TAG, at);
		return open_container(s, FRAME_TAG, 1, at, opened);
	default:
		return check_simple(s, &h, at);
	}
}

/* The map key [f->key_off, s->off) is complete: compare it with the previous one. */
static int check_key(struct vstate *s, struct frame *f)
{
	size_t klen = s->off - f->key_off;
	size_t n = klen < f->prev_len ? klen : f->prev_len;
	int cmp;

	if (f->prev_len) {
		cmp = memcmp(s->buf + f->prev_off, s->buf + f->key_off, n);
		if (cmp == 0 && klen == f->prev_len)
			return fail(s, KLPB_CBOR_DUPLICATE_KEY, f->key_off);
		if (cmp > 0 || (cmp == 0 && f->prev_len > klen))
			return fail(s, KLPB_CBOR_KEY_ORDER, f->key_off);
	}
	f->prev_off = f->key_off;
	f->prev_len = klen;
	return 0;
}

/*
 * An item just ended at s->off: account for it in the enclosing frames,
 * closing every frame it completes.
 */
static int item_done(struct vstate *s)
{
	while (s->depth) {
		struct frame *f = &s->stack[s->depth - 1];
		int ret;

		if (f->kind == FRAME_MAP && f->left % 2 == 0) {
			ret = check_key(s, f);
			if (ret)
				return ret;
		}
		if (--f->left)
			return 0;
		s->depth--;
	}
	return 0;
}

/* Record where the next item starts if it is a map key. */
static void item_start(struct vstate *s)
{
	struct frame *f;

	if (!s->depth)
		return;
	f = &s->stack[s->depth - 1];
	if (f->kind == FRAME_MAP && f->left % 2 == 0)
		f->key_off = s->off;
}

static int validate(struct vstate *s)
{
	bool opened;
	int ret;

	if (!s->len)
		return fail(s, KLPB_CBOR_EMPTY, 0);
	do {
		if (s->off == s->len)
			return fail(s, KLPB_CBOR_TRUNCATED, s->off);
		item_start(s);
		ret = read_item(s, &opened);
		if (ret)
			return ret;
		if (!opened) {
			ret = item_done(s);
			if (ret)
				return ret;
		}
	} while (s->depth);
	if (s->off != s->len)
		return fail(s, KLPB_CBOR_TRAILING, s->off);
	return 0;
}

int klpb_cbor_validate(const uint8_t *buf, size_t len, const struct klpb_cbor_limits *lim,
		       struct klpb_cbor_error *err)
{
	struct vstate s = {
		.buf = buf,
		.len = len,
		.lim = lim,
	};
	int ret;

	if (err) {
		err->rule = KLPB_CBOR_OK;
		err->offset = 0;
	}
	if (!lim || (!buf && len))
		return -EINVAL;
	s.max_depth = lim->max_depth < KLPB_CBOR_MAX_DEPTH ? lim->max_depth : KLPB_CBOR_MAX_DEPTH;
	ret = validate(&s);
	if (err)
		*err = s.err;
	return ret;
}
