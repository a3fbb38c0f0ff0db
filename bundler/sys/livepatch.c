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

const char *lp_path(char *buf, size_t size, const char *fmt, ...)
{
	const char *root = getenv("KLPB_SYSFS_ROOT");
	size_t n = 0;
	va_list ap;

	if (root && *root)
		n = snprintf(buf, size, "%s", root);
	if (n >= size)
		n = size - 1;
	va_start(ap, fmt);
	vsnprintf(buf + n, size - n, fmt, ap);
	va_end(ap);
	return buf;
}

static int read_all(const char *path, char *buf, size_t size, size_t *len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	size_t n = 0;
	ssize_t r;

	if (fd < 0)
		return -errno;
	while (n + 1 < size) {
		r = read(fd, buf + n, size - 1 - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			r = -errno;
			close(fd);
			return r;
		}
		if (r == 0)
			break;
		n += r;
	}
	close(fd);
	buf[n] = '\0';
	if (len)
		*len = n;
	return 0;
}

int lp_read_line(const char *rel, char *buf, size_t size)
{
	char path[4096];
	int rc = read_all(lp_path(path, sizeof(path), "%s", rel), buf, size, NULL);

	if (rc < 0)
		return rc;
	buf[strcspn(buf, "\n")] = '\0';
	return 0;
}

int lp_read_long(const char *rel, long *v)
{
	char buf[64], *end;
	int rc = lp_read_line(rel, buf, sizeof(buf));

	if (rc < 0)
		return rc;
	errno = 0;
	*v = strtol(buf, &end, 10);
	if (end == buf || *end || errno)
		return -EINVAL;
	return 0;
}

int lp_write(const char *rel, const char *s)
{
	char path[4096];
	int fd = open(lp_path(path, sizeof(path), "%s", rel), O_WRONLY | O_CLOEXEC);
	ssize_t n;
	int rc = 0;

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
	char path[4096];

	return access(lp_path(path, sizeof(path), "%s", rel), F_OK) == 0;
}

int lp_kernel_release(char *buf, size_t size)
{
	return lp_read_line("/proc/sys/kernel/osrelease", buf, size);
}

static int notes_file_build_id(const char *rel, struct build_id *id)
{
	char path[4096], buf[8192];
	size_t len;
	int rc = read_all(lp_path(path, sizeof(path), "%s", rel), buf, sizeof(buf), &len);

	if (rc < 0)
		return rc;
	rc = notes_build_id(buf, len, id);
	return rc == -ENOENT ? -ENODATA : rc;
}

int lp_vmlinux_build_id(struct build_id *id)
{
	return notes_file_build_id("/sys/kernel/notes", id);
}

bool lp_module_loaded(const char *mod)
{
	char rel[256];

	snprintf(rel, sizeof(rel), "/sys/module/%s", mod);
	return lp_exists(rel);
}

int lp_module_build_id(const char *mod, struct build_id *id)
{
	char rel[256];

	if (!lp_module_loaded(mod))
		return -ENOENT;
	snprintf(rel, sizeof(rel), "/sys/module/%s/notes/.note.gnu.build-id", mod);
	return notes_file_build_id(rel, id);
}

int lp_module_refcnt(const char *mod, long *refcnt)
{
	char rel[256];

	snprintf(rel, sizeof(rel), "/sys/module/%s/refcnt", mod);
	return lp_read_long(rel, refcnt);
}

/* ---- the livepatch core ---- */

bool lp_livepatch_available(void)
{
	return lp_exists("/sys/kernel/livepatch");
}

int lp_patch(const char *name, struct lp_patch *p)
{
	char rel[256];
	long v;
	int rc;

	memset(p, 0, sizeof(*p));
	snprintf(p->name, sizeof(p->name), "%s", name);
	snprintf(rel, sizeof(rel), "/sys/kernel/livepatch/%s/enabled", name);
	rc = lp_read_long(rel, &v);
	if (rc < 0)
		return rc;
	p->enabled = v;
	snprintf(rel, sizeof(rel), "/sys/kernel/livepatch/%s/transition", name);
	rc = lp_read_long(rel, &v);
	p->transition = rc < 0 ? 0 : v;
	return 0;
}

