// SPDX-License-Identifier: GPL-2.0-only
/*
 * The embedded core manifest (Documentation/format.md §4.3, the bytes
 * between klpb_manifest_start and klpb_manifest_end) is the authoritative
 * description of the transaction.  Module init, before anything is
 * registered, checks in this order that:
 *
 *  1. the core parses (klpb_cbor.c) and has every field of version 1.0;
 *  2. its name, version, lineage and replace equal the descriptor's;
 *  3. one of its targets is for the running kernel release and its
 *     vmlinux build-id (the GNU build-id note of /sys/kernel/notes; two
 *     builds may share a release), and that target names this module as
 *     its livepatch module;
 *  4. that target's modules and build-ids equal the descriptor's
 *     KLPB_DESC_TARGETS (and its vmlinux build-id, if the descriptor has
 *     one);
 *
 * then, once the declarations are collected (klpb_core_check_decls()):
 *
 *  5. every declared module object is one of the target's modules and
 *     every one of the target's modules is declared; the runtime's build-id
 *     check uses the core's build-ids;
 *  6. the declarations (object, old name, sympos) of the .klpb.funcs
 *     section are exactly the target's functions (the core's, or with
 *     format 1.1 the target's own list of them: code under #if differs
 *     between targets), and each replacement's symbol is the core's new
 *     name.
 *
 * Keys a newer minor version of the format adds are skipped.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/elf.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/kallsyms.h>
#include <linux/kernel.h>
#include <linux/fs_struct.h>
#include <linux/module.h>
#include <linux/sched/task.h>
#include <linux/sizes.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/utsname.h>
#include <linux/vmalloc.h>

#include <klp_bundle.h>
#include "klpb_desc.h"
#include "klpb_internal.h"

struct klpb_desc_target {
	const char *object;
	const char *build_id;
};

#define KLPB_DESC_TARGET(obj, id) { .object = obj, .build_id = id },
static const struct klpb_desc_target klpb_desc_targets[] = {
	KLPB_DESC_TARGETS
};

#undef KLPB_DESC_TARGET

enum klpb_field_type {
	KLPB_F_SKIP,		/* required, but not read */
	KLPB_F_UINT,
	KLPB_F_BOOL,
	KLPB_F_BSTR,		/* of exactly @size bytes */
	KLPB_F_TSTR,
	KLPB_F_ARRAY,		/* its items and their number */
};

/* one field of a map: its key and where its value goes */
struct klpb_field {
	u64 key;
	enum klpb_field_type type;
	size_t size;
	bool optional;
	union {
		u64 *uint;
		bool *boolean;
		const u8 **bytes;
		const char **str;
		struct klpb_cbor *items;
	};
	union {
		size_t *len;
		u32 *count;
	};
};

struct klpb_core_target {
	const char *release;
	size_t release_len;
	const u8 *vmlinux_build_id;
	const char *module;
	size_t module_len;
	struct klpb_cbor objs;
	u32 nr_objs;
	struct klpb_cbor funcs;	/* optional (1.1): .p is NULL when absent */
	u32 nr_funcs;
};

struct klpb_core_tobj {
	const char *name;
	size_t name_len;
	const u8 *build_id;
};

struct klpb_core_obj {
	const char *name;
	size_t name_len;
	struct klpb_cbor funcs;
	u32 nr_funcs;
	struct klpb_cbor symbols;
	u32 nr_symbols;
};

struct klpb_core_func {
	const char *old_name;
	size_t old_len;
	u64 sympos;
	const char *new_name;
	size_t new_len;
};

static bool klpb_str_eq(const char *s, size_t len, const char *cstr)
{
	return strlen(cstr) == len && !memcmp(s, cstr, len);
}

/* an object name of the core against a declaration's ('-' reads as '_') */
static bool klpb_obj_name_eq(const char *s, size_t len, const char *decl)
{
	size_t i;

	if (strlen(decl) != len)
		return false;
	for (i = 0; i < len; i++)
		if (s[i] != (decl[i] == '-' ? '_' : decl[i]))
			return false;
	return true;
}

/* an array: where its items are, how many; the cursor moves past them */
static int klpb_core_items(struct klpb_cbor *c, struct klpb_cbor *items,
			   u32 *n)
{
	u32 i;

	if (klpb_cbor_array(c, n))
		return -EBADMSG;
	*items = *c;
	for (i = 0; i < *n; i++)
		if (klpb_cbor_skip(c))
			return -EBADMSG;
	items->end = c->p;
	return 0;
}

