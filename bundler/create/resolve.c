// SPDX-License-Identifier: GPL-2.0-or-later
/* resolve.c - see resolve.h. */
#include <ctype.h>
#include <errno.h>
#include <gelf.h>
#include <libelf.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "create/kallsyms.h"
#include "create/resolve.h"
#include "sys/kernel-info.h"
#include "sys/symtab.h"

#define WINDOW_MIN 16 /* vmlinux: symbols looked at on each side, at least */

struct export
{
	char *name;
	char *module; /* "vmlinux" or the module's name ('-' as '_') */
	bool ns; /* exported into a namespace */
};

/* One symbol of an object as its kallsyms lists it, in kallsyms order. */
struct rsym {
	char *name;
	uint32_t group; /* a module's STT_FILE group (from 1); 0: none */
	bool func, global;
};

struct rtable {
	char *object;
	const char *where; /* the file it was read from, for messages */
	struct rsym *v;
	size_t n, cap;
	size_t *by_name; /* indices sorted by (name, kallsyms order) */
};

struct resolver_state {
	struct target *t;
	struct export *exports;
	size_t n_exports;
	struct rtable *tables;
	size_t n_tables;
};

static int cmp_export(const void *a, const void *b)
{
	return strcmp(((const struct export *)a)->name, ((const struct export *)b)->name);
}

/* "drivers/net/foo-bar" -> "foo_bar"; [owned]. */
static char *module_of_path(const char *path)
{
	const char *slash = strrchr(path, '/');
	char *m = strdup(slash ? slash + 1 : path);

	for (char *p = m; p && *p; p++)
		if (*p == '-')
			*p = '_';
	return m;
}

/* One "CRC\tNAME\tMODULE\tTYPE[\tNAMESPACE]" line of Module.symvers; -EBADMSG if not one. */
static int parse_symvers_line(char *line, struct export *e)
{
	char *save, *crc = strtok_r(line, "\t\n", &save);
	char *name = crc ? strtok_r(NULL, "\t\n", &save) : NULL;
	char *mod = name ? strtok_r(NULL, "\t\n", &save) : NULL;
	char *type = mod ? strtok_r(NULL, "\t\n", &save) : NULL;
	char *ns = type ? strtok_r(NULL, "\t\n", &save) : NULL;

	if (!type)
		return -EBADMSG;
	e->name = strdup(name);
	e->module = module_of_path(mod);
	e->ns = ns && *ns;
	return e->name && e->module ? 0 : -ENOMEM;
}

static int read_symvers(struct klpb_ctx *ctx, struct resolver_state *s)
{
	char *path = NULL, *line = NULL;
	size_t cap = 0, n_cap = 0;
	unsigned int lineno = 0;
	FILE *f;
	int rc = 0;

	if (asprintf(&path, "%s/Module.symvers", s->t->kdir) < 0)
		return -ENOMEM;
	f = fopen(path, "re");
	if (!f) {
		rc = -errno;
		p_err(ctx, rc,
		      "cannot read the exports of kernel %s from '%s': %s (install linux-headers-%s)",
		      s->t->release, path, strerror(-rc), s->t->release);
		free(path);
		return rc;
	}
	while (!rc && getline(&line, &cap, f) > 0) {
		struct export *v;

		lineno++;
		if (line[0] == '\n' || line[0] == '#')
			continue;
		if (s->n_exports == n_cap) {
			n_cap = n_cap ? 2 * n_cap : 4096;
			v = realloc(s->exports, n_cap * sizeof(*v));
			if (!v) {
				rc = -ENOMEM;
				break;
			}
			s->exports = v;
		}
		s->exports[s->n_exports] = (struct export){ 0 };
		rc = parse_symvers_line(line, &s->exports[s->n_exports]);
		s->n_exports++;
		if (rc == -EBADMSG)
			p_err(ctx, rc,
			      "%s:%u: not a Module.symvers line (CRC, symbol, module, type)", path,
			      lineno);
	}
	fclose(f);
	free(line);
	if (rc == -ENOMEM)
		p_err(ctx, rc, "%s", strerror(-rc));
	free(path);
	if (!rc)
		qsort(s->exports, s->n_exports, sizeof(*s->exports), cmp_export);
	return rc;
}

