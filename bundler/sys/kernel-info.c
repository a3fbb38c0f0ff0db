// SPDX-License-Identifier: GPL-2.0-or-later
/* kernel-info.c - see kernel-info.h. */
#include <errno.h>
#include <gelf.h>
#include <libelf.h>
#include <libkmod.h>
#include <lzma.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zstd.h>

#include "sys/kernel-info.h"
#include "sys/symtab.h"
#include "util/file.h"

#define NT_GNU_BUILD_ID_TYPE 3
#define DECOMPRESSED_MAX (1ULL << 30)	/* no kernel image is near 1 GiB */

static uint32_t le32(const uint8_t *p)
{
	return p[0] | p[1] << 8 | p[2] << 16 | (uint32_t)p[3] << 24;
}

static size_t align4(size_t n)
{
	return (n + 3) & ~(size_t)3;
}

int notes_build_id(const void *buf, size_t len, struct build_id *id)
{
	const uint8_t *p = buf;
	size_t off = 0;

	while (len - off >= 12) {
		size_t namesz = le32(p + off), descsz = le32(p + off + 4);
		uint32_t type = le32(p + off + 8);
		size_t name_off = off + 12, desc_off;

		if (namesz > len - name_off)
			return -EBADMSG;
		desc_off = name_off + align4(namesz);
		if (desc_off > len || descsz > len - desc_off)
			return -EBADMSG;
		if (type == NT_GNU_BUILD_ID_TYPE && namesz == 4 &&
		    memcmp(p + name_off, "GNU", 4) == 0) {
			if (descsz == 0 || descsz > BUILD_ID_MAX)
				return -EBADMSG;
			memcpy(id->bytes, p + desc_off, descsz);
			id->len = descsz;
			return 0;
		}
		if (align4(descsz) > len - desc_off)
			break;
		off = desc_off + align4(descsz);
	}
	return -ENOENT;
}

int elf_build_id(const void *buf, size_t len, struct build_id *id)
{
	Elf_Scn *scn = NULL;
	Elf *elf;
	int err = -ENOENT;

	if (elf_version(EV_CURRENT) == EV_NONE)
		return -ENOSYS;
	elf = elf_memory((char *)buf, len);
	if (!elf)
		return -EBADMSG;
	if (elf_kind(elf) != ELF_K_ELF) {
		elf_end(elf);
		return -EBADMSG;
	}
	while (err == -ENOENT && (scn = elf_nextscn(elf, scn))) {
		GElf_Shdr shdr;
		Elf_Data *data;

		if (!gelf_getshdr(scn, &shdr) || shdr.sh_type != SHT_NOTE)
			continue;
		data = elf_getdata(scn, NULL);
		if (data && data->d_buf)
			err = notes_build_id(data->d_buf, data->d_size, id);
	}
	elf_end(elf);
	return err;
}

/* Grow *@out to hold at least @need bytes. */
static int grow(uint8_t **out, size_t *cap, size_t need)
{
	size_t n = *cap ? *cap : 1 << 20;
	uint8_t *p;

	while (n < need)
		n *= 2;
	if (n > DECOMPRESSED_MAX)
		return -EFBIG;
	p = realloc(*out, n);
	if (!p)
		return -ENOMEM;
	*out = p;
	*cap = n;
	return 0;
}

static int unxz(const uint8_t *in, size_t in_len, uint8_t **out, size_t *out_len)
{
	lzma_stream strm = LZMA_STREAM_INIT;
	size_t cap = 0;
	lzma_ret ret;
	int err = 0;

	*out = NULL;
	if (lzma_stream_decoder(&strm, DECOMPRESSED_MAX, 0) != LZMA_OK)
		return -ENOMEM;
	strm.next_in = in;
	strm.avail_in = in_len;
	do {
		if (strm.avail_out == 0) {
			err = grow(out, &cap, cap + 1);
			if (err)
				break;
			strm.next_out = *out + strm.total_out;
			strm.avail_out = cap - strm.total_out;
		}
		ret = lzma_code(&strm, LZMA_FINISH);
	} while (ret == LZMA_OK);
	if (!err && ret != LZMA_STREAM_END)
		err = ret == LZMA_MEM_ERROR ? -ENOMEM : -EBADMSG;
	*out_len = strm.total_out;
	lzma_end(&strm);
	if (err) {
		free(*out);
		*out = NULL;
	}
	return err;
}

