// SPDX-License-Identifier: GPL-2.0-or-later
/* patchfile.c - see patchfile.h. */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "common/ctx.h"
#include "create/patchfile.h"
#include "util/strbuf.h"

/* The patch being parsed, as lines. */
struct pline {
	const char *s;
	size_t len;
};

struct parser {
	struct klpb_ctx *ctx;
	const char *name;
	struct pline *lines;
	size_t n, i; /* i: the next line (0-based; its number is i + 1) */
	struct patchset *out;
	char *git_path; /* the path of the current "diff --git" header, NULL outside one */
};

static bool starts(const struct pline *l, const char *prefix)
{
	size_t n = strlen(prefix);

	return l->len >= n && memcmp(l->s, prefix, n) == 0;
}

static int split_lines(const char *text, size_t len, struct pline **out, size_t *n_out)
{
	size_t n = 0, alloc = 0, i = 0;
	struct pline *v = NULL;

	while (i < len) {
		const char *nl = memchr(text + i, '\n', len - i);
		size_t end = nl ? (size_t)(nl - text) : len;
		size_t l = end - i;

		if (n == alloc) {
			struct pline *nv;

			alloc = alloc ? 2 * alloc : 256;
			nv = realloc(v, alloc * sizeof(*v));
			if (!nv) {
				free(v);
				return -ENOMEM;
			}
			v = nv;
		}
		if (l && text[i + l - 1] == '\r')
			l--;
		v[n++] = (struct pline){ text + i, l };
		i = end + 1;
	}
	*out = v;
	*n_out = n;
	return 0;
}

/*
 * The file name of a "---"/"+++" header at @s (@len bytes): up to a tab
 * (plain diff's time stamp) or the end.  [owned] *@raw.
 */
static int header_name(const char *s, size_t len, char **raw)
{
	const char *tab = memchr(s, '\t', len);

	if (tab)
		len = (size_t)(tab - s);
	while (len && s[len - 1] == ' ')
		len--;
	*raw = strndup(s, len);
	return *raw ? 0 : -ENOMEM;
}

/* -p1: [owned] *@out is @raw without its first directory; refusals reported. */
static int strip_p1(struct parser *p, const char *raw, char **out)
{
	const char *rest = strchr(raw, '/'), *c;
	unsigned long line = p->i;

	if (raw[0] == '"') {
		p_err(p->ctx, -EINVAL,
		      "%s:%lu: quoted file name %s: not supported; use plain names", p->name, line,
		      raw);
		return -EINVAL;
	}
	if (raw[0] == '/') {
		p_err(p->ctx, -EINVAL,
		      "%s:%lu: absolute path '%s': a patch must name tree-relative files (a/..., b/...); make it with 'git diff' or 'diff -u' from the tree's parent directory",
		      p->name, line, raw);
		return -EINVAL;
	}
	if (!rest || !rest[1]) {
		p_err(p->ctx, -EINVAL,
		      "%s:%lu: '%s' has no leading directory to strip (-p1); make the patch with 'git diff' or 'diff -u a/... b/...'",
		      p->name, line, raw);
		return -EINVAL;
	}
	rest++;
	for (c = rest; *c; c = strchr(c, '/') ? strchr(c, '/') + 1 : c + strlen(c)) {
		size_t clen = strcspn(c, "/");

		if ((clen == 2 && !memcmp(c, "..", 2)) || clen == 0) {
			p_err(p->ctx, -EINVAL,
			      "%s:%lu: path '%s' has a '..' or empty component: refused, a patch may only change files inside the tree",
			      p->name, line, raw);
			return -EINVAL;
		}
	}
	*out = strdup(rest);
	return *out ? 0 : -ENOMEM;
}

static int refuse_git(struct parser *p, const char *what, const char *why)
{
	p_err(p->ctx, -EINVAL, "%s:%zu: the patch %s '%s': %s", p->name, p->i + 1, what,
	      p->git_path ? p->git_path : "?", why);
	return -EINVAL;
}

/* A "diff --git a/X b/Y" line: remember X (for messages) until its "---". */
static int git_header(struct parser *p, const struct pline *l)
{
	const char *s = l->s + strlen("diff --git ");
	size_t len = l->len - strlen("diff --git ");
	const char *b = NULL;
	size_t k;

	for (k = 0; k + 3 <= len; k++)
		if (!memcmp(s + k, " b/", 3))
			b = s + k;
	if (!b)
		b = s + len;
	if (len > 2 && s[0] == 'a' && s[1] == '/')
		s += 2;
	free(p->git_path);
	p->git_path = strndup(s, (size_t)(b - s));
	return p->git_path ? 0 : -ENOMEM;
}

