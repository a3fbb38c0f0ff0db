// SPDX-License-Identifier: GPL-2.0-only
/*
 * /sys/kernel/klp_bundle/<module>/ (Documentation/kernel-abi.md)
 *
 *   /sys/kernel/klp_bundle/<module>/manifest		(bin, 0444)
 *   /sys/kernel/klp_bundle/<module>/name		(0444)
 *   /sys/kernel/klp_bundle/<module>/version		(0444)
 *   /sys/kernel/klp_bundle/<module>/lineage		(0444)
 *   /sys/kernel/klp_bundle/<module>/replace		(0444)
 *   /sys/kernel/klp_bundle/<module>/objects/<obj>/state	(0444)
 *   /sys/kernel/klp_bundle/<module>/objects/<obj>/build_id	(0444)
 *
 * /sys/kernel/klp_bundle itself is shared by every transaction module: the
 * first one creates it (a core-kernel kobject that is never released, so no
 * module owns its memory) and the others find it through kernfs.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kernfs.h>
#include <linux/kobject.h>
#include <linux/module.h>
#include <linux/sysfs.h>

#include "klpb_desc.h"
#include "klpb_internal.h"

#define KLPB_SYSFS_DIR "klp_bundle"

static ssize_t name_show(struct kobject *kobj, struct kobj_attribute *attr,
			 char *buf)
{
	return sysfs_emit(buf, "%s\n", KLPB_DESC_NAME);
}

static ssize_t version_show(struct kobject *kobj, struct kobj_attribute *attr,
			    char *buf)
{
	return sysfs_emit(buf, "%u\n", KLPB_DESC_VERSION);
}

static ssize_t lineage_show(struct kobject *kobj, struct kobj_attribute *attr,
			    char *buf)
{
	return sysfs_emit(buf, "%s\n", KLPB_DESC_LINEAGE);
}

static ssize_t replace_show(struct kobject *kobj, struct kobj_attribute *attr,
			    char *buf)
{
	return sysfs_emit(buf, "%d\n", KLPB_DESC_REPLACE ? 1 : 0);
}

static struct kobj_attribute name_attr = __ATTR_RO(name);
static struct kobj_attribute version_attr = __ATTR_RO(version);
static struct kobj_attribute lineage_attr = __ATTR_RO(lineage);
static struct kobj_attribute replace_attr = __ATTR_RO(replace);

static ssize_t manifest_read(struct file *file, struct kobject *kobj,
			     struct bin_attribute *attr, char *buf,
			     loff_t off, size_t count)
{
	size_t size = klpb_manifest_end - klpb_manifest_start;

	if (off >= size)
		return 0;
	count = min_t(size_t, count, size - off);
	memcpy(buf, klpb_manifest_start + off, count);
	return count;
}

static struct bin_attribute manifest_attr = __BIN_ATTR_RO(manifest, 0);

static struct attribute *klpb_bundle_attrs[] = {
	&name_attr.attr,
	&version_attr.attr,
	&lineage_attr.attr,
	&replace_attr.attr,
	NULL
};

static struct bin_attribute *klpb_bundle_bin_attrs[] = {
	&manifest_attr,
	NULL
};

static const struct attribute_group klpb_bundle_group = {
	.attrs = klpb_bundle_attrs,
	.bin_attrs = klpb_bundle_bin_attrs,
};

static ssize_t state_show(struct kobject *kobj, struct kobj_attribute *attr,
			  char *buf)
{
	struct klpb_obj *o = container_of(kobj, struct klpb_obj, kobj);

	return sysfs_emit(buf, "%s\n", klpb_obj_state(o));
}

static ssize_t build_id_show(struct kobject *kobj, struct kobj_attribute *attr,
			     char *buf)
{
	struct klpb_obj *o = container_of(kobj, struct klpb_obj, kobj);

	if (!o->has_build_id)
		return sysfs_emit(buf, "\n");
	return sysfs_emit(buf, "%*phN\n", KLPB_BUILD_ID_LEN, o->build_id);
}

static struct kobj_attribute state_attr = __ATTR_RO(state);
static struct kobj_attribute build_id_attr = __ATTR_RO(build_id);

static struct attribute *klpb_obj_attrs[] = {
	&state_attr.attr,
	&build_id_attr.attr,
	NULL
};
ATTRIBUTE_GROUPS(klpb_obj);

/* the objects live in an array freed by klpb_free() after kobject_put() */
static void klpb_obj_release(struct kobject *kobj)
{
}