static int unzstd(const uint8_t *in, size_t in_len, uint8_t **out, size_t *out_len)
{
	ZSTD_DStream *ds = ZSTD_createDStream();
	ZSTD_inBuffer ib = { in, in_len, 0 };
	size_t cap = 0, ret = 1;
	int err = 0;

	*out = NULL;
	*out_len = 0;
	if (!ds)
		return -ENOMEM;
	while (ret != 0) {
		ZSTD_outBuffer ob;

		if (*out_len == cap) {
			err = grow(out, &cap, cap + 1);
			if (err)
				break;
		}
		ob = (ZSTD_outBuffer){ *out, cap, *out_len };
		ret = ZSTD_decompressStream(ds, &ob, &ib);
		*out_len = ob.pos;
		if (ZSTD_isError(ret) || (ret != 0 && ib.pos == ib.size && ob.pos < ob.size)) {
			err = -EBADMSG;
			break;
		}
	}
	ZSTD_freeDStream(ds);
	if (err) {
		free(*out);
		*out = NULL;
	}
	return err;
}

/* Decompress @in by its magic: xz or zstd.  -EPROTONOSUPPORT otherwise. */
static int decompress(const uint8_t *in, size_t len, uint8_t **out, size_t *out_len)
{
	static const uint8_t xz[] = { 0xfd, '7', 'z', 'X', 'Z', 0 };
	static const uint8_t zst[] = { 0x28, 0xb5, 0x2f, 0xfd };

	if (len >= sizeof(xz) && memcmp(in, xz, sizeof(xz)) == 0)
		return unxz(in, len, out, out_len);
	if (len >= sizeof(zst) && memcmp(in, zst, sizeof(zst)) == 0)
		return unzstd(in, len, out, out_len);
	return -EPROTONOSUPPORT;
}

static bool is_elf(const uint8_t *p, size_t len)
{
	return len >= 4 && memcmp(p, "\x7f" "ELF", 4) == 0;
}

/*
 * The compressed vmlinux inside a bzImage (Documentation/x86/boot.rst): the
 * protected-mode code starts after (setup_sects + 1) * 512 bytes, and the
 * header's payload_offset/payload_length locate the payload within it.
 */
static int bzimage_payload(const uint8_t *p, size_t len, const uint8_t **payload, size_t *plen)
{
	size_t setup_sects, start, off, n;

	if (len < 0x250 || memcmp(p + 0x202, "HdrS", 4) != 0)
		return -EBADMSG;
	setup_sects = p[0x1f1] ? p[0x1f1] : 4;
	start = (setup_sects + 1) * 512;
	off = le32(p + 0x248);
	n = le32(p + 0x24c);
	if (start > len || off > len - start || n > len - start - off)
		return -EBADMSG;
	*payload = p + start + off;
	*plen = n;
	return 0;
}

int kernel_image_load(const char *path, uint8_t **elf, size_t *elf_len)
{
	const uint8_t *payload;
	uint8_t *buf;
	size_t len, plen;
	int err;

	err = read_file(path, &buf, &len);
	if (err)
		return err;
	if (is_elf(buf, len)) {
		*elf = buf;
		*elf_len = len;
		return 0;
	}
	err = bzimage_payload(buf, len, &payload, &plen);
	if (!err)
		err = decompress(payload, plen, elf, elf_len);
	free(buf);
	if (!err && !is_elf(*elf, *elf_len)) {
		free(*elf);
		err = -EBADMSG;
	}
	return err;
}

