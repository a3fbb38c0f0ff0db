// SPDX-License-Identifier: GPL-2.0-or-later
/* kernel-cache.c - see kernel-cache.h. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "create/kernel-cache.h"
#include "klp-bundle/format.h"
#include "util/hex.h"

#define CACHE_MAGIC "klp-bundle kernel cache 2"

static int cache_dir(char *out, size_t size)
{
	const char *d = getenv("KLPB_CACHE_DIR"), *xdg = getenv("XDG_CACHE_HOME");
	const char *home = getenv("HOME");

	if (d && *d)
		snprintf(out, size, "%s", d);
	else if (xdg && *xdg)
		snprintf(out, size, "%s/klp-bundle", xdg);
	else if (home && *home)
		snprintf(out, size, "%s/.cache/klp-bundle", home);
	else
		return -ENOENT;
	return 0;
}

/* The entry's path and the identity line it must start with. */
static int entry_for(const char *image, char *path, size_t path_size, char *ident,
		     size_t ident_size)
{
	uint8_t md[KLPB_SHA256_LEN];
	char dir[4096], name[17];
	struct stat st;
	int err;

	if (stat(image, &st) < 0)
		return -errno;
	err = cache_dir(dir, sizeof(dir));
	if (err)
		return err;
	klpb_sha256(image, strlen(image), md);
	hex_encode(md, 8, name);
	snprintf(path, path_size, "%s/kernel-%s", dir, name);
	snprintf(ident, ident_size, "%s %s %llu %llu %lld %lld.%09ld\n", CACHE_MAGIC, image,
		 (unsigned long long)st.st_dev, (unsigned long long)st.st_ino,
		 (long long)st.st_size, (long long)st.st_mtim.tv_sec, st.st_mtim.tv_nsec);
	return 0;
}

int kernel_cache_get(const char *image, struct build_id *id, struct symtab **syms)
{
	char path[4200], ident[4400], line[4400], hexid[2 * BUILD_ID_MAX + 2];
	FILE *f;
	int err;

	err = entry_for(image, path, sizeof(path), ident, sizeof(ident));
	if (err)
		return -ENOENT;
	f = fopen(path, "re");
	if (!f)
		return -ENOENT;
	err = -ENOENT;
	if (fgets(line, sizeof(line), f) && strcmp(line, ident) == 0 &&
	    fgets(hexid, sizeof(hexid), f)) {
		hexid[strcspn(hexid, "\n")] = '\0';
		id->len = strlen(hexid) / 2;
		if (id->len == KLPB_BUILD_ID_LEN && hex_decode(hexid, id->bytes, id->len) == 0)
			err = syms ? symtab_read_lines(f, syms) : 0;
	}
	fclose(f);
	return err ? -ENOENT : 0;
}

void kernel_cache_put(const char *image, const struct build_id *id, const struct symtab *syms)
{
	char path[4200], ident[4400], tmp[4300], dir[4096], hexid[2 * BUILD_ID_MAX + 1];
	FILE *f;
	int fd;

	if (entry_for(image, path, sizeof(path), ident, sizeof(ident)) || cache_dir(dir, sizeof(dir)))
		return;
	mkdir(dir, 0755);
	snprintf(tmp, sizeof(tmp), "%s.XXXXXX", path);
	fd = mkstemp(tmp);
	if (fd < 0)
		return;
	f = fdopen(fd, "w");
	if (!f) {
		close(fd);
		unlink(tmp);
		return;
	}
	hex_encode(id->bytes, id->len, hexid);
	fprintf(f, "%s%s\n", ident, hexid);
	symtab_write_lines(syms, f);
	if (fflush(f) != 0 || fsync(fd) != 0 || fclose(f) != 0 || rename(tmp, path) != 0)
		unlink(tmp);
}
