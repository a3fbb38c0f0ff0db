/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * klp_bundle_abi.h - the facts the kernel runtime (kernel/) and userspace
 * (format/, bundler/) must agree on, defined once:
 *
 *  - the .klpb format's map keys, sizes and limits (Documentation/format.md
 *    §4 and §9, Documentation/bundle.cddl);
 *  - the declaration sections that klp_bundle.h's macros fill and that
 *    'klp-bundle create' reads back from the linked module, with the
 *    layout of their entries.
 *
 * Only <linux/types.h> types: no libc and no other kernel header, so that
 * both sides can include it.
 */
#ifndef _UAPI_KLP_BUNDLE_ABI_H
#define _UAPI_KLP_BUNDLE_ABI_H

#include <linux/types.h>

/* ---- sizes, in bytes ---- */

#define KLPB_BUILD_ID_LEN	20	/* a GNU build-id (SHA-1) */
#define KLPB_LINEAGE_LEN	16
#define KLPB_SHA256_LEN		32
#define KLPB_KID_LEN		32	/* SHA-256 of an Ed25519 public key */
#define KLPB_SIG_LEN		64	/* an Ed25519 signature */

/* ---- limits (format.md §9) ---- */

#define KLPB_MAX_NAME		55	/* bundle, livepatch module and object names */
#define KLPB_MAX_DESCRIPTION	4096	/* bytes of UTF-8 */
#define KLPB_MAX_RELEASE	64	/* kernel release (uname -r) */
#define KLPB_MAX_SYMBOL		511	/* KSYM_NAME_LEN - 1 */
#define KLPB_MAX_TOOL_VERSION	64
#define KLPB_MAX_SOURCE_NAME	255
#define KLPB_MAX_CVE		32
#define KLPB_MAX_DEPS		64	/* requires, conflicts (each) */
#define KLPB_MAX_SOURCES	256
#define KLPB_MAX_CVES		256
#define KLPB_MAX_TARGETS	64
#define KLPB_MAX_TARGET_OBJECTS	256
#define KLPB_MAX_OBJECTS	256
#define KLPB_MAX_FUNCS		4096	/* per object */
#define KLPB_MAX_SYMBOLS	8192	/* per object */
#define KLPB_MAX_STATES		64
#define KLPB_MAX_SIGNATURES	16
#define KLPB_MAX_PAYLOAD	(256ULL << 20)	/* compressed or not */
#define KLPB_MAX_SOURCE_SIZE	(16ULL << 20)
#define KLPB_MAX_CORE		(4ULL << 20)
#define KLPB_MAX_MANIFEST	(8ULL << 20)

/*
 * Nesting depth of arrays, maps and tags (a container at top level has
 * depth 1).  KLPB_MAX_DEPTH_* are the format's limits, which userspace's
 * strict validator enforces on each region.  KLPB_KERNEL_CBOR_MAX_DEPTH is
 * a different thing: the bound on the kernel reader's recursion
 * (kernel/klpb_cbor.c).  That reader is not the judge of the format's
 * limits; it must read every core userspace accepts, and it leaves room
 * for three more levels, for the optional keys of a newer minor version.
 */
#define KLPB_MAX_DEPTH_CONTAINER	5
#define KLPB_MAX_DEPTH_MANIFEST		3
#define KLPB_MAX_DEPTH_CORE		5
#define KLPB_MAX_DEPTH_PROTECTED	1
#define KLPB_KERNEL_CBOR_MAX_DEPTH	(KLPB_MAX_DEPTH_CORE + 3)

/* ---- the declaration sections of a transaction module ---- */

/*
 * kernel/klpb.lds.S brackets each array section with
 * __klpb_<kind>_start/_end; .klpb.slots holds the KLPB_SYMBOL slots, the
 * targets of the livepatch relocations 'klp-bundle create' adds.
 */
#define KLPB_SECTION_FUNCS	".klpb.funcs"
#define KLPB_SECTION_CALLBACKS	".klpb.callbacks"
#define KLPB_SECTION_STATES	".klpb.states"
#define KLPB_SECTION_SYMREFS	".klpb.symrefs"
#define KLPB_SECTION_SLOTS	".klpb.slots"