static const struct export *find_export(const struct resolver_state *s, const char *name)
{
	struct export key = { .name = (char *)name };

	return s->n_exports ? bsearch(&key, s->exports, s->n_exports, sizeof(key), cmp_export) :
			      NULL;
}

static int table_add(struct rtable *t, const char *name, uint32_t group, bool func, bool global)
{
	if (t->n == t->cap) {
		size_t cap = t->cap ? 2 * t->cap : 4096;
		struct rsym *v = realloc(t->v, cap * sizeof(*v));

		if (!v)
			return -ENOMEM;
		t->v = v;
		t->cap = cap;
	}
	t->v[t->n].name = strdup(name);
	if (!t->v[t->n].name)
		return -ENOMEM;
	t->v[t->n].group = group;
	t->v[t->n].func = func;
	t->v[t->n].global = global;
	t->n++;
	return 0;
}

/* Order indices of @arg (a struct rtable) by (name, index). */
static int cmp_by_name(const void *a, const void *b, void *arg)
{
	const struct rtable *t = arg;
	size_t x = *(const size_t *)a, y = *(const size_t *)b;
	int c = strcmp(t->v[x].name, t->v[y].name);

	return c ? c : (x > y) - (x < y);
}

static int table_index(struct rtable *t)
{
	t->by_name = malloc((t->n ? t->n : 1) * sizeof(*t->by_name));
	if (!t->by_name)
		return -ENOMEM;
	for (size_t i = 0; i < t->n; i++)
		t->by_name[i] = i;
	qsort_r(t->by_name, t->n, sizeof(*t->by_name), cmp_by_name, t);
	return 0;
}

/* The range [*@lo, *@hi) of t->by_name holding @name. */
static void table_find(const struct rtable *t, const char *name, size_t *lo, size_t *hi)
{
	size_t l = 0, h = t->n;

	while (l < h) {
		size_t mid = l + (h - l) / 2;

		if (strcmp(t->v[t->by_name[mid]].name, name) < 0)
			l = mid + 1;
		else
			h = mid;
	}
	*lo = l;
	while (l < t->n && strcmp(t->v[t->by_name[l]].name, name) == 0)
		l++;
	*hi = l;
}

/*
 * Would the module's kallsyms list this ELF symbol (kernel/module/kallsyms.c
 * is_core_symbol(), after init): defined, named, in a loaded section that
 * is not an init one?  STT_FILE and section symbols are not listed.
 */
static bool listed_elf_symbol(Elf *elf, size_t shstrndx, const GElf_Sym *sym, const char *name)
{
	Elf_Scn *scn;
	GElf_Shdr shdr;
	const char *sec;

	if (sym->st_shndx == SHN_UNDEF || sym->st_shndx >= SHN_LORESERVE || !name || !*name ||
	    GELF_ST_TYPE(sym->st_info) == STT_SECTION || GELF_ST_TYPE(sym->st_info) == STT_FILE)
		return false;
	scn = elf_getscn(elf, sym->st_shndx);
	if (!scn || !gelf_getshdr(scn, &shdr) || !(shdr.sh_flags & SHF_ALLOC))
		return false;
	sec = elf_strptr(elf, shstrndx, shdr.sh_name);
	return sec && strncmp(sec, ".init", 5) != 0;
}

struct elf_sym {
	uint64_t addr;
	size_t index;
};

static int cmp_elf_sym(const void *a, const void *b)
{
	const struct elf_sym *x = a, *y = b;

	if (x->addr != y->addr)
		return x->addr < y->addr ? -1 : 1;
	return (x->index > y->index) - (x->index < y->index);
}

/*
 * The symbols of an ELF object into @t: a relocatable one (a .ko) in its
 * symbol table's order, grouped by STT_FILE; a linked one (an unstripped
 * vmlinux) by address, as kallsyms sorts them.  -ENODATA: no symbol table.
 */
