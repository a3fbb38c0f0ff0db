// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * mkvectors.c - generate selftests/vectors: valid bundles and one invalid
 * bundle per rule, each with a .expect file (verify arguments, exit
 * status, a substring of the error message).  Reproducible: fixed sample
 * data, fixed test keys (Ed25519 signatures are deterministic).
 *
 * usage: mkvectors OUTDIR KEYDIR
 *        mkvectors --bench FILE MIB    (the input of bench/verify)
 *
 * A vector is built in stages (core, manifest, signatures, file); each
 * vector's hook may change the input structures or patch the bytes of a
 * stage, below the encoder's checks, to forge exactly one violation.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "format-internal.h"
#include "format-sample.h"
#include "util/hex.h"

enum stage { S_INIT, S_CORE, S_MANIFEST, S_SIGS, S_FILE };

struct v {
	struct klpb_core core;
	struct klpb_buf core_b, man_b, file;
	struct klpb_payload_desc pd[3];
	struct klpb_bytes pdata[3];
	size_t np;
	const struct klpb_bytes *sources;
	size_t ns;
	unsigned int cmaj, cmin, mmaj, mmin;
	unsigned int keys; /* bit 0: test1, bit 1: test2 */
	struct klpb_signature sigs[20];
	uint8_t prot[20][COSE_PROTECTED_LEN];
	size_t nsig;
};

struct vector {
	const char *name;
	int (*hook)(struct v *v, enum stage s);
	int status;
	const char *message;
	const char *args;
};

static struct klpb_key *key1, *key2;
static struct klpb_bundle *base;
static uint8_t mod_a[6000], mod_b[2500];
static struct klpb_bytes base_sources[2];

/* ---- byte surgery ---- */

static int unhex(const char *h, uint8_t *out)
{
	char two[3] = { 0 };
	size_t n = 0;

	for (; *h; h++) {
		if (*h == ' ')
			continue;
		two[0] = h[0];
		two[1] = h[1];
		if (!h[1] || hex_decode(two, out + n, 1) < 0)
			return -1;
		n++;
		h++;
	}
	return n;
}

/* Replace the first @old (hex) in @b with @new (hex). */
static int rep(struct klpb_buf *b, const char *old, const char *new)
{
	uint8_t o[256], n[256];
	int ol = unhex(old, o), nl = unhex(new, n);
	uint8_t *p = ol > 0 ? memmem(b->data, b->len, o, ol) : NULL;
	size_t at;

	if (!p || nl < 0) {
		fprintf(stderr, "mkvectors: pattern '%s' not found\n", old);
		return -1;
	}
	at = p - b->data;
	if (buf_reserve(b, nl + 1) < 0)
		return -1;
	memmove(b->data + at + nl, b->data + at + ol, b->len - at - ol);
	memcpy(b->data + at, n, nl);
	b->len = b->len - ol + nl;
	return 0;
}

static int append(struct klpb_buf *b, const char *h)
{
	uint8_t n[600];
	int nl = unhex(h, n);

	return nl < 0 ? -1 : buf_put(b, n, nl);
}

static size_t find(const struct klpb_buf *b, const void *p, size_t n)
{
	const uint8_t *q = memmem(b->data, b->len, p, n);

	return q ? (size_t)(q - b->data) : 0;
}

static void hexs(const void *p, size_t n, char *out)
{
	hex_encode(p, n, out);
}

/* ---- hooks ---- */

#define AT(st)         \
	if (s != (st)) \
	return 0

static int h_none(struct v *v, enum stage s)
{
	return 0;
}

static int h_minimal(struct v *v, enum stage s)
{
	AT(S_INIT);
	v->core.n_targets = 1;
	v->core.n_objects = 0;
	v->core.n_requires = v->core.n_conflicts = v->core.n_states = 0;
	v->core.provenance.n_sources = v->core.provenance.n_cves = 0;
	v->core.replace = false;
	v->core.description = "";
	v->np = 1;
	v->pd[0] = base->payloads[1];
	v->pd[0].target = 0;
	v->pdata[0] = base->payload_data[1];
	v->sources = NULL;
	v->ns = 0;
	v->keys = 0;
	return 0;
}

static int h_two_sigs(struct v *v, enum stage s)
{
	if (s == S_INIT)
		v->keys = 3;
	return 0;
}

static int h_newer_minor(struct v *v, enum stage s)
{
	if (s == S_INIT)
		v->cmin = v->mmin = KLPB_FORMAT_MINOR + 1;
	if (s == S_CORE)
		return rep(&v->core_b, "ab", "ac") ?: append(&v->core_b, "0b 00");
	if (s == S_MANIFEST)
		return rep(&v->man_b, "a3", "a4") ?: append(&v->man_b, "03 00");
	if (s == S_FILE)
		return rep(&v->file, "a5", "a6") ?: append(&v->file, "05 00");
	return 0;
}

/*
 * Format 1.1: the second target has only function @func (and no symbol)
 * of core.objects; @minor is the file's.
 */
static void per_target(struct v *v, const uint64_t *func, unsigned int minor)
{
	static struct klpb_target targets[2];

	memcpy(targets, sample_targets, sizeof(targets));
	targets[1].has_funcs = targets[1].has_symbols = true;
	targets[1].funcs = func;
	targets[1].n_funcs = 1;
	v->core.targets = targets;
	v->cmin = v->mmin = minor;
}

