/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * kbuild.h - build one transaction module with the target kernel's kbuild:
 * a private build directory with the patch sources, the runtime's
 * descriptor (klpb_desc.h), the core manifest and a Kbuild file that
 * includes kernel/bundle.kbuild (the contract in
 * Documentation/patch-authoring.md).
 */
#ifndef KLPB_KBUILD_H
#define KLPB_KBUILD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "klp-bundle/format.h"

struct source_file {
	char *name; /* file name, no directory */
	uint8_t *data;
	size_t len;
};

struct kbuild_job {
	const char *kdir; /* the kernel's kbuild tree */
	const char *runtime_dir; /* klp-bundle's kernel/ directory */
	const char *module_name;
	const struct source_file *sources;
	size_t n_sources;
	const char *desc; /* klpb_desc.h text */
	struct klpb_bytes core; /* embedded byte for byte */
	const char *keep_dir; /* NULL: build in a temporary directory */
	/*
	 * More files for the build directory, written as they are (e.g.
	 * klpb_diff_N.o_shipped, which kernel/bundle.kbuild turns into
	 * klpb_diff_N.o), and more objects for the module (KLPB_PATCH_OBJS,
	 * after those of the .c sources).  File names are plain (no '/', no
	 * leading '.'): kbuild_start() fails with -EINVAL otherwise.
	 */
	const struct source_file *extra_files;
	size_t n_extra_files;
	const char *const *extra_objs;
	size_t n_extra_objs;
};

/* A module build (kbuild_start .. kbuild_abort). */
struct kbuild_proc {
	char *dir; /* the build directory */
	bool keep; /* --keep-build: not removed */
	int pid; /* make, leader of its process group; 0 when not running */
	char *module_name, *kdir, *runtime_dir;
};

/*
 * Write @job's build directory and start make in the background, so the
 * caller can do other work meanwhile.  On success, end with kbuild_abort()
 * (after kbuild_finish(), or to stop it).
 */
int kbuild_start(const struct kbuild_job *job, struct kbuild_proc *p);
/*
 * Wait for the build; on success [owned] @ko holds the .ko with debug info
 * stripped.  On a build failure returns -ENOEXEC with [owned] *@log holding
 * make's output (the compiler's messages); *@log may be NULL.  The build
 * directory stays for kbuild_restart().
 */
int kbuild_finish(struct kbuild_proc *p, struct klpb_buf *ko, char **log);
/*
 * After kbuild_finish(): replace the embedded core with @core and start
 * make again (it relinks what depends on the core); then kbuild_finish().
 */
int kbuild_restart(struct kbuild_proc *p, struct klpb_bytes core);
/* Stop the build if it runs (its whole process group), remove the directory. */
void kbuild_abort(struct kbuild_proc *p);

/*
 * Sign the module in @ko with the kernel's scripts/sign-file (from @kdir),
 * SHA-256, the private @key and its X.509 @cert (PEM or DER): PKCS#7
 * appended as the kernel's module loader expects.  Last step: nothing may
 * change the module afterwards.  On failure -ENOEXEC with [owned] *@log.
 */
int kbuild_sign(const char *kdir, const char *key, const char *cert, struct klpb_buf *ko,
		char **log);

/* How many @entsize-byte entries section @section of the ELF @ko has (0 if none). */
int kbuild_section_entries(const void *ko, size_t len, const char *section, size_t entsize);

/* The directory of klp-bundle's kernel runtime: $KLPB_RUNTIME_DIR or the built-in path. */
const char *kbuild_runtime_dir(void);

#endif
