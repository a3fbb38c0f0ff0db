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
 *	KLPB_DIRECT_REF_POS(vmlinux, count.3, 0, 0);	(create --patch's extracted code)
 *
 * The object is "vmlinux" or a module name ('-' is read as '_').
 */
#ifndef _KLP_BUNDLE_H
#define _KLP_BUNDLE_H

#include <linux/compiler.h>
#include <linux/livepatch.h>

#include <klp_bundle_abi.h>

#include "../compat.h"

/*
 * The declarations (struct klpb_func_decl, klpb_callbacks_decl,
 * klpb_state_decl and klpb_symref_decl, in <klp_bundle_abi.h>) are placed
 * in the .klpb.* sections; the linker script kernel/klpb.lds.S, applied to
 * the module's ld -r link, brackets each section with
 * __klpb_<kind>_start/_end.  Every entry is a multiple of eight bytes and
 * aligned to eight, so each section is an array.  Each macro below defines
 * its static object in full (a uniquely named const struct, __used, in its
 * section, __aligned(8)), as the kernel's DEFINE_* macros do.
 */

/**
 * KLPB_PATCH_FUNC_POS - replace @old (the @pos-th of that name) in @obj by @new
 * @obj: vmlinux or a module name, as a bare word
 * @old: the function to replace, as a bare word
 * @pos: its kallsyms position among functions of that name (1-based)
 * @new: the replacement function
 */
#define KLPB_PATCH_FUNC_POS(obj, old, pos, new)				\
	static const struct klpb_func_decl __UNIQUE_ID(klpb_)		\
	__used __section(KLPB_SECTION_FUNCS) __aligned(8) = {		\
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
	__used __section(KLPB_SECTION_CALLBACKS) __aligned(8) = {	\
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
	__used __section(KLPB_SECTION_STATES) __aligned(8) = {		\
		.id = (state_id),					\
		.version = (state_version),				\
	}

/* 1 when @type is a function type (the conditional decays a function to a pointer) */
#define __KLPB_IS_FUNC(type)						\
	__builtin_types_compatible_p(					\
		typeof(1 ? *(typeof(type) *)0 : *(typeof(type) *)0),	\
		typeof(type) *)

/* 1 when KLPB_SYM(@sym) of @type is a direct call, not a slot (compat.h) */
#define __KLPB_CALLS(type) (KLPB_DIRECT_CALLS && __KLPB_IS_FUNC(type))

/**
 * KLPB_SYMBOL_POS - reach the @pos-th symbol called @sym of @obj, exported or not
 * @obj: vmlinux or a module name, as a bare word
 * @sym: the symbol's name, as a bare word (a C identifier)
 * @pos: its kallsyms position among symbols of that name (1-based), a
 *	decimal literal
 * @type: its C type, e.g. int, or int (struct seq_file *, void *) for a function
 *
 * klp-bundle create turns the references into livepatch relocations
 * (.klp.rela, .klp.sym), which the livepatch core writes: for vmlinux when
 * the bundle loads, for a module when that module loads.
 *
 * A variable, and a function where KLPB_DIRECT_CALLS is 0 (compat.h:
 * before 6.3 without IBT), is reached through a slot of type pointer to
 * @type, where the relocation writes the address.  A module's relocations
 * are cleared when the module goes away (by the kernel from 6.3 on, before
 * by the runtime), so it can load again.
 *
 * A function where KLPB_DIRECT_CALLS is 1 (6.3 on, or a kernel with IBT,
 * which may seal a function whose address is never taken, so that an
 * indirect call to it traps) is called directly: KLPB_SYM(@sym) is the
 * address of a weak extern, KLPB_CALL_PREFIX "<obj>.<pos>.<sym>", and
 * create moves each call to it into .klp.rela.<obj>.<section>.  create
 * refuses any other use of that address (storing it, passing it, comparing
 * it): it would be called indirectly.  -DKLPB_SLOT_CALLS forces slots for
 * functions too, -DKLPB_DIRECT_CALLS_FORCE direct calls before 6.3.
 *
 * Use it only inside the bundle's replacement functions and callbacks:
 * while a module object is not loaded, its slots are NULL and its call
 * sites unrelocated.
 */
#define KLPB_SYMBOL_POS(obj, sym, pos, type)				\
	static typeof(type) *klpb_sym_##sym				\
	__section(KLPB_SECTION_SLOTS) __aligned(8);			\
	extern typeof(type) klpb_fn_##sym				\
	__asm__(KLPB_CALL_PREFIX #obj "." #pos "." #sym) __weak;	\
	static const struct klpb_symref_decl __UNIQUE_ID(klpb_)		\
	__used __section(KLPB_SECTION_SYMREFS) __aligned(8) = {		\
		.object = #obj,						\
		.name = #sym,						\
		.sympos = (pos),					\
		.slot = __builtin_choose_expr(__KLPB_CALLS(type), NULL,	\
			(void **)&klpb_sym_##sym),			\
		.flags = (__KLPB_IS_FUNC(type) ? KLPB_SYMREF_FUNC : 0) |	\
			 (__KLPB_CALLS(type) ? KLPB_SYMREF_CALL : 0),	\
	}

/**
 * KLPB_SYMBOL - reach the uniquely named symbol @sym of @obj, exported or not
 * @obj: vmlinux or a module name, as a bare word
 * @sym: the symbol's name, as a bare word
 * @type: its C type
 */
#define KLPB_SYMBOL(obj, sym, type) KLPB_SYMBOL_POS(obj, sym, 0, type)

/**
 * KLPB_DIRECT_REF_POS - declare a reference made by extracted kernel code
 * @obj: vmlinux or a module name, as a bare word
 * @sym: the symbol's name in @obj, as bare words; it may hold dots (a
 *	static local such as count.3, or foo.isra.0)
 * @pos: its kallsyms position among symbols of that name (1-based; 0 for
 *	a unique name), a decimal literal
 * @is_func: 1 when @sym is a function, else 0
 *
 * For the objects 'klp-bundle create --patch' extracts from a compiled
 * kernel fix, which reach @sym through the weak undefined symbol
 * KLPB_CALL_PREFIX "<obj>.<pos>.<sym>" (the object defines it: this macro
 * declares no C symbol).  create turns every use of that symbol into a
 * livepatch relocation in .klp.rela.<obj>.<section>, whatever its type
 * for data; a function's uses must be calls, as with KLPB_SYMBOL.  No slot.
 */
#define KLPB_DIRECT_REF_POS(obj, sym, pos, is_func)			\
	static const struct klpb_symref_decl __UNIQUE_ID(klpb_)		\
	__used __section(KLPB_SECTION_SYMREFS) __aligned(8) = {		\
		.object = #obj,						\
		.name = #sym,						\
		.sympos = (pos),					\
		.slot = NULL,						\
		.flags = KLPB_SYMREF_DIRECT |				\
			 ((is_func) ? KLPB_SYMREF_FUNC | KLPB_SYMREF_CALL : 0), \
	}

/**
 * KLPB_SYM - the address of a symbol declared with KLPB_SYMBOL
 * @sym: the symbol's name
 *
 * A function is called as KLPB_SYM(fn)(args), a variable read as
 * *KLPB_SYM(var).  A slot is read with READ_ONCE(): the compiler must not
 * assume it keeps the NULL it was compiled with.  A directly called
 * function's KLPB_SYM() may only be called.
 */
#define KLPB_SYM(sym)							\
	__builtin_choose_expr(__KLPB_CALLS(typeof(klpb_fn_##sym)),	\
			      &klpb_fn_##sym, READ_ONCE(klpb_sym_##sym))

/**
 * klpb_patch() - the transaction module's klp_patch
 *
 * Return: the patch built by the runtime (for klp_get_state()).
 */
struct klp_patch *klpb_patch(void);

#endif /* _KLP_BUNDLE_H */