static const uint64_t func_1 = 1, func_2 = 2;

static int h_per_target(struct v *v, enum stage s)
{
	if (s == S_INIT)
		per_target(v, &func_1, 1);
	return 0;
}

static int h_k_pt_old(struct v *v, enum stage s)
{
	if (s == S_INIT)
		per_target(v, &func_1, 0);
	return 0;
}

static int h_k_pt_range(struct v *v, enum stage s)
{
	if (s == S_INIT)
		per_target(v, &func_2, 1);
	return 0;
}

static int h_k_dup_target(struct v *v, enum stage s)
{
	static struct klpb_target targets[2];

	AT(S_INIT);
	targets[0] = targets[1] = sample_targets[0];
	v->core.targets = targets;
	return 0;
}

static int h_bad_magic(struct v *v, enum stage s)
{
	AT(S_FILE);
	v->file.data[0] = 0x88;
	return 0;
}
static int h_empty(struct v *v, enum stage s)
{
	AT(S_FILE);
	v->file.len = 0;
	return 0;
}
static int h_trunc_magic(struct v *v, enum stage s)
{
	AT(S_FILE);
	v->file.len = 5;
	return 0;
}
static int h_magic_only(struct v *v, enum stage s)
{
	AT(S_FILE);
	v->file.len = 8;
	return 0;
}

static int h_unknown_major(struct v *v, enum stage s)
{
	if (s == S_INIT)
		v->cmaj = v->mmaj = 2;
	return 0;
}

static int h_trailing(struct v *v, enum stage s)
{
	AT(S_FILE);
	return append(&v->file, "00");
}
static int h_trunc_head(struct v *v, enum stage s)
{
	uint8_t h[] = { 0x01, 0x59 };

	AT(S_FILE);
	v->file.len = find(&v->file, h, 2) + 3; /* in the manifest's bstr head */
	return 0;
}

static int h_trunc_manifest(struct v *v, enum stage s)
{
	AT(S_FILE);
	v->file.len = find(&v->file, v->man_b.data, v->man_b.len) + 40;
	return 0;
}

static int h_trunc_payload(struct v *v, enum stage s)
{
	AT(S_FILE);
	v->file.len = find(&v->file, v->pdata[1].data, v->pdata[1].len) + 100;
	return 0;
}

static int h_trunc_source(struct v *v, enum stage s)
{
	AT(S_FILE);
	v->file.len = find(&v->file, sample_source, strlen(sample_source)) + 10;
	return 0;
}

static int h_trunc_sig(struct v *v, enum stage s)
{
	AT(S_FILE);
	v->file.len -= 10;
	return 0;
}

static int h_hostile_array(struct v *v, enum stage s)
{
	AT(S_FILE);
	v->file.len = 8;
	return append(&v->file, "9a 10 00 00 00");
}

static int h_hostile_map(struct v *v, enum stage s)
{
	AT(S_FILE);
	v->file.len = 8;
	return append(&v->file, "ba ff ff ff ff");
}

static int h_c_nonshortest(struct v *v, enum stage s)
{
	AT(S_FILE);
	return rep(&v->file, "a5 00 82", "b8 05 00 82");
}

static int h_c_indefinite(struct v *v, enum stage s)
{
	AT(S_FILE);
	return rep(&v->file, "a5 00 82", "bf 00 82") ?: append(&v->file, "ff");
}

static int h_c_dup(struct v *v, enum stage s)
{
	AT(S_FILE);
	return rep(&v->file, "a5 00 82", "a6 00 82") ?: append(&v->file, "04 80");
}

static int h_c_order(struct v *v, enum stage s)
{
	AT(S_FILE);
	return rep(&v->file, "a5 00 82", "a6 00 82") ?: append(&v->file, "03 81 40");
}

static int h_c_unknown(struct v *v, enum stage s)
{
	AT(S_FILE);
	return rep(&v->file, "a5 00 82", "a6 00 82") ?: append(&v->file, "05 00");
}

static int h_c_missing(struct v *v, enum stage s)
{
	if (s == S_INIT)
		v->keys = 0;
	AT(S_FILE);
	v->file.len -= 2; /* 04 80 */
	return rep(&v->file, "a5 00 82", "a4 00 82");
}

static int h_c_float(struct v *v, enum stage s)
{
	AT(S_FILE);
	return rep(&v->file, "00 82 01 00", "00 82 01 f9 00 00");
}

static int h_c_simple(struct v *v, enum stage s)
{
	if (s == S_INIT)
		v->keys = 0;
	AT(S_FILE);
	v->file.len -= 2;
	return append(&v->file, "04 81 f7");
}

static int h_c_tag(struct v *v, enum stage s)
{
	AT(S_FILE);
	return rep(&v->file, "d2 84 58 26", "d8 62 84 58 26");
}

static int h_c_depth(struct v *v, enum stage s)
{
	AT(S_FILE);
	return rep(&v->file, "a5 00 82", "a6 00 82") ?: append(&v->file, "05 81 81 81 81 81 00");
}