/* An extended git header line after "diff --git": refuse what a live patch cannot do. */
static int git_ext_line(struct parser *p, const struct pline *l)
{
	if (starts(l, "new file mode"))
		return refuse_git(
			p, "creates the new file",
			"a live patch replaces functions of existing translation units; a new .c file cannot be added (move its code into the existing file that uses it)");
	if (starts(l, "deleted file mode"))
		return refuse_git(p, "deletes", "files cannot be deleted by a live patch");
	if (starts(l, "rename from") || starts(l, "rename to") || starts(l, "similarity index"))
		return refuse_git(
			p, "renames",
			"renamed files are not supported (the unit's identity is its path)");
	if (starts(l, "copy from") || starts(l, "copy to"))
		return refuse_git(p, "copies", "copied (new) files are not supported");
	if (starts(l, "GIT binary patch") || starts(l, "Binary files "))
		return refuse_git(p, "changes the binary file",
				  "binary diffs cannot be applied to source");
	return 0;
}

static bool parse_range(const char **s, unsigned long *start, unsigned long *count)
{
	char *end;

	*start = strtoul(*s, &end, 10);
	if (end == *s)
		return false;
	*count = 1;
	if (*end == ',') {
		const char *c = end + 1;

		*count = strtoul(c, &end, 10);
		if (end == c)
			return false;
	}
	*s = end;
	return true;
}

static int hunk_add_line(struct patch_hunk *h, size_t *alloc, char op, const char *s, size_t len)
{
	if (h->n_lines == *alloc) {
		struct patch_line *nl;

		*alloc = *alloc ? 2 * *alloc : 16;
		nl = realloc(h->lines, *alloc * sizeof(*nl));
		if (!nl)
			return -ENOMEM;
		h->lines = nl;
	}
	h->lines[h->n_lines++] = (struct patch_line){ .op = op, .text = s, .len = len };
	return 0;
}

static int malformed(struct parser *p, const struct patch_file *f, const char *why)
{
	p_err(p->ctx, -EINVAL, "%s:%zu: malformed diff of '%s': %s; regenerate the patch", p->name,
	      p->i + 1, f->path, why);
	return -EINVAL;
}

/* The hunk whose "@@" line is the next line. */
static int parse_hunk(struct parser *p, struct patch_file *f, struct patch_hunk *h)
{
	const struct pline *l = &p->lines[p->i];
	const char *s = l->s + 4;
	unsigned long old_left, new_left;
	size_t alloc = 0;
	int rc;

	h->patch_line = p->i + 1;
	if (!parse_range(&s, &h->old_start, &h->old_count) || strncmp(s, " +", 2))
		return malformed(p, f, "bad hunk header");
	s += 2;
	if (!parse_range(&s, &h->new_start, &h->new_count) || strncmp(s, " @@", 3))
		return malformed(p, f, "bad hunk header");
	old_left = h->old_count;
	new_left = h->new_count;
	for (p->i++; p->i < p->n && (old_left || new_left); p->i++) {
		l = &p->lines[p->i];
		char op = l->len ? l->s[0] : ' ';

		if (op == '\\') {
			if (h->n_lines)
				h->lines[h->n_lines - 1].no_eol = true;
			continue;
		}
		if ((op == ' ' || op == '-') && !old_left)
			return malformed(p, f, "more old lines than the hunk header says");
		if ((op == ' ' || op == '+') && !new_left)
			return malformed(p, f, "more new lines than the hunk header says");
		if (op != ' ' && op != '-' && op != '+')
			return malformed(p, f, "a hunk line that is neither ' ', '-' nor '+'");
		rc = hunk_add_line(h, &alloc, op, l->len ? l->s + 1 : l->s,
				   l->len ? l->len - 1 : 0);
		if (rc)
			return rc;
		old_left -= op != '+';
		new_left -= op != '-';
	}
	if (old_left || new_left)
		return malformed(p, f, "the hunk is truncated");
	if (p->i < p->n && starts(&p->lines[p->i], "\\")) {
		if (h->n_lines)
			h->lines[h->n_lines - 1].no_eol = true;
		p->i++;
	}
	return 0;
}

static int new_file(struct parser *p, struct patch_file **f)
{
	struct patchset *ps = p->out;
	struct patch_file *nf = realloc(ps->files, (ps->n_files + 1) * sizeof(*nf));

	if (!nf)
		return -ENOMEM;
	ps->files = nf;
	*f = &nf[ps->n_files++];
	**f = (struct patch_file){ .patch = p->name, .patch_line = p->i + 1 };
	return 0;
}

