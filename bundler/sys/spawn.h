/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * spawn.h - run the build tools create drives (make, gcc, tar, apt-get):
 * each in its own process group, so that it can be stopped with all its
 * children, with its output appended to a log file.
 */
#ifndef KLPB_SYS_SPAWN_H
#define KLPB_SYS_SPAWN_H

#include <sys/types.h>

/*
 * Start @argv (searched in $PATH) in directory @cwd (NULL: the current
 * one) with stdout and stderr appended to @log_path, in a new process
 * group led by *@pid.  Returns 0 or a negative errno.
 */
int spawn_logged(char *const argv[], const char *cwd, const char *log_path, pid_t *pid);
/* Wait for @pid: 0 if it exited 0, -ENOEXEC otherwise (or -errno). */
int wait_logged(pid_t pid);
/* spawn_logged() then wait_logged(). */
int run_logged(char *const argv[], const char *cwd, const char *log_path);

#endif
