// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * test-klp-reloc - create's rewrite of KLPB_SYMBOL references into
 * livepatch relocations (bundler/create/klp-reloc.c), on small relocatable
 * objects assembled here (cc -c) that look like a transaction module:
 * .klpb.symrefs records, .klpb.slots, and calls to the weak
 * __klpb_fn.<obj>.<pos>.<name> externs that KLPB_SYMBOL declares for
 * functions on a kernel that clears module relocations.
 */
#include <errno.h>
#include <gelf.h>
#include <libelf.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "create/klp-reloc.h"
#include "tap.h"
#include "util/file.h"

/* One direct-call function (fn of vmlinux) and one variable (var of mymod), with a slot. */
static const char common[] = ".section .rodata.str,\"a\"\n"
			     "o1: .asciz \"vmlinux\"\n"
			     "n1: .asciz \"fn\"\n"
			     "o2: .asciz \"mymod\"\n"
			     "n2: .asciz \"var\"\n"
			     ".section .klpb.symrefs,\"a\"\n"
			     ".balign 8\n"
			     ".quad o1, n1, 0, 0, 3\n" /* KLPB_SYMREF_FUNC | KLPB_SYMREF_CALL */
			     ".quad o2, n2, 0, slot, 0\n"
			     ".section .klpb.slots,\"aw\"\n"
			     ".balign 8\n"
			     "slot: .quad 0\n"
			     ".weak \"__klpb_fn.vmlinux.0.fn\"\n"
			     ".text\n"
			     ".globl f\n"
			     ".type f,@function\n"
			     "f:\n";

static const char calls[] = "1: call \"__klpb_fn.vmlinux.0.fn\"\n"
			    "2: call f\n"
			    "test %eax, %eax\n"
			    "jne \"__klpb_fn.vmlinux.0.fn\"\n"
			    "jmp \"__klpb_fn.vmlinux.0.fn\"\n"
			    ".size f, .-f\n"
			    /* objtool's list of call sites: the moved one must go */
			    ".section .call_sites,\"a\"\n"
			    ".long 1b - .\n"
			    ".long 2b - .\n";

static const char takes_address[] = "call \"__klpb_fn.vmlinux.0.fn\"\n"
				    "lea \"__klpb_fn.vmlinux.0.fn\"(%rip), %rax\n"
				    "ret\n"
				    ".size f, .-f\n";

static const char undeclared[] = "call \"__klpb_fn.vmlinux.0.other\"\n"
				 "ret\n"
				 ".size f, .-f\n";

/*
 * KLPB_DIRECT_REF_POS references (create --patch): data count.3 of vmlinux
 * at position 2 (KLPB_SYMREF_DIRECT), and a function helper of mymod
 * (DIRECT | FUNC | CALL); no slots.  The data is used by a PC32 load, a 32S
 * immediate and a 64-bit pointer in .data.
 */
static const char direct_common[] = ".section .rodata.str,\"a\"\n"
				    "o1: .asciz \"vmlinux\"\n"
				    "n1: .asciz \"count.3\"\n"
				    "o2: .asciz \"mymod\"\n"
				    "n2: .asciz \"helper\"\n"
				    ".section .klpb.symrefs,\"a\"\n"
				    ".balign 8\n"
				    ".quad o1, n1, 2, 0, 4\n" /* KLPB_SYMREF_DIRECT */
				    ".quad o2, n2, 0, 0, 7\n" /* DIRECT | FUNC | CALL */
				    ".section .klpb.slots,\"aw\"\n"
				    ".weak \"__klpb_fn.vmlinux.2.count.3\"\n"
				    ".weak \"__klpb_fn.mymod.0.helper\"\n"
				    ".text\n"
				    ".globl f\n"
				    ".type f,@function\n"
				    "f:\n";

static const char direct_uses[] = "mov \"__klpb_fn.vmlinux.2.count.3\"(%rip), %eax\n"
				  "movq $\"__klpb_fn.vmlinux.2.count.3\", %rax\n"
				  "call \"__klpb_fn.mymod.0.helper\"\n"
				  "ret\n"
				  ".size f, .-f\n"
				  ".data\n"
				  ".quad \"__klpb_fn.vmlinux.2.count.3\" + 8\n";