/* The "---" header at the next line, then "+++" and the hunks. */
static int parse_file(struct parser *p)
{
	const struct pline *minus = &p->lines[p->i], *plus = &p->lines[p->i + 1];
	char *old_raw = NULL, *new_raw = NULL, *old_path = NULL;
	struct patch_file *f;
	int rc;

	rc = header_name(minus->s + 4, minus->len - 4, &old_raw);
	if (!rc)
		rc = header_name(plus->s + 4, plus->len - 4, &new_raw);
	if (rc)
		goto out;
	rc = -EINVAL;
	if (!strcmp(old_raw, "/dev/null")) {
		p_err(p->ctx, rc,
		      "%s:%zu: the patch creates the new file '%s': a live patch replaces functions of existing translation units; a new file cannot be added (move its code into the existing file that uses it)",
		      p->name, p->i + 1, new_raw);
		goto out;
	}
	if (!strcmp(new_raw, "/dev/null")) {
		p_err(p->ctx, rc,
		      "%s:%zu: the patch deletes '%s': files cannot be deleted by a live patch",
		      p->name, p->i + 1, old_raw);
		goto out;
	}
	rc = new_file(p, &f);
	if (rc)
		goto out;
	rc = strip_p1(p, old_raw, &old_path);
	if (!rc)
		rc = strip_p1(p, new_raw, &f->path);
	if (rc)
		goto out;
	if (strcmp(old_path, f->path)) {
		p_err(p->ctx, -EINVAL,
		      "%s:%zu: the diff renames '%s' to '%s': renamed files are not supported (the unit's identity is its path); diff the same path (a/X, b/X)",
		      p->name, p->i + 1, old_path, f->path);
		rc = -EINVAL;
		goto out;
	}
	p->i += 2;
	while (!rc && p->i < p->n && starts(&p->lines[p->i], "@@ ")) {
		struct patch_hunk *nh = realloc(f->hunks, (f->n_hunks + 1) * sizeof(*nh));

		if (!nh) {
			rc = -ENOMEM;
			break;
		}
		f->hunks = nh;
		nh = &f->hunks[f->n_hunks++];
		*nh = (struct patch_hunk){ 0 };
		rc = parse_hunk(p, f, nh);
	}
	if (!rc && !f->n_hunks)
		rc = malformed(p, f, "no hunk after the file header");
out:
	free(old_raw);
	free(new_raw);
	free(old_path);
	return rc;
}

static int parse_one(struct parser *p)
{
	int rc = 0;

	while (!rc && p->i < p->n) {
		const struct pline *l = &p->lines[p->i];

		if (starts(l, "diff --git ")) {
			rc = git_header(p, l);
			p->i++;
		} else if (starts(l, "--- ") && p->i + 1 < p->n && starts(&l[1], "+++ ")) {
			rc = parse_file(p);
			free(p->git_path);
			p->git_path = NULL;
		} else if (starts(l, "Binary files ")) {
			rc = refuse_git(p, "changes a binary file",
					"binary diffs cannot be applied to source");
		} else {
			if (p->git_path)
				rc = git_ext_line(p, l);
			p->i++;
		}
	}
	return rc;
}

int patchset_parse(struct klpb_ctx *ctx, const struct patch_input *patches, size_t n,
		   struct patchset *out)
{
	size_t k, before;
	int rc = 0;

	*out = (struct patchset){ 0 };
	for (k = 0; !rc && k < n; k++) {
		struct parser p = { .ctx = ctx, .name = patches[k].name, .out = out };

		rc = split_lines(patches[k].text, patches[k].len, &p.lines, &p.n);
		if (rc)
			break;
		before = out->n_files;
		rc = parse_one(&p);
		free(p.lines);
		free(p.git_path);
		if (!rc && out->n_files == before) {
			p_err(ctx, -EINVAL,
			      "%s: no unified diff found in the patch: give 'git diff', 'git format-patch' or 'diff -u' output",
			      patches[k].name);
			rc = -EINVAL;
		}
	}
	if (rc) {
		if (rc == -ENOMEM)
			p_err(ctx, rc, "parsing the patches: out of memory");
		patchset_free(out);
	}
	return rc;
}

