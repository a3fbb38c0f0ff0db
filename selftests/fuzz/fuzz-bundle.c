// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * fuzz-bundle.c - libFuzzer target over klpb_bundle_load(): magic, version
 * peek, the strict validator and the decoder.  On inputs it accepts it also
 * checks determinism (a bundle of the reader's own version is rewritten to
 * the same bytes), re-encodes the core, and runs the bounded payload check
 * for small declared sizes.  Seeds: selftests/vectors (corpus-bundle/).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "klp-bundle/format.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct klpb_error err = { 0 };
	struct klpb_bundle *b = NULL;
	struct klpb_buf out = { 0 }, core = { 0 };

	if (klpb_bundle_load(data, size, &b, &err) < 0) {
		if (err.code >= 0)
			abort();	/* every failure carries its error */
		return 0;
	}
	if (klpb_bundle_write(b, &out, &err) < 0)
		abort();
	if (b->minor == KLPB_FORMAT_MINOR && (out.len != size || memcmp(out.data, data, size)))
		abort();	/* accepted input is canonical */
	if (b->minor == KLPB_FORMAT_MINOR &&
	    (klpb_core_encode(&b->core, &core, &err) < 0 || core.len != b->core_bytes.len ||
	     memcmp(core.data, b->core_bytes.data, core.len)))
		abort();	/* decode then encode gives the core back */
	for (size_t i = 0; i < b->n_payloads; i++)
		if (b->payloads[i].size <= (1u << 20))
			klpb_payload_check(b, i, &err);
	klpb_buf_free(&out);
	klpb_buf_free(&core);
	klpb_bundle_free(b);
	return 0;
}
