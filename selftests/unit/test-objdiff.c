// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * test-objdiff - objdiff_extract() (bundler/create/objdiff.c) on pairs of
 * objects compiled here with the host gcc from the fixtures in
 * selftests/unit/objdiff/ (the patched one with -DPATCHED), the flags of a
 * kernel unit built for create --patch, and a fake resolver: ext_* symbols
 * are exported, everything else is a livepatch reference into vmlinux
 * (static locals named count.* at position 2).  The extracted object is
 * read back with libelf, checked by readelf and linked with ld -r.
 */
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "create/objdiff.h"
#include "tap.h"
#include "util/file.h"

#define CFLAGS                                                              \
	"-O2 -ffunction-sections -fdata-sections -mcmodel=kernel -fno-pic " \
	"-fno-asynchronous-unwind-tables"

static char dir[] = "/tmp/test-objdiff.XXXXXX";
static char fixtures[4096];

struct fake {
	int n_queries;
	char last[128];
	bool last_local;
	bool saw_unit_syms;
};

static int fake_resolve(struct klpb_ctx *ctx, void *arg, const struct objdiff_query *q,
			struct objdiff_answer *a)
{
	struct fake *f = arg;

	f->n_queries++;
	snprintf(f->last, sizeof(f->last), "%s", q->name);
	f->last_local = q->is_local;
	f->saw_unit_syms |= q->n_unit_syms > 0;
	if (strncmp(q->name, "ext_", 4) == 0) {
		a->kind = OBJDIFF_REF_EXPORTED;
		return 0;
	}
	a->kind = OBJDIFF_REF_KLP;
	snprintf(a->object, sizeof(a->object), "vmlinux");
	a->sympos = strncmp(q->name, "count.", 6) == 0 ? 2 : 0;
	return 0;
}

/* Compile fixture @name twice into the temporary directory; fill @u. */
static int build(const char *name, struct unit *u, char *orig, char *patched, size_t len)
{
	char cmd[16384];

	snprintf(orig, len, "%s/%s.orig.o", dir, name);
	snprintf(patched, len, "%s/%s.patched.o", dir, name);
	snprintf(cmd, sizeof(cmd),
		 "gcc " CFLAGS " -c -o %s %s/%s.c && gcc " CFLAGS " -DPATCHED -c -o %s %s/%s.c",
		 orig, fixtures, name, patched, fixtures, name);
	if (system(cmd) != 0)
		return -ENOEXEC;
	*u = (struct unit){
		.path = (char *)name, .object = "vmlinux", .orig_o = orig, .patched_o = patched
	};
	return 0;
}

struct run {
	struct klpb_ctx ctx;
	struct fake fake;
	struct objdiff_result res;
	int rc;
};

static void run_fixture(const char *name, struct run *r)
{
	struct objdiff_resolver rs = { .resolve = fake_resolve, .arg = &r->fake };
	char orig[256], patched[256];
	struct unit u;

	memset(r, 0, sizeof(*r));
	r->ctx.json = true; /* keep the message in ctx.err_msg */
	r->rc = build(name, &u, orig, patched, sizeof(orig));
	if (!r->rc)
		r->rc = objdiff_extract(&r->ctx, &u, &rs, &r->res);
	if (r->ctx.err_msg)
		diag("%s: %s", name, r->ctx.err_msg);
}

static void run_free(struct run *r)
{
	objdiff_result_free(&r->res);
	free(r->ctx.err_msg);
}

static const struct objdiff_func *func(const struct run *r, const char *name)
{
	for (size_t i = 0; i < r->res.n_funcs; i++)
		if (strcmp(r->res.funcs[i].name, name) == 0)
			return &r->res.funcs[i];
	return NULL;
}

/* What the extracted object says about symbol @name and section @sec. */
struct look {
	bool valid; /* libelf reads it: ET_REL, a symtab with its locals first */
	int sym_bind, sym_type, sym_defined; /* -1: no such symbol */
	long sec_size; /* -1: no such section */
	int sec_relas; /* relocations of .rela<sec> */
	char first_rela_sym[128]; /* the symbol (or section) its first relocation names */
	long second_addend; /* the addend of its second relocation */
};