int kernel_image_build_id(const char *path, struct build_id *id)
{
	uint8_t *elf;
	size_t len;
	int err;

	err = kernel_image_load(path, &elf, &len);
	if (err)
		return err;
	err = elf_build_id(elf, len, id);
	free(elf);
	return err;
}

/* Read an ELF file, decompressing a .ko.xz / .ko.zst. */
static int read_elf_file(const char *path, uint8_t **buf, size_t *len)
{
	uint8_t *raw, *plain;
	size_t raw_len;
	int err;

	err = read_file(path, &raw, &raw_len);
	if (err)
		return err;
	if (is_elf(raw, raw_len)) {
		*buf = raw;
		*len = raw_len;
		return 0;
	}
	err = decompress(raw, raw_len, &plain, len);
	free(raw);
	if (err)
		return err == -EPROTONOSUPPORT ? -EBADMSG : err;
	if (!is_elf(plain, *len)) {
		free(plain);
		return -EBADMSG;
	}
	*buf = plain;
	return 0;
}

int file_build_id(const char *path, struct build_id *id)
{
	uint8_t *buf;
	size_t len;
	int err;

	err = read_elf_file(path, &buf, &len);
	if (err)
		return err;
	err = elf_build_id(buf, len, id);
	free(buf);
	return err;
}

/* A System.map line "ADDR TYPE NAME [MODULE]": a defined symbol of @object? */
static bool map_line_matches(const char *type, const char *mod, const char *object)
{
	if (type[0] == 'U' || type[1] != '\0')
		return false;
	if (strcmp(object, "vmlinux") == 0)
		return mod == NULL;
	return mod && strcmp(mod, object) == 0;
}

int symtab_from_map(const char *path, const char *object, struct symtab **out)
{
	struct symtab *t = symtab_new();
	char *line = NULL, *save;
	size_t cap = 0;
	FILE *f;
	int err = 0;

	if (!t)
		return -ENOMEM;
	f = fopen(path, "re");
	if (!f) {
		err = -errno;
		free(t);
		return err;
	}
	while (!err && getline(&line, &cap, f) > 0) {
		char *addr = strtok_r(line, " \t\n", &save);
		char *type = strtok_r(NULL, " \t\n", &save);
		char *name = strtok_r(NULL, " \t\n", &save);
		char *mod = strtok_r(NULL, " \t\n[]", &save);

		if (!addr || !type || !name || !map_line_matches(type, mod, object))
			continue;
		err = symtab_add(t, name, strlen(name), symtab_type_is_func(type[0]));
	}
	free(line);
	fclose(f);
	if (err) {
		symtab_free(t);
		return err;
	}
	return symtab_finish(t, out);
}

/*
 * The symbols a module's kallsyms will have (kernel/module/kallsyms.c,
 * is_core_symbol()): defined, named, in an allocated section that is not an
 * init section.  That is the space livepatch counts sympos in.
 */
static bool kallsyms_would_keep(Elf *elf, size_t shstrndx, const GElf_Sym *sym)
{
	Elf_Scn *scn;
	GElf_Shdr shdr;
	const char *sec;

	if (sym->st_shndx == SHN_UNDEF || sym->st_shndx >= SHN_LORESERVE || !sym->st_name)
		return false;
	scn = elf_getscn(elf, sym->st_shndx);
	if (!scn || !gelf_getshdr(scn, &shdr) || !(shdr.sh_flags & SHF_ALLOC))
		return false;
	sec = elf_strptr(elf, shstrndx, shdr.sh_name);
	return sec && strncmp(sec, ".init", 5) != 0;
}

