#!/bin/bash
# The seed example (examples/seed) as create builds it: v1, and v2 made
# cumulative with --base; their modules and cores for the guest test.
set -eu
M=$KTREE/examples/seed/module/klpb_example_m.ko
d=$OUT/seed-example
mkdir -p "$d"
stamp=$d/.inputs
inputs=$({ echo "$KVER"; cat "$KLPB" "$M" examples/seed/v1/* examples/seed/v2/* kernel/*.[chS] \
	kernel/*.lds kernel/*.kbuild kernel/include/*; } | sha256sum)
[ -f "$stamp" ] && [ "$(cat "$stamp")" = "$inputs" ] && exit 0
"$KLPB" create -o "$d/seed-v1.klpb" --name seed --version 1 --kernel "$KVER" \
	--target-module "klpb_example_m=$M" examples/seed/v1/*.c examples/seed/v1/seed.h
"$KLPB" create -o "$d/seed-v2.klpb" --name seed --version 2 --kernel "$KVER" \
	--target-module "klpb_example_m=$M" --base "$d/seed-v1.klpb" examples/seed/v2/*.c
for v in v1 v2; do
	"$KLPB" extract "$d/seed-$v.klpb" -k "$KVER" -o "$d/seed-$v.ko"
	"$KLPB" inspect --dump-core "$d/seed-$v.klpb" >"$d/seed-$v.core"
done
echo "$inputs" >"$stamp"