static int table_from_elf(struct rtable *t, const uint8_t *buf, size_t len)
{
	Elf *elf = elf_memory((char *)buf, len);
	Elf_Scn *scn = NULL;
	Elf_Data *data = NULL;
	struct elf_sym *order = NULL;
	size_t shstrndx, n = 0, count = 0, strndx = 0;
	GElf_Ehdr ehdr;
	uint32_t group = 0;
	int rc = 0;

	if (!elf || elf_getshdrstrndx(elf, &shstrndx) != 0 || !gelf_getehdr(elf, &ehdr)) {
		rc = -EBADMSG;
		goto out;
	}
	while ((scn = elf_nextscn(elf, scn))) {
		GElf_Shdr shdr;

		if (gelf_getshdr(scn, &shdr) && shdr.sh_type == SHT_SYMTAB && shdr.sh_entsize) {
			data = elf_getdata(scn, NULL);
			n = shdr.sh_size / shdr.sh_entsize;
			strndx = shdr.sh_link;
			break;
		}
	}
	if (!data || n < 2) {
		rc = -ENODATA;
		goto out;
	}
	order = calloc(n, sizeof(*order));
	if (!order) {
		rc = -ENOMEM;
		goto out;
	}
	for (size_t i = 1; i < n; i++) {
		GElf_Sym sym;
		const char *name;

		if (!gelf_getsym(data, (int)i, &sym))
			continue;
		name = elf_strptr(elf, strndx, sym.st_name);
		if (listed_elf_symbol(elf, shstrndx, &sym, name))
			order[count++] = (struct elf_sym){ sym.st_value, i };
	}
	if (ehdr.e_type != ET_REL)
		qsort(order, count, sizeof(*order), cmp_elf_sym);
	for (size_t k = 0, i = 1; !rc && k < count; k++) {
		GElf_Sym sym;

		/* the group of order[k]: count the STT_FILE symbols before it (.ko order) */
		for (; ehdr.e_type == ET_REL && i <= order[k].index; i++)
			if (gelf_getsym(data, (int)i, &sym) &&
			    GELF_ST_TYPE(sym.st_info) == STT_FILE)
				group++;
		if (!gelf_getsym(data, (int)order[k].index, &sym)) {
			rc = -EBADMSG;
			break;
		}
		rc = table_add(t, elf_strptr(elf, strndx, sym.st_name),
			       GELF_ST_BIND(sym.st_info) == STB_LOCAL ? group : 0,
			       GELF_ST_TYPE(sym.st_info) == STT_FUNC,
			       GELF_ST_BIND(sym.st_info) != STB_LOCAL);
	}
out:
	free(order);
	if (elf)
		elf_end(elf);
	return rc;
}

static int add_kallsyms_symbol(char type, const char *name, uint64_t addr, void *data)
{
	if (type == 'U')
		return 0;
	return table_add(data, name, 0, symtab_type_is_func(type),
			 isupper((unsigned char)type) != 0);
}

/* vmlinux: the image's ELF symbols if it has them, else its kallsyms tables. */
static int table_from_image(struct rtable *t, const uint8_t *buf, size_t len)
{
	int rc = table_from_elf(t, buf, len);

	if (rc == -ENODATA || (rc == 0 && t->n == 0)) {
		rc = kallsyms_foreach(buf, len, add_kallsyms_symbol, t);
		rc = rc < 0 ? rc : 0;
	}
	return rc;
}

static int load_vmlinux(struct klpb_ctx *ctx, struct resolver_state *s, struct rtable *t)
{
	uint8_t *buf = s->t->vmlinux;
	size_t len = s->t->vmlinux_len;
	int rc = 0;

	t->where = s->t->image;
	if (!buf)
		rc = kernel_image_load(s->t->image, &buf, &len);
	if (!rc)
		rc = table_from_image(t, buf, len);
	if (buf != s->t->vmlinux)
		free(buf);
	if (rc)
		p_err(ctx, rc, "cannot read the symbols of vmlinux %s from '%s': %s%s",
		      s->t->release, s->t->image, strerror(-rc),
		      rc == -ENOENT ? " (install linux-image-RELEASE or pass --vmlinux)" : "");
	return rc;
}

