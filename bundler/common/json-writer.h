/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * json-writer.h - a small streaming JSON writer.
 *
 * Keys come out in the order they are written, so golden tests stay stable.
 * Strings are escaped per RFC 8259; bytes that are not valid UTF-8 are
 * written as U+FFFD so the document is always valid.  The writer does not
 * check nesting beyond a fixed depth: callers pair start/end calls.
 */
#ifndef KLPB_JSON_WRITER_H
#define KLPB_JSON_WRITER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

struct json_writer;

/* Returns: [owned] a writer on @f ([borrow], not closed); free with jw_free(). NULL on ENOMEM. */
struct json_writer *jw_new(FILE *f, bool pretty);
/* Ends the document with a newline and frees @jw. */
void jw_free(struct json_writer *jw);

void jw_start_object(struct json_writer *jw);
void jw_end_object(struct json_writer *jw);
void jw_start_array(struct json_writer *jw);
void jw_end_array(struct json_writer *jw);
void jw_name(struct json_writer *jw, const char *name);

void jw_string(struct json_writer *jw, const char *s);
void jw_string_len(struct json_writer *jw, const char *s, size_t len);
void jw_uint(struct json_writer *jw, uint64_t v);
void jw_int(struct json_writer *jw, int64_t v);
void jw_bool(struct json_writer *jw, bool v);
void jw_null(struct json_writer *jw);
/* @len bytes as lowercase hex. */
void jw_hex(struct json_writer *jw, const void *buf, size_t len);

void jw_string_field(struct json_writer *jw, const char *name, const char *s);
void jw_uint_field(struct json_writer *jw, const char *name, uint64_t v);
void jw_int_field(struct json_writer *jw, const char *name, int64_t v);
void jw_bool_field(struct json_writer *jw, const char *name, bool v);
void jw_null_field(struct json_writer *jw, const char *name);
void jw_hex_field(struct json_writer *jw, const char *name, const void *buf, size_t len);

/*
 * "name": [{...}, ...]: one object for each of the @n items of @size bytes at
 * @items ([borrow]), its fields written by @fields(@jw, item).
 */
void jw_object_array_field(struct json_writer *jw, const char *name, const void *items, size_t n,
			   size_t size, void (*fields)(struct json_writer *jw, const void *item));

#endif
