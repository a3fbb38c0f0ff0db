// SPDX-License-Identifier: GPL-2.0-or-later
/* bundle-io.c - file helpers for the bundle commands; see bundle-io.h. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/bundle-io.h"
#include "util/file.h"

int map_file(struct klpb_ctx *ctx, const char *path, struct mapped_file *m)
{
	struct stat st;
	int fd, rc = 0;

	memset(m, 0, sizeof(*m));
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		rc = -errno;
		p_err(ctx, rc, "cannot open '%s': %s", path, strerror(-rc));
		return rc;
	}
	if (fstat(fd, &st) < 0) {
		rc = -errno;
	} else if (!S_ISREG(st.st_mode)) {
		rc = -EINVAL;
	} else if (st.st_size > 0) {
		m->data = mmap(NULL, st.st_size, PROT_READ, MAP_PRIVATE | MAP_POPULATE, fd, 0);
		if (m->data == MAP_FAILED) {
			m->data = NULL;
			rc = -errno;
		} else {
			m->len = st.st_size;
			m->is_mmap = true;
		}
	}
	close(fd);
	if (rc < 0)
		p_err(ctx, rc, "cannot read '%s': %s", path,
		      rc == -EINVAL ? "not a regular file" : strerror(-rc));
	return rc;
}

void unmap_file(struct mapped_file *m)
{
	if (m->is_mmap)
		munmap(m->data, m->len);
	memset(m, 0, sizeof(*m));
}

int report_format_error(struct klpb_ctx *ctx, const char *path, int rc,
			const struct klpb_error *ferr)
{
	char msg[512];

	if (ferr->code == 0 || ferr->code != rc) {
		p_err(ctx, rc, "'%s': %s", path, strerror(-rc));
		return rc;
	}
	p_err(ctx, rc, "'%s': %s", path, klpb_error_str(ferr, msg, sizeof(msg)));
	return rc;
}

int open_bundle(struct klpb_ctx *ctx, const char *path, struct mapped_file *m,
		struct klpb_bundle **b)
{
	struct klpb_error ferr = { 0 };
	int rc = map_file(ctx, path, m);

	if (rc < 0)
		return rc;
	rc = klpb_bundle_load(m->data, m->len, b, &ferr);
	if (rc < 0) {
		unmap_file(m);
		return report_format_error(ctx, path, rc, &ferr);
	}
	return 0;
}

int read_small_file(const char *path, struct klpb_buf *out)
{
	uint8_t *data;
	size_t len;
	int rc = read_file_capped(path, SMALL_FILE_MAX, &data, &len);

	if (rc == 0)
		buf_adopt(out, data, len);
	return rc;
}

void buf_adopt(struct klpb_buf *out, uint8_t *data, size_t len)
{
	klpb_buf_free(out);
	out->data = data;
	out->len = len;
	out->cap = len + 1;
}

static int add_key(struct klpb_ctx *ctx, const char *path, struct klpb_key ***keys, size_t *n)
{
	struct klpb_buf pem = { 0 };
	struct klpb_key *k = NULL, **nk;
	int rc = read_small_file(path, &pem);

	if (rc < 0) {
		p_err(ctx, rc, "cannot read key '%s': %s", path, strerror(-rc));
		goto out;
	}
	rc = klpb_key_from_pem(pem.data, pem.len, false, &k);
	if (rc < 0) {
		p_err(ctx, rc, "'%s': not an Ed25519 public key (PEM SPKI)", path);
		goto out;
	}
	nk = realloc(*keys, (*n + 1) * sizeof(*nk));
	if (!nk) {
		klpb_key_free(k);
		rc = -ENOMEM;
		goto out;
	}
	nk[(*n)++] = k;
	*keys = nk;
out:
	klpb_buf_free(&pem);
	return rc;
}

static int pub_filter(const struct dirent *d)
{
	size_t l = strlen(d->d_name);

	return l > 4 && d->d_name[0] != '.' && strcmp(d->d_name + l - 4, ".pub") == 0;
}

static int add_keyring(struct klpb_ctx *ctx, const char *dir, struct klpb_key ***keys, size_t *n)
{
	struct dirent **ents = NULL;
	int m = scandir(dir, &ents, pub_filter, alphasort), rc = 0;

	if (m < 0) {
		rc = -errno;
		p_err(ctx, rc, "cannot read keyring '%s': %s", dir, strerror(-rc));
		return rc;
	}
	for (int i = 0; i < m; i++) {
		char *p = NULL;

		if (rc == 0 && asprintf(&p, "%s/%s", dir, ents[i]->d_name) < 0)
			rc = -ENOMEM;
		if (rc == 0)
			rc = add_key(ctx, p, keys, n);
		free(p);
		free(ents[i]);
	}
	free(ents);
	if (rc == 0 && *n == 0) {
		rc = -ENOKEY;
		p_err(ctx, rc, "keyring '%s' holds no *.pub key", dir);
	}
	return rc;
}

int load_trusted_keys(struct klpb_ctx *ctx, const char *key, const char *keyring,
		      struct klpb_key ***keys, size_t *n)
{
	int rc = 0;

	*keys = NULL;
	*n = 0;
	if (key)
		rc = add_key(ctx, key, keys, n);
	if (rc == 0 && keyring)
		rc = add_keyring(ctx, keyring, keys, n);
	if (rc < 0) {
		free_keys(*keys, *n);
		*keys = NULL;
		*n = 0;
	}
	return rc;
}

void free_keys(struct klpb_key **keys, size_t n)
{
	for (size_t i = 0; i < n; i++)
		klpb_key_free(keys[i]);
	free(keys);
}

int load_private_key(struct klpb_ctx *ctx, const char *path, struct klpb_key **k)
{
	struct klpb_buf pem = { 0 };
	int rc = read_small_file(path, &pem);

	if (rc < 0) {
		p_err(ctx, rc, "cannot read key '%s': %s", path, strerror(-rc));
		return rc;
	}
	rc = klpb_key_from_pem(pem.data, pem.len, true, k);
	if (pem.data)
		explicit_bzero(pem.data, pem.len);
	klpb_buf_free(&pem);
	if (rc < 0)
		p_err(ctx, rc, "'%s': not an Ed25519 private key (PEM PKCS#8)", path);
	return rc;
}

/* Does another target of @b have the release of target @i? */
static bool release_repeats(const struct klpb_bundle *b, size_t i)
{
	for (size_t j = 0; j < b->core.n_targets; j++)
		if (j != i && strcmp(b->core.targets[j].kernel_release,
				     b->core.targets[i].kernel_release) == 0)
			return true;
	return false;
}

char *bundle_targets_text(const struct klpb_bundle *b)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	if (!f)
		return NULL;
	for (size_t i = 0; i < b->core.n_targets; i++) {
		const struct klpb_target *t = &b->core.targets[i];

		fprintf(f, "%s'%s'", i ? ", " : "", t->kernel_release);
		if (release_repeats(b, i))
			fprintf(f, " (build-id %02x%02x%02x%02x)", t->vmlinux_build_id[0],
				t->vmlinux_build_id[1], t->vmlinux_build_id[2],
				t->vmlinux_build_id[3]);
	}
	if (fclose(f) != 0) {
		free(text);
		return NULL;
	}
	return text;
}
