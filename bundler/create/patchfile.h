/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * patchfile.h - unified diffs (git and plain `diff -u`, -p1) parsed and
 * applied exactly to in-memory copies of the files they change: a hunk may
 * be found at an offset, never with fuzz.  The patched text can be written
 * with `#line` directives so that every line the diff did not add keeps its
 * original number (__LINE__ in WARN_ON() etc. stays the same).
 *
 * What cannot become a live patch is refused with the reason: absolute
 * paths, '..', binary diffs, new, deleted, renamed or copied files.
 */
#ifndef KLPB_CREATE_PATCHFILE_H
#define KLPB_CREATE_PATCHFILE_H

#include <stdbool.h>
#include <stddef.h>

struct klpb_ctx;
struct strbuf;

/* One --patch file: @name for messages, @len bytes of @text. */
struct patch_input {
	const char *name;
	const char *text;
	size_t len;
};

struct patch_line {
	char op; /* ' ' context, '-' removed, '+' added */
	bool no_eol; /* "\ No newline at end of file" follows it */
	const char *text; /* into the patch text, without the newline */
	size_t len;
};

struct patch_hunk {
	unsigned long old_start, old_count, new_start, new_count;
	unsigned long patch_line; /* line of its "@@" in the patch file (1-based) */
	struct patch_line *lines;
	size_t n_lines;
};

struct patch_file {
	char *path; /* tree-relative (-p1), e.g. "fs/proc/cmdline.c" */
	const char *patch; /* the patch_input's name */
	unsigned long patch_line; /* line of its "---" header */
	struct patch_hunk *hunks;
	size_t n_hunks;
};

/* Every file diff of every patch, in order; texts point into the inputs. */
struct patchset {
	struct patch_file *files;
	size_t n_files;
};

/*
 * Parse @n patches into @out (the inputs' text must outlive it).  Text that
 * is not a diff (a commit message, a diffstat, a signature) is skipped.
 * Returns 0, or a negative errno with the reason reported on @ctx.
 */
int patchset_parse(struct klpb_ctx *ctx, const struct patch_input *patches, size_t n,
		   struct patchset *out);
void patchset_free(struct patchset *ps);

/* One line of a file being patched. */
struct src_line {
	const char *text; /* without the newline */
	size_t len;
	unsigned long orig; /* its number in the original file; 0: added by a patch */
};

/* A file being patched, as lines. */
struct src_text {
	char *data; /* [owned] the original bytes the lines point into */
	struct src_line *lines;
	size_t n_lines, alloc;
	bool no_eol; /* the last line has no newline */
};

/* Split @len bytes at @data (copied) into @t, numbering the lines from 1. */
int src_text_load(struct src_text *t, const char *data, size_t len);
void src_text_free(struct src_text *t);

/*
 * Apply the hunks of @pf to @t in order: each at its position (shifted by
 * the earlier hunks) or, failing that, at the nearest offset where its
 * context and removed lines match exactly, never before the previous hunk.
 * A hunk that matches nowhere: -EINVAL, reported with the patch, its line,
 * the file and the hunk.
 */
int patch_apply(struct klpb_ctx *ctx, const struct patch_file *pf, struct src_text *t);

/*
 * Append @t to @out.  With @line_directives, `#line N` directives are
 * inserted where needed so that every line with an original number gets it
 * from the compiler (never inside a comment or a continued line; again
 * after conditional directives, in case one was in a skipped group).
 */
int src_text_render(const struct src_text *t, bool line_directives, struct strbuf *out);

#endif
