// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * decode.c - klpb_bundle_load(): magic, version peek, strict validation,
 * then a zero-copy walk over the validated bytes into plain C structs.
 *
 * The walk reads heads with klpb_cbor_read_head() only after
 * klpb_cbor_validate() accepted the region, so it can rely on
 * well-formedness (it still checks every head it reads and never trusts a
 * length); libcbor never sees the file.  Strings are copied (NUL-terminated)
 * into the bundle's arena; byte strings other than fixed-size digests point
 * into the caller's buffer.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cbor-validate.h"
#include "format-internal.h"

struct klpb_bundle_priv {
	struct arena *arena;
	uint8_t *owned; /* the file, when the bundle owns it */
};

struct dec {
	const uint8_t *buf; /* the region being walked */
	size_t len;
	size_t off; /* position in the region */
	size_t base; /* file offset of buf[0] */
	struct klpb_error *err;
	struct arena *a;
	bool lenient; /* newer minor: skip unknown keys */
	unsigned int minor; /* the file's minor version */
	size_t plen;
	char path[128];
};

/*
 * Decode a field's value into @obj, the struct its map describes.  Every
 * reader has exactly this type (it converts @obj to its own struct), so no
 * reader is ever called through a pointer of another type.
 */
typedef int (*field_fn)(struct dec *d, void *obj);

struct field {
	uint64_t key;
	const char *name;
	bool optional;
	field_fn fn;
};

