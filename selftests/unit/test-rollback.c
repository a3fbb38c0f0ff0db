// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The userspace half of the one-transition rollback: which klp_states block
 * an older bundle from replacing a newer one (eng_states_blocking), the
 * klp_states a module image declares (module_klp_states), and the module
 * parameters ld_insert() hands to finit_module (syscall() interposed).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "engine/restore.h"
#include "sys/kernel-info.h"
#include "sys/loader.h"
#include "tap.h"
#include "util/file.h"

/* This program is an ELF image with a KLPB_STATE section, like a transaction module. */
static const struct klpb_state_decl my_states[] __attribute__((used, section(".klpb.states"))) = {
	{ .id = 0x5354, .version = 1 },
	{ .id = 0x42, .version = 7 },
};

/* ---- syscall(): finit_module recorded, not made ---- */

static char finit_params[256];
static int finit_calls;

long syscall(long nr, ...)
{
	va_list ap;

	va_start(ap, nr);
	if (nr == SYS_finit_module) {
		(void)va_arg(ap, int);
		snprintf(finit_params, sizeof(finit_params), "%s", va_arg(ap, const char *));
		finit_calls++;
	}
	va_end(ap);
	if (nr == SYS_finit_module)
		return 0;
	errno = ENOSYS;
	return -1;
}

static void test_params(void)
{
	static const char ko[] = "not really a module";

	is_int(ld_insert(ko, sizeof(ko), "m", NULL, 0), 0, "ld_insert without parameters");
	is_str(finit_params, "", "finit_module gets \"\" for none");
	is_int(ld_insert(ko, sizeof(ko), "m", "klpb_rollback_from=2", 0), 0,
	       "ld_insert with a parameter");
	is_str(finit_params, "klpb_rollback_from=2", "finit_module gets the parameter string");
	is_int(finit_calls, 2, "one finit_module per load");
}

/* ---- eng_states_blocking ---- */

#define N(a) (sizeof(a) / sizeof((a)[0]))

static void test_blocking(void)
{
	static const struct klpb_state a1[] = { { 1, 1 } }, a2[] = { { 1, 2 } },
				       b1[] = { { 2, 1 } }, a1b2[] = { { 1, 1 }, { 2, 2 } },
				       a1b1[] = { { 1, 1 }, { 2, 1 } };

	ok(!eng_states_blocking(NULL, 0, NULL, 0, true), "no states: nothing blocks");
	ok(!eng_states_blocking(NULL, 0, a1, N(a1), true), "only the older has states: fine");
	ok(eng_states_blocking(a1, N(a1), NULL, 0, true) == &a1[0],
	   "a state the older cumulative bundle lacks blocks it");
	ok(!eng_states_blocking(a1, N(a1), NULL, 0, false), "a stacked older bundle may lack it");
	ok(eng_states_blocking(a2, N(a2), a1, N(a1), true) == &a2[0],
	   "a lower version in the older bundle blocks it");
	ok(eng_states_blocking(a2, N(a2), a1, N(a1), false) == &a2[0],
	   "a lower version blocks a stacked older bundle too");
	ok(!eng_states_blocking(a1, N(a1), a2, N(a2), true), "the same id, a higher version: fine");
	ok(!eng_states_blocking(a1, N(a1), a1, N(a1), true), "the same id and version: fine");
	ok(eng_states_blocking(a1, N(a1), b1, N(b1), true) == &a1[0], "another id does not count");
	ok(eng_states_blocking(a1b2, N(a1b2), a1b1, N(a1b1), true) == &a1b2[1],
	   "the first blocking state is named");
}

/* ---- module_klp_states ---- */

static void test_module_states(void)
{
	struct klpb_state *st = NULL;
	uint8_t *buf = NULL;
	size_t len = 0, n = 9;

	if (read_file("/proc/self/exe", &buf, &len) < 0) {
		skip("cannot read /proc/self/exe", "module_klp_states");
		return;
	}
	is_int(module_klp_states(buf, len, &st, &n), 0, "the states of an ELF image are read");
	is_int(n, 2, "both KLPB_STATE entries");
	ok(n == 2 && st[0].id == 0x5354 && st[0].version == 1 && st[1].id == 0x42 &&
		   st[1].version == 7,
	   "with their ids and versions, in order");
	free(st);
	free(buf);
	buf = NULL;
	if (read_file("/bin/sh", &buf, &len) == 0) {
		is_int(module_klp_states(buf, len, &st, &n), 0, "an image without the section");
		is_int(n, 0, "has no states");
		free(st);
	}
	free(buf);
	is_int(module_klp_states("no elf", 6, &st, &n), -EBADMSG, "no ELF image: -EBADMSG");
}

int main(void)
{
	test_params();
	test_blocking();
	test_module_states();
	return done_testing();
}
