// SPDX-License-Identifier: GPL-2.0-or-later
/* lock.c - the system-wide lock; see lock.h. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include "engine/lock.h"

char *lock_path(void)
{
	const char *dir = getenv("KLPB_RUN_DIR");
	char *path;

	if (asprintf(&path, "%s/klp-bundle.lock", dir && *dir ? dir : "/run") < 0)
		return NULL;
	return path;
}

static pid_t read_holder(int fd)
{
	char buf[32] = "";
	ssize_t n = pread(fd, buf, sizeof(buf) - 1, 0);

	if (n <= 0)
		return 0;
	buf[n] = '\0';
	return (pid_t)strtol(buf, NULL, 10);
}

int lock_take(bool wait, pid_t *holder)
{
	char *path = lock_path(), pid[32];
	int fd, n;

	if (holder)
		*holder = 0;
	if (!path)
		return -ENOMEM;
	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0)
		fd = -errno;
	free(path);
	if (fd < 0)
		return fd;
	while (flock(fd, LOCK_EX | (wait ? 0 : LOCK_NB)) < 0) {
		int rc = -errno;

		if (rc == -EINTR)
			continue;
		if (rc == -EWOULDBLOCK && holder)
			*holder = read_holder(fd);
		close(fd);
		return rc == -EWOULDBLOCK ? -EBUSY : rc;
	}
	n = snprintf(pid, sizeof(pid), "%d\n", (int)getpid());
	/* the pid is only informative: a failure to write it is ignored */
	if (ftruncate(fd, 0) == 0 && pwrite(fd, pid, n, 0) != n)
		return fd;
	return fd;
}

void lock_release(int fd)
{
	if (fd < 0)
		return;
	if (ftruncate(fd, 0) == 0)
		close(fd);
	else
		close(fd);
}
