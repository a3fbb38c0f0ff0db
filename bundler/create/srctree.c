// SPDX-License-Identifier: GPL-2.0-or-later
/* srctree.c - see srctree.h. */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/file.h"
#include "util/strbuf.h"

#include "create/srctree.h"
#include "sys/spawn.h"

#define DEFAULT_CACHE_DIR "/var/cache/klp-bundle"
/* How many differing options a refusal names, and how many log lines it shows. */
#define DIFF_NAMED 8
#define LOG_TAIL_LINES 25

/* One preparation of a release's tree. */
struct prep {
	struct klpb_ctx *ctx;
	const char *release, *kdir;
	char *version; /* Debian source version */
	char *series; /* "6.1" */
	char *cc; /* the compiler the headers' config names */
	char *make_vars[4]; /* CC=, KERNELRELEASE=, RUSTC= (NULL-terminated) */
	uint8_t *config; /* the headers' .config */
	size_t config_len;
	char *base; /* <cache>/src/<release>/<version> */
	char *tmp; /* <base>.tmp.<pid> */
	bool in_place; /* --source: logs stay in the tree, nothing is removed */
};

static bool exists(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0;
}

/* mkdir -p @path (0755). */
static int mkdir_p(const char *path)
{
	char *p = strdup(path);
	int rc = 0;

	if (!p)
		return -ENOMEM;
	for (char *s = p + 1; !rc; s++) {
		bool end = *s == '\0';

		if (*s != '/' && !end)
			continue;
		*s = '\0';
		if (mkdir(p, 0755) < 0 && errno != EEXIST)
			rc = -errno;
		if (end)
			break;
		*s = '/';
	}
	free(p);
	return rc;
}

/*
 * Run @argv with its output into a temporary file: [owned] *@out (the
 * output, also when the command failed).  Returns run_logged()'s result.
 */
static int capture(char *const argv[], char **out)
{
	const char *tmpdir = getenv("TMPDIR");
	char *path =
		alloc_printf("%s/klp-bundle-query.XXXXXX", tmpdir && *tmpdir ? tmpdir : "/tmp");
	uint8_t *data = NULL;
	size_t len;
	int fd, rc;

	*out = NULL;
	if (!path)
		return -ENOMEM;
	fd = mkstemp(path);
	if (fd < 0) {
		rc = -errno;
		free(path);
		return rc;
	}
	close(fd);
	rc = run_logged(argv, NULL, path);
	if (read_file(path, &data, &len) == 0)
		*out = (char *)data;
	unlink(path);
	free(path);
	return *out ? rc : -ENOMEM;
}

int srctree_parse_built_using(const char *field, char **version)
{
	const char *p = field;

	*version = NULL;
	while (p && *p) {
		const char *name, *end, *v;
		size_t n;

		while (*p == ' ' || *p == ',' || *p == '\n')
			p++;
		name = p;
		n = strcspn(name, " (,");
		end = strchr(p, ',');
		v = strstr(p, "(=");
		p = end;
		if (!v || (end && v > end))
			continue;
		/* "linux" or "linux-X.Y", not "linux-signed-amd64" */
		if (!(n == 5 && !strncmp(name, "linux", 5)) &&
		    !(n > 6 && !strncmp(name, "linux-", 6) && isdigit((unsigned char)name[6])))
			continue;
		v += 2;
		while (*v == ' ')
			v++;
		n = strcspn(v, " )");
		if (!n || v[n] == '\0')
			continue;
		*version = strndup(v, n);
		return *version ? 0 : -ENOMEM;
	}
	return -ENOENT;
}

int srctree_parse_image_query(const char *output, const char *release, char **version)
{
	const char *line = output;

	*version = NULL;
	for (; line && *line; line = strchr(line, '\n'), line = line ? line + 1 : NULL) {
		size_t eol = strcspn(line, "\n");
		char *l = strndup(line, eol), *name, *status, *field, *save = NULL;
		bool match;
		int rc;

		if (!l)
			return -ENOMEM;
		name = strtok_r(l, " ", &save);
		status = strtok_r(NULL, " ", &save);
		field = strtok_r(NULL, "", &save);
		match = name && status && field && !strcmp(status, "installed") &&
			!strncmp(name, "linux-image-", 12) &&
			!strncmp(name + 12, release, strlen(release)) &&
			(!name[12 + strlen(release)] ||
			 !strcmp(name + 12 + strlen(release), "-unsigned"));
		rc = match ? srctree_parse_built_using(field, version) : -ENOENT;
		free(l);
		if (rc != -ENOENT)
			return rc;
	}
	return -ENOENT;
}