static void look(const struct objdiff_result *res, const char *name, const char *sec,
		 struct look *l)
{
	Elf *elf = res->elf ? elf_memory((char *)res->elf, res->elf_len) : NULL;
	size_t shstrndx, strndx = 0, first_global = 0;
	Elf_Data *syms = NULL;
	Elf_Scn *scn = NULL;
	GElf_Ehdr eh;
	GElf_Shdr sh;
	GElf_Sym s;
	char rname[128];

	memset(l, 0, sizeof(*l));
	l->sym_bind = l->sym_type = l->sym_defined = -1;
	l->sec_size = -1;
	if (!elf || !gelf_getehdr(elf, &eh) || eh.e_type != ET_REL ||
	    elf_getshdrstrndx(elf, &shstrndx))
		goto out;
	while ((scn = elf_nextscn(elf, scn)))
		if (gelf_getshdr(scn, &sh) && sh.sh_type == SHT_SYMTAB) {
			syms = elf_getdata(scn, NULL);
			strndx = sh.sh_link;
			first_global = sh.sh_info;
		}
	if (!syms)
		goto out;
	l->valid = true;
	for (int i = 1; gelf_getsym(syms, i, &s); i++) {
		const char *n = elf_strptr(elf, strndx, s.st_name);

		if ((GELF_ST_BIND(s.st_info) == STB_LOCAL) != ((size_t)i < first_global))
			l->valid = false;
		if (n && name && strcmp(n, name) == 0) {
			l->sym_bind = GELF_ST_BIND(s.st_info);
			l->sym_type = GELF_ST_TYPE(s.st_info);
			l->sym_defined = s.st_shndx != SHN_UNDEF;
		}
	}
	snprintf(rname, sizeof(rname), ".rela%s", sec ? sec : "");
	while ((scn = elf_nextscn(elf, scn))) {
		const char *n;
		Elf_Data *d;
		GElf_Rela r;

		if (!gelf_getshdr(scn, &sh) || !(n = elf_strptr(elf, shstrndx, sh.sh_name)) || !sec)
			continue;
		if (strcmp(n, sec) == 0)
			l->sec_size = (long)sh.sh_size;
		if (strcmp(n, rname) != 0 || !(d = elf_getdata(scn, NULL)))
			continue;
		l->sec_relas = (int)(sh.sh_size / sizeof(Elf64_Rela));
		if (gelf_getrela(d, 0, &r) && gelf_getsym(syms, (int)GELF_R_SYM(r.r_info), &s)) {
			const char *sn =
				GELF_ST_TYPE(s.st_info) == STT_SECTION ?
					elf_strptr(elf, shstrndx,
						   (gelf_getshdr(elf_getscn(elf, s.st_shndx), &sh),
						    sh.sh_name)) :
					elf_strptr(elf, strndx, s.st_name);

			snprintf(l->first_rela_sym, sizeof(l->first_rela_sym), "%s", sn ? sn : "");
		}
		if (gelf_getrela(d, 1, &r))
			l->second_addend = (long)r.r_addend;
	}
out:
	if (elf)
		elf_end(elf);
}

/* readelf reads the object without complaint, and ld -r links it with another object. */
static bool tools_accept(const struct objdiff_result *res, const char *name)
{
	char path[256], cmd[4096], other[256];
	FILE *f;
	int rc;

	snprintf(path, sizeof(path), "%s/%s.extracted.o", dir, name);
	snprintf(other, sizeof(other), "%s/%s.other.c", dir, name);
	if (write_file_atomic(path, res->elf, res->elf_len, 0644, false))
		return false;
	f = fopen(other, "w");
	if (!f)
		return false;
	fputs("int other_object(void) { return 42; }\n", f);
	fclose(f);
	snprintf(cmd, sizeof(cmd),
		 "readelf -a -W %s >%s.readelf 2>&1 && ! grep -qiE 'warning|error' %s.readelf && "
		 "gcc -c -o %s.o %s && ld -r -o %s.linked.o %s %s.o",
		 path, path, path, other, other, path, path, other);
	rc = system(cmd);
	return rc == 0;
}