static int load_module(struct klpb_ctx *ctx, struct resolver_state *s, struct rtable *t)
{
	const struct target_module *m = target_module(s->t, t->object);
	uint8_t *buf;
	size_t len;
	int rc;

	if (!m) {
		rc = target_add_module(ctx, s->t, t->object, NULL);
		if (rc)
			return rc;
		m = target_module(s->t, t->object);
	}
	t->where = m->path;
	rc = read_elf_file(m->path, &buf, &len);
	if (!rc) {
		rc = table_from_elf(t, buf, len);
		free(buf);
	}
	if (rc)
		p_err(ctx, rc, "cannot read the symbols of module %s from '%s': %s", t->object,
		      m->path, strerror(-rc));
	return rc;
}

static void table_free(struct rtable *t)
{
	for (size_t i = 0; i < t->n; i++)
		free(t->v[i].name);
	free(t->v);
	free(t->by_name);
	free(t->object);
}

/* The symbols of @object, read on first use. */
static int get_table(struct klpb_ctx *ctx, struct resolver_state *s, const char *object,
		     struct rtable **out)
{
	struct rtable *v, *t;
	int rc;

	for (size_t i = 0; i < s->n_tables; i++)
		if (strcmp(s->tables[i].object, object) == 0) {
			*out = &s->tables[i];
			return 0;
		}
	v = realloc(s->tables, (s->n_tables + 1) * sizeof(*v));
	if (!v)
		return -ENOMEM;
	s->tables = v;
	t = &v[s->n_tables];
	*t = (struct rtable){ .object = strdup(object) };
	if (!t->object)
		return -ENOMEM;
	rc = strcmp(object, "vmlinux") == 0 ? load_vmlinux(ctx, s, t) : load_module(ctx, s, t);
	if (!rc)
		rc = table_index(t);
	if (rc) {
		table_free(t);
		return rc;
	}
	s->n_tables++;
	*out = t;
	return 0;
}

/* The unit's other symbols, sorted and unique, to look neighbours up in. */
struct unit_set {
	const char **v;
	size_t n;
	unsigned int *seen; /* stamp per entry */
	unsigned int stamp;
};

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static int unit_set_init(struct unit_set *u, const struct objdiff_query *q)
{
	u->v = calloc(q->n_unit_syms + 1, sizeof(*u->v));
	u->seen = calloc(q->n_unit_syms + 1, sizeof(*u->seen));
	u->n = 0;
	u->stamp = 0;
	if (!u->v || !u->seen)
		return -ENOMEM;
	for (size_t i = 0; i < q->n_unit_syms; i++)
		if (strcmp(q->unit_syms[i], q->name) != 0)
			u->v[u->n++] = q->unit_syms[i];
	qsort(u->v, u->n, sizeof(*u->v), cmp_str);
	if (u->n > 1) {
		size_t k = 1;

		for (size_t i = 1; i < u->n; i++)
			if (strcmp(u->v[i], u->v[k - 1]) != 0)
				u->v[k++] = u->v[i];
		u->n = k;
	}
	return 0;
}

/* Count @name once per stamp if it is one of the unit's symbols. */
static unsigned int unit_set_hit(struct unit_set *u, const char *name)
{
	const char **p = u->n ? bsearch(&name, u->v, u->n, sizeof(*u->v), cmp_str) : NULL;

	if (!p || u->seen[p - u->v] == u->stamp)
		return 0;
	u->seen[p - u->v] = u->stamp;
	return 1;
}

/*
 * How many of the unit's other symbols sit next to symbol @i of @t: in its
 * STT_FILE group (a module's local), else within a window around it in
 * kallsyms order.
 */
static unsigned int neighbour_score(const struct rtable *t, size_t i, struct unit_set *u)
{
	size_t w = u->n > WINDOW_MIN ? u->n : WINDOW_MIN, lo, hi;
	unsigned int score = 0;
	uint32_t g = t->v[i].group;

	u->stamp++;
	if (g) {
		for (lo = i; lo > 0 && t->v[lo - 1].group == g; lo--)
			;
		for (hi = i + 1; hi < t->n && t->v[hi].group == g; hi++)
			;
	} else {
		lo = i > w ? i - w : 0;
		hi = t->n - i > w ? i + w + 1 : t->n;
	}
	for (size_t k = lo; k < hi; k++)
		if (k != i)
			score += unit_set_hit(u, t->v[k].name);
	return score;
}