static int klpb_core_value(struct klpb_cbor *c, const struct klpb_field *f)
{
	switch (f->type) {
	case KLPB_F_UINT:
		return klpb_cbor_uint(c, f->uint);
	case KLPB_F_BOOL:
		return klpb_cbor_bool(c, f->boolean);
	case KLPB_F_BSTR:
		if (klpb_cbor_bstr(c, f->bytes, f->len) || *f->len != f->size)
			return -EBADMSG;
		return 0;
	case KLPB_F_TSTR:
		return klpb_cbor_tstr(c, f->str, f->len);
	case KLPB_F_ARRAY:
		return klpb_core_items(c, f->items, f->count);
	default:
		return klpb_cbor_skip(c);
	}
}

/*
 * Decode a map whose fields in @fields (at most BITS_PER_LONG, in key
 * order) are required unless optional; other keys are skipped.  On error the cursor is at
 * the bad item, or at the map for a missing field.
 */
static int klpb_core_map(struct klpb_cbor *c, const struct klpb_field *fields,
			 unsigned int nr_fields)
{
	const u8 *start = c->p;
	unsigned long seen = 0;
	unsigned int i;
	u32 n;
	u64 key;

	for (i = 0; i < nr_fields; i++)
		if (fields[i].optional)
			seen |= BIT(i);
	if (klpb_cbor_map(c, &n))
		return -EBADMSG;
	while (n--) {
		if (klpb_cbor_uint(c, &key))
			return -EBADMSG;
		for (i = 0; i < nr_fields && fields[i].key != key; i++)
			;
		if (i == nr_fields) {
			if (klpb_cbor_skip(c))
				return -EBADMSG;
			continue;
		}
		if (klpb_core_value(c, &fields[i]))
			return -EBADMSG;
		seen |= BIT(i);
	}
	if (seen != GENMASK(nr_fields - 1, 0)) {
		c->p = start;
		return -EBADMSG;
	}
	return 0;
}

static int klpb_core_target(struct klpb_cbor *c, struct klpb_core_target *t)
{
	size_t id_len;
	const struct klpb_field f[] = {
		{ KLPB_KEY_TARGET_KERNEL_RELEASE, KLPB_F_TSTR,
		  .str = &t->release, .len = &t->release_len },
		{ KLPB_KEY_TARGET_VMLINUX_BUILD_ID, KLPB_F_BSTR, KLPB_BUILD_ID_LEN,
		  .bytes = &t->vmlinux_build_id, .len = &id_len },
		{ KLPB_KEY_TARGET_MODULE_NAME, KLPB_F_TSTR,
		  .str = &t->module, .len = &t->module_len },
		{ KLPB_KEY_TARGET_OBJECTS, KLPB_F_ARRAY,
		  .items = &t->objs, .count = &t->nr_objs },
		{ KLPB_KEY_TARGET_FUNCS, KLPB_F_ARRAY, .optional = true,
		  .items = &t->funcs, .count = &t->nr_funcs },
	};

	t->funcs.p = NULL;
	t->nr_funcs = 0;
	return klpb_core_map(c, f, ARRAY_SIZE(f));
}

static int klpb_core_tobj(struct klpb_cbor *c, struct klpb_core_tobj *o)
{
	size_t id_len;
	const struct klpb_field f[] = {
		{ KLPB_KEY_TARGET_OBJECT_NAME, KLPB_F_TSTR,
		  .str = &o->name, .len = &o->name_len },
		{ KLPB_KEY_TARGET_OBJECT_BUILD_ID, KLPB_F_BSTR, KLPB_BUILD_ID_LEN,
		  .bytes = &o->build_id, .len = &id_len },
	};

	return klpb_core_map(c, f, ARRAY_SIZE(f));
}

static int klpb_core_obj(struct klpb_cbor *c, struct klpb_core_obj *o)
{
	const struct klpb_field f[] = {
		{ KLPB_KEY_OBJECT_NAME, KLPB_F_TSTR,
		  .str = &o->name, .len = &o->name_len },
		{ KLPB_KEY_OBJECT_FUNCS, KLPB_F_ARRAY,
		  .items = &o->funcs, .count = &o->nr_funcs },
		{ KLPB_KEY_OBJECT_SYMBOLS, KLPB_F_ARRAY,
		  .items = &o->symbols, .count = &o->nr_symbols },
	};

	return klpb_core_map(c, f, ARRAY_SIZE(f));
}

static int klpb_core_func(struct klpb_cbor *c, struct klpb_core_func *fn)
{
	const struct klpb_field f[] = {
		{ KLPB_KEY_FUNC_OLD_NAME, KLPB_F_TSTR,
		  .str = &fn->old_name, .len = &fn->old_len },
		{ KLPB_KEY_FUNC_SYMPOS, KLPB_F_UINT, .uint = &fn->sympos },
		{ KLPB_KEY_FUNC_NEW_NAME, KLPB_F_TSTR,
		  .str = &fn->new_name, .len = &fn->new_len },
	};

	return klpb_core_map(c, f, ARRAY_SIZE(f));
}

