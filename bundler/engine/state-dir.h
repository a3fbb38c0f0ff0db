/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * state-dir.h - the state directory ($KLPB_STATE_DIR or --state-dir, default
 * /var/lib/klp-bundle, 0700, refused when group or others can write it):
 *
 *   journal              the transaction in progress (absent: none; journal.h)
 *   bundles/<module>.klpb  every bundle file an active bundle or its
 *                        predecessor came from (to re-apply it)
 *   active/<module>      one record per bundle klp-bundle applied
 *   installed/<name>.klpb  bundles applied at boot (apply --installed)
 *
 * The journal and the records are small "key=value" text files, written
 * with write_file_atomic() (temporary file, fsync, rename, fsync of the
 * directory), so a crash leaves either the old or the new version.
 * Every function returns 0 or a negative errno and never prints.
 */
#ifndef KLPB_ENGINE_STATE_DIR_H
#define KLPB_ENGINE_STATE_DIR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#pragma GCC poison u8 u16 u32 u64

#define SD_NAME_MAX 64

/* The state directory in use: --state-dir, $KLPB_STATE_DIR, or the default. */
const char *sd_dir(void);
void sd_set_dir(const char *dir);
/* Create (0700) or check the directory and its subdirectories: -EPERM when unsafe. */
int sd_open(bool create);
/* sd_dir()/@rel: [owned] (free()), NULL when out of memory. */
char *sd_path(const char *rel);

struct record {
	char module[SD_NAME_MAX];
	char name[SD_NAME_MAX];
	uint64_t version;
	char lineage[33];
	long long applied; /* seconds since the epoch */
	char previous[SD_NAME_MAX]; /* the module it replaced ("": none) */
	char *source; /* [owned] the file it was applied from (NULL: none) */
};

int record_write(const struct record *r);
/* Read active/@module into @r: release it with record_free(), also on failure. */
int record_read(const char *module, struct record *r);
void record_free(struct record *r);
int record_remove(const char *module);
/* Every record: [owned] *@out (record_list_free()); the count. */
int record_list(struct record **out);
void record_list_free(struct record *r, int n);

/* bundles/<module>.klpb: [owned] (free()), NULL when out of memory. */
char *sd_bundle_path(const char *module);
int sd_save_bundle(const char *module, const void *data, size_t len);
/* Remove bundles/<module>.klpb unless a record names it (active or previous). */
int sd_gc_bundle(const char *module);

/* Parse "key=value" lines: calls @fn for each; for tests and the readers. */
int kv_parse(char *text, int (*fn)(const char *k, const char *v, void *data), void *data);
/* Read the "key=value" file sd_dir()/@rel with kv_parse(); -ENOENT when absent. */
int sd_read_kv(const char *rel, int (*fn)(const char *k, const char *v, void *data), void *data);
/* Write @text to sd_dir()/@rel atomically (mode 0600). */
int sd_write_file(const char *rel, const void *text, size_t len);
/* Remove sd_dir()/@rel (absent is fine); with @sync, fsync the directory after. */
int sd_remove_file(const char *rel, bool sync);

#endif
