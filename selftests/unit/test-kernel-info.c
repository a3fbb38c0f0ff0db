// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <lzma.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>
#include <zstd.h>

#include "create/symbols.h"
#include "sys/kernel-info.h"
#include "tap.h"
#include "util/file.h"
#include "util/hex.h"

static char tmpdir[] = "/tmp/test-kernel-info.XXXXXX";

static void test_notes(void)
{
	/* A Xen-style note first, then the GNU build-id (as in /sys/kernel/notes). */
	static const uint8_t notes[] = {
		4,    0,    0,	  0,	4,    0,    0,	  0,	6,    0,    0,	  0,	'X',  'e',
		'n',  0,    1,	  2,	3,    4,    4,	  0,	0,    0,    20,	  0,	0,    0,
		3,    0,    0,	  0,	'G',  'N',  'U',  0,	0xeb, 0x4f, 0xbc, 0xd0, 0x37, 0xe7,
		0x25, 0x37, 0x17, 0x95, 0x0b, 0xf2, 0xb9, 0x3b, 0xd5, 0x56, 0x6f, 0x47, 0xc5, 0x6f,
	};
	struct build_id id = {};
	char hex[2 * BUILD_ID_MAX + 1];

	is_int(notes_build_id(notes, sizeof(notes), &id), 0,
	       "notes: build-id found after another note");
	hex_encode(id.bytes, id.len, hex);
	is_str(hex, "eb4fbcd037e7253717950bf2b93bd5566f47c56f", "notes: the 20 id bytes");
	is_int(notes_build_id(notes, 20, &id), -ENOENT, "notes: no GNU note is -ENOENT");
	is_int(notes_build_id(notes, sizeof(notes) - 1, &id), -EBADMSG,
	       "notes: truncated id is -EBADMSG");
	is_int(notes_build_id(notes, 14, &id), -EBADMSG, "notes: truncated name is -EBADMSG");
}

/* The build-id readelf(1) reports for @path, as hex. */
static void readelf_build_id(const char *path, char *out, size_t size)
{
	char cmd[512];
	FILE *p;

	snprintf(cmd, sizeof(cmd), "readelf -n '%s' | sed -n 's/.*Build ID: //p'", path);
	out[0] = '\0';
	p = popen(cmd, "r");
	if (p && fgets(out, (int)size, p))
		out[strcspn(out, "\n")] = '\0';
	if (p)
		pclose(p);
}

/* Write a minimal bzImage whose payload is @payload into @path. */
static int write_bzimage(const char *path, const uint8_t *payload, size_t len)
{
	uint8_t hdr[1024 + 16] = {};
	FILE *f = fopen(path, "w");
	uint32_t off = 16, n = (uint32_t)len;

	if (!f)
		return -1;
	hdr[0x1f1] = 1; /* setup_sects: code starts at 1024 */
	memcpy(hdr + 0x202, "HdrS", 4);
	memcpy(hdr + 0x248, &off, 4);
	memcpy(hdr + 0x24c, &n, 4);
	fwrite(hdr, 1, sizeof(hdr), f);
	fwrite(payload, 1, len, f);
	fwrite("trailer", 1, 7, f);
	return fclose(f);
}

static void test_images(void)
{
	char self[256], want[2 * BUILD_ID_MAX + 1], got[2 * BUILD_ID_MAX + 1], path[300];
	struct build_id id = {};
	uint8_t *elf, *comp;
	size_t len, clen = 0;
	ssize_t n;

	n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	self[n > 0 ? n : 0] = '\0';
	readelf_build_id(self, want, sizeof(want));
	is_int(file_build_id(self, &id), 0, "ELF file: build-id found");
	hex_encode(id.bytes, id.len, got);
	is_str(got, want, "ELF file: same build-id as readelf -n");

	if (read_file(self, &elf, &len) != 0)
		return;
	comp = malloc(len + 65536);
	lzma_easy_buffer_encode(1, LZMA_CHECK_CRC32, NULL, elf, len, comp, &clen, len + 65536);
	snprintf(path, sizeof(path), "%s/bzimage-xz", tmpdir);
	write_bzimage(path, comp, clen);
	memset(&id, 0, sizeof(id));
	is_int(kernel_image_build_id(path, &id), 0, "bzImage with an xz payload: decompressed");
	hex_encode(id.bytes, id.len, got);
	is_str(got, want, "bzImage xz: the payload's build-id");

	clen = ZSTD_compress(comp, len + 65536, elf, len, 1);
	snprintf(path, sizeof(path), "%s/bzimage-zst", tmpdir);
	write_bzimage(path, comp, clen);
	memset(&id, 0, sizeof(id));
	is_int(kernel_image_build_id(path, &id), 0, "bzImage with a zstd payload: decompressed");
	hex_encode(id.bytes, id.len, got);
	is_str(got, want, "bzImage zstd: the payload's build-id");

	snprintf(path, sizeof(path), "%s/bzimage-gz", tmpdir);
	write_bzimage(path, (const uint8_t *)"\x1f\x8b\x08\x00", 4);
	is_int(kernel_image_build_id(path, &id), -EPROTONOSUPPORT,
	       "bzImage gzip: -EPROTONOSUPPORT");
	write_bzimage(path, comp, clen / 2);
	is_int(kernel_image_build_id(path, &id), -EBADMSG,
	       "bzImage with a truncated payload: -EBADMSG");
	is_int(kernel_image_build_id("/nonexistent", &id), -ENOENT, "missing image: -ENOENT");
	free(comp);
	free(elf);
}