/* decode every target and object once, so later walks cannot fail */
static int klpb_core_walk(struct klpb_core_view *v, struct klpb_cbor *it)
{
	struct klpb_core_target t;
	struct klpb_core_tobj to;
	struct klpb_core_obj o;
	struct klpb_core_func fn;
	struct klpb_cbor sub;
	u64 index;
	u32 i, j;

	*it = v->targets;
	for (i = 0; i < v->nr_targets; i++) {
		if (klpb_core_target(it, &t))
			return -EBADMSG;
		sub = t.objs;
		for (j = 0; j < t.nr_objs; j++)
			if (klpb_core_tobj(&sub, &to)) {
				*it = sub;
				return -EBADMSG;
			}
		sub = t.funcs;
		for (j = 0; j < t.nr_funcs; j++)
			if (klpb_cbor_uint(&sub, &index)) {
				*it = sub;
				return -EBADMSG;
			}
	}
	*it = v->objects;
	for (i = 0; i < v->nr_objects; i++) {
		if (klpb_core_obj(it, &o))
			return -EBADMSG;
		sub = o.funcs;
		for (j = 0; j < o.nr_funcs; j++)
			if (klpb_core_func(&sub, &fn)) {
				*it = sub;
				return -EBADMSG;
			}
	}
	return 0;
}

/* step 1: the core parses */
static int klpb_core_parse(struct klpb_core_view *v)
{
	const u8 *start = (const u8 *)klpb_manifest_start;
	const u8 *end = (const u8 *)klpb_manifest_end;
	struct klpb_cbor c = { .p = start, .end = end };
	size_t lineage_len;
	const struct klpb_field f[] = {
		{ KLPB_KEY_CORE_NAME, KLPB_F_TSTR, .str = &v->name,
		  .len = &v->name_len },
		{ KLPB_KEY_CORE_VERSION, KLPB_F_UINT, .uint = &v->version },
		{ KLPB_KEY_CORE_LINEAGE, KLPB_F_BSTR, KLPB_LINEAGE_LEN,
		  .bytes = &v->lineage, .len = &lineage_len },
		{ KLPB_KEY_CORE_DESCRIPTION, KLPB_F_SKIP },
		{ KLPB_KEY_CORE_REPLACE, KLPB_F_BOOL, .boolean = &v->replace },
		{ KLPB_KEY_CORE_REQUIRES, KLPB_F_SKIP },
		{ KLPB_KEY_CORE_CONFLICTS, KLPB_F_SKIP },
		{ KLPB_KEY_CORE_PROVENANCE, KLPB_F_SKIP },
		{ KLPB_KEY_CORE_TARGETS, KLPB_F_ARRAY, .items = &v->targets,
		  .count = &v->nr_targets },
		{ KLPB_KEY_CORE_OBJECTS, KLPB_F_ARRAY, .items = &v->objects,
		  .count = &v->nr_objects },
		{ KLPB_KEY_CORE_STATES, KLPB_F_SKIP },
	};

	if (klpb_cbor_check(&c))
		goto out_malformed;
	c.p = start;
	if (klpb_core_map(&c, f, ARRAY_SIZE(f)) || klpb_core_walk(v, &c))
		goto out_malformed;
	return 0;

out_malformed:
	pr_err("bundle '%s': the embedded core manifest is malformed at byte %td of %td\n",
	       KLPB_DESC_NAME, c.p - start, end - start);
	return -EINVAL;
}

/* step 2: the descriptor says the same */
static int klpb_core_check_desc(const struct klpb_core_view *v)
{
	char lineage[2 * KLPB_LINEAGE_LEN + 1];
	int ret = 0;

	if (!klpb_str_eq(v->name, v->name_len, KLPB_DESC_NAME)) {
		pr_err("the core manifest's name '%.*s' differs from the descriptor's '%s'\n",
		       (int)v->name_len, v->name, KLPB_DESC_NAME);
		ret = -EINVAL;
	}
	if (v->version != KLPB_DESC_VERSION) {
		pr_err("bundle '%s': the core manifest's version %llu differs from the descriptor's %u\n",
		       KLPB_DESC_NAME, v->version, KLPB_DESC_VERSION);
		ret = -EINVAL;
	}
	snprintf(lineage, sizeof(lineage), "%*phN", KLPB_LINEAGE_LEN,
		 v->lineage);
	if (strcmp(lineage, KLPB_DESC_LINEAGE)) {
		pr_err("bundle '%s': the core manifest's lineage %s differs from the descriptor's '%s'\n",
		       KLPB_DESC_NAME, lineage, KLPB_DESC_LINEAGE);
		ret = -EINVAL;
	}
	if (v->replace != !!KLPB_DESC_REPLACE) {
		pr_err("bundle '%s': the core manifest's replace %d differs from the descriptor's %d\n",
		       KLPB_DESC_NAME, v->replace, !!KLPB_DESC_REPLACE);
		ret = -EINVAL;
	}
	return ret;
}

