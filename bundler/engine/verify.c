// SPDX-License-Identifier: GPL-2.0-or-later
/* verify.c - a bundle file checked against the trust store; see verify.h. */
#include <dirent.h>
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "common/bundle-io.h"
#include "engine/verify.h"
#include "sys/kernel-info.h"
#include "util/file.h"

#define DEFAULT_KEYS_DIR "/etc/klp-bundle/keys"

static bool dir_has_keys(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	bool found = false;

	if (!d)
		return false;
	while (!found && (de = readdir(d))) {
		size_t l = strlen(de->d_name);

		found = l > 4 && de->d_name[0] != '.' && strcmp(de->d_name + l - 4, ".pub") == 0;
	}
	closedir(d);
	return found;
}

int eng_verify_file(struct klpb_ctx *ctx, const char *file, const char *key, const char *keyring,
		    uint8_t **data, size_t *len, struct klpb_bundle **b)
{
	const char *env = getenv("KLPB_KEYS_DIR");
	const char *dir = keyring ? keyring : env && *env ? env : DEFAULT_KEYS_DIR;
	struct klpb_verify_result res;
	struct klpb_error ferr = { 0 };
	struct klpb_key **keys = NULL;
	size_t n = 0;
	int rc = read_file(file, data, len);

	if (rc < 0) {
		p_err(ctx, rc, "cannot read '%s': %s", file, strerror(-rc));
		return rc;
	}
	rc = klpb_bundle_load(*data, *len, b, &ferr);
	if (rc < 0)
		return report_format_error(ctx, file, rc, &ferr);
	if (key || keyring || dir_has_keys(dir))
		rc = load_trusted_keys(ctx, key, key && !keyring ? NULL : dir, &keys, &n);
	if (rc < 0)
		return rc;
	rc = klpb_bundle_verify(*b, keys, n, &res, &ferr);
	free_keys(keys, n);
	if (rc == -ENOKEY)
		p_err(ctx, rc, "'%s' has no signature by a trusted key (trust store '%s')", file,
		      key ? key : dir);
	else if (rc < 0)
		report_format_error(ctx, file, rc, &ferr);
	return rc;
}
