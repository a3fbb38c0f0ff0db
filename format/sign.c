// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * sign.c - Ed25519 keys and COSE_Sign1 (RFC 9052) signatures over the
 * manifest bytes, with OpenSSL; the Sig_structure is written with the
 * deterministic CBOR writer (libcbor encoding.h heads).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include "format-internal.h"

struct klpb_key {
	EVP_PKEY *pkey;
	bool private_key;
	uint8_t kid[KLPB_KID_LEN];
};

static int key_wrap(EVP_PKEY *pkey, bool private_key, struct klpb_key **out)
{
	uint8_t raw[32];
	size_t len = sizeof(raw);
	struct klpb_key *k;

	if (EVP_PKEY_get_id(pkey) != EVP_PKEY_ED25519 ||
	    EVP_PKEY_get_raw_public_key(pkey, raw, &len) != 1 || len != sizeof(raw)) {
		EVP_PKEY_free(pkey);
		return -EINVAL;
	}
	k = calloc(1, sizeof(*k));
	if (!k) {
		EVP_PKEY_free(pkey);
		return -ENOMEM;
	}
	k->pkey = pkey;
	k->private_key = private_key;
	klpb_sha256(raw, len, k->kid);
	*out = k;
	return 0;
}

int klpb_key_generate(struct klpb_key **out)
{
	EVP_PKEY *pkey = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");

	*out = NULL;
	if (!pkey)
		return -ENOMEM;
	return key_wrap(pkey, true, out);
}

int klpb_key_from_pem(const void *pem, size_t len, bool private_key, struct klpb_key **out)
{
	BIO *bio = BIO_new_mem_buf(pem, (int)len);
	EVP_PKEY *pkey;

	*out = NULL;
	if (!bio || len > INT32_MAX) {
		BIO_free(bio);
		return -ENOMEM;
	}
	pkey = private_key ? PEM_read_bio_PrivateKey(bio, NULL, NULL, NULL) :
			     PEM_read_bio_PUBKEY(bio, NULL, NULL, NULL);
	BIO_free(bio);
	ERR_clear_error();
	if (!pkey)
		return -EINVAL;
	return key_wrap(pkey, private_key, out);
}

void klpb_key_free(struct klpb_key *k)
{
	if (!k)
		return;
	EVP_PKEY_free(k->pkey);
	free(k);
}

static int bio_to_buf(BIO *bio, struct klpb_buf *out)
{
	char *p;
	long n = BIO_get_mem_data(bio, &p);
	int rc = n > 0 ? buf_put(out, p, n) : -EIO;

	if (rc == 0)
		rc = buf_put(out, "", 1);
	if (rc == 0)
		out->len--; /* NUL-terminated, not counted */
	BIO_free(bio);
	return rc;
}

int klpb_key_private_pem(const struct klpb_key *k, struct klpb_buf *out)
{
	BIO *bio = BIO_new(BIO_s_mem());

	if (!k->private_key)
		return BIO_free(bio), -EINVAL;
	if (!bio || PEM_write_bio_PrivateKey(bio, k->pkey, NULL, NULL, 0, NULL, NULL) != 1) {
		BIO_free(bio);
		return -ENOMEM;
	}
	return bio_to_buf(bio, out);
}

int klpb_key_public_pem(const struct klpb_key *k, struct klpb_buf *out)
{
	BIO *bio = BIO_new(BIO_s_mem());

	if (!bio || PEM_write_bio_PUBKEY(bio, k->pkey) != 1) {
		BIO_free(bio);
		return -ENOMEM;
	}
	return bio_to_buf(bio, out);
}

const uint8_t *klpb_key_id(const struct klpb_key *k)
{
	return k->kid;
}

bool klpb_key_is_private(const struct klpb_key *k)
{
	return k->private_key;
}