static void test_unchanged(void)
{
	struct run r;

	run_fixture("unchanged", &r);
	is_int(r.rc, 0, "unchanged: extracted");
	is_int(r.res.n_funcs, 0, "unchanged: no function reported");
	ok(r.res.elf == NULL, "unchanged: no object");
	run_free(&r);
}

static void test_changed(void)
{
	const struct objdiff_func *f;
	struct run r, again;
	struct look l;

	run_fixture("changed", &r);
	is_int(r.rc, 0, "changed: extracted");
	is_int(r.res.n_funcs, 1, "changed: one function");
	f = func(&r, "calc");
	ok(f && !f->is_new && f->new_sym && strcmp(f->new_sym, "klpb_new_vmlinux_0_calc") == 0,
	   "changed: calc, replaced by klpb_new_vmlinux_0_calc");
	look(&r.res, "klpb_new_vmlinux_0_calc", ".text.calc", &l);
	ok(l.valid, "changed: the object reads back (ET_REL, locals first)");
	ok(l.sym_bind == STB_GLOBAL && l.sym_type == STT_FUNC && l.sym_defined == 1,
	   "changed: the replacement is a global function");
	ok(l.sec_size > 0, "changed: .text.calc carried");
	look(&r.res, "other", ".text.other", &l);
	ok(l.sym_bind == -1 && l.sec_size == -1, "changed: other is not carried");
	ok(tools_accept(&r.res, "changed"), "changed: readelf and ld -r accept it");
	run_fixture("changed", &again);
	ok(again.rc == 0 && again.res.elf_len == r.res.elf_len &&
		   memcmp(again.res.elf, r.res.elf, r.res.elf_len) == 0,
	   "changed: the same inputs give the same bytes");
	run_free(&again);
	run_free(&r);
}

static void test_inline(void)
{
	struct run r;

	run_fixture("inline", &r);
	is_int(r.rc, 0, "inline: extracted");
	is_int(r.res.n_funcs, 2, "inline: two functions changed");
	ok(func(&r, "caller_a") && func(&r, "caller_b") && !func(&r, "bystander"),
	   "inline: both callers of the helper, not the bystander");
	ok(tools_accept(&r.res, "inline"), "inline: readelf and ld -r accept it");
	run_free(&r);
}

static void test_newfn(void)
{
	const struct objdiff_func *f, *n;
	struct look l;
	struct run r;

	run_fixture("newfn", &r);
	is_int(r.rc, 0, "newfn: extracted");
	f = func(&r, "entry");
	n = func(&r, "clamp_input");
	ok(f && !f->is_new && n && n->is_new && !n->new_sym,
	   "newfn: entry changed, clamp_input new");
	look(&r.res, "clamp_input", ".text.clamp_input", &l);
	ok(l.sym_bind == STB_LOCAL && l.sym_defined == 1 && l.sec_size > 0,
	   "newfn: the new function is carried, local");
	look(&r.res, "ext_log", NULL, &l);
	ok(l.sym_bind == STB_GLOBAL && l.sym_defined == 0,
	   "newfn: the exported function it calls is a plain undefined global");
	look(&r.res, NULL, ".rodata.clamp_input.str1.1", &l);
	ok(l.sec_size > 0, "newfn: its string is carried");
	is_int(r.res.n_refs, 0, "newfn: no livepatch reference");
	ok(tools_accept(&r.res, "newfn"), "newfn: readelf and ld -r accept it");
	run_free(&r);
}

