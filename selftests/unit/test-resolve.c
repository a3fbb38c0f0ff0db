// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * test-resolve - the objdiff_resolver of create --patch
 * (bundler/create/resolve.c) over a synthetic target assembled here: a
 * linked "vmlinux" (ELF symbols, address order) whose three units each
 * define a static dup(), a "module" (.ko-like ld -r output with STT_FILE
 * groups) and a Module.symvers; then, if a kernel image is readable, the
 * kallsyms path on the real one.
 */
#include <errno.h>
#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "create/kallsyms.h"
#include "create/resolve.h"
#include "sys/kernel-info.h"
#include "tap.h"

static char dir[] = "/tmp/test-resolve.XXXXXX";

static int write_text(const char *name, const char *text)
{
	char path[128];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	if (!f)
		return -errno;
	fputs(text, f);
	return fclose(f) ? -errno : 0;
}

/* Run the shell command @what in the test directory. */
static int run_in_dir(const char *what)
{
	char cmd[1024];

	snprintf(cmd, sizeof(cmd), "cd '%s' && %s", dir, what);
	return system(cmd) == 0 ? 0 : -ENOEXEC;
}

/* Functions @prefix_0..@prefix_{n-1} (globals, to keep them apart from the statics). */
static void fillers(FILE *f, const char *prefix, int n)
{
	for (int i = 0; i < n; i++)
		fprintf(f, ".globl %s_%d\n.type %s_%d,@function\n%s_%d: ret\n", prefix, i, prefix,
			i, prefix, i);
}

static int write_fill(const char *name, const char *prefix)
{
	char path[128];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	if (!f)
		return -errno;
	fputs(".text\n", f);
	fillers(f, prefix, 40);
	fprintf(f, ".data\n");
	for (int i = 0; i < 40; i++)
		fprintf(f, ".globl %s_d%d\n.type %s_d%d,@object\n%s_d%d: .long 0\n", prefix, i,
			prefix, i, prefix, i);
	return fclose(f) ? -errno : 0;
}

#define FN(n) ".type " n ",@function\n" n ": ret\n"
#define GFN(n) ".globl " n "\n" FN(n)
#define OBJ(n) ".type " n ",@object\n" n ": .long 0\n"

static const char unit_a[] = ".text\n" FN("a_one") FN("a_two") FN("dup") FN("a_three")
	GFN("_start") ".data\n" OBJ("count.3") OBJ("a_data");
static const char unit_b[] = ".text\n" FN("b_one") FN("helper_x") FN("dup") FN("b_two")
	GFN("exp_fn") GFN("ns_sym") ".data\n" OBJ("count.3") OBJ("b_data");
static const char unit_c[] = ".text\n" FN("c_one") FN("helper_x") FN("dup")
	GFN("both") ".data\n" OBJ("c_data");
static const char unit_d[] = ".text\n" FN("both");
static const char mod_1[] = ".file \"m1.c\"\n.text\n" FN("m1_a") FN("dup") FN("m1_b");
static const char mod_2[] = ".file \"m2.c\"\n.text\n" FN("m2_a") FN("dup") GFN("own_fn")
	GFN("mod_global") GFN("shadow_fn") ".section .init.text,\"ax\"\n" FN("m2_init");
static const char symvers[] = "0x1\texp_fn\tvmlinux\tEXPORT_SYMBOL\t\n"
			      "0x2\tns_sym\tvmlinux\tEXPORT_SYMBOL_GPL\tSOME_NS\n"
			      "0x3\tother_fn\tdrivers/x/other-mod\tEXPORT_SYMBOL\t\n"
			      "0x4\town_fn\tdrivers/y/my-mod\tEXPORT_SYMBOL\t\n"
			      "0x5\tshadow_fn\tvmlinux\tEXPORT_SYMBOL\t\n";

static int build_fixtures(void)
{
	int rc = write_text("a.s", unit_a);

	rc = rc ? rc : write_text("b.s", unit_b);
	rc = rc ? rc : write_text("c.s", unit_c);
	rc = rc ? rc : write_text("d.s", unit_d);
	rc = rc ? rc : write_fill("f1.s", "fa");
	rc = rc ? rc : write_fill("f2.s", "fb");
	rc = rc ? rc : write_fill("f3.s", "fc");
	rc = rc ? rc : write_text("m1.s", mod_1);
	rc = rc ? rc : write_text("m2.s", mod_2);
	rc = rc ? rc : write_text("Module.symvers", symvers);
	if (!rc)
		rc = run_in_dir(
			"for f in a b c d f1 f2 f3 m1 m2; do cc -c -o $f.o $f.s || exit 1; done && "
			"cc -nostdlib -static -no-pie -Wl,-e,_start -o vmlinux a.o f1.o b.o f2.o c.o f3.o d.o && "
			"ld -r -o my_mod.ko m1.o m2.o");
	return rc;
}

