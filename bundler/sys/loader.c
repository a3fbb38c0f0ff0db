// SPDX-License-Identifier: GPL-2.0-or-later
/* loader.c - module loading and removal; see loader.h. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "sys/loader.h"
#include "util/file.h"
#include "util/time.h"

static int memfd_with(const void *data, size_t len, const char *name)
{
	char label[80];
	int fd, rc;

	snprintf(label, sizeof(label), "klp-bundle:%s", name);
	fd = memfd_create(label, MFD_CLOEXEC | MFD_ALLOW_SEALING);
	if (fd < 0)
		return -errno;
	rc = write_all(fd, data, len);
	if (rc < 0) {
		close(fd);
		return rc;
	}
	/* nothing can change the bytes the kernel reads from now on */
	if (fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE | F_SEAL_SEAL) < 0) {
		rc = -errno;
		close(fd);
		return rc;
	}
	return fd;
}

int ld_insert(const void *ko, size_t len, const char *name, const char *params, int busy_ms)
{
	long long deadline = now_ms() + busy_ms;
	int fd = memfd_with(ko, len, name), rc;

	if (fd < 0)
		return fd;
	for (;;) {
		rc = syscall(SYS_finit_module, fd, params ? params : "", 0) < 0 ? -errno : 0;
		if (rc != -EBUSY || now_ms() >= deadline)
			break;
		sleep_ms(100);
	}
	close(fd);
	return rc;
}

int ld_remove(const char *name, int wait_ms)
{
	long long deadline = now_ms() + wait_ms;
	int rc;

	for (;;) {
		rc = syscall(SYS_delete_module, name, O_NONBLOCK) < 0 ? -errno : 0;
		if (rc == -ENOENT)
			return 0;
		if (rc != -EAGAIN && rc != -EWOULDBLOCK)
			return rc;
		if (now_ms() >= deadline)
			return rc;
		sleep_ms(10);
	}
}
