// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * cmd-inspect.c - klp-bundle inspect: everything in a bundle's manifest,
 * human-readable or as one JSON document; and raw dumps of the signed
 * structures for independent verifiers (--dump-*).
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cmd/cmd.h"
#include "cmd/print.h"
#include "common/bundle-io.h"
#include "sys/modsig.h"
#include "util/hex.h"

static const char inspect_usage[] =
	"usage: klp-bundle inspect [OPTIONS] FILE\n\n"
	"Show everything a bundle's manifest says: name, version, dependencies,\n"
	"provenance, targets, payloads, patched functions, klp states, signatures.\n"
	"No digest or signature is checked: use 'klp-bundle verify'.\n\n"
	"options:\n"
	"  -h, --help           this text\n\n"
	"raw dumps (to stdout, for independent checks; not with --json):\n"
	"  --dump-core          the core bytes (as embedded in the livepatch module)\n"
	"  --dump-manifest      the manifest bytes (what signatures cover)\n"
	"  --dump-tbs N         signature N's COSE Sig_structure (the signed bytes)\n"
	"  --dump-sig N         signature N's raw 64-byte Ed25519 signature\n";

enum dump { DUMP_NONE, DUMP_CORE, DUMP_MANIFEST, DUMP_TBS, DUMP_SIG };

static void hex(const void *p, size_t n, char *out)
{
	hex_encode(p, n, out);
}

static void utc(uint64_t t, char *out, size_t n)
{
	time_t tt = (time_t)t;
	struct tm tm;

	if (t > (uint64_t)INT64_MAX / 2 || !gmtime_r(&tt, &tm) ||
	    !strftime(out, n, "%Y-%m-%dT%H:%M:%SZ", &tm))
		snprintf(out, n, "@%llu", (unsigned long long)t);
}

/* ---- plain ---- */

static void print_deps(const char *what, const struct klpb_dep *d, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (d[i].has_max)
			printf("%-12s %s %llu..%llu\n", what, d[i].name,
			       (unsigned long long)d[i].min_version,
			       (unsigned long long)d[i].max_version);
		else
			printf("%-12s %s >= %llu\n", what, d[i].name,
			       (unsigned long long)d[i].min_version);
	}
}

static void print_provenance(const struct klpb_bundle *b)
{
	const struct klpb_provenance *p = &b->core.provenance;
	char h[2 * KLPB_SHA256_LEN + 1], t[40];

	utc(p->created, t, sizeof(t));
	printf("%-12s %s\n", "tool:", p->tool_version);
	printf("%-12s %s (%llu)\n", "created:", t, (unsigned long long)p->created);
	for (size_t i = 0; i < p->n_sources; i++) {
		hex(p->sources[i].sha256, KLPB_SHA256_LEN, h);
		printf("%-12s %s sha256:%s%s\n", "source:", p->sources[i].name, h,
		       b->n_sources ? " (embedded)" : "");
	}
	for (size_t i = 0; i < p->n_cves; i++)
		printf("%-12s %s\n", "cve:", p->cves[i]);
}

/*
 * The signature of payload @i's module, for the kernel's module loader.
 * Returns "signed", "unsigned", or "unknown" when the payload does not
 * decompress (inspect checks no digest: 'verify' says what is wrong).
 */
static const char *payload_sig(const struct klpb_bundle *b, size_t i, struct module_sig *sig)
{
	struct klpb_error ferr = { 0 };
	struct klpb_buf ko = { 0 };
	int rc = klpb_payload_extract(b, i, &ko, &ferr);

	if (!rc)
		rc = module_sig_read(ko.data, ko.len, sig);
	klpb_buf_free(&ko);
	if (rc) {
		memset(sig, 0, sizeof(*sig));
		return "unknown";
	}
	return sig->is_signed ? "signed" : "unsigned";
}

/*
 * Target @t's functions and symbols of core object @o, whose first
 * function and symbol have the indices *@fi and *@si (klpb_target.funcs);
 * advances them.  Either callback may be NULL; returns how many there are.
 */
