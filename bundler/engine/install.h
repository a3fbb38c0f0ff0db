/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * install.h - installed bundles: verified bundle files kept in the state
 * directory (installed/<name>.klpb) for 'apply --installed' at boot
 * (contrib/klp-bundle.service).
 */
#ifndef KLPB_ENGINE_INSTALL_H
#define KLPB_ENGINE_INSTALL_H

#include <stdint.h>

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
/* Was "klp_bundle.disable=1" given on the kernel command line? */
bool eng_installed_disabled(void);

#endif
