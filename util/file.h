/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * file.h - whole files in and out: one reader (capped, NUL-terminated) and
 * one atomic writer, for every layer above.
 *
 * Every function returns 0 or a negative errno and never prints.
 */
#ifndef KLPB_UTIL_FILE_H
#define KLPB_UTIL_FILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#pragma GCC poison u8 u16 u32 u64

/* The cap read_file() applies: no kernel image or module is near 1 GiB. */
#define READ_FILE_MAX ((size_t)1 << 30)

/*
 * Read @fd from its current offset to the end (regular files, pipes, sysfs
 * and procfs files alike).  Returns 0 with [owned] *@buf (free()) holding
 * *@len bytes followed by a NUL, or -EFBIG when there are more than @max
 * bytes, or another -errno.  *@buf and *@len are set only on success.
 */
int read_fd_capped(int fd, size_t max, uint8_t **buf, size_t *len);
/* Read the whole file at @path the same way (-ENOENT when it does not exist). */
int read_file_capped(const char *path, size_t max, uint8_t **buf, size_t *len);
/* read_file_capped() with READ_FILE_MAX. */
int read_file(const char *path, uint8_t **buf, size_t *len);

/* Write all @len bytes of @data to @fd, retrying short writes and EINTR. */
int write_all(int fd, const void *data, size_t len);
/*
 * Write @len bytes to @path atomically: a temporary file in the same
 * directory with @mode, fsync, then rename (or, with @no_replace, link:
 * fails with -EEXIST if @path exists), then fsync of the directory.  @path
 * is never left half-written and no temporary file is left behind.
 */
int write_file_atomic(const char *path, const void *data, size_t len, mode_t mode, bool no_replace);

/* A new directory "$TMPDIR/@prefix.XXXXXX" (default /tmp): [owned] *@dir. */
int make_temp_dir(const char *prefix, char **dir);
/* Remove @dir and everything under it (symbolic links are not followed). */
void remove_tree(const char *dir);

#endif
