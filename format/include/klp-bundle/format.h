/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * klp-bundle/format.h - the .klpb bundle format: load, build, sign, verify.
 *
 * Documentation/format.md is the normative specification; this header is
 * its C view.  A .klpb file is 8 magic bytes followed by exactly one
 * deterministic CBOR item (the container map).  The container holds the
 * manifest as a byte string (the exact signed bytes), which holds the core
 * as a byte string (the exact bytes embedded into the livepatch module).
 *
 * Conventions:
 *  - every function returns 0 (or a count) or a negative errno:
 *      -EBADMSG          malformed or non-deterministic bytes, a field that
 *                        breaks the specification
 *      -EFBIG            a size or count limit exceeded
 *      -EPROTONOSUPPORT  unknown major format version
 *      -EILSEQ           a payload or source digest does not match
 *      -EKEYREJECTED     a signature does not verify
 *      -ENOKEY           no signature by a trusted key
 *      -EINVAL           a bad argument (encoder input that breaks a rule)
 *      -ENOMEM
 *  - details go to struct klpb_error (byte offset and field path); this
 *    library never prints and never exits;
 *  - ownership in libcbor's words: [borrow] the callee only looks;
 *    [owned] the caller must free the result with the named function.
 */
#ifndef KLPB_FORMAT_H
#define KLPB_FORMAT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * The format's sizes (KLPB_BUILD_ID_LEN, KLPB_LINEAGE_LEN, KLPB_SHA256_LEN,
 * KLPB_KID_LEN, KLPB_SIG_LEN), limits (KLPB_MAX_*, Documentation/format.md
 * "Limits"; enforced by decoder and encoder) and map keys (KLPB_KEY_*) are
 * shared with the kernel runtime, which reads the core.
 */
#include <klp_bundle_abi.h>

#define KLPB_MAGIC "\x89KLPB\r\n\x1a"
#define KLPB_MAGIC_LEN 8
#define KLPB_FORMAT_MAJOR 1
#define KLPB_FORMAT_MINOR 1

/* A borrowed byte range. */
struct klpb_bytes {
	const uint8_t *data;
	size_t len;
};

/* A growable owned buffer: free with klpb_buf_free(). Zero-initialise. */
struct klpb_buf {
	uint8_t *data;
	size_t len;
	size_t cap;
};

void klpb_buf_free(struct klpb_buf *buf);

/*
 * Where and why something failed.  @offset is a byte offset in the file
 * (or in the buffer given to the encoder's caller when @has_offset is false,
 * there is none); @field is the path of the field, e.g.
 * "manifest.core.targets[0].vmlinux_build_id".
 */
struct klpb_error {
	int code; /* the negative errno also returned */
	bool has_offset;
	size_t offset;
	char field[128];
	char message[256];
};

/* Format @e as "at byte N (field): message" into @out; returns @out. */
const char *klpb_error_str(const struct klpb_error *e, char *out, size_t size);

enum klpb_compression {
	KLPB_COMPRESSION_NONE = 0,
	KLPB_COMPRESSION_ZSTD = 1,
};
const char *klpb_compression_name(enum klpb_compression c);

/* ---- the core: what the transaction is (embedded in the module) ---- */

struct klpb_dep { /* requires / conflicts entry */
	const char *name;
	uint64_t min_version; /* inclusive */
	bool has_max;
	uint64_t max_version; /* inclusive; unbounded when !has_max */
};

struct klpb_source_digest {
	const char *name; /* relative path */
	uint8_t sha256[KLPB_SHA256_LEN];
};

struct klpb_provenance {
	const char *tool_version;
	uint64_t created; /* seconds since the epoch (SOURCE_DATE_EPOCH) */
	const struct klpb_source_digest *sources;
	size_t n_sources;
	const char *const *cves; /* "CVE-2024-1234" */
	size_t n_cves;
};

struct klpb_target_object { /* a patched module as built against */
	const char *name;
	uint8_t build_id[KLPB_BUILD_ID_LEN];
};

/*
 * One kernel build.  Format 1.1: a target whose module replaces or
 * references only some of core.objects' functions (code under #if
 * LINUX_VERSION_CODE or CONFIG_*) lists them: @funcs are indices into the
 * functions of core.objects counted object by object (the first object's
 * functions 0..n-1, the next object's from n), @symbols the same for their
 * symbols; sorted and unique.  Without @has_funcs (@has_symbols) the
 * target has every one.  See klpb_target_has_func().
 */
