// SPDX-License-Identifier: GPL-2.0-only
/* the same module as ../klpb_target_statics.c, another build (build-id) */
#define KLPB_TARGET_ALT
#include "../klpb_target_statics.c"