/* the message of step 3: the running release and the bundle's */
static void klpb_report_releases(const struct klpb_core_view *v,
				 const char *release)
{
	struct klpb_cbor it = v->targets;
	struct klpb_core_target t;
	size_t size = 1, len = 0;
	char *list;
	u32 i;

	for (i = 0; i < v->nr_targets && !klpb_core_target(&it, &t); i++)
		size += t.release_len + 4;	/* 'release', */
	list = kzalloc(size, GFP_KERNEL);
	it = v->targets;
	for (i = 0; list && i < v->nr_targets && !klpb_core_target(&it, &t);
	     i++)
		len += scnprintf(list + len, size - len, "%s'%.*s'",
				 i ? ", " : "", (int)t.release_len, t.release);
	pr_err("bundle '%s' has no target for kernel release '%s'; it was built for %s\n",
	       KLPB_DESC_NAME, release, list ? list : "(out of memory)");
	kfree(list);
}

/* the ELF notes of the running kernel, as sysfs shows them */
#define KLPB_KERNEL_NOTES "/sys/kernel/notes"
#define KLPB_KERNEL_NOTES_MAX SZ_64K
/* NT_GNU_BUILD_ID of <elf.h>: the kernel headers do not define it */
#define KLPB_NT_GNU_BUILD_ID 3

/**
 * klpb_notes_build_id() - the GNU build-id note among ELF notes
 * @notes: the notes (Elf_Nhdr, name and descriptor each padded to 4 bytes)
 * @size: their size in bytes
 * @id: set to the build-id, KLPB_BUILD_ID_LEN bytes
 *
 * Return: 0, or -ENOENT when no note is a GNU build-id of that length.
 */
static int klpb_notes_build_id(const u8 *notes, size_t size, u8 *id)
{
	struct elf_note n;
	size_t off = 0, name, desc;

	while (size - off >= sizeof(n)) {
		memcpy(&n, notes + off, sizeof(n));
		name = off + sizeof(n);
		desc = name + ALIGN((size_t)n.n_namesz, 4);
		if (desc > size || size - desc < ALIGN((size_t)n.n_descsz, 4))
			break;
		if (n.n_type == KLPB_NT_GNU_BUILD_ID && n.n_namesz == sizeof("GNU") &&
		    n.n_descsz == KLPB_BUILD_ID_LEN &&
		    !memcmp(notes + name, "GNU", sizeof("GNU"))) {
			memcpy(id, notes + desc, KLPB_BUILD_ID_LEN);
			return 0;
		}
		off = desc + ALIGN((size_t)n.n_descsz, 4);
	}
	return -ENOENT;
}

/**
 * klpb_read_initns() - read a file opened in the initial mount namespace
 * @path: absolute path
 * @buf: filled with up to @max bytes of it
 * @max: size of @buf
 *
 * Return: the bytes read, or a negative errno (-EFBIG if it is larger).
 */
static ssize_t klpb_read_initns(const char *path, void *buf, size_t max)
{
	struct path root;
	struct file *f;
	loff_t pos = 0;
	ssize_t n;

	task_lock(&init_task);
	get_fs_root(init_task.fs, &root);
	task_unlock(&init_task);
	f = file_open_root(&root, path, O_RDONLY, 0);
	path_put(&root);
	if (IS_ERR(f))
		return PTR_ERR(f);
	do {
		n = kernel_read(f, buf + pos, max - pos, &pos);
	} while (n > 0 && pos < max);
	if (n > 0) { /* @buf is full: is there more? */
		char c;

		n = kernel_read(f, &c, 1, &pos) > 0 ? -EFBIG : 0;
	}
	fput(f);
	return n < 0 ? n : pos;
}

/**
 * klpb_running_build_id() - the running kernel's vmlinux build-id
 * @id: set to it, KLPB_BUILD_ID_LEN bytes
 *
 * vmlinux_build_id is not exported (and exists only with CONFIG_CRASH_CORE
 * or CONFIG_STACKTRACE_BUILD_ID); /sys/kernel/notes holds the same note.
 * It is read in the initial mount namespace, as the firmware loader reads
 * its files, so a loader in a container or chroot reads the same.  It is
 * read with kernel_read(), not kernel_read_file(): that one asks the LSMs
 * about a READING_* purpose, and none fits a sysfs file (6.12's IPE WARNs
 * on READING_UNKNOWN).
 *
 * Return: 0, or a negative errno after a pr_err() saying why.
 */