static struct kobj_type klpb_obj_ktype = {
	.release = klpb_obj_release,
	.sysfs_ops = &kobj_sysfs_ops,
	.default_groups = klpb_obj_groups,
};

/* find /sys/kernel/klp_bundle, or create it; returns a reference */
static struct kobject *klpb_get_parent(void)
{
	struct kernfs_node *kn;
	struct kobject *parent;
	int tries;

	for (tries = 0; tries < 2; tries++) {
		kn = kernfs_find_and_get(kernel_kobj->sd, KLPB_SYSFS_DIR);
		if (kn) {
			/* a kobject directory's kernfs node points to it */
			parent = kernfs_type(kn) == KERNFS_DIR ? kn->priv : NULL;
			if (parent)
				kobject_get(parent);
			kernfs_put(kn);
			return parent;
		}
		/* its first reference is never dropped: it outlives us */
		parent = kobject_create_and_add(KLPB_SYSFS_DIR, kernel_kobj);
		if (parent)
			return kobject_get(parent);
		/* lost a race with another bundle's init: look again */
	}
	return NULL;
}

/**
 * klpb_sysfs_init() - create /sys/kernel/klp_bundle/<module>/
 * @b: the bundle, with its objects collected
 *
 * Return: 0 or a negative errno; on error nothing is left behind.
 */
int klpb_sysfs_init(struct klpb_bundle *b)
{
	unsigned int i;
	int ret = -ENOMEM;

	manifest_attr.size = klpb_manifest_end - klpb_manifest_start;
	b->parent = klpb_get_parent();
	if (!b->parent) {
		pr_err("cannot create /sys/kernel/%s\n", KLPB_SYSFS_DIR);
		return -ENOMEM;
	}
	b->kobj = kobject_create_and_add(THIS_MODULE->name, b->parent);
	if (!b->kobj)
		goto out_remove;
	ret = sysfs_create_group(b->kobj, &klpb_bundle_group);
	if (ret)
		goto out_remove;
	ret = -ENOMEM;
	b->objects_kobj = kobject_create_and_add("objects", b->kobj);
	if (!b->objects_kobj)
		goto out_remove;
	for (i = 0; i < b->nr_objs; i++) {
		struct klpb_obj *o = &b->objs[i];

		ret = kobject_init_and_add(&o->kobj, &klpb_obj_ktype,
					   b->objects_kobj, "%s", o->name);
		o->kobj_added = true;	/* kobject_put() even on failure */
		if (ret)
			goto out_remove;
	}
	return 0;

out_remove:
	klpb_sysfs_exit(b);
	return ret;
}

/**
 * klpb_sysfs_exit() - remove what klpb_sysfs_init() created
 * @b: the bundle
 */
void klpb_sysfs_exit(struct klpb_bundle *b)
{
	unsigned int i;

	for (i = 0; i < b->nr_objs; i++) {
		if (b->objs[i].kobj_added)
			kobject_put(&b->objs[i].kobj);
		b->objs[i].kobj_added = false;
	}
	kobject_put(b->objects_kobj);
	b->objects_kobj = NULL;
	if (b->kobj)
		sysfs_remove_group(b->kobj, &klpb_bundle_group);
	kobject_put(b->kobj);
	b->kobj = NULL;
	kobject_put(b->parent);
	b->parent = NULL;
}
