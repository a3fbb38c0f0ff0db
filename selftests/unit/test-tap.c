// SPDX-License-Identifier: LGPL-2.1-or-later
/* test-tap - the TAP harness's own tests: a failing check fails the run. */
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tap.h"

static char sample[PATH_MAX];

/* Run tap-sample MODE; return its exit status, its output in @out. */
static int run_sample(const char *mode, char *out, size_t size)
{
	char cmd[PATH_MAX + 64];
	size_t n;
	FILE *p;
	int st;

	snprintf(cmd, sizeof(cmd), "'%s' %s", sample, mode);
	p = popen(cmd, "r");
	if (!p)
		return -1;
	n = fread(out, 1, size - 1, p);
	out[n] = '\0';
	st = pclose(p);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

int main(void)
{
	static const char *const fails[] = { "fail-ok", "fail-int", "fail-str", "fail-mem" };
	char self[PATH_MAX], out[4096];
	ssize_t n;

	n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (n < 0)
		return 99;
	self[n] = '\0';
	snprintf(sample, sizeof(sample), "%s/tap-sample", dirname(self));

	is_int(run_sample("pass", out, sizeof(out)), 0, "all checks passing exits 0");
	ok(strstr(out, "ok 1 - first\nok 2 - last\n1..2\n") != NULL, "numbered lines, plan last");

	for (size_t i = 0; i < sizeof(fails) / sizeof(fails[0]); i++) {
		is_int(run_sample(fails[i], out, sizeof(out)), 1, "%s makes the run fail",
		       fails[i]);
		ok(strstr(out, "not ok 2 - ") && strstr(out, "#   failed at "),
		   "%s prints 'not ok' and where", fails[i]);
	}
	ok(strstr(out, "not ok") && !strstr(out, "not ok 3"), "only the failing check is not ok");

	is_int(run_sample("skip", out, sizeof(out)), 0, "a skip does not fail the run");
	ok(strstr(out, "ok 2 - a skipped check # SKIP no reason\n") && !strstr(out, "not ok"),
	   "a skip is 'ok N - desc # SKIP reason'");

	is_int(run_sample("plan-short", out, sizeof(out)), 1,
	       "running fewer tests than planned fails");
	ok(strncmp(out, "1..3\n", 5) == 0, "an explicit plan comes first");
	return done_testing();
}