static struct klpb_ctx ctx = { .json = true };
static struct resolver_state *rs;

static void reset_err(void)
{
	free(ctx.err_msg);
	ctx = (struct klpb_ctx){ .json = true };
}

/* Ask @name of @unit in @object; the answer in *@a. */
static int ask(const char *unit, const char *object, const char *name, bool is_func, bool is_local,
	       const char *const *unit_syms, size_t n, struct objdiff_answer *a)
{
	struct objdiff_query q = { unit, object, name, is_func, is_local, unit_syms, n };
	struct objdiff_resolver r = resolve_resolver(rs);

	reset_err();
	return r.resolve(&ctx, r.arg, &q, a);
}

static bool has(const char *want)
{
	return ctx.err_msg && strstr(ctx.err_msg, want);
}

static void test_vmlinux(void)
{
	static const char *const syms_a[] = { "a_one",	 "a_two",   "dup",
					      "a_three", "count.3", "a_data" };
	static const char *const syms_b[] = { "b_one",	"helper_x", "dup",   "b_two",
					      "exp_fn", "count.3",  "b_data" };
	static const char *const syms_c[] = { "c_one", "helper_x", "dup", "c_data" };
	static const char *const shared[] = { "helper_x", "dup" };
	static const char *const lonely[] = { "dup", "nothing_else" };
	struct objdiff_answer a;

	is_int(ask("a.c", "vmlinux", "exp_fn", true, false, syms_a, 6, &a), 0, "an export");
	is_int(a.kind, OBJDIFF_REF_EXPORTED, "exported by vmlinux: a plain undefined symbol");
	is_int(ask("a.c", "vmlinux", "ns_sym", true, false, syms_a, 6, &a), 0, "a namespaced one");
	ok(a.kind == OBJDIFF_REF_KLP && !strcmp(a.object, "vmlinux") && a.sympos == 0,
	   "a namespaced export: a livepatch reference, unique (sympos 0)");
	is_int(ask("a.c", "vmlinux", "dup", true, true, syms_a, 6, &a), 0, "a.c's dup");
	ok(a.kind == OBJDIFF_REF_KLP && a.sympos == 1, "the first of three (got %lu)", a.sympos);
	is_int(ask("b.c", "vmlinux", "dup", true, true, syms_b, 7, &a), 0, "b.c's dup");
	is_int(a.sympos, 2, "the second, by its neighbours");
	is_int(ask("c.c", "vmlinux", "dup", true, true, syms_c, 4, &a), 0, "c.c's dup");
	is_int(a.sympos, 3, "the third");
	is_int(ask("b.c", "vmlinux", "count.3", false, true, syms_b, 7, &a), 0, "a static local");
	is_int(a.sympos, 2, "b.c's count.3 is the second, by its data neighbours");
	is_int(ask("a.c", "vmlinux", "count.3", false, true, syms_a, 6, &a), 0, "a.c's");
	is_int(a.sympos, 1, "the first");

	is_int(ask("x.c", "vmlinux", "dup", true, true, shared, 2, &a), -EINVAL, "a tie");
	ok(has("x.c: 'dup' is defined 3 times in vmlinux and positions 2 and 3 sit equally"),
	   "refused: %s", ctx.err_msg ? ctx.err_msg : "(nothing)");
	is_int(ask("fs/proc/base.c", "vmlinux", "dup", true, true, lonely, 2, &a), -EINVAL,
	       "no neighbour");
	ok(has("fs/proc/base.c: 'dup' is defined 3 times in vmlinux and none sits among this unit's other symbols"),
	   "refused: %s", ctx.err_msg ? ctx.err_msg : "(nothing)");
	is_int(ask("a.c", "vmlinux", "no_such_sym", true, true, syms_a, 6, &a), -ENOENT,
	       "a missing symbol");
	ok(has("a.c: 'no_such_sym' is not a symbol of vmlinux"), "refused: %s",
	   ctx.err_msg ? ctx.err_msg : "(nothing)");
	is_int(ask("a.c", "vmlinux", "dup", false, true, syms_a, 6, &a), -EINVAL, "wrong kind");
	ok(has("'dup' is a function in vmlinux but the unit uses it as data"), "refused: %s",
	   ctx.err_msg ? ctx.err_msg : "(nothing)");
	is_int(ask("d.c", "vmlinux", "both", true, true, NULL, 0, &a), 0,
	       "one local and one global of a name");
	is_int(a.sympos, 2, "a static picks the local one (second in address order)");
	is_int(ask("c.c", "vmlinux", "both", true, false, NULL, 0, &a), 0, "and a global");
	is_int(a.sympos, 1, "the global one");
	is_int(ask("a.c", "vmlinux", "other_fn", true, false, syms_a, 6, &a), -EINVAL,
	       "another module's export");
	ok(has("a.c: 'other_fn' is exported by module other_mod") &&
		   has("the bundle would depend on that module"),
	   "refused: %s", ctx.err_msg ? ctx.err_msg : "(nothing)");
}

