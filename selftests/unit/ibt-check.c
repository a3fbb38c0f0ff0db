// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * ibt-check - the static IBT check of a transaction module (a payload,
 * 'klp-bundle extract FILE -k R -o x.ko') built for a kernel with
 * CONFIG_X86_KERNEL_IBT.  Not a test itself: selftests/ibt/run runs it.
 *
 *   ibt-check (-m System.map-R | -k /boot/vmlinuz-R) [-M OBJECT=MODULE.ko]... PAYLOAD.ko
 *
 * With IBT the kernel seals (overwrites the ENDBR of) every function
 * whose address is never taken; an indirect call to a sealed function
 * traps ("Missing ENDBR").  The payload reaches non-exported symbols only
 * through livepatch relocations (.klp.sym.<obj>.<name>,<pos>, SHN_LIVEPATCH).
 * A relocation against one that is a non-exported function must be a
 * direct call or jump: an R_X86_64_PLT32/PC32 with addend -4, in
 * executable text, right after an e8 (call), e9 (jmp) or 0f 8x (jcc)
 * opcode.  Anything else (a slot written with R_X86_64_64, a lea of its
 * address) materialises the address, to be called indirectly.
 *
 * Whether a symbol is a function, and exported: for vmlinux from
 * System.map or the image's kallsyms tables (Debian's System.map is a
 * stub) (type t/T; exported when __ksymtab_<name> is there), for a
 * module from its .ko (STT_FUNC; __ksymtab_<name>).  A livepatch symbol of
 * a module that no -M names fails the check (it cannot tell).
 *
 * Prints one line per offending relocation and a summary; exit 0 when
 * none, 1 when some, 2 on a usage or read error.  An independent
 * implementation, on purpose: it shares no code with create's rewrite.
 */
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "create/kallsyms.h"
#include "sys/kernel-info.h"

#ifndef SHF_RELA_LIVEPATCH
#define SHF_RELA_LIVEPATCH 0x00100000
#endif
#ifndef SHN_LIVEPATCH
#define SHN_LIVEPATCH 0xff20
#endif

static Elf *open_elf(const char *path, int *fd);
static Elf_Data *symtab_of(Elf *elf, size_t *strndx, size_t *symndx);

/* A set of names with one bit each: function, exported. */
struct names {
	char **v;
	unsigned char *kind;
	size_t n, cap;
};

enum { IS_FUNC = 1, IS_EXPORTED = 2, IS_KNOWN = 4 };

struct object {
	char *name; /* "vmlinux" or a module name */
	struct names syms;
};

static struct object objects[64];
static size_t n_objects;
/* the names the payload's livepatch symbols refer to: only those are kept */
static struct names wanted;

static void add_name(struct names *s, const char *name, unsigned char kind)
{
	for (size_t i = 0; i < s->n; i++)
		if (strcmp(s->v[i], name) == 0) {
			s->kind[i] |= kind;
			return;
		}
	if (s->n == s->cap) {
		s->cap = s->cap ? 2 * s->cap : 1024;
		s->v = realloc(s->v, s->cap * sizeof(*s->v));
		s->kind = realloc(s->kind, s->cap);
		if (!s->v || !s->kind) {
			perror("ibt-check");
			exit(2);
		}
	}
	s->v[s->n] = strdup(name);
	s->kind[s->n++] = kind;
}

/* Linear: only the payload's handful of names are kept (wanted). */
static unsigned char kind_of(const struct names *s, const char *name)
{
	for (size_t i = 0; i < s->n; i++)
		if (strcmp(s->v[i], name) == 0)
			return s->kind[i];
	return 0;
}

/* Record @name (a symbol or __ksymtab_<symbol>) of @o. */
static void note_symbol(struct object *o, const char *name, bool func)
{
	bool ksymtab = strncmp(name, "__ksymtab_", 10) == 0;

	if (ksymtab)
		name += 10;
	if (!kind_of(&wanted, name))
		return;
	if (ksymtab)
		add_name(&o->syms, name, IS_EXPORTED);
	else
		add_name(&o->syms, name, (unsigned char)(IS_KNOWN | (func ? IS_FUNC : 0)));
}

/* Fill wanted from the payload's livepatch symbols. */
static int read_wanted(const char *path)
{
	size_t strndx, symndx;
	Elf_Data *syms;
	GElf_Sym sym;
	Elf *elf;
	int fd;

	elf = open_elf(path, &fd);
	if (!elf)
		return -1;
	syms = symtab_of(elf, &strndx, &symndx);
	for (int i = 1; syms && gelf_getsym(syms, i, &sym); i++) {
		const char *n = elf_strptr(elf, strndx, sym.st_name);
		char obj[64], name[600];

		if (sym.st_shndx == SHN_LIVEPATCH && n &&
		    sscanf(n, ".klp.sym.%63[^.].%599[^,],", obj, name) == 2)
			add_name(&wanted, name, 1);
	}
	elf_end(elf);
	close(fd);
	return 0;
}

static struct object *new_object(const char *name)
{
	struct object *o;

