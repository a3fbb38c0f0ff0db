// SPDX-License-Identifier: LGPL-2.1-or-later
/* tap-sample - a TAP producer in a chosen state, for test-tap. Not run by prove. */
#include <string.h>

#include "tap.h"

int main(int argc, char **argv)
{
	const char *mode = argc > 1 ? argv[1] : "";

	if (strcmp(mode, "plan-short") == 0)
		tap_plan(3);
	ok(1, "first");
	if (strcmp(mode, "fail-ok") == 0)
		ok(0, "a failing ok");
	if (strcmp(mode, "fail-int") == 0)
		is_int(41, 42, "a failing is_int");
	if (strcmp(mode, "fail-str") == 0)
		is_str("a", "b", "a failing is_str");
	if (strcmp(mode, "fail-mem") == 0)
		is_mem("ab", "ac", 2, "a failing is_mem");
	if (strcmp(mode, "skip") == 0)
		skip("no reason", "a skipped check");
	is_str("same", "same", "last");
	return done_testing();
}
