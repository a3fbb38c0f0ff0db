/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * ctx.h - what every layer of the CLI shares: the context and the
 * reporting helpers (output.c).
 *
 * Commands return 0 or a negative errno and report each failure once, with
 * p_err(), from the layer that has the context.  Only main() exits.
 */
#ifndef KLPB_COMMON_CTX_H
#define KLPB_COMMON_CTX_H

#include <stdbool.h>

#include "common/json-writer.h"

#pragma GCC poison u8 u16 u32 u64

#define KLPB_VERSION "0.1.0"

struct klpb_ctx {
	int verbose; /* -v count */
	bool json; /* -j: stdout is one JSON document */
	bool pretty; /* -p: indented JSON (implies -j) */
	struct json_writer *jw; /* JSON mode: the document being written */
	bool usage_error; /* the failure was a usage error (exit 2) */
	int err; /* JSON mode: first error reported (negative errno) */
	char *err_msg; /* JSON mode: its message */
	char **err_kernel; /* JSON mode: the kernel's messages about it (p_err_kernel()) */
	int n_err_kernel; /* their number */
	bool reported; /* an error was reported (main() reports one nobody did) */
	bool doc_has_error; /* JSON mode: the document reports the failure itself (p_json_error()) */
};

/* Messages to the user: "klp-bundle: error: ...", on stderr (JSON mode: into the document). */
void p_err(struct klpb_ctx *ctx, int err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/*
 * p_err() with the kernel's own messages about the failure, @n texts at
 * @lines: "  kernel: TEXT" lines after the error (JSON mode: the error's
 * "kernel_messages"; copied).
 */
void p_err_kernel(struct klpb_ctx *ctx, int err, char *const *lines, int n, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));
void p_warn(struct klpb_ctx *ctx, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void p_info(struct klpb_ctx *ctx, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void p_dbg(struct klpb_ctx *ctx, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* The process exit status for a command's return code @rc (main() exits with it). */
int klpb_exit_status(const struct klpb_ctx *ctx, int rc);
/*
 * JSON mode: write the failure @rc as an object (errno, name, message,
 * exit_status) into ctx->jw and forget its message, so that the next
 * failure's is kept.  A command whose document reports its failures this
 * way (one result per bundle) sets ctx->doc_has_error: main() then prints
 * the document instead of an error document.
 */
void p_json_error(struct klpb_ctx *ctx, int rc);
/* Report a usage error (exit status 2) and return -EINVAL. */
int usage_err(struct klpb_ctx *ctx, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
