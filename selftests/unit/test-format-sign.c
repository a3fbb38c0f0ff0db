// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * test-format-sign.c - keys, COSE_Sign1 signing and verification, and
 * tamper detection (payload, manifest, signature, wrong key).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "tap.h"
#include "format-sample.h"
#include "klp-bundle/format.h"

static uint8_t mod_a[30000], mod_b[5000];

static void build(struct klpb_buf *out)
{
	struct klpb_module_input mods[2] = {
		{ mod_a, sizeof(mod_a), KLPB_COMPRESSION_ZSTD },
		{ mod_b, sizeof(mod_b), KLPB_COMPRESSION_NONE },
	};
	struct klpb_bytes src = { (const uint8_t *)sample_source, strlen(sample_source) };
	struct klpb_core core;
	struct klpb_build_input in = { &core, mods, &src, 3 };
	struct klpb_error err = { 0 };

	sample_core(&core, 2);
	if (klpb_bundle_build(&in, out, &err))
		diag("build: %s", err.message);
}

static struct klpb_key *pub_of(const struct klpb_key *k)
{
	struct klpb_buf pem = { 0 };
	struct klpb_key *p = NULL;

	klpb_key_public_pem(k, &pem);
	klpb_key_from_pem(pem.data, pem.len, false, &p);
	klpb_buf_free(&pem);
	return p;
}

/* Sign @f with @k into @out. */
static int sign(const struct klpb_buf *f, const struct klpb_key *k, struct klpb_buf *out)
{
	struct klpb_error err = { 0 };
	struct klpb_bundle *b = NULL;
	int rc = klpb_bundle_load(f->data, f->len, &b, &err);

	if (rc == 0)
		rc = klpb_bundle_sign(b, k, &err);
	if (rc == 0)
		rc = klpb_bundle_write(b, out, &err);
	klpb_bundle_free(b);
	return rc;
}

static int verify(const uint8_t *buf, size_t len, struct klpb_key *const *keys, size_t n,
		  struct klpb_verify_result *res, struct klpb_error *err)
{
	struct klpb_bundle *b = NULL;
	int rc = klpb_bundle_load(buf, len, &b, err);

	if (rc == 0)
		rc = klpb_bundle_verify(b, keys, n, res, err);
	klpb_bundle_free(b);
	return rc;
}

static void test_keys(struct klpb_key *k)
{
	struct klpb_buf pem = { 0 };
	struct klpb_key *k2 = NULL;

	ok(klpb_key_is_private(k), "generated key is private");
	is_int(klpb_key_private_pem(k, &pem), 0, "private key to PEM");
	ok(strstr((char *)pem.data, "-----BEGIN PRIVATE KEY-----") != NULL, "  PKCS#8 PEM");
	is_int(klpb_key_from_pem(pem.data, pem.len, true, &k2), 0, "PEM back to a key");
	is_mem(klpb_key_id(k2), klpb_key_id(k), KLPB_KID_LEN, "  same kid");
	klpb_key_free(k2);
	pem.len = 0;
	is_int(klpb_key_public_pem(k, &pem), 0, "public key to PEM");
	ok(strstr((char *)pem.data, "-----BEGIN PUBLIC KEY-----") != NULL, "  SPKI PEM");
	is_int(klpb_key_from_pem(pem.data, pem.len, true, &k2), -EINVAL,
	       "a public key is not a private key");
	is_int(klpb_key_from_pem("junk", 4, false, &k2), -EINVAL, "junk is not a key");
	klpb_buf_free(&pem);
}

static void flip(struct klpb_buf *f, size_t off, uint8_t mask)
{
	f->data[off] ^= mask;
}

static size_t find(const struct klpb_buf *f, const void *needle, size_t n)
{
	const uint8_t *p = memmem(f->data, f->len, needle, n);

	return p ? (size_t)(p - f->data) : 0;
}