static int h_c_items(struct v *v, enum stage s)
{
	char z[600];

	AT(S_FILE);
	memset(z, '0', 514);
	z[514] = '\0';
	return rep(&v->file, "a5 00 82", "a6 00 82")   ?:
		       append(&v->file, "05 99 01 01") ?:
							 append(&v->file, z);
}

static int h_c_tstr(struct v *v, enum stage s)
{
	AT(S_FILE);
	return rep(&v->file, "01 59", "01 79");
}

static int h_version_mismatch(struct v *v, enum stage s)
{
	if (s == S_INIT)
		v->mmin = 1;
	return 0;
}

static int h_m_nonshortest(struct v *v, enum stage s)
{
	AT(S_MANIFEST);
	return rep(&v->man_b, "a3 00 82", "b8 03 00 82");
}

static int h_m_indefinite(struct v *v, enum stage s)
{
	AT(S_MANIFEST);
	return rep(&v->man_b, "02 82 a5", "02 9f a5") ?: append(&v->man_b, "ff");
}

static int h_m_dup(struct v *v, enum stage s)
{
	AT(S_MANIFEST);
	return rep(&v->man_b, "a3 00 82", "a4 00 82") ?: append(&v->man_b, "02 80");
}

static int h_m_unknown(struct v *v, enum stage s)
{
	AT(S_MANIFEST);
	return rep(&v->man_b, "a3 00 82", "a4 00 82") ?: append(&v->man_b, "03 00");
}

static int h_m_count(struct v *v, enum stage s)
{
	struct klpb_bytes core;

	AT(S_MANIFEST);
	core = (struct klpb_bytes){ v->core_b.data, v->core_b.len };
	v->man_b.len = 0;
	return manifest_encode(1, 0, &core, v->pd, 1, &v->man_b);
}

static int h_m_target(struct v *v, enum stage s)
{
	if (s == S_INIT)
		v->pd[0].target = 1;
	return 0;
}

static int h_m_sha(struct v *v, enum stage s)
{
	char o[80], n[80];

	AT(S_MANIFEST);
	strcpy(o, "04 58 20 ");
	hexs(v->pd[0].sha256, 32, o + 9);
	strcpy(n, "04 58 1f ");
	hexs(v->pd[0].sha256, 31, n + 9);
	return rep(&v->man_b, o, n);
}

static int h_m_comp(struct v *v, enum stage s)
{
	if (s == S_INIT)
		v->pd[0].compression = 7;
	return 0;
}
static int h_m_csize(struct v *v, enum stage s)
{
	if (s == S_INIT)
		v->pd[0].compressed_size++;
	return 0;
}
static int h_m_big(struct v *v, enum stage s)
{
	if (s == S_INIT)
		v->pd[0].size = KLPB_MAX_PAYLOAD + 1;
	return 0;
}

static int h_k_name(struct v *v, enum stage s)
{
	if (s == S_INIT)
		v->core.name = "Bad-Name";
	return 0;
}

static int h_k_name_long(struct v *v, enum stage s)
{
	static char n[KLPB_MAX_NAME + 2];

	if (s == S_INIT) {
		memset(n, 'x', KLPB_MAX_NAME + 1);
		v->core.name = n;
	}
	return 0;
}

static int h_k_desc_long(struct v *v, enum stage s)
{
	static char d[KLPB_MAX_DESCRIPTION + 2];

	if (s == S_INIT) {
		memset(d, 'd', KLPB_MAX_DESCRIPTION + 1);
		v->core.description = d;
	}
	return 0;
}

static int h_k_bid(struct v *v, enum stage s)
{
	char o[80], n[80];

	AT(S_CORE);
	strcpy(o, "54 ");
	hexs(sample_targets[0].vmlinux_build_id, 20, o + 3);
	strcpy(n, "53 ");
	hexs(sample_targets[0].vmlinux_build_id, 19, n + 3);
	return rep(&v->core_b, o, n);
}

static int h_k_utf8(struct v *v, enum stage s)
{
	if (s == S_INIT)
		v->core.description = "caf\xc3";
	return 0;
}

static int h_k_missing(struct v *v, enum stage s)
{
	AT(S_CORE);
	return rep(&v->core_b, "ab", "aa") ?:
		       rep(&v->core_b, "02 50 5e 1f 6a 2b 7c 3d 8e 4f 90 a1 b2 c3 d4 e5 f6 07", "");
}

static int h_k_tag(struct v *v, enum stage s)
{
	AT(S_CORE);
	return rep(&v->core_b, "01 03 02 50", "01 c1 03 02 50");
}
static int h_k_nonshortest(struct v *v, enum stage s)
{
	AT(S_CORE);
	return rep(&v->core_b, "01 03 02 50", "01 18 03 02 50");
}
static int h_k_negative(struct v *v, enum stage s)
{
	AT(S_CORE);
	return rep(&v->core_b, "01 03 02 50", "01 22 02 50");
}
static int h_k_float(struct v *v, enum stage s)
{
	AT(S_CORE);
	return rep(&v->core_b, "01 03 02 50", "01 f9 42 00 02 50");
}
static int h_k_simple(struct v *v, enum stage s)
{
	AT(S_CORE);
	return rep(&v->core_b, "04 f5", "04 f7");
}
static int h_k_depth(struct v *v, enum stage s)
{
	AT(S_CORE);
	return rep(&v->core_b, "0a 81 a2 00 01 01 01", "0a 81 a2 00 01 01 81 81 81 81 01");
}

