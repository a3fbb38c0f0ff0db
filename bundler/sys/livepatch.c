// SPDX-License-Identifier: GPL-2.0-or-later
/* livepatch.c - the kernel's live-patching state, read from sysfs and procfs; see livepatch.h. */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sys/livepatch.h"
#include "klp-bundle/core-decode.h"
#include "util/file.h"
#include "util/strbuf.h"

/* sysfs and procfs files are a few pages at most; this bounds a broken one. */
#define ATTR_MAX ((size_t)1 << 20)

static char *lp_vpath(const char *fmt, va_list ap) __attribute__((format(printf, 1, 0)));
static char *lp_vpath(const char *fmt, va_list ap)
{
	const char *root = getenv("KLPB_SYSFS_ROOT");
	struct strbuf sb;

	strbuf_init(&sb);
	if ((root && strbuf_add(&sb, root, strlen(root)) < 0) || strbuf_vaddf(&sb, fmt, ap) < 0) {
		strbuf_release(&sb);
		return NULL;
	}
	return strbuf_detach(&sb);
}

char *lp_path(const char *fmt, ...)
{
	va_list ap;
	char *path;

	va_start(ap, fmt);
	path = lp_vpath(fmt, ap);
	va_end(ap);
	return path;
}

static int vread_file(size_t max, uint8_t **buf, size_t *len, const char *fmt, va_list ap)
	__attribute__((format(printf, 4, 0)));
static int vread_file(size_t max, uint8_t **buf, size_t *len, const char *fmt, va_list ap)
{
	char *path = lp_vpath(fmt, ap);
	int rc = path ? read_file_capped(path, max, buf, len) : -ENOMEM;

	free(path);
	return rc;
}

