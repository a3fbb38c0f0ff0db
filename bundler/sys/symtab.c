// SPDX-License-Identifier: GPL-2.0-or-later
/* symtab.c - see symtab.h. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "sys/symtab.h"

struct sym {
	char *name;
	bool func;
};

struct symtab {
	struct sym *v; /* sorted by name once finished */
	size_t n, cap;
};

struct symtab *symtab_new(void)
{
	return calloc(1, sizeof(struct symtab));
}

int symtab_add(struct symtab *t, const char *name, size_t len, bool func)
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
	t->v[t->n++] = (struct sym){ s, func };
	return 0;
}

static int cmp_sym(const void *a, const void *b)
{
	return strcmp(((const struct sym *)a)->name, ((const struct sym *)b)->name);
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
		if (!funcs_only || t->v[i].func)
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

void symtab_write_lines(const struct symtab *t, FILE *f)
{
	for (size_t i = 0; i < t->n; i++)
		fprintf(f, "%c %s\n", t->v[i].func ? 'f' : 'o', t->v[i].name);
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
		if (line[n - 1] == '\n')
			n--;
		if (n < 3 || (line[0] != 'f' && line[0] != 'o') || line[1] != ' ')
			rc = -EBADMSG;
		else
			rc = symtab_add(t, line + 2, (size_t)n - 2, line[0] == 'f');
	}
	free(line);
	if (rc) {
		symtab_free(t);
		return rc;
	}
	return symtab_finish(t, out);
}