static int add_elf_symbols(struct symtab *t, Elf *elf)
{
	Elf_Scn *scn = NULL;
	size_t shstrndx;

	if (elf_getshdrstrndx(elf, &shstrndx) != 0)
		return -EBADMSG;
	while ((scn = elf_nextscn(elf, scn))) {
		GElf_Shdr shdr;
		Elf_Data *data;

		if (!gelf_getshdr(scn, &shdr) || shdr.sh_type != SHT_SYMTAB || !shdr.sh_entsize)
			continue;
		data = elf_getdata(scn, NULL);
		for (size_t i = 0; data && i < shdr.sh_size / shdr.sh_entsize; i++) {
			GElf_Sym sym;
			const char *name;
			int err;

			if (!gelf_getsym(data, (int)i, &sym) || !kallsyms_would_keep(elf, shstrndx, &sym))
				continue;
			name = elf_strptr(elf, shdr.sh_link, sym.st_name);
			if (!name || !*name)
				continue;
			err = symtab_add(t, name, strlen(name), GELF_ST_TYPE(sym.st_info) == STT_FUNC);
			if (err)
				return err;
		}
	}
	return 0;
}

int symtab_from_elf_file(const char *path, struct symtab **out)
{
	struct symtab *t;
	uint8_t *buf;
	size_t len;
	Elf *elf;
	int err;

	if (elf_version(EV_CURRENT) == EV_NONE)
		return -ENOSYS;
	err = read_elf_file(path, &buf, &len);
	if (err)
		return err;
	t = symtab_new();
	elf = t ? elf_memory((char *)buf, len) : NULL;
	if (!elf) {
		free(t);
		free(buf);
		return t ? -EBADMSG : -ENOMEM;
	}
	err = add_elf_symbols(t, elf);
	elf_end(elf);
	free(buf);
	if (err) {
		symtab_free(t);
		return err;
	}
	return symtab_finish(t, out);
}

static int add_kallsyms_symbol(char type, const char *name, void *data)
{
	if (type == 'U')
		return 0;
	return symtab_add(data, name, strlen(name), symtab_type_is_func(type));
}

int symtab_from_vmlinux(const uint8_t *buf, size_t len, struct symtab **out)
{
	struct symtab *t;
	Elf *elf;
	int err;

	if (elf_version(EV_CURRENT) == EV_NONE)
		return -ENOSYS;
	t = symtab_new();
	if (!t)
		return -ENOMEM;
	elf = elf_memory((char *)buf, len);
	err = elf ? add_elf_symbols(t, elf) : -EBADMSG;
	if (elf)
		elf_end(elf);
	if (!err && symtab_size(t) == 0) {
		err = kallsyms_foreach(buf, len, add_kallsyms_symbol, t);
		err = err < 0 ? err : 0;
	}
	if (err) {
		symtab_free(t);
		return err;
	}
	return symtab_finish(t, out);
}

int symtab_from_kernel_image(const char *path, struct symtab **out)
{
	uint8_t *buf;
	size_t len;
	int err;

	err = kernel_image_load(path, &buf, &len);
	if (err)
		return err;
	err = symtab_from_vmlinux(buf, len, out);
	free(buf);
	return err;
}

int module_path(const char *release, const char *name, char **path)
{
	struct kmod_module *mod = NULL;
	struct kmod_ctx *ctx;
	const char *p;
	char *dir;
	int err;

	if (asprintf(&dir, "/lib/modules/%s", release) < 0)
		return -ENOMEM;
	ctx = kmod_new(dir, NULL);
	free(dir);
	if (!ctx)
		return -ENOMEM;
	kmod_set_log_priority(ctx, 0);
	err = kmod_module_new_from_name(ctx, name, &mod);
	if (err < 0)
		goto out;
	p = kmod_module_get_path(mod);
	if (!p) {
		err = -ENOENT;
		goto out;
	}
	*path = strdup(p);
	err = *path ? 0 : -ENOMEM;
out:
	kmod_module_unref(mod);
	kmod_unref(ctx);
	return err;
}