/*
 * Among the candidates [@lo, @hi) of t->by_name (all called q->name), flagged
 * in @ok, the one from this unit: the best neighbour score, unique and not 0.
 * Its position (from 1) in *@pos.
 */
static int pick_by_neighbours(struct klpb_ctx *ctx, const struct objdiff_query *q,
			      const struct rtable *t, size_t lo, size_t hi, const bool *ok,
			      unsigned long *pos)
{
	struct unit_set u;
	unsigned int best = 0, second = 0;
	size_t best_k = 0, second_k = 0;
	int rc = unit_set_init(&u, q);

	for (size_t k = lo; !rc && k < hi; k++) {
		unsigned int sc;

		if (!ok[k - lo])
			continue;
		sc = neighbour_score(t, t->by_name[k], &u);
		if (sc > best) {
			second = best;
			second_k = best_k;
			best = sc;
			best_k = k;
		} else if (sc == best && sc) {
			second = sc;
			second_k = k;
		}
	}
	free(u.v);
	free(u.seen);
	if (rc) {
		p_err(ctx, rc, "%s", strerror(-rc));
		return rc;
	}
	if (best == 0) {
		p_err(ctx, -EINVAL,
		      "%s: '%s' is defined %zu times in %s and none sits among this unit's other symbols: cannot tell which one is this unit's (is the source tree the one %s was built from?)",
		      q->unit, q->name, hi - lo, t->object, t->where);
		return -EINVAL;
	}
	if (second == best) {
		p_err(ctx, -EINVAL,
		      "%s: '%s' is defined %zu times in %s and positions %zu and %zu sit equally among this unit's other symbols (%u each): cannot tell which one is this unit's",
		      q->unit, q->name, hi - lo, t->object, best_k - lo + 1, second_k - lo + 1,
		      best);
		return -EINVAL;
	}
	*pos = best_k - lo + 1;
	return 0;
}

/* The sympos of q->name in @t (0: unique), or a refusal reported on @ctx. */
static int find_sympos(struct klpb_ctx *ctx, const struct objdiff_query *q, const struct rtable *t,
		       unsigned long *sympos)
{
	size_t lo, hi, n_ok = 0, n_kind = 0, last = 0;
	bool *ok;
	int rc = 0;

	table_find(t, q->name, &lo, &hi);
	if (lo == hi) {
		p_err(ctx, -ENOENT,
		      "%s: '%s' is not a symbol of %s ('%s'): is the unit built by this kernel's configuration (kbuild compiles any file asked for), and is the source tree the one the target was built from?",
		      q->unit, q->name, t->object, t->where);
		return -ENOENT;
	}
	ok = calloc(hi - lo, sizeof(*ok));
	if (!ok)
		return -ENOMEM;
	/* the right kind (function or data); the right binding where any has it */
	for (size_t k = lo; k < hi; k++)
		n_kind += t->v[t->by_name[k]].func == q->is_func;
	for (size_t k = lo; k < hi; k++) {
		const struct rsym *r = &t->v[t->by_name[k]];

		ok[k - lo] = r->func == q->is_func && r->global == !q->is_local;
		n_ok += ok[k - lo];
	}
	if (n_ok == 0) /* e.g. a static in the unit that the object lists as global */
		for (size_t k = lo; k < hi; k++) {
			ok[k - lo] = t->v[t->by_name[k]].func == q->is_func;
			n_ok += ok[k - lo];
		}
	if (n_kind == 0) {
		p_err(ctx, -EINVAL,
		      "%s: '%s' is %s in %s but the unit uses it as %s: is the source tree the one the target was built from?",
		      q->unit, q->name, q->is_func ? "data" : "a function", t->object,
		      q->is_func ? "a function" : "data");
		rc = -EINVAL;
	} else if (hi - lo == 1) {
		*sympos = 0;
	} else if (n_ok == 1) {
		for (size_t k = lo; k < hi; k++)
			if (ok[k - lo])
				last = k;
		*sympos = last - lo + 1;
	} else {
		rc = pick_by_neighbours(ctx, q, t, lo, hi, ok, sympos);
	}
	free(ok);
	return rc;
}

