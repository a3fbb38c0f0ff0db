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
#include "create/target.h"
#include "klp-bundle/format.h"

int target_default_release(char **release)
{
	DIR *d = opendir("/lib/modules");
	struct dirent *e;
	char *best = NULL;

	if (!d)
		return -errno;
	while ((e = readdir(d))) {
		char build[512];
		struct stat st;

		if (e->d_name[0] == '.')
			continue;
		snprintf(build, sizeof(build), "/lib/modules/%s/build/Makefile", e->d_name);
		if (stat(build, &st) != 0)
			continue;
		if (!best || strverscmp(e->d_name, best) > 0) {
			free(best);
			best = strdup(e->d_name);
			if (!best)
				break;
		}
	}
	closedir(d);
	if (!best)
		return -ENOENT;
	*release = best;
	return 0;
}

int target_kdir_release(const char *kdir, char **release)
{
	char path[4096], line[256];
	FILE *f;
	int err = -ENOENT;

	snprintf(path, sizeof(path), "%s/include/config/kernel.release", kdir);
	f = fopen(path, "re");
	if (!f)
		return -errno;
	if (fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\n")] = '\0';
		*release = strdup(line);
		err = *release ? 0 : -ENOMEM;
	}
	fclose(f);
	return err;
}

/* "@prefix@release@suffix", [owned]. */
static char *release_path(const char *prefix, const char *release, const char *suffix)
{
	char *s = NULL;

	if (asprintf(&s, "%s%s%s", prefix, release, suffix) < 0)
		return NULL;
	return s;
}

int target_init(struct target *t, const char *release, const char *kdir, const char *image,
		char *msg, size_t msg_size)
{
	struct stat st;
	int err;

	*t = (struct target){};
	t->release = strdup(release);
	t->kdir = kdir ? strdup(kdir) : release_path("/lib/modules/", release, "/build");
	t->image = image ? strdup(image) : release_path("/boot/vmlinuz-", release, "");
	if (!t->release || !t->kdir || !t->image)
		return -ENOMEM;
	if (stat(t->kdir, &st) != 0) {
		err = -errno;
		snprintf(msg, msg_size, "no kbuild tree '%s' for kernel %s (install linux-headers-%s)",
			 t->kdir, release, release);
		return err;
	}
	/*
	 * A cached entry gives the build-id (and later the symbols) at once;
	 * otherwise the image is decompressed once, for the build-id now and
	 * the symbols later.
	 */
	err = kernel_cache_get(t->image, &t->vmlinux_id, NULL);
	if (err)
		err = kernel_image_load(t->image, &t->vmlinux, &t->vmlinux_len);
	if (err == 0 && t->vmlinux)
		err = elf_build_id(t->vmlinux, t->vmlinux_len, &t->vmlinux_id);
	if (err) {
		snprintf(msg, msg_size, "cannot read the vmlinux build-id of kernel %s from '%s': %s%s",
			 release, t->image, strerror(-err),
			 err == -ENOENT ? " (install linux-image-RELEASE or pass --vmlinux)" : "");
		return err;
	}
	if (t->vmlinux_id.len != KLPB_BUILD_ID_LEN) {
		snprintf(msg, msg_size, "the vmlinux build-id in '%s' is %zu bytes, not %d",
			 t->image, t->vmlinux_id.len, KLPB_BUILD_ID_LEN);
		return -EBADMSG;
	}
	return 0;
}

int target_add_module(struct target *t, const char *name, const char *path, char *msg,
		      size_t msg_size)
{
	struct target_module *v, *m;
	int err;

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
		err = module_path(t->release, name, &m->path);
		if (err) {
			snprintf(msg, msg_size,
				 "module '%s' is not installed for kernel %s%s", name, t->release,
				 err == -ENOENT ? " (pass --target-module NAME=FILE.ko)" : "");
			return err;
		}
	}
	err = file_build_id(m->path, &m->id);
	if (!err && m->id.len != KLPB_BUILD_ID_LEN)
		err = -EBADMSG;
	if (err)
		snprintf(msg, msg_size, "cannot read the build-id of module '%s' from '%s': %s",
			 name, m->path, strerror(-err));
	return err;
}