int srctree_series(const char *version, char **series)
{
	const char *v = strchr(version, ':'), *p;
	int dots = 0;

	v = v ? v + 1 : version;
	for (p = v; isdigit((unsigned char)*p) || *p == '.'; p++) {
		if (*p == '.' && ++dots == 2)
			break;
	}
	if (dots < 1 || !isdigit((unsigned char)*v) || p[-1] == '.')
		return -EINVAL;
	*series = strndup(v, p - v);
	return *series ? 0 : -ENOMEM;
}

int srctree_cache_dir(char **dir)
{
	const char *d = getenv("KLPB_CACHE_DIR");

	*dir = strdup(d && *d ? d : DEFAULT_CACHE_DIR);
	return *dir ? 0 : -ENOMEM;
}

/* The Debian source version that built @release's image, reported when unknown. */
static int lookup_version(struct klpb_ctx *ctx, const char *release, bool quiet, char **version)
{
	char *img = alloc_printf("linux-image-%s", release);
	char *unsigned_img = alloc_printf("linux-image-%s-unsigned", release);
	char *out = NULL;
	int rc = -ENOMEM;

	if (img && unsigned_img) {
		char *argv[] = { "dpkg-query",
				 "-W",
				 "-f=${Package} ${db:Status-Status} ${Built-Using}\n",
				 img,
				 unsigned_img,
				 NULL };

		capture(argv, &out);
		rc = out ? srctree_parse_image_query(out, release, version) : -ENOMEM;
	}
	if (rc == -ENOENT && !quiet)
		p_err(ctx, rc,
		      "cannot find the kernel source version of '%s': package '%s' (or '%s') is "
		      "not installed or names no linux source in Built-Using; install it, or "
		      "give the prepared tree with --source DIR",
		      release, img, unsigned_img);
	else if (rc && !quiet)
		p_err(ctx, rc, "cannot query dpkg about '%s'", img);
	free(out);
	free(img);
	free(unsigned_img);
	return rc;
}

/* One "NAME=value" line of a .config (both point into the parsed copy). */
struct opt {
	const char *name, *value;
};

static int opt_cmp(const void *a, const void *b)
{
	return strcmp(((const struct opt *)a)->name, ((const struct opt *)b)->name);
}