static const char direct_func_address[] = "lea \"__klpb_fn.mymod.0.helper\"(%rip), %rax\n"
					  "ret\n"
					  ".size f, .-f\n";

static const char direct_jump_table[] = "ret\n"
					".size f, .-f\n"
					".section __jump_table,\"aw\"\n"
					".long f - ., f - .\n"
					".quad \"__klpb_fn.vmlinux.2.count.3\" - .\n";

/* A call in an alternative's replacement code, which apply_alternatives() copies early. */
static const char alt_call[] = "ret\n"
			       ".size f, .-f\n"
			       ".section .altinstr_replacement,\"ax\"\n"
			       "call \"__klpb_fn.vmlinux.0.fn\"\n";

static char dir[] = "/tmp/test-klp-reloc.XXXXXX";
static const char *prelude = common;

/* Assemble common + @body into a relocatable object; [owned] *@out. */
static int assemble(const char *body, struct klpb_buf *out)
{
	char src[64], obj[64], cmd[256];
	FILE *f;
	uint8_t *p;
	size_t len;
	int rc;

	snprintf(src, sizeof(src), "%s/t.s", dir);
	snprintf(obj, sizeof(obj), "%s/t.o", dir);
	f = fopen(src, "w");
	if (!f)
		return -errno;
	fputs(prelude, f);
	fputs(body, f);
	fclose(f);
	snprintf(cmd, sizeof(cmd), "cc -c -o %s %s", obj, src);
	if (system(cmd) != 0)
		return -ENOEXEC;
	rc = read_file(obj, &p, &len);
	if (!rc)
		*out = (struct klpb_buf){ .data = p, .len = len, .cap = len };
	return rc;
}

/* Rewrite @body's object: the result of klp_symrefs_read() + klp_reloc_rewrite(). */
static int rewrite(const char *body, struct klpb_buf *ko, struct klpb_ctx *ctx, int *n_refs)
{
	struct klp_symref *refs = NULL;
	int n, rc;

	rc = assemble(body, ko);
	if (rc)
		return rc;
	n = klp_symrefs_read(ctx, ko->data, ko->len, &refs);
	*n_refs = n;
	if (n < 0)
		return n;
	rc = klp_reloc_rewrite(ctx, ko, refs, (size_t)n);
	klp_symrefs_free(refs, (size_t)n);
	return rc;
}

struct seen {
	int text_calls; /* entries of .klp.rela.vmlinux..text against .klp.sym.vmlinux.fn,0 */
	int slot_relas; /* entries of .klp.rela.mymod.klpb_slots */
	int ordinary_left; /* ordinary relocations against fn's symbol */
	int vmlinux_slots; /* a .klp.rela.vmlinux.klpb_slots section */
	int weak_undef; /* weak undefined symbols left */
	int klp_fn_syms; /* .klp.sym.vmlinux.fn,0 symbols, SHN_LIVEPATCH */
	long call_sites; /* bytes of .call_sites */
	long call_site_off; /* r_offset of the one .rela.call_sites entry left */
	long call_site_addend; /* its addend */
	int call_site_relas; /* entries of .rela.call_sites */
};

