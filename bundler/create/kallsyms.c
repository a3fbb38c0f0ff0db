// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * kallsyms.c - read the symbol names of a stripped vmlinux from its kallsyms
 * tables, so create can check functions without a debug package (Debian's
 * System.map is a placeholder and its vmlinuz is stripped).
 *
 * scripts/kallsyms.c emits, each table 8-byte aligned in .rodata:
 *   kallsyms_num_syms   .long N
 *   kallsyms_names      N entries: a length (one byte, or two when the
 *                       first has bit 7 set: len = (b0 & 0x7f) | b1 << 7,
 *                       6.1+) and that many token numbers; the first
 *                       expanded character is the symbol type
 *   kallsyms_markers    u32 per 256 entries: the offset of entry 256*k
 *   [kallsyms_seqs_of_names, 6.2+]
 *   kallsyms_token_table 256 NUL-terminated strings
 *   kallsyms_token_index 256 u16 offsets into the token table
 * and, with CONFIG_KALLSYMS_BASE_RELATIVE (every x86-64 kernel), the
 * addresses as
 *   kallsyms_offsets       .long per symbol
 *   kallsyms_relative_base .quad, the lowest relative address (_text)
 * before kallsyms_num_syms up to 6.3, after kallsyms_token_index since
 * 6.4.  With CONFIG_KALLSYMS_ABSOLUTE_PERCPU (x86-64 SMP, up to 6.14) an
 * offset >= 0 is an absolute address (a per-CPU symbol) and one < 0 means
 * relative_base - 1 - offset; without it, relative_base + (u32)offset
 * (kernel/kallsyms.c, kallsyms_sym_address()).  The table is sorted by
 * address, which tells the right layout and mode.
 * Nothing locates them (the image has no symbol table), so they are found
 * by their shape: a token index whose offsets match a token table just
 * before it, a markers array that starts at 0 and grows steadily, and a
 * count N right before the names that the markers agree with.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "create/kallsyms.h"

#define ALIGN 8
#define MARKER_STEP_MIN 256 /* 256 entries of at least one token byte + length */
#define MARKER_STEP_MAX (256 * 512)
#define NAME_MAX_LEN 512

struct kallsyms {
	const uint8_t *img;
	size_t len;
	size_t token_table; /* offset of kallsyms_token_table */
	uint16_t token_index[256];
	size_t index; /* offset of kallsyms_token_index */
	size_t markers; /* offset of kallsyms_markers */
	size_t n_markers;
	size_t names; /* offset of kallsyms_names */
	uint32_t num_syms;
	size_t offsets; /* offset of kallsyms_offsets; 0: none recognised */
	uint64_t relative_base;
	bool absolute_percpu;
};

