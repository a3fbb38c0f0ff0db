// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * sources.c - create's inputs: the patch sources (--base's, then the SOURCE
 * files, which replace any of the same name) and the declarations found in
 * them (decls.c).
 */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "common/bundle-io.h"
#include "create/stages.h"
#include "sys/kernel-info.h"
#include "util/file.h"

static bool valid_source_name(const char *n)
{
	size_t len = strlen(n);

	if (len < 3 || len > KLPB_MAX_SOURCE_NAME || n[0] == '.' || strncmp(n, "klpb_", 5) == 0)
		return false;
	for (const char *p = n; *p; p++)
		if (!isalnum((unsigned char)*p) && !strchr("_.-", *p))
			return false;
	return strcmp(n + len - 2, ".c") == 0 || strcmp(n + len - 2, ".h") == 0 ||
	       create_is_patch_name(n);
}

/* Add (or replace, by name) a source. @data is [owned] by the state from now on. */
static int add_source(struct klpb_ctx *ctx, struct create_state *st, const char *name,
		      uint8_t *data, size_t len)
{
	struct source_file *v;

	if (!valid_source_name(name)) {
		free(data);
		return usage_err(
			ctx,
			"source '%s': names are [A-Za-z0-9_.-] ending in .c or .h (a diff: .patch or .diff), not starting with '.' or 'klpb_'",
			name);
	}
	for (size_t i = 0; i < st->n_sources; i++) {
		if (strcmp(st->sources[i].name, name) == 0) {
			free(st->sources[i].data);
			st->sources[i].data = data;
			st->sources[i].len = len;
			return 0;
		}
	}
	v = realloc(st->sources, (st->n_sources + 1) * sizeof(*v));
	if (!v) {
		free(data);
		return -ENOMEM;
	}
	st->sources = v;
	v[st->n_sources] = (struct source_file){ strdup(name), data, len };
	if (!v[st->n_sources].name)
		return -ENOMEM;
	st->n_sources++;
	return 0;
}

static int read_source_files(struct klpb_ctx *ctx, struct create_state *st,
			     const struct strv *paths, const char *what)
{
	for (size_t i = 0; i < paths->n; i++) {
		const char *path = paths->v[i], *base = strrchr(path, '/');
		uint8_t *data;
		size_t len;
		int rc = read_file(path, &data, &len);

		if (rc) {
			p_err(ctx, rc, "cannot read %s '%s': %s", what, path, strerror(-rc));
			return rc;
		}
		rc = add_source(ctx, st, base ? base + 1 : path, data, len);
		if (rc)
			return rc;
	}
	return 0;
}

int create_read_sources(struct klpb_ctx *ctx, struct create_state *st)
{
	int rc = read_source_files(ctx, st, &st->opts->sources, "source");

	return rc ? rc : read_source_files(ctx, st, &st->opts->patches, "diff");
}

/* --base's name and version against the options'; usage errors reported. */
static int check_base(struct klpb_ctx *ctx, const struct create_opts *o,
		      const struct klpb_bundle *b)
{
	if (!b->sources) {
		p_err(ctx, -ENODATA, "'%s' has no embedded sources: cannot build a successor",
		      o->base);
		return -ENODATA;
	}
	if (o->version <= b->core.version)
		return usage_err(ctx, "version %" PRIu64 " is not higher than --base's %" PRIu64,
				 o->version, b->core.version);
	if (strcmp(b->core.name, o->name) != 0)
		return usage_err(ctx, "--base is bundle '%s', not '%s'", b->core.name, o->name);
	return 0;
}

/* --base: its lineage and sources; verified (digests) first. */
int create_read_base(struct klpb_ctx *ctx, struct create_state *st)
{
	const struct create_opts *o = st->opts;
	struct klpb_verify_result res;
	struct klpb_error ferr = { 0 };
	struct klpb_bundle *b = NULL;
	struct mapped_file m;
	int rc = open_bundle(ctx, o->base, &m, &b);

	if (rc)
		return rc;
	rc = klpb_bundle_verify(b, NULL, 0, &res, &ferr);
	if (rc)
		report_format_error(ctx, o->base, rc, &ferr);
	else
		rc = check_base(ctx, o, b);
	memcpy(st->lineage, b->core.lineage, KLPB_LINEAGE_LEN);
	for (size_t i = 0; !rc && i < b->n_sources; i++) {
		uint8_t *copy = malloc(b->sources[i].len ? b->sources[i].len : 1);

		if (!copy) {
			rc = -ENOMEM;
			break;
		}
		memcpy(copy, b->sources[i].data, b->sources[i].len);
		rc = add_source(ctx, st, b->core.provenance.sources[i].name, copy,
				b->sources[i].len);
	}
	klpb_bundle_free(b);
	unmap_file(&m);
	return rc;
}

int create_scan_decls(struct klpb_ctx *ctx, struct create_state *st)
{
	int rc;

	for (size_t i = 0; i < st->n_sources; i++) {
		if (create_is_patch_name(st->sources[i].name))
			continue;
		rc = decls_scan(ctx, &st->decls, st->sources[i].name,
				(const char *)st->sources[i].data, st->sources[i].len);
		if (rc)
			return rc;
	}
	if (st->decls.n_funcs == 0 && !create_has_patches(st)) {
		p_err(ctx, -EINVAL, "the sources declare no replaced function (KLPB_PATCH_FUNC)");
		return -EINVAL;
	}
	rc = decls_objects(&st->decls, &st->objects, &st->n_objects);
	if (!rc) /* the format lists objects by name */
		create_sort(st->objects, st->n_objects, sizeof(*st->objects), create_cmp_strp);
	return rc;
}