void cose_protected(const uint8_t kid[KLPB_KID_LEN], uint8_t out[COSE_PROTECTED_LEN])
{
	static const uint8_t prefix[] = { 0xa2, 0x01, 0x27, 0x04, 0x58, 0x20 };

	memcpy(out, prefix, sizeof(prefix));
	memcpy(out + sizeof(prefix), kid, KLPB_KID_LEN);
}

int cose_sig_structure(const uint8_t *protected_hdr, size_t plen, const struct klpb_bytes *manifest,
		       struct klpb_buf *out)
{
	int rc = cw_array(out, 4);

	if (rc == 0)
		rc = cw_tstr(out, "Signature1");
	if (rc == 0)
		rc = cw_bstr(out, protected_hdr, plen);
	if (rc == 0)
		rc = cw_bstr(out, NULL, 0);
	if (rc == 0)
		rc = cw_bstr(out, manifest->data, manifest->len);
	return rc;
}

int klpb_signature_tbs(const struct klpb_bundle *b, size_t i, struct klpb_buf *out)
{
	if (i >= b->n_sigs)
		return -ENOENT;
	return cose_sig_structure(b->sigs[i].protected_hdr.data, b->sigs[i].protected_hdr.len,
				  &b->manifest, out);
}

static int ed25519_sign(EVP_PKEY *pkey, const struct klpb_buf *tbs, uint8_t sig[KLPB_SIG_LEN])
{
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	size_t len = KLPB_SIG_LEN;
	int ok;

	ok = ctx && EVP_DigestSignInit(ctx, NULL, NULL, NULL, pkey) == 1 &&
	     EVP_DigestSign(ctx, sig, &len, tbs->data, tbs->len) == 1 && len == KLPB_SIG_LEN;
	EVP_MD_CTX_free(ctx);
	ERR_clear_error();
	return ok ? 0 : -EIO;
}

/* Insert @s into @b's signatures (sorted by kid), replacing one with the same kid. */
static int insert_sig(struct klpb_bundle *b, const struct klpb_signature *s)
{
	struct klpb_signature *sigs;
	size_t n = 0;
	bool done = false;

	sigs = arena_calloc(bundle_arena(b), b->n_sigs + 1, sizeof(*sigs));
	if (!sigs)
		return -ENOMEM;
	for (size_t i = 0; i < b->n_sigs; i++) {
		int c = memcmp(b->sigs[i].kid, s->kid, KLPB_KID_LEN);

		if (c > 0 && !done) {
			sigs[n++] = *s;
			done = true;
		}
		if (c == 0) {
			sigs[n++] = *s;
			done = true;
			continue;
		}
		sigs[n++] = b->sigs[i];
	}
	if (!done)
		sigs[n++] = *s;
	if (n > KLPB_MAX_SIGNATURES)
		return -EFBIG;
	b->sigs = sigs;
	b->n_sigs = n;
	return 0;
}

int klpb_bundle_sign(struct klpb_bundle *b, const struct klpb_key *k, struct klpb_error *err)
{
	struct klpb_signature s = { 0 };
	struct klpb_buf tbs = { 0 };
	uint8_t *prot;
	int rc;

	if (!k->private_key)
		return klpb_set_error(err, -EINVAL, false, 0, "key", "not a private key");
	prot = arena_alloc(bundle_arena(b), COSE_PROTECTED_LEN);
	if (!prot)
		return -ENOMEM;
	cose_protected(k->kid, prot);
	memcpy(s.kid, k->kid, KLPB_KID_LEN);
	s.protected_hdr = (struct klpb_bytes){ prot, COSE_PROTECTED_LEN };
	rc = cose_sig_structure(prot, COSE_PROTECTED_LEN, &b->manifest, &tbs);
	if (rc == 0)
		rc = ed25519_sign(k->pkey, &tbs, s.sig);
	klpb_buf_free(&tbs);
	if (rc == 0)
		rc = insert_sig(b, &s);
	if (rc == -EFBIG)
		return klpb_set_error(err, rc, false, 0, "signatures", "more than %d signatures",
				      KLPB_MAX_SIGNATURES);
	if (rc < 0)
		return klpb_set_error(err, rc, false, 0, "signatures", "cannot sign");
	return 0;
}

