// SPDX-License-Identifier: GPL-2.0-or-later
/* spawn.c - see spawn.h. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "sys/spawn.h"

int spawn_logged(char *const argv[], const char *cwd, const char *log_path, pid_t *pid)
{
	int fd = open(log_path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);

	if (fd < 0)
		return -errno;
	*pid = fork();
	if (*pid < 0) {
		close(fd);
		return -errno;
	}
	if (*pid == 0) {
		setpgid(0, 0);
		dup2(fd, STDOUT_FILENO);
		dup2(fd, STDERR_FILENO);
		if (cwd && chdir(cwd) < 0) {
			dprintf(fd, "cannot enter '%s': %s\n", cwd, strerror(errno));
			_exit(127);
		}
		execvp(argv[0], argv);
		dprintf(fd, "cannot run '%s': %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	setpgid(*pid, *pid);
	close(fd);
	return 0;
}

int wait_logged(pid_t pid)
{
	int status;

	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -errno;
	return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -ENOEXEC;
}

int run_logged(char *const argv[], const char *cwd, const char *log_path)
{
	pid_t pid;
	int rc = spawn_logged(argv, cwd, log_path, &pid);

	return rc ? rc : wait_logged(pid);
}
