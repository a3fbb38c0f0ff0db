// SPDX-License-Identifier: GPL-2.0-only
/*
 * The klp-bundle runtime: module init and exit of a
 * transaction module.
 *
 * Init parses the embedded core manifest, the authoritative description
 * of the transaction, and checks it against the build-time descriptor
 * (klpb_desc.h) and the running kernel; collects the declarations of every
 * patch source (klp_bundle.h) and checks them against the core
 * (klpb_check.c); builds one klp_patch with an object for vmlinux and one
 * per module, adds the lineage klp_state, creates the sysfs directory and
 * only then calls klp_enable_patch(): nothing after it can fail.
 *
 * For every module object a pre_patch callback checks that the module
 * being patched (already loaded at enable time, or loading later) has the
 * GNU build-id the bundle was built for, and refuses it otherwise.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/ctype.h>
#include <linux/kernel.h>
#include <linux/livepatch.h>
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/string.h>

#include <klp_bundle.h>
#include "compat.h"
#include "klpb_desc.h"
#include "klpb_internal.h"

#ifndef KLPB_DESC_NAME
#error "klpb_desc.h must define KLPB_DESC_NAME"
#endif

/* make the sections exist, with the right flags, even when empty */
asm(".section " KLPB_SECTION_FUNCS ",\"a\"\n.previous\n"
	".section " KLPB_SECTION_CALLBACKS ",\"a\"\n.previous\n"
	".section " KLPB_SECTION_STATES ",\"a\"\n.previous\n"
	".section " KLPB_SECTION_SYMREFS ",\"a\"\n.previous\n"
	".section " KLPB_SECTION_SLOTS ",\"aw\"\n.previous\n");

/* an object name of the format fits in a module's name */
static_assert(sizeof_field(struct module, name) > KLPB_MAX_NAME);

/* the declarations' layout, as 'klp-bundle create' reads it (64-bit only) */
#if BITS_PER_LONG == 64
static_assert(KLPB_FUNC_DECL_LAYOUT_OK);
static_assert(KLPB_CALLBACKS_DECL_LAYOUT_OK);
static_assert(KLPB_STATE_DECL_LAYOUT_OK);
static_assert(KLPB_SYMREF_DECL_LAYOUT_OK);
#endif

struct klpb_bundle klpb_bundle;

/*
 * klpb_rollback_from: 0, or the version of the active bundle of this
 * lineage that this older one deliberately replaces (klp-bundle passes it
 * only to roll back).  The lineage klp_state then gets that version, so the
 * kernel accepts the older bundle as a replacement in one transition; a
 * plain insmod without it is still refused as a downgrade.
 */
static unsigned int klpb_rollback_from;
module_param(klpb_rollback_from, uint, 0444);
MODULE_PARM_DESC(klpb_rollback_from,
		 "version of the active bundle of the lineage this one replaces in a rollback (0: none)");

/* the ELF note: namesz 4, descsz 20, NT_GNU_BUILD_ID, "GNU" */
static const u8 klpb_note_hdr[16] = {
	4, 0, 0, 0, KLPB_BUILD_ID_LEN, 0, 0, 0, 3, 0, 0, 0, 'G', 'N', 'U', 0
};

struct klp_patch *klpb_patch(void)
{
	return &klpb_bundle.patch;
}

/*
 * The lineage's klp_state id: "KLPB" in the high half, the FNV-1a hash of
 * the lineage string in the low half (documented in patch-authoring.md).
 */
static unsigned long klpb_lineage_state_id(const char *lineage)
{
	u32 h = 2166136261u;

	for (; *lineage; lineage++) {
		h ^= (u8)*lineage;
		h *= 16777619u;
	}
#if BITS_PER_LONG == 64
	return 0x4b4c504200000000ul | h;
#else
	return h | 1;
#endif
}

static int klpb_module_build_id(const struct module *mod, u8 *id)
{
	const u8 *p;
	size_t size, off;

	p = klpb_module_ro_region(mod, &size);
	for (off = 0; off + sizeof(klpb_note_hdr) + KLPB_BUILD_ID_LEN <= size;
	     off += 4) {
		if (!memcmp(p + off, klpb_note_hdr, sizeof(klpb_note_hdr))) {
			memcpy(id, p + off + sizeof(klpb_note_hdr),
			       KLPB_BUILD_ID_LEN);
			return 0;
		}
	}
	return -ENOENT;
}

