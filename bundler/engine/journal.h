/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * journal.h - the state directory ($KLPB_STATE_DIR or --state-dir, default
 * /var/lib/klp-bundle, 0700, refused when group or others can write it):
 *
 *   journal              the transaction in progress (absent: none)
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
#ifndef KLPB_JOURNAL_H
#define KLPB_JOURNAL_H

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#define SD_PATH_MAX 3072
#define SD_NAME_MAX 64
#define SD_MAX_PREV 16

/* The state directory in use: --state-dir, $KLPB_STATE_DIR, or the default. */
const char *sd_dir(void);
void sd_set_dir(const char *dir);
/* Create (0700) or check the directory and its subdirectories: -EPERM when unsafe. */
int sd_open(bool create);
/* sd_dir()/@rel into @buf; returns @buf. */
const char *sd_path(char *buf, size_t size, const char *rel);

struct journal {
	char op[16];			/* apply, revert */
	char step[32];			/* the last step started (apply: begin, loaded, ...) */
	char module[SD_NAME_MAX];	/* the bundle applied or reverted */
	char prev[SD_MAX_PREV][SD_NAME_MAX];	/* apply: the active bundles it replaces;
						 * revert --to-previous: the one restored */
	int n_prev;
	bool check;			/* apply: a --check must pass before the commit */
	long pid;
	long long started;		/* seconds since the epoch */
};

int journal_write(const struct journal *j);
/* -ENOENT when there is no journal; -EBADMSG when it cannot be parsed. */
int journal_read(struct journal *j);
int journal_clear(void);
/* Set @j->step and write it. */
int journal_step(struct journal *j, const char *step);

struct record {
	char module[SD_NAME_MAX];
	char name[SD_NAME_MAX];
	uint64_t version;
	char lineage[33];
	long long applied;		/* seconds since the epoch */
	char previous[SD_NAME_MAX];	/* the module it replaced ("": none) */
	char source[1024];		/* the file it was applied from */
};

int record_write(const struct record *r);
int record_read(const char *module, struct record *r);
int record_remove(const char *module);
/* Every record: [owned] *@out (free()); the count. */
int record_list(struct record **out);

/* bundles/<module>.klpb */
const char *sd_bundle_path(char *buf, size_t size, const char *module);
int sd_save_bundle(const char *module, const void *data, size_t len);
/* Remove bundles/<module>.klpb unless a record names it (active or previous). */
int sd_gc_bundle(const char *module);

/* Parse "key=value" lines: calls @fn for each; for tests and the readers above. */
int kv_parse(char *text, int (*fn)(const char *k, const char *v, void *data), void *data);

#endif