void patchset_free(struct patchset *ps)
{
	size_t i, j;

	for (i = 0; i < ps->n_files; i++) {
		for (j = 0; j < ps->files[i].n_hunks; j++)
			free(ps->files[i].hunks[j].lines);
		free(ps->files[i].hunks);
		free(ps->files[i].path);
	}
	free(ps->files);
	*ps = (struct patchset){ 0 };
}

static int src_reserve(struct src_text *t, size_t n)
{
	struct src_line *nl;
	size_t alloc = t->alloc ? t->alloc : 64;

	if (n <= t->alloc)
		return 0;
	while (alloc < n)
		alloc *= 2;
	nl = realloc(t->lines, alloc * sizeof(*nl));
	if (!nl)
		return -ENOMEM;
	t->lines = nl;
	t->alloc = alloc;
	return 0;
}

int src_text_load(struct src_text *t, const char *data, size_t len)
{
	size_t i = 0;
	int rc;

	*t = (struct src_text){ 0 };
	t->data = malloc(len + 1);
	if (!t->data)
		return -ENOMEM;
	memcpy(t->data, data, len);
	t->data[len] = 0;
	while (i < len) {
		const char *nl = memchr(t->data + i, '\n', len - i);
		size_t end = nl ? (size_t)(nl - t->data) : len;

		rc = src_reserve(t, t->n_lines + 1);
		if (rc) {
			src_text_free(t);
			return rc;
		}
		t->lines[t->n_lines] = (struct src_line){ t->data + i, end - i, t->n_lines + 1 };
		t->n_lines++;
		t->no_eol = !nl;
		i = end + 1;
	}
	return 0;
}

void src_text_free(struct src_text *t)
{
	free(t->data);
	free(t->lines);
	*t = (struct src_text){ 0 };
}

/* Do the old lines of @h (context and removed) match @t at line index @pos? */
static bool hunk_matches(const struct patch_hunk *h, const struct src_text *t, size_t pos,
			 size_t n_old, bool old_no_eol)
{
	size_t j, k = pos;

	if (pos + n_old > t->n_lines)
		return false;
	for (j = 0; j < h->n_lines; j++) {
		const struct patch_line *pl = &h->lines[j];

		if (pl->op == '+')
			continue;
		if (t->lines[k].len != pl->len || memcmp(t->lines[k].text, pl->text, pl->len))
			return false;
		k++;
	}
	/* At the end of the file, both must agree on its last newline. */
	if (n_old && pos + n_old == t->n_lines)
		return old_no_eol == t->no_eol;
	return !old_no_eol;
}

/* The nearest index >= @min to @expected where @h matches; false if none. */
static bool hunk_find(const struct patch_hunk *h, const struct src_text *t, long expected,
		      size_t min, size_t n_old, bool old_no_eol, size_t *pos)
{
	long d, last = (long)t->n_lines;

	if (expected < (long)min)
		expected = (long)min;
	if (expected > last)
		expected = last;
	for (d = 0; expected - d >= (long)min || expected + d <= last; d++) {
		if (expected + d <= last &&
		    hunk_matches(h, t, (size_t)(expected + d), n_old, old_no_eol)) {
			*pos = (size_t)(expected + d);
			return true;
		}
		if (d && expected - d >= (long)min &&
		    hunk_matches(h, t, (size_t)(expected - d), n_old, old_no_eol)) {
			*pos = (size_t)(expected - d);
			return true;
		}
	}
	return false;
}

/* Replace the @n_old lines at @pos by the new side of @h. */
static int hunk_splice(const struct patch_hunk *h, struct src_text *t, size_t pos, size_t n_old,
		       size_t n_new)
{
	struct src_line *repl = calloc(n_new ? n_new : 1, sizeof(*repl));
	size_t j, k = pos, r = 0;
	int rc;

	if (!repl)
		return -ENOMEM;
	for (j = 0; j < h->n_lines; j++) {
		const struct patch_line *pl = &h->lines[j];

		if (pl->op == ' ')
			repl[r++] = t->lines[k];
		else if (pl->op == '+')
			repl[r++] = (struct src_line){ pl->text, pl->len, 0 };
		k += pl->op != '+';
	}
	rc = src_reserve(t, t->n_lines - n_old + n_new);
	if (!rc) {
		memmove(&t->lines[pos + n_new], &t->lines[pos + n_old],
			(t->n_lines - pos - n_old) * sizeof(*t->lines));
		memcpy(&t->lines[pos], repl, n_new * sizeof(*repl));
		t->n_lines = t->n_lines - n_old + n_new;
	}
	free(repl);
	return rc;
}

