#!/bin/bash
# Bundles for the transaction engine's guest tests (t05NN), made with create:
# the seed example (v1, v2: prep-seed-example.sh), a busy-target bundle, a
# bundle built for another build of a module, another lineage, stacked
# bundles with requires/conflicts, a pair whose v2 adds a KLPB_STATE (st),
# a stacked bundle of seed's lineage under another name (seedstk), and a
# signed copy of seed v1 with keys.
set -eu
bash selftests/vm/prep-seed-example.sh
d=$OUT/engine
src=selftests/vm/engine-src
mods=$KTREE/selftests/modules
mkdir -p "$d"
stamp=$d/.inputs
inputs=$({ echo "$KVER"; cat "$0" "$src"/* selftests/bundles/busy/busy.c "$mods"/*.ko \
	"$mods"/alt/*.ko kernel/*.c kernel/*.h "$OUT"/seed-example/.inputs; } | sha256sum)
[ -f "$stamp" ] && [ "$(cat "$stamp")" = "$inputs" ] && exit 0
c() { "$KLPB" create --kernel "$KVER" "$@"; }
c -o "$d/busy.klpb" --name busy --version 1 \
	--target-module "klpb_target_busy=$mods/klpb_target_busy.ko" selftests/bundles/busy/busy.c &
c -o "$d/wrongmod.klpb" --name wrongmod --version 1 \
	--target-module "klpb_target_plain=$mods/alt/klpb_target_plain.ko" "$src/plain.c" &
c -o "$d/other.klpb" --name other --version 1 "$src/meminfo.c" &
c -o "$d/st-v1.klpb" --name st --version 1 "$src/version.c" &
wait
# seed version 3 = v1 plus the busy target's sleeping function: its transition stalls
c -o "$d/seed-v3-busy.klpb" --name seed --version 3 --base "$OUT/seed-example/seed-v1.klpb" \
	--target-module "klpb_example_m=$KTREE/examples/seed/module/klpb_example_m.ko" \
	--target-module "klpb_target_busy=$mods/klpb_target_busy.ko" selftests/bundles/busy/busy.c &
c -o "$d/needs2.klpb" --name needs2 --version 1 --no-replace --requires 'seed>=2' \
	"$src/version.c" &
c -o "$d/confl.klpb" --name confl --version 1 --no-replace --conflicts seed "$src/version.c" &
# a stacked bundle of seed's lineage: a cumulative seed replaces it with seed v1
seed_lineage=$("$KLPB" inspect "$OUT/seed-example/seed-v1.klpb" | sed -n 's/^lineage: *//p')
c -o "$d/seedstk.klpb" --name seedstk --version 1 --no-replace --lineage "$seed_lineage" \
	"$src/version.c" &
# st version 2 adds a KLPB_STATE: it cannot be replaced by v1 in one transition
c -o "$d/st-v2.klpb" --name st --version 2 --base "$d/st-v1.klpb" "$src/state.c" &
wait
"$KLPB" extract "$d/busy.klpb" -k "$KVER" -o "$d/busy.ko"
rm -rf "$d/keys" "$d/otherkeys" "$d"/signer.* "$d"/other.key "$d"/other.pub
mkdir -p "$d/keys" "$d/otherkeys"
"$KLPB" keygen --out "$d/signer" >/dev/null
"$KLPB" keygen --out "$d/other" >/dev/null
cp "$d/signer.pub" "$d/keys/"
cp "$d/other.pub" "$d/otherkeys/"
"$KLPB" sign --key "$d/signer.key" -o "$d/seed-v1-signed.klpb" "$OUT/seed-example/seed-v1.klpb" \
	>/dev/null
echo "$inputs" >"$stamp"
