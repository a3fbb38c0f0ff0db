/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* hex.h - lowercase hexadecimal conversion for digests and build-ids. */
#ifndef KLPB_UTIL_HEX_H
#define KLPB_UTIL_HEX_H

#include <stddef.h>
#include <stdint.h>

#pragma GCC poison u8 u16 u32 u64

/* Write @len bytes of @buf as 2*@len lowercase hex digits plus a NUL into @out. */
void hex_encode(const void *buf, size_t len, char *out);
/*
 * Parse exactly 2*@len hex digits (either case) of @str into @out.
 * Returns: 0, or -EINVAL when @str is not exactly that.
 */
int hex_decode(const char *str, uint8_t *out, size_t len);

#endif
