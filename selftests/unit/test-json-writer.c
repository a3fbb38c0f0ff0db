// SPDX-License-Identifier: GPL-2.0-or-later
#include <stdio.h>
#include <stdlib.h>

#include "common/json-writer.h"
#include "tap.h"

/* Run @fn on a writer over memory; return [owned] the document. */
static char *render(void (*fn)(struct json_writer *jw), bool pretty)
{
	char *doc = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&doc, &len);
	struct json_writer *jw = jw_new(f, pretty);

	fn(jw);
	jw_free(jw);
	fclose(f);
	return doc;
}

static void nested(struct json_writer *jw)
{
	jw_start_object(jw);
	jw_string_field(jw, "name", "fix");
	jw_uint_field(jw, "version", 18446744073709551615ULL);
	jw_int_field(jw, "delta", -3);
	jw_bool_field(jw, "replace", true);
	jw_null_field(jw, "none");
	jw_hex_field(jw, "id", "\x00\xab", 2);
	jw_name(jw, "list");
	jw_start_array(jw);
	jw_uint(jw, 1);
	jw_start_object(jw);
	jw_end_object(jw);
	jw_start_array(jw);
	jw_end_array(jw);
	jw_end_array(jw);
	jw_end_object(jw);
}

static void escapes(struct json_writer *jw)
{
	jw_start_array(jw);
	jw_string(jw, "q\"b\\n\n\t\x01\x7f");
	jw_string(jw, "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x90\xa7");
	jw_string(jw, "bad \xff \xc0\xaf \xed\xa0\x80 \xe2\x82");
	jw_string_len(jw, "a\0b", 3);
	jw_string(jw, NULL);
	jw_end_array(jw);
}

static void pretty_doc(struct json_writer *jw)
{
	jw_start_object(jw);
	jw_name(jw, "a");
	jw_start_array(jw);
	jw_uint(jw, 1);
	jw_uint(jw, 2);
	jw_end_array(jw);
	jw_end_object(jw);
}

struct point {
	int x, y;
};

static void point_fields(struct json_writer *jw, const void *item)
{
	const struct point *p = item;

	jw_int_field(jw, "x", p->x);
	jw_int_field(jw, "y", p->y);
}

static void object_arrays(struct json_writer *jw)
{
	static const struct point pts[] = { { 1, 2 }, { -3, 4 } };

	jw_start_object(jw);
	jw_object_array_field(jw, "none", NULL, 0, sizeof(pts[0]), point_fields);
	jw_object_array_field(jw, "points", pts, 2, sizeof(pts[0]), point_fields);
	jw_end_object(jw);
}

int main(void)
{
	char *s;

	s = render(nested, false);
	is_str(s,
	       "{\"name\":\"fix\",\"version\":18446744073709551615,\"delta\":-3,"
	       "\"replace\":true,\"none\":null,\"id\":\"00ab\",\"list\":[1,{},[]]}\n",
	       "nested objects and arrays, every value type, keys in order");
	free(s);

	s = render(escapes, false);
	is_str(s,
	       "[\"q\\\"b\\\\n\\n\\t\\u0001\\u007f\","
	       "\"caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x90\xa7\","
	       "\"bad \\ufffd \\ufffd\\ufffd \\ufffd\\ufffd\\ufffd \\ufffd\\ufffd\","
	       "\"a\\u0000b\",null]\n",
	       "escapes, valid UTF-8 kept, invalid bytes become U+FFFD, NUL escaped");
	free(s);

	s = render(object_arrays, false);
	is_str(s, "{\"none\":[],\"points\":[{\"x\":1,\"y\":2},{\"x\":-3,\"y\":4}]}\n",
	       "jw_object_array_field: one object per item, fields in order; empty");
	free(s);

	s = render(pretty_doc, true);
	is_str(s, "{\n  \"a\": [\n    1,\n    2\n  ]\n}\n", "pretty output indents by two");
	free(s);
	return done_testing();
}