/*
 * A function reached by direct calls (KLPB_SYMBOL of a function type on a
 * kernel that clears module livepatch relocations, kernel/compat.h) is
 * called through a weak undefined symbol named
 * KLPB_CALL_PREFIX "<object>.<pos>.<symbol>"; 'klp-bundle create' turns
 * every relocation against it into a livepatch relocation against
 * ".klp.sym.<object>.<symbol>,<pos>" and refuses any that is not a call or
 * a jump.
 */
#define KLPB_CALL_PREFIX	"__klpb_fn."

/* the rest is C, which the linker script kernel/klpb.lds.S cannot read */
#ifndef __ASSEMBLY__

/*
 * ---- CBOR (RFC 8949), as both readers of the core see it ----
 * The major types of a head, and the simple values (additional info of
 * major type 7) the format uses.
 */
enum {
	KLPB_CBOR_MAJOR_UINT = 0,
	KLPB_CBOR_MAJOR_NINT = 1,
	KLPB_CBOR_MAJOR_BSTR = 2,
	KLPB_CBOR_MAJOR_TSTR = 3,
	KLPB_CBOR_MAJOR_ARRAY = 4,
	KLPB_CBOR_MAJOR_MAP = 5,
	KLPB_CBOR_MAJOR_TAG = 6,
	KLPB_CBOR_MAJOR_SIMPLE = 7,
};

#define KLPB_CBOR_FALSE		20
#define KLPB_CBOR_TRUE		21
#define KLPB_CBOR_NULL		22

/* ---- map keys (format.md §4, bundle.cddl) ---- */

enum {	/* the container, after the magic */
	KLPB_KEY_CONTAINER_VERSION = 0,
	KLPB_KEY_CONTAINER_MANIFEST = 1,
	KLPB_KEY_CONTAINER_PAYLOADS = 2,
	KLPB_KEY_CONTAINER_SOURCES = 3,
	KLPB_KEY_CONTAINER_SIGNATURES = 4,
};

enum {	/* the manifest */
	KLPB_KEY_MANIFEST_VERSION = 0,
	KLPB_KEY_MANIFEST_CORE = 1,
	KLPB_KEY_MANIFEST_PAYLOADS = 2,
};

enum {	/* a payload descriptor of the manifest */
	KLPB_KEY_PAYLOAD_TARGET = 0,
	KLPB_KEY_PAYLOAD_COMPRESSION = 1,
	KLPB_KEY_PAYLOAD_COMPRESSED_SIZE = 2,
	KLPB_KEY_PAYLOAD_SIZE = 3,
	KLPB_KEY_PAYLOAD_SHA256 = 4,
};

enum {	/* the core */
	KLPB_KEY_CORE_NAME = 0,
	KLPB_KEY_CORE_VERSION = 1,
	KLPB_KEY_CORE_LINEAGE = 2,
	KLPB_KEY_CORE_DESCRIPTION = 3,
	KLPB_KEY_CORE_REPLACE = 4,
	KLPB_KEY_CORE_REQUIRES = 5,
	KLPB_KEY_CORE_CONFLICTS = 6,
	KLPB_KEY_CORE_PROVENANCE = 7,
	KLPB_KEY_CORE_TARGETS = 8,
	KLPB_KEY_CORE_OBJECTS = 9,
	KLPB_KEY_CORE_STATES = 10,
};

enum {	/* an entry of core.requires or core.conflicts */
	KLPB_KEY_DEP_NAME = 0,
	KLPB_KEY_DEP_MIN_VERSION = 1,
	KLPB_KEY_DEP_MAX_VERSION = 2,
};

enum {	/* core.provenance */
	KLPB_KEY_PROVENANCE_TOOL_VERSION = 0,
	KLPB_KEY_PROVENANCE_CREATED = 1,
	KLPB_KEY_PROVENANCE_SOURCES = 2,
	KLPB_KEY_PROVENANCE_CVES = 3,
};

enum {	/* an entry of core.provenance.sources */
	KLPB_KEY_SOURCE_NAME = 0,
	KLPB_KEY_SOURCE_SHA256 = 1,
};

