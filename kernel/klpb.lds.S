/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * klpb.lds.S - preprocessed into the linker script of a transaction
 * module's ld -r link (bundle.kbuild): turns each declaration section of
 * <klp_bundle_abi.h> into an array whose bounds the runtime reads from
 * __klpb_<kind>_start/_end.
 */
#include <klp_bundle_abi.h>

SECTIONS
{
	KLPB_SECTION_FUNCS : ALIGN(8) {
		__klpb_funcs_start = .;
		KEEP(*(KLPB_SECTION_FUNCS))
		__klpb_funcs_end = .;
	}
	KLPB_SECTION_CALLBACKS : ALIGN(8) {
		__klpb_callbacks_start = .;
		KEEP(*(KLPB_SECTION_CALLBACKS))
		__klpb_callbacks_end = .;
	}
	KLPB_SECTION_SYMREFS : ALIGN(8) {
		__klpb_symrefs_start = .;
		KEEP(*(KLPB_SECTION_SYMREFS))
		__klpb_symrefs_end = .;
	}
	/* the KLPB_SYMBOL slots: targets of the .klp.rela sections create adds */
	KLPB_SECTION_SLOTS : ALIGN(8) {
		KEEP(*(KLPB_SECTION_SLOTS))
	}
	KLPB_SECTION_STATES : ALIGN(8) {
		__klpb_states_start = .;
		KEEP(*(KLPB_SECTION_STATES))
		__klpb_states_end = .;
	}
}
