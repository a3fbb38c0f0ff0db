// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * mkcore - write a bundle core (Documentation/format.md §4.3) to stdout,
 * encoded by klpb_core_encode(), for the test bundles of selftests/bundles
 * (selftests/bundles/test-bundle.kbuild).  Not a test: prove does not run it.
 *
 *   mkcore --name NAME --version N --lineage HEX [--no-replace]
 *          --module LIVEPATCH_MODULE --release R [--release R]...
 *          (--vmlinux IMAGE | --vmlinux-id HEX)
 *          [--target OBJ=BUILDID]... [--target-ko OBJ=FILE.ko]...
 *          [--func OBJ:OLD[:POS]=NEW]... [--truncate N] [SOURCE.c]...
 *
 * Takes klpb-gen-desc's options (a --target for vmlinux sets the vmlinux
 * build-id).  Every --release is one target with the same modules.  The
 * functions are those declared in the SOURCEs (as 'klp-bundle create'
 * reads them) plus every --func; objects with callbacks only are listed
 * with no function.  --truncate drops the last N bytes (a corrupt core).
 * The core's klp states hold the lineage state, as create writes it.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/hex.h"
#include "create/decls.h"
#include "create/kernel-cache.h"
#include "sys/kernel-info.h"
#include "util/file.h"
#include "klp-bundle/format.h"

#define MAX_ITEMS 256

/* decls_scan() reports on a context; in JSON mode it keeps the message in err_msg. */
static struct klpb_ctx scan_ctx = { .json = true };
#define SCAN_MSG (scan_ctx.err_msg ? scan_ctx.err_msg : strerror(ENOMEM))

struct mkcore {
	struct klpb_core core;
	struct decl_list decls;
	const char *releases[KLPB_MAX_TARGETS];
	size_t n_releases;
	struct klpb_target_object tobjs[MAX_ITEMS];
	size_t n_tobjs;
	bool has_vmlinux_id;
	uint8_t vmlinux_id[KLPB_BUILD_ID_LEN];
	const char *module;
	size_t truncate;
};

__attribute__((format(printf, 1, 2))) static int fail(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fprintf(stderr, "mkcore: error: ");
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return 2;
}

/* OBJ=VALUE: split at '=', '-' in OBJ read as '_' */
static char *split_obj(char *arg)
{
	char *eq = strchr(arg, '=');

	if (!eq || eq == arg)
		return NULL;
	*eq = '\0';
	for (char *p = arg; *p; p++)
		if (*p == '-')
			*p = '_';
	return eq + 1;
}

static int add_target(struct mkcore *m, char *arg, bool is_file)
{
	char *val = split_obj(arg);
	struct build_id id;
	uint8_t *dst;

	if (!val)
		return fail("'%s' is not OBJ=VALUE", arg);
	if (strcmp(arg, "vmlinux") == 0) {
		dst = m->vmlinux_id;
		m->has_vmlinux_id = true;
	} else if (m->n_tobjs < MAX_ITEMS) {
		m->tobjs[m->n_tobjs].name = arg;
		dst = m->tobjs[m->n_tobjs++].build_id;
	} else {
		return fail("too many targets at '%s'", arg);
	}
	if (!is_file)
		return hex_decode(val, dst, KLPB_BUILD_ID_LEN) ? fail("bad build-id '%s'", val) : 0;
	if (file_build_id(val, &id) || id.len != KLPB_BUILD_ID_LEN)
		return fail("no 20-byte GNU build-id in '%s'", val);
	memcpy(dst, id.bytes, KLPB_BUILD_ID_LEN);
	return 0;
}

/* OBJ:OLD[:POS]=NEW, added to the declarations */
static int add_func(struct mkcore *m, const char *arg)
{
	char obj[64], old[512], news[512], text[1200];
	unsigned long pos = 0;
	int n = sscanf(arg, "%63[^:]:%511[^:=]:%lu=%511s", obj, old, &pos, news);

	if (n != 4 && sscanf(arg, "%63[^:]:%511[^:=]=%511s", obj, old, news) != 3)
		return fail("'%s' is not OBJ:OLD[:POS]=NEW", arg);
	if (pos)
		snprintf(text, sizeof(text), "KLPB_PATCH_FUNC_POS(%s, %s, %lu, %s);\n", obj, old,
			 pos, news);
	else
		snprintf(text, sizeof(text), "KLPB_PATCH_FUNC(%s, %s, %s);\n", obj, old, news);
	if (decls_scan(&scan_ctx, &m->decls, "--func", text, strlen(text)))
		return fail("%s", SCAN_MSG);
	return 0;
}

