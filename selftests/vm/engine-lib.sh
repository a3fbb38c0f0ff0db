# shellcheck shell=bash
# engine-lib.sh - helpers for the transaction engine's guest tests (t05NN).
# Source after tap.sh and lib.sh.  Bundles come from prep-engine.sh.

KLPB=${KLPB_BUILD:-$VM_TOP/build}/klp-bundle
# E, S, M_KO and ORIG_CMDLINE are used by the scripts that source this file,
# which shellcheck, checking this file alone, cannot see (SC2034).
# shellcheck disable=SC2034
E=$VMOUT/engine
# shellcheck disable=SC2034
S=$VMOUT/seed-example
M=klpb_example_m
# shellcheck disable=SC2034
M_KO=$VM_KTREE/examples/seed/module/$M.ko
export KLPB_STATE_DIR=/run/klpb-test-state
export KLPB_KEYS_DIR=/run/klpb-test-keys-none
# shellcheck disable=SC2034
ORIG_CMDLINE=$(cat /proc/cmdline)

# jq-like: jget JSON PY-EXPR (d is the document)
jget() {
	printf '%s' "$1" | python3 -c "import json,sys; d=json.load(sys.stdin); print($2)"
}

# status_core: status --json without the fields that legitimately change (time)
status_core() {
	"$KLPB" -j status | python3 -c '
import json,sys
d=json.load(sys.stdin)
for b in d["bundles"]: b.pop("applied", None)
print(json.dumps(d, sort_keys=True))'
}

# generation of the vmlinux part (/proc/cmdline) and of M's part; "-" when absent
gen_vmlinux() {
	sed -n 's/^cmdline: generation \([0-9]*\).*/\1/p' /proc/cmdline | grep . || echo 0
}
gen_module() {
	if [ -r /proc/$M ]; then
		sed -n 's/.*generation \([0-9]*\).*/\1/p' /proc/$M | grep . || echo 0
	else
		echo -
	fi
}

# engine_cleanup: no bundle, no target module, empty state
engine_cleanup() {
	local lp
	for lp in /sys/kernel/livepatch/*; do
		[ -d "$lp" ] || continue
		lp=$(basename "$lp")
		[ "$(cat /sys/kernel/livepatch/$lp/transition)" = 1 ] && wait_transition "$lp"
		[ -e /sys/kernel/livepatch/$lp ] && disable_lp "$lp"
	done
	for lp in /sys/kernel/klp_bundle/*; do
		[ -d "$lp" ] && unload_mod "$(basename "$lp")"
	done
	for lp in $M klpb_target_plain klpb_target_busy klpb_target_dup; do
		[ -d /sys/module/$lp ] && unload_mod $lp
	done
	rm -rf "$KLPB_STATE_DIR"
	return 0
}

# probe OUT (t0505, t0506): count the generations the seed example's
# /proc/cmdline shows until SIGTERM, then
# write "unpatched gen1 gen2" to OUT; builtins only, so no read is missed
# between forks.
probe() {
	local l stop=0 u=0 g1=0 g2=0
	trap 'stop=1' TERM
	while [ $stop = 0 ]; do
		read -r l </proc/cmdline
		case $l in
		"cmdline: generation 1 "*) g1=$((g1 + 1)) ;;
		"cmdline: generation 2 "*) g2=$((g2 + 1)) ;;
		*) u=$((u + 1)) ;;
		esac
	done
	echo "$u $g1 $g2" >"$1"
}
