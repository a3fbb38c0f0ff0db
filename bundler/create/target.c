// SPDX-License-Identifier: GPL-2.0-or-later
/* target.c - see target.h. */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "create/kernel-cache.h"
#include "create/symbols.h"
#include "create/target.h"
#include "klp-bundle/format.h"

/* "@prefix@middle@suffix", [owned]; NULL on ENOMEM. */
static char *concat_path(const char *prefix, const char *middle, const char *suffix)
{
	char *s = NULL;

	if (asprintf(&s, "%s%s%s", prefix, middle, suffix) < 0)
		return NULL;
	return s;
}

/* Does /lib/modules/@release/build hold a kbuild tree?  1, 0 or -ENOMEM. */
static int has_kbuild_tree(const char *release)
{
	char *makefile = concat_path("/lib/modules/", release, "/build/Makefile");
	struct stat st;
	int found;

	if (!makefile)
		return -ENOMEM;
	found = stat(makefile, &st) == 0;
	free(makefile);
	return found;
}

int target_default_release(char **release)
{
	DIR *d = opendir("/lib/modules");
	struct dirent *e;
	char *best = NULL;
	int rc = 0;

	if (!d)
		return -errno;
	while (!rc && (e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		rc = has_kbuild_tree(e->d_name);
		if (rc <= 0)
			continue;
		rc = 0;
		if (!best || strverscmp(e->d_name, best) > 0) {
			free(best);
			best = strdup(e->d_name);
			rc = best ? 0 : -ENOMEM;
		}
	}
	closedir(d);
	if (!rc && !best)
		rc = -ENOENT;
	if (rc) {
		free(best);
		return rc;
	}
	*release = best;
	return 0;
}

/* The first line of @kdir/@file, [owned] in *@line. */
static int first_line(const char *kdir, const char *file, char **line)
{
	char *path = concat_path(kdir, "/", file), buf[256];
	FILE *f;
	int rc = -ENOENT;

	if (!path)
		return -ENOMEM;
	f = fopen(path, "re");
	free(path);
	if (!f)
		return -errno;
	if (fgets(buf, sizeof(buf), f)) {
		buf[strcspn(buf, "\n")] = '\0';
		*line = strdup(buf);
		rc = *line ? 0 : -ENOMEM;
	}
	fclose(f);
	return rc;
}

/*
 * UTS_RELEASE of include/generated/utsrelease.h is what uname -r says (a
 * Debian headers tree's include/config/kernel.release is the upstream
 * version, e.g. 6.1.N for Debian's 6.1.0-M-amd64); kernel.release when it is
 * missing.
 */
int target_kdir_release(const char *kdir, char **release)
{
	static const char prefix[] = "#define UTS_RELEASE \"";
	char *line = NULL;
	int rc = first_line(kdir, "include/generated/utsrelease.h", &line);
	size_t n;

	if (rc)
		return first_line(kdir, "include/config/kernel.release", release);
	n = strlen(line);
	if (strncmp(line, prefix, sizeof(prefix) - 1) != 0 || n < sizeof(prefix) ||
	    line[n - 1] != '"') {
		free(line);
		return -EBADMSG;
	}
	line[n - 1] = '\0';
	*release = strdup(line + sizeof(prefix) - 1);
	free(line);
	return *release ? 0 : -ENOMEM;
}

int target_init(struct klpb_ctx *ctx, struct target *t, const char *release, const char *kdir,
		const char *image)
{
	struct stat st;
	int rc;

	*t = (struct target){};
	t->release = strdup(release);
	t->kdir = kdir ? strdup(kdir) : concat_path("/lib/modules/", release, "/build");
	t->image = image ? strdup(image) : concat_path("/boot/vmlinuz-", release, "");
	if (!t->release || !t->kdir || !t->image)
		return -ENOMEM;
	if (stat(t->kdir, &st) != 0) {
		rc = -errno;
		p_err(ctx, rc, "no kbuild tree '%s' for kernel %s (install linux-headers-%s)",
		      t->kdir, release, release);
		return rc;
	}
	/*
	 * A cached entry gives the build-id (and later the symbols) at once;
	 * otherwise the image is decompressed once, for the build-id now and
	 * the symbols later.
	 */
	rc = kernel_cache_get(t->image, &t->vmlinux_id, NULL);
	if (rc)
		rc = kernel_image_load(t->image, &t->vmlinux, &t->vmlinux_len);
	if (rc == 0 && t->vmlinux)
		rc = elf_build_id(t->vmlinux, t->vmlinux_len, &t->vmlinux_id);
	if (rc) {
		p_err(ctx, rc, "cannot read the vmlinux build-id of kernel %s from '%s': %s%s",
		      release, t->image, strerror(-rc),
		      rc == -ENOENT ? " (install linux-image-RELEASE or pass --vmlinux)" : "");
		return rc;
	}
	if (t->vmlinux_id.len != KLPB_BUILD_ID_LEN) {
		p_err(ctx, -EBADMSG, "the vmlinux build-id in '%s' is %zu bytes, not %d", t->image,
		      t->vmlinux_id.len, KLPB_BUILD_ID_LEN);
		return -EBADMSG;
	}
	return 0;
}

int target_add_module(struct klpb_ctx *ctx, struct target *t, const char *name, const char *path)
{
	struct target_module *v, *m;
	int rc;

	v = realloc(t->mods, (t->n_mods + 1) * sizeof(*v));
	if (!v)
		return -ENOMEM;
	t->mods = v;
	m = &v[t->n_mods++];
	*m = (struct target_module){ .name = strdup(name) };
	if (!m->name)
		return -ENOMEM;
	if (path) {
		m->path = strdup(path);
		if (!m->path)
			return -ENOMEM;
	} else {
		rc = module_path(t->release, name, &m->path);
		if (rc) {
			p_err(ctx, rc, "module '%s' is not installed for kernel %s%s", name,
			      t->release,
			      rc == -ENOENT ? " (pass --target-module NAME=FILE.ko)" : "");
			return rc;
		}
	}
	rc = file_build_id(m->path, &m->id);
	if (!rc && m->id.len != KLPB_BUILD_ID_LEN)
		rc = -EBADMSG;
	if (rc)
		p_err(ctx, rc, "cannot read the build-id of module '%s' from '%s': %s", name,
		      m->path, strerror(-rc));
	return rc;
}

const struct target_module *target_module(const struct target *t, const char *name)
{
	for (size_t i = 0; i < t->n_mods; i++)
		if (strcmp(t->mods[i].name, name) == 0)
			return &t->mods[i];
	return NULL;
}

/* The symbol table of @object, read on first use. */
static int object_symtab(struct klpb_ctx *ctx, struct target *t, const char *object,
			 struct symtab **out, const char **where)
{
	struct target_module *m = (struct target_module *)target_module(t, object);
	struct symtab **slot = m ? &m->syms : &t->vmlinux_syms;
	int rc = 0;

	*where = m ? m->path : t->image;
	if (!m && strcmp(object, "vmlinux") != 0) {
		p_err(ctx, -EINVAL, "object '%s' was not added to the target", object);
		return -EINVAL;
	}
	if (!*slot && m) {
		rc = symtab_from_elf_file(m->path, slot);
	} else if (!*slot && !t->vmlinux) {
		rc = kernel_cache_get(t->image, &t->vmlinux_id, slot);
		if (rc) /* the entry went away since init: read the image */
			rc = kernel_image_load(t->image, &t->vmlinux, &t->vmlinux_len);
	}
	if (!*slot && !m && !rc) {
		rc = symtab_from_vmlinux(t->vmlinux, t->vmlinux_len, slot);
		if (!rc)
			kernel_cache_put(t->image, &t->vmlinux_id, *slot);
		free(t->vmlinux);
		t->vmlinux = NULL;
	}
	if (rc) {
		p_err(ctx, rc, "cannot read the function symbols of %s from '%s': %s", object,
		      *where, strerror(-rc));
		return rc;
	}
	*out = *slot;
	return 0;
}

/*
 * Why livepatch cannot replace a function with these SYMTAB_* flags (it
 * would refuse at apply), or NULL when it can.
 */
static const char *unpatchable_reason(unsigned int flags)
{
	if (!(flags & SYMTAB_FUNC))
		return "it is not a function (a data symbol: use KLPB_SYMBOL to reach it)";
	if (flags & SYMTAB_INIT)
		return "it is an __init function, gone after boot";
	if (flags & SYMTAB_NOTRACE)
		return "it has no ftrace location (notrace, or inlined into every caller): patch its callers instead";
	return NULL;
}

/*
 * Function @name of @object, symbol @pos of that name (0: the only one, or
 * when none is listed every unlisted one): can livepatch replace it?
 * -EINVAL, reported on @ctx, when not.
 */
static int check_patchable(struct klpb_ctx *ctx, const struct symtab *syms, const char *object,
			   const char *name, unsigned long pos, const char *file, unsigned int line)
{
	unsigned int n = symtab_count(syms, name);
	const char *why;

	why = unpatchable_reason(symtab_flags(syms, name, n ? (pos ? (unsigned int)pos : 1) : 0));
	if (!why)
		return 0;
	p_err(ctx, -EINVAL, "%s:%u: cannot replace '%s' in %s: %s", file, line, name, object, why);
	return -EINVAL;
}

/*
 * Exists (as a function if @func), and unique or @sympos in range; a
 * function also one livepatch can replace (check_patchable()).
 */
static int check_symbol(struct klpb_ctx *ctx, struct target *t, const char *object,
			const char *name, unsigned long sympos, bool func, const char *file,
			unsigned int line)
{
	const char *kind = func ? "function" : "symbol",
		   *macro = func ? "KLPB_PATCH_FUNC_POS" : "KLPB_SYMBOL_POS";
	struct symtab *syms;
	const char *where;
	unsigned int n;
	int rc;

	rc = object_symtab(ctx, t, object, &syms, &where);
	if (rc)
		return rc;
	n = symtab_count(syms, name);
	/* no function of that name, but data, or a module's (unlisted) init symbols */
	if (func && symtab_count_funcs(syms, name) == 0 && (n || symtab_flags(syms, name, 0)))
		return check_patchable(ctx, syms, object, name, 0, file, line);
	if (func ? symtab_count_funcs(syms, name) == 0 : n == 0) {
		p_err(ctx, -ENOENT, "%s:%u: %s '%s' not found in %s of kernel %s ('%s')", file,
		      line, kind, name, object, t->release, where);
		return -ENOENT;
	}
	if (sympos == 0 && n > 1) {
		p_err(ctx, -EINVAL,
		      "%s:%u: %s '%s' is ambiguous in %s of kernel %s: %u symbols have that name; use %s with a position from 1 to %u",
		      file, line, kind, name, object, t->release, n, macro, n);
		return -EINVAL;
	}
	if (sympos > n) {
		p_err(ctx, -EINVAL,
		      "%s:%u: position %lu of %s '%s' is out of range: %s of kernel %s has %u",
		      file, line, sympos, kind, name, object, t->release, n);
		return -EINVAL;
	}
	return func ? check_patchable(ctx, syms, object, name, sympos, file, line) : 0;
}

int target_check_func(struct klpb_ctx *ctx, struct target *t, const struct patch_func *f)
{
	return check_symbol(ctx, t, f->object, f->old_name, f->sympos, true, f->file, f->line);
}

int target_check_symref(struct klpb_ctx *ctx, struct target *t, const struct patch_symref *r)
{
	return check_symbol(ctx, t, r->object, r->name, r->sympos, false, r->file, r->line);
}

void target_fini(struct target *t)
{
	for (size_t i = 0; i < t->n_mods; i++) {
		free(t->mods[i].name);
		free(t->mods[i].path);
		symtab_free(t->mods[i].syms);
	}
	free(t->mods);
	symtab_free(t->vmlinux_syms);
	free(t->vmlinux);
	free(t->release);
	free(t->kdir);
	free(t->image);
	*t = (struct target){};
}
