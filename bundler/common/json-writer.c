// SPDX-License-Identifier: LGPL-2.1-or-later
/* json-writer.c - see json-writer.h. */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "common/json-writer.h"

#define JW_MAX_DEPTH 64

struct json_writer {
	FILE *f;
	bool pretty;
	bool after_name; /* a name was written: the value follows on the line */
	int depth;
	bool has_items[JW_MAX_DEPTH]; /* per level: a value was written already */
};

struct json_writer *jw_new(FILE *f, bool pretty)
{
	struct json_writer *jw = calloc(1, sizeof(*jw));

	if (!jw)
		return NULL;
	jw->f = f;
	jw->pretty = pretty;
	return jw;
}

void jw_free(struct json_writer *jw)
{
	if (!jw)
		return;
	fputc('\n', jw->f);
	free(jw);
}

static void indent(struct json_writer *jw)
{
	if (!jw->pretty)
		return;
	fputc('\n', jw->f);
	for (int i = 0; i < jw->depth; i++)
		fputs("  ", jw->f);
}

/* Separator and indentation before a value or a name. */
static void begin_item(struct json_writer *jw)
{
	if (jw->after_name) {
		jw->after_name = false;
		return;
	}
	if (jw->depth > 0) {
		if (jw->has_items[jw->depth])
			fputc(',', jw->f);
		jw->has_items[jw->depth] = true;
		indent(jw);
	}
}

static void open_level(struct json_writer *jw, char c)
{
	begin_item(jw);
	fputc(c, jw->f);
	if (jw->depth < JW_MAX_DEPTH - 1)
		jw->depth++;
	jw->has_items[jw->depth] = false;
}

static void close_level(struct json_writer *jw, char c)
{
	bool had_items = jw->has_items[jw->depth];

	if (jw->depth > 0)
		jw->depth--;
	if (had_items)
		indent(jw);
	fputc(c, jw->f);
}

void jw_start_object(struct json_writer *jw)
{
	open_level(jw, '{');
}

void jw_end_object(struct json_writer *jw)
{
	close_level(jw, '}');
}

void jw_start_array(struct json_writer *jw)
{
	open_level(jw, '[');
}

void jw_end_array(struct json_writer *jw)
{
	close_level(jw, ']');
}

/* Length of the valid UTF-8 sequence at @s (at most @len bytes), or 0. */
static size_t utf8_seq_len(const unsigned char *s, size_t len)
{
	uint32_t cp;
	size_t n;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		n = 2, cp = s[0] & 0x1f;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		n = 3, cp = s[0] & 0x0f;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		n = 4, cp = s[0] & 0x07;
	else
		return 0;
	if (n > len)
		return 0;
	for (size_t i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	if ((n == 3 && cp < 0x800) || (n == 4 && (cp < 0x10000 || cp > 0x10ffff)) ||
	    (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return n;
}

static void write_escaped(FILE *f, const char *str, size_t len)
{
	const unsigned char *s = (const unsigned char *)str;

	fputc('"', f);
	for (size_t i = 0; i < len;) {
		size_t n = utf8_seq_len(s + i, len - i);

		if (n == 0) {
			fputs("\\ufffd", f);
			i++;
			continue;
		}
		if (n > 1) {
			fwrite(s + i, 1, n, f);
			i += n;
			continue;
		}
		switch (s[i]) {
		case '"':
			fputs("\\\"", f);
			break;
		case '\\':
			fputs("\\\\", f);
			break;
		case '\n':
			fputs("\\n", f);
			break;
		case '\r':
			fputs("\\r", f);
			break;
		case '\t':
			fputs("\\t", f);
			break;
		case '\b':
			fputs("\\b", f);
			break;
		case '\f':
			fputs("\\f", f);
			break;
		default:
			if (s[i] < 0x20 || s[i] == 0x7f)
				fprintf(f, "\\u%04x", s[i]);
			else
				fputc(s[i], f);
		}
		i++;
	}
	fputc('"', f);
}

void jw_name(struct json_writer *jw, const char *name)
{
	begin_item(jw);
	write_escaped(jw->f, name, strlen(name));
	fputs(jw->pretty ? ": " : ":", jw->f);
	jw->after_name = true;
}

void jw_string_len(struct json_writer *jw, const char *s, size_t len)
{
	begin_item(jw);
	write_escaped(jw->f, s, len);
}

void jw_string(struct json_writer *jw, const char *s)
{
	if (!s) {
		jw_null(jw);
		return;
	}
	jw_string_len(jw, s, strlen(s));
}

void jw_uint(struct json_writer *jw, uint64_t v)
{
	begin_item(jw);
	fprintf(jw->f, "%" PRIu64, v);
}

void jw_int(struct json_writer *jw, int64_t v)
{
	begin_item(jw);
	fprintf(jw->f, "%" PRId64, v);
}

void jw_bool(struct json_writer *jw, bool v)
{
	begin_item(jw);
	fputs(v ? "true" : "false", jw->f);
}

void jw_null(struct json_writer *jw)
{
	begin_item(jw);
	fputs("null", jw->f);
}

void jw_hex(struct json_writer *jw, const void *buf, size_t len)
{
	const unsigned char *p = buf;

	begin_item(jw);
	fputc('"', jw->f);
	for (size_t i = 0; i < len; i++)
		fprintf(jw->f, "%02x", p[i]);
	fputc('"', jw->f);
}

void jw_string_field(struct json_writer *jw, const char *name, const char *s)
{
	jw_name(jw, name);
	jw_string(jw, s);
}

void jw_uint_field(struct json_writer *jw, const char *name, uint64_t v)
{
	jw_name(jw, name);
	jw_uint(jw, v);
}

void jw_int_field(struct json_writer *jw, const char *name, int64_t v)
{
	jw_name(jw, name);
	jw_int(jw, v);
}

void jw_bool_field(struct json_writer *jw, const char *name, bool v)
{
	jw_name(jw, name);
	jw_bool(jw, v);
}

void jw_null_field(struct json_writer *jw, const char *name)
{
	jw_name(jw, name);
	jw_null(jw);
}

void jw_hex_field(struct json_writer *jw, const char *name, const void *buf, size_t len)
{
	jw_name(jw, name);
	jw_hex(jw, buf, len);
}

void jw_object_array_field(struct json_writer *jw, const char *name, const void *items, size_t n,
			   size_t size, void (*fields)(struct json_writer *jw, const void *item))
{
	jw_name(jw, name);
	jw_start_array(jw);
	for (size_t i = 0; i < n; i++) {
		jw_start_object(jw);
		fields(jw, (const char *)items + i * size);
		jw_end_object(jw);
	}
	jw_end_array(jw);
}
