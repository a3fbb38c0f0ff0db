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
	struct eng_kernel k;
	uint8_t *data = NULL;
	size_t p, len;
	bool here = read_file(path, &data, &len) == 0 &&
		    klpb_bundle_load(data, len, &b, NULL) == 0 && eng_running_kernel(&k) == 0 &&
		    eng_pick_payload(b, &k, &p) == 0;

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

/* ---- the order of apply --installed ---- */

static int load_cores(struct eng_boot *out, int n, struct dep_node *nodes)
{
	for (int i = 0; i < n; i++) {
		size_t len;
		int rc = read_file(out[i].path, &out[i].data, &len);

		if (rc == 0)
			rc = klpb_bundle_load(out[i].data, len, &out[i].b, NULL);
		if (rc < 0)
			return rc; /* eng_installed_here() just read it */
		nodes[i] = (struct dep_node){ .name = out[i].b->core.name,
					      .version = out[i].b->core.version,
					      .core = &out[i].b->core };
	}
	return 0;
}

/* Put @out in the order of @ord (a permutation of its @n items). */
static int reorder(struct eng_boot *out, int n, const struct dep_order *ord)
{
	struct eng_boot *copy = malloc((n ? n : 1) * sizeof(*copy));

	if (!copy)
		return -ENOMEM;
	memcpy(copy, out, n * sizeof(*copy));
	for (int i = 0; i < n; i++) {
		out[i] = copy[ord[i].node];
		out[i].place = ord[i].place;
		out[i].why = ord[i].why;
	}
	free(copy);
	return 0;
}

static int order_plan(struct eng_boot *out, int n)
{
	struct dep_node *nodes = calloc(n ? n : 1, sizeof(*nodes)), *act = NULL;
	struct dep_order *ord = calloc(n ? n : 1, sizeof(*ord));
	struct lp_bundle *bs;
	int nbs = lp_bundles(&bs), na = -ENOMEM, rc = -ENOMEM;

	if (nbs < 0)
		nbs = 0;
	if (nodes && ord)
		na = dep_active_nodes(bs, nbs, &act);
	if (na >= 0)
		rc = load_cores(out, n, nodes);
	if (rc == 0)
		rc = dep_order(nodes, n, act, na, ord);
	if (rc == 0)
		rc = reorder(out, n, ord);
	lp_bundles_free(bs, nbs);
	free(act);
	free(nodes);
	free(ord);
	return rc;
}

int eng_installed_plan(struct engine *e, struct eng_boot **out)
{
	char **paths;
	int n = eng_installed_here(e, &paths), rc;

	*out = NULL;
	if (n < 0)
		return n;
	*out = calloc(n ? n : 1, sizeof(**out));
	for (int i = 0; i < n; i++) {
		if (*out)
			(*out)[i].path = paths[i];
		else
			free(paths[i]);
	}
	free(paths);
	if (!*out) {
		p_err(e->ctx, -ENOMEM, "out of memory");
		return -ENOMEM;
	}
	rc = order_plan(*out, n);
	if (rc < 0) {
		p_err(e->ctx, rc, "cannot order the installed bundles: %s", strerror(-rc));
		eng_boot_free(*out, n);
		*out = NULL;
		return rc;
	}
	return n;
}

void eng_boot_free(struct eng_boot *b, int n)
{
	for (int i = 0; b && i < n; i++) {
		free(b[i].path);
		klpb_bundle_free(b[i].b);
		free(b[i].data);
	}
	free(b);
}

/* The names of the installed bundles on a cycle, as "'a', 'b'". */
static void cycle_names(const struct eng_boot *out, int n, char *buf, size_t size)
{
	size_t len = 0;

	buf[0] = '\0';
	for (int i = 0; i < n && len < size; i++)
		if (out[i].place == DEP_CYCLE)
			len += snprintf(buf + len, size - len, "%s'%s'", len ? ", " : "",
					out[i].b->core.name);
}

int eng_boot_refuse(struct engine *e, const struct eng_boot *out, int n, int i)
{
	const struct klpb_core *c = &out[i].b->core;
	char spec[2 * LP_NAME_MAX], names[512];

	if (out[i].why)
		dep_spec(out[i].why, spec, sizeof(spec));
	if (out[i].place == DEP_MISSING)
		p_err(e->ctx, -EOPNOTSUPP,
		      "'%s' version %" PRIu64 " is not applied: it requires '%s', which is "
		      "neither active nor installed (install it)",
		      c->name, c->version, spec);
	else if (out[i].place == DEP_BLOCKED)
		p_err(e->ctx, -EOPNOTSUPP,
		      "'%s' version %" PRIu64 " is not applied: it requires '%s', which is "
		      "not applied either",
		      c->name, c->version, spec);
	else {
		cycle_names(out, n, names, sizeof(names));
		p_err(e->ctx, -EOPNOTSUPP,
		      "'%s' version %" PRIu64 " is not applied: the installed bundles %s "
		      "require each other (a dependency cycle)",
		      c->name, c->version, names);
	}
	return -EOPNOTSUPP;
}