	if (n_objects == sizeof(objects) / sizeof(objects[0])) {
		fprintf(stderr, "ibt-check: too many objects\n");
		exit(2);
	}
	o = &objects[n_objects++];
	o->name = strdup(name);
	return o;
}

static int read_system_map(const char *path)
{
	struct object *o = new_object("vmlinux");
	FILE *f = fopen(path, "r");
	char line[1024], name[600], type;
	unsigned long long addr;

	if (!f) {
		fprintf(stderr, "ibt-check: %s: %s\n", path, strerror(errno));
		return -1;
	}
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "%llx %c %599s", &addr, &type, name) == 3)
			note_symbol(o, name, type == 't' || type == 'T');
	fclose(f);
	return 0;
}

static int note_kallsym(char type, const char *name, uint64_t addr, void *data)
{
	note_symbol(data, name, type == 't' || type == 'T');
	return 0;
}

static int read_image(const char *path)
{
	struct object *o = new_object("vmlinux");
	uint8_t *img;
	size_t len;
	int rc = kernel_image_load(path, &img, &len);

	if (rc) {
		fprintf(stderr, "ibt-check: %s: %s\n", path, strerror(-rc));
		return -1;
	}
	rc = kallsyms_foreach(img, len, note_kallsym, o);
	free(img);
	if (rc < 0) {
		fprintf(stderr, "ibt-check: %s: no kallsyms tables: %s\n", path, strerror(-rc));
		return -1;
	}
	return 0;
}

static Elf *open_elf(const char *path, int *fd)
{
	Elf *elf;

	*fd = open(path, O_RDONLY);
	if (*fd < 0) {
		fprintf(stderr, "ibt-check: %s: %s\n", path, strerror(errno));
		return NULL;
	}
	elf = elf_begin(*fd, ELF_C_READ, NULL);
	if (!elf) {
		fprintf(stderr, "ibt-check: %s: %s\n", path, elf_errmsg(-1));
		close(*fd);
	}
	return elf;
}

/* The symbol table of @elf: its data and the index of its string table. */
static Elf_Data *symtab_of(Elf *elf, size_t *strndx, size_t *symndx)
{
	Elf_Scn *scn = NULL;
	GElf_Shdr shdr;

	while ((scn = elf_nextscn(elf, scn)))
		if (gelf_getshdr(scn, &shdr) && shdr.sh_type == SHT_SYMTAB) {
			*strndx = shdr.sh_link;
			*symndx = elf_ndxscn(scn);
			return elf_getdata(scn, NULL);
		}
	return NULL;
}

static int read_module(const char *arg)
{
	const char *eq = strchr(arg, '=');
	size_t strndx, symndx;
	struct object *o;
	Elf_Data *syms;
	GElf_Sym sym;
	char name[128];
	uint8_t *buf = NULL;
	size_t len;
	Elf *elf;
	int rc;

	if (!eq || eq == arg || (size_t)(eq - arg) >= sizeof(name)) {
		fprintf(stderr, "ibt-check: -M wants OBJECT=MODULE.ko, not '%s'\n", arg);
		return -1;
	}
	memcpy(name, arg, (size_t)(eq - arg));
	name[eq - arg] = '\0';
	for (char *p = name; *p; p++)
		if (*p == '-')
			*p = '_';
	rc = read_elf_file(eq + 1, &buf, &len);
	elf = rc ? NULL : elf_memory((char *)buf, len);
	if (!elf) {
		fprintf(stderr, "ibt-check: %s: %s\n", eq + 1, rc ? strerror(-rc) : elf_errmsg(-1));
		free(buf);
		return -1;
	}
	o = new_object(name);
	syms = symtab_of(elf, &strndx, &symndx);
	for (int i = 1; syms && gelf_getsym(syms, i, &sym); i++) {
		const char *n = elf_strptr(elf, strndx, sym.st_name);

		if (n && *n && sym.st_shndx != SHN_UNDEF)
			note_symbol(o, n, GELF_ST_TYPE(sym.st_info) == STT_FUNC);
	}
	elf_end(elf);
	free(buf);
	return 0;
}

static const struct object *find_object(const char *name)
{
	for (size_t i = 0; i < n_objects; i++)
		if (strcmp(objects[i].name, name) == 0)
			return &objects[i];
	return NULL;
}

/* Whether @rela, applied to section @target, is a direct call or jump. */
static bool direct_call(const GElf_Rela *rela, const GElf_Shdr *target, Elf_Data *tdata)
{
	unsigned int type = GELF_R_TYPE(rela->r_info);
	const unsigned char *b = tdata ? tdata->d_buf : NULL;
	GElf_Addr off = rela->r_offset;

	if (type != R_X86_64_PLT32 && type != R_X86_64_PC32)
		return false;
	if (rela->r_addend != -4 || !(target->sh_flags & SHF_EXECINSTR) || !b || off < 2 ||
	    off + 4 > tdata->d_size)
		return false;
	return b[off - 1] == 0xe8 || b[off - 1] == 0xe9 ||
	       (b[off - 2] == 0x0f && (b[off - 1] & 0xf0) == 0x80);
}

struct counts {
	unsigned long calls, data, exported, bad;
};

