/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * format-internal.h - what the format/ sources share: the error helpers,
 * the arena, the deterministic CBOR writer and the field rules.  Not part
 * of the public API (selftests/unit/mkvectors.c uses the writer to forge
 * invalid files).
 */
#ifndef KLPB_FORMAT_INTERNAL_H
#define KLPB_FORMAT_INTERNAL_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "klp-bundle/format.h"

#pragma GCC poison u8 u16 u32 u64

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

#define COSE_TAG_SIGN1 18
#define COSE_PROTECTED_LEN 38 /* a2 01 27 04 58 20 <32> */

/* ---- errors ---- */

/* Fill @e (may be NULL) and return @code. */
int klpb_set_error(struct klpb_error *e, int code, bool has_offset, size_t offset,
		   const char *field, const char *fmt, ...) __attribute__((format(printf, 6, 7)));

/* ---- arena: many small allocations freed at once ---- */

struct arena;
struct arena *arena_new(void);
void arena_free(struct arena *a);
/* Zeroed, 16-byte aligned; NULL on ENOMEM. n may be 0. */
void *arena_alloc(struct arena *a, size_t n);
void *arena_calloc(struct arena *a, size_t n, size_t size);
char *arena_strndup(struct arena *a, const void *s, size_t n);

/* The arena that owns @b's decoded fields (decode.c), for the signer. */
struct arena *bundle_arena(struct klpb_bundle *b);
/* Decode and check a core on its own (decode.c): the encoder's check, klpb_core_decode(). */
int core_decode(const uint8_t *buf, size_t len, struct arena *a, struct klpb_core *out,
		struct klpb_error *err);

/* ---- deterministic CBOR writer (libcbor encoding.h heads) ---- */

int buf_reserve(struct klpb_buf *b, size_t n);
int buf_put(struct klpb_buf *b, const void *data, size_t n);
int cw_uint(struct klpb_buf *b, uint64_t v);
int cw_negint(struct klpb_buf *b, uint64_t v); /* encodes -1 - v */
int cw_bool(struct klpb_buf *b, bool v);
int cw_null(struct klpb_buf *b);
int cw_array(struct klpb_buf *b, size_t n);
int cw_map(struct klpb_buf *b, size_t n);
int cw_tag(struct klpb_buf *b, uint64_t tag);
int cw_bstr(struct klpb_buf *b, const void *data, size_t n);
int cw_bstr_head(struct klpb_buf *b, size_t n);
int cw_tstr(struct klpb_buf *b, const char *s);
int cw_version(struct klpb_buf *b, unsigned int major, unsigned int minor);

/* ---- field rules (shared by decoder and encoder) ---- */

/* Each returns NULL when @s (@len bytes) is fine, else why not. */
const char *check_name(const char *s, size_t len);
const char *check_release(const char *s, size_t len);
const char *check_symbol(const char *s, size_t len);
const char *check_tool_version(const char *s, size_t len);
const char *check_source_name(const char *s, size_t len);
const char *check_cve(const char *s, size_t len);
const char *check_description(const char *s, size_t len);

/* ---- strict validation with the format's limits ---- */

enum vlevel { V_CONTAINER, V_MANIFEST, V_CORE, V_PROTECTED };
/* klpb_cbor_validate() with @level's limits; errors say "in @region". */
int validate_region(enum vlevel level, const uint8_t *buf, size_t len, size_t base,
		    const char *region, struct klpb_error *err);

/* ---- COSE ---- */

/* The protected header bytes for @kid (COSE_PROTECTED_LEN bytes). */
void cose_protected(const uint8_t kid[KLPB_KID_LEN], uint8_t out[COSE_PROTECTED_LEN]);
int cose_sig_structure(const uint8_t *protected_hdr, size_t plen, const struct klpb_bytes *manifest,
		       struct klpb_buf *out);

/* Sign @manifest with @k: the protected header and the signature (mkvectors). */
int cose_sign_raw(const struct klpb_key *k, const struct klpb_bytes *manifest,
		  uint8_t prot[COSE_PROTECTED_LEN], uint8_t sig[KLPB_SIG_LEN]);

/* ---- building blocks of the encoder, for mkvectors ---- */

int manifest_encode(unsigned int major, unsigned int minor, const struct klpb_bytes *core,
		    const struct klpb_payload_desc *pd, size_t n, struct klpb_buf *out);
/* Container after the magic; @sources may be NULL; signatures as given (no sorting). */
int container_encode(unsigned int major, unsigned int minor, const struct klpb_bytes *manifest,
		     const struct klpb_bytes *payloads, size_t n_payloads,
		     const struct klpb_bytes *sources, size_t n_sources,
		     const struct klpb_signature *sigs, size_t n_sigs, struct klpb_buf *out);
/* Core encoding without any rule check (to forge invalid vectors). */
int core_encode_unchecked(const struct klpb_core *core, struct klpb_buf *out);

#endif