static void inspect(const struct klpb_buf *ko, struct seen *s)
{
	Elf *elf = elf_memory((char *)ko->data, ko->len);
	size_t shstrndx, strndx = 0;
	Elf_Data *syms = NULL;
	Elf_Scn *scn = NULL;
	GElf_Shdr shdr;
	GElf_Sym sym;

	memset(s, 0, sizeof(*s));
	if (!elf || elf_getshdrstrndx(elf, &shstrndx))
		return;
	while ((scn = elf_nextscn(elf, scn)))
		if (gelf_getshdr(scn, &shdr) && shdr.sh_type == SHT_SYMTAB) {
			syms = elf_getdata(scn, NULL);
			strndx = shdr.sh_link;
		}
	for (int i = 1; syms && gelf_getsym(syms, i, &sym); i++) {
		const char *n = elf_strptr(elf, strndx, sym.st_name);

		if (sym.st_shndx == SHN_UNDEF && GELF_ST_BIND(sym.st_info) == STB_WEAK)
			s->weak_undef++;
		if (n && strcmp(n, ".klp.sym.vmlinux.fn,0") == 0 && sym.st_shndx == SHN_LIVEPATCH)
			s->klp_fn_syms++;
	}
	while ((scn = elf_nextscn(elf, scn))) {
		Elf_Data *d;
		GElf_Rela r;
		const char *name;

		if (!gelf_getshdr(scn, &shdr) || shdr.sh_type != SHT_RELA)
			continue;
		name = elf_strptr(elf, shstrndx, shdr.sh_name);
		d = elf_getdata(scn, NULL);
		if (name && strcmp(name, ".klp.rela.vmlinux.klpb_slots") == 0)
			s->vmlinux_slots++;
		if (name && strcmp(name, ".rela.call_sites") == 0 && d) {
			Elf_Scn *cs = elf_getscn(elf, shdr.sh_info);
			Elf_Data *cd = cs ? elf_getdata(cs, NULL) : NULL;

			s->call_sites = cd ? (long)cd->d_size : -1;
			for (int j = 0; gelf_getrela(d, j, &r); j++) {
				s->call_site_relas++;
				s->call_site_off = (long)r.r_offset;
				s->call_site_addend = (long)r.r_addend;
			}
		}
		for (int j = 0; d && gelf_getrela(d, j, &r); j++) {
			const char *n;

			if (!gelf_getsym(syms, (int)GELF_R_SYM(r.r_info), &sym))
				continue;
			n = elf_strptr(elf, strndx, sym.st_name);
			if (!n || (strcmp(n, ".klp.sym.vmlinux.fn,0") != 0 &&
				   strcmp(n, "__klpb_fn.vmlinux.0.fn") != 0 &&
				   strcmp(n, ".klp.sym.mymod.var,0") != 0))
				continue;
			if (!(shdr.sh_flags & SHF_RELA_LIVEPATCH))
				s->ordinary_left++;
			else if (strcmp(name, ".klp.rela.vmlinux..text") == 0 && r.r_addend == -4 &&
				 GELF_R_TYPE(r.r_info) == R_X86_64_PLT32)
				s->text_calls++;
			else if (strcmp(name, ".klp.rela.mymod.klpb_slots") == 0 &&
				 GELF_R_TYPE(r.r_info) == R_X86_64_64)
				s->slot_relas++;
		}
	}
	elf_end(elf);
}

/* Where the relocations against count.3 / helper went, by section and type. */
struct direct_seen {
	int text_pc32, text_32s, text_call, data_64, ordinary_left, weak_undef, klp_syms;
	long data_addend;
};

