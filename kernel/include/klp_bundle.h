/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * klp_bundle.h - the interface of klp-bundle patch sources.
 *
 * A patch source is ordinary kernel C: the replacement functions plus one
 * declaration per replaced function.  The klp-bundle runtime, linked into
 * the same transaction module, collects the declarations of every source
 * file and builds one struct klp_patch from them.  Patch sources contain no
 * klp_patch, no module_init() and no MODULE_INFO(livepatch).
 *
 *	static int my_cmdline_proc_show(struct seq_file *m, void *v) { ... }
 *	KLPB_PATCH_FUNC(vmlinux, cmdline_proc_show, my_cmdline_proc_show);
 *	KLPB_PATCH_FUNC_POS(mymod, dup_name, 2, my_dup);
 *	KLPB_OBJECT_CALLBACKS(mymod, my_pre, my_post, NULL, NULL);
 *	KLPB_STATE(MY_STATE_ID, 1);
 *	KLPB_SYMBOL(vmlinux, static_helper, int (int));	(then KLPB_SYM(static_helper)(1))
 *
 * The object is "vmlinux" or a module name ('-' is read as '_').
 */
#ifndef _KLP_BUNDLE_H
#define _KLP_BUNDLE_H

#include <linux/compiler.h>
#include <linux/livepatch.h>

/*
 * The declarations are placed in the .klpb.* sections; the linker script
 * kernel/klpb.lds, applied to the module's ld -r link, brackets each
 * section with __klpb_<kind>_start/_end.  Every entry is a multiple of
 * eight bytes and aligned to eight, so each section is an array.  Each
 * macro below defines its static object in full (a uniquely named const
 * struct, __used, in its section, __aligned(8)), as the kernel's DEFINE_*
 * macros do.
 */

/**
 * struct klpb_func_decl - one replaced function (use KLPB_PATCH_FUNC*)
 * @object: "vmlinux" or the name of the module holding @old_name
 * @old_name: the function to replace
 * @new_func: the replacement
 * @old_sympos: 0 for a unique name, else the 1-based kallsyms position
 */
struct klpb_func_decl {
	const char *object;
	const char *old_name;
	void *new_func;
	unsigned long old_sympos;
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
	const char *object;
	int (*pre_patch)(struct klp_object *obj);
	void (*post_patch)(struct klp_object *obj);
	void (*pre_unpatch)(struct klp_object *obj);
	void (*post_unpatch)(struct klp_object *obj);
};

/**
 * struct klpb_state_decl - a klp_state the bundle carries (use KLPB_STATE)
 * @id: the state id; must not collide with the bundle's lineage state
 * @version: the state version
 */
struct klpb_state_decl {
	unsigned long id;
	unsigned long version;
};

/**
 * struct klpb_symref_decl - a symbol that is not exported (use KLPB_SYMBOL)
 * @object: "vmlinux" or the name of the module holding @name
 * @name: the symbol (a function or a variable, static or not)
 * @sympos: 0 for a unique name, else its 1-based kallsyms position
 * @slot: where the livepatch core writes the symbol's address
 */
struct klpb_symref_decl {
	const char *object;
	const char *name;
	unsigned long sympos;
	void **slot;
};

/**
 * KLPB_PATCH_FUNC_POS - replace @old (the @pos-th of that name) in @obj by @new
 * @obj: vmlinux or a module name, as a bare word
 * @old: the function to replace, as a bare word
 * @pos: its kallsyms position among functions of that name (1-based)
 * @new: the replacement function
 */
#define KLPB_PATCH_FUNC_POS(obj, old, pos, new)				\
	static const struct klpb_func_decl __UNIQUE_ID(klpb_)		\
	__used __section(".klpb.funcs") __aligned(8) = {		\
		.object = #obj,						\
		.old_name = #old,					\
		.new_func = (void *)(new),				\
		.old_sympos = (pos),					\
	}

/**
 * KLPB_PATCH_FUNC - replace the uniquely named function @old in @obj by @new
 * @obj: vmlinux or a module name, as a bare word
 * @old: the function to replace, as a bare word
 * @new: the replacement function
 */
