// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "create/decls.h"
#include "tap.h"

/* In JSON mode p_err() keeps the first message in ctx.err_msg: the scanner's report. */
static struct klpb_ctx ctx = { .json = true };

static int scan(struct decl_list *l, const char *text)
{
	free(ctx.err_msg);
	ctx.err_msg = NULL;
	return decls_scan(&ctx, l, "p.c", text, strlen(text));
}

static void test_good(void)
{
	struct decl_list l = {};
	const char **objs = NULL;
	size_t n = 0;
	const char *src = "#include <linux/klp_bundle.h>\n"
			  "#define KLPB_PATCH_FUNC(a, b) not a declaration\n"
			  "/* KLPB_PATCH_FUNC(vmlinux, in_comment, x) */\n"
			  "// KLPB_PATCH_FUNC(vmlinux, in_line_comment, x)\n"
			  "static const char *s = \"KLPB_PATCH_FUNC(vmlinux, in_string, x)\";\n"
			  "static int my_show(void) { return 0; }\n"
			  "KLPB_PATCH_FUNC(snd-hda_intel, azx_probe, my_probe);\n"
			  "KLPB_PATCH_FUNC( vmlinux ,\n\tcmdline_proc_show , my_show );\n"
			  "KLPB_PATCH_FUNC_POS(vmlinux, jhash, 2, my_jhash);\n"
			  "KLPB_PATCH_FUNC_POS(vmlinux, jhash, 3, my_jhash3);\n"
			  "KLPB_PATCH_FUNC(mymod, helper.isra.0, my_helper);\n"
			  "KLPB_OBJECT_CALLBACKS(other_mod, pre, NULL, NULL, post);\n";

	is_int(scan(&l, src), 0, "a source with declarations, comments, strings, #define");
	is_int(l.n_funcs, 5, "five functions, none from comments, strings or directives");
	is_str(l.funcs[0].object, "snd_hda_intel", "'-' in a module name is read as '_'");
	is_str(l.funcs[1].old_name, "cmdline_proc_show", "spaces and newlines inside are fine");
	is_int(l.funcs[1].line, 8, "the line of the declaration is recorded");
	is_int(l.funcs[1].sympos, 0, "KLPB_PATCH_FUNC: sympos 0");
	is_int(l.funcs[2].sympos, 2, "KLPB_PATCH_FUNC_POS: the position");
	is_str(l.funcs[4].old_name, "helper.isra.0", "a compiler-suffixed name is one word");
	is_str(l.funcs[2].new_name, "my_jhash", "the replacement's name");
	is_int(l.n_callback_objects, 1, "callbacks recorded");
	is_int(decls_objects(&l, &objs, &n), 0, "objects listed");
	is_int(n, 4, "four distinct objects");
	is_str(n ? objs[0] : NULL, "vmlinux", "vmlinux first");
	is_str(n == 4 ? objs[3] : NULL, "other_mod", "a callbacks-only object is an object");
	free(objs);
	decls_free(&l);
}

static void test_symbols(void)
{
	struct decl_list l = {};
	const char **objs = NULL;
	size_t n = 0;
	const char *src =
		"KLPB_SYMBOL(vmlinux, saved_command_line_len, unsigned int);\n"
		"KLPB_SYMBOL(vmlinux, static_helper, int (struct seq_file *m, int (*cb)(int, int)));\n"
		"KLPB_SYMBOL_POS(snd-mod, dup_var, 2, long);\n"
		"KLPB_PATCH_FUNC(vmlinux, cmdline_proc_show, f);\n";

	is_int(scan(&l, src), 0, "symbol references with types holding parentheses and commas");
	is_int(l.n_symrefs, 3, "three references");
	is_str(l.symrefs[1].name, "static_helper", "the name before a function type");
	is_int(l.symrefs[1].line, 2, "its line");
	is_str(l.symrefs[2].object, "snd_mod", "the object, '-' read as '_'");
	is_int(l.symrefs[2].sympos, 2, "KLPB_SYMBOL_POS: the position");
	is_int(l.n_funcs, 1, "declarations after them still found");
	is_int(decls_objects(&l, &objs, &n), 0, "objects listed");
	is_int(n, 2, "a reference's object is an object of the bundle");
	free(objs);
	decls_free(&l);
}

/* KLPB_DIRECT_REF_POS: the generated declarations of create --patch */
static void test_direct(void)
{
	struct decl_list l = {};
	const char *src = "#include <klp_bundle.h>\n"
			  "KLPB_DIRECT_REF_POS(vmlinux, count.3, 2, 0);\n"
			  "KLPB_DIRECT_REF_POS(snd-mod, helper.isra.0, 0, 1);\n"
			  "KLPB_SYMBOL(vmlinux, count.3, int);\n";

	is_int(scan(&l, src), 0, "direct references scan");
	is_int(l.n_symrefs, 3, "two direct references and a KLPB_SYMBOL");
	is_str(l.symrefs[0].name, "count.3", "a static local's name, dots and all");
	is_int(l.symrefs[0].sympos, 2, "its position");
	ok(l.symrefs[0].direct && !l.symrefs[0].is_func, "data: direct, not a function");
	is_str(l.symrefs[1].object, "snd_mod", "the object, '-' read as '_'");
	is_str(l.symrefs[1].name, "helper.isra.0", "a suffixed function name");
	ok(l.symrefs[1].direct && l.symrefs[1].is_func, "is_func 1: a direct function");
	ok(!l.symrefs[2].direct && !l.symrefs[2].is_func, "KLPB_SYMBOL is not direct");
	is_int(l.symrefs[2].line, 4, "its line");
	decls_free(&l);
}

