// SPDX-License-Identifier: GPL-2.0-or-later
/* decls.c - see decls.h. */
#include <ctype.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "create/decls.h"

#define ARGS_MAX 5
#define WORD_MAX 512 /* KSYM_NAME_LEN */

struct scanner {
	struct klpb_ctx *ctx;
	const char *path;
	const char *s;
	size_t len, pos;
	unsigned int line;
};

/* Report a malformed declaration at @line of the source: "p.c:3: ..."; -EINVAL. */
#define scan_err(sc, line, fmt, ...) \
	(p_err((sc)->ctx, -EINVAL, "%s:%u: " fmt, (sc)->path, (line), ##__VA_ARGS__), -EINVAL)

static char peek(const struct scanner *sc, size_t ahead)
{
	return sc->pos + ahead < sc->len ? sc->s[sc->pos + ahead] : '\0';
}

static void advance(struct scanner *sc)
{
	if (sc->s[sc->pos] == '\n')
		sc->line++;
	sc->pos++;
}

/* Skip a comment, string or character literal at the cursor; true if one was. */
static bool skip_noise(struct scanner *sc)
{
	char c = peek(sc, 0);

	if (c == '/' && peek(sc, 1) == '/') {
		while (sc->pos < sc->len && peek(sc, 0) != '\n')
			advance(sc);
		return true;
	}
	if (c == '/' && peek(sc, 1) == '*') {
		sc->pos += 2;
		while (sc->pos < sc->len && !(peek(sc, 0) == '*' && peek(sc, 1) == '/'))
			advance(sc);
		sc->pos = sc->pos + 2 < sc->len ? sc->pos + 2 : sc->len;
		return true;
	}
	if (c == '"' || c == '\'') {
		advance(sc);
		while (sc->pos < sc->len && peek(sc, 0) != c && peek(sc, 0) != '\n') {
			if (peek(sc, 0) == '\\' && sc->pos + 1 < sc->len)
				advance(sc);
			advance(sc);
		}
		if (sc->pos < sc->len)
			advance(sc);
		return true;
	}
	return false;
}

/* Skip a preprocessor line (with its continuations) if the cursor starts one. */
static bool skip_directive(struct scanner *sc, bool at_line_start)
{
	if (!at_line_start || peek(sc, 0) != '#')
		return false;
	while (sc->pos < sc->len && peek(sc, 0) != '\n') {
		if (peek(sc, 0) == '\\' && peek(sc, 1) == '\n')
			advance(sc);
		if (!skip_noise(sc))
			advance(sc);
	}
	return true;
}

static bool is_word_char(char c)
{
	return isalnum((unsigned char)c) || c == '_';
}

static void skip_space(struct scanner *sc)
{
	while (sc->pos < sc->len && (isspace((unsigned char)peek(sc, 0)) || skip_noise(sc))) {
		if (isspace((unsigned char)peek(sc, 0)))
			advance(sc);
	}
}

/*
 * Read "( a , b , ... )" after a macro name: each argument must be one word
 * of [A-Za-z0-9_.-] (a symbol like foo.isra.0 or a module like snd-hda).
 */
static int read_args(struct scanner *sc, const char *macro, char args[][WORD_MAX], int nargs,
		     bool type_follows, unsigned int line)
{
	skip_space(sc);
	if (peek(sc, 0) != '(')
		return scan_err(sc, line, "'%s' is not followed by '('", macro);
	advance(sc);
	for (int i = 0; i < nargs; i++) {
		size_t n = 0;

		skip_space(sc);
		while (is_word_char(peek(sc, 0)) || peek(sc, 0) == '.' || peek(sc, 0) == '-') {
			if (n + 1 >= WORD_MAX)
				return scan_err(sc, line, "argument %d of '%s' is too long", i + 1,
						macro);
			args[i][n++] = peek(sc, 0);
			advance(sc);
		}
		args[i][n] = '\0';
		skip_space(sc);
		if (n == 0 || peek(sc, 0) != (i + 1 < nargs || type_follows ? ',' : ')'))
			return scan_err(
				sc, line,
				"'%s' takes %d plain names (%s); write the declaration literally",
				macro, nargs,
				type_follows ?
					(nargs == 2 ? "object, symbol, then its type" :
						      "object, symbol, position, then its type") :
				strcmp(macro, "KLPB_DIRECT_REF_POS") == 0 ?
					"object, symbol, position, 0 or 1 for a function" :
				nargs == 3 ? "object, old function, new function" :
				nargs == 4 ? "object, old function, position, new function" :
					     "object and four callbacks or NULL");
		advance(sc);
	}
	return 0;
}

/*
 * For KLPB_SYMBOL*: after the plain-word arguments comes a C type, which may
 * hold parentheses and commas: skip it up to the macro's closing ')'.
 */
static int skip_type_arg(struct scanner *sc, const char *macro, unsigned int line)
{
	int depth = 1;
	bool any = false;

	while (sc->pos < sc->len && depth > 0) {
		char c = peek(sc, 0);

		if (skip_noise(sc))
			continue;
		if (c == '(')
			depth++;
		else if (c == ')')
			depth--;
		else if (!isspace((unsigned char)c))
			any = true;
		advance(sc);
	}
	if (depth > 0 || !any)
		return scan_err(sc, line, "'%s' needs a type after the symbol", macro);
	return 0;
}

static int check_object(struct scanner *sc, char *obj, unsigned int line)
{
	size_t n = strlen(obj);

	for (size_t i = 0; i < n; i++) {
		if (obj[i] == '-')
			obj[i] = '_';
		if (!islower((unsigned char)obj[i]) && !isdigit((unsigned char)obj[i]) &&
		    obj[i] != '_')
			return scan_err(sc, line,
					"invalid object name '%s': use vmlinux or a module name",
					obj);
	}
	if (n > OBJECT_NAME_MAX)
		return scan_err(sc, line, "object name '%s' is longer than %d characters", obj,
				OBJECT_NAME_MAX);
	return 0;
}

static bool is_identifier(const char *s)
{
	if (!*s || isdigit((unsigned char)*s))
		return false;
	for (; *s; s++)
		if (!is_word_char(*s))
			return false;
	return true;
}

static int parse_pos(struct scanner *sc, const char *arg, const char *what, unsigned long *pos,
		     unsigned int line)
{
	char *end;

	errno = 0;
	*pos = strtoul(arg, &end, 10);
	if (errno || *end || !isdigit((unsigned char)arg[0]))
		return scan_err(sc, line, "position '%s' of '%s' is not a number", arg, what);
	return 0;
}

static int add_func(struct scanner *sc, struct decl_list *list, char args[][WORD_MAX], bool pos,
		    unsigned int line)
{
	const char *new_name = args[pos ? 3 : 2];
	struct patch_func *f, *v;
	unsigned long sympos = 0;

	if (check_object(sc, args[0], line))
		return -EINVAL;
	if (pos && parse_pos(sc, args[2], args[1], &sympos, line))
		return -EINVAL;
	if (!is_identifier(new_name))
		return scan_err(sc, line, "replacement '%s' is not a C identifier", new_name);
	for (size_t i = 0; i < list->n_funcs; i++) {
		f = &list->funcs[i];
		if (strcmp(f->object, args[0]) == 0 && strcmp(f->old_name, args[1]) == 0 &&
		    (f->sympos == sympos || f->sympos == 0 || sympos == 0))
			return scan_err(sc, line, "'%s' in %s is already replaced at %s:%u",
					args[1], args[0], f->file, f->line);
	}
	v = realloc(list->funcs, (list->n_funcs + 1) * sizeof(*v));
	if (!v)
		return -ENOMEM;
	list->funcs = v;
	f = &v[list->n_funcs];
	*f = (struct patch_func){
		.object = strdup(args[0]),
		.old_name = strdup(args[1]),
		.sympos = sympos,
		.new_name = strdup(new_name),
		.file = strdup(sc->path),
		.line = line,
	};
	list->n_funcs++;
	if (!f->object || !f->old_name || !f->new_name || !f->file)
		return -ENOMEM;
	return 0;
}

/*
 * KLPB_SYMBOL (@pos false), KLPB_SYMBOL_POS, or KLPB_DIRECT_REF_POS (@direct:
 * args[3] is 0 or 1, is_func).
 */
static int add_symref(struct scanner *sc, struct decl_list *list, char args[][WORD_MAX], bool pos,
		      bool direct, unsigned int line)
{
	struct patch_symref *r, *v;
	unsigned long sympos = 0;

	if (check_object(sc, args[0], line))
		return -EINVAL;
	if (!is_identifier(args[1]) && !strchr(args[1], '.'))
		return scan_err(sc, line, "symbol '%s' is not a name", args[1]);
	if (pos && parse_pos(sc, args[2], args[1], &sympos, line))
		return -EINVAL;
	if (direct && strcmp(args[3], "0") != 0 && strcmp(args[3], "1") != 0)
		return scan_err(sc, line,
				"'%s' of KLPB_DIRECT_REF_POS '%s' is not 0 or 1 (is_func)", args[3],
				args[1]);
	for (size_t i = 0; i < list->n_symrefs; i++) {
		r = &list->symrefs[i];
		if (strcmp(r->object, args[0]) == 0 && strcmp(r->name, args[1]) == 0 &&
		    r->sympos == sympos)
			return scan_err(sc, line, "'%s' of %s is already referenced at %s:%u",
					args[1], args[0], r->file, r->line);
	}
	v = realloc(list->symrefs, (list->n_symrefs + 1) * sizeof(*v));
	if (!v)
		return -ENOMEM;
	list->symrefs = v;
	r = &v[list->n_symrefs++];
	*r = (struct patch_symref){
		.object = strdup(args[0]),
		.name = strdup(args[1]),
		.sympos = sympos,
		.direct = direct,
		.is_func = direct && args[3][0] == '1',
		.file = strdup(sc->path),
		.line = line,
	};
	return r->object && r->name && r->file ? 0 : -ENOMEM;
}

static int add_callbacks(struct scanner *sc, struct decl_list *list, char args[][WORD_MAX],
			 unsigned int line)
{
	char **v;

	if (check_object(sc, args[0], line))
		return -EINVAL;
	for (size_t i = 0; i < list->n_callback_objects; i++)
		if (strcmp(list->callback_objects[i], args[0]) == 0)
			return scan_err(sc, line, "a second KLPB_OBJECT_CALLBACKS for '%s'",
					args[0]);
	v = realloc(list->callback_objects, (list->n_callback_objects + 1) * sizeof(*v));
	if (!v)
		return -ENOMEM;
	list->callback_objects = v;
	v[list->n_callback_objects] = strdup(args[0]);
	if (!v[list->n_callback_objects])
		return -ENOMEM;
	list->n_callback_objects++;
	return 0;
}

static int handle_word(struct scanner *sc, struct decl_list *list, const char *word,
		       unsigned int line)
{
	char args[ARGS_MAX][WORD_MAX];
	int rc;

	if (strcmp(word, "KLPB_PATCH_FUNC") == 0) {
		rc = read_args(sc, word, args, 3, false, line);
		return rc ? rc : add_func(sc, list, args, false, line);
	}
	if (strcmp(word, "KLPB_PATCH_FUNC_POS") == 0) {
		rc = read_args(sc, word, args, 4, false, line);
		return rc ? rc : add_func(sc, list, args, true, line);
	}
	if (strcmp(word, "KLPB_SYMBOL") == 0 || strcmp(word, "KLPB_SYMBOL_POS") == 0) {
		bool pos = word[11] == '_';

		rc = read_args(sc, word, args, pos ? 3 : 2, true, line);
		if (!rc)
			rc = skip_type_arg(sc, word, line);
		return rc ? rc : add_symref(sc, list, args, pos, false, line);
	}
	if (strcmp(word, "KLPB_DIRECT_REF_POS") == 0) {
		rc = read_args(sc, word, args, 4, false, line);
		return rc ? rc : add_symref(sc, list, args, true, true, line);
	}
	if (strcmp(word, "KLPB_OBJECT_CALLBACKS") == 0) {
		rc = read_args(sc, word, args, 5, false, line);
		return rc ? rc : add_callbacks(sc, list, args, line);
	}
	return 0;
}

static int scan_text(struct scanner *sc, struct decl_list *list)
{
	bool line_start = true;

	while (sc->pos < sc->len) {
		char c = peek(sc, 0);

		if (skip_directive(sc, line_start) || skip_noise(sc))
			continue;
		if (c == '\n' || isspace((unsigned char)c)) {
			line_start = line_start || c == '\n';
			advance(sc);
			continue;
		}
		line_start = false;
		if (is_word_char(c)) {
			char word[32];
			size_t n = 0;
			unsigned int line = sc->line;
			int rc;

			while (is_word_char(peek(sc, 0))) {
				if (n + 1 < sizeof(word))
					word[n++] = peek(sc, 0);
				advance(sc);
			}
			word[n] = '\0';
			rc = handle_word(sc, list, word, line);
			if (rc)
				return rc;
			continue;
		}
		advance(sc);
	}
	return 0;
}

int decls_scan(struct klpb_ctx *ctx, struct decl_list *list, const char *path, const char *text,
	       size_t len)
{
	struct scanner sc = { ctx, path, text, len, 0, 1 };
	int rc = scan_text(&sc, list);

	if (rc == -ENOMEM)
		p_err(ctx, rc, "%s", strerror(-rc));
	return rc;
}

int decls_objects(const struct decl_list *list, const char ***objects, size_t *n)
{
	size_t n_all = list->n_funcs + list->n_callback_objects + list->n_symrefs;
	size_t max = n_all + 1, count = 0;
	const char **v = calloc(max, sizeof(*v));

	if (!v)
		return -ENOMEM;
	for (size_t i = 0; i < n_all; i++) {
		size_t k = i - list->n_funcs;
		const char *o = i < list->n_funcs ?
					list->funcs[i].object :
				k < list->n_callback_objects ?
					list->callback_objects[k] :
					list->symrefs[k - list->n_callback_objects].object;
		size_t j;

		for (j = 0; j < count && strcmp(v[j], o) != 0; j++)
			;
		if (j < count)
			continue;
		if (strcmp(o, "vmlinux") == 0) {
			memmove(v + 1, v, count * sizeof(*v));
			v[0] = o;
		} else {
			v[count] = o;
		}
		count++;
	}
	*objects = v;
	*n = count;
	return 0;
}

void decls_free(struct decl_list *list)
{
	for (size_t i = 0; i < list->n_funcs; i++) {
		free(list->funcs[i].object);
		free(list->funcs[i].old_name);
		free(list->funcs[i].new_name);
		free(list->funcs[i].file);
	}
	free(list->funcs);
	for (size_t i = 0; i < list->n_symrefs; i++) {
		free(list->symrefs[i].object);
		free(list->symrefs[i].name);
		free(list->symrefs[i].file);
	}
	free(list->symrefs);
	for (size_t i = 0; i < list->n_callback_objects; i++)
		free(list->callback_objects[i]);
	free(list->callback_objects);
	*list = (struct decl_list){};
}

static int merge_func(struct klpb_ctx *ctx, struct decl_list *dst, const struct patch_func *f,
		      const char *release)
{
	struct patch_func *v;

	for (size_t i = 0; i < dst->n_funcs; i++) {
		const struct patch_func *d = &dst->funcs[i];

		if (strcmp(d->object, f->object) != 0 || strcmp(d->old_name, f->old_name) != 0)
			continue;
		if (d->sympos == f->sympos && strcmp(d->new_name, f->new_name) == 0 &&
		    strcmp(d->file, f->file) == 0)
			return 0; /* the same replacement in another target */
		p_err(ctx, -EINVAL,
		      "'%s' in %s is replaced at %s:%u and, for kernel %s, differently at %s:%u (another position or replacement): give each kernel its own bundle",
		      f->old_name, f->object, d->file, d->line, release, f->file, f->line);
		return -EINVAL;
	}
	v = realloc(dst->funcs, (dst->n_funcs + 1) * sizeof(*v));
	if (!v)
		return -ENOMEM;
	dst->funcs = v;
	v[dst->n_funcs] = (struct patch_func){
		.object = strdup(f->object),
		.old_name = strdup(f->old_name),
		.sympos = f->sympos,
		.new_name = strdup(f->new_name),
		.file = strdup(f->file),
		.line = f->line,
	};
	f = &v[dst->n_funcs++];
	return f->object && f->old_name && f->new_name && f->file ? 0 : -ENOMEM;
}

static int merge_symref(struct decl_list *dst, const struct patch_symref *r)
{
	struct patch_symref *v;

	for (size_t i = 0; i < dst->n_symrefs; i++) {
		const struct patch_symref *d = &dst->symrefs[i];

		if (strcmp(d->object, r->object) == 0 && strcmp(d->name, r->name) == 0 &&
		    d->sympos == r->sympos)
			return 0;
	}
	v = realloc(dst->symrefs, (dst->n_symrefs + 1) * sizeof(*v));
	if (!v)
		return -ENOMEM;
	dst->symrefs = v;
	v[dst->n_symrefs] = (struct patch_symref){
		.object = strdup(r->object),
		.name = strdup(r->name),
		.sympos = r->sympos,
		.direct = r->direct,
		.is_func = r->is_func,
		.file = strdup(r->file),
		.line = r->line,
	};
	r = &v[dst->n_symrefs++];
	return r->object && r->name && r->file ? 0 : -ENOMEM;
}

int decls_merge(struct klpb_ctx *ctx, struct decl_list *dst, const struct decl_list *src,
		const char *release)
{
	int rc = 0;

	for (size_t i = 0; !rc && i < src->n_funcs; i++)
		rc = merge_func(ctx, dst, &src->funcs[i], release);
	for (size_t i = 0; !rc && i < src->n_symrefs; i++)
		rc = merge_symref(dst, &src->symrefs[i]);
	return rc;
}
