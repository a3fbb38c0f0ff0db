/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The runtime's reader for the core's deterministic CBOR (klpb_cbor.c).
 * Self-contained, so that selftests/unit/test-kernel-cbor.c can build the
 * reader in userspace: it needs only u8, u32, u64, bool and size_t, and
 * <klp_bundle_abi.h> for KLPB_KERNEL_CBOR_MAX_DEPTH.
 */
#ifndef _KLPB_CBOR_H
#define _KLPB_CBOR_H

#include <linux/types.h>

#include <klp_bundle_abi.h>

/**
 * struct klpb_cbor - a cursor over deterministic CBOR (klpb_cbor.c)
 * @p: the next byte
 * @end: one past the last byte the cursor may read
 */
struct klpb_cbor {
	const u8 *p;
	const u8 *end;
};

int klpb_cbor_check(struct klpb_cbor *c);
int klpb_cbor_uint(struct klpb_cbor *c, u64 *v);
int klpb_cbor_bool(struct klpb_cbor *c, bool *v);
int klpb_cbor_bstr(struct klpb_cbor *c, const u8 **data, size_t *len);
int klpb_cbor_tstr(struct klpb_cbor *c, const char **str, size_t *len);
int klpb_cbor_array(struct klpb_cbor *c, u32 *n);
int klpb_cbor_map(struct klpb_cbor *c, u32 *n);
int klpb_cbor_skip(struct klpb_cbor *c);

#endif /* _KLPB_CBOR_H */