int klpb_signature_verify(const struct klpb_bundle *b, size_t i, const struct klpb_key *k,
			  struct klpb_error *err)
{
	const struct klpb_signature *s = &b->sigs[i];
	struct klpb_buf tbs = { 0 };
	EVP_MD_CTX *ctx;
	int rc, ok;

	if (memcmp(s->kid, k->kid, KLPB_KID_LEN))
		return klpb_set_error(err, -ENOKEY, false, 0, "", "kid does not match the key");
	rc = klpb_signature_tbs(b, i, &tbs);
	if (rc < 0)
		return rc;
	ctx = EVP_MD_CTX_new();
	ok = ctx && EVP_DigestVerifyInit(ctx, NULL, NULL, NULL, k->pkey) == 1 &&
	     EVP_DigestVerify(ctx, s->sig, KLPB_SIG_LEN, tbs.data, tbs.len) == 1;
	EVP_MD_CTX_free(ctx);
	ERR_clear_error();
	klpb_buf_free(&tbs);
	if (!ok)
		return klpb_set_error(err, -EKEYREJECTED, true,
				      s->protected_hdr.data - b->file + COSE_PROTECTED_LEN + 4,
				      "signatures", "signature %zu does not verify", i);
	return 0;
}

const char *klpb_sig_status_name(enum klpb_sig_status s)
{
	static const char *const names[] = { "unchecked", "untrusted", "good", "bad" };

	return (unsigned int)s < ARRAY_SIZE(names) ? names[s] : "unknown";
}

static int verify_sigs(const struct klpb_bundle *b, struct klpb_key *const *keys, size_t n_keys,
		       struct klpb_verify_result *res, struct klpb_error *err)
{
	int rc, first_bad = 0;

	for (size_t i = 0; i < b->n_sigs; i++) {
		res->status[i] = n_keys ? KLPB_SIG_UNTRUSTED : KLPB_SIG_UNCHECKED;
		for (size_t j = 0; j < n_keys; j++) {
			if (memcmp(b->sigs[i].kid, keys[j]->kid, KLPB_KID_LEN))
				continue;
			rc = klpb_signature_verify(b, i, keys[j], first_bad ? NULL : err);
			res->status[i] = rc ? KLPB_SIG_BAD : KLPB_SIG_GOOD;
			if (rc && !first_bad)
				first_bad = rc;
			res->n_good += !rc;
			break;
		}
	}
	if (first_bad)
		return first_bad;
	if (n_keys && !res->n_good)
		return klpb_set_error(err, -ENOKEY, false, 0, "signatures",
				      b->n_sigs ? "no signature by a trusted key" : "not signed");
	return 0;
}

int klpb_payload_check_sources(const struct klpb_bundle *b, struct klpb_error *err);

int klpb_bundle_verify(const struct klpb_bundle *b, struct klpb_key *const *keys, size_t n_keys,
		       struct klpb_verify_result *res, struct klpb_error *err)
{
	int rc;

	memset(res, 0, sizeof(*res));
	res->keys_given = n_keys > 0;
	rc = verify_sigs(b, keys, n_keys, res, err);
	for (size_t i = 0; rc == 0 && i < b->n_payloads; i++)
		rc = klpb_payload_check(b, i, err);
	if (rc == 0)
		rc = klpb_payload_check_sources(b, err);
	return rc;
}

int cose_sign_raw(const struct klpb_key *k, const struct klpb_bytes *manifest,
		  uint8_t prot[COSE_PROTECTED_LEN], uint8_t sig[KLPB_SIG_LEN])
{
	struct klpb_buf tbs = { 0 };
	int rc;

	cose_protected(k->kid, prot);
	rc = cose_sig_structure(prot, COSE_PROTECTED_LEN, manifest, &tbs);
	if (rc == 0)
		rc = ed25519_sign(k->pkey, &tbs, sig);
	klpb_buf_free(&tbs);
	return rc;
}