struct klpb_target {
	const char *kernel_release;
	uint8_t vmlinux_build_id[KLPB_BUILD_ID_LEN];
	const char *module_name; /* the livepatch module's name */
	const struct klpb_target_object *objects;
	size_t n_objects;
	bool has_funcs, has_symbols;
	const uint64_t *funcs;
	size_t n_funcs;
	const uint64_t *symbols;
	size_t n_symbols;
};

struct klpb_func {
	const char *old_name;
	uint64_t sympos;
	const char *new_name;
};

struct klpb_symref {
	const char *name;
	uint64_t sympos;
};

struct klpb_object {
	const char *name; /* "vmlinux" or a module name */
	const struct klpb_func *funcs;
	size_t n_funcs;
	const struct klpb_symref *symbols;
	size_t n_symbols;
};

struct klpb_state { /* struct klp_state */
	uint64_t id; /* != 0 */
	uint64_t version;
};

struct klpb_core {
	const char *name;
	uint64_t version;
	uint8_t lineage[KLPB_LINEAGE_LEN];
	const char *description;
	bool replace; /* true: cumulative (klp replace); false: stacked */
	const struct klpb_dep *requires;
	size_t n_requires;
	const struct klpb_dep *conflicts;
	size_t n_conflicts;
	struct klpb_provenance provenance;
	const struct klpb_target *targets;
	size_t n_targets;
	const struct klpb_object *objects;
	size_t n_objects;
	const struct klpb_state *states;
	size_t n_states;
};

/* Does target @t have function (symbol) @i of core.objects, counted as for klpb_target.funcs? */
bool klpb_target_has_func(const struct klpb_target *t, uint64_t i);
bool klpb_target_has_symbol(const struct klpb_target *t, uint64_t i);

/* ---- the manifest: version, core, payload descriptors (signed) ---- */

struct klpb_payload_desc {
	uint64_t target; /* index into core.targets */
	enum klpb_compression compression;
	uint64_t compressed_size; /* bytes stored in the file */
	uint64_t size; /* bytes of the module */
	uint8_t sha256[KLPB_SHA256_LEN]; /* of the (uncompressed) module */
};

struct klpb_signature {
	uint8_t kid[KLPB_KID_LEN]; /* SHA-256 of the raw Ed25519 public key */
	struct klpb_bytes protected_hdr; /* the exact protected header bytes */
	uint8_t sig[KLPB_SIG_LEN];
};

/*
 * A loaded (or built) bundle.  Every pointer inside points either into the
 * buffer given to klpb_bundle_load() ([borrow]: keep it unchanged until
 * klpb_bundle_free()) or into memory owned by the bundle.  Read-only for
 * callers except through the functions below.
 */
struct klpb_bundle {
	unsigned int major, minor; /* format version of the file */
	const uint8_t *file; /* the whole file: magic first */
	size_t file_len;
	struct klpb_bytes manifest; /* the exact signed bytes */
	struct klpb_bytes core_bytes; /* the exact core bytes */
	struct klpb_core core;
	const struct klpb_payload_desc *payloads;
	size_t n_payloads;
	const struct klpb_bytes *payload_data; /* n_payloads, compressed */
	const struct klpb_bytes *sources; /* NULL or core.provenance.n_sources */
	size_t n_sources;
	const struct klpb_signature *sigs; /* sorted by kid, unique */
	size_t n_sigs;
	struct klpb_bundle_priv *priv;
};

/*
 * klpb_bundle_load - check and decode a .klpb file
 * @buf: [borrow] the file; must stay valid and unchanged until
 *       klpb_bundle_free() (payloads and byte fields point into it)
 * @out: on success, [owned] the bundle; free with klpb_bundle_free()
 * @err: [out, optional]
 *
 * Runs the verification order of Documentation/format.md up to and
 * including the core, and decodes the signature structures; it checks no
 * digest and no signature (see klpb_bundle_verify()).  Allocates nothing
 * before the strict validator accepted the bytes.
 */
int klpb_bundle_load(const void *buf, size_t len, struct klpb_bundle **out, struct klpb_error *err);

void klpb_bundle_free(struct klpb_bundle *b);

/* ---- building and writing ---- */

struct klpb_module_input { /* one per core.targets[i] */
	const void *data; /* [borrow] the .ko */
	size_t len;
	enum klpb_compression compression; /* ZSTD: stored uncompressed (NONE)
						 * when zstd would not shrink it */
};

struct klpb_build_input {
	const struct klpb_core *core; /* [borrow] */
	const struct klpb_module_input *modules; /* [borrow] core->n_targets */
	const struct klpb_bytes *sources; /* [borrow] NULL, or core->provenance.n_sources;
						 * each must match its digest */
	int zstd_level; /* 0: the default (19) */
};