#define KLPB_PATCH_FUNC(obj, old, new) KLPB_PATCH_FUNC_POS(obj, old, 0, new)

/**
 * KLPB_OBJECT_CALLBACKS - livepatch callbacks for one object
 * @obj: vmlinux or a module name, as a bare word
 * @pre: int (*)(struct klp_object *) or NULL
 * @post: void (*)(struct klp_object *) or NULL
 * @pre_un: void (*)(struct klp_object *) or NULL
 * @post_un: void (*)(struct klp_object *) or NULL
 *
 * The kernel's semantics apply (Documentation/livepatch/callbacks.rst); for
 * a module object the runtime checks the module's build-id first and runs
 * @pre only for the build the bundle was made for.  At most one per object.
 */
#define KLPB_OBJECT_CALLBACKS(obj, pre, post, pre_un, post_un)		\
	static const struct klpb_callbacks_decl __UNIQUE_ID(klpb_)	\
	__used __section(".klpb.callbacks") __aligned(8) = {		\
		.object = #obj,						\
		.pre_patch = (pre),					\
		.post_patch = (post),					\
		.pre_unpatch = (pre_un),				\
		.post_unpatch = (post_un),				\
	}

/**
 * KLPB_STATE - add a klp_state to the bundle's patch
 * @state_id: non-zero id (see Documentation/livepatch/system-state.rst)
 * @state_version: its version
 *
 * Reach it with klp_get_state(klpb_patch(), id) or, during a transition,
 * klp_get_prev_state(id).
 */
#define KLPB_STATE(state_id, state_version)				\
	static const struct klpb_state_decl __UNIQUE_ID(klpb_)		\
	__used __section(".klpb.states") __aligned(8) = {		\
		.id = (state_id),					\
		.version = (state_version),				\
	}

/**
 * KLPB_SYMBOL_POS - reach the @pos-th symbol called @sym of @obj, exported or not
 * @obj: vmlinux or a module name, as a bare word
 * @sym: the symbol's name, as a bare word (a C identifier)
 * @pos: its kallsyms position among symbols of that name (1-based)
 * @type: its C type, e.g. int, or int (struct seq_file *, void *) for a function
 *
 * Declares a slot, KLPB_SYM(@sym), of type pointer to @type.  klp-bundle
 * create turns it into a livepatch relocation (.klp.rela, .klp.sym), so the
 * livepatch core writes the symbol's address there: for vmlinux when the
 * bundle loads, for a module when that module loads.  The runtime clears a
 * module's slots when the module goes away, so it can load again.  Use it
 * only inside the bundle's replacement functions and callbacks: while a
 * module object is not loaded, its slots are NULL.
 */
#define KLPB_SYMBOL_POS(obj, sym, pos, type)				\
	static typeof(type) *klpb_sym_##sym __used			\
	__section(".klpb.slots") __aligned(8);				\
	static const struct klpb_symref_decl __UNIQUE_ID(klpb_)		\
	__used __section(".klpb.symrefs") __aligned(8) = {		\
		.object = #obj,						\
		.name = #sym,						\
		.sympos = (pos),					\
		.slot = (void **)&klpb_sym_##sym,			\
	}

/**
 * KLPB_SYMBOL - reach the uniquely named symbol @sym of @obj, exported or not
 * @obj: vmlinux or a module name, as a bare word
 * @sym: the symbol's name, as a bare word
 * @type: its C type
 */
#define KLPB_SYMBOL(obj, sym, type) KLPB_SYMBOL_POS(obj, sym, 0, type)

/**
 * KLPB_SYM - the address of a symbol declared with KLPB_SYMBOL
 * @sym: the symbol's name
 *
 * A function is called as KLPB_SYM(fn)(args), a variable read as
 * *KLPB_SYM(var).  The slot is read with READ_ONCE(): the compiler must
 * not assume it keeps the NULL it was compiled with.
 */
#define KLPB_SYM(sym) READ_ONCE(klpb_sym_##sym)

/**
 * klpb_patch() - the transaction module's klp_patch
 *
 * Return: the patch built by the runtime (for klp_get_state()).
 */
struct klp_patch *klpb_patch(void);

#endif /* _KLP_BUNDLE_H */