/* The sorted names of the subdirectories of @rel: [owned] *@names. */
static int list_dir(const char *rel, char ***names)
{
	char path[4096];
	struct dirent **ents = NULL;
	int n = scandir(lp_path(path, sizeof(path), "%s", rel), &ents, NULL, alphasort);
	int k = 0;

	*names = NULL;
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
	if (k == 0) {	/* callers free nothing for an empty directory */
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
	int n = list_dir("/sys/kernel/livepatch", &names), k = 0;

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
	char rel[128];

	snprintf(rel, sizeof(rel), "/proc/%d/task/%d/comm", pid, tid);
	if (lp_read_line(rel, comm, size) < 0)
		snprintf(comm, size, "?");
}

static int tasks_of(int pid, int target, struct lp_task *tasks, size_t max, size_t *count)
{
	char rel[128], **tids;
	int n, rc;
	long st;

	snprintf(rel, sizeof(rel), "/proc/%d/task", pid);
	n = list_dir(rel, &tids);
	for (int i = 0; i < n; i++) {
		int tid = atoi(tids[i]);

		snprintf(rel, sizeof(rel), "/proc/%d/task/%d/patch_state", pid, tid);
		rc = lp_read_long(rel, &st);
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
	int n = list_dir("/proc", &pids);
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
	char rel[128];
	char path[4096];

	snprintf(rel, sizeof(rel), "/proc/%d/task/%d/stack", pid, tid);
	return read_all(lp_path(path, sizeof(path), "%s", rel), buf, size, NULL);
}

/* ---- the klp-bundle runtime ---- */

static int read_manifest(struct lp_bundle *b)
{
	char path[4096];
	size_t cap = 1 << 16, len = 0;
	int fd, rc = 0;
	ssize_t r;

	lp_path(path, sizeof(path), "/sys/kernel/klp_bundle/%s/manifest", b->module);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	b->manifest = malloc(cap);
	while (b->manifest) {
		if (len == cap) {
			uint8_t *nb = cap >= KLPB_MAX_CORE ? NULL : realloc(b->manifest, cap * 2);

			if (!nb) {
				rc = -EFBIG;
				break;
			}
			b->manifest = nb;
			cap *= 2;
		}
		r = read(fd, b->manifest + len, cap - len);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			rc = r < 0 ? -errno : 0;
			break;
		}
		len += r;
	}
	close(fd);
	if (!b->manifest)
		return -ENOMEM;
	b->manifest_len = len;
	if (rc == 0 && klpb_core_decode(b->manifest, len, &b->core, NULL) < 0)
		b->core = NULL;
	return rc;
}

static void read_objects(struct lp_bundle *b)
{
	char rel[512], **names;
	int n;

	snprintf(rel, sizeof(rel), "/sys/kernel/klp_bundle/%s/objects", b->module);
	n = list_dir(rel, &names);
	if (n <= 0)
		return;
	b->objects = calloc(n, sizeof(*b->objects));
	for (int i = 0; i < n && b->objects; i++) {
		struct lp_object *o = &b->objects[b->n_objects++];

		snprintf(o->name, sizeof(o->name), "%s", names[i]);
		snprintf(rel, sizeof(rel), "/sys/kernel/klp_bundle/%s/objects/%s/state",
			 b->module, names[i]);
		if (lp_read_line(rel, o->state, sizeof(o->state)) < 0)
			snprintf(o->state, sizeof(o->state), "unknown");
		snprintf(rel, sizeof(rel), "/sys/kernel/klp_bundle/%s/objects/%s/build_id",
			 b->module, names[i]);
		if (lp_read_line(rel, o->build_id, sizeof(o->build_id)) < 0)
			o->build_id[0] = '\0';
	}
	free_names(names, n);
}

static void read_bundle(struct lp_bundle *b, const char *module)
{
	char rel[512], v[64];
	struct lp_patch p;

	snprintf(b->module, sizeof(b->module), "%s", module);
	snprintf(rel, sizeof(rel), "/sys/kernel/klp_bundle/%s/name", module);
	if (lp_read_line(rel, b->name, sizeof(b->name)) < 0)
		snprintf(b->name, sizeof(b->name), "%s", module);
	snprintf(rel, sizeof(rel), "/sys/kernel/klp_bundle/%s/version", module);
	if (lp_read_line(rel, v, sizeof(v)) == 0)
		b->version = strtoull(v, NULL, 10);
	snprintf(rel, sizeof(rel), "/sys/kernel/klp_bundle/%s/lineage", module);
	lp_read_line(rel, b->lineage, sizeof(b->lineage));
	snprintf(rel, sizeof(rel), "/sys/kernel/klp_bundle/%s/replace", module);
	if (lp_read_line(rel, v, sizeof(v)) == 0)
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
	int n = list_dir("/sys/kernel/klp_bundle", &names);

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
	char line[4096], *tok, *save = NULL;

	if (lp_read_line("/proc/cmdline", line, sizeof(line)) < 0)
		return false;
	for (tok = strtok_r(line, " \t", &save); tok; tok = strtok_r(NULL, " \t", &save))
		if (strcmp(tok, word) == 0)
			return true;
	return false;
}