/*
 * klpb_bundle_build - encode a new, unsigned bundle file
 * @out: [owned] the file bytes, appended to @out (free with klpb_buf_free())
 *
 * Deterministic: the same input gives the same bytes.  Enforces every limit
 * and field rule of the specification (-EINVAL / -EFBIG, with @err->field).
 */
int klpb_bundle_build(const struct klpb_build_input *in, struct klpb_buf *out,
		      struct klpb_error *err);

/* Encode just the core (the bytes the kernel module embeds). */
int klpb_core_encode(const struct klpb_core *core, struct klpb_buf *out, struct klpb_error *err);

/*
 * klpb_bundle_write - serialise @b again: the same manifest, payload and
 * source bytes, its current signatures (sorted by kid).  Deterministic.
 * @out: [owned] appended to.
 */
int klpb_bundle_write(const struct klpb_bundle *b, struct klpb_buf *out, struct klpb_error *err);

/* ---- keys and signatures (COSE_Sign1, Ed25519) ---- */

struct klpb_key;

/* [owned] a new Ed25519 private key; free with klpb_key_free(). */
int klpb_key_generate(struct klpb_key **out);
/* Parse a PEM private key (PKCS#8) or public key (SPKI); [owned] @out. */
int klpb_key_from_pem(const void *pem, size_t len, bool private_key, struct klpb_key **out);
void klpb_key_free(struct klpb_key *k);
/* [owned] PEM text (NUL-terminated) in @out: PKCS#8 private / SPKI public. */
int klpb_key_private_pem(const struct klpb_key *k, struct klpb_buf *out);
int klpb_key_public_pem(const struct klpb_key *k, struct klpb_buf *out);
/* [borrow] the kid: SHA-256 of the raw 32-byte public key. */
const uint8_t *klpb_key_id(const struct klpb_key *k);
bool klpb_key_is_private(const struct klpb_key *k);

/*
 * klpb_bundle_sign - add a signature by @k over @b's manifest bytes; a
 * signature with the same kid is replaced.  The manifest is not changed.
 */
int klpb_bundle_sign(struct klpb_bundle *b, const struct klpb_key *k, struct klpb_error *err);

/* The Sig_structure signed by signature @i; [owned] appended to @out. */
int klpb_signature_tbs(const struct klpb_bundle *b, size_t i, struct klpb_buf *out);

/* Check signature @i with @k (kids must match): 0 or -EKEYREJECTED. */
int klpb_signature_verify(const struct klpb_bundle *b, size_t i, const struct klpb_key *k,
			  struct klpb_error *err);

enum klpb_sig_status {
	KLPB_SIG_UNCHECKED = 0, /* no keys were given */
	KLPB_SIG_UNTRUSTED, /* no given key has this kid */
	KLPB_SIG_GOOD, /* verified with a trusted key */
	KLPB_SIG_BAD, /* a trusted key's signature fails */
};
const char *klpb_sig_status_name(enum klpb_sig_status s);

struct klpb_verify_result {
	enum klpb_sig_status status[KLPB_MAX_SIGNATURES]; /* per b->sigs[i] */
	size_t n_good;
	bool keys_given;
};

/*
 * klpb_bundle_verify - signatures, then every payload and source digest
 * @keys: [borrow] trusted public keys; @n_keys 0: signatures are listed
 *        but not checked, and their absence is not an error
 * @res: [out] per-signature outcome
 *
 * Returns 0; -EKEYREJECTED (a signature by a trusted key fails), -ENOKEY
 * (keys given, no good signature by one of them), -EILSEQ (digest), or
 * -EBADMSG (a payload that does not decompress to its declared size).
 */
int klpb_bundle_verify(const struct klpb_bundle *b, struct klpb_key *const *keys, size_t n_keys,
		       struct klpb_verify_result *res, struct klpb_error *err);

/* Check payload @i: decompress (bounded by its declared size) and compare the digest. */
int klpb_payload_check(const struct klpb_bundle *b, size_t i, struct klpb_error *err);
/* Decompress payload @i and check it; [owned] the module appended to @out. */
int klpb_payload_extract(const struct klpb_bundle *b, size_t i, struct klpb_buf *out,
			 struct klpb_error *err);

/* SHA-256 of @len bytes at @data into @md. */
void klpb_sha256(const void *data, size_t len, uint8_t md[KLPB_SHA256_LEN]);

#endif