static struct klpb_obj *klpb_obj_of(struct klp_object *obj)
{
	return &klpb_bundle.objs[obj - klpb_bundle.klp_objs];
}

static int klpb_normalise_name(const char *in, char *out);

/**
 * klpb_clear_slots() - clear the KLPB_SYMBOL slots of a module object
 * @o: the module object
 *
 * For a kernel that does not clear module livepatch relocations itself
 * (before 6.3, compat.h) where the runtime cannot clear them all either
 * (no KLPB_RUNTIME_CLEARS_KLP_RELOCS): the livepatch core of 6.1 writes a
 * module's .klp.rela relocations when the module loads and never clears
 * them, and x86 refuses to relocate onto a non-zero target, so a second
 * load of the module would be refused (-ENOEXEC, "existing value is
 * nonzero").  There the slots are the only targets of those relocations
 * (functions are reached through slots too), so clearing them whenever the
 * module goes away (or its load is refused) makes it loadable again.
 * Nothing runs the bundle's code for the module at these points: it is
 * unpatched, or was never patched.
 */
static void klpb_clear_slots(const struct klpb_obj *o)
{
	const struct klpb_symref_decl *r;
	char name[KLPB_MAX_NAME + 1];

	klpb_for_each_symref_decl(r)
		if (r->slot && !klpb_normalise_name(r->object, name) &&
		    !strcmp(name, o->name))
			WRITE_ONCE(*r->slot, NULL);
}

/**
 * klpb_clear_module_relocs() - undo the livepatch relocations of a module
 *	object, where the livepatch core will not
 * @o: the module object
 *
 * For a module that goes away, on a kernel that does not clear its
 * relocations (post_unpatch), and for a module whose load the bundle
 * refuses (pre_patch: the core wrote the object's relocations before the
 * callback ran, and its error path will not clear them).  Where the kernel
 * or the runtime can (compat.h), every target of the object's .klp.rela
 * sections is cleared (slots, direct calls, direct references in code);
 * otherwise the slots, the only targets there.
 */
static void klpb_clear_module_relocs(const struct klpb_obj *o)
{
	if (KLPB_KERNEL_CLEARS_KLP_RELOCS || KLPB_RUNTIME_CLEARS_KLP_RELOCS)
		klpb_clear_klp_relocs(klpb_bundle.patch.mod, o->name);
	else
		klpb_clear_slots(o);
}

/* the build-id check of a loading module object */
static int klpb_check_module(struct klpb_obj *o, struct module *mod)
{
	u8 found[KLPB_BUILD_ID_LEN];

	if (!mod || !o->has_build_id)
		return 0;
	if (klpb_module_build_id(mod, found)) {
		pr_err("refusing module '%s': it has no GNU build-id, expected %*phN\n",
		       o->name, KLPB_BUILD_ID_LEN, o->build_id);
		return -EINVAL;
	}
	if (memcmp(found, o->build_id, KLPB_BUILD_ID_LEN)) {
		pr_err("refusing module '%s': build-id %*phN, bundle '%s' was built for %*phN\n",
		       o->name, KLPB_BUILD_ID_LEN, found,
		       KLPB_DESC_NAME, KLPB_BUILD_ID_LEN, o->build_id);
		return -EINVAL;
	}
	return 0;
}

/* pre_patch of every module object: the build-id check, then the author's */
static int klpb_pre_patch(struct klp_object *obj)
{
	struct klpb_obj *o = klpb_obj_of(obj);
	int ret = klpb_check_module(o, obj->mod);

	WRITE_ONCE(o->refused, ret != 0);
	if (!ret && o->callbacks && o->callbacks->pre_patch)
		ret = o->callbacks->pre_patch(obj);
	if (ret)	/* the load is refused: post_unpatch will not run */
		klpb_clear_module_relocs(o);
	return ret;
}

/*
 * post_unpatch of every module object: the author's, then clear the
 * object's relocations unless the livepatch core clears them right after
 * (compat.h)
 */