static size_t target_entries(const struct klpb_target *t, const struct klpb_object *o, uint64_t *fi,
			     uint64_t *si, void (*func)(void *, const struct klpb_func *),
			     void (*sym)(void *, const struct klpb_symref *), void *arg)
{
	size_t n = 0;

	for (size_t j = 0; j < o->n_funcs; j++, (*fi)++)
		if (klpb_target_has_func(t, *fi) && ++n && func)
			func(arg, &o->funcs[j]);
	for (size_t j = 0; j < o->n_symbols; j++, (*si)++)
		if (klpb_target_has_symbol(t, *si) && ++n && sym)
			sym(arg, &o->symbols[j]);
	return n;
}

static void print_func(void *arg, const struct klpb_func *f)
{
	printf("  function:   %s: %s,%llu -> %s\n", (const char *)arg, f->old_name,
	       (unsigned long long)f->sympos, f->new_name);
}

static void print_symbol(void *arg, const struct klpb_symref *r)
{
	printf("  symbol:     %s: %s,%llu\n", (const char *)arg, r->name,
	       (unsigned long long)r->sympos);
}

/* A target that has only some of the objects' functions and symbols lists its own. */
static void print_target_entries(const struct klpb_core *c, const struct klpb_target *t)
{
	uint64_t fi = 0, si = 0;

	if (!t->has_funcs && !t->has_symbols)
		return;
	for (size_t i = 0; i < c->n_objects; i++)
		target_entries(t, &c->objects[i], &fi, &si, print_func, print_symbol,
			       (void *)c->objects[i].name);
}

static void print_target(const struct klpb_bundle *b, size_t i)
{
	struct module_sig sig;
	const char *sig_state;
	const struct klpb_target *t = &b->core.targets[i];
	const struct klpb_payload_desc *pd = &b->payloads[i];
	char h[2 * KLPB_SHA256_LEN + 1];

	printf("target %zu:    %s\n", i, t->kernel_release);
	hex(t->vmlinux_build_id, KLPB_BUILD_ID_LEN, h);
	printf("  vmlinux build-id: %s\n", h);
	printf("  livepatch module: %s\n", t->module_name);
	for (size_t j = 0; j < t->n_objects; j++) {
		hex(t->objects[j].build_id, KLPB_BUILD_ID_LEN, h);
		printf("  object:     %s build-id %s\n", t->objects[j].name, h);
	}
	print_target_entries(&b->core, t);
	hex(pd->sha256, KLPB_SHA256_LEN, h);
	printf("  payload:    %s, %llu bytes stored, %llu bytes, sha256:%s\n",
	       klpb_compression_name(pd->compression), (unsigned long long)pd->compressed_size,
	       (unsigned long long)pd->size, h);
	sig_state = payload_sig(b, i, &sig);
	if (sig.is_signed)
		printf("  module signature: %s, key %s, %s\n", sig.signer, sig.key_id,
		       sig.hash_algo);
	else
		printf("  module signature: %s\n", sig_state);
}

static void print_object(const struct klpb_object *o)
{
	printf("object:      %s\n", o->name);
	for (size_t j = 0; j < o->n_funcs; j++)
		printf("  function:   %s,%llu -> %s\n", o->funcs[j].old_name,
		       (unsigned long long)o->funcs[j].sympos, o->funcs[j].new_name);
	for (size_t j = 0; j < o->n_symbols; j++)
		printf("  symbol:     %s,%llu\n", o->symbols[j].name,
		       (unsigned long long)o->symbols[j].sympos);
}

