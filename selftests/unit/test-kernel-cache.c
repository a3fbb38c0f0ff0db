// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "create/kernel-cache.h"
#include "create/symbols.h"
#include "tap.h"

static char dir[] = "/tmp/test-kernel-cache.XXXXXX";

static void write_text(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	fputs(text, f);
	fclose(f);
}

/* The SYMTAB_* flags, and the order of equal names, survive the cache. */
static void test_flags(const char *image, const struct build_id *id)
{
	struct symtab *t = symtab_new(), *back = NULL;
	struct build_id got = {};

	symtab_add(t, "dup", 3, SYMTAB_FUNC | SYMTAB_NOTRACE);
	symtab_add(t, "start", 5, SYMTAB_FUNC | SYMTAB_INIT);
	symtab_add(t, "dup", 3, 0);
	symtab_add(t, "dup", 3, SYMTAB_FUNC);
	symtab_add(t, "gone", 4, SYMTAB_FUNC | SYMTAB_INIT | SYMTAB_UNLISTED);
	symtab_finish(t, &t);
	kernel_cache_put(image, id, t);
	is_int(kernel_cache_get(image, &got, &back), 0, "flags: a hit");
	is_int(back ? (int)symtab_flags(back, "dup", 1) : -1, SYMTAB_FUNC | SYMTAB_NOTRACE,
	       "flags: the first 'dup', without an ftrace location");
	is_int(back ? (int)symtab_flags(back, "dup", 2) : -1, 0, "flags: the second, data");
	is_int(back ? (int)symtab_flags(back, "dup", 3) : -1, SYMTAB_FUNC,
	       "flags: the third, a function");
	is_int(back ? (int)symtab_flags(back, "start", 1) : -1, SYMTAB_FUNC | SYMTAB_INIT,
	       "flags: __init");
	is_int(back ? (int)symtab_count(back, "gone") : -1, 0,
	       "flags: an unlisted symbol is not counted");
	is_int(back ? (int)symtab_flags(back, "gone", 0) : -1,
	       SYMTAB_FUNC | SYMTAB_INIT | SYMTAB_UNLISTED, "flags: but it is known");
	symtab_free(back);
	symtab_free(t);
}

int main(void)
{
	char image[300], map[300], cache[300], cmd[400];
	struct build_id id = { .len = 20 }, got = {};
	struct symtab *syms = NULL, *back = NULL;

	if (!mkdtemp(dir))
		return 99;
	snprintf(image, sizeof(image), "%s/vmlinuz", dir);
	snprintf(map, sizeof(map), "%s/map", dir);
	snprintf(cache, sizeof(cache), "%s/cache", dir);
	setenv("KLPB_CACHE_DIR", cache, 1);
	write_text(image, "not really a kernel");
	write_text(map, "1 T alpha\n2 t dup\n3 t dup\n4 T omega\n");
	memset(id.bytes, 0xab, 20);
	symtab_from_map(map, "vmlinux", &syms);

	is_int(kernel_cache_get(image, &got, NULL), -ENOENT, "an empty cache is a miss");
	kernel_cache_put(image, &id, syms);
	is_int(kernel_cache_get(image, &got, &back), 0, "after put: a hit");
	is_mem(got.bytes, id.bytes, 20, "the build-id comes back");
	is_int(got.len, 20, "20 bytes of it");
	is_int(back ? symtab_count(back, "dup") : 0, 2, "duplicate names come back as such");
	is_int(back ? symtab_size(back) : 0, 4, "every name comes back");
	symtab_free(back);
	back = NULL;
	test_flags(image, &id);

	sleep(1);
	write_text(image, "a new kernel of the same name");
	is_int(kernel_cache_get(image, &got, NULL), -ENOENT, "a rewritten image is a miss");
	kernel_cache_put(image, &id, syms);
	snprintf(cmd, sizeof(cmd), "sed -i '2s/.*/zz/' %s/kernel-*", cache);
	if (system(cmd) != 0)
		diag("sed failed");
	is_int(kernel_cache_get(image, &got, NULL), -ENOENT, "a corrupt entry is a miss");

	setenv("KLPB_CACHE_DIR", "/proc/no/such/dir", 1);
	kernel_cache_put(image, &id, syms);
	is_int(kernel_cache_get(image, &got, NULL), -ENOENT, "an unwritable cache is only a miss");
	symtab_free(syms);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	if (system(cmd) != 0)
		diag("cleanup failed");
	return done_testing();
}