static int derr(struct dec *d, size_t at, int code, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static int derr(struct dec *d, size_t at, int code, const char *fmt, ...)
{
	char msg[200];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return klpb_set_error(d->err, code, true, d->base + at, d->path, "%s", msg);
}

static size_t path_push(struct dec *d, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static size_t path_push(struct dec *d, const char *fmt, ...)
{
	size_t old = d->plen;
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(d->path + d->plen, sizeof(d->path) - d->plen, fmt, ap);
	va_end(ap);
	if (n > 0)
		d->plen = strnlen(d->path, sizeof(d->path) - 1);
	return old;
}

static void path_pop(struct dec *d, size_t old)
{
	d->plen = old;
	d->path[old] = '\0';
}

static int dec_head(struct dec *d, struct klpb_cbor_head *h)
{
	if (klpb_cbor_read_head(d->buf, d->len, d->off, h) < 0)
		return derr(d, d->off, -EBADMSG, "malformed CBOR head");
	d->off += h->hlen;
	return 0;
}

static const char *const major_names[] = {
	"an unsigned integer",
	"a negative integer",
	"a byte string",
	"a text string",
	"an array",
	"a map",
	"a tag",
	"a simple value",
};

/* Read a head of major type @major; @at gets its offset. */
static int dec_expect(struct dec *d, uint8_t major, struct klpb_cbor_head *h, size_t *at)
{
	int rc;

	*at = d->off;
	rc = dec_head(d, h);
	if (rc < 0)
		return rc;
	if (h->major != major)
		return derr(d, *at, -EBADMSG, "expected %s, found %s", major_names[major],
			    major_names[h->major]);
	if ((major == KLPB_CBOR_MAJOR_BSTR || major == KLPB_CBOR_MAJOR_TSTR) &&
	    h->arg > d->len - d->off)
		return derr(d, *at, -EBADMSG, "string runs past the end");
	return 0;
}

static int dec_skip(struct dec *d)
{
	struct klpb_cbor_head h;
	uint64_t items_left = 1;
	int rc;

	while (items_left) {
		items_left--;
		rc = dec_head(d, &h);
		if (rc < 0)
			return rc;
		switch (h.major) {
		case KLPB_CBOR_MAJOR_BSTR:
		case KLPB_CBOR_MAJOR_TSTR:
			if (h.arg > d->len - d->off)
				return derr(d, d->off, -EBADMSG, "string runs past the end");
			d->off += h.arg;
			break;
		case KLPB_CBOR_MAJOR_ARRAY:
			items_left += h.arg;
			break;
		case KLPB_CBOR_MAJOR_MAP:
			items_left += 2 * h.arg;
			break;
		case KLPB_CBOR_MAJOR_TAG:
			items_left++;
			break;
		}
		if (items_left > d->len)
			return derr(d, d->off, -EBADMSG, "count too large");
	}
	return 0;
}

static int dec_uint(struct dec *d, uint64_t *v)
{
	struct klpb_cbor_head h;
	size_t at;
	int rc = dec_expect(d, KLPB_CBOR_MAJOR_UINT, &h, &at);

	*v = rc == 0 ? h.arg : 0;
	return rc;
}

static int dec_bool(struct dec *d, bool *v)
{
	struct klpb_cbor_head h;
	size_t at;
	int rc = dec_expect(d, KLPB_CBOR_MAJOR_SIMPLE, &h, &at);

	if (rc < 0)
		return rc;
	if (h.ai != KLPB_CBOR_FALSE && h.ai != KLPB_CBOR_TRUE)
		return derr(d, at, -EBADMSG, "expected true or false");
	*v = h.ai == KLPB_CBOR_TRUE;
	return 0;
}

static int dec_bytes(struct dec *d, struct klpb_bytes *out, size_t *at)
{
	struct klpb_cbor_head h;
	int rc = dec_expect(d, KLPB_CBOR_MAJOR_BSTR, &h, at);

	if (rc < 0)
		return rc;
	out->data = d->buf + d->off;
	out->len = h.arg;
	d->off += h.arg;
	return 0;
}

static int dec_fixed(struct dec *d, uint8_t *out, size_t n)
{
	struct klpb_bytes b;
	size_t at;
	int rc = dec_bytes(d, &b, &at);

	if (rc < 0)
		return rc;
	if (b.len != n)
		return derr(d, at, -EBADMSG, "is %zu bytes, expected %zu", b.len, n);
	memcpy(out, b.data, n);
	return 0;
}

/* A text string of at most @max bytes that passes @check, copied into the arena. */
static int dec_text_max(struct dec *d, size_t max, const char *(*check)(const char *, size_t),
			const char **out)
{
	struct klpb_cbor_head h;
	const char *s, *why;
	size_t at;
	int rc = dec_expect(d, KLPB_CBOR_MAJOR_TSTR, &h, &at);

	if (rc < 0)
		return rc;
	if (h.arg > max)
		return derr(d, at, -EFBIG, "is %llu bytes, at most %zu allowed",
			    (unsigned long long)h.arg, max);
	s = (const char *)d->buf + d->off;
	why = check(s, h.arg);
	if (why)
		return derr(d, at, -EBADMSG, "%s", why);
	if (memchr(s, '\0', h.arg))
		return derr(d, at, -EBADMSG, "must not contain NUL");
	*out = arena_strndup(d->a, s, h.arg);
	if (!*out)
		return -ENOMEM;
	d->off += h.arg;
	return 0;
}

static int dec_text(struct dec *d, const char *(*check)(const char *, size_t), const char **out)
{
	size_t max = check == check_name	 ? KLPB_MAX_NAME :
		     check == check_release	 ? KLPB_MAX_RELEASE :
		     check == check_symbol	 ? KLPB_MAX_SYMBOL :
		     check == check_tool_version ? KLPB_MAX_TOOL_VERSION :
		     check == check_source_name	 ? KLPB_MAX_SOURCE_NAME :
		     check == check_cve		 ? KLPB_MAX_CVE :
						   KLPB_MAX_DESCRIPTION;

	return dec_text_max(d, max, check, out);
}

/*
 * Decode a map whose known keys are @f (in key order) into @obj.  Unknown
 * keys are skipped when the file's minor version is newer, else an error.
 */
static int dec_map(struct dec *d, const struct field *f, size_t nf, void *obj)
{
	struct klpb_cbor_head h;
	size_t at, kat, fi = 0, old;
	uint64_t k;
	int rc = dec_expect(d, KLPB_CBOR_MAJOR_MAP, &h, &at);

	if (rc < 0)
		return rc;
	for (uint64_t i = 0; i < h.arg; i++) {
		kat = d->off;
		rc = dec_uint(d, &k);
		if (rc < 0)
			return derr(d, kat, -EBADMSG, "map keys must be unsigned integers");
		while (fi < nf && f[fi].key < k) {
			if (!f[fi].optional)
				goto missing;
			fi++;
		}
		if (fi == nf || f[fi].key != k) {
			if (!d->lenient)
				return derr(d, kat, -EBADMSG, "unknown key %llu",
					    (unsigned long long)k);
			rc = dec_skip(d);
			if (rc < 0)
				return rc;
			continue;
		}
		old = path_push(d, "%s%s", d->plen ? "." : "", f[fi].name);
		rc = f[fi].fn(d, obj);
		if (rc < 0)
			return rc;
		path_pop(d, old);
		fi++;
	}
	for (; fi < nf; fi++)
		if (!f[fi].optional)
			goto missing;
	return 0;
missing:
	return derr(d, at, -EBADMSG, "missing field '%s' (key %llu)", f[fi].name,
		    (unsigned long long)f[fi].key);
}

/* Decode one list element into @elem; order two elements like strcmp(). */
typedef int (*elem_fn)(struct dec *d, void *elem);
typedef int (*cmp_fn)(const void *a, const void *b);

/*
 * Decode an array of @min..@max elements of @esize bytes each into a new
 * arena array.  With @cmp, elements must be in strictly increasing order.
 */
static int dec_list(struct dec *d, size_t min, size_t max, size_t esize, elem_fn fn, cmp_fn cmp,
		    void **out, size_t *n)
{
	struct klpb_cbor_head h;
	size_t at, eat, old;
	unsigned char *arr;
	int rc = dec_expect(d, KLPB_CBOR_MAJOR_ARRAY, &h, &at);

	if (rc < 0)
		return rc;
	if (h.arg > max)
		return derr(d, at, -EFBIG, "has %llu entries, at most %zu allowed",
			    (unsigned long long)h.arg, max);
	if (h.arg < min)
		return derr(d, at, -EBADMSG, "must have at least %zu entries", min);
	arr = arena_calloc(d->a, h.arg, esize);
	if (!arr)
		return -ENOMEM;
	for (size_t i = 0; i < h.arg; i++) {
		old = path_push(d, "[%zu]", i);
		eat = d->off;
		rc = fn(d, arr + i * esize);
		if (rc < 0)
			return rc;
		if (cmp && i > 0 && cmp(arr + (i - 1) * esize, arr + i * esize) >= 0)
			return derr(d, eat, -EBADMSG, "entries must be sorted and unique");
		path_pop(d, old);
	}
	*out = arr;
	*n = h.arg;
	return 0;
}

/*
 * dec_list() into the typed array *@outp (its element size taken from
 * it), stored only on success.
 */
#define LIST(d, min, max, fn, cmp, outp, np)                                                      \
	({                                                                                        \
		void *list_;                                                                      \
		int list_rc_ =                                                                    \
			dec_list((d), (min), (max), sizeof(**(outp)), (fn), (cmp), &list_, (np)); \
		if (list_rc_ == 0)                                                                \
			*(outp) = list_;                                                          \
		list_rc_;                                                                         \
	})

/* ---- core ---- */

static int cmp_str(const void *a, const void *b)
{
	const char *const *sa = a, *const *sb = b;

	return strcmp(*sa, *sb);
}

static int f_dep_name(struct dec *d, void *obj)
{
	struct klpb_dep *dep = obj;

	return dec_text(d, check_name, &dep->name);
}

static int f_dep_min(struct dec *d, void *obj)
{
	struct klpb_dep *dep = obj;

	return dec_uint(d, &dep->min_version);
}

static int f_dep_max(struct dec *d, void *obj)
{
	struct klpb_dep *dep = obj;
	size_t at = d->off;
	int rc = dec_uint(d, &dep->max_version);

	if (rc < 0)
		return rc;
	dep->has_max = true;
	if (dep->max_version < dep->min_version)
		return derr(d, at, -EBADMSG, "is less than min_version");
	return 0;
}

static const struct field dep_fields[] = {
	{ KLPB_KEY_DEP_NAME, "name", false, f_dep_name },
	{ KLPB_KEY_DEP_MIN_VERSION, "min_version", false, f_dep_min },
	{ KLPB_KEY_DEP_MAX_VERSION, "max_version", true, f_dep_max },
};

static int e_dep(struct dec *d, void *elem)
{
	return dec_map(d, dep_fields, ARRAY_SIZE(dep_fields), elem);
}

static int cmp_dep(const void *a, const void *b)
{
	const struct klpb_dep *da = a, *db = b;

	return strcmp(da->name, db->name);
}

static int f_src_name(struct dec *d, void *obj)
{
	struct klpb_source_digest *src = obj;

	return dec_text(d, check_source_name, &src->name);
}

static int f_src_sha(struct dec *d, void *obj)
{
	struct klpb_source_digest *src = obj;

	return dec_fixed(d, src->sha256, KLPB_SHA256_LEN);
}

static const struct field src_fields[] = {
	{ KLPB_KEY_SOURCE_NAME, "name", false, f_src_name },
	{ KLPB_KEY_SOURCE_SHA256, "sha256", false, f_src_sha },
};

static int e_src(struct dec *d, void *elem)
{
	return dec_map(d, src_fields, ARRAY_SIZE(src_fields), elem);
}

static int cmp_src(const void *a, const void *b)
{
	const struct klpb_source_digest *sa = a, *sb = b;

	return strcmp(sa->name, sb->name);
}

static int e_cve(struct dec *d, void *elem)
{
	const char **cve = elem;

	return dec_text(d, check_cve, cve);
}

static int f_tool(struct dec *d, void *obj)
{
	struct klpb_provenance *prov = obj;

	return dec_text(d, check_tool_version, &prov->tool_version);
}

static int f_created(struct dec *d, void *obj)
{
	struct klpb_provenance *prov = obj;

	return dec_uint(d, &prov->created);
}

static int f_sources(struct dec *d, void *obj)
{
	struct klpb_provenance *prov = obj;

	return LIST(d, 0, KLPB_MAX_SOURCES, e_src, cmp_src, &prov->sources, &prov->n_sources);
}

static int f_cves(struct dec *d, void *obj)
{
	struct klpb_provenance *prov = obj;

	return LIST(d, 0, KLPB_MAX_CVES, e_cve, cmp_str, &prov->cves, &prov->n_cves);
}

static const struct field prov_fields[] = {
	{ KLPB_KEY_PROVENANCE_TOOL_VERSION, "tool_version", false, f_tool },
	{ KLPB_KEY_PROVENANCE_CREATED, "created", false, f_created },
	{ KLPB_KEY_PROVENANCE_SOURCES, "sources", false, f_sources },
	{ KLPB_KEY_PROVENANCE_CVES, "cves", false, f_cves },
};

static int f_to_name(struct dec *d, void *obj)
{
	struct klpb_target_object *tobj = obj;

	return dec_text(d, check_name, &tobj->name);
}

static int f_to_bid(struct dec *d, void *obj)
{
	struct klpb_target_object *tobj = obj;

	return dec_fixed(d, tobj->build_id, KLPB_BUILD_ID_LEN);
}

static const struct field tobj_fields[] = {
	{ KLPB_KEY_TARGET_OBJECT_NAME, "name", false, f_to_name },
	{ KLPB_KEY_TARGET_OBJECT_BUILD_ID, "build_id", false, f_to_bid },
};

static int e_tobj(struct dec *d, void *elem)
{
	return dec_map(d, tobj_fields, ARRAY_SIZE(tobj_fields), elem);
}

static int cmp_tobj(const void *a, const void *b)
{
	const struct klpb_target_object *ta = a, *tb = b;

	return strcmp(ta->name, tb->name);
}

static int f_t_rel(struct dec *d, void *obj)
{
	struct klpb_target *target = obj;

	return dec_text(d, check_release, &target->kernel_release);
}

static int f_t_bid(struct dec *d, void *obj)
{
	struct klpb_target *target = obj;

	return dec_fixed(d, target->vmlinux_build_id, KLPB_BUILD_ID_LEN);
}

static int f_t_mod(struct dec *d, void *obj)
{
	struct klpb_target *target = obj;

	return dec_text(d, check_name, &target->module_name);
}

static int f_t_objs(struct dec *d, void *obj)
{
	struct klpb_target *target = obj;

	return LIST(d, 0, KLPB_MAX_TARGET_OBJECTS, e_tobj, cmp_tobj, &target->objects,
		    &target->n_objects);
}

static int e_index(struct dec *d, void *elem)
{
	return dec_uint(d, elem);
}

static int cmp_index(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* 1.1: a target's own functions or symbols, indices into core.objects' */
static int dec_indices(struct dec *d, bool *has, const uint64_t **v, size_t *n)
{
	if (d->minor < 1)
		return derr(d, d->off, -EBADMSG, "needs format version 1.1, the file is 1.%u",
			    d->minor);
	*has = true;
	return LIST(d, 0, KLPB_MAX_OBJECTS * KLPB_MAX_SYMBOLS, e_index, cmp_index, v, n);
}

static int f_t_funcs(struct dec *d, void *obj)
{
	struct klpb_target *target = obj;

	return dec_indices(d, &target->has_funcs, &target->funcs, &target->n_funcs);
}

static int f_t_syms(struct dec *d, void *obj)
{
	struct klpb_target *target = obj;

	return dec_indices(d, &target->has_symbols, &target->symbols, &target->n_symbols);
}

static const struct field target_fields[] = {
	{ KLPB_KEY_TARGET_KERNEL_RELEASE, "kernel_release", false, f_t_rel },
	{ KLPB_KEY_TARGET_VMLINUX_BUILD_ID, "vmlinux_build_id", false, f_t_bid },
	{ KLPB_KEY_TARGET_MODULE_NAME, "module_name", false, f_t_mod },
	{ KLPB_KEY_TARGET_OBJECTS, "objects", false, f_t_objs },
	{ KLPB_KEY_TARGET_FUNCS, "funcs", true, f_t_funcs },
	{ KLPB_KEY_TARGET_SYMBOLS, "symbols", true, f_t_syms },
};

static int e_target(struct dec *d, void *elem)
{
	return dec_map(d, target_fields, ARRAY_SIZE(target_fields), elem);
}

static int f_fn_old(struct dec *d, void *obj)
{
	struct klpb_func *func = obj;

	return dec_text(d, check_symbol, &func->old_name);
}

static int f_fn_pos(struct dec *d, void *obj)
{
	struct klpb_func *func = obj;

	return dec_uint(d, &func->sympos);
}

static int f_fn_new(struct dec *d, void *obj)
{
	struct klpb_func *func = obj;

	return dec_text(d, check_symbol, &func->new_name);
}

static const struct field func_fields[] = {
	{ KLPB_KEY_FUNC_OLD_NAME, "old_name", false, f_fn_old },
	{ KLPB_KEY_FUNC_SYMPOS, "sympos", false, f_fn_pos },
	{ KLPB_KEY_FUNC_NEW_NAME, "new_name", false, f_fn_new },
};

static int e_func(struct dec *d, void *elem)
{
	return dec_map(d, func_fields, ARRAY_SIZE(func_fields), elem);
}

static int f_sr_name(struct dec *d, void *obj)
{
	struct klpb_symref *sym = obj;

	return dec_text(d, check_symbol, &sym->name);
}

static int f_sr_pos(struct dec *d, void *obj)
{
	struct klpb_symref *sym = obj;

	return dec_uint(d, &sym->sympos);
}

static const struct field symref_fields[] = {
	{ KLPB_KEY_SYMREF_NAME, "name", false, f_sr_name },
	{ KLPB_KEY_SYMREF_SYMPOS, "sympos", false, f_sr_pos },
};

static int e_symref(struct dec *d, void *elem)
{
	return dec_map(d, symref_fields, ARRAY_SIZE(symref_fields), elem);
}

static int f_o_name(struct dec *d, void *obj)
{
	struct klpb_object *object = obj;

	return dec_text(d, check_name, &object->name);
}

static int f_o_funcs(struct dec *d, void *obj)
{
	struct klpb_object *object = obj;

	return LIST(d, 0, KLPB_MAX_FUNCS, e_func, NULL, &object->funcs, &object->n_funcs);
}

static int f_o_syms(struct dec *d, void *obj)
{
	struct klpb_object *object = obj;

	return LIST(d, 0, KLPB_MAX_SYMBOLS, e_symref, NULL, &object->symbols, &object->n_symbols);
}

static const struct field object_fields[] = {
	{ KLPB_KEY_OBJECT_NAME, "name", false, f_o_name },
	{ KLPB_KEY_OBJECT_FUNCS, "funcs", false, f_o_funcs },
	{ KLPB_KEY_OBJECT_SYMBOLS, "symbols", false, f_o_syms },
};

static int e_object(struct dec *d, void *elem)
{
	return dec_map(d, object_fields, ARRAY_SIZE(object_fields), elem);
}

static int cmp_object(const void *a, const void *b)
{
	const struct klpb_object *oa = a, *ob = b;

	return strcmp(oa->name, ob->name);
}

static int f_st_id(struct dec *d, void *obj)
{
	struct klpb_state *state = obj;
	size_t at = d->off;
	int rc = dec_uint(d, &state->id);

	if (rc == 0 && state->id == 0)
		return derr(d, at, -EBADMSG, "must not be 0");
	return rc;
}

static int f_st_ver(struct dec *d, void *obj)
{
	struct klpb_state *state = obj;

	return dec_uint(d, &state->version);
}

static const struct field state_fields[] = {
	{ KLPB_KEY_STATE_ID, "id", false, f_st_id },
	{ KLPB_KEY_STATE_VERSION, "version", false, f_st_ver },
};

static int e_state(struct dec *d, void *elem)
{
	return dec_map(d, state_fields, ARRAY_SIZE(state_fields), elem);
}

static int cmp_state(const void *a, const void *b)
{
	const struct klpb_state *sa = a, *sb = b;

	return sa->id < sb->id ? -1 : sa->id > sb->id;
}

static int f_c_name(struct dec *d, void *obj)
{
	struct klpb_core *core = obj;

	return dec_text(d, check_name, &core->name);
}

static int f_c_version(struct dec *d, void *obj)
{
	struct klpb_core *core = obj;

	return dec_uint(d, &core->version);
}

static int f_c_lineage(struct dec *d, void *obj)
{
	struct klpb_core *core = obj;

	return dec_fixed(d, core->lineage, KLPB_LINEAGE_LEN);
}

static int f_c_desc(struct dec *d, void *obj)
{
	struct klpb_core *core = obj;

	return dec_text(d, check_description, &core->description);
}

static int f_c_replace(struct dec *d, void *obj)
{
	struct klpb_core *core = obj;

	return dec_bool(d, &core->replace);
}

static int f_c_requires(struct dec *d, void *obj)
{
	struct klpb_core *core = obj;

	return LIST(d, 0, KLPB_MAX_DEPS, e_dep, cmp_dep, &core->requires, &core->n_requires);
}

static int f_c_conflicts(struct dec *d, void *obj)
{
	struct klpb_core *core = obj;

	return LIST(d, 0, KLPB_MAX_DEPS, e_dep, cmp_dep, &core->conflicts, &core->n_conflicts);
}

static int f_c_prov(struct dec *d, void *obj)
{
	struct klpb_core *core = obj;

	return dec_map(d, prov_fields, ARRAY_SIZE(prov_fields), &core->provenance);
}

/* Two targets for the same kernel build (release and vmlinux build-id) are an error. */
static int check_unique_targets(struct dec *d, size_t at, const struct klpb_core *core)
{
	for (size_t i = 1; i < core->n_targets; i++) {
		const struct klpb_target *t = &core->targets[i];

		for (size_t j = 0; j < i; j++)
			if (strcmp(t->kernel_release, core->targets[j].kernel_release) == 0 &&
			    memcmp(t->vmlinux_build_id, core->targets[j].vmlinux_build_id,
				   KLPB_BUILD_ID_LEN) == 0)
				return derr(
					d, at, -EBADMSG,
					"targets[%zu] is the kernel build of targets[%zu] (release '%s', same vmlinux build-id)",
					i, j, t->kernel_release);
	}
	return 0;
}

static int f_c_targets(struct dec *d, void *obj)
{
	struct klpb_core *core = obj;
	size_t at = d->off;
	int rc = LIST(d, 1, KLPB_MAX_TARGETS, e_target, NULL, &core->targets, &core->n_targets);

	return rc < 0 ? rc : check_unique_targets(d, at, core);
}

/*
 * Each target's functions and symbols are some of core.objects' (indices
 * in range), and each function is some target's: core.objects is the
 * union of the targets'.
 */
static int check_union(struct dec *d, size_t at, const struct klpb_core *core)
{
	uint64_t n_funcs = 0, n_syms = 0;

	for (size_t i = 0; i < core->n_objects; i++) {
		n_funcs += core->objects[i].n_funcs;
		n_syms += core->objects[i].n_symbols;
	}
	for (size_t i = 0; i < core->n_targets; i++) {
		const struct klpb_target *t = &core->targets[i];

		if (t->n_funcs && t->funcs[t->n_funcs - 1] >= n_funcs)
			return derr(d, at, -EBADMSG,
				    "targets[%zu].funcs names function %llu, objects has %llu", i,
				    (unsigned long long)t->funcs[t->n_funcs - 1],
				    (unsigned long long)n_funcs);
		if (t->n_symbols && t->symbols[t->n_symbols - 1] >= n_syms)
			return derr(d, at, -EBADMSG,
				    "targets[%zu].symbols names symbol %llu, objects has %llu", i,
				    (unsigned long long)t->symbols[t->n_symbols - 1],
				    (unsigned long long)n_syms);
	}
	for (uint64_t f = 0; f < n_funcs; f++) {
		size_t i;

		for (i = 0; i < core->n_targets && !klpb_target_has_func(&core->targets[i], f); i++)
			;
		if (i == core->n_targets)
			return derr(
				d, at, -EBADMSG,
				"function %llu is in no target's funcs (objects is the union of the targets')",
				(unsigned long long)f);
	}
	return 0;
}

static int f_c_objects(struct dec *d, void *obj)
{
	struct klpb_core *core = obj;
	size_t at = d->off;
	int rc = LIST(d, 0, KLPB_MAX_OBJECTS, e_object, cmp_object, &core->objects,
		      &core->n_objects);

	return rc < 0 ? rc : check_union(d, at, core);
}

static int f_c_states(struct dec *d, void *obj)
{
	struct klpb_core *core = obj;

	return LIST(d, 0, KLPB_MAX_STATES, e_state, cmp_state, &core->states, &core->n_states);
}

static const struct field core_fields[] = {
	{ KLPB_KEY_CORE_NAME, "name", false, f_c_name },
	{ KLPB_KEY_CORE_VERSION, "version", false, f_c_version },
	{ KLPB_KEY_CORE_LINEAGE, "lineage", false, f_c_lineage },
	{ KLPB_KEY_CORE_DESCRIPTION, "description", false, f_c_desc },
	{ KLPB_KEY_CORE_REPLACE, "replace", false, f_c_replace },
	{ KLPB_KEY_CORE_REQUIRES, "requires", false, f_c_requires },
	{ KLPB_KEY_CORE_CONFLICTS, "conflicts", false, f_c_conflicts },
	{ KLPB_KEY_CORE_PROVENANCE, "provenance", false, f_c_prov },
	{ KLPB_KEY_CORE_TARGETS, "targets", false, f_c_targets },
	{ KLPB_KEY_CORE_OBJECTS, "objects", false, f_c_objects },
	{ KLPB_KEY_CORE_STATES, "states", false, f_c_states },
};

/* ---- manifest ---- */

struct version {
	uint64_t major, minor;
};

static int dec_version(struct dec *d, struct version *v)
{
	struct klpb_cbor_head h;
	size_t at;
	int rc = dec_expect(d, KLPB_CBOR_MAJOR_ARRAY, &h, &at);

	if (rc < 0)
		return rc;
	if (h.arg != 2)
		return derr(d, at, -EBADMSG, "must be [major, minor]");
	rc = dec_uint(d, &v->major);
	return rc < 0 ? rc : dec_uint(d, &v->minor);
}

struct manifest_ctx {
	struct klpb_bundle *b;
	struct version v;
	size_t core_at; /* region offset of the core's content */
	struct klpb_payload_desc *pd;
};

static int f_m_version(struct dec *d, void *obj)
{
	struct manifest_ctx *m = obj;

	return dec_version(d, &m->v);
}

static int f_m_core(struct dec *d, void *obj)
{
	struct manifest_ctx *m = obj;
	size_t at;
	int rc = dec_bytes(d, &m->b->core_bytes, &at);

	m->core_at = d->off - m->b->core_bytes.len;
	return rc;
}

static int f_p_target(struct dec *d, void *obj)
{
	struct klpb_payload_desc *pd = obj;

	return dec_uint(d, &pd->target);
}

static int f_p_comp(struct dec *d, void *obj)
{
	struct klpb_payload_desc *pd = obj;
	size_t at = d->off;
	uint64_t v;
	int rc = dec_uint(d, &v);

	if (rc < 0)
		return rc;
	if (v > KLPB_COMPRESSION_ZSTD)
		return derr(d, at, -EBADMSG, "unknown compression %llu", (unsigned long long)v);
	pd->compression = v;
	return 0;
}

static int dec_size(struct dec *d, uint64_t *v)
{
	size_t at = d->off;
	int rc = dec_uint(d, v);

	if (rc == 0 && *v > KLPB_MAX_PAYLOAD)
		return derr(d, at, -EFBIG, "%llu bytes, at most %llu allowed",
			    (unsigned long long)*v, KLPB_MAX_PAYLOAD);
	return rc;
}

static int f_p_csize(struct dec *d, void *obj)
{
	struct klpb_payload_desc *pd = obj;

	return dec_size(d, &pd->compressed_size);
}

static int f_p_size(struct dec *d, void *obj)
{
	struct klpb_payload_desc *pd = obj;

	return dec_size(d, &pd->size);
}

static int f_p_sha(struct dec *d, void *obj)
{
	struct klpb_payload_desc *pd = obj;

	return dec_fixed(d, pd->sha256, KLPB_SHA256_LEN);
}

static const struct field pd_fields[] = {
	{ KLPB_KEY_PAYLOAD_TARGET, "target", false, f_p_target },
	{ KLPB_KEY_PAYLOAD_COMPRESSION, "compression", false, f_p_comp },
	{ KLPB_KEY_PAYLOAD_COMPRESSED_SIZE, "compressed_size", false, f_p_csize },
	{ KLPB_KEY_PAYLOAD_SIZE, "size", false, f_p_size },
	{ KLPB_KEY_PAYLOAD_SHA256, "sha256", false, f_p_sha },
};

static int e_pd(struct dec *d, void *elem)
{
	struct klpb_payload_desc *pd = elem;
	size_t at = d->off;
	int rc = dec_map(d, pd_fields, ARRAY_SIZE(pd_fields), pd);

	if (rc < 0)
		return rc;
	if (pd->compression == KLPB_COMPRESSION_NONE && pd->compressed_size != pd->size)
		return derr(d, at, -EBADMSG,
			    "compressed_size differs from size without compression");
	return 0;
}

static int f_m_payloads(struct dec *d, void *obj)
{
	struct manifest_ctx *m = obj;
	size_t at = d->off;
	int rc = LIST(d, 1, KLPB_MAX_TARGETS, e_pd, NULL, &m->pd, &m->b->n_payloads);

	if (rc < 0)
		return rc;
	m->b->payloads = m->pd;
	for (size_t i = 0; i < m->b->n_payloads; i++)
		if (m->pd[i].target != i)
			return derr(d, at, -EBADMSG, "payloads[%zu].target is %llu, must be %zu", i,
				    (unsigned long long)m->pd[i].target, i);
	return 0;
}

static const struct field manifest_fields[] = {
	{ KLPB_KEY_MANIFEST_VERSION, "version", false, f_m_version },
	{ KLPB_KEY_MANIFEST_CORE, "core", false, f_m_core },
	{ KLPB_KEY_MANIFEST_PAYLOADS, "payloads", false, f_m_payloads },
};

/* ---- container ---- */

struct container_ctx {
	struct klpb_bundle *b;
	struct version v;
	size_t manifest_at; /* file offset of the manifest bytes */
	size_t payloads_at, sources_at;
	struct klpb_bytes *payloads, *sources;
	size_t n_payloads;
};

static int f_k_version(struct dec *d, void *obj)
{
	struct container_ctx *c = obj;

	return dec_version(d, &c->v);
}

static int f_k_manifest(struct dec *d, void *obj)
{
	struct container_ctx *c = obj;
	size_t at;
	int rc = dec_bytes(d, &c->b->manifest, &at);

	if (rc == 0 && c->b->manifest.len > KLPB_MAX_MANIFEST)
		return derr(d, at, -EFBIG, "larger than %llu bytes", KLPB_MAX_MANIFEST);
	c->manifest_at = d->base + d->off - c->b->manifest.len;
	return rc;
}

static int e_blob(struct dec *d, void *elem)
{
	size_t at;

	return dec_bytes(d, elem, &at);
}

static int e_source(struct dec *d, void *elem)
{
	struct klpb_bytes *source = elem;
	size_t at;
	int rc = dec_bytes(d, source, &at);

	if (rc == 0 && source->len > KLPB_MAX_SOURCE_SIZE)
		return derr(d, at, -EFBIG, "larger than %llu bytes", KLPB_MAX_SOURCE_SIZE);
	return rc;
}

static int f_k_payloads(struct dec *d, void *obj)
{
	struct container_ctx *c = obj;

	c->payloads_at = d->off;
	return LIST(d, 1, KLPB_MAX_TARGETS, e_blob, NULL, &c->payloads, &c->n_payloads);
}

static int f_k_sources(struct dec *d, void *obj)
{
	struct container_ctx *c = obj;

	c->sources_at = d->off;
	return LIST(d, 1, KLPB_MAX_SOURCES, e_source, NULL, &c->sources, &c->b->n_sources);
}

static int dec_null(struct dec *d)
{
	struct klpb_cbor_head h;
	size_t at = d->off;
	int rc = dec_head(d, &h);

	if (rc == 0 && (h.major != KLPB_CBOR_MAJOR_SIMPLE || h.ai != KLPB_CBOR_NULL))
		return derr(d, at, -EBADMSG, "expected null (detached payload)");
	return rc;
}

static int e_sig(struct dec *d, void *elem)
{
	static const uint8_t prefix[] = { 0xa2, 0x01, 0x27, 0x04, 0x58, 0x20 };
	struct klpb_signature *s = elem;
	struct klpb_cbor_head h;
	size_t at, old;
	int rc = dec_expect(d, KLPB_CBOR_MAJOR_TAG, &h, &at);

	if (rc < 0)
		return rc;
	if (h.arg != COSE_TAG_SIGN1)
		return derr(d, at, -EBADMSG, "expected tag 18 (COSE_Sign1)");
	rc = dec_expect(d, KLPB_CBOR_MAJOR_ARRAY, &h, &at);
	if (rc < 0)
		return rc;
	if (h.arg != 4)
		return derr(d, at, -EBADMSG, "COSE_Sign1 must have 4 entries");
	old = path_push(d, ".protected");
	rc = dec_bytes(d, &s->protected_hdr, &at);
	if (rc < 0)
		return rc;
	rc = validate_region(V_PROTECTED, s->protected_hdr.data, s->protected_hdr.len,
			     d->base + d->off - s->protected_hdr.len, d->path, d->err);
	if (rc < 0)
		return rc;
	if (s->protected_hdr.len != COSE_PROTECTED_LEN ||
	    memcmp(s->protected_hdr.data, prefix, sizeof(prefix)))
		return derr(d, at, -EBADMSG, "must be exactly {1: -8, 4: kid (32 bytes)}");
	memcpy(s->kid, s->protected_hdr.data + sizeof(prefix), KLPB_KID_LEN);
	path_pop(d, old);
	old = path_push(d, ".unprotected");
	rc = dec_expect(d, KLPB_CBOR_MAJOR_MAP, &h, &at);
	if (rc == 0 && h.arg)
		rc = derr(d, at, -EBADMSG, "must be empty");
	if (rc < 0)
		return rc;
	path_pop(d, old);
	old = path_push(d, ".payload");
	rc = dec_null(d);
	if (rc < 0)
		return rc;
	path_pop(d, old);
	old = path_push(d, ".signature");
	rc = dec_fixed(d, s->sig, KLPB_SIG_LEN);
	if (rc < 0)
		return rc;
	path_pop(d, old);
	return 0;
}

static int cmp_sig(const void *a, const void *b)
{
	const struct klpb_signature *sa = a, *sb = b;

	return memcmp(sa->kid, sb->kid, KLPB_KID_LEN);
}

static int f_k_sigs(struct dec *d, void *obj)
{
	struct container_ctx *c = obj;

	return LIST(d, 0, KLPB_MAX_SIGNATURES, e_sig, cmp_sig, &c->b->sigs, &c->b->n_sigs);
}

static const struct field container_fields[] = {
	{ KLPB_KEY_CONTAINER_VERSION, "version", false, f_k_version },
	{ KLPB_KEY_CONTAINER_MANIFEST, "manifest", false, f_k_manifest },
	{ KLPB_KEY_CONTAINER_PAYLOADS, "payloads", false, f_k_payloads },
	{ KLPB_KEY_CONTAINER_SOURCES, "sources", true, f_k_sources },
	{ KLPB_KEY_CONTAINER_SIGNATURES, "signatures", false, f_k_sigs },
};

/* ---- load ---- */

/*
 * Find the container's version before strict validation, so that a future
 * major version is reported as such even if it would not validate.
 */
static int peek_version(const uint8_t *buf, size_t len, struct klpb_error *err)
{
	struct klpb_cbor_head h;
	size_t off = KLPB_MAGIC_LEN;

	if (klpb_cbor_read_head(buf, len, off, &h) || h.major != KLPB_CBOR_MAJOR_MAP || !h.arg)
		return 0;
	off += h.hlen;
	if (klpb_cbor_read_head(buf, len, off, &h) || h.major != KLPB_CBOR_MAJOR_UINT ||
	    h.arg != KLPB_KEY_CONTAINER_VERSION)
		return 0;
	off += h.hlen;
	if (klpb_cbor_read_head(buf, len, off, &h) || h.major != KLPB_CBOR_MAJOR_ARRAY ||
	    h.arg != 2)
		return 0;
	off += h.hlen;
	if (klpb_cbor_read_head(buf, len, off, &h) || h.major != KLPB_CBOR_MAJOR_UINT)
		return 0;
	if (h.arg != KLPB_FORMAT_MAJOR)
		return klpb_set_error(err, -EPROTONOSUPPORT, true, off, "version",
				      "unsupported format version %llu.x (this reader reads %d.x)",
				      (unsigned long long)h.arg, KLPB_FORMAT_MAJOR);
	return 0;
}

static int check_magic(const uint8_t *buf, size_t len, struct klpb_error *err)
{
	size_t n = len < KLPB_MAGIC_LEN ? len : KLPB_MAGIC_LEN;

	if (memcmp(buf, KLPB_MAGIC, n))
		return klpb_set_error(err, -EBADMSG, true, 0, "magic",
				      "not a klp-bundle file (bad magic)");
	if (len < KLPB_MAGIC_LEN)
		return klpb_set_error(err, -EBADMSG, true, len, "magic", "file truncated");
	if (len == KLPB_MAGIC_LEN)
		return klpb_set_error(err, -EBADMSG, true, len, "container",
				      "file truncated after the magic");
	return 0;
}

static void dec_init(struct dec *d, const uint8_t *buf, size_t len, size_t base,
		     struct klpb_bundle *b, const char *path, struct klpb_error *err)
{
	memset(d, 0, sizeof(*d));
	d->buf = buf;
	d->len = len;
	d->base = base;
	d->err = err;
	d->a = b->priv->arena;
	d->lenient = b->minor > KLPB_FORMAT_MINOR;
	d->minor = b->minor;
	snprintf(d->path, sizeof(d->path), "%s", path);
	d->plen = strlen(d->path);
}

static int load_core(struct klpb_bundle *b, size_t at, struct klpb_error *err)
{
	struct dec d;
	int rc = validate_region(V_CORE, b->core_bytes.data, b->core_bytes.len, at, "manifest.core",
				 err);

	if (rc < 0)
		return rc;
	dec_init(&d, b->core_bytes.data, b->core_bytes.len, at, b, "manifest.core", err);
	return dec_map(&d, core_fields, ARRAY_SIZE(core_fields), &b->core);
}

static int load_manifest(struct klpb_bundle *b, const struct container_ctx *c,
			 struct klpb_error *err)
{
	struct manifest_ctx m = { .b = b };
	struct dec d;
	int rc = validate_region(V_MANIFEST, b->manifest.data, b->manifest.len, c->manifest_at,
				 "manifest", err);

	if (rc < 0)
		return rc;
	dec_init(&d, b->manifest.data, b->manifest.len, c->manifest_at, b, "manifest", err);
	rc = dec_map(&d, manifest_fields, ARRAY_SIZE(manifest_fields), &m);
	if (rc < 0)
		return rc;
	if (m.v.major != c->v.major || m.v.minor != c->v.minor)
		return klpb_set_error(err, -EBADMSG, true, c->manifest_at, "manifest.version",
				      "%llu.%llu differs from the container's %u.%u",
				      (unsigned long long)m.v.major, (unsigned long long)m.v.minor,
				      b->major, b->minor);
	return load_core(b, c->manifest_at + m.core_at, err);
}

/* The cross-structure rules: counts and sizes that must agree. */
static int check_consistency(struct klpb_bundle *b, const struct container_ctx *c,
			     struct klpb_error *err)
{
	if (c->n_payloads != b->n_payloads)
		return klpb_set_error(err, -EBADMSG, true, KLPB_MAGIC_LEN + c->payloads_at,
				      "payloads", "%zu payloads, the manifest describes %zu",
				      c->n_payloads, b->n_payloads);
	if (b->n_payloads != b->core.n_targets)
		return klpb_set_error(err, -EBADMSG, true, b->manifest.data - b->file,
				      "manifest.payloads", "%zu payloads for %zu targets",
				      b->n_payloads, b->core.n_targets);
	for (size_t i = 0; i < b->n_payloads; i++)
		if (b->payloads[i].compressed_size != c->payloads[i].len)
			return klpb_set_error(err, -EBADMSG, true, c->payloads[i].data - b->file,
					      "payloads",
					      "payload %zu is %zu bytes, the manifest says %llu", i,
					      c->payloads[i].len,
					      (unsigned long long)b->payloads[i].compressed_size);
	if (c->sources && b->n_sources != b->core.provenance.n_sources)
		return klpb_set_error(err, -EBADMSG, true, KLPB_MAGIC_LEN + c->sources_at,
				      "sources", "%zu sources, the manifest lists %zu",
				      b->n_sources, b->core.provenance.n_sources);
	return 0;
}

static int read_first_version(struct dec *d, struct version *v)
{
	struct klpb_cbor_head h;
	uint64_t k;
	size_t at;

	if (dec_expect(d, KLPB_CBOR_MAJOR_MAP, &h, &at) || !h.arg || dec_uint(d, &k) ||
	    k != KLPB_KEY_CONTAINER_VERSION)
		return -EBADMSG;
	return dec_version(d, v);
}

static int load_container(struct klpb_bundle *b, struct klpb_error *err)
{
	struct container_ctx c = { .b = b };
	struct dec d;
	int rc;

	/* The version comes first: read it to decide on unknown keys. */
	dec_init(&d, b->file + KLPB_MAGIC_LEN, b->file_len - KLPB_MAGIC_LEN, KLPB_MAGIC_LEN, b, "",
		 err);
	if (read_first_version(&d, &c.v) == 0) {
		b->major = c.v.major;
		b->minor = c.v.minor;
	}
	dec_init(&d, b->file + KLPB_MAGIC_LEN, b->file_len - KLPB_MAGIC_LEN, KLPB_MAGIC_LEN, b, "",
		 err);
	rc = dec_map(&d, container_fields, ARRAY_SIZE(container_fields), &c);
	if (rc < 0)
		return rc;
	if (c.v.major != KLPB_FORMAT_MAJOR)
		return klpb_set_error(err, -EPROTONOSUPPORT, true, KLPB_MAGIC_LEN, "version",
				      "unsupported format version %llu.%llu",
				      (unsigned long long)c.v.major, (unsigned long long)c.v.minor);
	b->major = c.v.major;
	b->minor = c.v.minor;
	b->payload_data = c.payloads;
	b->sources = c.sources;
	rc = load_manifest(b, &c, err);
	return rc < 0 ? rc : check_consistency(b, &c, err);
}

int klpb_bundle_load(const void *buf, size_t len, struct klpb_bundle **out, struct klpb_error *err)
{
	struct klpb_bundle *b;
	int rc;

	*out = NULL;
	if (!buf && len)
		return klpb_set_error(err, -EINVAL, false, 0, "", "no buffer");
	if (!len)
		return klpb_set_error(err, -EBADMSG, true, 0, "magic", "empty file");
	rc = check_magic(buf, len, err);
	if (rc == 0)
		rc = peek_version(buf, len, err);
	if (rc == 0)
		rc = validate_region(V_CONTAINER, (const uint8_t *)buf + KLPB_MAGIC_LEN,
				     len - KLPB_MAGIC_LEN, KLPB_MAGIC_LEN, "container", err);
	if (rc < 0)
		return rc;
	b = calloc(1, sizeof(*b));
	if (!b)
		return -ENOMEM;
	b->priv = calloc(1, sizeof(*b->priv));
	if (!b->priv || !(b->priv->arena = arena_new())) {
		klpb_bundle_free(b);
		return -ENOMEM;
	}
	b->file = buf;
	b->file_len = len;
	rc = load_container(b, err);
	if (rc < 0) {
		klpb_bundle_free(b);
		return rc == -ENOMEM ? klpb_set_error(err, rc, false, 0, "", "out of memory") : rc;
	}
	*out = b;
	return 0;
}

void klpb_bundle_free(struct klpb_bundle *b)
{
	if (!b)
		return;
	if (b->priv) {
		arena_free(b->priv->arena);
		free(b->priv->owned);
		free(b->priv);
	}
	free(b);
}

/* For the signer: the arena of @b. */
struct arena *bundle_arena(struct klpb_bundle *b)
{
	return b->priv->arena;
}

/* Decode and check a core on its own (the encoder's check); for format/ only. */
int core_decode(const uint8_t *buf, size_t len, struct arena *a, struct klpb_core *out,
		struct klpb_error *err)
{
	struct dec d = { .buf = buf, .len = len, .err = err, .a = a, .minor = KLPB_FORMAT_MINOR };
	int rc = validate_region(V_CORE, buf, len, 0, "core", err);

	if (rc < 0)
		return rc;
	memset(out, 0, sizeof(*out));
	snprintf(d.path, sizeof(d.path), "core");
	d.plen = 4;
	return dec_map(&d, core_fields, ARRAY_SIZE(core_fields), out);
}