static void print_plain(const char *path, const struct klpb_bundle *b)
{
	const struct klpb_core *c = &b->core;
	char h[2 * KLPB_SHA256_LEN + 1];

	printf("%-12s %s\n", "file:", path);
	printf("%-12s %u.%u\n", "format:", b->major, b->minor);
	printf("%-12s %s\n", "name:", c->name);
	printf("%-12s %llu\n", "version:", (unsigned long long)c->version);
	hex(c->lineage, KLPB_LINEAGE_LEN, h);
	printf("%-12s %s\n", "lineage:", h);
	printf("%-12s %s\n", "mode:", c->replace ? "cumulative (replace)" : "stacked");
	printf("%-12s %s\n", "description:", c->description);
	print_deps("requires:", c->requires, c->n_requires);
	print_deps("conflicts:", c->conflicts, c->n_conflicts);
	print_provenance(b);
	for (size_t i = 0; i < c->n_targets; i++)
		print_target(b, i);
	for (size_t i = 0; i < c->n_objects; i++)
		print_object(&c->objects[i]);
	for (size_t i = 0; i < c->n_states; i++)
		printf("%-12s id %llu version %llu\n",
		       "klp state:", (unsigned long long)c->states[i].id,
		       (unsigned long long)c->states[i].version);
	for (size_t i = 0; i < b->n_sigs; i++) {
		hex(b->sigs[i].kid, KLPB_KID_LEN, h);
		printf("%-12s EdDSA kid %s\n", "signature:", h);
	}
	if (!b->n_sigs)
		printf("%-12s none\n", "signature:");
}

/* ---- JSON ---- */

/* The fields of one item of an array, for jw_object_array_field(). */

static void target_object_fields(struct json_writer *jw, const void *item)
{
	const struct klpb_target_object *o = item;

	jw_string_field(jw, "name", o->name);
	jw_hex_field(jw, "build_id", o->build_id, KLPB_BUILD_ID_LEN);
}

static void func_fields(struct json_writer *jw, const void *item)
{
	const struct klpb_func *f = item;

	jw_string_field(jw, "old_name", f->old_name);
	jw_uint_field(jw, "sympos", f->sympos);
	jw_string_field(jw, "new_name", f->new_name);
}

static void symbol_fields(struct json_writer *jw, const void *item)
{
	const struct klpb_symref *sym = item;

	jw_string_field(jw, "name", sym->name);
	jw_uint_field(jw, "sympos", sym->sympos);
}

static void object_fields(struct json_writer *jw, const void *item)
{
	const struct klpb_object *o = item;

	jw_string_field(jw, "name", o->name);
	jw_object_array_field(jw, "functions", o->funcs, o->n_funcs, sizeof(*o->funcs),
			      func_fields);
	jw_object_array_field(jw, "symbols", o->symbols, o->n_symbols, sizeof(*o->symbols),
			      symbol_fields);
}

static void state_fields(struct json_writer *jw, const void *item)
{
	const struct klpb_state *st = item;

	jw_uint_field(jw, "id", st->id);
	jw_uint_field(jw, "version", st->version);
}

static void signature_fields(struct json_writer *jw, const void *item)
{
	const struct klpb_signature *sig = item;

	jw_string_field(jw, "alg", "EdDSA");
	jw_hex_field(jw, "kid", sig->kid, KLPB_KID_LEN);
}

static void json_provenance(struct json_writer *jw, const struct klpb_bundle *b)
{
	const struct klpb_provenance *p = &b->core.provenance;
	char t[40];

	utc(p->created, t, sizeof(t));
	jw_name(jw, "provenance");
	jw_start_object(jw);
	jw_string_field(jw, "tool_version", p->tool_version);
	jw_uint_field(jw, "created", p->created);
	jw_string_field(jw, "created_utc", t);
	jw_name(jw, "sources");
	jw_start_array(jw);
	for (size_t i = 0; i < p->n_sources; i++) {
		jw_start_object(jw);
		jw_string_field(jw, "name", p->sources[i].name);
		jw_hex_field(jw, "sha256", p->sources[i].sha256, KLPB_SHA256_LEN);
		jw_bool_field(jw, "embedded", b->n_sources > 0);
		jw_end_object(jw);
	}
	jw_end_array(jw);
	jw_name(jw, "cves");
	jw_start_array(jw);
	for (size_t i = 0; i < p->n_cves; i++)
		jw_string(jw, p->cves[i]);
	jw_end_array(jw);
	jw_end_object(jw);
}