/* The whole file at lp_path(@fmt, ...), at most @max bytes. */
static int read_file_at(size_t max, uint8_t **buf, size_t *len, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static int read_file_at(size_t max, uint8_t **buf, size_t *len, const char *fmt, ...)
{
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = vread_file(max, buf, len, fmt, ap);
	va_end(ap);
	return rc;
}

/*
 * The file at @path (NULL: -ENOMEM) as a string in @buf, cut at the first
 * newline when @one_line, truncated to @size - 1 bytes.
 */
static int read_text(const char *path, char *buf, size_t size, bool one_line)
{
	uint8_t *data;
	size_t len;
	int rc = path ? read_file_capped(path, ATTR_MAX, &data, &len) : -ENOMEM;

	if (rc < 0)
		return rc;
	if (one_line)
		len = strcspn((char *)data, "\n");
	if (len >= size)
		len = size - 1;
	memcpy(buf, data, len);
	buf[len] = '\0';
	free(data);
	return 0;
}

static int vread_text(char *buf, size_t size, bool one_line, const char *fmt, va_list ap)
	__attribute__((format(printf, 4, 0)));
static int vread_text(char *buf, size_t size, bool one_line, const char *fmt, va_list ap)
{
	char *path = lp_vpath(fmt, ap);
	int rc = read_text(path, buf, size, one_line);

	free(path);
	return rc;
}

/* One line (trailing newline dropped) of the file at lp_path(@fmt, ...). */
static int read_line_at(char *buf, size_t size, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static int read_line_at(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = vread_text(buf, size, true, fmt, ap);
	va_end(ap);
	return rc;
}

/* An integer file at lp_path(@fmt, ...) (-EINVAL when it is not one). */
static int read_long_at(long *v, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int read_long_at(long *v, const char *fmt, ...)
{
	char buf[64], *end;
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = vread_text(buf, sizeof(buf), true, fmt, ap);
	va_end(ap);
	if (rc < 0)
		return rc;
	errno = 0;
	*v = strtol(buf, &end, 10);
	if (end == buf || *end || errno)
		return -EINVAL;
	return 0;
}

static bool exists_at(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static bool exists_at(const char *fmt, ...)
{
	va_list ap;
	char *path;
	bool found;

	va_start(ap, fmt);
	path = lp_vpath(fmt, ap);
	va_end(ap);
	found = path && access(path, F_OK) == 0;
	free(path);
	return found;
}

int lp_read_line(const char *rel, char *buf, size_t size)
{
	return read_line_at(buf, size, "%s", rel);
}

int lp_read_long(const char *rel, long *v)
{
	return read_long_at(v, "%s", rel);
}

int lp_write(const char *rel, const char *s)
{
	char *path = lp_path("%s", rel);
	int fd, rc = 0;
	ssize_t n;

	if (!path)
		return -ENOMEM;
	fd = open(path, O_WRONLY | O_CLOEXEC);
	free(path);
	if (fd < 0)
		return -errno;
	n = write(fd, s, strlen(s));
	if (n < 0)
		rc = -errno;
	else if ((size_t)n != strlen(s))
		rc = -EIO;
	if (close(fd) < 0 && rc == 0)
		rc = -errno;
	return rc;
}

bool lp_exists(const char *rel)
{
	return exists_at("%s", rel);
}

int lp_kernel_release(char *buf, size_t size)
{
	return lp_read_line("/proc/sys/kernel/osrelease", buf, size);
}

/* A notes file holds a few notes: the build-id, Xen's, the kernel version. */
#define NOTES_MAX ((size_t)1 << 20)

/* The GNU build-id in the notes file at lp_path(@fmt, ...); -ENODATA if none. */
static int notes_build_id_at(struct build_id *id, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static int notes_build_id_at(struct build_id *id, const char *fmt, ...)
{
	uint8_t *buf;
	size_t len;
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = vread_file(NOTES_MAX, &buf, &len, fmt, ap);
	va_end(ap);
	if (rc < 0)
		return rc;
	rc = notes_build_id(buf, len, id);
	free(buf);
	return rc == -ENOENT ? -ENODATA : rc;
}

int lp_vmlinux_build_id(struct build_id *id)
{
	return notes_build_id_at(id, "/sys/kernel/notes");
}

bool lp_module_loaded(const char *mod)
{
	return exists_at("/sys/module/%s", mod);
}

int lp_module_build_id(const char *mod, struct build_id *id)
{
	if (!lp_module_loaded(mod))
		return -ENOENT;
	return notes_build_id_at(id, "/sys/module/%s/notes/.note.gnu.build-id", mod);
}

int lp_module_refcnt(const char *mod, long *refcnt)
{
	return read_long_at(refcnt, "/sys/module/%s/refcnt", mod);
}

/* ---- the livepatch core ---- */

bool lp_livepatch_available(void)
{
	return lp_exists("/sys/kernel/livepatch");
}

int lp_patch(const char *name, struct lp_patch *p)
{
	long v;
	int rc;

	memset(p, 0, sizeof(*p));
	snprintf(p->name, sizeof(p->name), "%s", name);
	rc = read_long_at(&v, "/sys/kernel/livepatch/%s/enabled", name);
	if (rc < 0)
		return rc;
	p->enabled = v;
	rc = read_long_at(&v, "/sys/kernel/livepatch/%s/transition", name);
	p->transition = rc < 0 ? 0 : v;
	return 0;
}

/* The sorted entries (but . and ..) of the directory lp_path(@fmt, ...): [owned] *@names. */
static int list_dir(char ***names, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int list_dir(char ***names, const char *fmt, ...)
{
	struct dirent **ents = NULL;
	va_list ap;
	char *path;
	int n, k = 0;

	*names = NULL;
	va_start(ap, fmt);
	path = lp_vpath(fmt, ap);
	va_end(ap);
	if (!path)
		return -ENOMEM;
	n = scandir(path, &ents, NULL, alphasort);
	free(path);
	if (n < 0)
		return errno == ENOENT ? 0 : -errno;
	*names = calloc(n + 1, sizeof(char *));
	for (int i = 0; i < n; i++) {
		if (*names && ents[i]->d_name[0] != '.')
			(*names)[k++] = strdup(ents[i]->d_name);
		free(ents[i]);
	}
	free(ents);
	if (!*names)
		return -ENOMEM;
	if (k == 0) { /* callers free nothing for an empty directory */
		free(*names);
		*names = NULL;
	}
	return k;
}

static void free_names(char **names, int n)
{
	for (int i = 0; i < n; i++)
		free(names[i]);
	free(names);
}

int lp_patches(struct lp_patch **out)
{
	char **names;
	int n = list_dir(&names, "/sys/kernel/livepatch"), k = 0;

	*out = NULL;
	if (n <= 0)
		return n;
	*out = calloc(n, sizeof(**out));
	for (int i = 0; i < n && *out; i++)
		if (lp_patch(names[i], &(*out)[k]) == 0)
			k++;
	free_names(names, n);
	return *out ? k : -ENOMEM;
}

int lp_transition_patch(char *name, size_t size)
{
	struct lp_patch *p;
	int n = lp_patches(&p), found = 0;

	for (int i = 0; i < n && !found; i++) {
		if (p[i].transition) {
			snprintf(name, size, "%s", p[i].name);
			found = 1;
		}
	}
	free(p);
	return n < 0 ? n : found;
}

static bool all_digits(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (!isdigit((unsigned char)*s))
			return false;
	return true;
}

static void task_comm(int pid, int tid, char *comm, size_t size)
{
	if (read_line_at(comm, size, "/proc/%d/task/%d/comm", pid, tid) < 0)
		snprintf(comm, size, "?");
}

static int tasks_of(int pid, int target, struct lp_task *tasks, size_t max, size_t *count)
{
	char **tids;
	int n = list_dir(&tids, "/proc/%d/task", pid), rc;
	long st;

	for (int i = 0; i < n; i++) {
		int tid = atoi(tids[i]);

		rc = read_long_at(&st, "/proc/%d/task/%d/patch_state", pid, tid);
		if (rc < 0 || st == -1 || st == target)
			continue;
		if (tasks && *count < max) {
			struct lp_task *t = &tasks[*count];

			t->pid = pid;
			t->tid = tid;
			t->state = st;
			task_comm(pid, tid, t->comm, sizeof(t->comm));
		}
		(*count)++;
	}
	free_names(tids, n > 0 ? n : 0);
	return 0;
}

int lp_tasks_left(int target, struct lp_task *tasks, size_t max)
{
	char **pids;
	int n = list_dir(&pids, "/proc");
	size_t count = 0;

	if (n < 0)
		return n;
	for (int i = 0; i < n; i++)
		if (all_digits(pids[i]))
			tasks_of(atoi(pids[i]), target, tasks, max, &count);
	free_names(pids, n);
	return count;
}

int lp_task_stack(int pid, int tid, char *buf, size_t size)
{
	char *path = lp_path("/proc/%d/task/%d/stack", pid, tid);
	int rc = read_text(path, buf, size, false);

	free(path);
	return rc;
}

/* ---- the klp-bundle runtime ---- */

static int read_manifest(struct lp_bundle *b)
{
	int rc = read_file_at(KLPB_MAX_CORE, &b->manifest, &b->manifest_len,
			      "/sys/kernel/klp_bundle/%s/manifest", b->module);

	if (rc == 0 && klpb_core_decode(b->manifest, b->manifest_len, &b->core, NULL) < 0)
		b->core = NULL;
	return rc;
}

#define OBJECT_ATTR "/sys/kernel/klp_bundle/%s/objects/%s/%s"

static void read_objects(struct lp_bundle *b)
{
	char **names;
	int n = list_dir(&names, "/sys/kernel/klp_bundle/%s/objects", b->module);

	if (n <= 0)
		return;
	b->objects = calloc(n, sizeof(*b->objects));
	for (int i = 0; i < n && b->objects; i++) {
		struct lp_object *o = &b->objects[b->n_objects++];

		snprintf(o->name, sizeof(o->name), "%s", names[i]);
		if (read_line_at(o->state, sizeof(o->state), OBJECT_ATTR, b->module, names[i],
				 "state"))
			snprintf(o->state, sizeof(o->state), "unknown");
		if (read_line_at(o->build_id, sizeof(o->build_id), OBJECT_ATTR, b->module, names[i],
				 "build_id"))
			o->build_id[0] = '\0';
	}
	free_names(names, n);
}

static void read_bundle(struct lp_bundle *b, const char *module)
{
	struct lp_patch p;
	char v[64];

	snprintf(b->module, sizeof(b->module), "%s", module);
	if (read_line_at(b->name, sizeof(b->name), "/sys/kernel/klp_bundle/%s/name", module) < 0)
		snprintf(b->name, sizeof(b->name), "%s", module);
	if (read_line_at(v, sizeof(v), "/sys/kernel/klp_bundle/%s/version", module) == 0)
		b->version = strtoull(v, NULL, 10);
	read_line_at(b->lineage, sizeof(b->lineage), "/sys/kernel/klp_bundle/%s/lineage", module);
	if (read_line_at(v, sizeof(v), "/sys/kernel/klp_bundle/%s/replace", module) == 0)
		b->replace = strcmp(v, "1") == 0;
	b->enabled = b->transition = -1;
	if (lp_patch(module, &p) == 0) {
		b->in_livepatch = true;
		b->enabled = p.enabled;
		b->transition = p.transition;
	}
	read_manifest(b);
	read_objects(b);
}

int lp_bundles(struct lp_bundle **out)
{
	char **names;
	int n = list_dir(&names, "/sys/kernel/klp_bundle");

	*out = NULL;
	if (n <= 0)
		return n;
	*out = calloc(n, sizeof(**out));
	if (!*out) {
		free_names(names, n);
		return -ENOMEM;
	}
	for (int i = 0; i < n; i++)
		read_bundle(&(*out)[i], names[i]);
	free_names(names, n);
	return n;
}

void lp_bundles_free(struct lp_bundle *b, size_t n)
{
	for (size_t i = 0; b && i < n; i++) {
		klpb_core_free(b[i].core);
		free(b[i].manifest);
		free(b[i].objects);
	}
	free(b);
}

bool lp_bundle_active(const struct lp_bundle *b)
{
	return b->in_livepatch && b->enabled == 1;
}

/* ---- kernel policy ---- */

int lp_sig_enforced(char *why, size_t size)
{
	char v[256];

	if (lp_read_line("/sys/module/module/parameters/sig_enforce", v, sizeof(v)) == 0 &&
	    (strcmp(v, "Y") == 0 || strcmp(v, "1") == 0)) {
		snprintf(why, size, "module.sig_enforce is set");
		return 1;
	}
	if (lp_read_line("/sys/kernel/security/lockdown", v, sizeof(v)) == 0 &&
	    !strstr(v, "[none]") && strchr(v, '[')) {
		snprintf(why, size, "the kernel is locked down (%s)", v);
		return 1;
	}
	return 0;
}

int lp_ftrace_enabled(void)
{
	long v;
	int rc = lp_read_long("/proc/sys/kernel/ftrace_enabled", &v);

	return rc < 0 ? rc : v != 0;
}

int lp_taint(unsigned long *taint, char *flags, size_t size)
{
	static const char letters[] = "PFSRMBUDAWCIOELKXT";
	char v[64];
	size_t k = 0;
	int rc = lp_read_line("/proc/sys/kernel/tainted", v, sizeof(v));

	if (rc < 0)
		return rc;
	*taint = strtoul(v, NULL, 10);
	for (size_t i = 0; i < sizeof(letters) - 1 && k + 1 < size; i++)
		if (*taint & (1UL << i))
			flags[k++] = letters[i];
	flags[k] = '\0';
	return 0;
}

bool lp_cmdline_has(const char *word)
{
	char *tok, *save = NULL;
	bool found = false;
	uint8_t *line;
	size_t len;

	if (read_file_at(ATTR_MAX, &line, &len, "/proc/cmdline") < 0)
		return false;
	line[strcspn((char *)line, "\n")] = '\0';
	for (tok = strtok_r((char *)line, " \t", &save); tok && !found;
	     tok = strtok_r(NULL, " \t", &save))
		found = strcmp(tok, word) == 0;
	free(line);
	return found;
}