static int h_k_indefinite(struct v *v, enum stage s)
{
	AT(S_CORE);
	return rep(&v->core_b, "0a 81 a2 00 01 01 01", "0a 9f a2 00 01 01 01 ff");
}

static int h_k_unknown(struct v *v, enum stage s)
{
	AT(S_CORE);
	return rep(&v->core_b, "ab", "ac") ?: append(&v->core_b, "0b 00");
}

static int h_k_dup(struct v *v, enum stage s)
{
	AT(S_CORE);
	return rep(&v->core_b, "ab", "ac") ?: append(&v->core_b, "0a 80");
}

static int h_k_order(struct v *v, enum stage s)
{
	AT(S_CORE);
	return rep(&v->core_b, "ab", "ac") ?: append(&v->core_b, "09 80");
}

static int h_k_unsorted(struct v *v, enum stage s)
{
	static struct klpb_object o[2];

	if (s == S_INIT) {
		o[0] = sample_objects[1];
		o[1] = sample_objects[0];
		v->core.objects = o;
	}
	return 0;
}

static int h_k_state0(struct v *v, enum stage s)
{
	static const struct klpb_state st = { 0, 1 };

	if (s == S_INIT)
		v->core.states = &st;
	return 0;
}

static int h_k_cve(struct v *v, enum stage s)
{
	static const char *const c[] = { "CVE-24-1" };

	if (s == S_INIT) {
		v->core.provenance.cves = c;
		v->core.provenance.n_cves = 1;
	}
	return 0;
}

static int h_k_funcs(struct v *v, enum stage s)
{
	static struct klpb_func f[KLPB_MAX_FUNCS + 1];
	static struct klpb_object o[2];

	if (s != S_INIT)
		return 0;
	for (size_t i = 0; i <= KLPB_MAX_FUNCS; i++)
		f[i] = (struct klpb_func){ "f", 0, "g" };
	o[0] = sample_objects[0];
	o[1] = sample_objects[1];
	o[1].funcs = f;
	o[1].n_funcs = KLPB_MAX_FUNCS + 1;
	v->core.objects = o;
	return 0;
}

static int h_k_notargets(struct v *v, enum stage s)
{
	if (s == S_INIT)
		v->core.n_targets = 0;
	return 0;
}
static int h_k_sources(struct v *v, enum stage s)
{
	if (s == S_INIT)
		v->ns = 2;
	return 0;
}

static int h_s_protected(struct v *v, enum stage s)
{
	AT(S_SIGS);
	v->prot[0][2] = 0x26;
	return 0;
}

static int h_s_protected_big(struct v *v, enum stage s)
{
	AT(S_FILE);
	return rep(&v->file, "58 26 a2 01 27 04 58 20", "58 27 a2 01 27 04 58 21 00");
}

static int h_s_unsorted(struct v *v, enum stage s)
{
	struct klpb_signature t;

	if (s == S_INIT)
		v->keys = 3;
	AT(S_SIGS);
	t = v->sigs[0];
	v->sigs[0] = v->sigs[1];
	v->sigs[1] = t;
	return 0;
}

static int h_s_dup(struct v *v, enum stage s)
{
	AT(S_SIGS);
	v->sigs[1] = v->sigs[0];
	v->nsig = 2;
	return 0;
}

static int h_s_many(struct v *v, enum stage s)
{
	AT(S_SIGS);
	for (size_t i = 1; i < 17; i++) {
		memcpy(v->prot[i], v->prot[0], COSE_PROTECTED_LEN);
		v->prot[i][6] = 0xff;
		v->prot[i][7] = (uint8_t)i;
		v->sigs[i] = v->sigs[0];
		v->sigs[i].protected_hdr.data = v->prot[i];
	}
	v->nsig = 17;
	return 0;
}

static int h_s_payload(struct v *v, enum stage s)
{
	AT(S_FILE);
	return rep(&v->file, "a0 f6 58 40", "a0 40 58 40");
}
static int h_s_unprot(struct v *v, enum stage s)
{
	AT(S_FILE);
	return rep(&v->file, "a0 f6 58 40", "a1 01 27 f6 58 40");
}

static int h_s_short(struct v *v, enum stage s)
{
	AT(S_FILE);
	v->file.len--;
	return rep(&v->file, "a0 f6 58 40", "a0 f6 58 3f");
}

static int h_s_flip(struct v *v, enum stage s)
{
	AT(S_SIGS);
	v->sigs[0].sig[10] ^= 0x04;
	return 0;
}

static int h_manifest_flip(struct v *v, enum stage s)
{
	AT(S_FILE);
	v->file.data[find(&v->file, "patched", 7)] ^= 0x01;
	return 0;
}

static int h_wrong_key(struct v *v, enum stage s)
{
	if (s == S_INIT)
		v->keys = 2;
	return 0;
}
static int h_unsigned(struct v *v, enum stage s)
{
	if (s == S_INIT)
		v->keys = 0;
	return 0;
}

