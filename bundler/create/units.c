// SPDX-License-Identifier: GPL-2.0-or-later
/* units.c - see units.h. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "common/ctx.h"
#include "create/units.h"
#include "sys/spawn.h"
#include "util/file.h"
#include "util/strbuf.h"

/* A file the patches change, patched in memory. */
struct touched {
	char *path;
	struct src_text text;
};

struct argvec {
	char **v;
	size_t n, alloc;
};

/* What units_build() knows about one unit while building it. */
struct unit_job {
	const char *path;
	char **cmd; /* kbuild's compile command, split */
	size_t n_cmd;
	struct argvec orig, patched;
	pid_t pid_orig, pid_patched;
};

struct build {
	struct klpb_ctx *ctx;
	const char *tree;
	char *const *make_vars; /* NULL: KERNELRELEASE from the tree */
	char *wd; /* absolute */
	struct touched *files;
	size_t n_files;
	struct unit_job *jobs;
	size_t n_jobs;
	bool header; /* a header is touched */
};

static void argvec_free(struct argvec *a)
{
	size_t i;

	for (i = 0; i < a->n; i++)
		free(a->v[i]);
	free(a->v);
	*a = (struct argvec){ 0 };
}

/* Append a copy of @s (NULL-terminated vector). */
static int argvec_push(struct argvec *a, const char *s)
{
	if (a->n + 2 > a->alloc) {
		size_t alloc = a->alloc ? 2 * a->alloc : 64;
		char **nv = realloc(a->v, alloc * sizeof(*nv));

		if (!nv)
			return -ENOMEM;
		a->v = nv;
		a->alloc = alloc;
	}
	a->v[a->n] = strdup(s);
	if (!a->v[a->n])
		return -ENOMEM;
	a->v[++a->n] = NULL;
	return 0;
}

static int argvec_pushf(struct argvec *a, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static int argvec_pushf(struct argvec *a, const char *fmt, ...)
{
	struct strbuf sb;
	va_list ap;
	int rc;

	strbuf_init(&sb);
	va_start(ap, fmt);
	rc = strbuf_vaddf(&sb, fmt, ap);
	va_end(ap);
	if (!rc)
		rc = argvec_push(a, sb.buf);
	strbuf_release(&sb);
	return rc;
}

static bool ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);

	return n >= m && !strcmp(s + n - m, suffix);
}

