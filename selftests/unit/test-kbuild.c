// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * test-kbuild - the build directory kbuild_start() writes
 * (bundler/create/kbuild.c): the Kbuild file's object list with extra
 * objects, and the extra files (klpb_diff_N.o_shipped) byte for byte.  make
 * runs against an empty "kernel tree", so it fails at once; the directory
 * is kept (keep_dir) for the checks.  The real builds: t0205, t0206.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "create/kbuild.h"
#include "tap.h"
#include "util/file.h"

static char dir[] = "/tmp/test-kbuild.XXXXXX";

static char *read_in(const char *sub, const char *name, size_t *len)
{
	char path[256];
	uint8_t *data = NULL;

	snprintf(path, sizeof(path), "%s/%s/%s", dir, sub, name);
	if (read_file(path, &data, len) != 0)
		return NULL;
	return (char *)data;
}

int main(void)
{
	static const uint8_t shipped[] = { 0x7f, 'E', 'L', 'F', 0, 1, 2, 0xff };
	struct source_file src = { "p.c", (uint8_t *)"int x;\n", 7 };
	struct source_file extra = { "klpb_diff_0.o_shipped", (uint8_t *)shipped, sizeof(shipped) };
	struct source_file bad = { "../escape.o_shipped", (uint8_t *)shipped, sizeof(shipped) };
	const char *const objs[] = { "klpb_diff_0.o" };
	char kdir[64], keep[64], *text, *log = NULL;
	struct klpb_buf ko = { 0 };
	struct kbuild_proc p;
	struct kbuild_job job;
	size_t len;
	int rc;

	if (!mkdtemp(dir)) {
		skip("no temporary directory", "all");
		return done_testing();
	}
	snprintf(kdir, sizeof(kdir), "%s/kdir", dir);
	snprintf(keep, sizeof(keep), "%s/build", dir);
	mkdir(kdir, 0755);
	job = (struct kbuild_job){
		.kdir = kdir,
		.runtime_dir = "/klp-bundle/kernel",
		.module_name = "klpb_t_v1",
		.sources = &src,
		.n_sources = 1,
		.desc = "/* desc */\n",
		.core = { (const uint8_t *)"core", 4 },
		.keep_dir = keep,
		.extra_files = &extra,
		.n_extra_files = 1,
		.extra_objs = objs,
		.n_extra_objs = 1,
	};

	rc = kbuild_start(&job, &p);
	is_int(rc, 0, "the build starts");
	if (!rc) {
		is_int(kbuild_finish(&p, &ko, &log), -ENOEXEC, "and fails: the tree is empty");
		free(log);
		kbuild_abort(&p);
	}
	text = read_in("build", "Kbuild", &len);
	ok(text && strstr(text, "\nKLPB_PATCH_OBJS := p.o klpb_diff_0.o\n"),
	   "KLPB_PATCH_OBJS: the source's object, then the extra one");
	free(text);
	text = read_in("build", "klpb_diff_0.o_shipped", &len);
	ok(text && len == sizeof(shipped) && memcmp(text, shipped, len) == 0,
	   "the extra file, byte for byte");
	free(text);

	job.extra_files = &bad;
	snprintf(keep, sizeof(keep), "%s/build2", dir);
	is_int(kbuild_start(&job, &p), -EINVAL, "an extra file name with a '/' is refused");
	{
		char cmd[128];

		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
		if (system(cmd) != 0)
			diag("cannot remove %s", dir);
	}
	return done_testing();
}
