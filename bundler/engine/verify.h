/* SPDX-License-Identifier: GPL-2.0-or-later */
/* verify.h - a bundle file read and verified against the trust store (apply, install). */
#ifndef KLPB_ENGINE_VERIFY_H
#define KLPB_ENGINE_VERIFY_H

#include <stddef.h>
#include <stdint.h>

#include "common/ctx.h"
#include "klp-bundle/format.h"

/*
 * Read and verify a bundle file (step 3 of apply, also install): with
 * @key/@keyring or a trust store holding keys ($KLPB_KEYS_DIR, default
 * /etc/klp-bundle/keys) a good signature is required.  [owned] *@data and
 * *@b.  Reports errors.
 */
int eng_verify_file(struct klpb_ctx *ctx, const char *file, const char *key, const char *keyring,
		    uint8_t **data, size_t *len, struct klpb_bundle **b);

#endif
