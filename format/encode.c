// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * encode.c - the deterministic encoder: core, manifest, container,
 * klpb_bundle_build() and klpb_bundle_write().
 *
 * Every map is written with its keys in increasing order and every head
 * in its shortest form (libcbor's encoding.h).  The encoder enforces the
 * same rules as the decoder by running the decoder over what it wrote:
 * one set of rules, no drift between the two.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/sha.h>
#include <zstd.h>

#include "format-internal.h"

#define TRY(x)                      \
	do {                        \
		int _rc = (x);      \
		if (_rc < 0)        \
			return _rc; \
	} while (0)

void klpb_sha256(const void *data, size_t len, uint8_t md[KLPB_SHA256_LEN])
{
	SHA256(data, len, md);
}

const char *klpb_compression_name(enum klpb_compression c)
{
	switch (c) {
	case KLPB_COMPRESSION_NONE:
		return "none";
	case KLPB_COMPRESSION_ZSTD:
		return "zstd";
	}
	return "unknown";
}

static int enc_text(struct klpb_buf *b, const char *s)
{
	return s ? cw_tstr(b, s) : -EINVAL;
}

static int enc_dep(struct klpb_buf *b, const struct klpb_dep *x)
{
	TRY(cw_map(b, x->has_max ? 3 : 2));
	TRY(cw_uint(b, KLPB_KEY_DEP_NAME));
	TRY(enc_text(b, x->name));
	TRY(cw_uint(b, KLPB_KEY_DEP_MIN_VERSION));
	TRY(cw_uint(b, x->min_version));
	if (x->has_max) {
		TRY(cw_uint(b, KLPB_KEY_DEP_MAX_VERSION));
		TRY(cw_uint(b, x->max_version));
	}
	return 0;
}

static int enc_deps(struct klpb_buf *b, const struct klpb_dep *x, size_t n)
{
	if (n && !x)
		return -EINVAL;
	TRY(cw_array(b, n));
	for (size_t i = 0; i < n; i++)
		TRY(enc_dep(b, &x[i]));
	return 0;
}

static int enc_provenance(struct klpb_buf *b, const struct klpb_provenance *p)
{
	if ((p->n_sources && !p->sources) || (p->n_cves && !p->cves))
		return -EINVAL;
	TRY(cw_map(b, 4));
	TRY(cw_uint(b, KLPB_KEY_PROVENANCE_TOOL_VERSION));
	TRY(enc_text(b, p->tool_version));
	TRY(cw_uint(b, KLPB_KEY_PROVENANCE_CREATED));
	TRY(cw_uint(b, p->created));
	TRY(cw_uint(b, KLPB_KEY_PROVENANCE_SOURCES));
	TRY(cw_array(b, p->n_sources));
	for (size_t i = 0; i < p->n_sources; i++) {
		TRY(cw_map(b, 2));
		TRY(cw_uint(b, KLPB_KEY_SOURCE_NAME));
		TRY(enc_text(b, p->sources[i].name));
		TRY(cw_uint(b, KLPB_KEY_SOURCE_SHA256));
		TRY(cw_bstr(b, p->sources[i].sha256, KLPB_SHA256_LEN));
	}
	TRY(cw_uint(b, KLPB_KEY_PROVENANCE_CVES));
	TRY(cw_array(b, p->n_cves));
	for (size_t i = 0; i < p->n_cves; i++)
		TRY(enc_text(b, p->cves[i]));
	return 0;
}

static int enc_object(struct klpb_buf *b, const struct klpb_object *o)
{
	if ((o->n_funcs && !o->funcs) || (o->n_symbols && !o->symbols))
		return -EINVAL;
	TRY(cw_map(b, 3));
	TRY(cw_uint(b, KLPB_KEY_OBJECT_NAME));
	TRY(enc_text(b, o->name));
	TRY(cw_uint(b, KLPB_KEY_OBJECT_FUNCS));
	TRY(cw_array(b, o->n_funcs));
	for (size_t i = 0; i < o->n_funcs; i++) {
		TRY(cw_map(b, 3));
		TRY(cw_uint(b, KLPB_KEY_FUNC_OLD_NAME));
		TRY(enc_text(b, o->funcs[i].old_name));
		TRY(cw_uint(b, KLPB_KEY_FUNC_SYMPOS));
		TRY(cw_uint(b, o->funcs[i].sympos));
		TRY(cw_uint(b, KLPB_KEY_FUNC_NEW_NAME));
		TRY(enc_text(b, o->funcs[i].new_name));
	}
	TRY(cw_uint(b, KLPB_KEY_OBJECT_SYMBOLS));
	TRY(cw_array(b, o->n_symbols));
	for (size_t i = 0; i < o->n_symbols; i++) {
		TRY(cw_map(b, 2));
		TRY(cw_uint(b, KLPB_KEY_SYMREF_NAME));
		TRY(enc_text(b, o->symbols[i].name));
		TRY(cw_uint(b, KLPB_KEY_SYMREF_SYMPOS));
		TRY(cw_uint(b, o->symbols[i].sympos));
	}
	return 0;
}

static int enc_indices(struct klpb_buf *b, unsigned int key, const uint64_t *v, size_t n)
{
	if (n && !v)
		return -EINVAL;
	TRY(cw_uint(b, key));
	TRY(cw_array(b, n));
	for (size_t i = 0; i < n; i++)
		TRY(cw_uint(b, v[i]));
	return 0;
}

static int enc_target(struct klpb_buf *b, const struct klpb_target *t)
{
	if (t->n_objects && !t->objects)
		return -EINVAL;
	TRY(cw_map(b, 4 + t->has_funcs + t->has_symbols));
	TRY(cw_uint(b, KLPB_KEY_TARGET_KERNEL_RELEASE));
	TRY(enc_text(b, t->kernel_release));
	TRY(cw_uint(b, KLPB_KEY_TARGET_VMLINUX_BUILD_ID));
	TRY(cw_bstr(b, t->vmlinux_build_id, KLPB_BUILD_ID_LEN));
	TRY(cw_uint(b, KLPB_KEY_TARGET_MODULE_NAME));
	TRY(enc_text(b, t->module_name));
	TRY(cw_uint(b, KLPB_KEY_TARGET_OBJECTS));
	TRY(cw_array(b, t->n_objects));
	for (size_t i = 0; i < t->n_objects; i++) {
		TRY(cw_map(b, 2));
		TRY(cw_uint(b, KLPB_KEY_TARGET_OBJECT_NAME));
		TRY(enc_text(b, t->objects[i].name));
		TRY(cw_uint(b, KLPB_KEY_TARGET_OBJECT_BUILD_ID));
		TRY(cw_bstr(b, t->objects[i].build_id, KLPB_BUILD_ID_LEN));
	}
	if (t->has_funcs)
		TRY(enc_indices(b, KLPB_KEY_TARGET_FUNCS, t->funcs, t->n_funcs));
	if (t->has_symbols)
		TRY(enc_indices(b, KLPB_KEY_TARGET_SYMBOLS, t->symbols, t->n_symbols));
	return 0;
}

static int enc_core_lists(struct klpb_buf *b, const struct klpb_core *c)
{
	if ((c->n_targets && !c->targets) || (c->n_objects && !c->objects) ||
	    (c->n_states && !c->states))
		return -EINVAL;
	TRY(cw_uint(b, KLPB_KEY_CORE_TARGETS));
	TRY(cw_array(b, c->n_targets));
	for (size_t i = 0; i < c->n_targets; i++)
		TRY(enc_target(b, &c->targets[i]));
	TRY(cw_uint(b, KLPB_KEY_CORE_OBJECTS));
	TRY(cw_array(b, c->n_objects));
	for (size_t i = 0; i < c->n_objects; i++)
		TRY(enc_object(b, &c->objects[i]));
	TRY(cw_uint(b, KLPB_KEY_CORE_STATES));
	TRY(cw_array(b, c->n_states));
	for (size_t i = 0; i < c->n_states; i++) {
		TRY(cw_map(b, 2));
		TRY(cw_uint(b, KLPB_KEY_STATE_ID));
		TRY(cw_uint(b, c->states[i].id));
		TRY(cw_uint(b, KLPB_KEY_STATE_VERSION));
		TRY(cw_uint(b, c->states[i].version));
	}
	return 0;
}

int core_encode_unchecked(const struct klpb_core *c, struct klpb_buf *b)
{
	TRY(cw_map(b, 11));
	TRY(cw_uint(b, KLPB_KEY_CORE_NAME));
	TRY(enc_text(b, c->name));
	TRY(cw_uint(b, KLPB_KEY_CORE_VERSION));
	TRY(cw_uint(b, c->version));
	TRY(cw_uint(b, KLPB_KEY_CORE_LINEAGE));
	TRY(cw_bstr(b, c->lineage, KLPB_LINEAGE_LEN));
	TRY(cw_uint(b, KLPB_KEY_CORE_DESCRIPTION));
	TRY(enc_text(b, c->description ? c->description : ""));
	TRY(cw_uint(b, KLPB_KEY_CORE_REPLACE));
	TRY(cw_bool(b, c->replace));
	TRY(cw_uint(b, KLPB_KEY_CORE_REQUIRES));
	TRY(enc_deps(b, c->requires, c->n_requires));
	TRY(cw_uint(b, KLPB_KEY_CORE_CONFLICTS));
	TRY(enc_deps(b, c->conflicts, c->n_conflicts));
	TRY(cw_uint(b, KLPB_KEY_CORE_PROVENANCE));
	TRY(enc_provenance(b, &c->provenance));
	return enc_core_lists(b, c);
}

/* The decoder's errors describe input to the encoder: no offset, -EINVAL. */
static int as_input_error(int rc, struct klpb_error *err)
{
	if (err) {
		err->has_offset = false;
		if (rc == -EBADMSG)
			err->code = rc = -EINVAL;
	}
	return rc == -EBADMSG ? -EINVAL : rc;
}

int klpb_core_encode(const struct klpb_core *core, struct klpb_buf *out, struct klpb_error *err)
{
	size_t start = out->len;
	struct klpb_core check;
	struct arena *a;
	int rc = core_encode_unchecked(core, out);

	if (rc < 0) {
		out->len = start;
		return klpb_set_error(err, rc, false, 0, "core",
				      rc == -EINVAL ? "a required field is NULL" : "out of memory");
	}
	a = arena_new();
	if (!a)
		return -ENOMEM;
	rc = core_decode(out->data + start, out->len - start, a, &check, err);
	arena_free(a);
	if (rc < 0) {
		out->len = start;
		return as_input_error(rc, err);
	}
	return 0;
}

int manifest_encode(unsigned int major, unsigned int minor, const struct klpb_bytes *core,
		    const struct klpb_payload_desc *pd, size_t n, struct klpb_buf *b)
{
	TRY(cw_map(b, 3));
	TRY(cw_uint(b, KLPB_KEY_MANIFEST_VERSION));
	TRY(cw_version(b, major, minor));
	TRY(cw_uint(b, KLPB_KEY_MANIFEST_CORE));
	TRY(cw_bstr(b, core->data, core->len));
	TRY(cw_uint(b, KLPB_KEY_MANIFEST_PAYLOADS));
	TRY(cw_array(b, n));
	for (size_t i = 0; i < n; i++) {
		TRY(cw_map(b, 5));
		TRY(cw_uint(b, KLPB_KEY_PAYLOAD_TARGET));
		TRY(cw_uint(b, pd[i].target));
		TRY(cw_uint(b, KLPB_KEY_PAYLOAD_COMPRESSION));
		TRY(cw_uint(b, pd[i].compression));
		TRY(cw_uint(b, KLPB_KEY_PAYLOAD_COMPRESSED_SIZE));
		TRY(cw_uint(b, pd[i].compressed_size));
		TRY(cw_uint(b, KLPB_KEY_PAYLOAD_SIZE));
		TRY(cw_uint(b, pd[i].size));
		TRY(cw_uint(b, KLPB_KEY_PAYLOAD_SHA256));
		TRY(cw_bstr(b, pd[i].sha256, KLPB_SHA256_LEN));
	}
	return 0;
}

static int enc_sig(struct klpb_buf *b, const struct klpb_signature *s)
{
	TRY(cw_tag(b, COSE_TAG_SIGN1));
	TRY(cw_array(b, 4));
	TRY(cw_bstr(b, s->protected_hdr.data, s->protected_hdr.len));
	TRY(cw_map(b, 0));
	TRY(cw_null(b));
	return cw_bstr(b, s->sig, KLPB_SIG_LEN);
}

int container_encode(unsigned int major, unsigned int minor, const struct klpb_bytes *manifest,
		     const struct klpb_bytes *payloads, size_t n_payloads,
		     const struct klpb_bytes *sources, size_t n_sources,
		     const struct klpb_signature *sigs, size_t n_sigs, struct klpb_buf *b)
{
	TRY(cw_map(b, sources ? 5 : 4));
	TRY(cw_uint(b, KLPB_KEY_CONTAINER_VERSION));
	TRY(cw_version(b, major, minor));
	TRY(cw_uint(b, KLPB_KEY_CONTAINER_MANIFEST));
	TRY(cw_bstr(b, manifest->data, manifest->len));
	TRY(cw_uint(b, KLPB_KEY_CONTAINER_PAYLOADS));
	TRY(cw_array(b, n_payloads));
	for (size_t i = 0; i < n_payloads; i++)
		TRY(cw_bstr(b, payloads[i].data, payloads[i].len));
	if (sources) {
		TRY(cw_uint(b, KLPB_KEY_CONTAINER_SOURCES));
		TRY(cw_array(b, n_sources));
		for (size_t i = 0; i < n_sources; i++)
			TRY(cw_bstr(b, sources[i].data, sources[i].len));
	}
	TRY(cw_uint(b, KLPB_KEY_CONTAINER_SIGNATURES));
	TRY(cw_array(b, n_sigs));
	for (size_t i = 0; i < n_sigs; i++)
		TRY(enc_sig(b, &sigs[i]));
	return 0;
}

/* ---- build ---- */

static int compress_module(const struct klpb_module_input *m, int level, size_t i,
			   struct klpb_payload_desc *pd, struct klpb_bytes *out,
			   struct klpb_error *err)
{
	ZSTD_CCtx *cc;
	void *dst;
	size_t bound, n;

	pd->target = i;
	pd->compression = m->compression;
	pd->size = m->len;
	klpb_sha256(m->data, m->len, pd->sha256);
	if (m->compression == KLPB_COMPRESSION_NONE) {
		pd->compressed_size = m->len;
		*out = (struct klpb_bytes){ m->data, m->len };
		return 0;
	}
	if (m->compression != KLPB_COMPRESSION_ZSTD)
		return klpb_set_error(err, -EINVAL, false, 0, "modules", "unknown compression");
	bound = ZSTD_compressBound(m->len);
	dst = malloc(bound ? bound : 1);
	cc = ZSTD_createCCtx();
	if (!dst || !cc) {
		free(dst);
		ZSTD_freeCCtx(cc);
		return -ENOMEM;
	}
	ZSTD_CCtx_setParameter(cc, ZSTD_c_compressionLevel, level ? level : 19);
	ZSTD_CCtx_setParameter(cc, ZSTD_c_contentSizeFlag, 1);
	ZSTD_CCtx_setParameter(cc, ZSTD_c_checksumFlag, 0);
	n = ZSTD_compress2(cc, dst, bound, m->data, m->len);
	ZSTD_freeCCtx(cc);
	if (ZSTD_isError(n)) {
		free(dst);
		return klpb_set_error(err, -EIO, false, 0, "modules", "zstd: %s",
				      ZSTD_getErrorName(n));
	}
	if (n >= m->len) {
		/* zstd would not make it smaller: store it as it is */
		free(dst);
		pd->compression = KLPB_COMPRESSION_NONE;
		pd->compressed_size = m->len;
		*out = (struct klpb_bytes){ m->data, m->len };
		return 0;
	}
	pd->compressed_size = n;
	*out = (struct klpb_bytes){ dst, n };
	return 0;
}

/*
 * The oldest minor version that describes @c: 1 when a target lists its own
 * functions or symbols, else 0, so that a bundle without them stays readable by
 * 1.0 readers in their strict mode.
 */
static unsigned int core_minor(const struct klpb_core *c)
{
	for (size_t i = 0; i < c->n_targets; i++)
		if (c->targets[i].has_funcs || c->targets[i].has_symbols)
			return 1;
	return 0;
}

static int check_build_input(const struct klpb_build_input *in, struct klpb_error *err)
{
	const struct klpb_provenance *p = &in->core->provenance;
	uint8_t md[KLPB_SHA256_LEN];

	if (in->core->n_targets && !in->modules)
		return klpb_set_error(err, -EINVAL, false, 0, "modules", "no modules given");
	for (size_t i = 0; in->sources && i < p->n_sources; i++) {
		if (in->sources[i].len > KLPB_MAX_SOURCE_SIZE)
			return klpb_set_error(err, -EFBIG, false, 0, "sources",
					      "'%s' is larger than 16 MiB", p->sources[i].name);
		klpb_sha256(in->sources[i].data, in->sources[i].len, md);
		if (memcmp(md, p->sources[i].sha256, sizeof(md)))
			return klpb_set_error(err, -EINVAL, false, 0, "sources",
					      "'%s' does not match its digest", p->sources[i].name);
	}
	for (size_t i = 0; i < in->core->n_targets; i++)
		if (in->modules[i].len > KLPB_MAX_PAYLOAD ||
		    (!in->modules[i].data && in->modules[i].len))
			return klpb_set_error(err, -EFBIG, false, 0, "modules",
					      "module %zu is larger than 256 MiB", i);
	return 0;
}

static int build_file(const struct klpb_build_input *in, const struct klpb_bytes *core,
		      struct klpb_payload_desc *pd, struct klpb_bytes *data, struct klpb_buf *out)
{
	const struct klpb_core *c = in->core;
	unsigned int minor = core_minor(c);
	struct klpb_buf man = { 0 };
	struct klpb_bytes mb;
	int rc = manifest_encode(KLPB_FORMAT_MAJOR, minor, core, pd, c->n_targets, &man);

	if (rc == 0)
		rc = buf_put(out, KLPB_MAGIC, KLPB_MAGIC_LEN);
	mb = (struct klpb_bytes){ man.data, man.len };
	if (rc == 0)
		rc = container_encode(KLPB_FORMAT_MAJOR, minor, &mb, data, c->n_targets,
				      in->sources, in->sources ? c->provenance.n_sources : 0, NULL,
				      0, out);
	klpb_buf_free(&man);
	return rc;
}

/* Load what was built: the decoder is the one judge of the limits. */
static int self_check(const struct klpb_buf *out, size_t start, struct klpb_error *err)
{
	struct klpb_bundle *b;
	int rc = klpb_bundle_load(out->data + start, out->len - start, &b, err);

	klpb_bundle_free(b);
	return rc < 0 ? as_input_error(rc, err) : 0;
}

int klpb_bundle_build(const struct klpb_build_input *in, struct klpb_buf *out,
		      struct klpb_error *err)
{
	struct klpb_buf core = { 0 };
	struct klpb_payload_desc *pd = NULL;
	struct klpb_bytes *data = NULL;
	size_t n = in->core->n_targets, start = out->len;
	int rc;

	rc = klpb_core_encode(in->core, &core, err);
	if (rc == 0)
		rc = check_build_input(in, err);
	if (rc < 0)
		goto out;
	pd = calloc(n ? n : 1, sizeof(*pd));
	data = calloc(n ? n : 1, sizeof(*data));
	rc = pd && data ? 0 : -ENOMEM;
	for (size_t i = 0; rc == 0 && i < n; i++)
		rc = compress_module(&in->modules[i], in->zstd_level, i, &pd[i], &data[i], err);
	if (rc == 0)
		rc = build_file(in, &(struct klpb_bytes){ core.data, core.len }, pd, data, out);
	if (rc == 0)
		rc = self_check(out, start, err);
out:
	for (size_t i = 0; data && pd && i < n; i++)
		if (pd[i].compression != KLPB_COMPRESSION_NONE)
			free((void *)data[i].data);
	free(pd);
	free(data);
	klpb_buf_free(&core);
	if (rc < 0)
		out->len = start;
	return rc;
}

int klpb_bundle_write(const struct klpb_bundle *b, struct klpb_buf *out, struct klpb_error *err)
{
	size_t start = out->len;
	int rc = buf_put(out, KLPB_MAGIC, KLPB_MAGIC_LEN);

	if (rc == 0)
		rc = container_encode(b->major, b->minor, &b->manifest, b->payload_data,
				      b->n_payloads, b->sources, b->n_sources, b->sigs, b->n_sigs,
				      out);
	if (rc < 0) {
		out->len = start;
		return klpb_set_error(err, rc, false, 0, "", "out of memory");
	}
	return 0;
}
