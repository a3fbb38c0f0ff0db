/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * strbuf.h - a growable string buffer, for paths and messages of any length.
 *
 *	struct strbuf sb;
 *
 *	strbuf_init(&sb);
 *	rc = strbuf_addf(&sb, "%s/%s", dir, name);
 *	... use sb.buf ...
 *	strbuf_release(&sb);
 *
 * sb.buf is always a NUL-terminated string (the empty one right after
 * strbuf_init()); a failed add leaves the buffer as it was.
 */
#ifndef KLPB_UTIL_STRBUF_H
#define KLPB_UTIL_STRBUF_H

#include <stdarg.h>
#include <stddef.h>

#pragma GCC poison u8 u16 u32 u64

struct strbuf {
	char *buf; /* the string, NUL-terminated */
	size_t len; /* its length, without the NUL */
	size_t alloc; /* bytes allocated at buf; 0 while nothing is */
};

void strbuf_init(struct strbuf *sb);
/* Make room for @extra more bytes (and the NUL).  0 or -ENOMEM. */
int strbuf_grow(struct strbuf *sb, size_t extra);
/* Append @len bytes of @data.  0 or -ENOMEM. */
int strbuf_add(struct strbuf *sb, const void *data, size_t len);
/* Append printf-style.  0, -ENOMEM, or -EINVAL for a bad format. */
int strbuf_addf(struct strbuf *sb, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int strbuf_vaddf(struct strbuf *sb, const char *fmt, va_list ap)
	__attribute__((format(printf, 2, 0)));
/* Free the string; @sb is as after strbuf_init(). */
void strbuf_release(struct strbuf *sb);
/* A new string formatted like printf(): [owned], or NULL when out of memory. */
char *alloc_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/*
 * Hand the string over: [owned] (free()), NULL only when memory runs out.
 * @sb is as after strbuf_init().
 */
char *strbuf_detach(struct strbuf *sb);

#endif
