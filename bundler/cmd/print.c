// SPDX-License-Identifier: GPL-2.0-or-later
/* print.c - output pieces shared by the commands; see print.h. */
#include "cmd/print.h"
#include "klp-bundle/format.h"

void print_dep_json(struct json_writer *jw, const void *item)
{
	const struct klpb_dep *d = item;

	jw_string_field(jw, "name", d->name);
	jw_uint_field(jw, "min_version", d->min_version);
	if (d->has_max)
		jw_uint_field(jw, "max_version", d->max_version);
	else
		jw_null_field(jw, "max_version");
}