static void inspect_direct(const struct klpb_buf *ko, struct direct_seen *s)
{
	Elf *elf = elf_memory((char *)ko->data, ko->len);
	size_t shstrndx, strndx = 0;
	Elf_Data *syms = NULL;
	Elf_Scn *scn = NULL;
	GElf_Shdr shdr;
	GElf_Sym sym;

	memset(s, 0, sizeof(*s));
	if (!elf || elf_getshdrstrndx(elf, &shstrndx))
		return;
	while ((scn = elf_nextscn(elf, scn)))
		if (gelf_getshdr(scn, &shdr) && shdr.sh_type == SHT_SYMTAB) {
			syms = elf_getdata(scn, NULL);
			strndx = shdr.sh_link;
		}
	for (int i = 1; syms && gelf_getsym(syms, i, &sym); i++) {
		const char *n = elf_strptr(elf, strndx, sym.st_name);

		if (sym.st_shndx == SHN_UNDEF && GELF_ST_BIND(sym.st_info) == STB_WEAK)
			s->weak_undef++;
		if (n && sym.st_shndx == SHN_LIVEPATCH &&
		    (strcmp(n, ".klp.sym.vmlinux.count.3,2") == 0 ||
		     strcmp(n, ".klp.sym.mymod.helper,0") == 0))
			s->klp_syms++;
	}
	while ((scn = elf_nextscn(elf, scn))) {
		Elf_Data *d = elf_getdata(scn, NULL);
		const char *name;
		GElf_Rela r;

		if (!gelf_getshdr(scn, &shdr) || shdr.sh_type != SHT_RELA)
			continue;
		name = elf_strptr(elf, shstrndx, shdr.sh_name);
		for (int j = 0; name && d && gelf_getrela(d, j, &r); j++) {
			const char *n = gelf_getsym(syms, (int)GELF_R_SYM(r.r_info), &sym) ?
						elf_strptr(elf, strndx, sym.st_name) :
						NULL;
			bool data = n && (strcmp(n, ".klp.sym.vmlinux.count.3,2") == 0 ||
					  strcmp(n, "__klpb_fn.vmlinux.2.count.3") == 0);
			bool fn = n && (strcmp(n, ".klp.sym.mymod.helper,0") == 0 ||
					strcmp(n, "__klpb_fn.mymod.0.helper") == 0);

			if (!data && !fn)
				continue;
			if (!(shdr.sh_flags & SHF_RELA_LIVEPATCH))
				s->ordinary_left++;
			else if (data && strcmp(name, ".klp.rela.vmlinux..text") == 0 &&
				 GELF_R_TYPE(r.r_info) == R_X86_64_PC32)
				s->text_pc32++;
			else if (data && strcmp(name, ".klp.rela.vmlinux..text") == 0 &&
				 GELF_R_TYPE(r.r_info) == R_X86_64_32S)
				s->text_32s++;
			else if (data && strcmp(name, ".klp.rela.vmlinux..data") == 0 &&
				 GELF_R_TYPE(r.r_info) == R_X86_64_64) {
				s->data_64++;
				s->data_addend = (long)r.r_addend;
			} else if (fn && strcmp(name, ".klp.rela.mymod..text") == 0 &&
				   GELF_R_TYPE(r.r_info) == R_X86_64_PLT32)
				s->text_call++;
		}
	}
	elf_end(elf);
}

/* KLPB_SYMREF_DIRECT: every use of data moves, a function keeps the call-only rule. */
static void test_direct(void)
{
	struct klpb_ctx ctx = { .json = true };
	struct klpb_buf ko = { 0 };
	struct direct_seen s;
	int n, rc;

	prelude = direct_common;
	rc = rewrite(direct_uses, &ko, &ctx, &n);
	is_int(rc, 0, "direct references: rewritten");
	diag("%s", ctx.err_msg ? ctx.err_msg : "");
	is_int(n, 2, "direct: two declarations read, no slot needed");
	inspect_direct(&ko, &s);
	is_int(s.text_pc32, 1, "the PC32 load moved to .klp.rela.vmlinux..text");
	is_int(s.text_32s, 1, "the 32S immediate too");
	ok(s.data_64 == 1 && s.data_addend == 8,
	   "the pointer in .data moved to .klp.rela.vmlinux..data, addend kept");
	is_int(s.text_call, 1, "the direct function's call moved to .klp.rela.mymod..text");
	is_int(s.ordinary_left, 0, "no ordinary relocation left against them");
	is_int(s.klp_syms, 2, ".klp.sym.vmlinux.count.3,2 and .klp.sym.mymod.helper,0");
	is_int(s.weak_undef, 0, "no weak undefined symbol left");
	klpb_buf_free(&ko);
	free(ctx.err_msg);
	ctx = (struct klpb_ctx){ .json = true };

	/* create --patch checked the address against the kernel's own uses */
	rc = rewrite(direct_func_address, &ko, &ctx, &n);
	is_int(rc, 0, "direct function: its address taken moves too (objextract.c decides)");
	ok(!ctx.err_msg, "no error: %s", ctx.err_msg ? ctx.err_msg : "(nothing)");
	klpb_buf_free(&ko);
	free(ctx.err_msg);
	ctx = (struct klpb_ctx){ .json = true };

	rc = rewrite(direct_jump_table, &ko, &ctx, &n);
	is_int(rc, -EINVAL, "direct data in __jump_table is refused");
	ok(ctx.err_msg && strstr(ctx.err_msg, "__jump_table+0x8") &&
		   strstr(ctx.err_msg, "'count.3' of vmlinux") && strstr(ctx.err_msg, "exported"),
	   "named: %s", ctx.err_msg ? ctx.err_msg : "(nothing)");
	klpb_buf_free(&ko);
	free(ctx.err_msg);
	prelude = common;
}

