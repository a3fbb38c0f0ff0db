#!/bin/bash
# create for a kernel that clears module livepatch relocations (6.3+, here
# the newest installed kernel with IBT, Debian 6.12): a KLPB_SYMBOL function is reached by
# direct calls, rewritten into .klp.rela.<obj>.<section> relocations (no
# slot, no weak undefined symbol left), the same when rebuilt; a
# patch that uses such a function's address other than to call it is
# refused with the place and the reason, and nothing is written.
top=$(cd "$(dirname "$0")/../.." && pwd)
. "$top/selftests/lib/tap.sh"
KLPB=${KLPB_BUILD:-$top/build}/klp-bundle
kver=$("$top/tools/kver" --with CONFIG_X86_KERNEL_IBT 2>/dev/null)
if [ -z "$kver" ] || [ ! -d "/lib/modules/$kver/build" ] ||
	! grep -qw clear_relocate_add "/lib/modules/$kver/build/include/linux/moduleloader.h" \
		/usr/src/linux-headers-"${kver%-*}"-common/include/linux/moduleloader.h 2>/dev/null; then
	echo "1..0 # SKIP needs the headers of a kernel that clears module livepatch relocations (6.12)"
	exit 0
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export SOURCE_DATE_EPOCH=1700000000 LC_ALL=C

head='#include <linux/seq_file.h>
#include <klp_bundle.h>
KLPB_SYMBOL(vmlinux, version_proc_show, int (struct seq_file *, void *));'
printf '%s\n' "$head" \
	'static int f(struct seq_file *m, void *v) { return KLPB_SYM(version_proc_show)(m, v); }' \
	'KLPB_PATCH_FUNC(vmlinux, cmdline_proc_show, f);' >"$tmp/call.c"
printf '%s\n' "$head" \
	'int (*klpb_test_saved)(struct seq_file *, void *);' \
	'static int f(struct seq_file *m, void *v)' \
	'{ WRITE_ONCE(klpb_test_saved, KLPB_SYM(version_proc_show)); return 0; }' \
	'KLPB_PATCH_FUNC(vmlinux, cmdline_proc_show, f);' >"$tmp/addr.c"

create() {	# create OUT SOURCE
	"$KLPB" create -o "$1" --kernel "$kver" --name t --version 1 "$2"
}

if create "$tmp/call.klpb" "$tmp/call.c" >"$tmp/log" 2>&1 &&
	"$KLPB" extract "$tmp/call.klpb" -k "$kver" -o "$tmp/call.ko" >>"$tmp/log" 2>&1; then
	ok 0 "$kver: a direct call of a KLPB_SYMBOL function is accepted"
	rel=$(readelf -W -r "$tmp/call.ko")
	[[ $rel == *"'.klp.rela.vmlinux..text'"*"R_X86_64_PLT32"*".klp.sym.vmlinux.version_proc_show,0 - 4"* ]]
	ok $? "it is a PLT32 livepatch relocation in .klp.rela.vmlinux..text"
	syms=$(readelf -W -s "$tmp/call.ko")
	! grep -q '__klpb_fn\.' <<<"$syms" && ! grep -q 'UND.*klpb_sym_version_proc_show' <<<"$syms" &&
		! grep -q 'klpb_sym_version_proc_show' <<<"$syms"
	ok $? "no __klpb_fn. symbol and no slot are left"
	! grep -q "'.klp.rela.vmlinux.klpb_slots'" <<<"$rel"
	ok $? "and no slot relocation section for it"
	# 6.12's kbuild output differs in .BTF from one build to the next (pahole),
	# before create touches it: compare the rest.
	create "$tmp/again.klpb" "$tmp/call.c" >/dev/null 2>&1 &&
		"$KLPB" extract "$tmp/again.klpb" -k "$kver" -o "$tmp/again.ko" &&
		objcopy --remove-section=.BTF "$tmp/call.ko" "$tmp/a.ko" &&
		objcopy --remove-section=.BTF "$tmp/again.ko" "$tmp/b.ko" && cmp -s "$tmp/a.ko" "$tmp/b.ko"
	ok $? "rebuilt from the same input: the same module (but for .BTF)"
else
	ok 1 "$kver: a direct call of a KLPB_SYMBOL function is accepted"
	diag "$(tail -n 20 "$tmp/log")"
fi

err=$(create "$tmp/addr.klpb" "$tmp/addr.c" 2>&1 >/dev/null)
rc=$?
[ $rc -ne 0 ] && [ ! -e "$tmp/addr.klpb" ] &&
	[[ $err == *"error: cannot add the livepatch relocations: .text+0x"*" (in f) uses the address of the function 'version_proc_show' of vmlinux (KLPB_SYMBOL) other than to call it"*"Missing ENDBR"* ]]
ok $? "$kver: storing a KLPB_SYMBOL function's address is refused (where, what, why), nothing written"
diag "exit $rc: $err"
done_testing
