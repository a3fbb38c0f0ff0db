/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The contract patch A introduces and patch B relies on: in the 2015
 * thread's words, "vmlinux_func()" with its new call signature.
 */
#ifndef EXAMPLE_SEED_H
#define EXAMPLE_SEED_H

struct seq_file;

/* Write "<who>: generation N (<what>)" for the bundle's generation N. */
void seed_report_line(struct seq_file *m, const char *who, const char *what);

#endif
