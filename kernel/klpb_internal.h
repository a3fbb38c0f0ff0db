/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Shared between the runtime's files; not for patch
 * authors (they include klp_bundle.h).
 */
#ifndef _KLPB_INTERNAL_H
#define _KLPB_INTERNAL_H

#include <linux/kobject.h>
#include <linux/livepatch.h>
#include <linux/types.h>

#include <klp_bundle.h>

#define KLPB_BUILD_ID_SIZE	20
#define KLPB_OBJ_NAME_MAX	55	/* MODULE_NAME_LEN - 1 */

/**
 * struct klpb_obj - the runtime's view of one patched object
 * @name: normalised object name ("vmlinux" for vmlinux)
 * @build_id: the build-id the bundle was made for
 * @has_build_id: @build_id is known (the descriptor lists the object)
 * @refused: the last load of this module was refused
 * @callbacks: the author's callbacks, or NULL
 * @kobj: /sys/kernel/klp_bundle/<bundle>/objects/<name>
 * @kobj_added: @kobj is in sysfs
 */
struct klpb_obj {
	char name[KLPB_OBJ_NAME_MAX + 1];
	u8 build_id[KLPB_BUILD_ID_SIZE];
	bool has_build_id;
	bool refused;
	const struct klpb_callbacks_decl *callbacks;
	struct kobject kobj;
	bool kobj_added;
};

/**
 * struct klpb_bundle - everything the runtime built for this module
 * @patch: the one klp_patch
 * @klp_objs: @patch.objs, @nr_objs entries plus the terminator
 * @objs: parallel to @klp_objs
 * @nr_objs: number of objects
 * @kobj: /sys/kernel/klp_bundle/<module>
 * @objects_kobj: its objects/ directory
 * @parent: /sys/kernel/klp_bundle
 */
struct klpb_bundle {
	struct klp_patch patch;
	struct klp_object *klp_objs;
	struct klpb_obj *objs;
	unsigned int nr_objs;
	struct kobject *kobj;
	struct kobject *objects_kobj;
	struct kobject *parent;
};

extern struct klpb_bundle klpb_bundle;

/* bounds of the declaration arrays, defined by klpb.lds */
extern const struct klpb_func_decl __klpb_funcs_start[], __klpb_funcs_end[];
extern const struct klpb_callbacks_decl __klpb_callbacks_start[],
	__klpb_callbacks_end[];
extern const struct klpb_state_decl __klpb_states_start[],
	__klpb_states_end[];
extern const char klpb_manifest_start[], klpb_manifest_end[];

const char *klpb_obj_state(const struct klpb_obj *o);
int klpb_sysfs_init(struct klpb_bundle *b);
void klpb_sysfs_exit(struct klpb_bundle *b);

#endif /* _KLPB_INTERNAL_H */
