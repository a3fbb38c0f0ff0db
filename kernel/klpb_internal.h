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
#include <klp_bundle_abi.h>

#include "klpb_cbor.h"

/**
 * struct klpb_core_view - what the runtime reads from the embedded core
 *	(Documentation/format.md §4.3); pointers into the core, strings not
 *	NUL-terminated
 * @name: the bundle name, @name_len bytes
 * @name_len: its length
 * @version: the bundle version
 * @lineage: the 16-byte lineage id
 * @replace: true for a cumulative bundle
 * @targets: the items of the targets array, @nr_targets of them
 * @nr_targets: their number
 * @objects: the items of the objects array, @nr_objects of them
 * @nr_objects: their number
 * @target: the target whose release is the running kernel's: the items of
 *	its objects (modules and build-ids), @nr_target_objs of them
 * @nr_target_objs: their number
 * @release: that target's kernel release, @release_len bytes
 * @release_len: its length
 * @vmlinux_build_id: that target's vmlinux build-id
 */
struct klpb_core_view {
	const char *name;
	size_t name_len;
	u64 version;
	const u8 *lineage;
	bool replace;
	struct klpb_cbor targets;
	u32 nr_targets;
	struct klpb_cbor objects;
	u32 nr_objects;
	struct klpb_cbor target;
	u32 nr_target_objs;
	struct klpb_cbor target_funcs;	/* format 1.1: the target's own functions */
	u32 nr_target_funcs;
	bool has_target_funcs;
	const char *release;
	size_t release_len;
	const u8 *vmlinux_build_id;
};

/**
 * struct klpb_obj - the runtime's view of one patched object
 * @name: normalised object name ("vmlinux" for vmlinux)
 * @build_id: the build-id the bundle was made for
 * @has_build_id: @build_id is known (the core's target lists the module)
 * @refused: the last load of this module was refused
 * @callbacks: the author's callbacks, or NULL
 * @kobj: /sys/kernel/klp_bundle/<bundle>/objects/<name>
 * @kobj_added: @kobj is in sysfs
 */
struct klpb_obj {
	char name[KLPB_MAX_NAME + 1];
	u8 build_id[KLPB_BUILD_ID_LEN];
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
 * @core: the embedded core, parsed
 * @kobj: /sys/kernel/klp_bundle/<module>
 * @objects_kobj: its objects/ directory
 * @parent: /sys/kernel/klp_bundle
 */
struct klpb_bundle {
	struct klp_patch patch;
	struct klp_object *klp_objs;
	struct klpb_obj *objs;
	unsigned int nr_objs;
	struct klpb_core_view core;
	struct kobject *kobj;
	struct kobject *objects_kobj;
	struct kobject *parent;
};

extern struct klpb_bundle klpb_bundle;

/* bounds of the declaration arrays, defined by klpb.lds.S */
extern const struct klpb_func_decl __klpb_funcs_start[], __klpb_funcs_end[];
extern const struct klpb_callbacks_decl __klpb_callbacks_start[],
	__klpb_callbacks_end[];
extern const struct klpb_state_decl __klpb_states_start[],
	__klpb_states_end[];
extern const struct klpb_symref_decl __klpb_symrefs_start[],
	__klpb_symrefs_end[];
extern const char klpb_manifest_start[], klpb_manifest_end[];

/**
 * klpb_nr_decls - the number of declarations of one kind
 * @kind: funcs, callbacks, states or symrefs
 */
#define klpb_nr_decls(kind) (__klpb_##kind##_end - __klpb_##kind##_start)

/**
 * klpb_for_each_func_decl - iterate over the KLPB_PATCH_FUNC* declarations
 * @d: a const struct klpb_func_decl * cursor
 */
#define klpb_for_each_func_decl(d) \
	for ((d) = __klpb_funcs_start; (d) < __klpb_funcs_end; (d)++)

/**
 * klpb_for_each_callbacks_decl - iterate over the KLPB_OBJECT_CALLBACKS
 *	declarations
 * @d: a const struct klpb_callbacks_decl * cursor
 */
#define klpb_for_each_callbacks_decl(d) \
	for ((d) = __klpb_callbacks_start; (d) < __klpb_callbacks_end; (d)++)

/**
 * klpb_for_each_state_decl - iterate over the KLPB_STATE declarations
 * @d: a const struct klpb_state_decl * cursor
 */
#define klpb_for_each_state_decl(d) \
	for ((d) = __klpb_states_start; (d) < __klpb_states_end; (d)++)

/**
 * klpb_for_each_symref_decl - iterate over the KLPB_SYMBOL declarations
 * @d: a const struct klpb_symref_decl * cursor
 */
#define klpb_for_each_symref_decl(d) \
	for ((d) = __klpb_symrefs_start; (d) < __klpb_symrefs_end; (d)++)

const char *klpb_obj_state(const struct klpb_obj *o);
int klpb_find_obj(struct klpb_bundle *b, const char *object, bool add);
int klpb_core_load(struct klpb_core_view *core);
int klpb_core_check_decls(struct klpb_bundle *b);
bool klpb_explain_refusal(int ret);
int klpb_sysfs_init(struct klpb_bundle *b);
void klpb_sysfs_exit(struct klpb_bundle *b);

#endif /* _KLPB_INTERNAL_H */