int main(void)
{
	struct klpb_buf f = { 0 }, s1 = { 0 }, s2 = { 0 }, s3 = { 0 }, t = { 0 };
	struct klpb_key *k1 = NULL, *k2 = NULL, *p1, *p2;
	struct klpb_verify_result res;
	struct klpb_error err = { 0 };
	struct klpb_bundle *b = NULL, *b3 = NULL;

	sample_module(mod_a, sizeof(mod_a), 1);
	sample_module(mod_b, sizeof(mod_b), 2);
	build(&f);
	is_int(klpb_key_generate(&k1), 0, "generate key 1");
	is_int(klpb_key_generate(&k2), 0, "generate key 2");
	test_keys(k1);
	p1 = pub_of(k1);
	p2 = pub_of(k2);

	is_int(verify(f.data, f.len, NULL, 0, &res, &err), 0,
	       "an unsigned bundle verifies without keys");
	is_int(verify(f.data, f.len, &p1, 1, &res, &err), -ENOKEY, "but not with a trusted key");
	is_int(sign(&f, k1, &s1), 0, "sign with key 1");
	is_int(klpb_bundle_load(s1.data, s1.len, &b, &err), 0, "load the signed bundle");
	is_int(b ? b->n_sigs : 0, 1, "  one signature");
	ok(b && memmem(s1.data, s1.len, b->manifest.data, b->manifest.len), "manifest unchanged");
	is_int(klpb_signature_tbs(b, 0, &t), 0, "the Sig_structure");
	ok(t.len > 13 && !memcmp(t.data, "\x84\x6aSignature1\x58\x26", 13),
	   "  starts [\"Signature1\", protected (38 bytes), ...]");
	klpb_bundle_free(b);
	is_int(verify(s1.data, s1.len, &p1, 1, &res, &err), 0, "verifies with public key 1");
	is_int(res.status[0], KLPB_SIG_GOOD, "  good");
	is_int(verify(s1.data, s1.len, &p2, 1, &res, &err), -ENOKEY,
	       "key 2 alone: no trusted signature");
	is_int(res.status[0], KLPB_SIG_UNTRUSTED, "  untrusted");
	is_int(sign(&s1, k2, &s2), 0, "add key 2's signature");
	is_int(sign(&s2, k1, &s3), 0, "sign with key 1 again");
	ok(s2.len == s3.len && !memcmp(s2.data, s3.data, s2.len),
	   "re-signing with the same key replaces its signature (same bytes: Ed25519)");
	is_int(klpb_bundle_load(s2.data, s2.len, &b3, &err), 0, "load the twice-signed bundle");
	ok(b3 && b3->n_sigs == 2 && memcmp(b3->sigs[0].kid, b3->sigs[1].kid, 32) < 0,
	   "  two signatures, sorted by kid");
	klpb_bundle_free(b3);
	{
		struct klpb_key *both[] = { p1, p2 };

		is_int(verify(s2.data, s2.len, both, 2, &res, &err), 0, "both keys verify");
		is_int(res.n_good, 2, "  two good signatures");
	}

	/* tampering */
	s3.len = 0;
	s3.data = realloc(s3.data, s1.len);
	memcpy(s3.data, s1.data, s1.len);
	s3.len = s1.len;
	flip(&s3, s3.len - 1, 0x01);
	is_int(verify(s3.data, s3.len, &p1, 1, &res, &err), -EKEYREJECTED,
	       "a flipped signature bit");
	is_int(res.status[0], KLPB_SIG_BAD, "  bad");
	is_int(verify(s3.data, s3.len, NULL, 0, &res, &err), 0, "  but no keys: not checked");
	memcpy(s3.data, s1.data, s1.len);
	flip(&s3, find(&s3, "patched", 7), 0x01);
	is_int(verify(s3.data, s3.len, &p1, 1, &res, &err), -EKEYREJECTED,
	       "a changed manifest byte breaks the signature");
	memcpy(s3.data, s1.data, s1.len);
	{
		size_t off = find(&s3, mod_b, 64) + 100;

		ok(off != 100, "find the uncompressed payload");
		flip(&s3, off, 0x80);
		is_int(verify(s3.data, s3.len, &p1, 1, &res, &err), -EILSEQ,
		       "a flipped payload bit is a digest mismatch");
		ok(strstr(err.field, "manifest.payloads[1].sha256") != NULL, "  payload 1 (%s)",
		   err.field);
		is_int(err.offset, off - 100, "  at the payload's offset");
	}
	memcpy(s3.data, s1.data, s1.len);
	flip(&s3, find(&s3, "+++ b/fs", 8), 0x01);
	is_int(verify(s3.data, s3.len, NULL, 0, &res, &err), -EILSEQ, "a changed embedded source");
	ok(strstr(err.field, "sources[0]") != NULL, "  sources[0]");

	klpb_key_free(k1);
	klpb_key_free(k2);
	klpb_key_free(p1);
	klpb_key_free(p2);
	klpb_buf_free(&f);
	klpb_buf_free(&s1);
	klpb_buf_free(&s2);
	klpb_buf_free(&s3);
	klpb_buf_free(&t);
	return done_testing();
}
