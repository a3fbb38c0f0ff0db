// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * srctree-prepare - run srctree_open() for one release, as create --patch
 * does, and print the prepared tree: for trying the source cache on a real
 * kernel (and timing it).  Not a test: prove does not run it.
 *
 *   srctree-prepare RELEASE [KDIR [SOURCE_DIR]]
 *
 * KDIR defaults to /lib/modules/RELEASE/build.  The cache is
 * $KLPB_CACHE_DIR or /var/cache/klp-bundle.  Prints "release", "version",
 * "cc", "dir" and "make" (its variables) lines on stdout; exits 1 on failure (reported on stderr).
 */
#include <stdio.h>
#include <stdlib.h>

#include "create/srctree.h"

int main(int argc, char **argv)
{
	struct klpb_ctx ctx = { 0 };
	struct srctree t;
	char kdir[4096];
	int rc;

	if (argc < 2 || argc > 4) {
		fprintf(stderr, "usage: srctree-prepare RELEASE [KDIR [SOURCE_DIR]]\n");
		return 2;
	}
	snprintf(kdir, sizeof(kdir), "/lib/modules/%s/build", argv[1]);
	rc = srctree_open(&ctx, argv[1], argc > 2 ? argv[2] : kdir, argc > 3 ? argv[3] : NULL, &t);
	if (rc)
		return 1;
	printf("release %s\nversion %s\ncc %s\ndir %s\nmake", t.release, t.version, t.cc, t.dir);
	for (int i = 0; t.make_vars[i]; i++)
		printf(" %s", t.make_vars[i]);
	printf("\n");
	srctree_free(&t);
	return 0;
}
