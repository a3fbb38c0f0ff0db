#!/bin/bash
# Host side of t0601-direct-module.sh: a bundle whose module patch calls
# the static statics_secret() of klpb_target_statics DIRECTLY (a livepatch
# relocation at the call site, in .klp.rela.klpb_target_statics..text, as
# create --patch makes them) on every series: KLPB_DIRECT_CALLS_FORCE=1
# (kernel/compat.h) makes the call direct also before 6.3, where the
# runtime, not the kernel, clears a module's relocations when it goes.
# The static statics_calls stays a slot.  relocs.txt: the bundle's
# livepatch relocation sections (readelf), for the test's diagnostics.
set -eu
d=$OUT/direct-module
mkdir -p "$d"
T=$KTREE/selftests/modules/klpb_target_statics.ko
src=selftests/patches/mod-statics/mod_statics.c
stamp=$d/.inputs
inputs=$( (echo "$KVER" && cat "$KLPB" "$T" "$src" kernel/*.[chS] kernel/*.kbuild \
	kernel/include/*.h kernel/include/uapi/*.h) | sha256sum)
[ -f "$stamp" ] && [ "$(cat "$stamp")" = "$inputs" ] && exit 0
rm -f "$d"/*
KLPB_DIRECT_CALLS_FORCE=1 "$KLPB" create -o "$d/direct.klpb" --name direct --version 1 \
	--kernel "$KVER" --target-module "klpb_target_statics=$T" "$src"
"$KLPB" extract "$d/direct.klpb" -k "$KVER" -o "$d/direct.ko"
readelf -rW "$d/direct.ko" | grep -A3 "'\.klp\.rela\." >"$d/relocs.txt"
cat "$d/relocs.txt"
# the point of the bundle: a direct call into the module, not a slot
if ! grep -A2 "'\.klp\.rela\.klpb_target_statics\.\.text'" "$d/relocs.txt" |
	grep -q 'R_X86_64_PLT32.*\.klp\.sym\.klpb_target_statics\.statics_secret,0'; then
	echo "prep-direct-module: $d/direct.ko has no direct call to statics_secret in .klp.rela.klpb_target_statics..text" >&2
	exit 1
fi
echo "$inputs" >"$stamp"
