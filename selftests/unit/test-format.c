// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * test-format.c - encoder/decoder round trips, determinism, ownership,
 * the hostile 5-byte inputs, and the field rules.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "tap.h"
#include "format-sample.h"
#include "klp-bundle/format.h"

static uint8_t mod_a[20000], mod_b[3000];

static int build(const struct klpb_core *core, struct klpb_buf *out, struct klpb_error *err,
		 bool with_sources)
{
	struct klpb_module_input mods[2] = {
		{ mod_a, sizeof(mod_a), KLPB_COMPRESSION_ZSTD },
		{ mod_b, sizeof(mod_b), KLPB_COMPRESSION_NONE },
	};
	struct klpb_bytes src = { (const uint8_t *)sample_source, strlen(sample_source) };
	struct klpb_build_input in = { core, mods, with_sources ? &src : NULL, 0 };

	return klpb_bundle_build(&in, out, err);
}

static void test_round_trip(void)
{
	struct klpb_buf f1 = { 0 }, f2 = { 0 }, w = { 0 }, m = { 0 };
	struct klpb_error err = { 0 };
	struct klpb_bundle *b = NULL;
	struct klpb_core core;

	sample_core(&core, 2);
	is_int(build(&core, &f1, &err, true), 0, "build the sample bundle (%s)", err.message);
	is_int(build(&core, &f2, &err, true), 0, "build it again");
	ok(f1.len == f2.len && !memcmp(f1.data, f2.data, f1.len), "the encoder is deterministic");
	ok(!memcmp(f1.data, KLPB_MAGIC, KLPB_MAGIC_LEN), "the file starts with the magic");
	is_int(klpb_bundle_load(f1.data, f1.len, &b, &err), 0, "load it (%s)", err.message);
	if (!b)
		return;
	is_int(b->major, 1, "major 1");
	is_str(b->core.name, "fix_cmdline", "name");
	is_int(b->core.version, 3, "version");
	is_mem(b->core.lineage, core.lineage, 16, "lineage");
	is_str(b->core.description, core.description, "description");
	ok(b->core.replace, "replace");
	is_int(b->core.n_requires, 1, "one require");
	ok(b->core.requires[0].has_max && b->core.requires[0].max_version == 5, "its max");
	ok(!b->core.conflicts[0].has_max, "the conflict has no upper bound");
	is_str(b->core.provenance.cves[1], "CVE-2024-5678", "second CVE");
	is_int(b->core.provenance.created, 1700000000, "created");
	is_int(b->core.n_targets, 2, "two targets");
	is_mem(b->core.targets[0].vmlinux_build_id, sample_targets[0].vmlinux_build_id, 20,
	       "vmlinux build-id");
	is_str(b->core.targets[0].objects[0].name, "nfsd", "target object name");
	is_str(b->core.objects[1].funcs[0].new_name, "livepatch_cmdline_proc_show", "new symbol");
	is_int(b->core.objects[0].funcs[0].sympos, 2, "sympos");
	is_str(b->core.objects[1].symbols[0].name, "saved_command_line", "symbol reference");
	is_int(b->core.states[0].id, 1, "klp state id");
	is_int(b->n_payloads, 2, "two payloads");
	is_int(b->payloads[0].compression, KLPB_COMPRESSION_ZSTD, "zstd payload");
	ok(b->payloads[0].compressed_size < sizeof(mod_a), "it is smaller");
	is_int(b->payloads[1].size, sizeof(mod_b), "size of the uncompressed payload");
	is_int(b->n_sources, 1, "one embedded source");
	is_int(b->n_sigs, 0, "no signature yet");
	is_int(klpb_core_encode(&b->core, &m, &err), 0, "re-encode the decoded core");
	ok(m.len == b->core_bytes.len && !memcmp(m.data, b->core_bytes.data, m.len),
	   "decode then encode gives the same core bytes");
	is_int(klpb_bundle_write(b, &w, &err), 0, "write the loaded bundle");
	ok(w.len == f1.len && !memcmp(w.data, f1.data, w.len), "write(load(f)) == f");
	{
		struct klpb_buf x = { 0 };

		is_int(klpb_payload_extract(b, 0, &x, &err), 0, "extract payload 0");
		ok(x.len == sizeof(mod_a) && !memcmp(x.data, mod_a, x.len), "it is the module");
		klpb_buf_free(&x);
	}
	klpb_bundle_free(b);
	klpb_buf_free(&f1);
	klpb_buf_free(&f2);
	klpb_buf_free(&w);
	klpb_buf_free(&m);
}

