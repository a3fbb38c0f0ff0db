// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * units-run - units_build() on a prepared source tree, for trying
 * bundler/create/units.c by hand.  Not a test: prove does not run it.
 *
 *   units-run TREE WORKDIR FIX.patch... [-u UNIT.c]...
 *
 * Prints one line per unit: path, object, original and patched objects.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/ctx.h"
#include "create/units.h"
#include "util/file.h"

int main(int argc, char **argv)
{
	struct klpb_ctx ctx = { .verbose = getenv("V") ? 1 : 0 };
	struct patch_input in[32];
	char *named[32];
	size_t n_in = 0, n_named = 0, n_units, i;
	struct unit *units;
	int k, rc;

	if (argc < 4) {
		fprintf(stderr, "usage: units-run TREE WORKDIR FIX.patch... [-u UNIT.c]...\n");
		return 2;
	}
	for (k = 3; k < argc; k++) {
		uint8_t *buf;
		size_t len;

		if (!strcmp(argv[k], "-u") && k + 1 < argc && n_named < 32) {
			named[n_named++] = argv[++k];
			continue;
		}
		if (n_in == 32 || read_file(argv[k], &buf, &len)) {
			fprintf(stderr, "units-run: cannot read %s\n", argv[k]);
			return 1;
		}
		in[n_in++] = (struct patch_input){ argv[k], (char *)buf, len };
	}
	rc = units_build(&ctx, argv[1], NULL, in, n_in, named, n_named, argv[2], &units, &n_units);
	for (i = 0; !rc && i < n_units; i++)
		printf("%s %s %s %s\n", units[i].path, units[i].object, units[i].orig_o,
		       units[i].patched_o);
	if (!rc)
		units_free(units, n_units);
	for (i = 0; i < n_in; i++)
		free((void *)in[i].text);
	return rc ? 1 : 0;
}
