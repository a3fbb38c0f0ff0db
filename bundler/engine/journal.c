// SPDX-License-Identifier: GPL-2.0-or-later
/* journal.c - the state directory, the journal and the records; see journal.h. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/bundle-io.h"
#include "engine/journal.h"

static char state_dir[SD_PATH_MAX];

const char *sd_dir(void)
{
	const char *env = getenv("KLPB_STATE_DIR");

	if (state_dir[0])
		return state_dir;
	return env && *env ? env : "/var/lib/klp-bundle";
}

void sd_set_dir(const char *dir)
{
	snprintf(state_dir, sizeof(state_dir), "%s", dir ? dir : "");
}

const char *sd_path(char *buf, size_t size, const char *rel)
{
	snprintf(buf, size, "%s/%s", sd_dir(), rel);
	return buf;
}

static int check_dir(const char *path, bool create)
{
	struct stat st;

	if (create && mkdir(path, 0700) < 0 && errno != EEXIST)
		return -errno;
	if (lstat(path, &st) < 0)
		return -errno;
	if (!S_ISDIR(st.st_mode))
		return -ENOTDIR;
	if ((st.st_mode & (S_IWGRP | S_IWOTH)) || st.st_uid != geteuid())
		return -EPERM;
	return 0;
}

int sd_open(bool create)
{
	static const char *const subdirs[] = { "bundles", "active", "installed" };
	char path[SD_PATH_MAX + 32];
	int rc = check_dir(sd_dir(), create);

	for (size_t i = 0; rc == 0 && i < sizeof(subdirs) / sizeof(subdirs[0]); i++)
		rc = check_dir(sd_path(path, sizeof(path), subdirs[i]), create);
	return rc;
}

int kv_parse(char *text, int (*fn)(const char *k, const char *v, void *data), void *data)
{
	char *save = NULL, *line, *eq;
	int rc;

	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		eq = strchr(line, '=');
		if (!eq)
			return -EBADMSG;
		*eq = '\0';
		rc = fn(line, eq + 1, data);
		if (rc < 0)
			return rc;
	}
	return 0;
}

static int read_kv(const char *path, int (*fn)(const char *k, const char *v, void *data),
		   void *data)
{
	struct klpb_buf b = { 0 };
	int rc = read_small_file(path, &b);

	if (rc == 0 && b.data) {
		b.data[b.len] = '\0';
		rc = kv_parse((char *)b.data, fn, data);
	}
	klpb_buf_free(&b);
	return rc;
}

/* ---- the journal ---- */

#define COPY(dst, src) snprintf(dst, sizeof(dst), "%s", src)

int journal_write(const struct journal *j)
{
	char path[SD_PATH_MAX + 32], *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	int rc;

	if (!f)
		return -ENOMEM;
	fprintf(f, "op=%s\nstep=%s\nmodule=%s\ncheck=%d\npid=%ld\nstarted=%lld\n", j->op, j->step,
		j->module, j->check ? 1 : 0, j->pid, j->started);
	for (int i = 0; i < j->n_prev; i++)
		fprintf(f, "prev=%s\n", j->prev[i]);
	fclose(f);
	if (!text)
		return -ENOMEM;
	rc = write_file_atomic(sd_path(path, sizeof(path), "journal"), text, len, 0600, false);
	free(text);
	return rc;
}

static int journal_kv(const char *k, const char *v, void *data)
{
	struct journal *j = data;

	if (strcmp(k, "op") == 0)
		COPY(j->op, v);
	else if (strcmp(k, "step") == 0)
		COPY(j->step, v);
	else if (strcmp(k, "module") == 0)
		COPY(j->module, v);
	else if (strcmp(k, "check") == 0)
		j->check = atoi(v) != 0;
	else if (strcmp(k, "pid") == 0)
		j->pid = atol(v);
	else if (strcmp(k, "started") == 0)
		j->started = atoll(v);
	else if (strcmp(k, "prev") == 0 && j->n_prev < SD_MAX_PREV)
		COPY(j->prev[j->n_prev++], v);
	return 0;
}

int journal_read(struct journal *j)
{
	char path[SD_PATH_MAX + 32];
	int rc;

	memset(j, 0, sizeof(*j));
	rc = read_kv(sd_path(path, sizeof(path), "journal"), journal_kv, j);
	if (rc == 0 && (!j->op[0] || !j->module[0]))
		return -EBADMSG;
	return rc;
}

