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
#include "util/file.h"

#define NT_GNU_BUILD_ID_TYPE 3
#define DECOMPRESSED_MAX (1ULL << 30) /* no kernel image is near 1 GiB */

static uint32_t le32(const uint8_t *p)
{
	return p[0] | p[1] << 8 | p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint64_t le64(const uint8_t *p)
{
	return le32(p) | (uint64_t)le32(p + 4) << 32;
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
	int rc = -ENOENT;

	if (elf_version(EV_CURRENT) == EV_NONE)
		return -ENOSYS;
	elf = elf_memory((char *)buf, len);
	if (!elf)
		return -EBADMSG;
	if (elf_kind(elf) != ELF_K_ELF) {
		elf_end(elf);
		return -EBADMSG;
	}
	while (rc == -ENOENT && (scn = elf_nextscn(elf, scn))) {
		GElf_Shdr shdr;
		Elf_Data *data;

		if (!gelf_getshdr(scn, &shdr) || shdr.sh_type != SHT_NOTE)
			continue;
		data = elf_getdata(scn, NULL);
		if (data && data->d_buf)
			rc = notes_build_id(data->d_buf, data->d_size, id);
	}
	elf_end(elf);
	return rc;
}

/* The first section named @name of @elf, or NULL. */
static Elf_Scn *section_named(Elf *elf, const char *name)
{
	Elf_Scn *scn = NULL;
	size_t shstrndx;

	if (elf_getshdrstrndx(elf, &shstrndx) < 0)
		return NULL;
	while ((scn = elf_nextscn(elf, scn))) {
		GElf_Shdr shdr;
		const char *n;

		if (gelf_getshdr(scn, &shdr) && (n = elf_strptr(elf, shstrndx, shdr.sh_name)) &&
		    strcmp(n, name) == 0)
			return scn;
	}
	return NULL;
}

/* The KLPB_STATE entries of section @scn (two little-endian u64 each) into [owned] *@out. */
static int read_states(Elf_Scn *scn, struct klpb_state **out, size_t *n)
{
	Elf_Data *data = elf_getdata(scn, NULL);
	const uint8_t *p;
	size_t count;

	if (!data || (data->d_size && !data->d_buf) ||
	    data->d_size % sizeof(struct klpb_state_decl))
		return -EBADMSG;
	count = data->d_size / sizeof(struct klpb_state_decl);
	*out = calloc(count ? count : 1, sizeof(**out));
	if (!*out)
		return -ENOMEM;
	p = data->d_buf;
	for (size_t i = 0; i < count; i++) {
		(*out)[i].id = le64(p + 16 * i);
		(*out)[i].version = le64(p + 16 * i + 8);
	}
	*n = count;
	return 0;
}

int module_klp_states(const void *ko, size_t len, struct klpb_state **out, size_t *n)
{
	Elf_Scn *scn;
	Elf *elf;
	int rc;

	*out = NULL;
	*n = 0;
	if (elf_version(EV_CURRENT) == EV_NONE)
		return -ENOSYS;
	elf = elf_memory((char *)ko, len);
	if (!elf)
		return -EBADMSG;
	if (elf_kind(elf) != ELF_K_ELF) {
		elf_end(elf);
		return -EBADMSG;
	}
	scn = section_named(elf, KLPB_SECTION_STATES);
	rc = scn ? read_states(scn, out, n) : 0;
	elf_end(elf);
	return rc;
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
	int rc = 0;

	*out = NULL;
	if (lzma_stream_decoder(&strm, DECOMPRESSED_MAX, 0) != LZMA_OK)
		return -ENOMEM;
	strm.next_in = in;
	strm.avail_in = in_len;
	do {
		if (strm.avail_out == 0) {
			rc = grow(out, &cap, cap + 1);
			if (rc)
				break;
			strm.next_out = *out + strm.total_out;
			strm.avail_out = cap - strm.total_out;
		}
		ret = lzma_code(&strm, LZMA_FINISH);
	} while (ret == LZMA_OK);
	if (!rc && ret != LZMA_STREAM_END)
		rc = ret == LZMA_MEM_ERROR ? -ENOMEM : -EBADMSG;
	*out_len = strm.total_out;
	lzma_end(&strm);
	if (rc) {
		free(*out);
		*out = NULL;
	}
	return rc;
}

static int unzstd(const uint8_t *in, size_t in_len, uint8_t **out, size_t *out_len)
{
	ZSTD_DStream *ds = ZSTD_createDStream();
	ZSTD_inBuffer ib = { in, in_len, 0 };
	size_t cap = 0, ret = 1;
	int rc = 0;

	*out = NULL;
	*out_len = 0;
	if (!ds)
		return -ENOMEM;
	while (ret != 0) {
		ZSTD_outBuffer ob;

		if (*out_len == cap) {
			rc = grow(out, &cap, cap + 1);
			if (rc)
				break;
		}
		ob = (ZSTD_outBuffer){ *out, cap, *out_len };
		ret = ZSTD_decompressStream(ds, &ob, &ib);
		*out_len = ob.pos;
		if (ZSTD_isError(ret) || (ret != 0 && ib.pos == ib.size && ob.pos < ob.size)) {
			rc = -EBADMSG;
			break;
		}
	}
	ZSTD_freeDStream(ds);
	if (rc) {
		free(*out);
		*out = NULL;
	}
	return rc;
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
	return len >= 4 && memcmp(p,
				  "\x7f"
				  "ELF",
				  4) == 0;
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
	int rc;

	rc = read_file(path, &buf, &len);
	if (rc)
		return rc;
	if (is_elf(buf, len)) {
		*elf = buf;
		*elf_len = len;
		return 0;
	}
	rc = bzimage_payload(buf, len, &payload, &plen);
	if (!rc)
		rc = decompress(payload, plen, elf, elf_len);
	free(buf);
	if (!rc && !is_elf(*elf, *elf_len)) {
		free(*elf);
		rc = -EBADMSG;
	}
	return rc;
}

int kernel_image_build_id(const char *path, struct build_id *id)
{
	uint8_t *elf;
	size_t len;
	int rc;

	rc = kernel_image_load(path, &elf, &len);
	if (rc)
		return rc;
	rc = elf_build_id(elf, len, id);
	free(elf);
	return rc;
}

int read_elf_file(const char *path, uint8_t **buf, size_t *len)
{
	uint8_t *raw, *plain;
	size_t raw_len;
	int rc;

	rc = read_file(path, &raw, &raw_len);
	if (rc)
		return rc;
	if (is_elf(raw, raw_len)) {
		*buf = raw;
		*len = raw_len;
		return 0;
	}
	rc = decompress(raw, raw_len, &plain, len);
	free(raw);
	if (rc)
		return rc == -EPROTONOSUPPORT ? -EBADMSG : rc;
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
	int rc;

	rc = read_elf_file(path, &buf, &len);
	if (rc)
		return rc;
	rc = elf_build_id(buf, len, id);
	free(buf);
	return rc;
}

int module_file_release(const char *path, char **release)
{
	struct kmod_list *info = NULL, *l;
	struct kmod_module *mod = NULL;
	struct kmod_ctx *ctx = kmod_new(NULL, NULL);
	int rc;

	if (!ctx)
		return -ENOMEM;
	kmod_set_log_priority(ctx, 0);
	rc = kmod_module_new_from_path(ctx, path, &mod);
	if (rc >= 0)
		rc = kmod_module_get_info(mod, &info);
	if (rc < 0)
		goto out;
	rc = -ENOENT;
	for (l = info; l; l = kmod_list_next(info, l)) {
		const char *v = kmod_module_info_get_value(l);

		if (strcmp(kmod_module_info_get_key(l), "vermagic") != 0 || !v)
			continue;
		*release = strndup(v, strcspn(v, " "));
		rc = *release ? 0 : -ENOMEM;
		break;
	}
	kmod_module_info_free_list(info);
out:
	kmod_module_unref(mod);
	kmod_unref(ctx);
	return rc;
}

int module_path(const char *release, const char *name, char **path)
{
	struct kmod_module *mod = NULL;
	struct kmod_ctx *ctx;
	const char *p;
	char *dir;
	int rc;

	if (asprintf(&dir, "/lib/modules/%s", release) < 0)
		return -ENOMEM;
	ctx = kmod_new(dir, NULL);
	free(dir);
	if (!ctx)
		return -ENOMEM;
	kmod_set_log_priority(ctx, 0);
	rc = kmod_module_new_from_name(ctx, name, &mod);
	if (rc < 0)
		goto out;
	p = kmod_module_get_path(mod);
	if (!p) {
		rc = -ENOENT;
		goto out;
	}
	*path = strdup(p);
	rc = *path ? 0 : -ENOMEM;
out:
	kmod_module_unref(mod);
	kmod_unref(ctx);
	return rc;
}