static void test_module(void)
{
	static const char *const syms_2[] = { "m2_a", "dup", "own_fn", "mod_global" };
	static const char *const syms_1[] = { "m1_a", "dup", "m1_b" };
	struct objdiff_answer a;

	is_int(ask("drivers/y/m2.c", "my_mod", "dup", true, true, syms_2, 4, &a), 0,
	       "a module's static");
	ok(a.kind == OBJDIFF_REF_KLP && !strcmp(a.object, "my_mod") && a.sympos == 2,
	   "the second, in m2.c's STT_FILE group (got %s %lu)", a.object, a.sympos);
	is_int(ask("drivers/y/m1.c", "my_mod", "dup", true, true, syms_1, 3, &a), 0, "m1.c's");
	is_int(a.sympos, 1, "the first");
	is_int(ask("drivers/y/m2.c", "my_mod", "own_fn", true, false, syms_2, 4, &a), 0,
	       "the module's own export");
	ok(a.kind == OBJDIFF_REF_KLP && !strcmp(a.object, "my_mod") && a.sympos == 0,
	   "a livepatch reference into the module itself");
	is_int(ask("drivers/y/m2.c", "my_mod", "mod_global", true, false, syms_2, 4, &a), 0,
	       "a global of the module, not exported");
	ok(a.kind == OBJDIFF_REF_KLP && !strcmp(a.object, "my_mod"), "into the module");
	is_int(ask("drivers/y/m2.c", "my_mod", "ns_sym", true, false, syms_2, 4, &a), 0,
	       "a namespaced vmlinux export from a module");
	ok(a.kind == OBJDIFF_REF_KLP && !strcmp(a.object, "vmlinux"), "into vmlinux");
	is_int(ask("drivers/y/m2.c", "my_mod", "exp_fn", true, false, syms_2, 4, &a), 0,
	       "a vmlinux export from a module");
	is_int(a.kind, OBJDIFF_REF_EXPORTED, "exported");
	is_int(ask("drivers/y/m2.c", "my_mod", "shadow_fn", true, false, syms_2, 4, &a), 0,
	       "a global of the module with the name of a vmlinux export");
	ok(a.kind == OBJDIFF_REF_KLP && !strcmp(a.object, "my_mod"),
	   "the module's own, not the export (got kind %d, %s)", a.kind, a.object);
	is_int(ask("drivers/y/m2.c", "my_mod", "m2_init", true, true, syms_2, 4, &a), -ENOENT,
	       "an __init symbol is not listed once the module is loaded");
	is_int(ask("drivers/y/m2.c", "my_mod", "other_fn", true, false, syms_2, 4, &a), -EINVAL,
	       "another module's export, from a module");
}

/* The kallsyms path: a real image, and a duplicated name's neighbours taken from it. */
struct real_pick {
	const char *name;
	char *neigh[8];
	size_t n_neigh, seen, want_pos;
	char *prev[4];
};