int journal_clear(void)
{
	char path[SD_PATH_MAX + 32];
	int fd, rc = 0;

	if (unlink(sd_path(path, sizeof(path), "journal")) < 0 && errno != ENOENT)
		return -errno;
	fd = open(sd_dir(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (fsync(fd) < 0)
		rc = -errno;
	close(fd);
	return rc;
}

int journal_step(struct journal *j, const char *step)
{
	COPY(j->step, step);
	return journal_write(j);
}

/* ---- records ---- */

int record_write(const struct record *r)
{
	char path[SD_PATH_MAX + 128], *text = NULL;
	int n, rc;

	n = asprintf(&text, "module=%s\nname=%s\nversion=%" PRIu64 "\nlineage=%s\napplied=%lld\n"
		     "previous=%s\nsource=%s\n", r->module, r->name, r->version, r->lineage,
		     r->applied, r->previous, r->source);
	if (n < 0)
		return -ENOMEM;
	snprintf(path, sizeof(path), "%s/active/%s", sd_dir(), r->module);
	rc = write_file_atomic(path, text, n, 0600, false);
	free(text);
	return rc;
}

static int record_kv(const char *k, const char *v, void *data)
{
	struct record *r = data;

	if (strcmp(k, "module") == 0)
		COPY(r->module, v);
	else if (strcmp(k, "name") == 0)
		COPY(r->name, v);
	else if (strcmp(k, "version") == 0)
		r->version = strtoull(v, NULL, 10);
	else if (strcmp(k, "lineage") == 0)
		COPY(r->lineage, v);
	else if (strcmp(k, "applied") == 0)
		r->applied = atoll(v);
	else if (strcmp(k, "previous") == 0)
		COPY(r->previous, v);
	else if (strcmp(k, "source") == 0)
		COPY(r->source, v);
	return 0;
}

int record_read(const char *module, struct record *r)
{
	char path[SD_PATH_MAX + 128];

	memset(r, 0, sizeof(*r));
	snprintf(path, sizeof(path), "%s/active/%s", sd_dir(), module);
	return read_kv(path, record_kv, r);
}

int record_remove(const char *module)
{
	char path[SD_PATH_MAX + 128];

	snprintf(path, sizeof(path), "%s/active/%s", sd_dir(), module);
	if (unlink(path) < 0 && errno != ENOENT)
		return -errno;
	return 0;
}

static int not_hidden(const struct dirent *d)
{
	return d->d_name[0] != '.' && !strstr(d->d_name, ".tmp");
}

int record_list(struct record **out)
{
	char path[SD_PATH_MAX + 32];
	struct dirent **ents = NULL;
	int n = scandir(sd_path(path, sizeof(path), "active"), &ents, not_hidden, alphasort);
	int k = 0;

	*out = NULL;
	if (n < 0)
		return errno == ENOENT ? 0 : -errno;
	*out = calloc(n ? n : 1, sizeof(**out));
	for (int i = 0; i < n; i++) {
		if (*out && record_read(ents[i]->d_name, &(*out)[k]) == 0)
			k++;
		free(ents[i]);
	}
	free(ents);
	return *out ? k : -ENOMEM;
}

/* ---- saved bundle files ---- */

const char *sd_bundle_path(char *buf, size_t size, const char *module)
{
	snprintf(buf, size, "%s/bundles/%s.klpb", sd_dir(), module);
	return buf;
}

int sd_save_bundle(const char *module, const void *data, size_t len)
{
	char path[SD_PATH_MAX + 128];

	return write_file_atomic(sd_bundle_path(path, sizeof(path), module), data, len, 0600,
				 false);
}

int sd_gc_bundle(const char *module)
{
	char path[SD_PATH_MAX + 128];
	struct record *r;
	int n = record_list(&r);
	bool used = false;

	if (n < 0)
		return n;
	for (int i = 0; i < n; i++)
		if (strcmp(r[i].module, module) == 0 || strcmp(r[i].previous, module) == 0)
			used = true;
	free(r);
	if (!used && unlink(sd_bundle_path(path, sizeof(path), module)) < 0 && errno != ENOENT)
		return -errno;
	return 0;
}