/* Check one livepatch symbol's relocation; @where names it. */
static void check_reloc(const char *klp_name, const GElf_Rela *rela, const GElf_Shdr *target,
			Elf_Data *tdata, const char *where, struct counts *c)
{
	char obj[64], name[600];
	const struct object *o;
	unsigned char kind;

	if (sscanf(klp_name, ".klp.sym.%63[^.].%599[^,],", obj, name) != 2) {
		printf("BAD %s: malformed livepatch symbol '%s'\n", where, klp_name);
		c->bad++;
		return;
	}
	o = find_object(obj);
	if (!o) {
		printf("BAD %s: '%s' of %s: no symbol types for %s (give -M %s=MODULE.ko)\n", where,
		       name, obj, obj, obj);
		c->bad++;
		return;
	}
	kind = kind_of(&o->syms, name);
	if (!(kind & IS_KNOWN)) {
		printf("BAD %s: '%s' is not a symbol of %s\n", where, name, obj);
		c->bad++;
	} else if (!(kind & IS_FUNC)) {
		c->data++;
	} else if (kind & IS_EXPORTED) {
		c->exported++;
	} else if (direct_call(rela, target, tdata)) {
		c->calls++;
	} else {
		printf("INDIRECT %s: the non-exported function '%s' of %s is reached by its address (relocation type %u), so it is called indirectly: IBT traps it once sealed (\"Missing ENDBR\")\n",
		       where, name, obj, (unsigned int)GELF_R_TYPE(rela->r_info));
		c->bad++;
	}
}

static int check_payload(const char *path, struct counts *c)
{
	size_t strndx, symndx, shstrndx;
	Elf_Scn *scn = NULL;
	Elf_Data *syms;
	Elf *elf;
	int fd;

	elf = open_elf(path, &fd);
	if (!elf)
		return -1;
	syms = symtab_of(elf, &strndx, &symndx);
	if (!syms || elf_getshdrstrndx(elf, &shstrndx) != 0) {
		fprintf(stderr, "ibt-check: %s has no symbol table\n", path);
		elf_end(elf);
		close(fd);
		return -1;
	}
	while ((scn = elf_nextscn(elf, scn))) {
		Elf_Scn *tscn;
		Elf_Data *rd, *tdata;
		GElf_Shdr shdr, tshdr;
		GElf_Rela rela;
		const char *sname;

		if (!gelf_getshdr(scn, &shdr) || shdr.sh_type != SHT_RELA || shdr.sh_link != symndx)
			continue;
		tscn = elf_getscn(elf, shdr.sh_info);
		if (!tscn || !gelf_getshdr(tscn, &tshdr))
			continue;
		tdata = tshdr.sh_type == SHT_NOBITS ? NULL : elf_getdata(tscn, NULL);
		rd = elf_getdata(scn, NULL);
		sname = elf_strptr(elf, shstrndx, shdr.sh_name);
		for (int j = 0; rd && gelf_getrela(rd, j, &rela); j++) {
			GElf_Sym sym;
			const char *n;
			char where[700];

			if (!gelf_getsym(syms, (int)GELF_R_SYM(rela.r_info), &sym) ||
			    sym.st_shndx != SHN_LIVEPATCH)
				continue;
			n = elf_strptr(elf, strndx, sym.st_name);
			snprintf(where, sizeof(where), "%s+0x%llx", sname ? sname : "?",
				 (unsigned long long)rela.r_offset);
			if (!(shdr.sh_flags & SHF_RELA_LIVEPATCH)) {
				printf("BAD %s: an ordinary relocation against the livepatch symbol '%s'\n",
				       where, n ? n : "?");
				c->bad++;
				continue;
			}
			check_reloc(n ? n : "", &rela, &tshdr, tdata, where, c);
		}
	}
	elf_end(elf);
	close(fd);
	return 0;
}

int main(int argc, char **argv)
{
	struct counts c = { 0 };
	const char *map = NULL, *image = NULL, *mods[64];
	size_t n_mods = 0;
	int opt;

	if (elf_version(EV_CURRENT) == EV_NONE)
		return 2;
	while ((opt = getopt(argc, argv, "k:m:M:")) != -1) {
		if (opt == 'm')
			map = optarg;
		else if (opt == 'k')
			image = optarg;
		else if (opt == 'M' && n_mods < sizeof(mods) / sizeof(mods[0]))
			mods[n_mods++] = optarg;
		else
			return 2;
	}
	if (!map == !image || optind != argc - 1) {
		fprintf(stderr,
			"usage: ibt-check (-m System.map | -k IMAGE) [-M OBJECT=MODULE.ko]... PAYLOAD.ko\n");
		return 2;
	}
	if (read_wanted(argv[optind]) || (map ? read_system_map(map) : read_image(image)))
		return 2;
	for (size_t i = 0; i < n_mods; i++)
		if (read_module(mods[i]))
			return 2;
	if (check_payload(argv[optind], &c))
		return 2;
	printf("%s: %lu direct call(s) to non-exported functions, %lu data and %lu exported-function reference(s), %lu offending relocation(s)\n",
	       argv[optind], c.calls, c.data, c.exported, c.bad);
	return c.bad ? 1 : 0;
}