/* The name of the OBJECT symbol the first relocation of .rela.text.@fn names in object @path. */
static void local_used_by(const char *path, const char *fn, char *out, size_t len)
{
	char cmd[1024];
	FILE *p;

	snprintf(
		cmd, sizeof(cmd),
		"readelf -rW %s | sed -n '/.rela.text.%s/,/^$/p' | sed -n 's/.* \\.bss\\.\\([^ ]*\\) .*/\\1/p' | head -1",
		path, fn);
	out[0] = '\0';
	p = popen(cmd, "r");
	if (!p)
		return;
	if (fgets(out, (int)len, p))
		out[strcspn(out, "\n")] = '\0';
	pclose(p);
}

static void test_staticlocal(void)
{
	char orig_name[64], patched_name[64], path[256];
	const struct objdiff_ref *ref;
	char sym[192];
	struct look l;
	struct run r;

	run_fixture("staticlocal", &r);
	is_int(r.rc, 0, "staticlocal: extracted");
	ok(r.res.n_funcs == 2 && func(&r, "tick") && !func(&r, "unrelated"),
	   "staticlocal: tick changed, unrelated not");
	is_int(r.res.n_refs, 1, "staticlocal: one livepatch reference");
	ref = r.res.n_refs ? &r.res.refs[0] : NULL;
	ok(ref && strncmp(ref->name, "count.", 6) == 0 && !ref->is_func && ref->sympos == 2 &&
		   strcmp(ref->object, "vmlinux") == 0,
	   "staticlocal: to the static local by its original name, position 2");
	ok(r.fake.last_local && r.fake.saw_unit_syms,
	   "staticlocal: the resolver was told it is local, with the unit's symbols");
	snprintf(sym, sizeof(sym), "__klpb_fn.vmlinux.2.%s", ref ? ref->name : "?");
	look(&r.res, sym, ".text.tick", &l);
	ok(l.sym_bind == STB_WEAK && l.sym_defined == 0, "staticlocal: %s is weak undefined", sym);
	is_str(l.first_rela_sym, sym, "staticlocal: tick's relocation uses it");
	look(&r.res, NULL, ".bss.count.1", &l);
	ok(l.sec_size == -1, "staticlocal: the variable itself is not copied");
	ok(tools_accept(&r.res, "staticlocal"), "staticlocal: readelf and ld -r accept it");
	snprintf(path, sizeof(path), "%s/staticlocal.orig.o", dir);
	local_used_by(path, "tick", orig_name, sizeof(orig_name));
	snprintf(path, sizeof(path), "%s/staticlocal.patched.o", dir);
	local_used_by(path, "tick", patched_name, sizeof(patched_name));
	diag("tick's static local: %s in the original, %s in the patched object", orig_name,
	     patched_name);
	ok(ref && *orig_name && strcmp(ref->name, orig_name) == 0 &&
		   strcmp(orig_name, patched_name) != 0,
	   "staticlocal: the original object's name, not the patched one's");
	ok(func(&r, "newcomer") && func(&r, "newcomer")->is_new, "staticlocal: newcomer is new");
	look(&r.res, patched_name[0] ? "count.0" : "?", NULL, &l);
	ok(l.sym_defined == 1 && l.sym_bind == STB_LOCAL && l.sym_type == STT_OBJECT,
	   "staticlocal: newcomer's new static local is carried (count.0, local)");
	run_free(&r);
}

static void test_manylocals(void)
{
	struct run r;
	bool distinct;

	run_fixture("manylocals", &r);
	is_int(r.rc, 0, "manylocals: extracted");
	is_int(r.res.n_refs, 3, "manylocals: three static locals called count, three references");
	distinct = r.res.n_refs == 3 && strcmp(r.res.refs[0].name, r.res.refs[1].name) != 0 &&
		   strcmp(r.res.refs[1].name, r.res.refs[2].name) != 0 &&
		   strcmp(r.res.refs[0].name, r.res.refs[2].name) != 0;
	ok(distinct, "manylocals: to three different variables");
	run_free(&r);
}