int patch_apply(struct klpb_ctx *ctx, const struct patch_file *pf, struct src_text *t)
{
	size_t i, j, min = 0, pos;
	long delta = 0;
	int rc;

	for (i = 0; i < pf->n_hunks; i++) {
		const struct patch_hunk *h = &pf->hunks[i];
		bool old_no_eol = false, new_no_eol = false;
		size_t n_old = 0, n_new = 0;
		long base = h->old_count ? (long)h->old_start - 1 : (long)h->old_start;

		for (j = 0; j < h->n_lines; j++) {
			if (h->lines[j].op != '+') {
				n_old++;
				old_no_eol = h->lines[j].no_eol;
			}
			if (h->lines[j].op != '-') {
				n_new++;
				new_no_eol = h->lines[j].no_eol;
			}
		}
		if (!hunk_find(h, t, base + delta, min, n_old, old_no_eol, &pos)) {
			p_err(ctx, -EINVAL,
			      "%s:%lu: hunk #%zu of '%s' (@@ -%lu,%lu +%lu,%lu @@) does not apply: its context and removed lines are not in the file, exactly (no fuzz is used); the patch must be made against this kernel's source",
			      pf->patch, h->patch_line, i + 1, pf->path, h->old_start, h->old_count,
			      h->new_start, h->new_count);
			return -EINVAL;
		}
		if (pos != (size_t)(base + delta))
			p_dbg(ctx, "%s: hunk #%zu of '%s' applied at offset %ld lines", pf->patch,
			      i + 1, pf->path, (long)pos - (base + delta));
		rc = hunk_splice(h, t, pos, n_old, n_new);
		if (rc)
			return rc;
		if (pos + n_new == t->n_lines)
			t->no_eol = n_new ? new_no_eol : false;
		delta = (long)(pos + n_new) - (base + (long)n_old);
		min = pos + n_new;
	}
	return 0;
}

/* The lexical state at the start of a line, enough to know where a directive may go. */
struct lex {
	bool in_comment; /* inside a block comment */
	bool continued; /* the previous line ended with a backslash */
	bool line_comment; /* ... inside a // comment */
	char quote; /* ... inside a string or character literal */
};

static void lex_line(struct lex *st, const char *s, size_t len)
{
	bool line_comment = st->continued && st->line_comment;
	char quote = st->continued ? st->quote : 0;
	size_t i;

	for (i = 0; i < len && !line_comment; i++) {
		char c = s[i], next = i + 1 < len ? s[i + 1] : 0;

		if (st->in_comment) {
			if (c == '*' && next == '/') {
				st->in_comment = false;
				i++;
			}
		} else if (quote) {
			if (c == '\\')
				i++;
			else if (c == quote)
				quote = 0;
		} else if (c == '/' && next == '*') {
			st->in_comment = true;
			i++;
		} else if (c == '/' && next == '/') {
			line_comment = true;
		} else if (c == '"' || c == '\'') {
			quote = c;
		}
	}
	st->continued = len && s[len - 1] == '\\';
	st->line_comment = line_comment;
	st->quote = st->continued ? quote : 0;
}

/* A conditional directive (#if*, #el*, #endif) on a line starting outside comments? */
static bool is_conditional(const char *s, size_t len)
{
	size_t i = 0;

	while (i < len && isblank((unsigned char)s[i]))
		i++;
	if (i == len || s[i++] != '#')
		return false;
	while (i < len && isblank((unsigned char)s[i]))
		i++;
	return (len - i >= 2 && (!memcmp(s + i, "if", 2) || !memcmp(s + i, "el", 2))) ||
	       (len - i >= 5 && !memcmp(s + i, "endif", 5));
}

int src_text_render(const struct src_text *t, bool line_directives, struct strbuf *out)
{
	struct lex st = { 0 };
	unsigned long cur = 1;
	bool dirty = false, force = false;
	size_t i;
	int rc = 0;

	for (i = 0; !rc && i < t->n_lines; i++) {
		const struct src_line *l = &t->lines[i];
		bool safe = !st.in_comment && !st.continued;

		if (line_directives && safe && l->orig && (l->orig != cur || force)) {
			rc = strbuf_addf(out, "#line %lu\n", l->orig);
			cur = l->orig;
			force = false;
			dirty = true;
		}
		if (!rc)
			rc = strbuf_add(out, l->text, l->len);
		if (!rc && !(i + 1 == t->n_lines && t->no_eol))
			rc = strbuf_add(out, "\n", 1);
		if (safe && dirty && is_conditional(l->text, l->len))
			force = true;
		lex_line(&st, l->text, l->len);
		cur++;
	}
	return rc;
}
