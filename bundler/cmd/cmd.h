/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * cmd.h - the commands: one thin file each (options and output), called by
 * main() through its command table.  Each returns 0 or a negative errno and
 * leaves the exit status to main().
 */
#ifndef KLPB_CMD_CMD_H
#define KLPB_CMD_CMD_H

#include "common/ctx.h"

struct klpb_cmd {
	const char *name;
	int (*fn)(struct klpb_ctx *ctx, int argc, char **argv);
	const char *summary;
};

int cmd_version(struct klpb_ctx *ctx, int argc, char **argv);
int cmd_create(struct klpb_ctx *ctx, int argc, char **argv);
int cmd_extract(struct klpb_ctx *ctx, int argc, char **argv);
int cmd_inspect(struct klpb_ctx *ctx, int argc, char **argv);
int cmd_verify(struct klpb_ctx *ctx, int argc, char **argv);
int cmd_keygen(struct klpb_ctx *ctx, int argc, char **argv);
int cmd_sign(struct klpb_ctx *ctx, int argc, char **argv);
int cmd_apply(struct klpb_ctx *ctx, int argc, char **argv);
int cmd_revert(struct klpb_ctx *ctx, int argc, char **argv);
int cmd_status(struct klpb_ctx *ctx, int argc, char **argv);
int cmd_install(struct klpb_ctx *ctx, int argc, char **argv);
int cmd_uninstall(struct klpb_ctx *ctx, int argc, char **argv);
int cmd_recover(struct klpb_ctx *ctx, int argc, char **argv);

#endif