static int scan_source(struct mkcore *m, const char *path)
{
	uint8_t *text = NULL;
	size_t len;
	int err = read_file(path, &text, &len);

	if (err)
		return fail("cannot read '%s'", path);
	err = decls_scan(&scan_ctx, &m->decls, path, (const char *)text, len);
	free(text);
	return err ? fail("%s", SCAN_MSG) : 0;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static int cmp_tobj(const void *a, const void *b)
{
	return strcmp(((const struct klpb_target_object *)a)->name,
		      ((const struct klpb_target_object *)b)->name);
}

/* the core's objects (sorted by name) and targets from the declarations */
static int make_lists(struct mkcore *m, struct klpb_object **objs, struct klpb_target **targets)
{
	const char **names = NULL;
	size_t n = 0;

	if (decls_objects(&m->decls, &names, &n))
		return fail("%s", "out of memory");
	qsort(names, n, sizeof(*names), cmp_str);
	qsort(m->tobjs, m->n_tobjs, sizeof(*m->tobjs), cmp_tobj);
	*objs = calloc(n + 1, sizeof(**objs));
	*targets = calloc(m->n_releases, sizeof(**targets));
	if (!*objs || !*targets)
		return fail("%s", "out of memory");
	for (size_t i = 0; i < n; i++) {
		struct klpb_func *f = calloc(m->decls.n_funcs + 1, sizeof(*f));

		if (!f)
			return fail("%s", "out of memory");
		(*objs)[i] = (struct klpb_object){ .name = names[i], .funcs = f };
		for (size_t j = 0; j < m->decls.n_funcs; j++) {
			const struct patch_func *d = &m->decls.funcs[j];

			if (strcmp(d->object, names[i]) == 0)
				f[(*objs)[i].n_funcs++] =
					(struct klpb_func){ d->old_name, d->sympos, d->new_name };
		}
	}
	for (size_t i = 0; i < m->n_releases; i++) {
		(*targets)[i] = (struct klpb_target){
			.kernel_release = m->releases[i],
			.module_name = m->module,
			.objects = m->tobjs,
			.n_objects = m->n_tobjs,
		};
		memcpy((*targets)[i].vmlinux_build_id, m->vmlinux_id, KLPB_BUILD_ID_LEN);
	}
	m->core.objects = *objs;
	m->core.n_objects = n;
	m->core.targets = *targets;
	m->core.n_targets = m->n_releases;
	free(names);
	return 0;
}

/* the runtime's lineage klp_state id (kernel/klpb_core.c) */
static uint64_t lineage_state_id(const char *hex)
{
	uint32_t h = 2166136261u;

	for (; *hex; hex++) {
		h ^= (uint8_t)*hex;
		h *= 16777619u;
	}
	return 0x4b4c504200000000ull | h;
}

static int parse_args(struct mkcore *m, int argc, char **argv)
{
	enum {
		O_NAME = 256,
		O_VERSION,
		O_LINEAGE,
		O_NOREPLACE,
		O_MODULE,
		O_RELEASE,
		O_VMLINUX,
		O_VMLINUX_ID,
		O_TARGET,
		O_TARGET_KO,
		O_FUNC,
		O_TRUNCATE
	};
	static const struct option opts[] = {
		{ "name", required_argument, NULL, O_NAME },
		{ "version", required_argument, NULL, O_VERSION },
		{ "lineage", required_argument, NULL, O_LINEAGE },
		{ "no-replace", no_argument, NULL, O_NOREPLACE },
		{ "module", required_argument, NULL, O_MODULE },
		{ "release", required_argument, NULL, O_RELEASE },
		{ "vmlinux", required_argument, NULL, O_VMLINUX },
		{ "vmlinux-id", required_argument, NULL, O_VMLINUX_ID },
		{ "target", required_argument, NULL, O_TARGET },
		{ "target-ko", required_argument, NULL, O_TARGET_KO },
		{ "func", required_argument, NULL, O_FUNC },
		{ "truncate", required_argument, NULL, O_TRUNCATE },
		{ NULL, 0, NULL, 0 },
	};
	struct build_id id;
	int c, err = 0;

	while (!err && (c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case O_NAME:
			m->core.name = optarg;
			break;
		case O_VERSION:
			m->core.version = strtoull(optarg, NULL, 10);
			break;
		case O_LINEAGE:
			if (hex_decode(optarg, m->core.lineage, KLPB_LINEAGE_LEN))
				err = fail("--lineage needs 32 hex digits, not '%s'", optarg);
			break;
		case O_NOREPLACE:
			m->core.replace = false;
			break;
		case O_MODULE:
			m->module = optarg;
			break;
		case O_RELEASE:
			if (m->n_releases == KLPB_MAX_TARGETS)
				return fail("too many releases at '%s'", optarg);
			m->releases[m->n_releases++] = optarg;
			break;
		case O_VMLINUX:
			/* create's cache of image facts first: decompressing takes seconds */
			if ((kernel_cache_get(optarg, &id, NULL) &&
			     kernel_image_build_id(optarg, &id)) ||
			    id.len != KLPB_BUILD_ID_LEN)
				return fail("no 20-byte GNU build-id in '%s'", optarg);
			memcpy(m->vmlinux_id, id.bytes, KLPB_BUILD_ID_LEN);
			m->has_vmlinux_id = true;
			break;
		case O_VMLINUX_ID:
			if (hex_decode(optarg, m->vmlinux_id, KLPB_BUILD_ID_LEN))
				return fail("bad build-id '%s'", optarg);
			m->has_vmlinux_id = true;
			break;
		case O_TARGET:
			err = add_target(m, optarg, false);
			break;
		case O_TARGET_KO:
			err = add_target(m, optarg, true);
			break;
		case O_FUNC:
			err = add_func(m, optarg);
			break;
		case O_TRUNCATE:
			m->truncate = strtoul(optarg, NULL, 10);
			break;
		default:
			return 2;
		}
	}
	for (int i = optind; !err && i < argc; i++)
		err = scan_source(m, argv[i]);
	if (!err && (!m->core.name || !m->module || !m->n_releases || !m->has_vmlinux_id))
		err = fail("%s", "--name, --module, --release and a vmlinux build-id are required");
	return err;
}

int main(int argc, char **argv)
{
	char lineage[2 * KLPB_LINEAGE_LEN + 1], msg[512];
	struct mkcore m = { .core = { .replace = true, .description = "" } };
	struct klpb_object *objs = NULL;
	struct klpb_target *targets = NULL;
	struct klpb_error ferr = { 0 };
	struct klpb_buf out = { 0 };
	struct klpb_state state;
	int err;

	err = parse_args(&m, argc, argv);
	if (!err)
		err = make_lists(&m, &objs, &targets);
	if (err)
		return err;
	hex_encode(m.core.lineage, KLPB_LINEAGE_LEN, lineage);
	state = (struct klpb_state){ lineage_state_id(lineage), m.core.version };
	m.core.states = &state;
	m.core.n_states = 1;
	m.core.provenance.tool_version = "mkcore";
	if (klpb_core_encode(&m.core, &out, &ferr))
		return fail("%s", klpb_error_str(&ferr, msg, sizeof(msg)));
	if (m.truncate > out.len)
		m.truncate = out.len;
	if (fwrite(out.data, 1, out.len - m.truncate, stdout) != out.len - m.truncate ||
	    fflush(stdout))
		return fail("%s", "cannot write the core");
	for (size_t i = 0; objs && objs[i].name; i++)
		free((void *)objs[i].funcs);
	free(objs);
	free(targets);
	klpb_buf_free(&out);
	decls_free(&m.decls);
	return 0;
}
