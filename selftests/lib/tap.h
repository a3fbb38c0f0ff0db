/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * tap.h - a tiny TAP producer for klp-bundle's C unit tests.
 *
 * Each test binary prints "ok N - desc" / "not ok N - desc" lines, a
 * "1..N" plan, and exits non-zero when a check failed, so prove(1) reads it.
 * A skip is "ok N - desc # SKIP reason" (never "not ok", which prove counts
 * as a failure).  Failed checks print a "# file:line: ..." diagnostic.
 */
#ifndef KLPB_TAP_H
#define KLPB_TAP_H

#include <stdbool.h>

void tap_plan(int n);
bool tap_ok_at(bool pass, const char *file, int line, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
bool tap_is_int_at(long long got, long long want, const char *file, int line, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));
bool tap_is_str_at(const char *got, const char *want, const char *file, int line, const char *fmt,
		   ...) __attribute__((format(printf, 5, 6)));
bool tap_is_mem_at(const void *got, const void *want, unsigned long len, const char *file, int line,
		   const char *fmt, ...) __attribute__((format(printf, 6, 7)));
void tap_skip(const char *reason, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void tap_diag(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Print the plan if none was given; return the exit status for main(). */
int tap_done(void);

#define ok(cond, ...) tap_ok_at(!!(cond), __FILE__, __LINE__, __VA_ARGS__)
#define is_int(got, want, ...) \
	tap_is_int_at((long long)(got), (long long)(want), __FILE__, __LINE__, __VA_ARGS__)
#define is_str(got, want, ...) tap_is_str_at((got), (want), __FILE__, __LINE__, __VA_ARGS__)
#define is_mem(got, want, len, ...) \
	tap_is_mem_at((got), (want), (len), __FILE__, __LINE__, __VA_ARGS__)
#define skip(reason, ...) tap_skip((reason), __VA_ARGS__)
#define diag(...) tap_diag(__VA_ARGS__)
#define done_testing() tap_done()

#endif
