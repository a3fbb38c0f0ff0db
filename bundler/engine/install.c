// SPDX-License-Identifier: GPL-2.0-or-later
/* install.c - bundles applied at boot: install, uninstall, list; see install.h. */
#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/bundle-io.h"
#include "engine/install.h"
#include "engine/module.h"
#include "engine/state-dir.h"
#include "engine/verify.h"
#include "sys/kernel-info.h"
#include "util/file.h"

bool eng_installed_name_ok(const char *name)
{
	return *name && !strchr(name, '/') && name[0] != '.';
}

/* installed/@name.klpb: [owned], NULL when out of memory. */
static char *installed_path(const char *name)
{
	char *rel, *path;

	if (asprintf(&rel, "installed/%s.klpb", name) < 0)
		return NULL;
	path = sd_path(rel);
	free(rel);
	return path;
}

static int check_not_older(struct engine *e, const char *path, const struct klpb_core *c)
{
	struct klpb_bundle *old = NULL;
	uint8_t *data = NULL;
	size_t len;
	int rc = 0;

	if (read_file(path, &data, &len) == 0 && klpb_bundle_load(data, len, &old, NULL) == 0 &&
	    old->core.version > c->version) {
		p_err(e->ctx, -EOPNOTSUPP,
		      "'%s' version %" PRIu64 " is installed; version %" PRIu64
		      " would be a downgrade (uninstall it first)",
		      c->name, old->core.version, c->version);
		rc = -EOPNOTSUPP;
	}
	klpb_bundle_free(old);
	free(data);
	return rc;
}

static int install_bundle(struct engine *e, const struct klpb_bundle *b, const uint8_t *data,
			  size_t len, struct eng_installed *out)
{
	int rc;

	if (!eng_installed_name_ok(b->core.name)) {
		p_err(e->ctx, -EINVAL, "invalid bundle name '%s'", b->core.name);
		return -EINVAL;
	}
	out->path = installed_path(b->core.name);
	if (!out->path) {
		p_err(e->ctx, -ENOMEM, "out of memory");
		return -ENOMEM;
	}
	rc = check_not_older(e, out->path, &b->core);
	if (rc < 0)
		return rc;
	rc = write_file_atomic(out->path, data, len, 0600, false);
	if (rc < 0) {
		p_err(e->ctx, rc, "cannot write '%s': %s", out->path, strerror(-rc));
		return rc;
	}
	snprintf(out->name, sizeof(out->name), "%s", b->core.name);
	out->version = b->core.version;
	eng_audit(e, "installed bundle '%s' version %" PRIu64, b->core.name, b->core.version);
	return 0;
}

int eng_install(struct engine *e, const char *file, const char *key, const char *keyring,
		struct eng_installed *out)
{
	struct klpb_bundle *b = NULL;
	uint8_t *data = NULL;
	size_t len = 0;
	int rc = eng_verify_file(e->ctx, file, key, keyring, &data, &len, &b);

	out->path = NULL;
	if (rc == 0)
		rc = install_bundle(e, b, data, len, out);
	if (rc < 0) {
		free(out->path);
		out->path = NULL;
	}
	klpb_bundle_free(b);
	free(data);
	return rc;
}

int eng_uninstall(struct engine *e, const char *name)
{
	char *path = installed_path(name);
	int rc = 0;

	if (!path) {
		p_err(e->ctx, -ENOMEM, "out of memory");
		return -ENOMEM;
	}
	if (unlink(path) < 0) {
		rc = -errno;
		if (rc == -ENOENT)
			p_err(e->ctx, rc, "no bundle '%s' is installed", name);
		else
			p_err(e->ctx, rc, "cannot remove '%s': %s", path, strerror(-rc));
	} else {
		eng_audit(e, "uninstalled bundle '%s'", name);
	}
	free(path);
	return rc;
}

bool eng_installed_disabled(void)
{
	return lp_cmdline_has("klp_bundle.disable=1");
}

/* A bundle for another kernel waits for that kernel. */
static bool for_this_kernel(const char *path)
{
	struct klpb_bundle *b = NULL;
	char release[128];
	uint8_t *data = NULL;
	size_t p, len;
	bool here = read_file(path, &data, &len) == 0 &&
		    klpb_bundle_load(data, len, &b, NULL) == 0 &&
		    lp_kernel_release(release, sizeof(release)) == 0 &&
		    eng_pick_payload(b, release, &p) == 0;

	klpb_bundle_free(b);
	free(data);
	return here;
}

static bool is_bundle_file(const char *name)
{
	size_t l = strlen(name);

	return l > 5 && strcmp(name + l - 5, ".klpb") == 0;
}

int eng_installed_here(struct engine *e, char ***paths)
{
	char *dir = sd_path("installed"), *path;
	struct dirent **ents = NULL;
	int n = dir ? scandir(dir, &ents, NULL, alphasort) : -1, k = 0;

	*paths = calloc(n > 0 ? n : 1, sizeof(**paths));
	for (int i = 0; i < n; i++) {
		if (*paths && is_bundle_file(ents[i]->d_name) &&
		    asprintf(&path, "%s/%s", dir, ents[i]->d_name) >= 0) {
			if (for_this_kernel(path))
				(*paths)[k++] = path;
			else
				free(path);
		}
		free(ents[i]);
	}
	free(ents);
	free(dir);
	if (!*paths) {
		p_err(e->ctx, -ENOMEM, "out of memory");
		return -ENOMEM;
	}
	return k;
}