static int klpb_running_build_id(u8 *id)
{
	void *notes;
	ssize_t len;
	int ret;

	notes = vmalloc(KLPB_KERNEL_NOTES_MAX);
	if (!notes)
		return -ENOMEM;
	len = klpb_read_initns(KLPB_KERNEL_NOTES, notes, KLPB_KERNEL_NOTES_MAX);
	if (len < 0) {
		vfree(notes);
		pr_err("bundle '%s': cannot read the running kernel's vmlinux build-id from %s: %pe\n",
		       KLPB_DESC_NAME, KLPB_KERNEL_NOTES, ERR_PTR(len));
		return len;
	}
	ret = klpb_notes_build_id(notes, len, id);
	vfree(notes);
	if (ret)
		pr_err("bundle '%s': %s has no GNU build-id note; the running kernel's vmlinux build cannot be checked\n",
		       KLPB_DESC_NAME, KLPB_KERNEL_NOTES);
	return ret ? -EINVAL : 0;
}

/* the message of step 3 when the release has targets, none for this build */
static void klpb_report_vmlinux(const struct klpb_core_target *t,
				const u8 *running)
{
	pr_err("bundle '%s' was built for kernel '%.*s' with vmlinux build-id %*phN, the running kernel's build-id is %*phN\n",
	       KLPB_DESC_NAME, (int)t->release_len, t->release,
	       KLPB_BUILD_ID_LEN, t->vmlinux_build_id, KLPB_BUILD_ID_LEN,
	       running);
}

/* step 3: the target for the running kernel, by release and build-id */
static int klpb_core_find_target(struct klpb_core_view *v)
{
	const char *release = init_utsname()->release;
	u8 running[KLPB_BUILD_ID_LEN];
	struct klpb_cbor it = v->targets;
	struct klpb_core_target t, first = {};
	bool seen = false;
	int ret;
	u32 i;

	for (i = 0; i < v->nr_targets; i++) {
		if (klpb_core_target(&it, &t))
			return -EINVAL;
		if (!klpb_str_eq(t.release, t.release_len, release))
			continue;
		if (!seen) {
			ret = klpb_running_build_id(running);
			if (ret)
				return ret;
			first = t;
			seen = true;
		}
		if (memcmp(running, t.vmlinux_build_id, KLPB_BUILD_ID_LEN))
			continue;
		if (!klpb_str_eq(t.module, t.module_len, THIS_MODULE->name)) {
			pr_err("bundle '%s': the core manifest's target for kernel '%s' is livepatch module '%.*s', not '%s'\n",
			       KLPB_DESC_NAME, release, (int)t.module_len,
			       t.module, THIS_MODULE->name);
			return -EINVAL;
		}
		v->target = t.objs;
		v->nr_target_objs = t.nr_objs;
		v->target_funcs = t.funcs;
		v->nr_target_funcs = t.nr_funcs;
		v->has_target_funcs = !!t.funcs.p;
		v->release = t.release;
		v->release_len = t.release_len;
		v->vmlinux_build_id = t.vmlinux_build_id;
		return 0;
	}
	if (seen)
		klpb_report_vmlinux(&first, running);
	else
		klpb_report_releases(v, release);
	return -EINVAL;
}

/* the target's module called @name (NUL-terminated) */
static bool klpb_core_find_tobj(const struct klpb_core_view *v,
				const char *name, struct klpb_core_tobj *o)
{
	struct klpb_cbor it = v->target;
	u32 i;

	for (i = 0; i < v->nr_target_objs; i++) {
		if (klpb_core_tobj(&it, o))
			return false;
		if (klpb_obj_name_eq(o->name, o->name_len, name))
			return true;
	}
	return false;
}

static int klpb_check_desc_target(const struct klpb_core_view *v,
				  const struct klpb_desc_target *d)
{
	u8 id[KLPB_BUILD_ID_LEN];
	struct klpb_core_tobj o;

	if (strlen(d->build_id) != 2 * KLPB_BUILD_ID_LEN ||
	    hex2bin(id, d->build_id, KLPB_BUILD_ID_LEN)) {
		pr_err("invalid build-id '%s' for object '%s' in the descriptor\n",
		       d->build_id, d->object);
		return -EINVAL;
	}
	if (!strcmp(d->object, "vmlinux")) {
		o.build_id = v->vmlinux_build_id;
	} else if (!klpb_core_find_tobj(v, d->object, &o)) {
		pr_err("the descriptor lists module '%s', the core manifest's target for kernel '%.*s' does not\n",
		       d->object, (int)v->release_len, v->release);
		return -EINVAL;
	}
	if (memcmp(id, o.build_id, KLPB_BUILD_ID_LEN)) {
		pr_err("object '%s': the descriptor's build-id %s differs from the core manifest's %*phN\n",
		       d->object, d->build_id, KLPB_BUILD_ID_LEN, o.build_id);
		return -EINVAL;
	}
	return 0;
}

