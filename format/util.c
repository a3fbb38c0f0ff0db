// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * util.c - errors, the arena, the deterministic CBOR writer, the field
 * rules and the per-region validator limits (see format-internal.h).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cbor.h>

#include "cbor-validate.h"
#include "format-internal.h"

int klpb_set_error(struct klpb_error *e, int code, bool has_offset, size_t offset,
		   const char *field, const char *fmt, ...)
{
	va_list ap;

	if (!e)
		return code;
	e->code = code;
	e->has_offset = has_offset;
	e->offset = offset;
	snprintf(e->field, sizeof(e->field), "%s", field ? field : "");
	va_start(ap, fmt);
	vsnprintf(e->message, sizeof(e->message), fmt, ap);
	va_end(ap);
	return code;
}

const char *klpb_error_str(const struct klpb_error *e, char *out, size_t size)
{
	int n = 0;

	if (e->has_offset)
		n = snprintf(out, size, "at byte %zu ", e->offset);
	if (n >= 0 && (size_t)n < size && e->field[0])
		n += snprintf(out + n, size - n, "(%s)%s", e->field, e->message[0] ? ": " : "");
	if (n >= 0 && (size_t)n < size)
		snprintf(out + n, size - n, "%s", e->message);
	return out;
}

void klpb_buf_free(struct klpb_buf *buf)
{
	free(buf->data);
	buf->data = NULL;
	buf->len = buf->cap = 0;
}

/* ---- arena ---- */

struct arena_blk {
	struct arena_blk *next;
	size_t used, cap;
	_Alignas(16) unsigned char data[];
};

struct arena {
	struct arena_blk *head;
};

struct arena *arena_new(void)
{
	return calloc(1, sizeof(struct arena));
}

void arena_free(struct arena *a)
{
	struct arena_blk *b, *next;

	if (!a)
		return;
	for (b = a->head; b; b = next) {
		next = b->next;
		free(b);
	}
	free(a);
}

void *arena_alloc(struct arena *a, size_t n)
{
	struct arena_blk *b = a->head;
	size_t need = (n + 15) & ~(size_t)15;
	void *p;

	if (need < n)
		return NULL;
	if (!b || b->cap - b->used < need) {
		size_t cap = need > 16384 ? need : 16384;

		b = calloc(1, sizeof(*b) + cap);
		if (!b)
			return NULL;
		b->cap = cap;
		b->next = a->head;
		a->head = b;
	}
	p = b->data + b->used;
	b->used += need;
	return p;
}

void *arena_calloc(struct arena *a, size_t n, size_t size)
{
	if (size && n > SIZE_MAX / size)
		return NULL;
	return arena_alloc(a, n * size);
}

char *arena_strndup(struct arena *a, const void *s, size_t n)
{
	char *p = arena_alloc(a, n + 1);

	if (p) {
		memcpy(p, s, n);
		p[n] = '\0';
	}
	return p;
}

/* ---- writer ---- */

int buf_reserve(struct klpb_buf *b, size_t n)
{
	size_t cap;
	uint8_t *p;

	if (b->cap - b->len >= n)
		return 0;
	if (n > SIZE_MAX / 2 - b->len)
		return -ENOMEM;
	cap = b->cap ? b->cap : 256;
	while (cap - b->len < n)
		cap *= 2;
	p = realloc(b->data, cap);
	if (!p)
		return -ENOMEM;
	b->data = p;
	b->cap = cap;
	return 0;
}

int buf_put(struct klpb_buf *b, const void *data, size_t n)
{
	int rc = buf_reserve(b, n);

	if (rc < 0)
		return rc;
	if (n)
		memcpy(b->data + b->len, data, n);
	b->len += n;
	return 0;
}

/* Every head is at most 9 bytes; the encoding.h functions write the shortest. */
#define CW_HEAD(b, call)                       \
	do {                                   \
		size_t _n;                     \
		int _rc = buf_reserve((b), 9); \
		if (_rc < 0)                   \
			return _rc;            \
		_n = call;                     \
		if (!_n)                       \
			return -ENOMEM;        \
		(b)->len += _n;                \
		return 0;                      \
	} while (0)

int cw_uint(struct klpb_buf *b, uint64_t v)
{
	CW_HEAD(b, cbor_encode_uint(v, b->data + b->len, 9));
}

int cw_negint(struct klpb_buf *b, uint64_t v)
{
	CW_HEAD(b, cbor_encode_negint(v, b->data + b->len, 9));
}

int cw_bool(struct klpb_buf *b, bool v)
{
	CW_HEAD(b, cbor_encode_bool(v, b->data + b->len, 9));
}

int cw_null(struct klpb_buf *b)
{
	CW_HEAD(b, cbor_encode_null(b->data + b->len, 9));
}

int cw_array(struct klpb_buf *b, size_t n)
{
	CW_HEAD(b, cbor_encode_array_start(n, b->data + b->len, 9));
}

int cw_map(struct klpb_buf *b, size_t n)
{
	CW_HEAD(b, cbor_encode_map_start(n, b->data + b->len, 9));
}

int cw_tag(struct klpb_buf *b, uint64_t tag)
{
	CW_HEAD(b, cbor_encode_tag(tag, b->data + b->len, 9));
}

int cw_bstr_head(struct klpb_buf *b, size_t n)
{
	CW_HEAD(b, cbor_encode_bytestring_start(n, b->data + b->len, 9));
}

