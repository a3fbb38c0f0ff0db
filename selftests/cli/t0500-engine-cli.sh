#!/bin/bash
# The transaction engine on the host, against a fake /sys and /proc
# (KLPB_SYSFS_ROOT): every check apply makes before changing anything
# (steps 1-5) with its own message and exit status, status from sysfs
# alone, install/uninstall, apply --installed's kill switch, the state
# directory's permission check, and -j giving one JSON document.
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
bundle=$tmp/m.klpb
"$KLPB" create -o "$bundle" --kernel "$kver" --name enginecli --version 1 \
	"$top/selftests/vm/engine-src/meminfo.c" >/dev/null 2>&1
ok $? "create a vmlinux-only test bundle"
j=$("$KLPB" -j inspect "$bundle")
py() { printf '%s' "$1" | python3 -c "import json,sys; d=json.load(sys.stdin); print($2)"; }
vid=$(py "$j" 'd["targets"][0]["vmlinux_build_id"]')

r=$KLPB_SYSFS_ROOT
w() { mkdir -p "$(dirname "$r$1")" && printf '%s\n' "$2" >"$r$1"; }
notes() {	# a GNU build-id note for hex id $1
	mkdir -p "$r/sys/kernel"
	python3 -c "import sys,struct; i=bytes.fromhex(sys.argv[1]); sys.stdout.buffer.write(struct.pack('<III',4,len(i),3)+b'GNU\0'+i)" "$1" >"$r/sys/kernel/notes"
}
fresh() {
	rm -rf "$r" "$KLPB_STATE_DIR"
	w /proc/sys/kernel/osrelease "$kver"
	w /proc/sys/kernel/ftrace_enabled 1
	w /proc/sys/kernel/tainted 0
	w /proc/cmdline "root=/dev/vda"
	w /sys/module/module/parameters/sig_enforce N
	mkdir -p "$r/sys/kernel/livepatch"
	notes "$vid"
}
fails() {	# DESC STATUS WANT CMD...
	local desc=$1 want_rc=$2 want=$3 err rc
	shift 3
	err=$("$@" 2>&1 >/dev/null)
	rc=$?
	if [ $rc -eq "$want_rc" ] && [[ $err == *"$want"* ]]; then
		ok 0 "$desc (exit $want_rc)"
	else
		ok 1 "$desc (exit $want_rc)"
		diag "exit $rc: $err"
	fi
}

fresh
out=$("$KLPB" apply --dry-run "$bundle" 2>&1)
ok $? "dry run on a kernel that fits"
case $out in *"would apply: bundle 'enginecli' version 1"*) ok 0 "it says what would happen" ;;
*) ok 1 "it says what would happen"; diag "$out" ;; esac
ok "$([ ! -e "$KLPB_STATE_DIR/journal" ] && [ -z "$(ls "$KLPB_STATE_DIR/active")" ]; echo $?)" \
	"the dry run wrote no journal and no record"
is "$(stat -c %a "$KLPB_STATE_DIR")" 700 "the state directory is created 0700"

rm -rf "$r/sys/kernel/livepatch"
fails "no livepatch in the kernel" 8 "no live patching" "$KLPB" apply --dry-run "$bundle"
fresh
w /proc/sys/kernel/osrelease 9.9.9-other
fails "another kernel release" 8 "has no target for the running kernel 9.9.9-other; it has '$kver': create it with 'klp-bundle create -k 9.9.9-other'" \
	"$KLPB" apply --dry-run "$bundle"
fresh
notes 0000000000000000000000000000000000000000
fails "another vmlinux build of the release" 8 "has a target for kernel release $kver but not for the running build of it (vmlinux build-id 0000000000000000000000000000000000000000); it has '$kver'" \
	"$KLPB" apply --dry-run "$bundle"
fresh
w /proc/sys/kernel/ftrace_enabled 0
fails "ftrace disabled" 8 "ftrace is disabled" "$KLPB" apply --dry-run "$bundle"
fresh
w /sys/module/module/parameters/sig_enforce Y
fails "signature enforcement and an unsigned module" 8 "module.sig_enforce is set" \
	"$KLPB" apply --dry-run "$bundle"
fresh
w /sys/kernel/security/lockdown "none [integrity] confidentiality"
fails "lockdown and an unsigned module" 8 "locked down" "$KLPB" apply --dry-run "$bundle"
fresh
w /sys/kernel/livepatch/other/enabled 1
w /sys/kernel/livepatch/other/transition 1
fails "a transition in progress" 9 "transition is in progress ('other')" \
	"$KLPB" apply --dry-run --timeout 0.3 "$bundle"
