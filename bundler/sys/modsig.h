/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * modsig.h - the signature the kernel's module loader checks: PKCS#7
 * appended to the module, then struct module_signature and the marker
 * "~Module signature appended~\n" (kernel/module/signing.c).  Read through
 * libkmod, which parses the PKCS#7 with libcrypto.
 */
#ifndef KLPB_MODSIG_H
#define KLPB_MODSIG_H

#include <stdbool.h>
#include <stddef.h>

struct module_sig {
	bool is_signed;
	char signer[256]; /* the certificate's subject (CN) */
	char key_id[128]; /* hex, as modinfo prints it */
	char hash_algo[32];
};

/* Does @ko end with the module signature marker?  (Cheap: no parsing.) */
bool module_is_signed(const void *ko, size_t len);
/* Fill @sig for the module in @ko.  Returns 0 (signed or not) or a negative errno. */
int module_sig_read(const void *ko, size_t len, struct module_sig *sig);

#endif
