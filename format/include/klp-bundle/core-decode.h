/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * klp-bundle/core-decode.h - decode a core manifest on its own: the bytes a
 * loaded transaction module shows in /sys/kernel/klp_bundle/<m>/manifest.
 */
#ifndef KLPB_CORE_DECODE_H
#define KLPB_CORE_DECODE_H

#include "klp-bundle/format.h"

/*
 * klpb_core_decode - strictly validate and decode a core
 * @buf: [borrow] the core bytes; only needed during the call (strings are copied)
 * @out: on success [owned] the core; free with klpb_core_free()
 * @err: [out, optional]
 *
 * Returns 0, -EBADMSG (not a valid core), -EFBIG, -ENOMEM.
 */
int klpb_core_decode(const void *buf, size_t len, struct klpb_core **out, struct klpb_error *err);
void klpb_core_free(struct klpb_core *core);

#endif