/* Build with one field changed; expect @want and @field in the error. */
static void expect_reject(const struct klpb_core *c, int want, const char *field, const char *what)
{
	struct klpb_buf f = { 0 };
	struct klpb_error err = { 0 };
	int rc = build(c, &f, &err, false);

	is_int(rc, want, "encoder rejects %s", what);
	if (field && !ok(strstr(err.field, field) != NULL, "  in field %s", field))
		diag("field '%s' message '%s'", err.field, err.message);
	klpb_buf_free(&f);
}

static void test_limits(void)
{
	static char longname[KLPB_MAX_NAME + 2], longdesc[KLPB_MAX_DESCRIPTION + 2];
	static char longsym[KLPB_MAX_SYMBOL + 2];
	static struct klpb_func many_funcs[KLPB_MAX_FUNCS + 1];
	struct klpb_core c;
	struct klpb_object obj;
	struct klpb_target tg[KLPB_MAX_TARGETS + 1];
	struct klpb_func fn;
	const char *cve_bad[] = { "CVE-24-1" };
	const char *cve_unsorted[] = { "CVE-2024-5678", "CVE-2024-1234" };
	struct klpb_dep dup[2] = { { "a", 0, false, 0 }, { "a", 1, false, 0 } };
	struct klpb_dep range = { "a", 5, true, 4 };
	struct klpb_state st0 = { 0, 1 };

	memset(longname, 'a', KLPB_MAX_NAME + 1);
	memset(longdesc, 'd', KLPB_MAX_DESCRIPTION + 1);
	memset(longsym, 's', KLPB_MAX_SYMBOL + 1);

	sample_core(&c, 2);
	c.name = longname;
	expect_reject(&c, -EFBIG, "core.name", "a 56-character name");
	longname[KLPB_MAX_NAME] = '\0';
	c.name = longname;
	expect_reject(&c, 0, NULL, "nothing: a 55-character name is fine");
	c.name = "Bad-Name";
	expect_reject(&c, -EINVAL, "core.name", "upper case and '-' in a name");
	c.name = "";
	expect_reject(&c, -EINVAL, "core.name", "an empty name");
	sample_core(&c, 2);
	c.description = longdesc;
	expect_reject(&c, -EFBIG, "core.description", "a description over 4 KiB");
	longdesc[KLPB_MAX_DESCRIPTION] = '\0';
	expect_reject(&c, 0, NULL, "nothing: a 4 KiB description is fine");
	c.description = "bad \xff utf-8";
	expect_reject(&c, -EINVAL, "core", "invalid UTF-8");
	sample_core(&c, 2);
	c.provenance.cves = cve_bad;
	c.provenance.n_cves = 1;
	expect_reject(&c, -EINVAL, "core.provenance.cves[0]", "a malformed CVE id");
	c.provenance.cves = cve_unsorted;
	c.provenance.n_cves = 2;
	expect_reject(&c, -EINVAL, "core.provenance.cves[1]", "unsorted CVE ids");
	sample_core(&c, 2);
	c.requires = dup;
	c.n_requires = 2;
	expect_reject(&c, -EINVAL, "core.requires[1]", "a duplicate requirement");
	c.requires = &range;
	c.n_requires = 1;
	expect_reject(&c, -EINVAL, "core.requires[0].max_version", "max_version < min_version");
	sample_core(&c, 2);
	c.states = &st0;
	expect_reject(&c, -EINVAL, "core.states[0].id", "klp state id 0");
	sample_core(&c, 2);
	fn = sample_vmlinux_funcs[0];
	fn.new_name = longsym;
	obj = sample_objects[1];
	obj.funcs = &fn;
	c.objects = &obj;
	c.n_objects = 1;
	expect_reject(&c, -EFBIG, "core.objects[0].funcs[0].new_name", "a 512-byte symbol");
	fn.new_name = "has space";
	expect_reject(&c, -EINVAL, "core.objects[0].funcs[0].new_name", "a space in a symbol");
	for (size_t i = 0; i < sizeof(many_funcs) / sizeof(many_funcs[0]); i++)
		many_funcs[i] = sample_vmlinux_funcs[0];
	obj.funcs = many_funcs;
	obj.n_funcs = KLPB_MAX_FUNCS + 1;
	expect_reject(&c, -EFBIG, "core.objects[0].funcs", "4097 functions in one object");
	obj.n_funcs = KLPB_MAX_FUNCS;
	expect_reject(&c, 0, NULL, "nothing: 4096 functions are fine");
	sample_core(&c, 2);
	for (size_t i = 0; i < KLPB_MAX_TARGETS + 1; i++)
		tg[i] = sample_targets[1];
	c.targets = tg;
	c.n_targets = KLPB_MAX_TARGETS + 1;
	expect_reject(&c, -EFBIG, "core.targets", "65 targets");
	c.n_targets = 0;
	expect_reject(&c, -EINVAL, "core.targets", "no target");
	sample_core(&c, 2);
	c.name = NULL;
	expect_reject(&c, -EINVAL, "core", "a NULL name");
}