/* step 4: the target's modules and build-ids are the descriptor's */
static int klpb_core_check_desc_targets(const struct klpb_core_view *v)
{
	struct klpb_cbor it = v->target;
	struct klpb_core_tobj o;
	unsigned int t;
	int ret = 0;
	u32 i;

	for (t = 0; t < ARRAY_SIZE(klpb_desc_targets); t++)
		if (klpb_check_desc_target(v, &klpb_desc_targets[t]))
			ret = -EINVAL;
	for (i = 0; i < v->nr_target_objs; i++) {
		if (klpb_core_tobj(&it, &o))
			return -EINVAL;
		for (t = 0; t < ARRAY_SIZE(klpb_desc_targets); t++)
			if (klpb_obj_name_eq(o.name, o.name_len,
					     klpb_desc_targets[t].object))
				break;
		if (t == ARRAY_SIZE(klpb_desc_targets)) {
			pr_err("the core manifest's target for kernel '%.*s' lists module '%.*s', the descriptor does not\n",
			       (int)v->release_len, v->release,
			       (int)o.name_len, o.name);
			ret = -EINVAL;
		}
	}
	return ret;
}

/**
 * klpb_core_load() - parse the embedded core and check it against the
 *	descriptor and the running kernel (steps 1 to 4 above)
 * @v: filled in
 *
 * Return: 0, or -EINVAL (or the error reading the running kernel's
 * build-id) after a pr_err() saying why.
 */
int klpb_core_load(struct klpb_core_view *v)
{
	int ret;

	ret = klpb_core_parse(v);
	if (ret)
		return ret;
	ret = klpb_core_check_desc(v);
	if (ret)
		return ret;
	ret = klpb_core_find_target(v);
	if (ret)
		return ret;
	return klpb_core_check_desc_targets(v);
}

/* step 5: declared module objects and the target's modules; build-ids */
static int klpb_core_set_build_ids(struct klpb_bundle *b)
{
	const struct klpb_core_view *v = &b->core;
	char name[KLPB_MAX_NAME + 1];
	struct klpb_cbor it = v->target;
	struct klpb_core_tobj o;
	unsigned int k;
	int idx, ret = 0;
	u32 i;

	for (i = 0; i < v->nr_target_objs; i++) {
		if (klpb_core_tobj(&it, &o))
			return -EINVAL;
		if (o.name_len > KLPB_MAX_NAME) {
			pr_err("invalid object name '%.*s' in the core manifest\n",
			       (int)o.name_len, o.name);
			return -EINVAL;
		}
		memcpy(name, o.name, o.name_len);
		name[o.name_len] = '\0';
		idx = klpb_find_obj(b, name, false);
		if (idx == -ENOENT) {
			pr_err("the core manifest's target lists module '%s' that no patch source declares\n",
			       name);
			ret = -EINVAL;
			continue;
		}
		if (idx < 0)
			return idx;
		memcpy(b->objs[idx].build_id, o.build_id, KLPB_BUILD_ID_LEN);
		b->objs[idx].has_build_id = true;
	}
	for (k = 0; k < b->nr_objs; k++) {
		if (!b->objs[k].has_build_id &&
		    strcmp(b->objs[k].name, "vmlinux")) {
			pr_err("object '%s' is declared but the core manifest's target for kernel '%.*s' has no build-id for it\n",
			       b->objs[k].name, (int)v->release_len,
			       v->release);
			ret = -EINVAL;
		}
	}
	return ret;
}

/*
 * Is the core's function @index (counted object by object) the target's?
 * All are, unless the target lists its own (format 1.1).
 */
static bool klpb_target_has_func(const struct klpb_core_view *v, u64 index)
{
	struct klpb_cbor it = v->target_funcs;
	u64 n;
	u32 i;

	if (!v->has_target_funcs)
		return true;
	for (i = 0; i < v->nr_target_funcs; i++)
		if (!klpb_cbor_uint(&it, &n) && n == index)
			return true;
	return false;
}

