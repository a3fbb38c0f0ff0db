// SPDX-License-Identifier: GPL-2.0-or-later
/* kmsg.c - the kernel's messages about one module, from /dev/kmsg; see kmsg.h. */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sys/kmsg.h"
#include "sys/livepatch.h"
#include "util/strbuf.h"

/* one read() of /dev/kmsg returns one record; a record is at most 8 KiB */
#define KM_READ_SIZE 16384
/* what one collection reads at most */
#define KM_TOTAL_MAX ((size_t)1 << 20)

static const char *line_end(const char *p, const char *end)
{
	const char *nl = memchr(p, '\n', (size_t)(end - p));

	return nl ? nl : end;
}

/* An unsigned decimal field of the header at *@p, ending at @stop; *@p past the separator. */
static int header_field(const char **p, const char *stop, char sep, uint64_t *v)
{
	const char *q = *p;
	uint64_t n = 0;

	if (q >= stop || !isdigit((unsigned char)*q))
		return -EBADMSG;
	for (; q < stop && isdigit((unsigned char)*q); q++) {
		if (n > (UINT64_MAX - 9) / 10)
			return -EBADMSG;
		n = n * 10 + (uint64_t)(*q - '0');
	}
	if (q >= stop || *q != sep)
		return -EBADMSG;
	*v = n;
	*p = q + 1;
	return 0;
}

static int parse_header(const char *p, const char *semi, struct km_record *rec)
{
	uint64_t prio, seq, ts;

	if (header_field(&p, semi, ',', &prio) < 0 || header_field(&p, semi, ',', &seq) < 0)
		return -EBADMSG;
	/* the timestamp ends at the flags' comma, or at ';' for an old kernel */
	if (header_field(&p, semi, ',', &ts) < 0 && header_field(&p, semi + 1, ';', &ts) < 0)
		return -EBADMSG;
	if (prio > UINT32_MAX)
		return -EBADMSG;
	rec->level = (unsigned int)(prio & 7);
	rec->facility = (unsigned int)(prio >> 3);
	rec->seq = seq;
	rec->ts_usec = ts;
	return 0;
}

int km_parse(const char **p, const char *end, struct km_record *rec)
{
	const char *start = *p, *eol, *semi;
	int rc = 0;

	if (start >= end)
		return 0;
	eol = line_end(start, end);
	*p = eol < end ? eol + 1 : end;
	/* the continuation lines (" KEY=VALUE") belong to this record */
	while (*p < end && **p == ' ') {
		const char *next = line_end(*p, end);

		*p = next < end ? next + 1 : end;
	}
	semi = memchr(start, ';', (size_t)(eol - start));
	if (!semi)
		return -EBADMSG;
	rc = parse_header(start, semi, rec);
	if (rc < 0)
		return rc;
	rec->text = semi + 1;
	rec->len = (size_t)(eol - semi - 1);
	return 1;
}

static bool is_name_char(char c)
{
	return isalnum((unsigned char)c) || c == '_';
}

bool km_about(const struct km_record *rec, const char *module)
{
	static const char lp[] = "livepatch: ";
	const char *t = rec->text, *end = rec->text + rec->len, *hit;
	size_t n = strlen(module);

	if (rec->facility != 0 || n == 0)
		return false;
	if (rec->len >= sizeof(lp) - 1 && memcmp(t, lp, sizeof(lp) - 1) == 0)
		return true;
	while ((hit = memmem(t, (size_t)(end - t), module, n))) {
		if ((hit == rec->text || !is_name_char(hit[-1])) &&
		    (hit + n == end || !is_name_char(hit[n])))
			return true;
		t = hit + 1;
	}
	return false;
}

int km_open(struct km_reader *r)
{
	char *path = lp_path("/dev/kmsg");
	int rc = 0;

	r->fd = path ? open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC) : -1;
	if (r->fd < 0) {
		rc = path ? -errno : -ENOMEM;
	} else if (lseek(r->fd, 0, SEEK_END) < 0) {
		rc = -errno;
		km_close(r);
	}
	free(path);
	return rc;
}

/* Everything logged since km_open() (records the kernel overwrote meanwhile are lost). */
static int read_since(struct km_reader *r, struct strbuf *sb)
{
	while (sb->len < KM_TOTAL_MAX) {
		ssize_t n;
		int rc = strbuf_grow(sb, KM_READ_SIZE);

		if (rc < 0)
			return rc;
		n = read(r->fd, sb->buf + sb->len, KM_READ_SIZE);
		if (n == 0 || (n < 0 && errno == EAGAIN))
			break;
		if (n < 0 && (errno == EINTR || errno == EPIPE))
			continue;
		if (n < 0)
			return -errno;
		sb->len += (size_t)n;
		sb->buf[sb->len] = '\0';
	}
	return 0;
}

void km_lines_free(char **lines, int n)
{
	for (int i = 0; i < n; i++)
		free(lines[i]);
	free(lines);
}

int km_collect(struct km_reader *r, const char *module, char ***lines)
{
	struct strbuf sb;
	struct km_record rec;
	const char *p, *end;
	char **out = NULL;
	int n = 0, rc;

	*lines = NULL;
	if (r->fd < 0)
		return 0;
	strbuf_init(&sb);
	rc = read_since(r, &sb);
	p = sb.buf;
	end = sb.buf + sb.len;
	while (rc >= 0 && n < KM_LINES_MAX && (rc = km_parse(&p, end, &rec)) != 0) {
		if (rc < 0 || !km_about(&rec, module)) {
			rc = 0; /* a malformed record is skipped */
			continue;
		}
		if (!out && !(out = calloc(KM_LINES_MAX, sizeof(*out))))
			rc = -ENOMEM;
		else if (!(out[n] = strndup(rec.text, rec.len)))
			rc = -ENOMEM;
		else
			n++;
	}
	strbuf_release(&sb);
	if (rc < 0) {
		km_lines_free(out, n);
		return rc;
	}
	*lines = out;
	return n;
}

void km_close(struct km_reader *r)
{
	if (r->fd >= 0)
		close(r->fd);
	r->fd = -1;
}