enum {	/* an entry of core.targets */
	KLPB_KEY_TARGET_KERNEL_RELEASE = 0,
	KLPB_KEY_TARGET_VMLINUX_BUILD_ID = 1,
	KLPB_KEY_TARGET_MODULE_NAME = 2,
	KLPB_KEY_TARGET_OBJECTS = 3,
	KLPB_KEY_TARGET_FUNCS = 4,	/* 1.1, optional */
	KLPB_KEY_TARGET_SYMBOLS = 5,	/* 1.1, optional */
};

enum {	/* an entry of core.targets[].objects */
	KLPB_KEY_TARGET_OBJECT_NAME = 0,
	KLPB_KEY_TARGET_OBJECT_BUILD_ID = 1,
};

enum {	/* an entry of core.objects */
	KLPB_KEY_OBJECT_NAME = 0,
	KLPB_KEY_OBJECT_FUNCS = 1,
	KLPB_KEY_OBJECT_SYMBOLS = 2,
};

enum {	/* an entry of core.objects[].funcs */
	KLPB_KEY_FUNC_OLD_NAME = 0,
	KLPB_KEY_FUNC_SYMPOS = 1,
	KLPB_KEY_FUNC_NEW_NAME = 2,
};

enum {	/* an entry of core.objects[].symbols */
	KLPB_KEY_SYMREF_NAME = 0,
	KLPB_KEY_SYMREF_SYMPOS = 1,
};

enum {	/* an entry of core.states */
	KLPB_KEY_STATE_ID = 0,
	KLPB_KEY_STATE_VERSION = 1,
};

/*
 * The entries of those sections.  The kernel sees real pointers; userspace,
 * which reads the sections of a built x86-64 module, sees each pointer or
 * unsigned long as the __u64 it occupies there.  One definition gives both
 * views, and the KLPB_*_DECL_LAYOUT_OK conditions below, asserted in both
 * compilations, keep them from drifting apart.
 */
#ifdef __KERNEL__
#define KLPB_DECL_PTR(name, decl)	decl
#define KLPB_DECL_ULONG(name)		unsigned long name
struct klp_object;
#else
#define KLPB_DECL_PTR(name, decl)	__u64 name
#define KLPB_DECL_ULONG(name)		__u64 name
#endif

/**
 * struct klpb_func_decl - one replaced function (use KLPB_PATCH_FUNC*)
 * @object: "vmlinux" or the name of the module holding @old_name
 * @old_name: the function to replace
 * @new_func: the replacement
 * @old_sympos: 0 for a unique name, else the 1-based kallsyms position
 */
struct klpb_func_decl {
	KLPB_DECL_PTR(object, const char *object);
	KLPB_DECL_PTR(old_name, const char *old_name);
	KLPB_DECL_PTR(new_func, void *new_func);
	KLPB_DECL_ULONG(old_sympos);
};

/**
 * struct klpb_callbacks_decl - per-object callbacks (use KLPB_OBJECT_CALLBACKS)
 * @object: "vmlinux" or a module name
 * @pre_patch: as klp_callbacks.pre_patch; non-zero refuses the object
 * @post_patch: as klp_callbacks.post_patch
 * @pre_unpatch: as klp_callbacks.pre_unpatch
 * @post_unpatch: as klp_callbacks.post_unpatch
 */
struct klpb_callbacks_decl {
	KLPB_DECL_PTR(object, const char *object);
	KLPB_DECL_PTR(pre_patch, int (*pre_patch)(struct klp_object *obj));
	KLPB_DECL_PTR(post_patch, void (*post_patch)(struct klp_object *obj));
	KLPB_DECL_PTR(pre_unpatch, void (*pre_unpatch)(struct klp_object *obj));
	KLPB_DECL_PTR(post_unpatch, void (*post_unpatch)(struct klp_object *obj));
};

/**
 * struct klpb_state_decl - a klp_state the bundle carries (use KLPB_STATE)
 * @id: the state id; must not collide with the bundle's lineage state
 * @version: the state version
 */
struct klpb_state_decl {
	KLPB_DECL_ULONG(id);
	KLPB_DECL_ULONG(version);
};