/* "module_signature": {signer, key_id, hash_algorithm} | "unsigned" | "unknown" */
static void json_module_sig(struct json_writer *jw, const struct klpb_bundle *b, size_t i)
{
	struct module_sig sig;
	const char *state = payload_sig(b, i, &sig);

	jw_name(jw, "module_signature");
	if (!sig.is_signed) {
		jw_string(jw, state);
		return;
	}
	jw_start_object(jw);
	jw_string_field(jw, "signer", sig.signer);
	jw_string_field(jw, "key_id", sig.key_id);
	jw_string_field(jw, "hash_algorithm", sig.hash_algo);
	jw_end_object(jw);
}

static void json_func(void *arg, const struct klpb_func *f)
{
	jw_start_object(arg);
	func_fields(arg, f);
	jw_end_object(arg);
}

static void json_symbol(void *arg, const struct klpb_symref *r)
{
	jw_start_object(arg);
	symbol_fields(arg, r);
	jw_end_object(arg);
}

/* "patched_objects": what target @t's module patches, in the shape of "objects" */
static void json_patched_objects(struct json_writer *jw, const struct klpb_core *c,
				 const struct klpb_target *t)
{
	uint64_t fi = 0, si = 0;

	jw_name(jw, "patched_objects");
	jw_start_array(jw);
	for (size_t i = 0; i < c->n_objects; i++) {
		const struct klpb_object *o = &c->objects[i];
		uint64_t f0 = fi, s0 = si;

		if (!target_entries(t, o, &fi, &si, NULL, NULL, NULL) && o->n_funcs + o->n_symbols)
			continue;
		jw_start_object(jw);
		jw_string_field(jw, "name", o->name);
		jw_name(jw, "functions");
		jw_start_array(jw);
		fi = f0;
		si = s0;
		target_entries(t, o, &fi, &si, json_func, NULL, jw);
		jw_end_array(jw);
		jw_name(jw, "symbols");
		jw_start_array(jw);
		fi = f0;
		si = s0;
		target_entries(t, o, &fi, &si, NULL, json_symbol, jw);
		jw_end_array(jw);
		jw_end_object(jw);
	}
	jw_end_array(jw);
}

static void json_target(struct json_writer *jw, const struct klpb_bundle *b, size_t i)
{
	const struct klpb_target *t = &b->core.targets[i];
	const struct klpb_payload_desc *pd = &b->payloads[i];

	jw_start_object(jw);
	jw_string_field(jw, "kernel_release", t->kernel_release);
	jw_hex_field(jw, "vmlinux_build_id", t->vmlinux_build_id, KLPB_BUILD_ID_LEN);
	jw_string_field(jw, "module_name", t->module_name);
	jw_object_array_field(jw, "objects", t->objects, t->n_objects, sizeof(*t->objects),
			      target_object_fields);
	json_patched_objects(jw, &b->core, t);
	jw_name(jw, "payload");
	jw_start_object(jw);
	jw_string_field(jw, "compression", klpb_compression_name(pd->compression));
	jw_uint_field(jw, "compressed_size", pd->compressed_size);
	jw_uint_field(jw, "size", pd->size);
	jw_hex_field(jw, "sha256", pd->sha256, KLPB_SHA256_LEN);
	jw_end_object(jw);
	json_module_sig(jw, b, i);
	jw_end_object(jw);
}

static void json_lists(struct json_writer *jw, const struct klpb_bundle *b)
{
	const struct klpb_core *c = &b->core;

	jw_name(jw, "targets");
	jw_start_array(jw);
	for (size_t i = 0; i < c->n_targets; i++)
		json_target(jw, b, i);
	jw_end_array(jw);
	jw_object_array_field(jw, "objects", c->objects, c->n_objects, sizeof(*c->objects),
			      object_fields);
	jw_object_array_field(jw, "klp_states", c->states, c->n_states, sizeof(*c->states),
			      state_fields);
	jw_object_array_field(jw, "signatures", b->sigs, b->n_sigs, sizeof(*b->sigs),
			      signature_fields);
}