/* the target's function (@object, @old, @sympos); false if it has none */
static bool klpb_core_find_func(const struct klpb_core_view *v,
				const char *object, const char *old,
				u64 sympos, struct klpb_core_func *fn)
{
	struct klpb_cbor it = v->objects, sub;
	struct klpb_core_obj o;
	u64 index = 0;
	u32 i, j;

	for (i = 0; i < v->nr_objects; i++) {
		if (klpb_core_obj(&it, &o))
			return false;
		if (!klpb_obj_name_eq(o.name, o.name_len, object)) {
			index += o.nr_funcs;
			continue;
		}
		sub = o.funcs;
		for (j = 0; j < o.nr_funcs; j++, index++) {
			if (klpb_core_func(&sub, fn))
				return false;
			if (fn->sympos == sympos &&
			    klpb_str_eq(fn->old_name, fn->old_len, old) &&
			    klpb_target_has_func(v, index))
				return true;
		}
	}
	return false;
}

/* a declaration of the core's function @fn of object @o; NULL if none */
static const struct klpb_func_decl *
klpb_find_decl(const struct klpb_core_obj *o, const struct klpb_core_func *fn)
{
	const struct klpb_func_decl *f;

	klpb_for_each_func_decl(f)
		if (f->old_sympos == fn->sympos &&
		    klpb_obj_name_eq(o->name, o->name_len, f->object) &&
		    klpb_str_eq(fn->old_name, fn->old_len, f->old_name))
			return f;
	return NULL;
}

/*
 * The replacement's symbol, through sprint_symbol_no_offset() (exported;
 * kallsyms_lookup() is not): "name [module]".  A name the compiler
 * extended with a '.' suffix (e.g. ".llvm.<n>" when LTO promotes a static
 * function) counts as the same.
 */
static int klpb_check_new_name(const struct klpb_func_decl *f,
			       const struct klpb_core_func *fn, char *sym)
{
	size_t len;

	sprint_symbol_no_offset(sym, (unsigned long)f->new_func);
	len = strcspn(sym, " ");
	if (len >= fn->new_len && !memcmp(sym, fn->new_name, fn->new_len) &&
	    (len == fn->new_len || sym[fn->new_len] == '.'))
		return 0;
	pr_err("function '%s' of object '%s': the core manifest names the replacement '%.*s', the module's is '%.*s'\n",
	       f->old_name, f->object, (int)fn->new_len, fn->new_name,
	       (int)len, sym);
	return -EINVAL;
}

/* step 6: the declarations are the core's functions */
static int klpb_core_check_funcs(const struct klpb_core_view *v, char *sym)
{
	const struct klpb_func_decl *f;
	struct klpb_core_func fn;
	struct klpb_core_obj o;
	struct klpb_cbor it, sub;
	u64 index = 0;
	int ret = 0;
	u32 i, j;

	klpb_for_each_func_decl(f) {
		if (!klpb_core_find_func(v, f->object, f->old_name,
					 f->old_sympos, &fn)) {
			pr_err("function '%s' (sympos %lu) of object '%s' is declared but missing from the core manifest\n",
			       f->old_name, f->old_sympos, f->object);
			ret = -EINVAL;
		} else if (klpb_check_new_name(f, &fn, sym)) {
			ret = -EINVAL;
		}
	}
	it = v->objects;
	for (i = 0; i < v->nr_objects; i++) {
		if (klpb_core_obj(&it, &o))
			return -EINVAL;
		sub = o.funcs;
		for (j = 0; j < o.nr_funcs; j++, index++) {
			if (klpb_core_func(&sub, &fn))
				return -EINVAL;
			if (!klpb_target_has_func(v, index) ||
			    klpb_find_decl(&o, &fn))
				continue;
			pr_err("the core manifest lists function '%.*s' (sympos %llu) of object '%.*s' that no patch source declares\n",
			       (int)fn.old_len, fn.old_name, fn.sympos,
			       (int)o.name_len, o.name);
			ret = -EINVAL;
		}
	}
	return ret;
}

/**
 * klpb_core_check_decls() - check the collected declarations against the
 *	core (steps 5 and 6 above) and take the modules' build-ids from it
 * @b: the bundle, with klpb_core_load() done and its objects collected
 *
 * Return: 0, -ENOMEM, or -EINVAL after a pr_err() naming every missing or
 * extra object and function.
 */
int klpb_core_check_decls(struct klpb_bundle *b)
{
	char *sym;
	int ret;

	ret = klpb_core_set_build_ids(b);
	if (ret)
		return ret;
	sym = kmalloc(KSYM_SYMBOL_LEN, GFP_KERNEL);
	if (!sym)
		return -ENOMEM;
	ret = klpb_core_check_funcs(&b->core, sym);
	kfree(sym);
	return ret;
}

/* ---- why klp_enable_patch() refused the bundle, when other bundles tell ---- */

#define KLPB_SYSFS_BUNDLES "/sys/kernel/klp_bundle"
#define KLPB_PEERS_MAX 64

struct klpb_peer_names {
	struct dir_context ctx;
	char (*names)[MODULE_NAME_LEN];
	unsigned int nr;
};

