// SPDX-License-Identifier: LGPL-2.1-or-later
/* tap.c - see tap.h. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "tap.h"

static int tap_count;
static int tap_failed;
static int tap_planned = -1;

void tap_plan(int n)
{
	tap_planned = n;
	printf("1..%d\n", n);
	fflush(stdout);
}

static bool report(bool pass, const char *file, int line, const char *directive, const char *fmt,
		   va_list ap) __attribute__((format(printf, 5, 0)));

static bool report(bool pass, const char *file, int line, const char *directive, const char *fmt,
		   va_list ap)
{
	tap_count++;
	printf("%sok %d - ", pass ? "" : "not ", tap_count);
	vprintf(fmt, ap);
	if (directive)
		printf(" # %s", directive);
	putchar('\n');
	if (!pass) {
		tap_failed++;
		printf("#   failed at %s:%d\n", file, line);
	}
	fflush(stdout);
	return pass;
}

bool tap_ok_at(bool pass, const char *file, int line, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	pass = report(pass, file, line, NULL, fmt, ap);
	va_end(ap);
	return pass;
}

bool tap_is_int_at(long long got, long long want, const char *file, int line, const char *fmt, ...)
{
	va_list ap;
	bool pass;

	va_start(ap, fmt);
	pass = report(got == want, file, line, NULL, fmt, ap);
	va_end(ap);
	if (!pass)
		printf("#   got: %lld\n#   expected: %lld\n", got, want);
	return pass;
}

bool tap_is_str_at(const char *got, const char *want, const char *file, int line, const char *fmt,
		   ...)
{
	bool same = got == want || (got && want && strcmp(got, want) == 0);
	va_list ap;

	va_start(ap, fmt);
	report(same, file, line, NULL, fmt, ap);
	va_end(ap);
	if (!same)
		printf("#   got: '%s'\n#   expected: '%s'\n", got ? got : "(null)",
		       want ? want : "(null)");
	return same;
}

bool tap_is_mem_at(const void *got, const void *want, unsigned long len, const char *file, int line,
		   const char *fmt, ...)
{
	bool same = got && want && memcmp(got, want, len) == 0;
	va_list ap;

	va_start(ap, fmt);
	report(same, file, line, NULL, fmt, ap);
	va_end(ap);
	return same;
}

void tap_skip(const char *reason, const char *fmt, ...)
{
	char directive[256];
	va_list ap;

	snprintf(directive, sizeof(directive), "SKIP %s", reason);
	va_start(ap, fmt);
	report(true, "", 0, directive, fmt, ap);
	va_end(ap);
}

void tap_diag(const char *fmt, ...)
{
	va_list ap;

	fputs("# ", stdout);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	fflush(stdout);
}

int tap_done(void)
{
	if (tap_planned < 0)
		printf("1..%d\n", tap_count);
	else if (tap_planned != tap_count) {
		printf("# planned %d tests but ran %d\n", tap_planned, tap_count);
		return 1;
	}
	fflush(stdout);
	return tap_failed ? 1 : 0;
}