static bool is_dir(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

static bool is_file(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* mkdir -p of the directory part of @path (@path itself with @whole). */
static int mkdirs(const char *path, bool whole)
{
	char *p = strdup(path), *s;
	int rc = 0;

	if (!p)
		return -ENOMEM;
	if (!whole) {
		s = strrchr(p, '/');
		if (s)
			*s = 0;
	}
	for (s = p + 1; !rc; s++) {
		bool last = !*s;

		if (*s != '/' && !last)
			continue;
		*s = 0;
		if (mkdir(p, 0755) < 0 && errno != EEXIST)
			rc = -errno;
		if (last)
			break;
		*s = '/';
	}
	free(p);
	return rc;
}

static int write_whole(const char *path, const void *data, size_t len)
{
	int fd, rc = mkdirs(path, false);

	if (rc)
		return rc;
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		return -errno;
	rc = write_all(fd, data, len);
	if (close(fd) < 0 && !rc)
		rc = -errno;
	return rc;
}

/* [owned] "<a>/<b>" */
static char *join(const char *a, const char *b)
{
	char *s;

	return asprintf(&s, "%s/%s", a, b) < 0 ? NULL : s;
}

/* The last lines of the log at @path (at most ~1500 bytes), for a message; [owned]. */
static char *log_tail(const char *path)
{
	uint8_t *buf;
	size_t len, from;
	char *s;

	if (read_file(path, &buf, &len))
		return strdup("");
	from = len > 1500 ? len - 1500 : 0;
	while (from && buf[from - 1] != '\n')
		from++;
	s = strdup((char *)buf + from);
	free(buf);
	return s;
}

/* A tree-relative path as the patch parser would accept it (for --patch-unit). */
static bool path_ok(const char *p)
{
	const char *c;

	if (!*p || *p == '/')
		return false;
	for (c = p; *c; c += strcspn(c, "/") + (c[strcspn(c, "/")] ? 1 : 0))
		if (!strncmp(c, "..", 2) && (c[2] == '/' || !c[2]))
			return false;
	return !strstr(p, "//");
}

/*
 * What to do with a touched file: 1 a unit (.c), 2 a header, 0 ignored
 * (documentation, with a warning), or a refusal reported.
 */
static int classify(struct klpb_ctx *ctx, const struct patch_file *pf)
{
	const char *p = pf->path;

	if (!strncmp(p, "Documentation/", 14)) {
		p_warn(ctx, "%s: the change of '%s' is ignored (documentation)", pf->patch, p);
		return 0;
	}
	if (!strncmp(p, "tools/", 6) || !strncmp(p, "scripts/", 8) || !strncmp(p, "samples/", 8) ||
	    !(ends_with(p, ".c") || ends_with(p, ".h"))) {
		p_err(ctx, -EINVAL,
		      "%s:%lu: the patch changes '%s': only kernel C sources (.c) and headers (.h) can be live-patched, not build files, assembly or tools; leave that part out of the patch",
		      pf->patch, pf->patch_line, p);
		return -EINVAL;
	}
	return ends_with(p, ".c") ? 1 : 2;
}

static struct touched *find_touched(struct build *b, const char *path)
{
	size_t i;

	for (i = 0; i < b->n_files; i++)
		if (!strcmp(b->files[i].path, path))
			return &b->files[i];
	return NULL;
}

/* The touched entry of @pf, loaded from the tree the first time. */
static int get_touched(struct build *b, const struct patch_file *pf, struct touched **out)
{
	struct touched *t = find_touched(b, pf->path), *nt;
	char *full;
	uint8_t *data;
	size_t len;
	int rc;

	if (t) {
		*out = t;
		return 0;
	}
	full = join(b->tree, pf->path);
	if (!full)
		return -ENOMEM;
	rc = read_file(full, &data, &len);
	if (rc) {
		p_err(b->ctx, rc,
		      "%s:%lu: the patch changes '%s', which cannot be read in the source tree %s: %s; is the patch for this kernel?",
		      pf->patch, pf->patch_line, pf->path, b->tree, strerror(-rc));
		free(full);
		return rc;
	}
	free(full);
	nt = realloc(b->files, (b->n_files + 1) * sizeof(*nt));
	if (!nt) {
		free(data);
		return -ENOMEM;
	}
	b->files = nt;
	t = &nt[b->n_files];
	t->path = strdup(pf->path);
	rc = t->path ? src_text_load(&t->text, (char *)data, len) : -ENOMEM;
	free(data);
	if (rc) {
		free(t->path);
		return rc;
	}
	b->n_files++;
	*out = t;
	return 0;
}

static int add_job(struct build *b, const char *path)
{
	struct unit_job *nj;
	size_t i;

	for (i = 0; i < b->n_jobs; i++)
		if (!strcmp(b->jobs[i].path, path))
			return 0;
	nj = realloc(b->jobs, (b->n_jobs + 1) * sizeof(*nj));
	if (!nj)
		return -ENOMEM;
	b->jobs = nj;
	nj[b->n_jobs++] = (struct unit_job){ .path = path };
	return 0;
}

/* Parse and apply the patches; the touched .c files become jobs. */
static int apply_patches(struct build *b, const struct patchset *ps)
{
	size_t i;
	int rc;

	for (i = 0; i < ps->n_files; i++) {
		const struct patch_file *pf = &ps->files[i];
		struct touched *t;
		int kind = classify(b->ctx, pf);

		if (kind <= 0) {
			if (kind < 0)
				return kind;
			continue;
		}
		rc = get_touched(b, pf, &t);
		if (!rc)
			rc = patch_apply(b->ctx, pf, &t->text);
		if (!rc && kind == 1)
			rc = add_job(b, t->path);
		if (rc)
			return rc;
		b->header |= kind == 2;
	}
	return 0;
}

static const char *first_header(const struct build *b)
{
	size_t i;

	for (i = 0; i < b->n_files; i++)
		if (ends_with(b->files[i].path, ".h"))
			return b->files[i].path;
	return "?";
}

static int add_named(struct build *b, char *const *named, size_t n)
{
	size_t i;
	int rc;

	if (b->header && !n) {
		p_err(b->ctx, -EINVAL,
		      "the patch changes the header '%s' and names no unit that includes it: which translation units to rebuild is not known; name each one with --patch-unit FILE.c",
		      first_header(b));
		return -EINVAL;
	}
	for (i = 0; i < n; i++) {
		char *full;
		bool exists;

		if (!path_ok(named[i]) || !ends_with(named[i], ".c")) {
			p_err(b->ctx, -EINVAL,
			      "unit '%s': not a tree-relative .c file; give --patch-unit a path like fs/proc/cmdline.c",
			      named[i]);
			return -EINVAL;
		}
		full = join(b->tree, named[i]);
		if (!full)
			return -ENOMEM;
		exists = is_file(full);
		free(full);
		if (!exists) {
			p_err(b->ctx, -ENOENT,
			      "unit '%s' is not in the source tree %s; check the path", named[i],
			      b->tree);
			return -ENOENT;
		}
		rc = add_job(b, named[i]);
		if (rc)
			return rc;
	}
	return 0;
}

/* Write <wd>/patched/<path> for every touched file and every unit. */
static int write_copies(struct build *b)
{
	struct strbuf sb;
	size_t i;
	int rc = 0;

	for (i = 0; !rc && i < b->n_files; i++) {
		char *dst = join(b->wd, "patched");
		char *path = dst ? join(dst, b->files[i].path) : NULL;

		strbuf_init(&sb);
		rc = path ? src_text_render(&b->files[i].text, true, &sb) : -ENOMEM;
		if (!rc)
			rc = write_whole(path, sb.buf, sb.len);
		if (rc)
			p_err(b->ctx, rc, "writing the patched copy %s: %s", path ? path : "",
			      strerror(-rc));
		strbuf_release(&sb);
		free(path);
		free(dst);
	}
	/* A named unit the patch does not change: a plain copy, so "x.h" finds patched ones. */
	for (i = 0; !rc && i < b->n_jobs; i++) {
		char *src, *dst;
		uint8_t *data;
		size_t len;

		if (find_touched(b, b->jobs[i].path))
			continue;
		src = join(b->tree, b->jobs[i].path);
		rc = asprintf(&dst, "%s/patched/%s", b->wd, b->jobs[i].path) < 0 ? -ENOMEM : 0;
		if (!rc && !src) {
			free(dst);
			rc = -ENOMEM;
		} else if (!rc) {
			rc = read_file(src, &data, &len);
			if (!rc) {
				rc = write_whole(dst, data, len);
				free(data);
			}
			if (rc)
				p_err(b->ctx, rc, "copying %s to %s: %s", src, dst, strerror(-rc));
			free(dst);
		}
		free(src);
	}
	return rc;
}

/* make-unescape the text of a .cmd line: "$$" is '$', "$(pound)" is '#'. */
static char *make_unescape(const char *s, size_t len)
{
	char *out = malloc(len + 1), *o = out;
	size_t i;

	if (!out)
		return NULL;
	for (i = 0; i < len; i++) {
		if (s[i] == '$' && i + 1 < len && s[i + 1] == '$') {
			*o++ = '$';
			i++;
		} else if (s[i] == '$' && len - i >= 8 && !memcmp(s + i, "$(pound)", 8)) {
			*o++ = '#';
			i += 7;
		} else {
			*o++ = s[i];
		}
	}
	*o = 0;
	return out;
}

/* One shell word at *@s into @w; 1 at an unquoted ';' or the end, -EINVAL on other syntax. */
static int shell_word(const char **s, struct strbuf *w)
{
	const char *p = *s;
	int rc = 0;

	while (*p == ' ' || *p == '\t')
		p++;
	if (!*p || *p == ';' || *p == '\n')
		return 1;
	while (!rc && *p && !strchr(" \t\n;", *p)) {
		if (*p == '\'') {
			const char *e = strchr(p + 1, '\'');

			if (!e)
				return -EINVAL;
			rc = strbuf_add(w, p + 1, (size_t)(e - p - 1));
			p = e + 1;
		} else if (*p == '"') {
			for (p++; !rc && *p && *p != '"'; p++) {
				if (*p == '$' || *p == '`')
					return -EINVAL;
				if (*p == '\\' && p[1] && strchr("\\\"$`", p[1]))
					p++;
				rc = strbuf_add(w, p, 1);
			}
			if (*p != '"')
				return -EINVAL;
			p++;
		} else if (strchr("$`&|<>()", *p)) {
			return -EINVAL;
		} else {
			if (*p == '\\' && p[1])
				p++;
			rc = strbuf_add(w, p, 1);
			p++;
		}
	}
	*s = p;
	return rc;
}

int kbuild_saved_cmd(const char *cmd_text, const char *target, char ***argv, size_t *argc)
{
	static const char *const prefixes[] = { "savedcmd_", "cmd_" };
	const char *line = NULL, *p;
	struct argvec a = { 0 };
	char *cmd;
	size_t i;
	int rc = 0;

	for (i = 0; i < 2 && !line; i++) {
		const char *s = cmd_text;
		size_t pl = strlen(prefixes[i]), tl = strlen(target);

		for (; s && *s; s = strchr(s, '\n') ? strchr(s, '\n') + 1 : NULL)
			if (!strncmp(s, prefixes[i], pl) && !strncmp(s + pl, target, tl) &&
			    !strncmp(s + pl + tl, " := ", 4)) {
				line = s + pl + tl + 4;
				break;
			}
	}
	if (!line)
		return -ENOENT;
	cmd = make_unescape(line, strcspn(line, "\n"));
	if (!cmd)
		return -ENOMEM;
	for (p = cmd; !rc;) {
		struct strbuf w;

		strbuf_init(&w);
		rc = shell_word(&p, &w);
		if (!rc)
			rc = argvec_push(&a, w.buf);
		strbuf_release(&w);
	}
	free(cmd);
	if (rc < 0 || !a.n) {
		argvec_free(&a);
		return rc < 0 ? rc : -EINVAL;
	}
	*argv = a.v;
	*argc = a.n;
	return 0;
}

/* The kbuild .cmd file of the unit @path: [owned] "<tree>/<dir>/.<base>.o.cmd". */
static char *cmd_file(const char *tree, const char *path)
{
	const char *slash = strrchr(path, '/');
	int dlen = slash ? (int)(slash - path + 1) : 0;
	const char *base = path + dlen;
	char *s;

	if (asprintf(&s, "%s/%.*s.%.*so.cmd", tree, dlen, path, (int)strlen(base) - 1, base) < 0)
		return NULL;
	return s;
}

/* Is the .cmd of @path there and made after the tree's configuration? */
static bool cmd_fresh(const char *tree, const char *path)
{
	char *cf = cmd_file(tree, path), *conf = join(tree, "include/config/auto.conf");
	struct stat a, c;
	bool fresh =
		cf && conf && stat(cf, &c) == 0 && stat(conf, &a) == 0 &&
		(c.st_mtim.tv_sec > a.st_mtim.tv_sec ||
		 (c.st_mtim.tv_sec == a.st_mtim.tv_sec && c.st_mtim.tv_nsec >= a.st_mtim.tv_nsec));

	free(cf);
	free(conf);
	return fresh;
}

/* The release the tree was prepared for (include/generated/utsrelease.h); [owned]. */
static int tree_release(struct build *b, char **out)
{
	char *path = join(b->tree, "include/generated/utsrelease.h");
	char rel[256];
	uint8_t *buf;
	size_t len;
	int rc = path ? read_file(path, &buf, &len) : -ENOMEM;

	if (!rc) {
		const char *q = strstr((char *)buf, "UTS_RELEASE \"");

		rc = q && sscanf(q, "UTS_RELEASE \"%255[^\"]\"", rel) == 1 ? 0 : -EINVAL;
		free(buf);
	}
	if (rc) {
		p_err(b->ctx, rc,
		      "the source tree %s is not prepared (no release in %s): %s; prepare it (make modules_prepare)",
		      b->tree, path ? path : "include/generated/utsrelease.h", strerror(-rc));
		free(path);
		return rc;
	}
	free(path);
	*out = strdup(rel);
	return *out ? 0 : -ENOMEM;
}

/* flock "<tree>.lock" if there is one: the fd to close, -1 for none, or -errno. */
static int lock_tree(struct build *b)
{
	char *lock;
	int fd;

	if (asprintf(&lock, "%s.lock", b->tree) < 0)
		return -ENOMEM;
	fd = open(lock, O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		int rc = errno == ENOENT ? -1 : -errno;

		if (rc != -1)
			p_err(b->ctx, rc, "cannot open the tree's lock file %s: %s", lock,
			      strerror(-rc));
		free(lock);
		return rc;
	}
	if (flock(fd, LOCK_EX | LOCK_NB) < 0) {
		p_info(b->ctx, "waiting for the lock of the source tree (%s)", lock);
		while (flock(fd, LOCK_EX) < 0)
			if (errno != EINTR) {
				int rc = -errno;

				p_err(b->ctx, rc, "locking %s: %s", lock, strerror(-rc));
				close(fd);
				free(lock);
				return rc;
			}
	}
	free(lock);
	return fd;
}

/* `make <unit>.o` in the tree, under its lock, for each job without a fresh .cmd. */
static int run_make(struct build *b)
{
	struct argvec a = { 0 };
	char *release = NULL, *log = NULL;
	size_t i, n_targets = 0;
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	double t0 = now();
	int rc, lock = -1;

	for (i = 0; i < b->n_jobs; i++)
		n_targets += !cmd_fresh(b->tree, b->jobs[i].path);
	if (!n_targets)
		return 0;
	rc = b->make_vars ? 0 : tree_release(b, &release);
	if (rc)
		return rc;
	rc = argvec_push(&a, "make");
	if (!rc)
		rc = argvec_pushf(&a, "-j%ld", ncpu > 0 ? ncpu : 1);
	for (i = 0; !rc && b->make_vars && b->make_vars[i]; i++)
		rc = argvec_push(&a, b->make_vars[i]);
	if (!rc && !b->make_vars)
		rc = argvec_pushf(&a, "KERNELRELEASE=%s", release);
	for (i = 0; !rc && i < b->n_jobs; i++)
		if (!cmd_fresh(b->tree, b->jobs[i].path))
			rc = argvec_pushf(&a, "%.*so", (int)strlen(b->jobs[i].path) - 1,
					  b->jobs[i].path);
	if (!rc)
		rc = asprintf(&log, "%s/log/make.log", b->wd) < 0 ? -ENOMEM : 0;
	if (!rc)
		rc = mkdirs(log, false);
	if (!rc) {
		lock = lock_tree(b);
		rc = lock < -1 ? lock : 0;
	}
	if (!rc) {
		rc = run_logged(a.v, b->tree, log);
		if (rc) {
			char *tail = log_tail(log);

			p_err(b->ctx, rc,
			      "kbuild could not compile the unit(s) in the source tree %s (to learn their compile command):\n%s\nsee %s",
			      b->tree, tail ? tail : "", log);
			free(tail);
		}
	}
	if (lock >= 0)
		close(lock);
	p_dbg(b->ctx, "make of %zu unit(s) in %s: %.1f s", n_targets, b->tree, now() - t0);
	argvec_free(&a);
	free(release);
	free(log);
	return rc;
}

/* Read kbuild's command of each job. */
static int learn_cmds(struct build *b)
{
	size_t i;
	int rc = run_make(b);

	for (i = 0; !rc && i < b->n_jobs; i++) {
		struct unit_job *j = &b->jobs[i];
		char *cf = cmd_file(b->tree, j->path), *target = NULL;
		uint8_t *text = NULL;
		size_t len;

		rc = cf ? read_file(cf, &text, &len) : -ENOMEM;
		if (!rc)
			rc = asprintf(&target, "%.*so", (int)strlen(j->path) - 1, j->path) < 0 ?
				     -ENOMEM :
				     0;
		if (!rc)
			rc = kbuild_saved_cmd((char *)text, target, &j->cmd, &j->n_cmd);
		if (rc)
			p_err(b->ctx, rc,
			      "cannot read kbuild's compile command of '%s' from %s: %s; is the unit built by this configuration?",
			      j->path, cf ? cf : "", strerror(-rc));
		free(target);
		free(text);
		free(cf);
	}
	return rc;
}

static bool is_source_arg(const char *arg, const char *path)
{
	return !strcmp(arg, path) || (!strncmp(arg, "./", 2) && !strcmp(arg + 2, path));
}

static const char *strip_dot(const char *p)
{
	while (!strncmp(p, "./", 2))
		p += 2;
	return p;
}

/* For the patched compile: "-I<wd>/patched/<dir>" ahead of "-I<dir>" when there is one. */
static int push_patched_inc(struct build *b, struct argvec *a, const char *dir)
{
	char *pdir;
	int rc = 0;

	if (dir[0] == '/')
		return 0;
	if (asprintf(&pdir, "%s/patched/%s", b->wd, strip_dot(dir)) < 0)
		return -ENOMEM;
	if (is_dir(pdir))
		rc = argvec_pushf(a, "-I%s", pdir);
	free(pdir);
	return rc;
}

/* An argument of kbuild's command, as the original (@a) and patched (@pa) compiles want it. */
static int convert_arg(struct build *b, struct unit_job *j, size_t *k, const char *o_orig,
		       const char *o_patched)
{
	char **cmd = j->cmd;
	const char *arg = cmd[*k];
	int rc = 0;

	if (!strncmp(arg, "-Wp,-MMD,", 9) || !strncmp(arg, "-Wp,-MD,", 8)) {
		rc = argvec_pushf(&j->orig, "-Wp,-MMD,%s.d", o_orig);
		return rc ? rc : argvec_pushf(&j->patched, "-Wp,-MMD,%s.d", o_patched);
	}
	if (!strcmp(arg, "-o") && *k + 1 < j->n_cmd) {
		(*k)++;
		rc = argvec_push(&j->orig, "-o");
		if (!rc)
			rc = argvec_push(&j->orig, o_orig);
		if (!rc)
			rc = argvec_push(&j->patched, "-o");
		return rc ? rc : argvec_push(&j->patched, o_patched);
	}
	if (is_source_arg(arg, j->path)) {
		rc = argvec_push(&j->orig, arg);
		return rc ? rc : argvec_pushf(&j->patched, "%s/patched/%s", b->wd, j->path);
	}
	if (!strncmp(arg, "-I", 2)) {
		const char *dir = arg[2] ? arg + 2 : *k + 1 < j->n_cmd ? cmd[*k + 1] : "";

		rc = push_patched_inc(b, &j->patched, dir);
	} else if (!strcmp(arg, "-include") && *k + 1 < j->n_cmd) {
		char *pf;

		if (asprintf(&pf, "%s/patched/%s", b->wd, strip_dot(cmd[*k + 1])) < 0)
			return -ENOMEM;
		if (is_file(pf)) {
			rc = argvec_push(&j->orig, arg);
			if (!rc)
				rc = argvec_push(&j->orig, cmd[*k + 1]);
			if (!rc)
				rc = argvec_push(&j->patched, arg);
			if (!rc)
				rc = argvec_push(&j->patched, pf);
			(*k)++;
			free(pf);
			return rc;
		}
		free(pf);
	}
	if (!rc)
		rc = argvec_push(&j->orig, arg);
	return rc ? rc : argvec_push(&j->patched, arg);
}

/* Both compile commands of @j from kbuild's, with outputs in the work directory. */
static int make_argvs(struct build *b, struct unit_job *j, const char *o_orig,
		      const char *o_patched)
{
	size_t k, dlen = strrchr(j->path, '/') ? (size_t)(strrchr(j->path, '/') - j->path) : 0;
	bool have_src = false;
	int rc = 0;

	for (k = 0; !rc && k < j->n_cmd; k++) {
		have_src |= is_source_arg(j->cmd[k], j->path);
		rc = convert_arg(b, j, &k, o_orig, o_patched);
	}
	if (!rc && !have_src) {
		p_err(b->ctx, -EINVAL,
		      "kbuild's compile command of '%s' does not name the source as '%s' (an out-of-tree build?); use an in-tree prepared source tree",
		      j->path, j->path);
		return -EINVAL;
	}
	if (!rc)
		rc = argvec_pushf(&j->patched, "-iquote%s/patched/%.*s", b->wd, (int)dlen, j->path);
	if (!rc)
		rc = argvec_pushf(&j->patched, "-iquote%.*s", (int)(dlen ? dlen : 1),
				  dlen ? j->path : ".");
	if (!rc)
		rc = argvec_pushf(&j->patched, "-fmacro-prefix-map=%s/patched/=", b->wd);
	if (!rc)
		rc = argvec_push(&j->orig, "-ffunction-sections");
	if (!rc)
		rc = argvec_push(&j->orig, "-fdata-sections");
	if (!rc)
		rc = argvec_push(&j->patched, "-ffunction-sections");
	if (!rc)
		rc = argvec_push(&j->patched, "-fdata-sections");
	return rc;
}

/* The object of a unit from kbuild's flags: [owned] "vmlinux" or the module's name. */
static int unit_object(struct build *b, const struct unit_job *j, char **object)
{
	const char *modname = NULL;
	bool module = false;
	size_t k;
	char *s;

	for (k = 0; k < j->n_cmd; k++) {
		module |= !strcmp(j->cmd[k], "-DMODULE");
		if (!strncmp(j->cmd[k], "-DKBUILD_MODNAME=", 17))
			modname = j->cmd[k] + 17;
	}
	if (!module) {
		*object = strdup("vmlinux");
		return *object ? 0 : -ENOMEM;
	}
	if (!modname || strchr(modname, ':')) {
		p_err(b->ctx, -EINVAL,
		      "'%s' is built into %s: a live patch needs exactly one module per unit",
		      j->path, modname ? "several modules" : "a module kbuild does not name");
		return -EINVAL;
	}
	*object = strndup(modname + (*modname == '"'), strcspn(modname + (*modname == '"'), "\""));
	if (!*object)
		return -ENOMEM;
	for (s = *object; *s; s++)
		if (*s == '-')
			*s = '_';
	return 0;
}

/* Start the log at @path with the command @argv, so that it can be rerun by hand. */
static int log_cmd(const char *path, char *const *argv)
{
	FILE *f = fopen(path, "w");
	size_t i;

	if (!f)
		return -errno;
	fputs("#", f);
	for (i = 0; argv[i]; i++)
		fprintf(f, strpbrk(argv[i], " \"'$") ? " '%s'" : " %s", argv[i]);
	fputs("\n", f);
	return fclose(f) ? -errno : 0;
}

static int wait_compile(struct build *b, const char *path, const char *which, pid_t pid,
			const char *log)
{
	int rc = wait_logged(pid);

	if (rc) {
		char *tail = log_tail(log);

		p_err(b->ctx, rc, "compiling the %s '%s' failed:\n%s\nsee %s", which, path,
		      tail ? tail : "", log);
		free(tail);
	}
	return rc;
}

/* Compile job @j both ways, side by side; fill @u. */
static int compile_unit(struct build *b, struct unit_job *j, struct unit *u)
{
	char *lo = NULL, *lp = NULL;
	double t0 = now();
	int rc, rc2;

	u->path = strdup(j->path);
	if (!u->path ||
	    asprintf(&u->orig_o, "%s/obj/orig/%.*so", b->wd, (int)strlen(j->path) - 1, j->path) <
		    0 ||
	    asprintf(&u->patched_o, "%s/obj/patched/%.*so", b->wd, (int)strlen(j->path) - 1,
		     j->path) < 0 ||
	    asprintf(&lo, "%s/log/%s.orig.log", b->wd, j->path) < 0 ||
	    asprintf(&lp, "%s/log/%s.patched.log", b->wd, j->path) < 0) {
		rc = -ENOMEM;
		goto out;
	}
	rc = unit_object(b, j, &u->object);
	if (!rc)
		rc = make_argvs(b, j, u->orig_o, u->patched_o);
	if (!rc)
		rc = mkdirs(u->orig_o, false);
	if (!rc)
		rc = mkdirs(u->patched_o, false);
	if (!rc)
		rc = mkdirs(lo, false);
	if (rc)
		goto out;
	rc = log_cmd(lo, j->orig.v);
	if (!rc)
		rc = log_cmd(lp, j->patched.v);
	if (rc) {
		p_err(b->ctx, rc, "cannot write the compile log %s: %s", lo, strerror(-rc));
		goto out;
	}
	rc = spawn_logged(j->orig.v, b->tree, lo, &j->pid_orig);
	if (rc)
		goto out;
	rc2 = spawn_logged(j->patched.v, b->tree, lp, &j->pid_patched);
	if (rc2)
		p_err(b->ctx, rc2, "cannot run the compiler for '%s' (%s): %s", j->path,
		      j->patched.v[0], strerror(-rc2));
	rc = wait_compile(b, j->path, "original", j->pid_orig, lo);
	if (!rc2)
		rc2 = wait_compile(b, j->path, "patched", j->pid_patched, lp);
	rc = rc ? rc : rc2;
	if (!rc)
		p_info(b->ctx, "compiled %s (%s), original and patched: %.1f s", j->path, u->object,
		       now() - t0);
out:
	if (rc == -ENOMEM)
		p_err(b->ctx, rc, "building '%s': out of memory", j->path);
	free(lo);
	free(lp);
	return rc;
}

/* Each touched header must be included by some unit (the compiler's dependency files). */
static int check_headers(struct build *b, struct unit *units, size_t n)
{
	size_t i, k;
	int rc = 0;

	for (i = 0; !rc && i < b->n_files; i++) {
		char *needle;
		bool found = false;

		if (!ends_with(b->files[i].path, ".h"))
			continue;
		if (asprintf(&needle, "%s/patched/%s", b->wd, b->files[i].path) < 0)
			return -ENOMEM;
		for (k = 0; k < n && !found; k++) {
			char *dep;
			uint8_t *text;
			size_t len;

			if (asprintf(&dep, "%s.d", units[k].patched_o) < 0)
				break;
			if (!read_file(dep, &text, &len)) {
				found = strstr((char *)text, needle) != NULL;
				free(text);
			}
			free(dep);
		}
		if (!found) {
			p_err(b->ctx, -EINVAL,
			      "the patch changes the header '%s' but none of the named units includes it; name the units that do with --patch-unit FILE.c",
			      b->files[i].path);
			rc = -EINVAL;
		}
		free(needle);
	}
	return rc;
}

static int compile_all(struct build *b, struct unit **units, size_t *n_units)
{
	struct unit *u = calloc(b->n_jobs ? b->n_jobs : 1, sizeof(*u));
	size_t i;
	int rc = u ? 0 : -ENOMEM;

	for (i = 0; !rc && i < b->n_jobs; i++)
		rc = compile_unit(b, &b->jobs[i], &u[i]);
	if (!rc && b->header)
		rc = check_headers(b, u, b->n_jobs);
	if (rc) {
		units_free(u, b->n_jobs);
		return rc;
	}
	*units = u;
	*n_units = b->n_jobs;
	return 0;
}

static void build_free(struct build *b)
{
	size_t i, k;

	for (i = 0; i < b->n_files; i++) {
		free(b->files[i].path);
		src_text_free(&b->files[i].text);
	}
	free(b->files);
	for (i = 0; i < b->n_jobs; i++) {
		for (k = 0; k < b->jobs[i].n_cmd; k++)
			free(b->jobs[i].cmd[k]);
		free(b->jobs[i].cmd);
		argvec_free(&b->jobs[i].orig);
		argvec_free(&b->jobs[i].patched);
	}
	free(b->jobs);
	free(b->wd);
}

static int open_workdir(struct build *b, const char *workdir)
{
	int rc = mkdirs(workdir, true);

	if (!rc) {
		b->wd = realpath(workdir, NULL);
		rc = b->wd ? 0 : -errno;
	}
	if (rc)
		p_err(b->ctx, rc, "cannot create the work directory %s: %s", workdir,
		      strerror(-rc));
	return rc;
}

int units_build(struct klpb_ctx *ctx, const char *tree, char *const *make_vars,
		const struct patch_input *patches, size_t n_patches, char *const *named_units,
		size_t n_named, const char *workdir, struct unit **units, size_t *n_units)
{
	struct build b = { .ctx = ctx, .tree = tree, .make_vars = make_vars };
	struct patchset ps;
	int rc;

	rc = patchset_parse(ctx, patches, n_patches, &ps);
	if (rc)
		return rc;
	rc = apply_patches(&b, &ps);
	if (!rc)
		rc = add_named(&b, named_units, n_named);
	if (!rc && !b.n_jobs) {
		p_err(ctx, -EINVAL,
		      "the patches change no C source or header of the kernel: nothing to live-patch");
		rc = -EINVAL;
	}
	if (!rc)
		rc = open_workdir(&b, workdir);
	if (!rc)
		rc = write_copies(&b);
	if (!rc)
		rc = learn_cmds(&b);
	if (!rc)
		rc = compile_all(&b, units, n_units);
	if (rc == -ENOMEM)
		p_err(ctx, rc, "building the patched units: out of memory");
	build_free(&b);
	patchset_free(&ps);
	return rc;
}

void units_free(struct unit *u, size_t n)
{
	size_t i;

	if (!u)
		return;
	for (i = 0; i < n; i++) {
		free(u[i].path);
		free(u[i].object);
		free(u[i].orig_o);
		free(u[i].patched_o);
	}
	free(u);
}
