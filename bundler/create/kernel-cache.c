// SPDX-License-Identifier: GPL-2.0-or-later
/* kernel-cache.c - see kernel-cache.h. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "create/kernel-cache.h"
#include "klp-bundle/format.h"
#include "util/file.h"
#include "util/hex.h"

#define CACHE_MAGIC "klp-bundle kernel cache 3"

/* The cache directory: [owned] *@dir; -ENOENT when no variable names one. */
static int cache_dir(char **dir)
{
	const char *d = getenv("KLPB_CACHE_DIR"), *xdg = getenv("XDG_CACHE_HOME");
	const char *home = getenv("HOME");
	int n;

	if (d && *d)
		n = asprintf(dir, "%s", d);
	else if (xdg && *xdg)
		n = asprintf(dir, "%s/klp-bundle", xdg);
	else if (home && *home)
		n = asprintf(dir, "%s/.cache/klp-bundle", home);
	else
		return -ENOENT;
	if (n < 0) {
		*dir = NULL;
		return -ENOMEM;
	}
	return 0;
}

/* Where an image's entry is, and the identity line it must start with. */
struct cache_entry {
	char *dir;
	char *path;
	char *ident;
};

static void entry_free(struct cache_entry *e)
{
	free(e->dir);
	free(e->path);
	free(e->ident);
	*e = (struct cache_entry){ 0 };
}

/* [owned] @image's entry in *@e (free with entry_free(), also on failure). */
static int entry_for(const char *image, struct cache_entry *e)
{
	uint8_t md[KLPB_SHA256_LEN];
	char name[17];
	struct stat st;
	int rc;

	*e = (struct cache_entry){ 0 };
	if (stat(image, &st) < 0)
		return -errno;
	rc = cache_dir(&e->dir);
	if (rc)
		return rc;
	klpb_sha256(image, strlen(image), md);
	hex_encode(md, 8, name);
	if (asprintf(&e->path, "%s/kernel-%s", e->dir, name) < 0) {
		e->path = NULL;
		return -ENOMEM;
	}
	if (asprintf(&e->ident, "%s %s %llu %llu %lld %lld.%09ld\n", CACHE_MAGIC, image,
		     (unsigned long long)st.st_dev, (unsigned long long)st.st_ino,
		     (long long)st.st_size, (long long)st.st_mtim.tv_sec, st.st_mtim.tv_nsec) < 0) {
		e->ident = NULL;
		return -ENOMEM;
	}
	return 0;
}

int kernel_cache_get(const char *image, struct build_id *id, struct symtab **syms)
{
	char hexid[2 * BUILD_ID_MAX + 2], *line = NULL;
	struct cache_entry e;
	size_t cap = 0;
	FILE *f = NULL;
	int rc = -ENOENT;

	if (entry_for(image, &e) == 0)
		f = fopen(e.path, "re");
	if (f && getline(&line, &cap, f) > 0 && strcmp(line, e.ident) == 0 &&
	    fgets(hexid, sizeof(hexid), f)) {
		hexid[strcspn(hexid, "\n")] = '\0';
		id->len = strlen(hexid) / 2;
		if (id->len == KLPB_BUILD_ID_LEN && hex_decode(hexid, id->bytes, id->len) == 0)
			rc = syms ? symtab_read_lines(f, syms) : 0;
	}
	if (f)
		fclose(f);
	free(line);
	entry_free(&e);
	return rc ? -ENOENT : 0;
}

void kernel_cache_put(const char *image, const struct build_id *id, const struct symtab *syms)
{
	char hexid[2 * BUILD_ID_MAX + 1];
	struct cache_entry e;
	char *text = NULL;
	size_t len = 0;
	FILE *f;

	if (entry_for(image, &e))
		goto out;
	mkdir(e.dir, 0755);
	f = open_memstream(&text, &len);
	if (!f)
		goto out;
	hex_encode(id->bytes, id->len, hexid);
	fprintf(f, "%s%s\n", e.ident, hexid);
	symtab_write_lines(syms, f);
	if (fclose(f) == 0)
		write_file_atomic(e.path, text, len, 0600, false);
out:
	free(text);
	entry_free(&e);
}
