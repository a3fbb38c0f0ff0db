/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * klpb_manifest.S - the bundle's core manifest, byte for byte, from the file
 * named by KLPB_MANIFEST_FILE (a quoted path, set by bundle.kbuild).
 */
	.section .rodata.klpb_manifest, "a"
	.globl	klpb_manifest_start
klpb_manifest_start:
	.incbin	KLPB_MANIFEST_FILE
	.globl	klpb_manifest_end
klpb_manifest_end:
	.byte	0
	.previous
