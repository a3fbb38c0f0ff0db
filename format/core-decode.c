// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * core-decode.c - klpb_core_decode(): a core manifest on its own, through
 * the decoder's own core walk (decode.c: core_decode()).
 */
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "format-internal.h"
#include "klp-bundle/core-decode.h"

struct core_owned {
	struct klpb_core core; /* first: klpb_core_free() casts back */
	struct arena *arena;
	uint8_t *bytes; /* a private copy: byte fields point into it */
};

int klpb_core_decode(const void *buf, size_t len, struct klpb_core **out, struct klpb_error *err)
{
	struct core_owned *c;
	int rc;

	if (len > KLPB_MAX_CORE)
		return klpb_set_error(err, -EFBIG, false, 0, "core", "core of %zu bytes", len);
	c = calloc(1, sizeof(*c));
	if (!c)
		return -ENOMEM;
	c->arena = arena_new();
	c->bytes = malloc(len ? len : 1);
	if (!c->arena || !c->bytes) {
		rc = -ENOMEM;
		goto fail;
	}
	memcpy(c->bytes, buf, len);
	rc = core_decode(c->bytes, len, c->arena, &c->core, err);
	if (rc < 0)
		goto fail;
	*out = &c->core;
	return 0;
fail:
	arena_free(c->arena);
	free(c->bytes);
	free(c);
	return rc;
}

void klpb_core_free(struct klpb_core *core)
{
	struct core_owned *c = (struct core_owned *)core;

	if (!c)
		return;
	arena_free(c->arena);
	free(c->bytes);
	free(c);
}
