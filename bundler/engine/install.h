/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * install.h - installed bundles: verified bundle files kept in the state
 * directory (installed/<name>.klpb) for 'apply --installed' at boot
 * (contrib/klp-bundle.service).
 */
#ifndef KLPB_ENGINE_INSTALL_H
#define KLPB_ENGINE_INSTALL_H

#include <stdint.h>

#include "engine/deps.h"
#include "engine/engine.h"
#include "sys/livepatch.h"

/* What was installed. */
struct eng_installed {
	char name[LP_NAME_MAX];
	uint64_t version;
	char *path; /* [owned] (free()) */
};

/*
 * Verify @file (signatures as for apply, eng_verify_file()) and keep it as
 * installed/<its name>.klpb; a lower version than the one installed is
 * refused (-EOPNOTSUPP).
 */
int eng_install(struct engine *e, const char *file, const char *key, const char *keyring,
		struct eng_installed *out);
/* Is @name usable as an installed bundle's name (no '/', no leading '.')? */
bool eng_installed_name_ok(const char *name);
/* Forget installed/@name.klpb; -ENOENT when it is not installed. */
int eng_uninstall(struct engine *e, const char *name);
/*
 * The installed bundles with a target for the running kernel, sorted by
 * name: [owned] *@paths (free each, then the array); the count, or -errno.
 */
int eng_installed_here(struct engine *e, char ***paths);
/* One installed bundle in the order apply --installed takes them. */
struct eng_boot {
	char *path; /* [owned] */
	struct klpb_bundle *b; /* [owned] its core read for the order (not verified) */
	uint8_t *data; /* [owned] */
	enum dep_place place; /* DEP_ORDERED: apply it; else why it is not applied */
	const struct klpb_dep *why; /* DEP_MISSING, DEP_BLOCKED: the requires entry */
};

/*
 * The installed bundles for the running kernel in dependency order: each
 * after what it requires (met by an active bundle or an installed one),
 * ties by name; then, by name, those that miss a dependency, are on a
 * cycle or require one of those.  [owned] *@out (eng_boot_free()); the
 * count, or -errno.
 */
int eng_installed_plan(struct engine *e, struct eng_boot **out);
void eng_boot_free(struct eng_boot *b, int n);
/* Report why @out[@i] (not DEP_ORDERED) is not applied: -EOPNOTSUPP. */
int eng_boot_refuse(struct engine *e, const struct eng_boot *out, int n, int i);

/* Was "klp_bundle.disable=1" given on the kernel command line? */
bool eng_installed_disabled(void);

#endif
