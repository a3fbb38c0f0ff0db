#!/bin/bash
# Bundles for the dependency model (selftests/vm/depmodel): depa v1 (vmlinux,
# cumulative), its cumulative successors v2 and v3 (--base), and depb, a
# stacked patch of the test module klpb_target_plain requiring depa 1..2,
# so v1 and v2 satisfy it and v3 does not.
set -eu
src=selftests/vm/depmodel-src
mod=$KTREE/selftests/modules/klpb_target_plain.ko
d=$OUT/depmodel
mkdir -p "$d"
stamp=$d/.inputs
inputs=$({ echo "$KVER"; cat "$KLPB" "$mod" "$src"/*/* kernel/*.[chS] kernel/*.lds \
	kernel/*.kbuild kernel/include/*; } | sha256sum)
[ -f "$stamp" ] && [ "$(cat "$stamp")" = "$inputs" ] && exit 0
c() { "$KLPB" create --kernel "$KVER" "$@"; }
c -o "$d/depa-v1.klpb" --name depa --version 1 "$src/a1/depa.c" &
c -o "$d/depb.klpb" --name depb --version 1 --no-replace --requires 'depa>=1,<=2' \
	--target-module "klpb_target_plain=$mod" "$src/b/depb.c" &
wait
c -o "$d/depa-v2.klpb" --name depa --version 2 --base "$d/depa-v1.klpb" "$src/a2/depa.c"
c -o "$d/depa-v3.klpb" --name depa --version 3 --base "$d/depa-v2.klpb" "$src/a3/depa.c"
echo "$inputs" >"$stamp"
