// SPDX-License-Identifier: GPL-2.0-or-later
/* state-dir.c - the state directory, its records and saved bundles; see state-dir.h. */
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
#include "engine/state-dir.h"
#include "util/file.h"

static char *state_dir;

const char *sd_dir(void)
{
	const char *env = getenv("KLPB_STATE_DIR");

	if (state_dir)
		return state_dir;
	return env && *env ? env : "/var/lib/klp-bundle";
}

void sd_set_dir(const char *dir)
{
	free(state_dir);
	state_dir = dir && *dir ? strdup(dir) : NULL;
}

char *sd_path(const char *rel)
{
	char *path;

	return asprintf(&path, "%s/%s", sd_dir(), rel) < 0 ? NULL : path;
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

static int check_subdir(const char *rel, bool create)
{
	char *path = sd_path(rel);
	int rc = path ? check_dir(path, create) : -ENOMEM;

	free(path);
	return rc;
}

int sd_open(bool create)
{
	static const char *const subdirs[] = { "bundles", "active", "installed" };
	int rc = check_dir(sd_dir(), create);

	for (size_t i = 0; rc == 0 && i < sizeof(subdirs) / sizeof(subdirs[0]); i++)
		rc = check_subdir(subdirs[i], create);
	return rc;
}

/* ---- key=value files ---- */

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

int sd_read_kv(const char *rel, int (*fn)(const char *k, const char *v, void *data), void *data)
{
	struct klpb_buf b = { 0 };
	char *path = sd_path(rel);
	int rc = path ? read_small_file(path, &b) : -ENOMEM;

	if (rc == 0 && b.data) {
		b.data[b.len] = '\0';
		rc = kv_parse((char *)b.data, fn, data);
	}
	klpb_buf_free(&b);
	free(path);
	return rc;
}

int sd_write_file(const char *rel, const void *text, size_t len)
{
	char *path = sd_path(rel);
	int rc = path ? write_file_atomic(path, text, len, 0600, false) : -ENOMEM;

	free(path);
	return rc;
}

static int sync_dir(const char *dir)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC), rc = 0;

	if (fd < 0)
		return -errno;
	if (fsync(fd) < 0)
		rc = -errno;
	close(fd);
	return rc;
}

int sd_remove_file(const char *rel, bool sync)
{
	char *path = sd_path(rel);
	int rc = 0;

	if (!path)
		return -ENOMEM;
	if (unlink(path) < 0 && errno != ENOENT)
		rc = -errno;
	free(path);
	if (rc == 0 && sync)
		rc = sync_dir(sd_dir());
	return rc;
}

/* ---- records ---- */

#define COPY(dst, src) snprintf(dst, sizeof(dst), "%s", src)

static char *record_rel(const char *module)
{
	char *rel;

	return asprintf(&rel, "active/%s", module) < 0 ? NULL : rel;
}

int record_write(const struct record *r)
{
	char *rel = record_rel(r->module), *text = NULL;
	int n, rc = -ENOMEM;

	n = asprintf(&text,
		     "module=%s\nname=%s\nversion=%" PRIu64 "\nlineage=%s\napplied=%lld\n"
		     "previous=%s\nsource=%s\n",
		     r->module, r->name, r->version, r->lineage, r->applied, r->previous,
		     r->source ? r->source : "");
	if (n < 0)
		text = NULL;
	if (text && rel)
		rc = sd_write_file(rel, text, n);
	free(text);
	free(rel);
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
	else if (strcmp(k, "source") == 0 && !r->source && !(r->source = strdup(v)))
		return -ENOMEM;
	return 0;
}

void record_free(struct record *r)
{
	free(r->source);
	r->source = NULL;
}

void record_list_free(struct record *r, int n)
{
	for (int i = 0; r && i < n; i++)
		record_free(&r[i]);
	free(r);
}

int record_read(const char *module, struct record *r)
{
	char *rel = record_rel(module);
	int rc = rel ? 0 : -ENOMEM;

	memset(r, 0, sizeof(*r));
	if (rel)
		rc = sd_read_kv(rel, record_kv, r);
	free(rel);
	return rc;
}

int record_remove(const char *module)
{
	char *rel = record_rel(module);
	int rc = rel ? sd_remove_file(rel, false) : -ENOMEM;

	free(rel);
	return rc;
}

static int not_hidden(const struct dirent *d)
{
	return d->d_name[0] != '.' && !strstr(d->d_name, ".tmp");
}

int record_list(struct record **out)
{
	char *dir = sd_path("active");
	struct dirent **ents = NULL;
	int n, k = 0;

	*out = NULL;
	if (!dir)
		return -ENOMEM;
	n = scandir(dir, &ents, not_hidden, alphasort);
	if (n < 0)
		n = errno == ENOENT ? 0 : -errno;
	free(dir);
	if (n < 0 || !ents)
		return n < 0 ? n : 0;
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

static char *bundle_rel(const char *module)
{
	char *rel;

	return asprintf(&rel, "bundles/%s.klpb", module) < 0 ? NULL : rel;
}

char *sd_bundle_path(const char *module)
{
	char *rel = bundle_rel(module), *path = rel ? sd_path(rel) : NULL;

	free(rel);
	return path;
}

int sd_save_bundle(const char *module, const void *data, size_t len)
{
	char *rel = bundle_rel(module);
	int rc = rel ? sd_write_file(rel, data, len) : -ENOMEM;

	free(rel);
	return rc;
}

int sd_gc_bundle(const char *module)
{
	struct record *r;
	char *rel;
	int n = record_list(&r), rc;
	bool used = false;

	if (n < 0)
		return n;
	for (int i = 0; i < n; i++)
		if (strcmp(r[i].module, module) == 0 || strcmp(r[i].previous, module) == 0)
			used = true;
	record_list_free(r, n);
	if (used)
		return 0;
	rel = bundle_rel(module);
	rc = rel ? sd_remove_file(rel, false) : -ENOMEM;
	free(rel);
	return rc;
}
