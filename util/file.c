// SPDX-License-Identifier: LGPL-2.1-or-later
/* file.c - whole-file reading and atomic writing; see file.h. */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/file.h"

/* The first allocation when the file's size is unknown (sysfs, procfs, pipes). */
#define READ_CHUNK 4096

/*
 * Bytes to allocate first: the size fstat() reports plus one, so that the
 * read seeing the end fits, plus the NUL.  Never more than @max + 2: reads
 * stop at @max + 1 bytes, which is enough to tell the file is too large.
 */
static size_t first_alloc(int fd, size_t max)
{
	struct stat st;
	size_t hint = READ_CHUNK;

	if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0 &&
	    (uint64_t)st.st_size < SIZE_MAX - 2)
		hint = (size_t)st.st_size + 2;
	return hint < max + 2 ? hint : max + 2;
}

/* Make room at *@p (of *@alloc bytes) for more data, up to @max + 2 bytes. */
static int grow_buffer(uint8_t **p, size_t *alloc, size_t max)
{
	size_t n = *alloc < (max + 2) / 2 ? *alloc * 2 : max + 2;
	uint8_t *np = realloc(*p, n);

	if (!np)
		return -ENOMEM;
	*p = np;
	*alloc = n;
	return 0;
}

int read_fd_capped(int fd, size_t max, uint8_t **buf, size_t *len)
{
	size_t alloc, n = 0;
	uint8_t *p;
	int rc = 0;

	if (max > SIZE_MAX / 2)
		max = SIZE_MAX / 2;
	alloc = first_alloc(fd, max);
	p = malloc(alloc);
	if (!p)
		return -ENOMEM;
	for (;;) {
		ssize_t r;

		if (n + 1 == alloc) {
			rc = grow_buffer(&p, &alloc, max);
			if (rc < 0)
				break;
		}
		r = read(fd, p + n, alloc - 1 - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			rc = r < 0 ? -errno : 0;
			break;
		}
		n += r;
		if (n > max) {
			rc = -EFBIG;
			break;
		}
	}
	if (rc < 0) {
		free(p);
		return rc;
	}
	p[n] = '\0';
	*buf = p;
	*len = n;
	return 0;
}

int read_file_capped(const char *path, size_t max, uint8_t **buf, size_t *len)
{
	struct stat st;
	int fd = open(path, O_RDONLY | O_CLOEXEC), rc;

	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && (uint64_t)st.st_size > max)
		rc = -EFBIG;
	else
		rc = read_fd_capped(fd, max, buf, len);
	close(fd);
	return rc;
}

int read_file(const char *path, uint8_t **buf, size_t *len)
{
	return read_file_capped(path, READ_FILE_MAX, buf, len);
}

int write_all(int fd, const void *data, size_t len)
{
	const char *p = data;

	while (len) {
		ssize_t n = write(fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		p += n;
		len -= n;
	}
	return 0;
}

static int fsync_dir_of(const char *path)
{
	char *copy = strdup(path);
	int fd, rc = 0;

	if (!copy)
		return -ENOMEM;
	fd = open(dirname(copy), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	free(copy);
	if (fd < 0)
		return -errno;
	if (fsync(fd) < 0 && errno != EINVAL)
		rc = -errno;
	close(fd);
	return rc;
}

/* Fill the open temporary file @fd: mode, data, fsync, close (always). */
static int write_temp(int fd, const void *data, size_t len, mode_t mode)
{
	int rc = fchmod(fd, mode) < 0 ? -errno : 0;

	if (rc == 0)
		rc = write_all(fd, data, len);
	if (rc == 0 && fsync(fd) < 0)
		rc = -errno;
	if (close(fd) < 0 && rc == 0)
		rc = -errno;
	return rc;
}

int write_file_atomic(const char *path, const void *data, size_t len, mode_t mode, bool no_replace)
{
	char *tmp = NULL;
	int fd, rc;

	if (asprintf(&tmp, "%s.tmpXXXXXX", path) < 0)
		return -ENOMEM;
	fd = mkostemp(tmp, O_CLOEXEC);
	if (fd < 0) {
		rc = -errno;
		free(tmp);
		return rc;
	}
	rc = write_temp(fd, data, len, mode);
	if (rc == 0 && no_replace)
		rc = link(tmp, path) < 0 ? -errno : 0;
	else if (rc == 0)
		rc = rename(tmp, path) < 0 ? -errno : 0;
	if (rc < 0 || no_replace)
		unlink(tmp);
	free(tmp);
	return rc < 0 ? rc : fsync_dir_of(path);
}

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

int make_temp_dir(const char *prefix, char **dir)
{
	const char *tmp = getenv("TMPDIR");

	if (asprintf(dir, "%s/%s.XXXXXX", tmp && *tmp ? tmp : "/tmp", prefix) < 0) {
		*dir = NULL;
		return -ENOMEM;
	}
	if (mkdtemp(*dir))
		return 0;
	free(*dir);
	*dir = NULL;
	return -errno;
}

void remove_tree(const char *dir)
{
	nftw(dir, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
}