/**
 * struct klpb_symref_decl - a symbol that is not exported (use KLPB_SYMBOL)
 * @object: "vmlinux" or the name of the module holding @name
 * @name: the symbol (a function or a variable, static or not)
 * @sympos: 0 for a unique name, else its 1-based kallsyms position
 * @slot: where the livepatch core writes the symbol's address; NULL for a
 *	function reached by direct calls (KLPB_SYMREF_CALL) and for a
 *	KLPB_SYMREF_DIRECT reference
 * @flags: KLPB_SYMREF_FUNC: @name is a function; KLPB_SYMREF_CALL: it is
 *	reached by direct calls (livepatch relocations at the call sites,
 *	KLPB_CALL_PREFIX), not through a slot; KLPB_SYMREF_DIRECT: compiled
 *	kernel code (create --patch) reaches it by livepatch relocations at
 *	every place it uses it (KLPB_CALL_PREFIX too), whatever the relocation
 *	type (calls only, for a function: with KLPB_SYMREF_FUNC and _CALL)
 */
struct klpb_symref_decl {
	KLPB_DECL_PTR(object, const char *object);
	KLPB_DECL_PTR(name, const char *name);
	KLPB_DECL_ULONG(sympos);
	KLPB_DECL_PTR(slot, void **slot);
	KLPB_DECL_ULONG(flags);
};

#define KLPB_SYMREF_FUNC	1UL
#define KLPB_SYMREF_CALL	2UL
#define KLPB_SYMREF_DIRECT	4UL

/*
 * The layout: every field is eight bytes, in the order above, so every
 * entry is a multiple of eight bytes and each section an array.  Userspace
 * counts the .klpb.funcs entries and reads the .klpb.symrefs ones; the
 * kernel walks all four.  Both sides assert what they rely on at build
 * time (the kernel in klpb_core.c, for 64-bit; userspace in
 * bundler/create/klp-reloc.c), so that a change to one view fails the
 * build.
 */
#define KLPB_DECL_AT(type, field, slot) \
	(__builtin_offsetof(struct type, field) == 8 * (slot))

#define KLPB_FUNC_DECL_LAYOUT_OK					\
	(KLPB_DECL_AT(klpb_func_decl, object, 0) &&			\
	 KLPB_DECL_AT(klpb_func_decl, old_name, 1) &&			\
	 KLPB_DECL_AT(klpb_func_decl, new_func, 2) &&			\
	 KLPB_DECL_AT(klpb_func_decl, old_sympos, 3) &&			\
	 sizeof(struct klpb_func_decl) == 8 * 4)

#define KLPB_CALLBACKS_DECL_LAYOUT_OK					\
	(KLPB_DECL_AT(klpb_callbacks_decl, object, 0) &&		\
	 KLPB_DECL_AT(klpb_callbacks_decl, pre_patch, 1) &&		\
	 KLPB_DECL_AT(klpb_callbacks_decl, post_patch, 2) &&		\
	 KLPB_DECL_AT(klpb_callbacks_decl, pre_unpatch, 3) &&		\
	 KLPB_DECL_AT(klpb_callbacks_decl, post_unpatch, 4) &&		\
	 sizeof(struct klpb_callbacks_decl) == 8 * 5)

#define KLPB_STATE_DECL_LAYOUT_OK					\
	(KLPB_DECL_AT(klpb_state_decl, id, 0) &&			\
	 KLPB_DECL_AT(klpb_state_decl, version, 1) &&			\
	 sizeof(struct klpb_state_decl) == 8 * 2)

#define KLPB_SYMREF_DECL_LAYOUT_OK					\
	(KLPB_DECL_AT(klpb_symref_decl, object, 0) &&			\
	 KLPB_DECL_AT(klpb_symref_decl, name, 1) &&			\
	 KLPB_DECL_AT(klpb_symref_decl, sympos, 2) &&			\
	 KLPB_DECL_AT(klpb_symref_decl, slot, 3) &&			\
	 KLPB_DECL_AT(klpb_symref_decl, flags, 4) &&			\
	 sizeof(struct klpb_symref_decl) == 8 * 5)

#endif /* !__ASSEMBLY__ */

#endif /* _UAPI_KLP_BUNDLE_ABI_H */