static int h_p_flip(struct v *v, enum stage s)
{
	AT(S_FILE);
	v->file.data[find(&v->file, v->pdata[1].data, v->pdata[1].len) + 1000] ^= 0x20;
	return 0;
}

static int h_p_fcs(struct v *v, enum stage s)
{
	if (s == S_INIT)
		v->pd[0].size++;
	return 0;
}

static int h_p_trailing(struct v *v, enum stage s)
{
	static uint8_t buf[sizeof(mod_a) + 16];

	if (s != S_INIT)
		return 0;
	memcpy(buf, v->pdata[0].data, v->pdata[0].len);
	buf[v->pdata[0].len] = 0;
	v->pdata[0] = (struct klpb_bytes){ buf, v->pdata[0].len + 1 };
	v->pd[0].compressed_size++;
	return 0;
}

static int h_p_notzstd(struct v *v, enum stage s)
{
	if (s == S_INIT) {
		v->pdata[0] = (struct klpb_bytes){ mod_b, 200 };
		v->pd[0].compressed_size = 200;
	}
	return 0;
}

static int h_src_flip(struct v *v, enum stage s)
{
	AT(S_FILE);
	v->file.data[find(&v->file, sample_source, strlen(sample_source)) + 5] ^= 0x01;
	return 0;
}

#define K1 "--key keys/test1.pub"

static const struct vector valid[] = {
	{ "sample", h_none, 0, "ok: 2 payload(s) and 1 source(s) match", K1 },
	{ "minimal", h_minimal, 0, "ok: 1 payload(s) and 0 source(s) match, unsigned", "" },
	{ "two-signatures", h_two_sigs, 0, "signed by a trusted key", "--keyring keys" },
	{ "newer-minor", h_newer_minor, 0, "signed by a trusted key", K1 },
	{ "per-target", h_per_target, 0, "ok: 2 payload(s) and 1 source(s) match", K1 },
};

