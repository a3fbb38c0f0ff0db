#!/bin/bash
# orderings-guest.sh - runs in the guest booted by selftests/vm/orderings.
#
# The seed scenario, exhaustively: every sequence of DEPTH operations (default
# 4) over {apply v1, load M, unload M, replace by v2, revert} is run from a
# clean system, 5^DEPTH sequences, each one executed for real (no state is
# assumed or skipped).  After every operation its exit status and the whole
# observable state are checked against a model of what the engine promises:
#   - the vmlinux part and, when M is loaded, the module part are at the
#     generation of the active bundle (0: none, 1: v1, 2: v2);
#   - exactly one bundle module is loaded while one is active, none otherwise
#     (a replaced one was removed), and no transition is left in progress;
#   - the kernel logged no complaint (checked at the end of each sequence).
# Every shorter sequence is a prefix of a checked one, so all sequences of
# length 1..DEPTH are covered (780 for DEPTH 4).  The sequence runner is
# model-lib.sh's, shared with depmodel-guest.sh.
#   orderings-guest.sh [DEPTH [SHARD/SHARDS]]
# ops, key, want_out and work are read by model-lib.sh (SC2034 checking this
# file alone); pg is set by its proc_gen (SC2154).
# shellcheck disable=SC2034,SC2154
. "$(dirname "$0")/../lib/tap.sh"
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/engine-lib.sh"
. "$(dirname "$0")/model-lib.sh"
[ -e "$S/seed-v2.klpb" ] || { echo "no seed bundles (selftests/vm/prepare)"; exit 4; }
depth=${1:-4}
shard=${2:-0/1}
ops=(apply load unload replace revert)

# The model: active generation and whether M is loaded.
model_init() { gen=0 loaded=0; }
model_key() { key="$gen $loaded"; }

# expect OP: set want_rc ("0", "8" or "fail") and advance the model.
expect() {
	want_out="*"
	case $1 in
	apply)
		case $gen in
		0) want_rc=0 gen=1 ;;
		1) want_rc=0 ;;		# already active
		2) want_rc=8 ;;		# a downgrade within the lineage is refused
		esac ;;
	replace) want_rc=0 gen=2 ;;
	revert) if [ $gen = 0 ]; then want_rc=fail; else want_rc=0 gen=0; fi ;;
	load) if [ $loaded = 1 ]; then want_rc=fail; else want_rc=0 loaded=1; fi ;;
	unload) if [ $loaded = 0 ]; then want_rc=fail; else want_rc=0 loaded=0; fi ;;
	esac
}

run_op() {
	case $1 in
	apply) "$KLPB" apply "$S/seed-v1.klpb" ;;
	replace) "$KLPB" apply "$S/seed-v2.klpb" ;;
	revert) "$KLPB" revert ;;
	load) insmod "$M_KO" ;;
	unload) if [ $want_rc = 0 ]; then unload_mod $M; else rmmod $M; fi ;;
	esac
}

# check: the system matches the model; appends to why on a mismatch.
check() {
	local lps=(/sys/kernel/livepatch/*) mods=(/sys/kernel/klp_bundle/*)
	proc_gen /proc/cmdline
	[ "$pg" = "$gen" ] || why+=" vmlinux at generation $pg, not $gen;"
	if [ $loaded = 1 ]; then
		if [ -r /proc/$M ]; then
			proc_gen /proc/$M
			[ "$pg" = "$gen" ] || why+=" module part at generation $pg, not $gen;"
		else
			why+=" M is not loaded;"
		fi
	elif [ -d /sys/module/$M ]; then
		why+=" M is loaded;"
	fi
	[ ${#lps[@]} = $((gen > 0)) ] || why+=" ${#lps[@]} live patch(es) enabled;"
	[ ${#mods[@]} = $((gen > 0)) ] || why+=" ${#mods[@]} bundle module(s) loaded;"
	check_transitions
}

# reset: a clean system and an empty state directory for the next sequence.
reset() {
	[ $gen = 0 ] || "$KLPB" revert >/dev/null 2>&1
	[ $loaded = 0 ] || unload_mod $M
	local left=(/sys/kernel/livepatch/* /sys/kernel/klp_bundle/*)
	if [ ${#left[@]} -gt 0 ] || [ -d /sys/module/$M ]; then
		diag "reset left ${left[*]} $([ -d /sys/module/$M ] && echo $M): cleaning up"
		engine_cleanup
	fi
	rm -rf "$KLPB_STATE_DIR"
}

work=()
model_all "$depth"
model_run "$shard"
done_testing
