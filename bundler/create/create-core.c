// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * create-core.c - the core manifest klp-bundle create writes (and embeds in
 * every transaction module), and the runtime's descriptor (klpb_desc.h).
 */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "create/stages.h"
#include "util/hex.h"

int create_parse_u64(const char *s, uint64_t max, uint64_t *out)
{
	char *end;

	errno = 0;
	if (!isdigit((unsigned char)*s))
		return -EINVAL;
	*out = strtoull(s, &end, 10);
	return errno || *end || *out > max ? -EINVAL : 0;
}

int create_cmp_strp(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static int cmp_source(const void *a, const void *b)
{
	return strcmp(((const struct source_file *)a)->name, ((const struct source_file *)b)->name);
}

static int cmp_dep(const void *a, const void *b)
{
	return strcmp(((const struct klpb_dep *)a)->name, ((const struct klpb_dep *)b)->name);
}

/* "NAME", "NAME=V", "NAME>=MIN", "NAME<=MAX", "NAME>=MIN,<=MAX"; [owned] d->name. */
static int parse_dep(const char *spec, struct klpb_dep *d)
{
	size_t n = strcspn(spec, "<>=,");
	const char *p = spec + n;

	if (n == 0 || n > KLPB_MAX_NAME)
		return -EINVAL;
	*d = (struct klpb_dep){ .name = strndup(spec, n) };
	if (!d->name)
		return -ENOMEM;
	while (*p) {
		char num[24], op;
		uint64_t v;
		size_t k;

		if (*p == ',')
			p++;
		if (strncmp(p, ">=", 2) != 0 && strncmp(p, "<=", 2) != 0 && *p != '=')
			return -EINVAL;
		op = *p;
		p += op == '=' ? 1 : 2;
		k = strcspn(p, ",");
		if (k == 0 || k >= sizeof(num))
			return -EINVAL;
		memcpy(num, p, k);
		num[k] = '\0';
		if (create_parse_u64(num, UINT64_MAX, &v))
			return -EINVAL;
		if (op != '<')
			d->min_version = v;
		if (op != '>') {
			d->has_max = true;
			d->max_version = v;
		}
		p += k;
	}
	return d->has_max && d->max_version < d->min_version ? -EINVAL : 0;
}

int create_parse_deps(struct klpb_ctx *ctx, const struct strv *specs, const char *opt,
		      struct klpb_dep **out, size_t *n)
{
	*out = calloc(specs->n ? specs->n : 1, sizeof(**out));
	if (!*out)
		return -ENOMEM;
	*n = specs->n;
	for (size_t i = 0; i < specs->n; i++)
		if (parse_dep(specs->v[i], &(*out)[i]) == -EINVAL)
			return usage_err(
				ctx,
				"%s '%s': use NAME, NAME=V, NAME>=MIN, NAME<=MAX or NAME>=MIN,<=MAX",
				opt, specs->v[i]);
	return 0;
}

int create_make_lineage(struct klpb_ctx *ctx, struct create_state *st)
{
	const struct create_opts *o = st->opts;
	uint8_t md[KLPB_SHA256_LEN];
	char seed[128];

	if (o->lineage_hex) {
		if (hex_decode(o->lineage_hex, st->lineage, KLPB_LINEAGE_LEN))
			return usage_err(ctx, "--lineage needs %d hex digits, not '%s'",
					 2 * KLPB_LINEAGE_LEN, o->lineage_hex);
		return 0;
	}
	snprintf(seed, sizeof(seed), "klp-bundle lineage %s", o->name);
	klpb_sha256(seed, strlen(seed), md);
	memcpy(st->lineage, md, KLPB_LINEAGE_LEN);
	return 0;
}

/* The livepatch module's name: klpb_NAME_vVERSION, shortened with a hash past 55. */
static void module_name(const char *name, uint64_t version, char out[KLPB_MAX_NAME + 1])
{
	char full[128], hash[9];
	uint8_t md[KLPB_SHA256_LEN];
	int n;

	n = snprintf(full, sizeof(full), "klpb_%s_v%" PRIu64, name, version);
	if (n > KLPB_MAX_NAME) {
		int suffix = snprintf(NULL, 0, "_v%" PRIu64, version);

		klpb_sha256(name, strlen(name), md);
		hex_encode(md, 4, hash);
		snprintf(full, sizeof(full), "klpb_%.*s_%s_v%" PRIu64,
			 KLPB_MAX_NAME - 5 - 9 - suffix, name, hash, version);
	}
	memcpy(out, full, KLPB_MAX_NAME);
	out[KLPB_MAX_NAME] = '\0';
}

/* The id the runtime gives the lineage's klp_state (kernel/klpb_core.c). */
static uint64_t lineage_state_id(const char *lineage_hex)
{
	uint32_t h = 2166136261u;

	for (const char *p = lineage_hex; *p; p++) {
		h ^= (uint8_t)*p;
		h *= 16777619u;
	}
	return 0x4b4c504200000000ull | h;
}

static uint64_t creation_time(void)
{
	const char *sde = getenv("SOURCE_DATE_EPOCH");
	uint64_t t;

	if (sde && create_parse_u64(sde, UINT64_MAX, &t) == 0)
		return t;
	return (uint64_t)time(NULL);
}

static int make_objects(struct create_state *st)
{
	st->core_objects = calloc(st->n_objects, sizeof(*st->core_objects));
	st->core_funcs = calloc(st->n_objects, sizeof(*st->core_funcs));
	st->core_syms = calloc(st->n_objects, sizeof(*st->core_syms));
	if (!st->core_objects || !st->core_funcs || !st->core_syms)
		return -ENOMEM;
	for (size_t i = 0; i < st->n_objects; i++) {
		struct klpb_object *obj = &st->core_objects[i];

		st->core_funcs[i] = calloc(st->decls.n_funcs + 1, sizeof(**st->core_funcs));
		st->core_syms[i] = calloc(st->decls.n_symrefs + 1, sizeof(**st->core_syms));
		if (!st->core_funcs[i] || !st->core_syms[i])
			return -ENOMEM;
		obj->symbols = st->core_syms[i];
		for (size_t j = 0; j < st->decls.n_symrefs; j++) {
			const struct patch_symref *r = &st->decls.symrefs[j];

			if (strcmp(r->object, st->objects[i]) == 0)
				st->core_syms[i][obj->n_symbols++] =
					(struct klpb_symref){ r->name, r->sympos };
		}
		obj->name = st->objects[i];
		obj->funcs = st->core_funcs[i];
		for (size_t j = 0; j < st->decls.n_funcs; j++) {
			const struct patch_func *f = &st->decls.funcs[j];

			if (strcmp(f->object, obj->name) != 0)
				continue;
			st->core_funcs[i][obj->n_funcs++] =
				(struct klpb_func){ f->old_name, f->sympos, f->new_name };
		}
	}
	st->core.objects = st->core_objects;
	st->core.n_objects = st->n_objects;
	return 0;
}

static int make_targets(struct create_state *st)
{
	st->core_targets = calloc(st->n_targets, sizeof(*st->core_targets));
	st->core_target_objects = calloc(st->n_targets, sizeof(*st->core_target_objects));
	if (!st->core_targets || !st->core_target_objects)
		return -ENOMEM;
	for (size_t i = 0; i < st->n_targets; i++) {
		const struct target *t = &st->targets[i];
		struct klpb_target *ct = &st->core_targets[i];

		st->core_target_objects[i] =
			calloc(t->n_mods + 1, sizeof(**st->core_target_objects));
		if (!st->core_target_objects[i])
			return -ENOMEM;
		ct->kernel_release = t->release;
		memcpy(ct->vmlinux_build_id, t->vmlinux_id.bytes, KLPB_BUILD_ID_LEN);
		ct->module_name = st->module_name;
		ct->objects = st->core_target_objects[i];
		ct->n_objects = t->n_mods;
		for (size_t j = 0; j < t->n_mods; j++) {
			st->core_target_objects[i][j].name = t->mods[j].name;
			memcpy(st->core_target_objects[i][j].build_id, t->mods[j].id.bytes,
			       KLPB_BUILD_ID_LEN);
		}
	}
	st->core.targets = st->core_targets;
	st->core.n_targets = st->n_targets;
	return 0;
}

int create_make_core(struct create_state *st)
{
	const struct create_opts *o = st->opts;
	char lineage_hex[2 * KLPB_LINEAGE_LEN + 1];
	struct klpb_core *c = &st->core;
	int rc;

	st->digests = calloc(st->n_sources, sizeof(*st->digests));
	st->source_bytes = calloc(st->n_sources, sizeof(*st->source_bytes));
	st->cves = calloc(o->cves.n ? o->cves.n : 1, sizeof(*st->cves));
	if (!st->digests || !st->source_bytes || !st->cves)
		return -ENOMEM;
	/* The format's order: sources and dependencies by name, CVE ids bytewise. */
	create_sort(st->sources, st->n_sources, sizeof(*st->sources), cmp_source);
	for (size_t i = 0; i < o->cves.n; i++)
		st->cves[i] = o->cves.v[i];
	create_sort(st->cves, o->cves.n, sizeof(*st->cves), create_cmp_strp);
	for (size_t i = 0; i < st->n_sources; i++) {
		st->digests[i].name = st->sources[i].name;
		klpb_sha256(st->sources[i].data, st->sources[i].len, st->digests[i].sha256);
		st->source_bytes[i] =
			(struct klpb_bytes){ st->sources[i].data, st->sources[i].len };
	}
	create_sort(st->requires, st->n_requires, sizeof(*st->requires), cmp_dep);
	create_sort(st->conflicts, st->n_conflicts, sizeof(*st->conflicts), cmp_dep);
	hex_encode(st->lineage, KLPB_LINEAGE_LEN, lineage_hex);
	module_name(o->name, o->version, st->module_name);
	st->state = (struct klpb_state){ lineage_state_id(lineage_hex), o->version };
	*c = (struct klpb_core){
		.name = o->name,
		.version = o->version,
		.description = o->description ? o->description : "",
		.replace = o->replace,
		.requires = st->requires,
		.n_requires = o->requires.n,
		.conflicts = st->conflicts,
		.n_conflicts = o->conflicts.n,
		.provenance = {
			.tool_version = KLPB_VERSION,
			.created = creation_time(),
			.sources = st->digests,
			.n_sources = st->n_sources,
			.cves = st->cves,
			.n_cves = o->cves.n,
		},
		.states = &st->state,
		.n_states = 1,
	};
	memcpy(c->lineage, st->lineage, KLPB_LINEAGE_LEN);
	rc = make_objects(st);
	if (!rc)
		rc = make_targets(st);
	return rc;
}

/* Is every one of the @n declarations in @has? */
static bool has_all(const bool *has, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!has[i])
			return false;
	return true;
}

