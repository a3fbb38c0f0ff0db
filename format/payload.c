// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * payload.c - payload decompression bounded by the declared size, and the
 * digest checks of payloads and embedded sources.
 *
 * The check streams: zstd output goes through a small buffer straight into
 * SHA-256, so verifying costs about one pass over the data and no memory
 * proportional to the module.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <zstd.h>

#include "format-internal.h"

struct sink {
	EVP_MD_CTX *md; /* digest of the output, always */
	struct klpb_buf *out; /* and a copy, when extracting */
};

static int sink_put(struct sink *s, const void *p, size_t n)
{
	if (n && EVP_DigestUpdate(s->md, p, n) != 1)
		return -ENOMEM;
	return s->out ? buf_put(s->out, p, n) : 0;
}

static size_t payload_offset(const struct klpb_bundle *b, size_t i)
{
	return b->payload_data[i].data - b->file;
}

static int zstd_stream(const struct klpb_bundle *b, size_t i, struct sink *s,
		       struct klpb_error *err)
{
	const struct klpb_bytes *in = &b->payload_data[i];
	uint64_t want = b->payloads[i].size, got = 0;
	unsigned long long fcs = ZSTD_getFrameContentSize(in->data, in->len);
	char field[32];
	ZSTD_inBuffer zin = { in->data, in->len, 0 };
	ZSTD_DStream *ds;
	size_t bufsz = ZSTD_DStreamOutSize(), ret = 1;
	void *obuf;
	int rc = 0;

	snprintf(field, sizeof(field), "payloads[%zu]", i);
	if (fcs != want)
		return klpb_set_error(err, -EBADMSG, true, payload_offset(b, i), field,
				      fcs == ZSTD_CONTENTSIZE_ERROR ?
					      "not a zstd frame" :
				      fcs == ZSTD_CONTENTSIZE_UNKNOWN ?
					      "zstd frame without content size" :
					      "zstd content size differs from the declared size");
	ds = ZSTD_createDStream();
	obuf = malloc(bufsz);
	if (!ds || !obuf) {
		rc = -ENOMEM;
		goto out;
	}
	ZSTD_DCtx_setParameter(ds, ZSTD_d_windowLogMax, 27);
	while (ret != 0 && rc == 0) {
		ZSTD_outBuffer zout = { obuf, bufsz, 0 };
		size_t before = zin.pos;

		ret = ZSTD_decompressStream(ds, &zout, &zin);
		if (ZSTD_isError(ret)) {
			rc = klpb_set_error(err, -EBADMSG, true, payload_offset(b, i) + zin.pos,
					    field, "zstd: %s", ZSTD_getErrorName(ret));
			break;
		}
		got += zout.pos;
		if (got > want) {
			rc = klpb_set_error(err, -EBADMSG, true, payload_offset(b, i) + zin.pos,
					    field, "decompresses to more than the declared size");
			break;
		}
		rc = sink_put(s, obuf, zout.pos);
		if (ret != 0 && zin.pos == zin.size && zout.pos == 0 && zin.pos == before)
			rc = klpb_set_error(err, -EBADMSG, true, payload_offset(b, i) + zin.pos,
					    field, "zstd frame truncated");
	}
	if (rc == 0 && (zin.pos != zin.size || got != want))
		rc = klpb_set_error(err, -EBADMSG, true, payload_offset(b, i) + zin.pos, field,
				    zin.pos != zin.size ?
					    "bytes after the zstd frame" :
					    "decompresses to less than the declared size");
out:
	ZSTD_freeDStream(ds);
	free(obuf);
	return rc;
}

static int payload_run(const struct klpb_bundle *b, size_t i, struct klpb_buf *out,
		       struct klpb_error *err)
{
	const struct klpb_payload_desc *pd = &b->payloads[i];
	struct sink s = { EVP_MD_CTX_new(), out };
	uint8_t md[KLPB_SHA256_LEN];
	char field[48];
	int rc;

	if (!s.md || EVP_DigestInit_ex(s.md, EVP_sha256(), NULL) != 1) {
		EVP_MD_CTX_free(s.md);
		return -ENOMEM;
	}
	if (out && (rc = buf_reserve(out, pd->size)) < 0)
		goto out;
	if (pd->compression == KLPB_COMPRESSION_ZSTD)
		rc = zstd_stream(b, i, &s, err);
	else
		rc = sink_put(&s, b->payload_data[i].data, b->payload_data[i].len);
	if (rc == 0 && EVP_DigestFinal_ex(s.md, md, NULL) != 1)
		rc = -ENOMEM;
	snprintf(field, sizeof(field), "manifest.payloads[%zu].sha256", i);
	if (rc == 0 && memcmp(md, pd->sha256, sizeof(md)))
		rc = klpb_set_error(err, -EILSEQ, true, payload_offset(b, i), field,
				    "payload %zu does not match its SHA-256 digest", i);
out:
	EVP_MD_CTX_free(s.md);
	return rc;
}

int klpb_payload_check(const struct klpb_bundle *b, size_t i, struct klpb_error *err)
{
	if (i >= b->n_payloads)
		return -ENOENT;
	return payload_run(b, i, NULL, err);
}

int klpb_payload_extract(const struct klpb_bundle *b, size_t i, struct klpb_buf *out,
			 struct klpb_error *err)
{
	size_t start = out->len;
	int rc;

	if (i >= b->n_payloads)
		return -ENOENT;
	rc = payload_run(b, i, out, err);
	if (rc < 0)
		out->len = start;
	return rc;
}

int klpb_payload_check_sources(const struct klpb_bundle *b, struct klpb_error *err);
int klpb_payload_check_sources(const struct klpb_bundle *b, struct klpb_error *err)
{
	uint8_t md[KLPB_SHA256_LEN];
	char field[64];

	for (size_t i = 0; i < b->n_sources; i++) {
		klpb_sha256(b->sources[i].data, b->sources[i].len, md);
		if (memcmp(md, b->core.provenance.sources[i].sha256, sizeof(md)) == 0)
			continue;
		snprintf(field, sizeof(field), "sources[%zu]", i);
		return klpb_set_error(err, -EILSEQ, true, b->sources[i].data - b->file, field,
				      "source '%s' does not match its SHA-256 digest",
				      b->core.provenance.sources[i].name);
	}
	return 0;
}