static void klpb_post_unpatch(struct klp_object *obj)
{
	struct klpb_obj *o = klpb_obj_of(obj);

	if (o->callbacks && o->callbacks->post_unpatch)
		o->callbacks->post_unpatch(obj);
	if (!KLPB_KERNEL_CLEARS_KLP_RELOCS)
		klpb_clear_module_relocs(o);
}

/**
 * klpb_obj_state() - what sysfs reports for an object
 * @o: the object
 *
 * Return: "patched", "pending" (module not loaded), "refused" (its last
 * load was refused) or "disabled" (the bundle is disabled or replaced).
 */
const char *klpb_obj_state(const struct klpb_obj *o)
{
	const struct klp_object *obj = &klpb_bundle.klp_objs[o - klpb_bundle.objs];

	if (!READ_ONCE(klpb_bundle.patch.enabled))
		return "disabled";
	if (READ_ONCE(obj->patched))
		return "patched";
	if (READ_ONCE(o->refused))
		return "refused";
	return "pending";
}

static int klpb_normalise_name(const char *in, char *out)
{
	size_t i, len = strlen(in);

	if (!len || len > KLPB_MAX_NAME)
		return -EINVAL;
	for (i = 0; i < len; i++) {
		char c = in[i] == '-' ? '_' : in[i];

		if (!isalnum(c) && c != '_')
			return -EINVAL;
		out[i] = c;
	}
	out[len] = '\0';
	return 0;
}

/**
 * klpb_find_obj() - an object's index in the bundle's object table
 * @b: the bundle
 * @object: "vmlinux" or a module name ('-' is read as '_')
 * @add: add the object when it is not in the table yet
 *
 * Return: the index, -ENOENT (not found and not @add) or -EINVAL (invalid
 * name, after a pr_err()).
 */
int klpb_find_obj(struct klpb_bundle *b, const char *object, bool add)
{
	char name[KLPB_MAX_NAME + 1];
	unsigned int i;

	if (klpb_normalise_name(object, name)) {
		pr_err("invalid object name '%s'\n", object);
		return -EINVAL;
	}
	for (i = 0; i < b->nr_objs; i++)
		if (!strcmp(b->objs[i].name, name))
			return i;
	if (!add)
		return -ENOENT;
	strscpy(b->objs[i].name, name, sizeof(b->objs[i].name));
	b->nr_objs++;
	return i;
}

/* the objects: vmlinux first, then modules in declaration order */
static int klpb_collect_objects(struct klpb_bundle *b)
{
	const struct klpb_func_decl *f;
	const struct klpb_callbacks_decl *c;
	const struct klpb_symref_decl *r;
	unsigned int max;
	int i;

	max = klpb_nr_decls(funcs) + klpb_nr_decls(callbacks) +
	      klpb_nr_decls(symrefs);
	if (!max) {
		pr_err("bundle '%s' declares no function and no callback\n",
		       KLPB_DESC_NAME);
		return -EINVAL;
	}
	/* one more: vmlinux, which may be added without a declaration */
	b->objs = kcalloc(max + 1, sizeof(*b->objs), GFP_KERNEL);
	if (!b->objs)
		return -ENOMEM;
	klpb_for_each_func_decl(f)
		if (!strcmp(f->object, "vmlinux"))
			break;
	klpb_for_each_callbacks_decl(c)
		if (!strcmp(c->object, "vmlinux"))
			break;
	klpb_for_each_symref_decl(r)
		if (!strcmp(r->object, "vmlinux"))
			break;
	/*
	 * With KLPB_RUNTIME_NEEDS_VMLINUX the runtime itself calls a vmlinux
	 * function through a livepatch relocation (compat.h), which the
	 * livepatch core writes only for a vmlinux object.
	 */
	if (f < __klpb_funcs_end || c < __klpb_callbacks_end ||
	    r < __klpb_symrefs_end || KLPB_RUNTIME_NEEDS_VMLINUX)
		klpb_find_obj(b, "vmlinux", true);
	klpb_for_each_func_decl(f) {
		if (!f->old_name || !f->new_func) {
			pr_err("incomplete declaration for object '%s'\n",
			       f->object);
			return -EINVAL;
		}
		i = klpb_find_obj(b, f->object, true);
		if (i < 0)
			return i;
	}
	klpb_for_each_callbacks_decl(c) {
		i = klpb_find_obj(b, c->object, true);
		if (i < 0)
			return i;
		if (b->objs[i].callbacks) {
			pr_err("two sets of callbacks for object '%s'\n",
			       b->objs[i].name);
			return -EINVAL;
		}
		b->objs[i].callbacks = c;
	}
	/* an object only referenced (KLPB_SYMBOL) still needs its relocations */
	klpb_for_each_symref_decl(r) {
		i = klpb_find_obj(b, r->object, true);
		if (i < 0)
			return i;
	}
	return 0;
}