const struct target_module *target_module(const struct target *t, const char *name)
{
	for (size_t i = 0; i < t->n_mods; i++)
		if (strcmp(t->mods[i].name, name) == 0)
			return &t->mods[i];
	return NULL;
}

/* The symbol table of @object, read on first use. */
static int object_symtab(struct target *t, const char *object, struct symtab **out,
			 const char **where, char *msg, size_t msg_size)
{
	struct target_module *m = (struct target_module *)target_module(t, object);
	struct symtab **slot = m ? &m->syms : &t->vmlinux_syms;
	int err = 0;

	*where = m ? m->path : t->image;
	if (!m && strcmp(object, "vmlinux") != 0) {
		snprintf(msg, msg_size, "object '%s' was not added to the target", object);
		return -EINVAL;
	}
	if (!*slot && m) {
		err = symtab_from_elf_file(m->path, slot);
	} else if (!*slot && !t->vmlinux) {
		err = kernel_cache_get(t->image, &t->vmlinux_id, slot);
		if (err)	/* the entry went away since init: read the image */
			err = kernel_image_load(t->image, &t->vmlinux, &t->vmlinux_len);
	}
	if (!*slot && !m && !err) {
		err = symtab_from_vmlinux(t->vmlinux, t->vmlinux_len, slot);
		if (!err)
			kernel_cache_put(t->image, &t->vmlinux_id, *slot);
		free(t->vmlinux);
		t->vmlinux = NULL;
	}
	if (err) {
		snprintf(msg, msg_size, "cannot read the function symbols of %s from '%s': %s", object,
			 *where, strerror(-err));
		return err;
	}
	*out = *slot;
	return 0;
}

/* Exists (as a function if @func), and unique or @sympos in range. */
static int check_symbol(struct target *t, const char *object, const char *name,
			unsigned long sympos, bool func, const char *file, unsigned int line,
			char *msg, size_t msg_size)
{
	const char *kind = func ? "function" : "symbol", *macro = func ? "KLPB_PATCH_FUNC_POS" :
									 "KLPB_SYMBOL_POS";
	struct symtab *syms;
	const char *where;
	unsigned int n;
	int err;

	err = object_symtab(t, object, &syms, &where, msg, msg_size);
	if (err)
		return err;
	n = symtab_count(syms, name);
	if (func ? symtab_count_funcs(syms, name) == 0 : n == 0) {
		snprintf(msg, msg_size, "%s:%u: %s '%s' not found in %s of kernel %s ('%s')", file,
			 line, kind, name, object, t->release, where);
		return -ENOENT;
	}
	if (sympos == 0 && n > 1) {
		snprintf(msg, msg_size,
			 "%s:%u: %s '%s' is ambiguous in %s of kernel %s: %u symbols have that name; use %s with a position from 1 to %u",
			 file, line, kind, name, object, t->release, n, macro, n);
		return -EINVAL;
	}
	if (sympos > n) {
		snprintf(msg, msg_size,
			 "%s:%u: position %lu of %s '%s' is out of range: %s of kernel %s has %u",
			 file, line, sympos, kind, name, object, t->release, n);
		return -EINVAL;
	}
	return 0;
}

int target_check_func(struct target *t, const struct patch_func *f, char *msg, size_t msg_size)
{
	return check_symbol(t, f->object, f->old_name, f->sympos, true, f->file, f->line, msg,
			    msg_size);
}

int target_check_symref(struct target *t, const struct patch_symref *r, char *msg,
			size_t msg_size)
{
	return check_symbol(t, r->object, r->name, r->sympos, false, r->file, r->line, msg,
			    msg_size);
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