static int real_cb(char type, const char *name, uint64_t addr, void *data)
{
	struct real_pick *p = data;

	(void)addr;
	if (type == 'U')
		return 0;
	if (p->seen == 2 && p->n_neigh < 8 && strcmp(name, p->name) != 0) {
		p->neigh[p->n_neigh++] = strdup(name); /* after the second copy */
		return 0;
	}
	if (strcmp(name, p->name) == 0 && ++p->seen == 2) {
		for (int i = 0; i < 4; i++)
			if (p->prev[i] && p->n_neigh < 8)
				p->neigh[p->n_neigh++] = p->prev[i], p->prev[i] = NULL;
	}
	if (p->seen < 2) {
		free(p->prev[0]);
		memmove(p->prev, p->prev + 1, 3 * sizeof(*p->prev));
		p->prev[3] = strdup(name);
	}
	return 0;
}

static void test_real_image(const char *image)
{
	struct target t = { 0 };
	struct resolver_state *real = NULL;
	struct real_pick p = { .name = "jhash" };
	struct objdiff_answer a;
	struct objdiff_query q;
	uint8_t *img = NULL;
	size_t len = 0;

	if (access(image, R_OK) != 0 || kernel_image_load(image, &img, &len) != 0) {
		skip("cannot read the image", "the kallsyms path on %s", image);
		return;
	}
	kallsyms_foreach(img, len, real_cb, &p);
	t.release = strdup("test");
	t.kdir = strdup(dir);
	t.image = strdup(image);
	t.vmlinux = img;
	t.vmlinux_len = len;
	diag("kallsyms of %s", t.image);
	if (resolve_init(&ctx, &t, &real) != 0 || p.seen < 2) {
		ok(0, "a resolver over the real image (jhash seen %zu times)", p.seen);
		goto out;
	}
	q = (struct objdiff_query){ "lib/x.c", "vmlinux", "jhash",
				    true,      true,	  (const char *const *)p.neigh,
				    p.n_neigh };
	reset_err();
	is_int(resolve_symbol(&ctx, real, &q, &a), 0, "kallsyms: the second jhash by neighbours");
	is_int(a.sympos, 2, "kallsyms: sympos 2");
	q.name = "cmdline_proc_show";
	is_int(resolve_symbol(&ctx, real, &q, &a), 0, "kallsyms: a unique static");
	ok(a.kind == OBJDIFF_REF_KLP && a.sympos == 0, "kallsyms: sympos 0");
	q.name = "no_such_symbol_klpb";
	is_int(resolve_symbol(&ctx, real, &q, &a), -ENOENT, "kallsyms: a missing one");
out:
	for (size_t k = 0; k < p.n_neigh; k++)
		free(p.neigh[k]);
	for (int k = 0; k < 4; k++)
		free(p.prev[k]);
	resolve_free(real);
	target_fini(&t);
}

int main(void)
{
	struct target t = { 0 };
	char path[128];
	int rc;

	if (!mkdtemp(dir) || build_fixtures() != 0) {
		skip("cannot assemble and link x86-64 fixtures with cc and ld", "all");
		return done_testing();
	}
	t.release = strdup("test");
	t.kdir = strdup("/nonexistent-klpb");
	snprintf(path, sizeof(path), "%s/vmlinux", dir);
	t.image = strdup(path);
	is_int(resolve_init(&ctx, &t, &rs), -ENOENT, "no Module.symvers");
	ok(has("cannot read the exports of kernel test from '/nonexistent-klpb/Module.symvers'"),
	   "refused: %s", ctx.err_msg ? ctx.err_msg : "(nothing)");
	free(t.kdir);
	t.kdir = strdup(dir);
	t.mods = calloc(1, sizeof(*t.mods));
	t.mods[0].name = strdup("my_mod");
	snprintf(path, sizeof(path), "%s/my_mod.ko", dir);
	t.mods[0].path = strdup(path);
	t.n_mods = 1;
	reset_err();
	rc = resolve_init(&ctx, &t, &rs);
	is_int(rc, 0, "a resolver over the synthetic target");
	if (!rc) {
		test_vmlinux();
		test_module();
	}
	resolve_free(rs);
	rs = NULL;
	{
		glob_t g = { 0 };

		if (glob("/boot/vmlinuz-*", 0, NULL, &g) != 0)
			skip("no kernel image in /boot", "the kallsyms path");
		for (size_t i = 0; i < g.gl_pathc; i++)
			test_real_image(g.gl_pathv[i]);
		globfree(&g);
	}
	target_fini(&t);
	reset_err();
	run_in_dir("rm -f ./*.s ./*.o vmlinux my_mod.ko Module.symvers");
	rmdir(dir);
	return done_testing();
}