int main(void)
{
	struct klpb_ctx ctx = { .json = true };
	struct klpb_buf ko = { 0 }, again = { 0 };
	struct seen s;
	int n, rc;

	if (!mkdtemp(dir)) {
		skip("no temporary directory", "all");
		return done_testing();
	}
	if (elf_version(EV_CURRENT) == EV_NONE || assemble(calls, &ko)) {
		skip("cannot assemble x86-64 objects with cc", "all");
		rmdir(dir);
		return done_testing();
	}
	klpb_buf_free(&ko);

	rc = rewrite(calls, &ko, &ctx, &n);
	is_int(rc, 0, "a call, a jcc and a jmp to a direct-call function are rewritten");
	is_int(n, 2, "two declarations read");
	inspect(&ko, &s);
	is_int(s.text_calls, 3, "three PLT32 entries in .klp.rela.vmlinux..text");
	is_int(s.call_sites, 4, ".call_sites keeps one entry");
	ok(s.call_site_relas == 1 && s.call_site_off == 0 && s.call_site_addend == 5,
	   "the ordinary call's, moved to the front (the moved call's is dropped)");
	is_int(s.ordinary_left, 0, "none left in .rela.text");
	is_int(s.klp_fn_syms, 1, "the extern became .klp.sym.vmlinux.fn,0 (SHN_LIVEPATCH)");
	is_int(s.weak_undef, 0, "no weak undefined symbol left");
	is_int(s.slot_relas, 1, "the variable keeps its slot relocation");
	is_int(s.vmlinux_slots, 0, "the function has no slot section");
	rc = rewrite(calls, &again, &ctx, &n);
	ok(rc == 0 && again.len == ko.len && memcmp(again.data, ko.data, ko.len) == 0,
	   "the same input gives the same bytes");
	klpb_buf_free(&ko);
	klpb_buf_free(&again);

	rc = rewrite(takes_address, &ko, &ctx, &n);
	is_int(rc, -EINVAL, "a lea of the function's address is refused");
	ok(ctx.err_msg && strstr(ctx.err_msg, ".text+0x") && strstr(ctx.err_msg, "(in f)") &&
		   strstr(ctx.err_msg, "address of the function 'fn' of vmlinux") &&
		   strstr(ctx.err_msg, "Missing ENDBR"),
	   "the message names the place, the function and the reason");
	diag("%s", ctx.err_msg ? ctx.err_msg : "(no message)");
	klpb_buf_free(&ko);
	free(ctx.err_msg);
	ctx = (struct klpb_ctx){ .json = true };

	rc = rewrite(undeclared, &ko, &ctx, &n);
	is_int(rc, -EBADMSG, "a direct call nothing declares is refused");
	ok(ctx.err_msg && strstr(ctx.err_msg, "'other' of vmlinux"), "and named");
	klpb_buf_free(&ko);
	free(ctx.err_msg);
	ctx = (struct klpb_ctx){ .json = true };

	rc = rewrite(alt_call, &ko, &ctx, &n);
	is_int(rc, -EINVAL, "a call in .altinstr_replacement is refused");
	ok(ctx.err_msg && strstr(ctx.err_msg, ".altinstr_replacement+0x1") &&
		   strstr(ctx.err_msg, "'fn' of vmlinux") &&
		   strstr(ctx.err_msg, "apply_alternatives()"),
	   "named, with the reason: %s", ctx.err_msg ? ctx.err_msg : "(nothing)");
	klpb_buf_free(&ko);
	free(ctx.err_msg);
	ctx = (struct klpb_ctx){ .json = true };

	test_direct();
	{
		char p[64];

		snprintf(p, sizeof(p), "%s/t.s", dir);
		unlink(p);
		snprintf(p, sizeof(p), "%s/t.o", dir);
		unlink(p);
		rmdir(dir);
	}
	return done_testing();
}
