// SPDX-License-Identifier: GPL-2.0-or-later
/* output.c - messages to the user; see klp-bundle.h. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

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