static bool klpb_peer_name(struct dir_context *ctx, const char *name, int len,
			   loff_t off, u64 ino, unsigned int type)
{
	struct klpb_peer_names *p = container_of(ctx, struct klpb_peer_names,
						 ctx);

	if (type != DT_DIR || name[0] == '.' || len >= MODULE_NAME_LEN)
		return true;
	if (p->nr == KLPB_PEERS_MAX)
		return false;
	memcpy(p->names[p->nr], name, len);
	p->names[p->nr][len] = '\0';
	if (strcmp(p->names[p->nr], THIS_MODULE->name))
		p->nr++;
	return true;
}

/* the first line of sysfs file @fmt, ... into @buf (@size bytes) */
static __printf(3, 4) int klpb_read_line(char *buf, size_t size,
					 const char *fmt, ...)
{
	char path[128];
	struct file *f;
	loff_t pos = 0;
	va_list ap;
	ssize_t n;

	va_start(ap, fmt);
	vsnprintf(path, sizeof(path), fmt, ap);
	va_end(ap);
	f = filp_open(path, O_RDONLY, 0);
	if (IS_ERR(f))
		return PTR_ERR(f);
	n = kernel_read(f, buf, size - 1, &pos);
	filp_close(f, NULL);
	if (n < 0)
		return n;
	buf[n] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
	return 0;
}

/*
 * Does the active bundle @mod explain the refusal: a higher version of this
 * lineage, or (this bundle being cumulative) another lineage?  Logs it.
 */
static bool klpb_peer_explains(const char *mod, int ret)
{
	char name[KLPB_MAX_NAME + 1], lineage[2 * KLPB_LINEAGE_LEN + 1], buf[16];
	unsigned int version;

	if (klpb_read_line(buf, sizeof(buf), "/sys/kernel/livepatch/%s/enabled",
			   mod) || strcmp(buf, "1") ||
	    klpb_read_line(name, sizeof(name), KLPB_SYSFS_BUNDLES "/%s/name",
			   mod) ||
	    klpb_read_line(lineage, sizeof(lineage),
			   KLPB_SYSFS_BUNDLES "/%s/lineage", mod) ||
	    klpb_read_line(buf, sizeof(buf), KLPB_SYSFS_BUNDLES "/%s/version",
			   mod) || kstrtouint(buf, 10, &version))
		return false;
	if (!strcmp(lineage, KLPB_DESC_LINEAGE) &&
	    version > KLPB_DESC_VERSION) {
		pr_err("bundle '%s' version %u (lineage '%s') was not enabled: %pe, it would downgrade the active bundle '%s' version %u ('%s') of the same lineage\n",
		       KLPB_DESC_NAME, KLPB_DESC_VERSION, KLPB_DESC_LINEAGE,
		       ERR_PTR(ret), name, version, mod);
		return true;
	}
	if (KLPB_DESC_REPLACE && strcmp(lineage, KLPB_DESC_LINEAGE)) {
		pr_err("bundle '%s' version %u (lineage '%s') was not enabled: %pe, it is cumulative and the active bundle '%s' ('%s') is of lineage '%s', whose klp_state the kernel does not let it drop\n",
		       KLPB_DESC_NAME, KLPB_DESC_VERSION, KLPB_DESC_LINEAGE,
		       ERR_PTR(ret), name, mod, lineage);
		return true;
	}
	return false;
}

/**
 * klpb_explain_refusal() - say why klp_enable_patch() refused the bundle
 *	when another active bundle is the reason
 * @ret: what klp_enable_patch() returned
 *
 * The livepatch core refuses a patch whose klp_states are older than an
 * active patch's, or that is cumulative and lacks an active patch's state
 * ("... is not compatible with the already installed livepatches"); the
 * lineage state makes both a fact of the bundles in /sys/kernel/klp_bundle.
 *
 * Return: true after a pr_err() naming the bundle that explains it; false
 * when none does (nothing is logged).
 */
bool klpb_explain_refusal(int ret)
{
	struct klpb_peer_names p = { .ctx.actor = klpb_peer_name };
	struct file *dir;
	bool told = false;
	unsigned int i;

	if (ret != -EINVAL)
		return false;
	p.names = kcalloc(KLPB_PEERS_MAX, sizeof(*p.names), GFP_KERNEL);
	if (!p.names)
		return false;
	dir = filp_open(KLPB_SYSFS_BUNDLES, O_RDONLY | O_DIRECTORY, 0);
	if (!IS_ERR(dir)) {
		iterate_dir(dir, &p.ctx);
		filp_close(dir, NULL);
		/* the files are read with the directory no longer locked */
		for (i = 0; i < p.nr && !told; i++)
			told = klpb_peer_explains(p.names[i], ret);
	}
	kfree(p.names);
	return told;
}