static uint32_t rd32(const uint8_t *p)
{
	return p[0] | p[1] << 8 | p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint64_t rd64(const uint8_t *p)
{
	return rd32(p) | (uint64_t)rd32(p + 4) << 32;
}

static uint16_t rd16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

/* Do the 256 strings at @t (ending at @end) sit exactly at the offsets in @idx? */
static bool token_table_matches(const uint8_t *img, size_t t, size_t end, const uint16_t *idx)
{
	for (int i = 0; i < 256; i++) {
		size_t s = t + idx[i], next = i < 255 ? t + idx[i + 1] : end;

		if (next <= s || next > end)
			return false;
		if (strnlen((const char *)img + s, next - s) != next - s - 1)
			return false;
	}
	return true;
}

/* Is there a token index at @p, with its token table right before it? */
static bool try_token_index(struct kallsyms *ks, size_t p)
{
	uint16_t idx[256];

	if (ks->len - p < 512 || rd16(ks->img + p) != 0)
		return false;
	for (int i = 0; i < 256; i++) {
		idx[i] = rd16(ks->img + p + 2 * i);
		if (i > 0 && idx[i] <= idx[i - 1])
			return false;
	}
	/*
	 * The table is 8-aligned and its last string ends (NUL included)
	 * less than 8 bytes before @p; that string is shorter than 64 bytes.
	 */
	for (size_t pad = 0; pad < ALIGN && pad < p; pad++) {
		size_t end = p - pad, t;

		if (ks->img[end - 1] != 0 || end < (size_t)idx[255] + 1)
			continue;
		t = end - idx[255] - 1;
		for (size_t back = 0; back < 64 && back <= t; back++) {
			if ((t - back) % ALIGN == 0 &&
			    token_table_matches(ks->img, t - back, end, idx)) {
				ks->token_table = t - back;
				memcpy(ks->token_index, idx, sizeof(idx));
				ks->index = p;
				return true;
			}
		}
	}
	return false;
}

static int find_token_tables(struct kallsyms *ks)
{
	for (size_t p = ALIGN; p + 512 <= ks->len; p += ALIGN)
		if (try_token_index(ks, p))
			return 0;
	return -ENOENT;
}

/* A markers array at @q: 0, then steadily growing; its length in *@n. */
static bool try_markers(const struct kallsyms *ks, size_t q, size_t *n)
{
	size_t k = 1;
	uint32_t prev = 0;

	if (rd32(ks->img + q) != 0)
		return false;
	while (q + 4 * (k + 1) <= ks->token_table) {
		uint32_t m = rd32(ks->img + q + 4 * k);

		if (m < prev + MARKER_STEP_MIN || m > prev + MARKER_STEP_MAX)
			break;
		prev = m;
		k++;
	}
	if (k < 8)
		return false;
	*n = k;
	return true;
}

/* Walk entry @i's length at @off; returns its total size, or 0 if malformed. */
static size_t entry_size(const struct kallsyms *ks, size_t off, size_t end)
{
	size_t len, hlen = 1;

	if (off >= end)
		return 0;
	len = ks->img[off];
	if (len & 0x80) {
		if (off + 1 >= end)
			return 0;
		len = (len & 0x7f) | (size_t)ks->img[off + 1] << 7;
		hlen = 2;
	}
	if (len == 0 || len > end - off - hlen)
		return 0;
	return hlen + len;
}

/* Do N entries from @names end near @markers, with entry 256*k at markers[k]? */
static bool names_agree(const struct kallsyms *ks, size_t names, uint32_t n)
{
	size_t off = names;

	for (uint32_t i = 0; i < n; i++) {
		size_t sz;

		if (i % 256 == 0 && rd32(ks->img + ks->markers + 4 * (i / 256)) != off - names)
			return false;
		sz = entry_size(ks, off, ks->markers);
		if (!sz)
			return false;
		off += sz;
	}
	return off <= ks->markers && ks->markers - off < ALIGN;
}

static int find_names(struct kallsyms *ks)
{
	for (size_t q = ks->token_table & ~(size_t)(ALIGN - 1); q >= ALIGN; q -= ALIGN) {
		size_t n;

		if (!try_markers(ks, q, &n))
			continue;
		ks->markers = q;
		ks->n_markers = n;
		/* kallsyms_num_syms sits 8 bytes before the names it counts. */
		for (size_t p = q - ALIGN; p >= ALIGN; p -= ALIGN) {
			uint32_t num = rd32(ks->img + p);

			if ((num + 255) / 256 == n && names_agree(ks, p + ALIGN, num)) {
				ks->names = p + ALIGN;
				ks->num_syms = num;
				return 0;
			}
			if (q - p > (size_t)n * MARKER_STEP_MAX)
				break;
		}
	}
	return -ENOENT;
}

/* Expand entry at *@off into @out (type char first); advance *@off. */
static int expand_entry(const struct kallsyms *ks, size_t *off, char *out, size_t size)
{
	size_t sz = entry_size(ks, *off, ks->markers), hlen = ks->img[*off] & 0x80 ? 2 : 1;
	size_t o = 0;

	if (!sz)
		return -EBADMSG;
	for (size_t i = hlen; i < sz; i++) {
		const char *tok = (const char *)ks->img + ks->token_table +
				  ks->token_index[ks->img[*off + i]];
		size_t n = strlen(tok);

		if (o + n >= size)
			return -ENAMETOOLONG;
		memcpy(out + o, tok, n);
		o += n;
	}
	out[o] = '\0';
	*off += sz;
	return 0;
}

static size_t align_up(size_t v)
{
	return (v + ALIGN - 1) & ~(size_t)(ALIGN - 1);
}

/* Symbol @i's address, as kallsyms_sym_address() computes it. */
static uint64_t sym_address(const struct kallsyms *ks, uint32_t i)
{
	int32_t off = (int32_t)rd32(ks->img + ks->offsets + 4 * (size_t)i);

	if (!ks->absolute_percpu)
		return ks->relative_base + (uint32_t)off;
	if (off >= 0)
		return (uint64_t)off;
	return ks->relative_base - 1 - (uint64_t)(int64_t)off;
}

/*
 * Offsets at @offsets and the base at @base: is the base a kernel address
 * and are the addresses they give sorted?  Sets the mode on success.
 */
static bool try_addresses(struct kallsyms *ks, size_t offsets, size_t base)
{
	uint64_t prev = 0;
	bool negative = false;

	if (base + 8 > ks->len || offsets + 4 * (size_t)ks->num_syms > base)
		return false;
	ks->relative_base = rd64(ks->img + base);
	if (ks->relative_base >> 47 != 0x1ffff)
		return false;
	for (uint32_t i = 0; i < ks->num_syms && !negative; i++)
		negative = (int32_t)rd32(ks->img + offsets + 4 * (size_t)i) < 0;
	ks->offsets = offsets;
	ks->absolute_percpu = negative;
	for (uint32_t i = 0; i < ks->num_syms; i++) {
		uint64_t a = sym_address(ks, i);

		if (a < prev) {
			ks->offsets = 0;
			return false;
		}
		prev = a;
	}
	return true;
}

/* Find kallsyms_offsets and kallsyms_relative_base (either layout), if any. */
static void find_addresses(struct kallsyms *ks)
{
	size_t table = 4 * (size_t)ks->num_syms, base, offsets;

	/* up to 6.3: offsets, relative_base, num_syms (8 before the names) */
	base = ks->names - 2 * ALIGN;
	if (ks->names >= 2 * ALIGN && base >= table &&
	    try_addresses(ks, (base - table) & ~(size_t)(ALIGN - 1), base))
		return;
	/* 6.4+: token_index, offsets, relative_base */
	offsets = align_up(ks->index + 512);
	if (!try_addresses(ks, offsets, align_up(offsets + table)))
		ks->offsets = 0;
}

int kallsyms_foreach(const uint8_t *img, size_t len,
		     int (*fn)(char type, const char *name, uint64_t addr, void *data), void *data)
{
	struct kallsyms ks = { .img = img, .len = len };
	char name[NAME_MAX_LEN];
	size_t off;
	int rc;

	rc = find_token_tables(&ks);
	if (!rc)
		rc = find_names(&ks);
	if (rc)
		return rc;
	find_addresses(&ks);
	off = ks.names;
	for (uint32_t i = 0; i < ks.num_syms; i++) {
		rc = expand_entry(&ks, &off, name, sizeof(name));
		if (rc)
			return rc;
		if (name[0] == '\0')
			continue;
		rc = fn(name[0], name + 1, ks.offsets ? sym_address(&ks, i) : 0, data);
		if (rc)
			return rc;
	}
	return (int)ks.num_syms;
}