fresh
flock "$tmp/klp-bundle.lock" sleep 3 &
sleep 0.5
fails "the lock is held" 9 "another klp-bundle command holds the lock" \
	"$KLPB" apply --dry-run "$bundle"
run_ok "--wait waits for it" "$KLPB" apply --dry-run --wait "$bundle"
wait
fresh
mkdir -p "$KLPB_STATE_DIR" && chmod 0775 "$KLPB_STATE_DIR"
fails "a state directory others can write" 1 "writable by group or others" \
	"$KLPB" apply --dry-run "$bundle"
fresh
mkdir -p "$tmp/keys" && "$KLPB" keygen --out "$tmp/keys/k" >/dev/null 2>&1
rm -f "$tmp/keys/k.key"
fails "signatures required when the trust store has keys" 6 "no signature by a trusted key" \
	env KLPB_KEYS_DIR="$tmp/keys" "$KLPB" apply --dry-run "$bundle"

# -j: one document, errors included
fresh
j=$("$KLPB" -j apply "$tmp/none.klpb")
is "$(py "$j" 'd["error"]["name"], d["error"]["exit_status"]')" "ENOENT 1" "-j apply: an error document"
j=$("$KLPB" -j apply --dry-run "$bundle")
is "$(py "$j" 'd["result"], d["objects"][0]["name"]')" "would apply vmlinux" "-j apply --dry-run"

# status from sysfs alone
w /sys/kernel/livepatch/klpb_x_v1/enabled 1
w /sys/kernel/livepatch/klpb_x_v1/transition 0
w /sys/kernel/klp_bundle/klpb_x_v1/name x
w /sys/kernel/klp_bundle/klpb_x_v1/version 4
w /sys/kernel/klp_bundle/klpb_x_v1/replace 1
w /sys/kernel/klp_bundle/klpb_x_v1/lineage 00
w /sys/kernel/klp_bundle/klpb_x_v1/objects/vmlinux/state patched
w /sys/kernel/klp_bundle/klpb_x_v1/objects/mod_a/state pending
j=$("$KLPB" -j status)
is "$(py "$j" 'd["bundles"][0]["name"], d["bundles"][0]["version"], d["bundles"][0]["state"], d["bundles"][0]["applied"]')" \
	"x 4 active None" "status --json without a state directory record"
is "$(py "$j" '",".join(o["name"]+"="+o["state"] for o in d["bundles"][0]["objects"])')" \
	"mod_a=pending,vmlinux=patched" "per-object states"
out=$("$KLPB" status)
case $out in *"bundle x version 4 (cumulative): active"*"object mod_a"*pending*) ok 0 "status, plain" ;;
*) ok 1 "status, plain"; diag "$out" ;; esac
fails "a downgrade is refused" 8 "'enginecli' is cumulative but bundle 'x' of another lineage" \
	"$KLPB" apply --dry-run "$bundle"

# install / uninstall / apply --installed
fresh
run_ok "install" "$KLPB" install "$bundle"
ok "$([ -f "$KLPB_STATE_DIR/installed/enginecli.klpb" ]; echo $?)" "kept in the state directory"
run_ok "install twice" "$KLPB" install "$bundle"
w /proc/cmdline "root=/dev/vda klp_bundle.disable=1"
out=$("$KLPB" apply --installed 2>&1)
case "$?|$out" in "0|"*"klp_bundle.disable=1"*) ok 0 "apply --installed honours klp_bundle.disable=1" ;;
*) ok 1 "apply --installed honours klp_bundle.disable=1"; diag "$out" ;; esac
run_ok "uninstall" "$KLPB" uninstall enginecli
fails "uninstall of what is not installed" 1 "no bundle 'enginecli' is installed" \
	"$KLPB" uninstall enginecli
run_ok "recover with nothing to do" "$KLPB" recover
fails "revert with nothing active" 1 "no bundle is active" "$KLPB" revert
out=$("$KLPB" help)
case $out in *"7  rolled back"*"8  incompatible"*"9  busy"*) ok 0 "help lists exit statuses 7, 8, 9" ;;
*) ok 1 "help lists exit statuses 7, 8, 9" ;; esac
done_testing
