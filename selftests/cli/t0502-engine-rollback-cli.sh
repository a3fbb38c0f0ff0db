#!/bin/bash
# Whether a rollback can be one transition, decided before anything changes,
# against a fake /sys and /proc (KLPB_SYSFS_ROOT): bundle st v2 adds a
# KLPB_STATE that the active st v1 lacks, so apply --dry-run warns, the JSON
# says atomic_rollback false, --check is refused (8) without
# --allow-unpatched-rollback; v3 (no klp_state) over v1 needs nothing.
top=$(cd "$(dirname "$0")/../.." && pwd)
. "$top/selftests/lib/tap.sh"
KLPB=${KLPB_BUILD:-$top/build}/klp-bundle
kver=$("$top/tools/kver" 2>/dev/null)
if [ -z "$kver" ] || [ ! -d "/lib/modules/$kver/build" ]; then
	echo "1..0 # SKIP needs installed kernel headers"
	exit 0
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export SOURCE_DATE_EPOCH=1700000000 LC_ALL=C
export KLPB_SYSFS_ROOT=$tmp/root KLPB_STATE_DIR=$tmp/state KLPB_RUN_DIR=$tmp KLPB_KEYS_DIR=$tmp/nokeys
src=$top/selftests/vm/engine-src
"$KLPB" create -o "$tmp/st1.klpb" --kernel "$kver" --name stcli --version 1 \
	"$src/version.c" >/dev/null 2>&1
ok $? "create st v1"
"$KLPB" create -o "$tmp/st2.klpb" --kernel "$kver" --name stcli --version 2 \
	--base "$tmp/st1.klpb" "$src/state.c" >/dev/null 2>&1
ok $? "create st v2 (adds a KLPB_STATE)"
"$KLPB" create -o "$tmp/st3.klpb" --kernel "$kver" --name stcli --version 3 \
	--base "$tmp/st1.klpb" "$src/meminfo.c" >/dev/null 2>&1
ok $? "create st v3 (no KLPB_STATE)"
py() { printf '%s' "$1" | python3 -c "import json,sys; d=json.load(sys.stdin); print($2)"; }
j=$("$KLPB" -j inspect "$tmp/st1.klpb")
vid=$(py "$j" 'd["targets"][0]["vmlinux_build_id"]')
lineage=$(py "$j" 'd["lineage"]')

r=$KLPB_SYSFS_ROOT
w() { mkdir -p "$(dirname "$r$1")" && printf '%s\n' "$2" >"$r$1"; }
# active BUNDLE-FILE VERSION: the fake kernel shows it active, the state dir has it saved
active() {
	local m=klpb_stcli_v$2
	rm -rf "$r" "$KLPB_STATE_DIR"
	w /proc/sys/kernel/osrelease "$kver"
	w /proc/sys/kernel/ftrace_enabled 1
	w /proc/sys/kernel/tainted 0
	w /proc/cmdline "root=/dev/vda"
	w /sys/module/module/parameters/sig_enforce N
	mkdir -p "$r/sys/kernel"
	python3 -c "import sys,struct; i=bytes.fromhex(sys.argv[1]); sys.stdout.buffer.write(struct.pack('<III',4,len(i),3)+b'GNU\0'+i)" "$vid" >"$r/sys/kernel/notes"
	w /sys/kernel/livepatch/$m/enabled 1
	w /sys/kernel/livepatch/$m/transition 0
	w /sys/kernel/klp_bundle/$m/name stcli
	w /sys/kernel/klp_bundle/$m/version "$2"
	w /sys/kernel/klp_bundle/$m/replace 1
	w /sys/kernel/klp_bundle/$m/lineage "$lineage"
	w /sys/kernel/klp_bundle/$m/objects/vmlinux/state patched
	"$KLPB" inspect --dump-core "$1" >"$r/sys/kernel/klp_bundle/$m/manifest"
	mkdir -m 0700 "$KLPB_STATE_DIR" && mkdir -m 0700 "$KLPB_STATE_DIR/bundles"
	cp "$1" "$KLPB_STATE_DIR/bundles/$m.klpb"
}

active "$tmp/st1.klpb" 1
out=$("$KLPB" apply --dry-run "$tmp/st2.klpb" 2>&1)
ok $? "dry run of st v2 over v1 passes"
case $out in *"'stcli' cannot be rolled back in one transition: 'klpb_stcli_v2' carries klp_state 0x5354 version 1, which 'klpb_stcli_v1' lacks"*) ok 0 "it warns, naming the klp_state" ;;
*) ok 1 "it warns, naming the klp_state"; diag "$out" ;; esac
case $out in *"rollback cannot be one transition"*) ok 0 "and the plan says so" ;;
*) ok 1 "and the plan says so"; diag "$out" ;; esac
j=$("$KLPB" -j apply --dry-run "$tmp/st2.klpb")
is "$(py "$j" 'd["replaces"], d["atomic_rollback"]')" "['klpb_stcli_v1'] False" \
	"-j: replaces v1, atomic_rollback false"
out=$("$KLPB" apply --dry-run --check false "$tmp/st2.klpb" 2>&1)
is "$?" 8 "with --check it is refused (8)"
case $out in *"give --allow-unpatched-rollback"*) ok 0 "naming the option" ;;
*) ok 1 "naming the option"; diag "$out" ;; esac
run_ok "with --allow-unpatched-rollback it passes" \
	"$KLPB" apply --dry-run --allow-unpatched-rollback --check false "$tmp/st2.klpb"

j=$("$KLPB" -j apply --dry-run --check false "$tmp/st3.klpb")
is "$(py "$j" 'd["result"], d["atomic_rollback"]')" "would apply True" \
	"st v3 over v1 (no klp_state): atomic_rollback true, --check accepted"
active "$tmp/st2.klpb" 2
j=$("$KLPB" -j apply --dry-run "$tmp/st2.klpb")
is "$(py "$j" 'd["result"], d["atomic_rollback"]')" "already active True" \
	"the active bundle again: nothing to roll back"
done_testing