/*
 * Target @t's index list of the core's functions (@symbols: symbols):
 * counted object by object as in core.objects, each object's in
 * declaration order (make_objects()).
 */
static int index_list(struct create_state *st, size_t t, bool symbols, uint64_t **out, size_t *n)
{
	size_t n_decls = symbols ? st->decls.n_symrefs : st->decls.n_funcs;
	const bool *has = symbols ? st->has_symref[t] : st->has_func[t];
	uint64_t index = 0;

	*n = 0;
	*out = calloc(n_decls + 1, sizeof(**out));
	if (!*out)
		return -ENOMEM;
	for (size_t i = 0; i < st->n_objects; i++)
		for (size_t j = 0; j < n_decls; j++) {
			const char *obj = symbols ? st->decls.symrefs[j].object :
						    st->decls.funcs[j].object;

			if (strcmp(obj, st->objects[i]) != 0)
				continue;
			if (has[j])
				(*out)[(*n)++] = index;
			index++;
		}
	return 0;
}

/* Does some target's module have declaration @j (a function, or @symref)? */
static bool some_target_has(const struct create_state *st, size_t j, bool symref)
{
	for (size_t t = 0; t < st->n_targets; t++)
		if (symref ? st->has_symref[t][j] : st->has_func[t][j])
			return true;
	return false;
}

