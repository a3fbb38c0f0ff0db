/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * bundle-io.h - file helpers shared by inspect, verify, sign and keygen:
 * map a bundle, load it with one error message, read small files and keys.
 */
#ifndef KLPB_BUNDLE_IO_H
#define KLPB_BUNDLE_IO_H

#include <stddef.h>

#include "common/ctx.h"
#include "klp-bundle/format.h"

struct mapped_file {
	void *data;
	size_t len;
	bool is_mmap;
};

/* Map @path read-only into @m; release with unmap_file(). Reports errors. */
int map_file(struct klpb_ctx *ctx, const char *path, struct mapped_file *m);
void unmap_file(struct mapped_file *m);

/*
 * Map and load the bundle at @path.  On success [owned] *@b (free with
 * klpb_bundle_free() before unmap_file(@m)).  Reports the error once:
 * "'f.klpb': at byte N (field): message".
 */
int open_bundle(struct klpb_ctx *ctx, const char *path, struct mapped_file *m,
		struct klpb_bundle **b);

/* Report a format/ error about @path; returns @err->code (or @rc). */
int report_format_error(struct klpb_ctx *ctx, const char *path, int rc,
			const struct klpb_error *err);

/* The cap of read_small_file(): keys, the journal, state files. */
#define SMALL_FILE_MAX ((size_t)1 << 20)

/*
 * Read a whole file of at most SMALL_FILE_MAX bytes (-EFBIG if larger) into
 * @out, replacing what it held; out->data[out->len] is a NUL.
 */
int read_small_file(const char *path, struct klpb_buf *out);
/*
 * Free what @out holds and hand it @data: @len bytes followed by a NUL, as
 * util/file.h's readers return them.
 */
void buf_adopt(struct klpb_buf *out, uint8_t *data, size_t len);

/*
 * Load the trusted public keys: one --key file and/or every *.pub in
 * @keyring.  [owned] *@keys: free with free_keys().  Reports errors.
 */
int load_trusted_keys(struct klpb_ctx *ctx, const char *key, const char *keyring,
		      struct klpb_key ***keys, size_t *n);
void free_keys(struct klpb_key **keys, size_t n);

/* Read an Ed25519 private key (PEM PKCS#8) into [owned] *@k; reports errors. */
/*
 * The kernels @b has targets for, for messages: "'R1', 'R2'", each with
 * its short vmlinux build-id when another target has the same release.
 * [owned], NULL on ENOMEM.
 */
char *bundle_targets_text(const struct klpb_bundle *b);

int load_private_key(struct klpb_ctx *ctx, const char *path, struct klpb_key **k);

#endif