static const struct vector invalid[] = {
	{ "bad-magic", h_bad_magic, 3, "at byte 0 (magic): not a klp-bundle file (bad magic)", "" },
	{ "empty", h_empty, 3, "(magic): empty file", "" },
	{ "truncated-magic", h_trunc_magic, 3, "at byte 5 (magic): file truncated", "" },
	{ "magic-only", h_magic_only, 3, "file truncated after the magic", "" },
	{ "unknown-major", h_unknown_major, 3, "(version): unsupported format version 2.x", "" },
	{ "trailing-bytes", h_trailing, 3, "(container): invalid CBOR: trailing-bytes", "" },
	{ "truncated-container-head", h_trunc_head, 3, "(container): invalid CBOR: count-too-large",
	  "" },
	{ "truncated-manifest", h_trunc_manifest, 3, "(container): invalid CBOR: truncated", "" },
	{ "truncated-payload", h_trunc_payload, 3, "(container): invalid CBOR: truncated", "" },
	{ "truncated-source", h_trunc_source, 3, "(container): invalid CBOR: truncated", "" },
	{ "truncated-signature", h_trunc_sig, 3, "(container): invalid CBOR: truncated", "" },
	{ "hostile-array-count", h_hostile_array, 3,
	  "at byte 8 (container): invalid CBOR: count-too-large", "" },
	{ "hostile-map-count", h_hostile_map, 3,
	  "at byte 8 (container): invalid CBOR: count-too-large", "" },
	{ "container-non-shortest", h_c_nonshortest, 3,
	  "at byte 8 (container): invalid CBOR: non-shortest-head", "" },
	{ "container-indefinite", h_c_indefinite, 3, "(container): invalid CBOR: indefinite-length",
	  "" },
	{ "container-duplicate-key", h_c_dup, 3, "(container): invalid CBOR: duplicate-key", "" },
	{ "container-key-order", h_c_order, 3, "(container): invalid CBOR: key-order", "" },
	{ "container-unknown-key", h_c_unknown, 3, "unknown key 5", "" },
	{ "container-missing-signatures", h_c_missing, 3, "missing field 'signatures' (key 4)",
	  "" },
	{ "container-float", h_c_float, 3, "(container): invalid CBOR: float", "" },
	{ "container-undefined", h_c_simple, 3, "(container): invalid CBOR: simple-value", "" },
	{ "container-bad-tag", h_c_tag, 3, "(container): invalid CBOR: tag", "" },
	{ "container-depth", h_c_depth, 3, "(container): limit exceeded: depth", "" },
	{ "container-items-limit", h_c_items, 3, "(container): limit exceeded: items-limit", "" },
	{ "container-text-manifest", h_c_tstr, 3, "(container): limit exceeded: tstr-limit", "" },
	{ "version-mismatch", h_version_mismatch, 3,
	  "(manifest.version): 1.1 differs from the container's 1.0", "" },
	{ "manifest-non-shortest", h_m_nonshortest, 3,
	  "(manifest): invalid CBOR: non-shortest-head", "" },
	{ "manifest-indefinite", h_m_indefinite, 3, "(manifest): invalid CBOR: indefinite-length",
	  "" },
	{ "manifest-duplicate-key", h_m_dup, 3, "(manifest): invalid CBOR: duplicate-key", "" },
	{ "manifest-unknown-key", h_m_unknown, 3, "(manifest): unknown key 3", "" },
	{ "manifest-payload-count", h_m_count, 3,
	  "(payloads): 2 payloads, the manifest describes 1", "" },
	{ "manifest-target-index", h_m_target, 3,
	  "(manifest.payloads): payloads[0].target is 1, must be 0", "" },
	{ "manifest-sha256-size", h_m_sha, 3,
	  "(manifest.payloads[0].sha256): is 31 bytes, expected 32", "" },
	{ "manifest-unknown-compression", h_m_comp, 3,
	  "(manifest.payloads[0].compression): unknown compression 7", "" },
	{ "manifest-compressed-size", h_m_csize, 3, "(payloads): payload 0 is", "" },
	{ "manifest-payload-too-large", h_m_big, 3,
	  "(manifest.payloads[0].size): 268435457 bytes, at most 268435456 allowed", "" },
	{ "core-name-invalid", h_k_name, 3, "(manifest.core.name): may contain only [a-z0-9_]",
	  "" },
	{ "core-name-too-long", h_k_name_long, 3,
	  "(manifest.core.name): is 56 bytes, at most 55 allowed", "" },
	{ "core-description-too-long", h_k_desc_long, 3,
	  "(manifest.core.description): is 4097 bytes, at most 4096 allowed", "" },
	{ "core-build-id-19-bytes", h_k_bid, 3,
	  "(manifest.core.targets[0].vmlinux_build_id): is 19 bytes, expected 20", "" },
	{ "core-bad-utf8", h_k_utf8, 3, "(manifest.core): invalid CBOR: bad-utf8", "" },
	{ "core-missing-lineage", h_k_missing, 3,
	  "(manifest.core): missing field 'lineage' (key 2)", "" },
	{ "core-duplicate-target", h_k_dup_target, 3,
	  "(manifest.core.targets): targets[1] is the kernel build of targets[0] (release '6.1.0-56-amd64', same vmlinux build-id)",
	  "" },
	{ "core-target-funcs-in-1.0", h_k_pt_old, 3,
	  "(manifest.core.targets[1].funcs): needs format version 1.1, the file is 1.0", "" },
	{ "core-target-funcs-range", h_k_pt_range, 3,
	  "(manifest.core.objects): targets[1].funcs names function 2, objects has 2", "" },
	{ "core-tag", h_k_tag, 3, "(manifest.core): invalid CBOR: tag", "" },
	{ "core-non-shortest", h_k_nonshortest, 3,
	  "(manifest.core): invalid CBOR: non-shortest-head", "" },
	{ "core-negative-version", h_k_negative, 3,
	  "(manifest.core.version): expected an unsigned integer, found a negative integer", "" },
	{ "core-float", h_k_float, 3, "(manifest.core): invalid CBOR: float", "" },
	{ "core-undefined", h_k_simple, 3, "(manifest.core): invalid CBOR: simple-value", "" },
	{ "core-depth", h_k_depth, 3, "(manifest.core): limit exceeded: depth", "" },
	{ "core-indefinite", h_k_indefinite, 3, "(manifest.core): invalid CBOR: indefinite-length",
	  "" },
	{ "core-unknown-key", h_k_unknown, 3, "(manifest.core): unknown key 11", "" },
	{ "core-duplicate-key", h_k_dup, 3, "(manifest.core): invalid CBOR: duplicate-key", "" },
	{ "core-key-order", h_k_order, 3, "(manifest.core): invalid CBOR: key-order", "" },
	{ "core-unsorted-objects", h_k_unsorted, 3,
	  "(manifest.core.objects[1]): entries must be sorted and unique", "" },
	{ "core-state-id-zero", h_k_state0, 3, "(manifest.core.states[0].id): must not be 0", "" },
	{ "core-bad-cve", h_k_cve, 3,
	  "(manifest.core.provenance.cves[0]): must look like CVE-2024-12345", "" },
	{ "core-too-many-functions", h_k_funcs, 3,
	  "(manifest.core.objects[1].funcs): has 4097 entries, at most 4096 allowed", "" },
	{ "core-no-targets", h_k_notargets, 3,
	  "(manifest.core.targets): must have at least 1 entries", "" },
	{ "sources-count", h_k_sources, 3, "(sources): 2 sources, the manifest lists 1", "" },
	{ "signature-bad-protected", h_s_protected, 3,
	  "(signatures[0].protected): must be exactly {1: -8, 4: kid (32 bytes)}", "" },
	{ "signature-protected-bstr-limit", h_s_protected_big, 3,
	  "(signatures[0].protected): limit exceeded: bstr-limit", "" },
	{ "signature-unsorted", h_s_unsorted, 3,
	  "(signatures[1]): entries must be sorted and unique", "" },
	{ "signature-duplicate-kid", h_s_dup, 3,
	  "(signatures[1]): entries must be sorted and unique", "" },
	{ "signature-too-many", h_s_many, 3, "(signatures): has 17 entries, at most 16 allowed",
	  "" },
	{ "signature-attached-payload", h_s_payload, 3,
	  "(signatures[0].payload): expected null (detached payload)", "" },
	{ "signature-unprotected-not-empty", h_s_unprot, 3,
	  "(signatures[0].unprotected): must be empty", "" },
	{ "signature-63-bytes", h_s_short, 3, "(signatures[0].signature): is 63 bytes, expected 64",
	  "" },
	{ "signature-bit-flip", h_s_flip, 5, "(signatures): signature 0 does not verify", K1 },
	{ "manifest-bit-flip", h_manifest_flip, 5, "(signatures): signature 0 does not verify",
	  K1 },
	{ "wrong-key", h_wrong_key, 6, "(signatures): no signature by a trusted key", K1 },
	{ "unsigned-with-key", h_unsigned, 6, "(signatures): not signed", K1 },
	{ "payload-bit-flip", h_p_flip, 4,
	  "(manifest.payloads[1].sha256): payload 1 does not match its SHA-256 digest", K1 },
	{ "payload-zstd-content-size", h_p_fcs, 3,
	  "(payloads[0]): zstd content size differs from the declared size", K1 },
	{ "payload-zstd-trailing", h_p_trailing, 3, "(payloads[0]): bytes after the zstd frame",
	  K1 },
	{ "payload-not-zstd", h_p_notzstd, 3, "(payloads[0]): not a zstd frame", K1 },
	{ "source-bit-flip", h_src_flip, 4,
	  "(sources[0]): source 'fix.patch' does not match its SHA-256 digest", K1 },
};