static void test_hostile(void)
{
	static const uint8_t h1[] = { 0x9a, 0x10, 0x00, 0x00, 0x00 };
	static const uint8_t h2[] = { 0xba, 0xff, 0xff, 0xff, 0xff };
	uint8_t f[KLPB_MAGIC_LEN + 5];
	struct klpb_error err = { 0 };
	struct klpb_bundle *b = NULL;

	is_int(klpb_bundle_load(h1, sizeof(h1), &b, &err), -EBADMSG, "9a 10 00 00 00: bad magic");
	memcpy(f, KLPB_MAGIC, KLPB_MAGIC_LEN);
	memcpy(f + KLPB_MAGIC_LEN, h1, 5);
	is_int(klpb_bundle_load(f, sizeof(f), &b, &err), -EBADMSG,
	       "magic + 9a 10 00 00 00 is rejected");
	is_str(err.message, "invalid CBOR: count-too-large", "  by the count check");
	memcpy(f + KLPB_MAGIC_LEN, h2, 5);
	is_int(klpb_bundle_load(f, sizeof(f), &b, &err), -EBADMSG,
	       "magic + ba ff ff ff ff is rejected");
	is_int(err.offset, 8, "  at byte 8");
	ok(b == NULL, "no bundle on failure");
	is_int(klpb_bundle_load(f, 0, &b, &err), -EBADMSG, "an empty file");
	is_int(klpb_bundle_load(f, 5, &b, &err), -EBADMSG, "a truncated magic");
	is_str(err.field, "magic", "  field magic");
}

/* Format 1.1: a target with only some functions and symbols (§4.4). */
static void test_per_target(void)
{
	static const uint64_t only_vmlinux[] = { 1 }, none[] = { 0 };
	struct klpb_target t[2] = { sample_targets[0], sample_targets[1] };
	struct klpb_buf f = { 0 }, w = { 0 };
	struct klpb_error err = { 0 };
	struct klpb_bundle *b = NULL;
	struct klpb_core core;

	sample_core(&core, 2);
	core.targets = t;
	t[1].has_funcs = t[1].has_symbols = true;
	t[1].funcs = only_vmlinux;
	t[1].n_funcs = 1;
	is_int(build(&core, &f, &err, false), 0, "build with per-target functions (%s)",
	       err.message);
	is_int(klpb_bundle_load(f.data, f.len, &b, &err), 0, "load it (%s)", err.message);
	if (b) {
		is_int(b->minor, 1, "it is format 1.1");
		ok(!b->core.targets[0].has_funcs, "target 0 has all functions");
		ok(b->core.targets[1].has_funcs && b->core.targets[1].n_funcs == 1 &&
			   b->core.targets[1].funcs[0] == 1,
		   "target 1 has function 1 only");
		ok(b->core.targets[1].has_symbols && !b->core.targets[1].n_symbols,
		   "and no symbol");
		ok(klpb_target_has_func(&b->core.targets[0], 0) &&
			   !klpb_target_has_func(&b->core.targets[1], 0) &&
			   klpb_target_has_func(&b->core.targets[1], 1),
		   "klpb_target_has_func()");
		is_int(klpb_bundle_write(b, &w, &err), 0, "write it again");
		ok(w.len == f.len && !memcmp(w.data, f.data, f.len), "write(load(f)) == f");
	}
	klpb_bundle_free(b);
	klpb_buf_free(&f);
	klpb_buf_free(&w);
	t[0].funcs = only_vmlinux;
	t[0].n_funcs = 1;
	t[0].has_funcs = true;
	expect_reject(&core, -EINVAL, "core.objects", "function 0 being no target's");
	t[0].funcs = none;
	t[1].funcs = (const uint64_t[]){ 2 };
	expect_reject(&core, -EINVAL, "core.objects", "a function index out of range");
	t[0] = t[1] = sample_targets[0];
	expect_reject(&core, -EINVAL, "core.targets", "two targets for one kernel build");
	t[1] = sample_targets[1];
	t[1].has_funcs = true;
	t[1].funcs = (const uint64_t[]){ 1, 1 };
	t[1].n_funcs = 2;
	expect_reject(&core, -EINVAL, "core.targets[1].funcs", "unsorted function indices");
}

int main(void)
{
	sample_module(mod_a, sizeof(mod_a), 0);
	sample_module(mod_b, sizeof(mod_b), 7);
	test_round_trip();
	test_limits();
	test_hostile();
	test_per_target();
	return done_testing();
}
