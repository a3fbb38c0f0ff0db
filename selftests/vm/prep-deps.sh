#!/bin/bash
# Bundles for t0504-engine-deps.sh, made with create: a stack whose names
# sort against its dependency order, each patching its own function:
# z_base (cumulative, /proc/meminfo), m_mid (stacked, requires z_base =1,
# /proc/version), a_top (stacked, requires m_mid, /proc/cmdline).
set -eu
d=$OUT/deps
src=selftests/vm/engine-src
mkdir -p "$d"
stamp=$d/.inputs
inputs=$({ echo "$KVER"; cat "$src"/meminfo.c "$src"/version.c \
	selftests/bundles/stack_a/stack_a.c kernel/*.c kernel/*.h; } | sha256sum)
[ -f "$stamp" ] && [ "$(cat "$stamp")" = "$inputs" ] && exit 0
c() { "$KLPB" create --kernel "$KVER" "$@"; }
c -o "$d/z_base.klpb" --name z_base --version 1 "$src/meminfo.c" &
c -o "$d/m_mid.klpb" --name m_mid --version 1 --no-replace --requires 'z_base=1' "$src/version.c" &
wait
c -o "$d/a_top.klpb" --name a_top --version 1 --no-replace --requires m_mid \
	selftests/bundles/stack_a/stack_a.c
echo "$inputs" >"$stamp"