/* A declaration that no target's module has: its #if excludes every target. */
static int check_some_target(struct klpb_ctx *ctx, const struct create_state *st)
{
	const char *why =
		"is compiled for none of the target kernels: check its #if, or add a kernel it is for";

	for (size_t j = 0; j < st->decls.n_funcs; j++)
		if (!some_target_has(st, j, false)) {
			p_err(ctx, -EINVAL, "%s:%u: KLPB_PATCH_FUNC of '%s' %s",
			      st->decls.funcs[j].file, st->decls.funcs[j].line,
			      st->decls.funcs[j].old_name, why);
			return -EINVAL;
		}
	for (size_t j = 0; j < st->decls.n_symrefs; j++)
		if (!some_target_has(st, j, true)) {
			p_err(ctx, -EINVAL, "%s:%u: KLPB_SYMBOL of '%s' %s",
			      st->decls.symrefs[j].file, st->decls.symrefs[j].line,
			      st->decls.symrefs[j].name, why);
			return -EINVAL;
		}
	return 0;
}

int create_target_lists(struct klpb_ctx *ctx, struct create_state *st)
{
	int rc = check_some_target(ctx, st), changed = 0;

	st->core_tfuncs = calloc(st->n_targets, sizeof(*st->core_tfuncs));
	st->core_tsyms = calloc(st->n_targets, sizeof(*st->core_tsyms));
	if (!rc && (!st->core_tfuncs || !st->core_tsyms))
		rc = -ENOMEM;
	for (size_t t = 0; !rc && t < st->n_targets; t++) {
		struct klpb_target *ct = &st->core_targets[t];

		ct->has_funcs = !has_all(st->has_func[t], st->decls.n_funcs);
		ct->has_symbols = !has_all(st->has_symref[t], st->decls.n_symrefs);
		if (ct->has_funcs)
			rc = index_list(st, t, false, &st->core_tfuncs[t], &ct->n_funcs);
		if (!rc && ct->has_symbols)
			rc = index_list(st, t, true, &st->core_tsyms[t], &ct->n_symbols);
		ct->funcs = st->core_tfuncs[t];
		ct->symbols = st->core_tsyms[t];
		changed |= ct->has_funcs || ct->has_symbols;
	}
	return rc ? rc : changed;
}