static int klpb_build_funcs(struct klpb_bundle *b)
{
	const struct klpb_func_decl *f;
	unsigned int *n;
	unsigned int i;
	int idx;

	n = kcalloc(b->nr_objs, sizeof(*n), GFP_KERNEL);
	if (!n)
		return -ENOMEM;
	klpb_for_each_func_decl(f)
		n[klpb_find_obj(b, f->object, false)]++;
	for (i = 0; i < b->nr_objs; i++) {
		/* one spare entry: the terminator (also for callback-only objects) */
		b->klp_objs[i].funcs = kcalloc(n[i] + 1, sizeof(struct klp_func),
					       GFP_KERNEL);
		if (!b->klp_objs[i].funcs) {
			kfree(n);
			return -ENOMEM;
		}
		n[i] = 0;
	}
	klpb_for_each_func_decl(f) {
		struct klp_func *kf;

		idx = klpb_find_obj(b, f->object, false);
		kf = &b->klp_objs[idx].funcs[n[idx]++];
		kf->old_name = f->old_name;
		kf->new_func = f->new_func;
		kf->old_sympos = f->old_sympos;
	}
	kfree(n);
	return 0;
}

static int klpb_build_objects(struct klpb_bundle *b)
{
	unsigned int i;

	b->klp_objs = kcalloc(b->nr_objs + 1, sizeof(*b->klp_objs), GFP_KERNEL);
	if (!b->klp_objs)
		return -ENOMEM;
	for (i = 0; i < b->nr_objs; i++) {
		struct klp_object *obj = &b->klp_objs[i];
		const struct klpb_callbacks_decl *c = b->objs[i].callbacks;
		bool is_vmlinux = !strcmp(b->objs[i].name, "vmlinux");

		obj->name = is_vmlinux ? NULL : b->objs[i].name;
		if (c) {
			obj->callbacks.pre_patch = c->pre_patch;
			obj->callbacks.post_patch = c->post_patch;
			obj->callbacks.pre_unpatch = c->pre_unpatch;
			obj->callbacks.post_unpatch = c->post_unpatch;
		}
		if (!is_vmlinux) {
			obj->callbacks.pre_patch = klpb_pre_patch;
			obj->callbacks.post_unpatch = klpb_post_unpatch;
		}
	}
	return klpb_build_funcs(b);
}

/**
 * klpb_lineage_version() - the version of the bundle's lineage klp_state
 *
 * Return: klpb_rollback_from when it is higher than the bundle's version,
 * else the bundle's version.
 */
static unsigned long klpb_lineage_version(void)
{
	return max_t(unsigned long, klpb_rollback_from, KLPB_DESC_VERSION);
}

/**
 * klpb_check_rollback() - refuse a klpb_rollback_from that makes no sense
 *
 * Return: 0, or -EINVAL (after a pr_err()) when it is lower than the
 * bundle's own version: it names the newer version being rolled back.
 */
static int klpb_check_rollback(void)
{
	if (!klpb_rollback_from)
		return 0;
	if (klpb_rollback_from < KLPB_DESC_VERSION) {
		pr_err("klpb_rollback_from=%u is lower than the version %u of bundle '%s': it names the newer version a rollback replaces; leave it out for an ordinary load\n",
		       klpb_rollback_from, KLPB_DESC_VERSION, KLPB_DESC_NAME);
		return -EINVAL;
	}
	return 0;
}