static void print_json(struct json_writer *jw, const struct klpb_bundle *b)
{
	const struct klpb_core *c = &b->core;
	uint8_t md[KLPB_SHA256_LEN];
	char v[32];

	snprintf(v, sizeof(v), "%u.%u", b->major, b->minor);
	jw_start_object(jw);
	jw_string_field(jw, "format_version", v);
	jw_string_field(jw, "name", c->name);
	jw_uint_field(jw, "version", c->version);
	jw_hex_field(jw, "lineage", c->lineage, KLPB_LINEAGE_LEN);
	jw_string_field(jw, "description", c->description);
	jw_bool_field(jw, "replace", c->replace);
	jw_object_array_field(jw, "requires", c->requires, c->n_requires, sizeof(*c->requires),
			      print_dep_json);
	jw_object_array_field(jw, "conflicts", c->conflicts, c->n_conflicts, sizeof(*c->conflicts),
			      print_dep_json);
	json_provenance(jw, b);
	json_lists(jw, b);
	klpb_sha256(b->core_bytes.data, b->core_bytes.len, md);
	jw_hex_field(jw, "core_sha256", md, sizeof(md));
	klpb_sha256(b->manifest.data, b->manifest.len, md);
	jw_hex_field(jw, "manifest_sha256", md, sizeof(md));
	jw_uint_field(jw, "file_size", b->file_len);
	jw_end_object(jw);
}

/* ---- dumps ---- */

static int dump(struct klpb_ctx *ctx, const char *path, const struct klpb_bundle *b, enum dump what,
		unsigned long n)
{
	struct klpb_buf tbs = { 0 };
	const void *p = NULL;
	size_t len = 0;
	int rc = 0;

	if ((what == DUMP_TBS || what == DUMP_SIG) && n >= b->n_sigs) {
		p_err(ctx, -ENOENT, "'%s': no signature %lu (it has %zu)", path, n, b->n_sigs);
		return -ENOENT;
	}
	switch (what) {
	case DUMP_CORE:
		p = b->core_bytes.data, len = b->core_bytes.len;
		break;
	case DUMP_MANIFEST:
		p = b->manifest.data, len = b->manifest.len;
		break;
	case DUMP_SIG:
		p = b->sigs[n].sig, len = KLPB_SIG_LEN;
		break;
	case DUMP_TBS:
		rc = klpb_signature_tbs(b, n, &tbs);
		p = tbs.data, len = tbs.len;
		break;
	case DUMP_NONE:
		break;
	}
	if (rc == 0 && fwrite(p, 1, len, stdout) != len)
		rc = -EIO;
	klpb_buf_free(&tbs);
	return rc;
}

int cmd_inspect(struct klpb_ctx *ctx, int argc, char **argv)
{
	static const struct option opts[] = { { "help", no_argument, NULL, 'h' },
					      { "dump-core", no_argument, NULL, 'c' },
					      { "dump-manifest", no_argument, NULL, 'm' },
					      { "dump-tbs", required_argument, NULL, 't' },
					      { "dump-sig", required_argument, NULL, 's' },
					      {} };
	enum dump what = DUMP_NONE;
	unsigned long n = 0;
	struct mapped_file m;
	struct klpb_bundle *b = NULL;
	char *end;
	int c, rc;

	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'h':
			fputs(inspect_usage, stdout);
			return 0;
		case 'c':
		case 'm':
			what = c == 'c' ? DUMP_CORE : DUMP_MANIFEST;
			break;
		case 't':
		case 's':
			what = c == 't' ? DUMP_TBS : DUMP_SIG;
			errno = 0;
			n = strtoul(optarg, &end, 10);
			if (errno || *end || !*optarg)
				return usage_err(ctx, "'%s' is not a signature index", optarg);
			break;
		default:
			return usage_err(ctx, "inspect: bad option");
		}
	}
	if (argc - optind != 1)
		return usage_err(ctx, "inspect takes exactly one FILE");
	if (what != DUMP_NONE && ctx->json)
		return usage_err(ctx, "--dump-* writes raw bytes: not with --json");
	rc = open_bundle(ctx, argv[optind], &m, &b);
	if (rc < 0)
		return rc;
	if (what != DUMP_NONE)
		rc = dump(ctx, argv[optind], b, what, n);
	else if (ctx->json)
		print_json(ctx->jw, b);
	else
		print_plain(argv[optind], b);
	klpb_bundle_free(b);
	unmap_file(&m);
	return rc;
}