/* klpb_desc.h for target @t: the contract of kernel/bundle.kbuild. */
char *create_desc_text(const struct create_state *st, const struct target *t)
{
	char lineage_hex[2 * KLPB_LINEAGE_LEN + 1], id[2 * KLPB_BUILD_ID_LEN + 1];
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	if (!f)
		return NULL;
	hex_encode(st->core.lineage, KLPB_LINEAGE_LEN, lineage_hex);
	fprintf(f,
		"/* generated by klp-bundle create: the klp-bundle descriptor */\n"
		"#define KLPB_DESC_NAME \"%s\"\n"
		"#define KLPB_DESC_VERSION %" PRIu64 "U\n"
		"#define KLPB_DESC_LINEAGE \"%s\"\n"
		"#define KLPB_DESC_REPLACE %d\n"
		"#define KLPB_DESC_TARGETS \\\n",
		st->core.name, st->core.version, lineage_hex, st->core.replace ? 1 : 0);
	for (size_t i = 0; i < t->n_mods; i++) {
		hex_encode(t->mods[i].id.bytes, KLPB_BUILD_ID_LEN, id);
		fprintf(f, "\tKLPB_DESC_TARGET(\"%s\", \"%s\") \\\n", t->mods[i].name, id);
	}
	fputs("\t/* end */\n", f);
	if (fclose(f) != 0) {
		free(text);
		return NULL;
	}
	return text;
}