static void test_bad(void)
{
	static const struct {
		const char *src, *want, *what;
	} cases[] = {
		{ "KLPB_PATCH_FUNC(vmlinux, a);", "takes 3 plain names", "too few arguments" },
		{ "KLPB_PATCH_FUNC(vmlinux, a, b, c);", "takes 3 plain names",
		  "too many arguments" },
		{ "KLPB_PATCH_FUNC(vmlinux, MACRO(a), b);", "write the declaration literally",
		  "a macro argument" },
		{ "KLPB_PATCH_FUNC;", "is not followed by '('", "no arguments" },
		{ "KLPB_PATCH_FUNC(Bad.Obj, a, b);", "invalid object name 'Bad.Obj'",
		  "bad object" },
		{ "KLPB_PATCH_FUNC(a2345678901234567890123456789012345678901234567890123456, f, g);",
		  "longer than 55", "object name too long" },
		{ "KLPB_PATCH_FUNC_POS(vmlinux, f, two, g);",
		  "position 'two' of 'f' is not a number", "non-numeric sympos" },
		{ "KLPB_PATCH_FUNC(vmlinux, f, 9g);", "replacement '9g' is not a C identifier",
		  "bad replacement" },
		{ "KLPB_PATCH_FUNC(vmlinux, f, g);\nKLPB_PATCH_FUNC(vmlinux, f, h);",
		  "p.c:2: 'f' in vmlinux is already replaced at p.c:1", "duplicate" },
		{ "KLPB_PATCH_FUNC_POS(vmlinux, f, 2, g);\nKLPB_PATCH_FUNC(vmlinux, f, h);",
		  "already replaced", "sympos 0 and 2 of one name contradict" },
		{ "KLPB_OBJECT_CALLBACKS(m, a, b, c, d);\nKLPB_OBJECT_CALLBACKS(m, a, b, c, d);",
		  "a second KLPB_OBJECT_CALLBACKS for 'm'", "two callbacks for one object" },
		{ "KLPB_SYMBOL(vmlinux, x);",
		  "'KLPB_SYMBOL' takes 2 plain names (object, symbol, then its type)",
		  "a symbol without a type" },
		{ "KLPB_SYMBOL(vmlinux, x, );", "'KLPB_SYMBOL' needs a type after the symbol",
		  "an empty type" },
		{ "KLPB_SYMBOL(vmlinux, x, int;", "needs a type", "an unclosed type" },
		{ "KLPB_SYMBOL_POS(vmlinux, x, y, int);", "position 'y' of 'x' is not a number",
		  "a bad symbol position" },
		{ "KLPB_SYMBOL(vmlinux, x, int);\nKLPB_SYMBOL(vmlinux, x, long);",
		  "p.c:2: 'x' of vmlinux is already referenced at p.c:1", "a duplicate reference" },
		{ "KLPB_DIRECT_REF_POS(vmlinux, x, 0);",
		  "'KLPB_DIRECT_REF_POS' takes 4 plain names (object, symbol, position, 0 or 1 for a function)",
		  "a direct reference without is_func" },
		{ "KLPB_DIRECT_REF_POS(vmlinux, x, 0, 2);",
		  "'2' of KLPB_DIRECT_REF_POS 'x' is not 0 or 1", "a bad is_func" },
		{ "KLPB_DIRECT_REF_POS(vmlinux, x, a, 1);", "position 'a' of 'x' is not a number",
		  "a bad direct position" },
		{ "KLPB_DIRECT_REF_POS(vmlinux, x.1, 0, 0);\nKLPB_DIRECT_REF_POS(vmlinux, x.1, 0, 0);",
		  "p.c:2: 'x.1' of vmlinux is already referenced at p.c:1",
		  "a duplicate direct reference" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct decl_list l = {};

		is_int(scan(&l, cases[i].src), -EINVAL, "%s: -EINVAL", cases[i].what);
		ok(ctx.err_msg && strstr(ctx.err_msg, cases[i].want) != NULL, "%s: '%s'",
		   cases[i].what, ctx.err_msg ? ctx.err_msg : "(nothing reported)");
		decls_free(&l);
	}
}

int main(void)
{
	test_good();
	test_symbols();
	test_direct();
	test_bad();
	free(ctx.err_msg);
	return done_testing();
}
