/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * kmsg.h - what the kernel logged about one module: /dev/kmsg is opened
 * (non-blocking) and positioned at its end before the module is loaded;
 * after a refusal, the records logged since are read and those about the
 * module are kept, so that the error can show the kernel's own reason.
 *
 * /dev/kmsg is read through lp_path() (livepatch.h): with $KLPB_SYSFS_ROOT
 * set, tests feed a fake one, a regular file the "kernel" appends to.
 * Functions return 0 (or a count) or a negative errno and never print.
 */
#ifndef KLPB_SYS_KMSG_H
#define KLPB_SYS_KMSG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* At most this many records are kept for one module. */
#define KM_LINES_MAX 32

/*
 * One record of /dev/kmsg (Documentation/ABI/testing/dev-kmsg):
 * "PRIO,SEQ,TS_USEC,FLAGS[,...];TEXT\n" followed by continuation lines
 * " KEY=VALUE\n".  @text points into the parsed buffer (not
 * NUL-terminated); non-printable bytes are escaped by the kernel (\xNN).
 */
struct km_record {
	unsigned int level; /* syslog level, 0 (emerg) .. 7 (debug) */
	unsigned int facility; /* 0: the kernel */
	uint64_t seq;
	uint64_t ts_usec;
	const char *text;
	size_t len;
};

/*
 * Parse the record at *@p (before @end), continuation lines included, and
 * move *@p past it.  1: *@rec is filled; 0: no record is left; -EBADMSG: the
 * record is malformed (*@p is past it all the same).
 */
int km_parse(const char **p, const char *end, struct km_record *rec);

/*
 * Does the record @rec concern module @module: the kernel's (facility 0),
 * from the livepatch core or naming @module as a word?
 */
bool km_about(const struct km_record *rec, const char *module);

struct km_reader {
	int fd; /* -1: nothing to read (the log could not be opened) */
};

/* Open the log and go to its end (-errno on failure, @r then reads nothing). */
int km_open(struct km_reader *r);
/*
 * The texts of the records logged since km_open() that concern @module,
 * oldest first, at most KM_LINES_MAX: [owned] *@lines (km_lines_free()),
 * the count returned (0 with *@lines NULL when there is none).
 */
int km_collect(struct km_reader *r, const char *module, char ***lines);
void km_close(struct km_reader *r);
void km_lines_free(char **lines, int n);

#endif