/* Parse @text (copied into [owned] *@copy): the sorted options in [owned] *@opts. */
static int parse_config(const char *text, size_t len, char **copy, struct opt **opts, size_t *n)
{
	size_t cap = 0;
	char *save = NULL;

	*opts = NULL;
	*n = 0;
	*copy = strndup(text, len);
	if (!*copy)
		return -ENOMEM;
	for (char *l = strtok_r(*copy, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
		char *eq;

		while (*l == ' ' || *l == '\t')
			l++;
		eq = strchr(l, '=');
		if (*l == '#' || !eq)
			continue;
		if (*n == cap) {
			struct opt *o =
				realloc(*opts, (cap = cap ? cap * 2 : 1024) * sizeof(**opts));

			if (!o)
				return -ENOMEM;
			*opts = o;
		}
		*eq = '\0';
		(*opts)[(*n)++] = (struct opt){ l, eq + 1 };
	}
	if (*n)
		qsort(*opts, *n, sizeof(**opts), opt_cmp);
	return 0;
}

/* Add "NAME: A in the headers, B in the tree" for one differing option. */
static void add_diff(struct strbuf *sb, int n, const char *name, const char *want, const char *got)
{
	if (n > DIFF_NAMED)
		return;
	if (n == DIFF_NAMED) {
		strbuf_addf(sb, ", ...");
		return;
	}
	strbuf_addf(sb, "%s%s: %s in the headers, %s in the tree", n ? ", " : "", name,
		    want ? want : "unset", got ? got : "unset");
}

int srctree_config_diff(const char *want, size_t want_len, const char *got, size_t got_len,
			char **summary)
{
	char *wcopy = NULL, *gcopy = NULL;
	struct opt *w = NULL, *g = NULL;
	size_t nw = 0, ng = 0, i = 0, j = 0;
	struct strbuf sb;
	int rc, n = 0;

	*summary = NULL;
	strbuf_init(&sb);
	rc = parse_config(want, want_len, &wcopy, &w, &nw);
	if (!rc)
		rc = parse_config(got, got_len, &gcopy, &g, &ng);
	while (!rc && (i < nw || j < ng)) {
		int c = i == nw ? 1 : j == ng ? -1 : strcmp(w[i].name, g[j].name);

		if (c < 0) {
			add_diff(&sb, n++, w[i].name, w[i].value, NULL);
			i++;
		} else if (c > 0) {
			add_diff(&sb, n++, g[j].name, NULL, g[j].value);
			j++;
		} else {
			if (strcmp(w[i].value, g[j].value))
				add_diff(&sb, n++, w[i].name, w[i].value, g[j].value);
			i++;
			j++;
		}
	}
	if (!rc && n) {
		*summary = strbuf_detach(&sb);
		if (!*summary)
			rc = -ENOMEM;
	}
	strbuf_release(&sb);
	free(wcopy);
	free(gcopy);
	free(w);
	free(g);
	return rc ? rc : n;
}

/* Refuse @tree unless its .config is the headers' (comments aside). */
static int check_config(struct prep *p, const char *tree)
{
	char *path = alloc_printf("%s/.config", tree), *summary = NULL;
	uint8_t *got = NULL;
	size_t len = 0;
	int rc;

	if (!path)
		return -ENOMEM;
	rc = read_file(path, &got, &len);
	if (rc) {
		p_err(p->ctx, rc, "cannot read the configuration '%s' of the prepared tree", path);
		free(path);
		return rc;
	}
	rc = srctree_config_diff((char *)p->config, p->config_len, (char *)got, len, &summary);
	if (rc > 0) {
		p_err(p->ctx, -EINVAL,
		      "the configuration of '%s' differs from that of '%s' (%s/.config) in %d "
		      "option(s): %s; the source is not the one that built it or was configured "
		      "with another compiler (CONFIG_CC_VERSION_TEXT): give a matching tree "
		      "with --source DIR",
		      tree, p->release, p->kdir, rc, summary);
		rc = -EINVAL;
	} else if (rc < 0) {
		p_err(p->ctx, rc, "cannot compare '%s' with %s/.config", path, p->kdir);
	}
	free(summary);
	free(got);
	free(path);
	return rc;
}

/* The compiler CONFIG_CC_VERSION_TEXT names ("gcc-12 (Debian ...) 12.2.0"): [owned]. */
static char *config_cc(const char *config)
{
	static const char key[] = "CONFIG_CC_VERSION_TEXT=\"";
	const char *p = strstr(config, key);

	while (p && p != config && p[-1] != '\n')
		p = strstr(p + 1, key);
	if (!p)
		return strdup("gcc");
	p += strlen(key);
	return strndup(p, strcspn(p, " \"\n"));
}

/* Is @cmd an executable in $PATH (or a path to one)? */
static bool in_path(const char *cmd)
{
	const char *path = getenv("PATH");
	bool found = false;
	char *copy, *save = NULL;

	if (strchr(cmd, '/'))
		return access(cmd, X_OK) == 0;
	copy = strdup(path ? path : "/usr/bin:/bin");
	for (char *d = copy ? strtok_r(copy, ":", &save) : NULL; d && !found;
	     d = strtok_r(NULL, ":", &save)) {
		char *f = alloc_printf("%s/%s", d, cmd);

		found = f && access(f, X_OK) == 0;
		free(f);
	}
	free(copy);
	return found;
}

/* The Debian package of compiler @cc ("x86_64-linux-gnu-gcc-12": "gcc-12"). */
static const char *cc_package(const char *cc)
{
	const char *p = strstr(cc, "-linux-gnu-");

	return p ? p + strlen("-linux-gnu-") : cc;
}

/* Report every tool preparing a tree needs that is missing ("cannot prepare"). */
static int check_tools(struct prep *p, const char *tree)
{
	static const struct {
		const char *what, *pkg;
		bool header;
	} need[] = {
		{ "make", "make", false },
		{ "tar", "tar", false },
		{ "xz", "xz-utils", false },
		{ "flex", "flex", false },
		{ "bison", "bison", false },
		{ "bc", "bc", false },
		{ "perl", "perl", false },
		{ "/usr/include/openssl/opensslv.h", "libssl-dev", true },
		{ "/usr/include/libelf.h", "libelf-dev", true },
	};
	struct strbuf what, pkgs;
	int rc = 0;

	strbuf_init(&what);
	strbuf_init(&pkgs);
	for (size_t i = 0; i < sizeof(need) / sizeof(need[0]); i++) {
		if (need[i].header ? exists(need[i].what) : in_path(need[i].what))
			continue;
		strbuf_addf(&what, "%s%s", what.len ? ", " : "", need[i].what);
		strbuf_addf(&pkgs, " %s", need[i].pkg);
	}
	if (!in_path(p->cc)) {
		strbuf_addf(&what, "%s%s (the compiler CONFIG_CC_VERSION_TEXT names)",
			    what.len ? ", " : "", p->cc);
		strbuf_addf(&pkgs, " %s", cc_package(p->cc));
	}
	if (what.len) {
		rc = -ENOENT;
		p_err(p->ctx, rc,
		      "cannot prepare the kernel source of '%s' in '%s': missing %s; install "
		      "them (apt-get install%s, or tools/setup) and try again",
		      p->release, tree, what.buf, pkgs.buf);
	}
	strbuf_release(&what);
	strbuf_release(&pkgs);
	return rc;
}

/* The last LOG_TAIL_LINES lines of @path: [owned], "" when unreadable. */
static char *log_tail(const char *path)
{
	uint8_t *data = NULL;
	size_t len = 0;
	const char *start;
	int lines = 0;
	char *s;

	if (read_file(path, &data, &len))
		return strdup("");
	while (len && data[len - 1] == '\n')
		len--;
	start = (char *)data + len;
	while (start > (char *)data && lines < LOG_TAIL_LINES)
		if (*--start == '\n')
			lines++;
	if (*start == '\n')
		start++;
	s = strndup(start, (char *)data + len - start);
	free(data);
	return s;
}

/* Keep a failed step's log at <base>.failed.log (the build directory goes). */
static char *save_log(struct prep *p, const char *log)
{
	char *saved;
	uint8_t *data = NULL;
	size_t len = 0;

	if (p->in_place)
		return strdup(log);
	saved = alloc_printf("%s.failed.log", p->base);
	if (saved && read_file(log, &data, &len) == 0)
		write_file_atomic(saved, data, len, 0644, false);
	free(data);
	return saved;
}

/* Run one step of the preparation in @cwd, its output into @log; report a failure. */
static int run_step(struct prep *p, char *const argv[], const char *cwd, const char *log,
		    const char *what)
{
	int rc = run_logged(argv, cwd, log);
	char *tail, *saved;

	if (!rc)
		return 0;
	tail = log_tail(log);
	saved = save_log(p, log);
	p_err(p->ctx, rc,
	      "cannot prepare the kernel source of '%s': %s failed in '%s' (full log: %s); "
	      "its last lines:\n%s",
	      p->release, what, cwd, saved ? saved : log, tail ? tail : "");
	free(tail);
	free(saved);
	return rc;
}

/* The installed /usr/src/linux-source-X.Y.tar.xz, if it is of exactly our version. */
static char *installed_tarball(struct prep *p)
{
	char *pkg = alloc_printf("linux-source-%s", p->series);
	char *tarball = alloc_printf("/usr/src/linux-source-%s.tar.xz", p->series);
	char *want = alloc_printf("%s installed", p->version), *out = NULL;
	bool ok = false;

	if (pkg && tarball && want) {
		char *argv[] = { "dpkg-query", "-W", "-f=${Version} ${db:Status-Status}", pkg,
				 NULL };

		ok = capture(argv, &out) == 0 && out && !strcmp(out, want) && exists(tarball);
	}
	free(pkg);
	free(want);
	free(out);
	if (ok)
		return tarball;
	free(tarball);
	return NULL;
}

/* The one "*.deb" file in @dir: [owned], or NULL. */
static char *find_deb(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char *deb = NULL;

	while (d && !deb && (e = readdir(d))) {
		size_t n = strlen(e->d_name);

		if (n > 4 && !strcmp(e->d_name + n - 4, ".deb"))
			deb = alloc_printf("%s/%s", dir, e->d_name);
	}
	if (d)
		closedir(d);
	return deb;
}

/* apt-get download linux-source-X.Y=V into @dl and take its tarball out: [owned] *@tarball. */
static int download_tarball(struct prep *p, const char *dl, char **tarball)
{
	char *spec = alloc_printf("linux-source-%s=%s", p->series, p->version);
	char *log = alloc_printf("%s/download.log", dl), *x = alloc_printf("%s/x", dl), *deb = NULL;
	int rc = spec && log && x ? mkdir_p(dl) : -ENOMEM;

	*tarball = NULL;
	if (!rc) {
		char *argv[] = { "apt-get", "download", "-q", spec, NULL };

		p_info(p->ctx,
		       "klp-bundle: downloading linux-source-%s %s (apt-get download) into %s",
		       p->series, p->version, dl);
		rc = run_step(p, argv, dl, log,
			      "apt-get download (is the version still in the archive?)");
	}
	if (!rc) {
		deb = find_deb(dl);
		rc = deb ? 0 : -ENOENT;
		if (rc)
			p_err(p->ctx, rc, "apt-get download of '%s' left no .deb in '%s'", spec,
			      dl);
	}
	if (!rc) {
		char *argv[] = { "dpkg-deb", "-x", deb, x, NULL };

		rc = run_step(p, argv, dl, log, "dpkg-deb -x");
	}
	if (!rc) {
		*tarball = alloc_printf("%s/usr/src/linux-source-%s.tar.xz", x, p->series);
		rc = !*tarball ? -ENOMEM : exists(*tarball) ? 0 : -ENOENT;
		if (rc == -ENOENT)
			p_err(p->ctx, rc, "'%s' holds no '/usr/src/linux-source-%s.tar.xz'", deb,
			      p->series);
	}
	free(spec);
	free(log);
	free(x);
	free(deb);
	return rc;
}

/* Obtain and unpack the tarball into p->tmp. */
static int unpack(struct prep *p)
{
	char *dl = alloc_printf("%s/.klpb-download", p->tmp);
	char *log = alloc_printf("%s/.klpb-unpack.log", p->tmp);
	char *tarball = installed_tarball(p);
	int rc = dl && log ? mkdir_p(p->tmp) : -ENOMEM;

	if (!rc && !tarball)
		rc = download_tarball(p, dl, &tarball);
	if (!rc) {
		char *argv[] = { "tar", "-xf", tarball, "-C", p->tmp, "--strip-components=1", NULL };

		p_info(p->ctx, "klp-bundle: unpacking linux-source-%s %s into %s", p->series,
		       p->version, p->tmp);
		rc = run_step(p, argv, p->tmp, log, "unpacking the source");
	}
	remove_tree(dl);
	free(dl);
	free(log);
	free(tarball);
	return rc;
}

/*
 * The variables every make in the tree needs, so that Kconfig computes
 * what the distribution's build did: CC, KERNELRELEASE and, when the
 * kernel was built without Rust, a RUSTC that does not exist (a rustc on
 * the machine would set CONFIG_RUSTC_VERSION).
 */
static int make_vars(struct prep *p)
{
	bool rust = strstr((char *)p->config, "\nCONFIG_RUST=y\n") != NULL;

	p->make_vars[0] = alloc_printf("CC=%s", p->cc);
	p->make_vars[1] = alloc_printf("KERNELRELEASE=%s", p->release);
	p->make_vars[2] = rust ? NULL : strdup("RUSTC=klpb-no-rustc");
	return p->make_vars[0] && p->make_vars[1] && (rust || p->make_vars[2]) ? 0 : -ENOMEM;
}

/* Copy the headers' .config into @tree, make olddefconfig and modules_prepare. */
static int configure(struct prep *p, const char *tree)
{
	char *config = alloc_printf("%s/.config", tree);
	char *log = alloc_printf("%s/.klpb-prepare.log", tree);
	char *jobs = alloc_printf("-j%ld", sysconf(_SC_NPROCESSORS_ONLN));
	char **v = p->make_vars;
	int rc = config && log && jobs ? 0 : -ENOMEM;

	if (!rc && !exists(config)) {
		rc = write_file_atomic(config, p->config, p->config_len, 0644, false);
		if (rc)
			p_err(p->ctx, rc, "cannot write '%s'", config);
	}
	if (!rc) {
		char *argv[] = { "make", jobs, v[0], v[1], "olddefconfig", v[2], NULL };

		p_info(p->ctx,
		       "klp-bundle: preparing the source of %s in %s (make olddefconfig "
		       "modules_prepare, %s)",
		       p->release, tree, v[0]);
		rc = run_step(p, argv, tree, log, "make olddefconfig");
	}
	if (!rc) {
		char *argv[] = { "make", jobs, v[0], v[1], "modules_prepare", v[2], NULL };

		rc = run_step(p, argv, tree, log, "make modules_prepare");
	}
	free(config);
	free(log);
	free(jobs);
	return rc ? rc : check_config(p, tree);
}

/* Write the stamp, last: only a tree with it is trusted. */
static int write_stamp(struct prep *p, const char *tree)
{
	char *path = alloc_printf("%s/" SRCTREE_STAMP, tree);
	char *text = alloc_printf("release %s\nversion %s\ncc %s\n", p->release, p->version, p->cc);
	int rc = path && text ? write_file_atomic(path, text, strlen(text), 0644, false) : -ENOMEM;

	if (rc)
		p_err(p->ctx, rc, "cannot write '%s'", path ? path : tree);
	free(path);
	free(text);
	return rc;
}

static int lock_fd(struct klpb_ctx *ctx, int fd, const char *path, const char *what)
{
	if (flock(fd, LOCK_EX | LOCK_NB) == 0)
		return 0;
	if (errno != EWOULDBLOCK)
		return -errno;
	p_info(ctx, "klp-bundle: waiting for another klp-bundle preparing %s (lock %s)", what,
	       path);
	while (flock(fd, LOCK_EX) < 0)
		if (errno != EINTR)
			return -errno;
	return 0;
}

int srctree_lock(struct klpb_ctx *ctx, const char *path, const char *what)
{
	/*
	 * Not O_CLOEXEC: the tools started under the lock inherit it, so a
	 * make left running by a killed klp-bundle still holds it and nobody
	 * removes its directory under it.
	 */
	int fd = open(path, O_RDWR | O_CREAT, 0644);
	int rc;

	if (fd < 0) {
		rc = -errno;
		p_err(ctx, rc, "cannot create the lock '%s'", path);
		return rc;
	}
	rc = lock_fd(ctx, fd, path, what);
	if (rc) {
		p_err(ctx, rc, "cannot lock '%s'", path);
		close(fd);
		return rc;
	}
	return fd;
}

int srctree_remove_stale(struct klpb_ctx *ctx, const char *base)
{
	const char *slash = strrchr(base, '/');
	char *dir = slash ? strndup(base, slash - base) : strdup(".");
	char *prefix = alloc_printf("%s.tmp.", slash ? slash + 1 : base);
	DIR *d = dir ? opendir(dir) : NULL;
	struct dirent *e;
	int n = 0;

	while (d && prefix && (e = readdir(d))) {
		char *path;

		if (strncmp(e->d_name, prefix, strlen(prefix)))
			continue;
		path = alloc_printf("%s/%s", dir, e->d_name);
		if (!path)
			continue;
		p_info(ctx, "klp-bundle: removing the stale build directory %s", path);
		remove_tree(path);
		n++;
		free(path);
	}
	if (d)
		closedir(d);
	free(dir);
	free(prefix);
	return n;
}

/* Is @dir/@name there (the stamp, the trusted tree)? */
static bool has_file(const char *dir, const char *name)
{
	char *path = alloc_printf("%s/%s", dir, name);
	bool ok = path && exists(path);

	free(path);
	return ok;
}

/* Under the lock: prepare p->tmp and rename it to p->base. */
static int prepare_cached(struct prep *p)
{
	int rc;

	srctree_remove_stale(p->ctx, p->base);
	if (exists(p->base)) {
		p_info(p->ctx, "klp-bundle: removing %s: it has no %s stamp", p->base,
		       SRCTREE_STAMP);
		remove_tree(p->base);
	}
	rc = check_tools(p, p->base);
	if (!rc)
		rc = unpack(p);
	if (!rc)
		rc = configure(p, p->tmp);
	if (!rc)
		rc = write_stamp(p, p->tmp);
	if (!rc && rename(p->tmp, p->base) < 0) {
		rc = -errno;
		p_err(p->ctx, rc, "cannot rename '%s' to '%s'", p->tmp, p->base);
	}
	if (rc)
		remove_tree(p->tmp);
	return rc;
}

/* The tree of p->version in the cache, prepared if it is not yet. */
static int open_cached(struct prep *p)
{
	char *cache = NULL, *lock = NULL;
	int rc, fd;

	rc = srctree_cache_dir(&cache);
	if (rc)
		return rc;
	p->base = alloc_printf("%s/src/%s/%s", cache, p->release, p->version);
	p->tmp = alloc_printf("%s.tmp.%ld", p->base, (long)getpid());
	lock = alloc_printf("%s.lock", p->base);
	rc = p->base && p->tmp && lock ? 0 : -ENOMEM;
	if (!rc && has_file(p->base, SRCTREE_STAMP))
		goto out;
	if (!rc) {
		char *parent = alloc_printf("%s/src/%s", cache, p->release);

		rc = parent ? mkdir_p(parent) : -ENOMEM;
		if (rc == -EACCES || rc == -EPERM || rc == -EROFS)
			p_err(p->ctx, rc,
			      "cannot create the source cache '%s': set KLPB_CACHE_DIR to a "
			      "writable directory, or run as root",
			      parent);
		free(parent);
	}
	if (rc)
		goto out;
	fd = srctree_lock(p->ctx, lock, p->base);
	if (fd < 0) {
		rc = fd;
		goto out;
	}
	if (!has_file(p->base, SRCTREE_STAMP))
		rc = prepare_cached(p);
	close(fd);
out:
	if (!rc)
		rc = check_config(p, p->base);
	free(cache);
	free(lock);
	return rc;
}

/* "VERSION.PATCHLEVEL.SUBLEVEL" of the top Makefile of @dir: [owned], or NULL. */
static char *makefile_version(const char *dir)
{
	char *path = alloc_printf("%s/Makefile", dir);
	long v[3] = { -1, -1, -1 };
	static const char *const keys[] = { "VERSION = ", "PATCHLEVEL = ", "SUBLEVEL = " };
	char line[256];
	FILE *f = path ? fopen(path, "r") : NULL;

	for (int i = 0; f && i < 12 && fgets(line, sizeof(line), f); i++)
		for (int k = 0; k < 3; k++)
			if (!strncmp(line, keys[k], strlen(keys[k])))
				v[k] = strtol(line + strlen(keys[k]), NULL, 10);
	if (f)
		fclose(f);
	free(path);
	if (v[0] < 0 || v[1] < 0 || v[2] < 0)
		return NULL;
	return alloc_printf("%ld.%ld.%ld", v[0], v[1], v[2]);
}

/* Is @dir prepared for p->release (modules_prepare's outputs for that release)? */
static bool is_prepared(struct prep *p, const char *dir)
{
	char *uts = alloc_printf("%s/include/generated/utsrelease.h", dir);
	char *want = alloc_printf("\"%s\"", p->release);
	uint8_t *data = NULL;
	size_t len;
	bool ok = uts && want && read_file(uts, &data, &len) == 0 && strstr((char *)data, want) &&
		  has_file(dir, "include/config/auto.conf") && has_file(dir, "scripts/mod/modpost");

	free(uts);
	free(want);
	free(data);
	return ok;
}

/* --source DIR: prepared in place when it is not; its configuration checked. */
static int open_user_tree(struct prep *p, const char *dir, char **real)
{
	int rc, fd;

	*real = realpath(dir, NULL);
	if (!*real || !has_file(*real, "Makefile") || !has_file(*real, "Kconfig")) {
		rc = *real ? -ENOENT : -errno;
		p_err(p->ctx, rc, "'%s' is not a kernel source tree (no Makefile and Kconfig)",
		      dir);
		return rc;
	}
	if (lookup_version(p->ctx, p->release, true, &p->version))
		p->version = makefile_version(*real);
	if (!p->version)
		p->version = strdup("unknown");
	if (has_file(*real, ".config")) {
		rc = check_config(p, *real);
		if (rc)
			return rc;
	}
	/* not O_CLOEXEC, as in srctree_lock() */
	fd = open(*real, O_RDONLY | O_DIRECTORY);
	rc = fd < 0 ? -errno : lock_fd(p->ctx, fd, *real, *real);
	if (rc) {
		p_err(p->ctx, rc, "cannot lock the source tree '%s'", *real);
		if (fd >= 0)
			close(fd);
		return rc;
	}
	if (!is_prepared(p, *real)) {
		p->in_place = true;
		rc = check_tools(p, *real);
		if (!rc)
			rc = configure(p, *real);
	} else {
		rc = check_config(p, *real);
	}
	close(fd);
	return rc;
}

static void prep_free(struct prep *p)
{
	free(p->version);
	free(p->series);
	free(p->cc);
	for (int i = 0; i < 3; i++)
		free(p->make_vars[i]);
	free(p->config);
	free(p->base);
	free(p->tmp);
}

int srctree_open(struct klpb_ctx *ctx, const char *release, const char *kdir,
		 const char *source_dir, struct srctree *out)
{
	struct prep p = { .ctx = ctx, .release = release, .kdir = kdir };
	char *config = alloc_printf("%s/.config", kdir), *dir = NULL;
	int rc;

	*out = (struct srctree){ 0 };
	rc = config ? read_file(config, &p.config, &p.config_len) : -ENOMEM;
	if (rc)
		p_err(ctx, rc,
		      "cannot read the configuration '%s' of '%s': install its headers "
		      "(linux-headers-%s)",
		      config ? config : kdir, release, release);
	free(config);
	if (!rc)
		rc = (p.cc = config_cc((char *)p.config)) ? make_vars(&p) : -ENOMEM;
	if (!rc && source_dir) {
		rc = open_user_tree(&p, source_dir, &dir);
	} else if (!rc) {
		rc = lookup_version(ctx, release, false, &p.version);
		if (!rc && srctree_series(p.version, &p.series)) {
			rc = -EINVAL;
			p_err(ctx, rc, "cannot tell the series of source version '%s' of '%s'",
			      p.version, release);
		}
		if (!rc)
			rc = open_cached(&p);
		if (!rc)
			dir = strdup(p.base);
	}
	if (!rc) {
		out->release = strdup(release);
		out->version = strdup(p.version);
		out->cc = strdup(p.cc);
		out->dir = dir;
		dir = NULL;
		for (int i = 0; i < 3; i++)
			out->make_vars[i] = p.make_vars[i] ? strdup(p.make_vars[i]) : NULL;
		if (!out->release || !out->version || !out->cc || !out->dir || !out->make_vars[0] ||
		    !out->make_vars[1]) {
			srctree_free(out);
			rc = -ENOMEM;
		}
	}
	free(dir);
	prep_free(&p);
	return rc;
}

void srctree_free(struct srctree *t)
{
	free(t->release);
	free(t->version);
	free(t->dir);
	free(t->cc);
	for (int i = 0; i < 3; i++)
		free(t->make_vars[i]);
	*t = (struct srctree){ 0 };
}