static void test_refused(const char *name, const char *word)
{
	struct run r;

	run_fixture(name, &r);
	is_int(r.rc, -EINVAL, "%s: refused", name);
	ok(r.ctx.err_msg && strstr(r.ctx.err_msg, word) && strstr(r.ctx.err_msg, name),
	   "%s: the message says '%s' and names the unit", name, word);
	run_free(&r);
}

/* The address of a function the original takes too: a function reference, not refused. */
static void test_address_kept(void)
{
	struct run r;

	run_fixture("addrkept", &r);
	is_int(r.rc, 0, "addrkept: extracted");
	ok(r.res.n_refs == 1 && strcmp(r.res.refs[0].name, "handler") == 0 && r.res.refs[0].is_func,
	   "addrkept: 'handler' is a function reference");
	run_free(&r);
}

static void test_strings(void)
{
	struct run r;

	run_fixture("strings", &r);
	is_int(r.rc, 0, "strings: extracted");
	ok(r.res.n_funcs == 1 && func(&r, "say_first"),
	   "strings: only the function whose string changed");
	run_free(&r);
}

static void test_bug(void)
{
	struct look l;
	struct run r;

	run_fixture("bug", &r);
	is_int(r.rc, 0, "bug: extracted");
	ok(r.res.n_funcs == 1 && func(&r, "warn_a"), "bug: warn_a changed");
	look(&r.res, NULL, "__bug_table", &l);
	is_int(l.sec_size, 12, "bug: __bug_table keeps one 12-byte entry");
	is_int(l.sec_relas, 2, "bug: with its two relocations");
	is_str(l.first_rela_sym, ".text.warn_a", "bug: pointing into warn_a");
	ok(tools_accept(&r.res, "bug"), "bug: readelf and ld -r accept it");
	run_free(&r);
}

static void test_alt(void)
{
	struct look l;
	struct run r;

	run_fixture("alt", &r);
	is_int(r.rc, 0, "alt: extracted");
	ok(r.res.n_funcs == 1 && func(&r, "alt_b"), "alt: alt_b changed");
	look(&r.res, NULL, ".altinstructions", &l);
	is_int(l.sec_size, 12, "alt: .altinstructions keeps one 12-byte entry");
	is_str(l.first_rela_sym, ".text.alt_b", "alt: for alt_b");
	is_int(l.second_addend, 0,
	       "alt: its replacement now at the start of .altinstr_replacement");
	look(&r.res, NULL, ".altinstr_replacement", &l);
	is_int(l.sec_size, 3, "alt: .altinstr_replacement keeps alt_b's three bytes only");
	ok(tools_accept(&r.res, "alt"), "alt: readelf and ld -r accept it");
	run_free(&r);
}

static void test_ops(void)
{
	struct look l;
	struct run r;

	run_fixture("ops", &r);
	is_int(r.rc, 0, "ops: extracted (no address of handler taken by a copy)");
	ok(r.res.n_refs == 1 && strcmp(r.res.refs[0].name, "my_ops") == 0 && !r.res.refs[0].is_func,
	   "ops: the pointer table is a reference");
	look(&r.res, "weights", ".rodata.weights", &l);
	ok(l.sym_defined == 1 && l.sec_size == 16, "ops: the constants are copied");
	run_free(&r);
}

