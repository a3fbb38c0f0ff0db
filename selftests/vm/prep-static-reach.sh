#!/bin/bash
# Host side of t0112-static-reach.sh: one bundle, built by one create for
# $KVER and every other installed series (tools/kver --all) against each
# release's kbuild-built klpb_target_statics.ko (selftests/vm/kenv.sh), whose module patch calls that module's static function and
# updates its static variable (selftests/patches/mod-statics) and whose
# vmlinux patch calls the non-exported version_proc_show()
# (selftests/patches/statics).  On a kernel that clears module livepatch
# relocations (6.3+) the calls are direct (kernel/compat.h); before, slots.
set -eu
d=$OUT/static-reach
mkdir -p "$d"
# statics_of R: the klpb_target_statics.ko kbuild built for release R
statics_of() {
	# shellcheck disable=SC2016 # expanded by the inner shell
	KVER=$1 KTREE='' bash -c '. selftests/vm/kenv.sh && echo "$KTREE/selftests/modules/klpb_target_statics.ko"'
}
T=$(statics_of "$KVER")
if [ ! -f "$T" ]; then
	echo "no $T (make kernels): nothing to prepare"
	rm -f "$d"/*
	exit 0
fi
# One file for every installed series whose test modules are built (and
# $KVER), in tools/kver --all's order: the same file for every guest.
args=()
mods=()
for r in $( (KVER='' tools/kver --all && echo "$KVER") | awk '!seen[$0]++'); do
	t=$(statics_of "$r")
	[ -f "$t" ] || continue
	args+=(--kernel "$r" --target-module "klpb_target_statics=$t")
	mods+=("$t")
done
srcs=(selftests/patches/statics/statics.c selftests/patches/mod-statics/mod_statics.c)
stamp=$d/.inputs
inputs=$( (echo "${args[*]}" && cat "$KLPB" "${mods[@]}" "${srcs[@]}" kernel/*.[chS] \
	kernel/*.kbuild kernel/include/*.h kernel/include/uapi/*.h) | sha256sum)
[ -f "$stamp" ] && [ "$(cat "$stamp")" = "$inputs" ] && exit 0
rm -f "$d"/*
"$KLPB" create -o "$d/reach.klpb" --name reach --version 1 "${args[@]}" "${srcs[@]}"
"$KLPB" inspect "$d/reach.klpb" | grep '^target'
"$KLPB" extract "$d/reach.klpb" -k "$KVER" -o "$d/reach.ko"
echo "$inputs" >"$stamp"
