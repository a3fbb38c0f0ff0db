// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * test-patchfile - the unified-diff parser and exact applier of
 * bundler/create/patchfile.c (git and plain `diff -u`, offsets, refusals,
 * `#line` mapping checked with the host's preprocessor) and the parser of
 * kbuild's saved commands (bundler/create/units.c).  units_build() itself
 * needs a prepared kernel tree: it is tried on one with units-run.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/ctx.h"
#include "create/patchfile.h"
#include "create/units.h"
#include "tap.h"
#include "util/strbuf.h"

/* JSON mode keeps the first error's message in err_msg. */
static struct klpb_ctx ctx = { .json = true };

static void reset_err(void)
{
	free(ctx.err_msg);
	ctx.err_msg = NULL;
	ctx.err = 0;
}

static const char *err_msg(void)
{
	return ctx.err_msg ? ctx.err_msg : "";
}

static int parse(const char *text, struct patchset *ps)
{
	struct patch_input in = { "fix.patch", text, strlen(text) };

	reset_err();
	return patchset_parse(&ctx, &in, 1, ps);
}

static const char git_patch[] = "From 1234 Mon Sep 17 00:00:00 2001\n"
				"Subject: [PATCH] fix things\n"
				"\n"
				"--- a commit message line\n"
				"---\n"
				" fs/x.c | 2 +-\n"
				"\n"
				"diff --git a/fs/x.c b/fs/x.c\n"
				"index 111..222 100644\n"
				"--- a/fs/x.c\n"
				"+++ b/fs/x.c\n"
				"@@ -2,3 +2,3 @@ int f(void)\n"
				" two\n"
				"-three\n"
				"+THREE\n"
				" four\n"
				"@@ -8,2 +8,4 @@\n"
				" eight\n"
				"+new1\n"
				"+new2\n"
				" nine\n"
				"diff --git a/include/y.h b/include/y.h\n"
				"old mode 100644\n"
				"new mode 100755\n"
				"--- a/include/y.h\n"
				"+++ b/include/y.h\n"
				"@@ -1 +1 @@\n"
				"-old\n"
				"+new\n"
				"-- \n"
				"2.39.2\n";

static const char plain_patch[] = "diff -u linux.orig/fs/x.c linux/fs/x.c\n"
				  "--- linux.orig/fs/x.c\t2024-01-01 10:00:00.000000000 +0000\n"
				  "+++ linux/fs/x.c\t2024-01-02 10:00:00.000000000 +0000\n"
				  "@@ -5,0 +6,1 @@\n"
				  "+after five\n";

static const char file_x[] = "one\ntwo\nthree\nfour\nfive\nsix\nseven\neight\nnine\nten\n";

static void test_parse(void)
{
	struct patchset ps;
	const struct patch_hunk *h;

	is_int(parse(git_patch, &ps), 0, "git patch parses");
	is_int(ps.n_files, 2, "two files");
	is_str(ps.files[0].path, "fs/x.c", "-p1 path");
	is_str(ps.files[1].path, "include/y.h", "second file (mode change ignored)");
	is_int(ps.files[0].n_hunks, 2, "two hunks");
	h = &ps.files[0].hunks[1];
	is_int(h->old_start, 8, "old start");
	is_int(h->old_count, 2, "old count");
	is_int(h->new_count, 4, "new count");
	is_int(h->patch_line, 17, "hunk line in the patch");
	is_int(h->n_lines, 4, "hunk lines");
	ok(h->lines[1].op == '+' && h->lines[1].len == 4 && !memcmp(h->lines[1].text, "new1", 4),
	   "added line");
	is_int(ps.files[1].hunks[0].old_count, 1, "count defaults to 1");
	is_int(ps.files[1].hunks[0].n_lines, 2, "signature after the last hunk ignored");
	patchset_free(&ps);

	is_int(parse(plain_patch, &ps), 0, "plain diff -u parses");
	ok(ps.n_files == 1 && !strcmp(ps.files[0].path, "fs/x.c"), "time stamp cut, -p1");
	ok(ps.n_files == 1 && ps.files[0].hunks[0].old_count == 0, "pure insertion");
	patchset_free(&ps);
}

/* Each refusal: the parse fails with a message containing @word. */
static void refused(const char *text, const char *word, const char *what)
{
	struct patchset ps;
	int rc = parse(text, &ps);

	ok(rc == -EINVAL && strstr(err_msg(), word), "refused: %s", what);
	if (rc != -EINVAL || !strstr(err_msg(), word))
		diag("rc %d, message: %s", rc, err_msg());
}

static void test_refusals(void)
{
	refused("--- /usr/src/x.c\n+++ /usr/src/x.c\n@@ -1 +1 @@\n-a\n+b\n", "absolute",
		"absolute path");
	refused("--- a/fs/../x.c\n+++ b/fs/../x.c\n@@ -1 +1 @@\n-a\n+b\n", "'..'", "'..'");
	refused("--- x.c\n+++ x.c\n@@ -1 +1 @@\n-a\n+b\n", "-p1", "nothing to strip");
	refused("diff --git a/fs/n.c b/fs/n.c\nnew file mode 100644\nindex 0..1\n--- /dev/null\n"
		"+++ b/fs/n.c\n@@ -0,0 +1 @@\n+int x;\n",
		"new .c file", "new file (git)");
	refused("--- /dev/null\n+++ b/fs/n.c\n@@ -0,0 +1 @@\n+int x;\n", "new file",
		"new file (plain)");
	refused("diff --git a/fs/d.c b/fs/d.c\ndeleted file mode 100644\n", "deleted",
		"deleted file");
	refused("diff --git a/fs/a.c b/fs/b.c\nsimilarity index 90%\nrename from fs/a.c\n",
		"rename", "rename (git)");
	refused("--- a/fs/a.c\n+++ b/fs/b.c\n@@ -1 +1 @@\n-a\n+b\n", "rename", "rename (plain)");
	refused("diff --git a/fw.bin b/fw.bin\nindex 1..2\nGIT binary patch\nliteral 3\n", "binary",
		"git binary patch");
	refused("Binary files a/fw.bin and b/fw.bin differ\n", "binary", "plain binary diff");
	refused("--- a/fs/x.c\n+++ b/fs/x.c\n@@ -1,3 +1,3 @@\n a\n-b\n", "truncated",
		"truncated hunk");
	refused("--- a/fs/x.c\n+++ b/fs/x.c\n@@ -1,2 +1,2 @@\n a\n*b\n", "neither",
		"garbage in a hunk");
	refused("just a commit message\n", "no unified diff", "no diff at all");
}

/* Apply @patch to @orig; the result rendered without #line. */
static int apply(const char *orig, const char *patch, struct strbuf *out, struct src_text *t)
{
	struct patchset ps;
	size_t i;
	int rc = parse(patch, &ps);

	strbuf_init(out);
	if (rc)
		return rc;
	rc = src_text_load(t, orig, strlen(orig));
	for (i = 0; !rc && i < ps.n_files; i++)
		rc = patch_apply(&ctx, &ps.files[i], t);
	if (!rc)
		rc = src_text_render(t, false, out);
	patchset_free(&ps);
	return rc;
}

static void test_apply(void)
{
	static const char want[] = "one\ntwo\nTHREE\nfour\nfive\nsix\nseven\neight\nnew1\n"
				   "new2\nnine\nten\n";
	static const char shifted_in[] = "zero\nzero\nzero\none\ntwo\nthree\nfour\nfive\nsix\n"
					 "seven\neight\nnine\nten\n";
	const char *patch = strstr(git_patch, "diff --git a/fs/x.c");
	char *only_x = strndup(patch, (size_t)(strstr(patch, "diff --git a/include") - patch));
	struct src_text t;
	struct strbuf out;

	is_int(apply(file_x, only_x, &out, &t), 0, "applies at its place");
	is_str(out.buf, want, "result");
	ok(t.n_lines == 12 && t.lines[2].orig == 0 && t.lines[3].orig == 4 &&
		   t.lines[8].orig == 0 && t.lines[10].orig == 9,
	   "original numbers kept, added lines have none");
	strbuf_release(&out);
	src_text_free(&t);

	is_int(apply(shifted_in, only_x, &out, &t), 0, "applies at an offset");
	is_str(out.buf,
	       shifted_in[0] ? "zero\nzero\nzero\none\ntwo\nTHREE\nfour\nfive\nsix\n"
			       "seven\neight\nnew1\nnew2\nnine\nten\n" :
			       "",
	       "result at offset +3");
	strbuf_release(&out);
	src_text_free(&t);

	is_int(apply("one\ntwo\nthree?\nfour\n", only_x, &out, &t), -EINVAL, "no fuzz");
	ok(strstr(err_msg(), "fix.patch:5:") && strstr(err_msg(), "hunk #1") &&
		   strstr(err_msg(), "'fs/x.c'"),
	   "the failure names the patch line, the hunk and the file: %s", err_msg());
	strbuf_release(&out);
	src_text_free(&t);

	is_int(apply(file_x, plain_patch, &out, &t), 0, "insertion applies");
	ok(strstr(out.buf, "five\nafter five\nsix\n") != NULL, "inserted after line 5");
	strbuf_release(&out);
	src_text_free(&t);

	is_int(apply("a\nb",
		     "--- a/f.c\n+++ b/f.c\n@@ -1,2 +1,2 @@\n a\n-b\n"
		     "\\ No newline at end of file\n+c\n",
		     &out, &t),
	       0, "no newline at the end, removed");
	is_str(out.buf, "a\nc\n", "the new last line has one");
	strbuf_release(&out);
	src_text_free(&t);
	is_int(apply("a\nb\n",
		     "--- a/f.c\n+++ b/f.c\n@@ -1,2 +1,2 @@\n a\n-b\n"
		     "\\ No newline at end of file\n+c\n",
		     &out, &t),
	       -EINVAL, "a missing newline must match too");
	strbuf_release(&out);
	src_text_free(&t);
	free(only_x);
}

/*
 * Check the #line mapping with the host's preprocessor: every original
 * line is "L<n> __LINE__" (or carries that in a comment or macro), the
 * patch adds and removes lines around them; after `cpp -P` every "L<n>"
 * must be followed by n.
 */
static void test_line_mapping(void)
{
	static const char orig[] = "L1 __LINE__\n"
				   "L2 __LINE__\n"
				   "/* a comment\n"
				   "   L4 in it */\n"
				   "#define M(x) \\\n"
				   "\tx\n"
				   "L7 __LINE__\n"
				   "#if 0\n"
				   "L9\n"
				   "#endif\n"
				   "L11 __LINE__\n"
				   "L12 __LINE__\n";
	static const char patch[] = "--- a/f.c\n+++ b/f.c\n"
				    "@@ -1,3 +1,5 @@\n"
				    " L1 __LINE__\n"
				    "+added __LINE__\n"
				    " L2 __LINE__\n"
				    " /* a comment\n"
				    "+   an added comment line\n"
				    "@@ -5,8 +7,10 @@\n"
				    " #define M(x) \\\n"
				    "+\t/* added */ \\\n"
				    " \tx\n"
				    " L7 __LINE__\n"
				    " #if 0\n"
				    "-L9\n"
				    "+X9\n"
				    "+X9b\n"
				    " #endif\n"
				    " L11 __LINE__\n"
				    "-L12 __LINE__\n"
				    "+L12b __LINE__\n";
	char dir[] = "/tmp/test-patchfile.XXXXXX", path[64], cmd[160], line[128];
	struct src_text t;
	struct strbuf out;
	FILE *f;
	int bad = 0, seen = 0;

	is_int(apply(orig, patch, &out, &t), 0, "the mapping patch applies");
	strbuf_release(&out);
	strbuf_init(&out);
	is_int(src_text_render(&t, true, &out), 0, "rendered with #line");
	ok(!strstr(out.buf, "\\\n#line") && !strstr(out.buf, "comment\n#line"),
	   "no directive in a continued line or a comment");
	if (!mkdtemp(dir)) {
		skip("no temporary directory", "preprocessed");
		goto out;
	}
	snprintf(path, sizeof(path), "%s/f.c", dir);
	f = fopen(path, "w");
	if (f) {
		fputs(out.buf, f);
		fclose(f);
	}
	snprintf(cmd, sizeof(cmd), "cpp -P %s", path);
	f = popen(cmd, "r");
	while (f && fgets(line, sizeof(line), f)) {
		unsigned long n, l;

		if (sscanf(line, "L%lu %lu", &n, &l) == 2) {
			seen++;
			if (n != l) {
				bad++;
				diag("L%lu is at line %lu", n, l);
			}
		}
	}
	ok(f && pclose(f) == 0, "cpp ran");
	is_int(seen, 4, "four numbered original lines seen");
	is_int(bad, 0, "each keeps its number");
	unlink(path);
	rmdir(dir);
out:
	strbuf_release(&out);
	src_text_free(&t);
}

static void test_saved_cmd(void)
{
	static const char cmd61[] =
		"cmd_fs/x.o := gcc -Wp,-MMD,fs/.x.o.d -nostdinc -I./include "
		"-DKBUILD_MODNAME='\"x\"' -DFOO=\"a b\" -DD='$$' -DP=$(pound) -c -o fs/x.o fs/x.c  ; "
		"./tools/objtool/objtool --orc fs/x.o\n"
		"\n"
		"source_fs/x.o := fs/x.c\n";
	static const char cmd612[] = "savedcmd_fs/x.o := gcc -c -o fs/x.o fs/x.c\n";
	char **argv = NULL;
	size_t argc = 0, i;

	is_int(kbuild_saved_cmd(cmd61, "fs/x.o", &argv, &argc), 0, "6.1 .cmd line");
	is_int(argc, 12, "the words before ';'");
	if (argc == 12) {
		is_str(argv[0], "gcc", "compiler");
		is_str(argv[4], "-DKBUILD_MODNAME=\"x\"", "single quotes");
		is_str(argv[5], "-DFOO=a b", "double quotes");
		is_str(argv[6], "-DD=$", "$$ unescaped");
		is_str(argv[7], "-DP=#", "$(pound) unescaped");
		is_str(argv[11], "fs/x.c", "the source last");
	}
	for (i = 0; i < argc; i++)
		free(argv[i]);
	free(argv);
	argv = NULL;
	argc = 0;
	is_int(kbuild_saved_cmd(cmd612, "fs/x.o", &argv, &argc), 0, "6.12 savedcmd_ line");
	is_int(argc, 5, "its words");
	for (i = 0; i < argc; i++)
		free(argv[i]);
	free(argv);
	is_int(kbuild_saved_cmd(cmd61, "fs/y.o", &argv, &argc), -ENOENT, "another target: none");
	is_int(kbuild_saved_cmd("cmd_a.o := gcc $$(shell x) a.c\n", "a.o", &argv, &argc), -EINVAL,
	       "a shell expansion is refused");
}

int main(void)
{
	test_parse();
	test_refusals();
	test_apply();
	test_line_mapping();
	test_saved_cmd();
	reset_err();
	return done_testing();
}
