// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * fuzz-validate - libFuzzer target for klpb_cbor_validate().
 *
 * Checks that the validator never crashes or reads out of bounds, and that
 * it is a sound filter for libcbor 0.8: whatever it accepts, cbor_load()
 * must decode completely (no error, res.read == len), and libcbor must
 * serialize the result back to the very same bytes.  Built by
 * selftests/fuzz/build.sh; run e.g. with
 *   build/fuzz/fuzz-validate -max_total_time=30 -rss_limit_mb=512 \
 *	-malloc_limit_mb=64 selftests/fuzz/corpus-validate
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cbor.h>

#include "cbor-validate.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/*
 * No tag in 6..20: libcbor 0.8 rejects those heads (c6..d4) outright, so
 * klp-bundle strips COSE_Sign1's tag 18 itself (see cbor-validate.h).
 */
static const uint64_t tags[] = { 1, 24, 55799 };

static const struct klpb_cbor_limits lim = {
	.max_depth = 16,
	.max_bstr = 1024,
	.max_tstr = 256,
	.max_items = 64,
	.tags = tags,
	.n_tags = sizeof(tags) / sizeof(tags[0]),
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct klpb_cbor_error err;
	struct cbor_load_result res;
	cbor_item_t *item;
	unsigned char *out;
	size_t cap, out_len;
	int ret;

	ret = klpb_cbor_validate(data, size, &lim, &err);
	if (ret != 0 && ret != -EBADMSG && ret != -EFBIG)
		abort();
	if ((ret == 0) != (err.rule == KLPB_CBOR_OK) || err.offset > size)
		abort();
	if (ret)
		return 0;

	item = cbor_load(data, size, &res);
	if (!item || res.error.code != CBOR_ERR_NONE || res.read != size) {
		fprintf(stderr, "validator accepted what libcbor rejects: code %d read %zu of %zu\n",
			(int)res.error.code, res.read, size);
		abort();
	}
	/*
	 * Deterministic input has one encoding; libcbor keeps each head's width
	 * and the map order, so it must serialize back to the same bytes.
	 */
	out = NULL;
	cap = 0;
	out_len = cbor_serialize_alloc(item, &out, &cap);
	if (out_len != size || memcmp(out, data, size)) {
		fprintf(stderr, "libcbor re-encodes %zu bytes into %zu different ones\n", size,
			out_len);
		abort();
	}
	free(out);
	cbor_decref(&item);
	return 0;
}
