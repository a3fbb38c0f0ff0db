/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * print.h - output pieces that several commands print the same way.
 */
#ifndef KLPB_CMD_PRINT_H
#define KLPB_CMD_PRINT_H

#include "common/json-writer.h"

/*
 * The fields of one requires/conflicts entry (struct klpb_dep *@item), for
 * jw_object_array_field(): name, min_version, max_version (null: none).
 */
void print_dep_json(struct json_writer *jw, const void *item);

#endif
