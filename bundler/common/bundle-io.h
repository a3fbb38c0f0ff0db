/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * bundle-io.h - file helpers shared by inspect, verify, sign and keygen:
 * map a bundle, load it with one error message, write files atomically,
 * read keys.
 */
#ifndef KLPB_BUNDLE_IO_H
#define KLPB_BUNDLE_IO_H

#include <stddef.h>
#include <sys/types.h>

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

/*
 * Write @len bytes to @path atomically: a temporary file in the same
 * directory, fsync, then rename (or, with @no_replace, link: fails with
 * -EEXIST if @path exists).  @path is never left half-written.
 */
int write_file_atomic(const char *path, const void *data, size_t len, mode_t mode,
		      bool no_replace);

/* Read a whole (small) file into @out. */
int read_small_file(const char *path, struct klpb_buf *out);

/*
 * Load the trusted public keys: one --key file and/or every *.pub in
 * @keyring.  [owned] *@keys: free with free_keys().  Reports errors.
 */
int load_trusted_keys(struct klpb_ctx *ctx, const char *key, const char *keyring,
		      struct klpb_key ***keys, size_t *n);
void free_keys(struct klpb_key **keys, size_t n);

/* Read an Ed25519 private key (PEM PKCS#8) into [owned] *@k; reports errors. */
int load_private_key(struct klpb_ctx *ctx, const char *path, struct klpb_key **k);

#endif
