#!/bin/bash
# Host side of t0112-static-reach.sh: one bundle, built for $KVER against
# the klpb_target_statics.ko of ${KTREE:-.} (the kbuild-built tree for
# $KVER), whose module patch calls that module's static function and
# updates its static variable (selftests/patches/mod-statics) and whose
# vmlinux patch calls the non-exported version_proc_show()
# (selftests/patches/statics).  On a kernel that clears module livepatch
# relocations (6.3+) the calls are direct (kernel/compat.h); before, slots.
set -eu
d=$OUT/static-reach
mkdir -p "$d"
M=${KTREE:-.}/selftests/modules
T=$M/klpb_target_statics.ko
if [ ! -f "$T" ]; then
	echo "no $T (make kernel, or KTREE for $KVER): nothing to prepare"
	rm -f "$d"/*
	exit 0
fi
srcs=(selftests/patches/statics/statics.c selftests/patches/mod-statics/mod_statics.c)
stamp=$d/.inputs
inputs=$( (echo "$KVER" && cat "$KLPB" "$T" "${srcs[@]}" kernel/*.[chS] kernel/*.kbuild \
	kernel/include/*.h kernel/include/uapi/*.h) | sha256sum)
[ -f "$stamp" ] && [ "$(cat "$stamp")" = "$inputs" ] && exit 0
rm -f "$d"/*
"$KLPB" create -o "$d/reach.klpb" --name reach --version 1 --kernel "$KVER" \
	--target-module "klpb_target_statics=$T" "${srcs[@]}"
"$KLPB" extract "$d/reach.klpb" -k "$KVER" -o "$d/reach.ko"
echo "$inputs" >"$stamp"
