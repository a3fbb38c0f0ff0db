#!/bin/bash
# create with KLPB_DIRECT_REF_POS (the references of code that create
# --patch extracts; here written by hand with the weak externs the extracted
# objects carry), on every installed kernel series: no slots, every use of
# the data and each call of the function become livepatch relocations.
top=$(cd "$(dirname "$0")/../.." && pwd)
. "$top/selftests/lib/tap.sh"
KLPB=${KLPB_BUILD:-$top/build}/klp-bundle
releases=$("$top/tools/kver" --all 2>/dev/null)
if [ -z "$releases" ]; then
	echo "1..0 # SKIP needs installed kernel headers"
	exit 0
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export SOURCE_DATE_EPOCH=1700000000 LC_ALL=C
cat >"$tmp/direct.c" <<'SRC'
#include <linux/seq_file.h>
#include <klp_bundle.h>

extern unsigned long klpb_tainted __asm__(KLPB_CALL_PREFIX "vmlinux.0.tainted_mask") __weak;
extern int klpb_version(struct seq_file *m, void *v)
	__asm__(KLPB_CALL_PREFIX "vmlinux.0.version_proc_show") __weak;

static int my_cmdline_proc_show(struct seq_file *m, void *v)
{
	seq_printf(m, "%lu\n", READ_ONCE(klpb_tainted));
	return klpb_version(m, v);
}
KLPB_PATCH_FUNC(vmlinux, cmdline_proc_show, my_cmdline_proc_show);
KLPB_DIRECT_REF_POS(vmlinux, tainted_mask, 0, 0);
KLPB_DIRECT_REF_POS(vmlinux, version_proc_show, 0, 1);
SRC

for kver in $releases; do
	run_ok "$kver: a bundle with direct references builds" \
		"$KLPB" create -o "$tmp/d.klpb" --name direct --version 1 --kernel "$kver" \
		"$tmp/direct.c"
	j=$("$KLPB" -j inspect "$tmp/d.klpb")
	is "$(printf '%s' "$j" | python3 -c 'import json,sys; d=json.load(sys.stdin); print(" ".join("%s,%d" % (s["name"], s["sympos"]) for o in d["objects"] for s in o["symbols"]))')" \
		"tainted_mask,0 version_proc_show,0" "$kver: the manifest lists the direct references"
	"$KLPB" extract "$tmp/d.klpb" -o "$tmp/d.ko" >/dev/null
	relas=$(readelf -rW "$tmp/d.ko" | sed -n "/'.klp.rela.vmlinux..text'/,/^$/p")
	is "$(printf '%s\n' "$relas" | grep -c 'R_X86_64_PC32 .*\.klp\.sym\.vmlinux\.tainted_mask,0')" 1 \
		"$kver: the load of the data is a PC32 livepatch relocation in .klp.rela.vmlinux..text"
	is "$(printf '%s\n' "$relas" | grep -c 'R_X86_64_PLT32 .*\.klp\.sym\.vmlinux\.version_proc_show,0')" 1 \
		"$kver: the call of the function a PLT32 one"
	readelf -SW "$tmp/d.ko" | grep -q 'klpb_slots *RELA'
	ok $((!$?)) "$kver: no slot relocations"
	is "$(readelf -sW "$tmp/d.ko" | awk '$5 == "WEAK" && $7 == "UND"' | wc -l)" 0 \
		"$kver: no weak undefined symbol left"
done
done_testing
