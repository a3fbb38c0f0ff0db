// SPDX-License-Identifier: GPL-2.0-or-later
/* modsig.c - see modsig.h. */
#include <errno.h>
#include <libkmod.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "sys/modsig.h"
#include "util/file.h"

#define MODSIG_MARKER "~Module signature appended~\n"

static void copy_value(char *dst, size_t size, const char *src)
{
	snprintf(dst, size, "%s", src ? src : "");
}

/* kmod_module_get_info() on a memfd holding the module. */
static int read_info(int fd, struct module_sig *sig)
{
	struct kmod_list *info = NULL, *l;
	struct kmod_module *mod = NULL;
	struct kmod_ctx *ctx;
	char path[64];
	int rc;

	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	ctx = kmod_new(NULL, NULL);
	if (!ctx)
		return -ENOMEM;
	kmod_set_log_priority(ctx, 0);
	rc = kmod_module_new_from_path(ctx, path, &mod);
	if (!rc)
		rc = kmod_module_get_info(mod, &info) < 0 ? -EBADMSG : 0;
	kmod_list_foreach(l, info)
	{
		const char *k = kmod_module_info_get_key(l), *v = kmod_module_info_get_value(l);

		if (strcmp(k, "signer") == 0)
			copy_value(sig->signer, sizeof(sig->signer), v);
		else if (strcmp(k, "sig_key") == 0)
			copy_value(sig->key_id, sizeof(sig->key_id), v);
		else if (strcmp(k, "sig_hashalgo") == 0)
			copy_value(sig->hash_algo, sizeof(sig->hash_algo), v);
	}
	kmod_module_info_free_list(info);
	kmod_module_unref(mod);
	kmod_unref(ctx);
	return rc;
}

bool module_is_signed(const void *ko, size_t len)
{
	size_t marker = strlen(MODSIG_MARKER);

	return len > marker && memcmp((const char *)ko + len - marker, MODSIG_MARKER, marker) == 0;
}

int module_sig_read(const void *ko, size_t len, struct module_sig *sig)
{
	int fd, rc;

	memset(sig, 0, sizeof(*sig));
	if (!module_is_signed(ko, len))
		return 0;
	sig->is_signed = true;
	fd = memfd_create("klpb-modsig", MFD_CLOEXEC);
	if (fd < 0)
		return -errno;
	rc = write_all(fd, ko, len);
	if (!rc)
		rc = read_info(fd, sig);
	close(fd);
	return rc;
}
