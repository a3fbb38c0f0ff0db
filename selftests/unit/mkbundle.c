// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * mkbundle - write an unsigned .klpb to stdout from a core manifest and a
 * transaction module built without 'klp-bundle create' (a test bundle of
 * selftests/bundles, whose core mkcore wrote): the module is the payload of
 * every target of the core.  For in-guest tests of what apply does with a
 * module the kernel refuses for a reason create does not check.  Not a
 * test: prove does not run it.
 *
 *   mkbundle CORE.cbor MODULE.ko
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "klp-bundle/core-decode.h"
#include "klp-bundle/format.h"
#include "util/file.h"

static int fail(const char *what, const char *why)
{
	fprintf(stderr, "mkbundle: error: %s: %s\n", what, why);
	return 1;
}

int main(int argc, char **argv)
{
	struct klpb_module_input mods[KLPB_MAX_TARGETS];
	struct klpb_error ferr = { 0 };
	struct klpb_build_input in = { .modules = mods };
	struct klpb_buf out = { 0 };
	struct klpb_core *core = NULL;
	uint8_t *cbor = NULL, *ko = NULL;
	size_t cbor_len, ko_len;
	char msg[512];
	int rc;

	if (argc != 3)
		return fail("usage", "mkbundle CORE.cbor MODULE.ko");
	if ((rc = read_file(argv[1], &cbor, &cbor_len)) < 0)
		return fail(argv[1], strerror(-rc));
	if ((rc = read_file(argv[2], &ko, &ko_len)) < 0)
		return fail(argv[2], strerror(-rc));
	if (klpb_core_decode(cbor, cbor_len, &core, &ferr))
		return fail(argv[1], klpb_error_str(&ferr, msg, sizeof(msg)));
	if (core->n_targets > KLPB_MAX_TARGETS)
		return fail(argv[1], "too many targets");
	for (size_t i = 0; i < core->n_targets; i++)
		mods[i] = (struct klpb_module_input){ ko, ko_len, KLPB_COMPRESSION_ZSTD };
	in.core = core;
	if (klpb_bundle_build(&in, &out, &ferr))
		return fail("the bundle", klpb_error_str(&ferr, msg, sizeof(msg)));
	if (fwrite(out.data, 1, out.len, stdout) != out.len || fflush(stdout))
		return fail("stdout", strerror(errno));
	klpb_buf_free(&out);
	klpb_core_free(core);
	free(cbor);
	free(ko);
	return 0;
}