static int answer_klp(struct klpb_ctx *ctx, struct resolver_state *s, const struct objdiff_query *q,
		      const char *object, struct objdiff_answer *a)
{
	struct rtable *t;
	int rc;

	if (strlen(object) >= sizeof(a->object)) {
		p_err(ctx, -EINVAL, "%s: object name '%s' is longer than %zu characters", q->unit,
		      object, sizeof(a->object) - 1);
		return -EINVAL;
	}
	rc = get_table(ctx, s, object, &t);
	if (rc == -ENOMEM)
		p_err(ctx, rc, "%s", strerror(-rc));
	if (!rc)
		rc = find_sympos(ctx, q, t, &a->sympos);
	if (!rc) {
		a->kind = OBJDIFF_REF_KLP;
		snprintf(a->object, sizeof(a->object), "%s", object);
	}
	return rc;
}

/* Is q->name defined in the (module) object @object?  Errors reported. */
static int defined_in(struct klpb_ctx *ctx, struct resolver_state *s, const char *object,
		      const char *name, bool *yes)
{
	struct rtable *t;
	size_t lo, hi;
	int rc = get_table(ctx, s, object, &t);

	if (rc == -ENOMEM)
		p_err(ctx, rc, "%s", strerror(-rc));
	if (rc)
		return rc;
	table_find(t, name, &lo, &hi);
	*yes = lo < hi;
	return 0;
}

int resolve_symbol(struct klpb_ctx *ctx, void *arg, const struct objdiff_query *q,
		   struct objdiff_answer *a)
{
	struct resolver_state *s = arg;
	const struct export *e = q->is_local ? NULL : find_export(s, q->name);
	bool module_unit = strcmp(q->object, "vmlinux") != 0, here = true;
	int rc;

	*a = (struct objdiff_answer){ 0 };
	/*
	 * A module unit's non-local symbol: the module's own if it defines it (a
	 * global of the module may have the name of a vmlinux export: the module's
	 * code uses its own), else vmlinux's (an export, or a namespaced one).
	 */
	if (module_unit && !q->is_local) {
		rc = defined_in(ctx, s, q->object, q->name, &here);
		if (rc)
			return rc;
		if (here)
			return answer_klp(ctx, s, q, q->object, a);
	}
	if (e && strcmp(e->module, "vmlinux") == 0 && !e->ns) {
		a->kind = OBJDIFF_REF_EXPORTED;
		return 0;
	}
	if (e && strcmp(e->module, "vmlinux") != 0 && strcmp(e->module, q->object) != 0) {
		p_err(ctx, -EINVAL,
		      "%s: '%s' is exported by module %s, not by vmlinux or this unit's object %s: the bundle would depend on that module; keep its use out of the changed code, or make the change in %s's own source",
		      q->unit, q->name, e->module, q->object, e->module);
		return -EINVAL;
	}
	return answer_klp(ctx, s, q, here ? q->object : "vmlinux", a);
}

int resolve_init(struct klpb_ctx *ctx, struct target *t, struct resolver_state **out)
{
	struct resolver_state *s = calloc(1, sizeof(*s));
	int rc;

	*out = NULL;
	if (!s) {
		p_err(ctx, -ENOMEM, "%s", strerror(ENOMEM));
		return -ENOMEM;
	}
	if (elf_version(EV_CURRENT) == EV_NONE) {
		free(s);
		p_err(ctx, -ENOSYS, "libelf: %s", elf_errmsg(-1));
		return -ENOSYS;
	}
	s->t = t;
	rc = read_symvers(ctx, s);
	if (rc) {
		resolve_free(s);
		return rc;
	}
	*out = s;
	return 0;
}

struct objdiff_resolver resolve_resolver(struct resolver_state *s)
{
	return (struct objdiff_resolver){ .resolve = resolve_symbol, .arg = s };
}

void resolve_free(struct resolver_state *s)
{
	if (!s)
		return;
	for (size_t i = 0; i < s->n_exports; i++) {
		free(s->exports[i].name);
		free(s->exports[i].module);
	}
	free(s->exports);
	for (size_t i = 0; i < s->n_tables; i++)
		table_free(&s->tables[i]);
	free(s->tables);
	free(s);
}
