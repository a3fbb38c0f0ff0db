// SPDX-License-Identifier: GPL-2.0-or-later
/* output.c - messages to the user; see klp-bundle.h. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/ctx.h"

static void vreport(struct klpb_ctx *ctx, int err, const char *level, const char *fmt, va_list ap)
	__attribute__((format(printf, 4, 0)));

static void vreport(struct klpb_ctx *ctx, int err, const char *level, const char *fmt, va_list ap)
{
	if (err)
		ctx->reported = true;
	if (ctx->json) {
		if (ctx->err_msg || err == 0)
			return;
		ctx->err = err;
		if (vasprintf(&ctx->err_msg, fmt, ap) < 0)
			ctx->err_msg = NULL;
		return;
	}
	fprintf(stderr, "klp-bundle: %s: ", level);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
}

void p_err(struct klpb_ctx *ctx, int err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vreport(ctx, err ? err : -EIO, "error", fmt, ap);
	va_end(ap);
}

/* JSON mode: keep a copy of @lines with the first error (nothing when memory runs out). */
static void keep_kernel_lines(struct klpb_ctx *ctx, char *const *lines, int n)
{
	int i;

	ctx->err_kernel = calloc((size_t)n, sizeof(*ctx->err_kernel));
	if (!ctx->err_kernel)
		return;
	for (i = 0; i < n && (ctx->err_kernel[i] = strdup(lines[i])); i++)
		;
	ctx->n_err_kernel = i;
}

void p_err_kernel(struct klpb_ctx *ctx, int err, char *const *lines, int n, const char *fmt, ...)
{
	bool first = !ctx->err_msg;
	va_list ap;

	va_start(ap, fmt);
	vreport(ctx, err ? err : -EIO, "error", fmt, ap);
	va_end(ap);
	if (ctx->json) {
		if (first && ctx->err_msg && n > 0)
			keep_kernel_lines(ctx, lines, n);
		return;
	}
	for (int i = 0; i < n; i++)
		fprintf(stderr, "  kernel: %s\n", lines[i]);
}

int usage_err(struct klpb_ctx *ctx, const char *fmt, ...)
{
	va_list ap;

	ctx->usage_error = true;
	va_start(ap, fmt);
	vreport(ctx, -EINVAL, "error", fmt, ap);
	va_end(ap);
	if (!ctx->json)
		fputs("klp-bundle: hint: see 'klp-bundle help'\n", stderr);
	return -EINVAL;
}

void p_warn(struct klpb_ctx *ctx, const char *fmt, ...)
{
	va_list ap;

	if (ctx->json)
		return;
	va_start(ap, fmt);
	vreport(ctx, 0, "warning", fmt, ap);
	va_end(ap);
}

void p_info(struct klpb_ctx *ctx, const char *fmt, ...)
{
	va_list ap;

	if (ctx->json)
		return;
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

void p_dbg(struct klpb_ctx *ctx, const char *fmt, ...)
{
	va_list ap;

	if (ctx->verbose < 1)
		return;
	va_start(ap, fmt);
	fputs("klp-bundle: debug: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
}

/*
 * Exit statuses.  Everything not listed is 1.  Keep in step with the help
 * text in main.c and Documentation/klp-bundle.md.
 */
static const struct {
	int err; /* positive errno */
	int status;
} exit_map[] = {
	{ EBADMSG, 3 }, /* malformed bundle */
	{ EFBIG, 3 }, /* a bundle field or size over its limit */
	{ EPROTONOSUPPORT, 3 }, /* unsupported format version */
	{ EILSEQ, 4 }, /* digest mismatch */
	{ EKEYREJECTED, 5 }, /* bad signature */
	{ ENOKEY, 6 }, /* no trusted signature */
	{ ECANCELED, 7 }, /* rolled back: transition stalled or health check failed */
	{ EOPNOTSUPP, 8 }, /* incompatible: kernel, build-id, conflict, downgrade, enforcement */
	{ EBUSY, 9 }, /* busy: the lock is held or a transition is in progress */
};

int klpb_exit_status(const struct klpb_ctx *ctx, int rc)
{
	if (rc >= 0)
		return 0;
	if (ctx->usage_error)
		return 2;
	for (size_t i = 0; i < sizeof(exit_map) / sizeof(exit_map[0]); i++)
		if (exit_map[i].err == -rc)
			return exit_map[i].status;
	return 1;
}

void p_json_error(struct klpb_ctx *ctx, int rc)
{
	struct json_writer *jw = ctx->jw;
	const char *name = strerrorname_np(-rc);

	jw_start_object(jw);
	jw_int_field(jw, "errno", -rc);
	jw_string_field(jw, "name", name ? name : "EUNKNOWN");
	jw_string_field(jw, "message", ctx->err_msg ? ctx->err_msg : strerror(-rc));
	if (ctx->n_err_kernel > 0) {
		jw_name(jw, "kernel_messages");
		jw_start_array(jw);
		for (int i = 0; i < ctx->n_err_kernel; i++)
			jw_string(jw, ctx->err_kernel[i]);
		jw_end_array(jw);
	}
	jw_int_field(jw, "exit_status", klpb_exit_status(ctx, rc));
	jw_end_object(jw);
	free(ctx->err_msg);
	ctx->err_msg = NULL;
}