/* the author's states plus the lineage state, zero-terminated */
static int klpb_build_states(struct klpb_bundle *b)
{
	unsigned int n = klpb_nr_decls(states);
	unsigned long lineage_id = klpb_lineage_state_id(KLPB_DESC_LINEAGE);
	const struct klpb_state_decl *d;
	struct klp_state *states, *s;

	states = kcalloc(n + 2, sizeof(*states), GFP_KERNEL);
	if (!states)
		return -ENOMEM;
	s = states;
	klpb_for_each_state_decl(d) {
		if (!d->id || d->id == lineage_id) {
			pr_err("invalid klp_state id %lu\n", d->id);
			kfree(states);
			return -EINVAL;
		}
		s->id = d->id;
		s->version = d->version;
		s++;
	}
	states[n].id = lineage_id;
	states[n].version = klpb_lineage_version();
	b->patch.states = states;
	return 0;
}

static void klpb_free(struct klpb_bundle *b)
{
	unsigned int i;

	if (b->klp_objs)
		for (i = 0; i < b->nr_objs; i++)
			kfree(b->klp_objs[i].funcs);
	kfree(b->klp_objs);
	kfree(b->patch.states);
	kfree(b->objs);
	memset(b, 0, sizeof(*b));
}

/*
 * klp_enable_patch() refused the bundle.  When an active bundle is the
 * reason (a downgrade of the lineage, or another lineage under a cumulative
 * bundle), klpb_explain_refusal() says so.  Otherwise only the livepatch
 * core knows: it logged why just before (e.g. "failed to find location for
 * function ..."), and this message points at it.
 */
static void klpb_explain_enable_error(int ret)
{
	if (klpb_explain_refusal(ret))
		return;
	pr_err("bundle '%s' version %u (lineage '%s') was not enabled: the livepatch core refused it with %pe; its message just before this one says why\n",
	       KLPB_DESC_NAME, KLPB_DESC_VERSION, KLPB_DESC_LINEAGE,
	       ERR_PTR(ret));
}

static int __init klpb_init(void)
{
	struct klpb_bundle *b = &klpb_bundle;
	int ret;

	ret = klpb_check_rollback();
	if (ret)
		return ret;
	ret = klpb_core_load(&b->core);
	if (ret)
		goto out_free;
	ret = klpb_collect_objects(b);
	if (ret)
		goto out_free;
	ret = klpb_core_check_decls(b);
	if (ret)
		goto out_free;
	ret = klpb_build_objects(b);
	if (ret)
		goto out_free;
	ret = klpb_build_states(b);
	if (ret)
		goto out_free;
	b->patch.mod = THIS_MODULE;
	b->patch.objs = b->klp_objs;
	b->patch.replace = KLPB_DESC_REPLACE;

	ret = klpb_sysfs_init(b);
	if (ret)
		goto out_free;

	ret = klp_enable_patch(&b->patch);
	if (ret) {
		klpb_explain_enable_error(ret);
		goto out_remove_sysfs;
	}
	/* from here on nothing may fail: the patch is live */
	if (klpb_rollback_from > KLPB_DESC_VERSION)
		pr_info("bundle '%s' version %u (lineage '%s', %s) enabled, its lineage klp_state at version %u (klpb_rollback_from)\n",
			KLPB_DESC_NAME, KLPB_DESC_VERSION, KLPB_DESC_LINEAGE,
			KLPB_DESC_REPLACE ? "cumulative" : "stacked",
			klpb_rollback_from);
	else
		pr_info("bundle '%s' version %u (lineage '%s', %s) enabled\n",
			KLPB_DESC_NAME, KLPB_DESC_VERSION, KLPB_DESC_LINEAGE,
			KLPB_DESC_REPLACE ? "cumulative" : "stacked");
	return 0;

out_remove_sysfs:
	klpb_sysfs_exit(b);
out_free:
	klpb_free(b);
	return ret;
}

static void __exit klpb_exit(void)
{
	klpb_sysfs_exit(&klpb_bundle);
	klpb_free(&klpb_bundle);
}

module_init(klpb_init);
module_exit(klpb_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("klp-bundle transaction: " KLPB_DESC_NAME);
MODULE_INFO(livepatch, "Y");