/* Whether a relocation of .rela@sec names @target (a symbol, or a section); its addend. */
static bool rela_to(const struct objdiff_result *res, const char *sec, const char *target,
		    long *addend)
{
	Elf *elf = res->elf ? elf_memory((char *)res->elf, res->elf_len) : NULL;
	size_t shstrndx, strndx = 0;
	Elf_Data *syms = NULL;
	Elf_Scn *scn = NULL;
	char rname[128];
	bool found = false;
	GElf_Shdr sh;

	if (!elf || elf_getshdrstrndx(elf, &shstrndx))
		goto out;
	while ((scn = elf_nextscn(elf, scn)))
		if (gelf_getshdr(scn, &sh) && sh.sh_type == SHT_SYMTAB) {
			syms = elf_getdata(scn, NULL);
			strndx = sh.sh_link;
		}
	snprintf(rname, sizeof(rname), ".rela%s", sec);
	while (syms && !found && (scn = elf_nextscn(elf, scn))) {
		const char *n;
		Elf_Data *d;
		GElf_Rela r;
		GElf_Sym s;

		if (!gelf_getshdr(scn, &sh) || !(n = elf_strptr(elf, shstrndx, sh.sh_name)) ||
		    strcmp(n, rname) != 0 || !(d = elf_getdata(scn, NULL)))
			continue;
		for (int i = 0; !found && gelf_getrela(d, i, &r); i++) {
			GElf_Shdr ts;

			if (!gelf_getsym(syms, (int)GELF_R_SYM(r.r_info), &s))
				continue;
			n = GELF_ST_TYPE(s.st_info) == STT_SECTION ?
				    (gelf_getshdr(elf_getscn(elf, s.st_shndx), &ts) ?
					     elf_strptr(elf, shstrndx, ts.sh_name) :
					     NULL) :
				    elf_strptr(elf, strndx, s.st_name);
			if (n && strcmp(n, target) == 0) {
				found = true;
				*addend = (long)r.r_addend;
			}
		}
	}
out:
	if (elf)
		elf_end(elf);
	return found;
}

/* A new static in a section it shares: movl $7, y(%rip) is y - 8, not the variable before. */
static void test_sharedsec(void)
{
	long addend = 0;
	struct look l;
	struct run r;

	run_fixture("sharedsec", &r);
	is_int(r.rc, 0, "sharedsec: extracted");
	ok(func(&r, "store") && func(&r, "gety") && func(&r, "gety")->is_new,
	   "sharedsec: store changed, gety new");
	is_int(r.res.n_refs, 0, "sharedsec: no livepatch reference (not to x, which precedes y)");
	look(&r.res, "y", ".data.mine", &l);
	ok(l.sym_defined == 1 && l.sec_size == 4, "sharedsec: y alone is carried");
	ok(rela_to(&r.res, ".text.store", ".data.mine", &addend) && addend == -8,
	   "sharedsec: the store goes to the carried y (.data.mine - 8, got %ld)", addend);
	ok(tools_accept(&r.res, "sharedsec"), "sharedsec: readelf and ld -r accept it");
	run_free(&r);
}

static void test_newstatic(void)
{
	struct look l;
	struct run r;

	run_fixture("newstatic", &r);
	is_int(r.rc, 0, "newstatic: extracted (seen = 1 is no internal error)");
	ok(func(&r, "mark") && func(&r, "get_seen"), "newstatic: mark changed, get_seen new");
	look(&r.res, "seen", NULL, &l);
	ok(l.sym_defined == 1 && l.sym_bind == STB_LOCAL && l.sym_type == STT_OBJECT,
	   "newstatic: the new static 'seen' is carried");
	run_free(&r);
}

static void test_rotable(void)
{
	struct look l;
	struct run r;

	run_fixture("rotable", &r);
	is_int(r.rc, 0, "rotable: extracted");
	ok(r.res.n_funcs == 1 && func(&r, "say"),
	   "rotable: a string behind a const pointer table changed: say changed");
	look(&r.res, "msgs", ".rodata.msgs", &l);
	ok(l.sym_defined == 1 && l.sec_size == 16, "rotable: the table is carried as a copy");
	run_free(&r);
}

static void test_pastend(void)
{
	struct run r;

	run_fixture("pastend", &r);
	is_int(r.rc, 0, "pastend: extracted (arr + 10 is arr's)");
	ok(r.res.n_funcs == 1 && func(&r, "sum"), "pastend: sum changed");
	ok(r.res.n_refs == 1 && strcmp(r.res.refs[0].name, "arr") == 0,
	   "pastend: one reference, to arr");
	run_free(&r);
}

/* Damage @path: 0: a symbol past its section; 1: a RELA not against the symtab; 2: two RELA
 * sections for one section. */