int cw_bstr(struct klpb_buf *b, const void *data, size_t n)
{
	int rc = cw_bstr_head(b, n);

	return rc < 0 ? rc : buf_put(b, data, n);
}

static int cw_tstr_head(struct klpb_buf *b, size_t n)
{
	CW_HEAD(b, cbor_encode_string_start(n, b->data + b->len, 9));
}

int cw_tstr(struct klpb_buf *b, const char *s)
{
	size_t n = strlen(s);
	int rc = cw_tstr_head(b, n);

	return rc < 0 ? rc : buf_put(b, s, n);
}

int cw_version(struct klpb_buf *b, unsigned int major, unsigned int minor)
{
	int rc = cw_array(b, 2);

	if (!rc)
		rc = cw_uint(b, major);
	if (!rc)
		rc = cw_uint(b, minor);
	return rc;
}

/* ---- field rules ---- */

static bool all_in(const char *s, size_t len, unsigned char lo, unsigned char hi)
{
	for (size_t i = 0; i < len; i++)
		if ((unsigned char)s[i] < lo || (unsigned char)s[i] > hi)
			return false;
	return true;
}

const char *check_name(const char *s, size_t len)
{
	if (len < 1 || len > KLPB_MAX_NAME)
		return "must be 1 to 55 characters";
	for (size_t i = 0; i < len; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '_'))
			return "may contain only [a-z0-9_]";
	return NULL;
}

const char *check_release(const char *s, size_t len)
{
	if (len < 1 || len > KLPB_MAX_RELEASE)
		return "must be 1 to 64 characters";
	return all_in(s, len, 0x21, 0x7e) ? NULL : "must be printable ASCII without spaces";
}

const char *check_symbol(const char *s, size_t len)
{
	if (len < 1 || len > KLPB_MAX_SYMBOL)
		return "must be 1 to 511 characters";
	return all_in(s, len, 0x21, 0x7e) ? NULL : "must be printable ASCII without spaces";
}

const char *check_tool_version(const char *s, size_t len)
{
	if (len < 1 || len > KLPB_MAX_TOOL_VERSION)
		return "must be 1 to 64 characters";
	return all_in(s, len, 0x20, 0x7e) ? NULL : "must be printable ASCII";
}

const char *check_source_name(const char *s, size_t len)
{
	if (len < 1 || len > KLPB_MAX_SOURCE_NAME)
		return "must be 1 to 255 characters";
	if (!all_in(s, len, 0x21, 0x7e))
		return "must be printable ASCII without spaces";
	if (s[0] == '/')
		return "must be a relative path";
	for (size_t i = 0; i + 1 < len; i++)
		if (s[i] == '.' && s[i + 1] == '.' && (i == 0 || s[i - 1] == '/') &&
		    (i + 2 == len || s[i + 2] == '/'))
			return "must not contain a '..' component";
	return NULL;
}

const char *check_cve(const char *s, size_t len)
{
	static const char why[] = "must look like CVE-2024-12345";
	size_t i;

	if (len < 13 || len > KLPB_MAX_CVE || memcmp(s, "CVE-", 4) || s[8] != '-')
		return why;
	for (i = 4; i < len; i++)
		if (i != 8 && (s[i] < '0' || s[i] > '9'))
			return why;
	return NULL;
}

const char *check_description(const char *s, size_t len)
{
	if (len > KLPB_MAX_DESCRIPTION)
		return "must be at most 4096 bytes";
	return memchr(s, '\0', len) ? "must not contain NUL" : NULL;
}

/* ---- validation ---- */

static const uint64_t container_tags[] = { COSE_TAG_SIGN1 };

static const struct klpb_cbor_limits limits[] = {
	[V_CONTAINER] = { KLPB_MAX_DEPTH_CONTAINER, KLPB_MAX_PAYLOAD, 0, 256, container_tags, 1 },
	[V_MANIFEST] = { KLPB_MAX_DEPTH_MANIFEST, KLPB_MAX_CORE, 0, KLPB_MAX_TARGETS, NULL, 0 },
	[V_CORE] = { KLPB_MAX_DEPTH_CORE, KLPB_SHA256_LEN, 2 * KLPB_MAX_DESCRIPTION,
		     KLPB_MAX_SYMBOLS, NULL, 0 },
	[V_PROTECTED] = { KLPB_MAX_DEPTH_PROTECTED, KLPB_KID_LEN, 0, 2, NULL, 0 },
};

int validate_region(enum vlevel level, const uint8_t *buf, size_t len, size_t base,
		    const char *region, struct klpb_error *err)
{
	struct klpb_cbor_error ce = { 0 };
	int rc = klpb_cbor_validate(buf, len, &limits[level], &ce);

	if (rc == 0)
		return 0;
	return klpb_set_error(err, rc, true, base + ce.offset, region, "%s: %s",
			      rc == -EFBIG ? "limit exceeded" : "invalid CBOR",
			      klpb_cbor_rule_name(ce.rule));
}

static bool has_index(const uint64_t *v, size_t n, uint64_t i)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (v[mid] == i)
			return true;
		if (v[mid] < i)
			lo = mid + 1;
		else
			hi = mid;
	}
	return false;
}

bool klpb_target_has_func(const struct klpb_target *t, uint64_t i)
{
	return !t->has_funcs || has_index(t->funcs, t->n_funcs, i);
}

bool klpb_target_has_symbol(const struct klpb_target *t, uint64_t i)
{
	return !t->has_symbols || has_index(t->symbols, t->n_symbols, i);
}