/* ---- the stages ---- */

static void v_init(struct v *v)
{
	memset(v, 0, sizeof(*v));
	sample_core(&v->core, 2);
	v->np = base->n_payloads;
	memcpy(v->pd, base->payloads, v->np * sizeof(v->pd[0]));
	memcpy(v->pdata, base->payload_data, v->np * sizeof(v->pdata[0]));
	v->sources = base_sources;
	v->ns = 1;
	v->cmaj = v->mmaj = 1;
	v->keys = 1;
}

static int cmp_sig(const void *a, const void *b)
{
	return memcmp(((const struct klpb_signature *)a)->kid,
		      ((const struct klpb_signature *)b)->kid, KLPB_KID_LEN);
}

static int v_sign(struct v *v)
{
	struct klpb_bytes m = { v->man_b.data, v->man_b.len };
	struct klpb_key *keys[2] = { key1, key2 };

	for (int i = 0; i < 2; i++) {
		struct klpb_signature *s = &v->sigs[v->nsig];

		if (!(v->keys & (1u << i)))
			continue;
		if (cose_sign_raw(keys[i], &m, v->prot[v->nsig], s->sig) < 0)
			return -1;
		memcpy(s->kid, klpb_key_id(keys[i]), KLPB_KID_LEN);
		v->nsig++;
	}
	qsort(v->sigs, v->nsig, sizeof(v->sigs[0]), cmp_sig);
	for (size_t i = 0; i < v->nsig; i++) {
		/* the protected header goes with its signature after sorting */
		cose_protected(v->sigs[i].kid, v->prot[i]);
		v->sigs[i].protected_hdr = (struct klpb_bytes){ v->prot[i], COSE_PROTECTED_LEN };
	}
	return 0;
}

static int make(const struct vector *t, struct v *v)
{
	struct klpb_bytes core, man;

	v_init(v);
	if (t->hook(v, S_INIT) || core_encode_unchecked(&v->core, &v->core_b) || t->hook(v, S_CORE))
		return -1;
	core = (struct klpb_bytes){ v->core_b.data, v->core_b.len };
	if (manifest_encode(v->mmaj, v->mmin, &core, v->pd, v->np, &v->man_b) ||
	    t->hook(v, S_MANIFEST) || v_sign(v) || t->hook(v, S_SIGS))
		return -1;
	man = (struct klpb_bytes){ v->man_b.data, v->man_b.len };
	if (buf_put(&v->file, KLPB_MAGIC, KLPB_MAGIC_LEN) ||
	    container_encode(v->cmaj, v->cmin, &man, v->pdata, v->np, v->sources, v->ns, v->sigs,
			     v->nsig, &v->file))
		return -1;
	return t->hook(v, S_FILE);
}

static int write_bytes(const char *path, const void *p, size_t n)
{
	FILE *f = fopen(path, "wb");
	int rc;

	if (!f)
		return -errno;
	rc = fwrite(p, 1, n, f) == n ? 0 : -EIO;
	if (fclose(f) && !rc)
		rc = -errno;
	return rc;
}

static int emit(const char *dir, const char *sub, const struct vector *t)
{
	char path[512], exp[1024];
	struct v v;
	int rc = make(t, &v);

	if (rc < 0) {
		fprintf(stderr, "mkvectors: cannot make '%s'\n", t->name);
		return 1;
	}
	snprintf(path, sizeof(path), "%s/%s/%s.klpb", dir, sub, t->name);
	rc = write_bytes(path, v.file.data, v.file.len);
	snprintf(path, sizeof(path), "%s/%s/%s.expect", dir, sub, t->name);
	snprintf(exp, sizeof(exp), "args: %s\nstatus: %d\nmessage: %s\n", t->args, t->status,
		 t->message);
	if (rc == 0)
		rc = write_bytes(path, exp, strlen(exp));
	klpb_buf_free(&v.core_b);
	klpb_buf_free(&v.man_b);
	klpb_buf_free(&v.file);
	if (rc < 0)
		fprintf(stderr, "mkvectors: cannot write '%s': %s\n", path, strerror(-rc));
	return rc < 0;
}