static bool corrupt(const char *path, int how)
{
	Elf_Scn *scn = NULL, *first_rela = NULL;
	bool done = false;
	GElf_Shdr sh, fsh;
	Elf *elf;
	int fd = open(path, O_RDWR);

	if (fd < 0)
		return false;
	elf = elf_begin(fd, ELF_C_RDWR, NULL);
	if (!elf) {
		close(fd);
		return false;
	}
	elf_flagelf(elf, ELF_C_SET, ELF_F_LAYOUT);
	while (!done && (scn = elf_nextscn(elf, scn))) {
		if (!gelf_getshdr(scn, &sh))
			break;
		if (how == 0 && sh.sh_type == SHT_SYMTAB) {
			Elf_Data *d = elf_getdata(scn, NULL);
			GElf_Sym s;

			for (int i = 1; !done && gelf_getsym(d, i, &s); i++)
				if (GELF_ST_TYPE(s.st_info) == STT_FUNC) {
					s.st_size = 0x100000;
					done = gelf_update_sym(d, i, &s) != 0;
					elf_flagdata(d, ELF_C_SET, ELF_F_DIRTY);
				}
		} else if (how == 1 && sh.sh_type == SHT_RELA) {
			sh.sh_link = 0;
			done = gelf_update_shdr(scn, &sh) != 0;
		} else if (how == 2 && sh.sh_type == SHT_RELA) {
			if (!first_rela) {
				first_rela = scn;
				fsh = sh;
				continue;
			}
			sh.sh_info = fsh.sh_info;
			done = gelf_update_shdr(scn, &sh) != 0;
		}
	}
	done = done && elf_update(elf, ELF_C_WRITE) >= 0;
	elf_end(elf);
	close(fd);
	return done;
}

static void test_malformed(void)
{
	static const char *const what[] = { "a symbol past its section's end",
					    "a RELA section not against the symbol table",
					    "two RELA sections for one section" };

	for (int how = 0; how < 3; how++) {
		struct objdiff_resolver rs;
		char orig[256], patched[256];
		struct run r;
		struct unit u;

		memset(&r, 0, sizeof(r));
		rs = (struct objdiff_resolver){ .resolve = fake_resolve, .arg = &r.fake };
		r.ctx.json = true;
		r.rc = build("bug", &u, orig, patched, sizeof(orig));
		ok(!r.rc && corrupt(orig, how), "malformed: %s made", what[how]);
		r.rc = objdiff_extract(&r.ctx, &u, &rs, &r.res);
		is_int(r.rc, -EBADMSG, "malformed: %s refused", what[how]);
		ok(r.ctx.err_msg && strstr(r.ctx.err_msg, "malformed") &&
			   strstr(r.ctx.err_msg, orig),
		   "malformed: the message names the object");
		run_free(&r);
	}
}

int main(void)
{
	char here[4096], cmd[4200];

	snprintf(here, sizeof(here), "%s", __FILE__);
	snprintf(fixtures, sizeof(fixtures), "%s/objdiff", dirname(here));
	if (access(fixtures, R_OK) || system("gcc --version >/dev/null 2>&1") != 0 ||
	    !mkdtemp(dir) || elf_version(EV_CURRENT) == EV_NONE) {
		skip("no fixtures, gcc or temporary directory", "all");
		return done_testing();
	}
	test_unchanged();
	test_changed();
	test_inline();
	test_newfn();
	test_staticlocal();
	test_manylocals();
	test_refused("gdata", "changed data");
	test_refused("newglobal", "new global data");
	test_refused("init", "__init");
	test_refused("addr", "address of the function 'handler'");
	test_refused("sched", "section .sched.text");
	test_refused("weak", "is __weak");
	test_address_kept();
	test_alt();
	test_ops();
	test_strings();
	test_bug();
	test_sharedsec();
	test_newstatic();
	test_rotable();
	test_pastend();
	test_refused("movedstatic", "no match in the original");
	test_refused("onces", "how many static variables");
	test_malformed();
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	if (system(cmd) != 0)
		diag("cannot remove %s", dir);
	return done_testing();
}