static void test_symtab(void)
{
	char path[300], self[256];
	struct symtab *t = NULL;
	FILE *f;
	ssize_t n;

	snprintf(path, sizeof(path), "%s/kallsyms", tmpdir);
	f = fopen(path, "w");
	fputs("ffffffff81000000 T _stext\n"
	      "ffffffff81001000 t dup_func\n"
	      "ffffffff81002000 t dup_func\n"
	      "ffffffff81003000 T cmdline_proc_show\n"
	      "ffffffff81004000 D some_data\n"
	      "ffffffffc0000000 t mod_func\t[mymod]\n"
	      "ffffffffc0001000 t dup_func\t[mymod]\n",
	      f);
	fclose(f);
	is_int(symtab_from_map(path, "vmlinux", &t), 0, "map: vmlinux symbols read");
	is_int(symtab_count(t, "dup_func"), 2, "map: a duplicated static function counts twice");
	is_int(symtab_count(t, "cmdline_proc_show"), 1, "map: a unique function counts once");
	is_int(symtab_count_funcs(t, "some_data"), 0, "map: data symbols are not functions");
	is_int(symtab_count(t, "some_data"), 1, "map: but they are symbols (sympos counts them)");
	is_int(symtab_count(t, "mod_func"), 0, "map: module symbols are not vmlinux's");
	symtab_free(t);
	is_int(symtab_from_map(path, "mymod", &t), 0, "map: a module's symbols read");
	is_int(symtab_count(t, "dup_func") + symtab_count(t, "mod_func"), 2,
	       "map: only that module's");
	symtab_free(t);

	f = fopen(path, "w");
	fputs("ffffffffffffffff B The real System.map is in the linux-image-<version>-dbg package\n",
	      f);
	fclose(f);
	is_int(symtab_from_map(path, "vmlinux", &t), -ENODATA,
	       "map: Debian's placeholder is -ENODATA");

	n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	self[n > 0 ? n : 0] = '\0';
	t = NULL;
	is_int(symtab_from_elf_file(self, &t), 0, "ELF symtab read");
	is_int(t ? symtab_count_funcs(t, "test_symtab") : 0, 1,
	       "ELF symtab: a static function found");
	is_int(t ? symtab_count(t, "tmpdir") : 0, 1, "ELF symtab: a static variable found");
	is_int(t ? symtab_count_funcs(t, "tmpdir") : 1, 0, "ELF symtab: which is no function");
	is_int(t ? symtab_count(t, "no_such_function_here") : 1, 0,
	       "ELF symtab: a missing one is 0");
	symtab_free(t);
}

static void test_installed_kernel(void)
{
	char cmd[] = "tools/kver 2>/dev/null || ../../tools/kver 2>/dev/null";
	char release[128] = "", image[256], hex[2 * BUILD_ID_MAX + 1];
	struct build_id id = {};
	char *path = NULL;
	FILE *p = popen(cmd, "r");

	if (p && fgets(release, sizeof(release), p))
		release[strcspn(release, "\n")] = '\0';
	if (p)
		pclose(p);
	snprintf(image, sizeof(image), "/boot/vmlinuz-%s", release);
	if (!release[0] || access(image, R_OK) != 0) {
		skip("no installed kernel", "Debian vmlinuz build-id");
		skip("no installed kernel", "Debian vmlinuz kallsyms");
		skip("no installed kernel", "libkmod finds 9p");
		return;
	}
	is_int(kernel_image_build_id(image, &id), 0, "Debian vmlinuz: build-id read (%s)", release);
	{
		struct symtab *t = NULL;

		is_int(symtab_from_kernel_image(image, &t), 0, "Debian vmlinuz: kallsyms decoded");
		ok(t && symtab_size(t) > 10000, "it has over 10000 function symbols (%zu)",
		   t ? symtab_size(t) : 0);
		is_int(t ? symtab_count(t, "cmdline_proc_show") : 0, 1,
		       "cmdline_proc_show is unique");
		ok(t && symtab_count(t, "jhash") > 1, "jhash is a duplicated static (%u)",
		   t ? symtab_count(t, "jhash") : 0);
		symtab_free(t);
	}
	hex_encode(id.bytes, id.len, hex);
	diag("vmlinuz-%s build-id %s", release, hex);
	is_int(module_path(release, "9p", &path), 0, "libkmod finds module 9p for %s", release);
	ok(path && strstr(path, "/9p.ko"), "its path is 9p.ko (%s)", path ? path : "null");
	free(path);
	is_int(module_path(release, "no_such_module_x", &path), -ENOENT,
	       "a missing module is -ENOENT");
}

static void remove_tmpdir(void)
{
	static const char *const files[] = { "bzimage-xz", "bzimage-zst", "bzimage-gz",
					     "kallsyms" };
	char path[300];

	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", tmpdir, files[i]);
		unlink(path);
	}
	rmdir(tmpdir);
}

int main(void)
{
	if (!mkdtemp(tmpdir))
		return 99;
	test_notes();
	test_images();
	test_symtab();
	test_installed_kernel();
	remove_tmpdir();
	return done_testing();
}
