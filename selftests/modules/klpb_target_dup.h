/* SPDX-License-Identifier: GPL-2.0-only */
/* klpb_target_dup: what klpb_target_dup_main.c calls in _a.c and _b.c */
#ifndef _KLPB_TARGET_DUP_H
#define _KLPB_TARGET_DUP_H

struct seq_file;

void klpb_target_dup_a(struct seq_file *m);
void klpb_target_dup_b(struct seq_file *m);

#endif /* _KLPB_TARGET_DUP_H */
