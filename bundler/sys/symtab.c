// SPDX-License-Identifier: GPL-2.0-or-later
/* symtab.c - see symtab.h. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "sys/symtab.h"

struct sym {
	char *name;
	unsigned int flags;
	size_t seq; /* the order added: sympos order among equal names */
};

struct symtab {
	struct sym *v; /* sorted by name once finished */
	size_t n, cap;
};

struct symtab *symtab_new(void)
{
	return calloc(1, sizeof(struct symtab));
}

int symtab_add(struct symtab *t, const char *name, size_t len, unsigned int flags)
{
	char *s;

	if (t->n == t->cap) {
		size_t cap = t->cap ? t->cap * 2 : 4096;
		struct sym *v = realloc(t->v, cap * sizeof(*v));

		if (!v)
			return -ENOMEM;
		t->v = v;
		t->cap = cap;
	}
	s = strndup(name, len);
	if (!s)
		return -ENOMEM;
	t->v[t->n] = (struct sym){ s, flags, t->n };
	t->n++;
	return 0;
}

static int cmp_sym(const void *a, const void *b)
{
	const struct sym *x = a, *y = b;
	int c = strcmp(x->name, y->name);

	return c ? c : (x->seq > y->seq) - (x->seq < y->seq);
}

int symtab_finish(struct symtab *t, struct symtab **out)
{
	if (t->n == 0) {
		symtab_free(t);
		return -ENODATA;
	}
	qsort(t->v, t->n, sizeof(*t->v), cmp_sym);
	*out = t;
	return 0;
}

bool symtab_type_is_func(char type)
{
	return type && strchr("tTwW", type);
}

/* The first entry called @name (or where it would be). */
static size_t lower_bound(const struct symtab *t, const char *name)
{
	size_t lo = 0, hi = t->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (strcmp(t->v[mid].name, name) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static unsigned int count(const struct symtab *t, const char *name, bool funcs_only)
{
	unsigned int n = 0;

	for (size_t i = lower_bound(t, name); i < t->n && strcmp(t->v[i].name, name) == 0; i++)
		if (!(t->v[i].flags & SYMTAB_UNLISTED) &&
		    (!funcs_only || (t->v[i].flags & SYMTAB_FUNC)))
			n++;
	return n;
}

unsigned int symtab_count(const struct symtab *t, const char *name)
{
	return count(t, name, false);
}

unsigned int symtab_count_funcs(const struct symtab *t, const char *name)
{
	return count(t, name, true);
}

unsigned int symtab_flags(const struct symtab *t, const char *name, unsigned int pos)
{
	unsigned int all = 0, k = 0;

	for (size_t i = lower_bound(t, name); i < t->n && strcmp(t->v[i].name, name) == 0; i++) {
		all |= t->v[i].flags;
		if (pos && !(t->v[i].flags & SYMTAB_UNLISTED) && ++k == pos)
			return t->v[i].flags;
	}
	return pos ? 0 : all;
}

size_t symtab_size(const struct symtab *t)
{
	return t->n;
}

void symtab_free(struct symtab *t)
{
	if (!t)
		return;
	for (size_t i = 0; i < t->n; i++)
		free(t->v[i].name);
	free(t->v);
	free(t);
}

/* The letters after f/o in a line, one per flag. */
static const struct {
	char letter;
	unsigned int flag;
} flag_letters[] = { { 'i', SYMTAB_INIT }, { 'n', SYMTAB_NOTRACE }, { 'u', SYMTAB_UNLISTED } };
#define N_LETTERS (sizeof(flag_letters) / sizeof(flag_letters[0]))

void symtab_write_lines(const struct symtab *t, FILE *f)
{
	for (size_t i = 0; i < t->n; i++) {
		fputc(t->v[i].flags & SYMTAB_FUNC ? 'f' : 'o', f);
		for (size_t k = 0; k < N_LETTERS; k++)
			if (t->v[i].flags & flag_letters[k].flag)
				fputc(flag_letters[k].letter, f);
		fprintf(f, " %s\n", t->v[i].name);
	}
}

/* "KIND NAME": the flags in *@flags, the length of "KIND " returned; 0 if malformed. */
static size_t parse_kind(const char *line, size_t n, unsigned int *flags)
{
	size_t i = 1;

	if (n < 3 || (line[0] != 'f' && line[0] != 'o'))
		return 0;
	*flags = line[0] == 'f' ? SYMTAB_FUNC : 0;
	for (; i < n && line[i] != ' '; i++) {
		size_t k = 0;

		while (k < N_LETTERS && flag_letters[k].letter != line[i])
			k++;
		if (k == N_LETTERS)
			return 0;
		*flags |= flag_letters[k].flag;
	}
	return i + 1 < n ? i + 1 : 0;
}

int symtab_read_lines(FILE *f, struct symtab **out)
{
	struct symtab *t = symtab_new();
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	int rc = 0;

	if (!t)
		return -ENOMEM;
	while (!rc && (n = getline(&line, &cap, f)) > 0) {
		unsigned int flags;
		size_t skip;

		if (line[n - 1] == '\n')
			n--;
		skip = parse_kind(line, (size_t)n, &flags);
		if (!skip)
			rc = -EBADMSG;
		else
			rc = symtab_add(t, line + skip, (size_t)n - skip, flags);
	}
	free(line);
	if (rc) {
		symtab_free(t);
		return rc;
	}
	return symtab_finish(t, out);
}