static struct klpb_key *load_key(const char *dir, const char *name)
{
	struct klpb_key *k = NULL;
	char path[512], pem[4096];
	FILE *f;
	size_t n;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "r");
	if (!f)
		return NULL;
	n = fread(pem, 1, sizeof(pem), f);
	fclose(f);
	klpb_key_from_pem(pem, n, true, &k);
	return k;
}

static int make_base(struct klpb_buf *f)
{
	struct klpb_module_input mods[2] = {
		{ mod_a, sizeof(mod_a), KLPB_COMPRESSION_ZSTD },
		{ mod_b, sizeof(mod_b), KLPB_COMPRESSION_NONE },
	};
	struct klpb_core core;
	struct klpb_error err = { 0 };
	struct klpb_build_input in = { &core, mods, base_sources, 19 };

	sample_module(mod_a, sizeof(mod_a), 0);
	sample_module(mod_b, sizeof(mod_b), 5);
	for (size_t i = 0; i < sizeof(mod_b); i += 7)
		mod_b[i] ^= (uint8_t)(i * 31); /* less regular: keeps find() unambiguous */
	base_sources[0] =
		(struct klpb_bytes){ (const uint8_t *)sample_source, strlen(sample_source) };
	base_sources[1] = base_sources[0];
	sample_core(&core, 2);
	if (klpb_bundle_build(&in, f, &err) || klpb_bundle_load(f->data, f->len, &base, &err)) {
		fprintf(stderr, "mkvectors: base: %s: %s\n", err.field, err.message);
		return -1;
	}
	return 0;
}

/*
 * bench/verify's input: a two-target bundle of about @mib MiB: an
 * incompressible module (zstd stores it raw) of @mib - 5 MiB and a
 * text-like module of 8 MiB that zstd shrinks to about 5 MiB.
 */
static int make_bench(const char *out, unsigned long mib)
{
	size_t n0 = (mib - 5) << 20, n1 = 8 << 20;
	uint8_t *m0 = malloc(n0), *m1 = malloc(n1);
	uint64_t x = 0x9e3779b97f4a7c15ULL;
	struct klpb_buf f = { 0 };
	struct klpb_error err = { 0 };
	struct klpb_core core;
	int rc;

	if (!m0 || !m1 || mib < 8)
		return 1;
	for (size_t i = 0; i < n0; i++) {
		x ^= x << 13, x ^= x >> 7, x ^= x << 17;
		m0[i] = (uint8_t)x;
	}
	for (size_t i = 0; i < n1; i++) {
		x ^= x << 13, x ^= x >> 7, x ^= x << 17;
		m1[i] = (x & 3) ? "abcdefghijklmnop"[x >> 60] : (uint8_t)(x >> 8);
	}
	{
		struct klpb_module_input mods[2] = {
			{ m0, n0, KLPB_COMPRESSION_ZSTD },
			{ m1, n1, KLPB_COMPRESSION_ZSTD },
		};
		struct klpb_build_input in = { &core, mods, NULL, 3 };

		sample_core(&core, 2);
		rc = klpb_bundle_build(&in, &f, &err);
	}
	if (rc == 0)
		rc = write_bytes(out, f.data, f.len);
	if (rc < 0)
		fprintf(stderr, "mkvectors: bench: %s\n", err.message);
	klpb_buf_free(&f);
	free(m0);
	free(m1);
	return rc < 0;
}

int main(int argc, char **argv)
{
	struct klpb_buf basef = { 0 };
	char path[512];
	int fails = 0;

	if (argc == 4 && strcmp(argv[1], "--bench") == 0)
		return make_bench(argv[2], strtoul(argv[3], NULL, 10));
	if (argc != 3) {
		fprintf(stderr, "usage: mkvectors OUTDIR KEYDIR\n");
		return 2;
	}
	key1 = load_key(argv[2], "test1.key");
	key2 = load_key(argv[2], "test2.key");
	if (!key1 || !key2) {
		fprintf(stderr, "mkvectors: cannot load the test keys from '%s'\n", argv[2]);
		return 1;
	}
	if (make_base(&basef))
		return 1;
	snprintf(path, sizeof(path), "%s/valid", argv[1]);
	mkdir(path, 0755);
	snprintf(path, sizeof(path), "%s/invalid", argv[1]);
	mkdir(path, 0755);
	for (size_t i = 0; i < sizeof(valid) / sizeof(valid[0]); i++)
		fails += emit(argv[1], "valid", &valid[i]);
	for (size_t i = 0; i < sizeof(invalid) / sizeof(invalid[0]); i++)
		fails += emit(argv[1], "invalid", &invalid[i]);
	klpb_bundle_free(base);
	klpb_buf_free(&basef);
	klpb_key_free(key1);
	klpb_key_free(key2);
	return fails ? 1 : 0;
}
