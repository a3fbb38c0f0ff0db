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
#     (a replaced one was removed), and no transition is left in progress.
# Every shorter sequence is a prefix of a checked one, so all sequences of
# length 1..DEPTH are covered (780 for DEPTH 4).
#   orderings-guest.sh [DEPTH [SHARD/SHARDS]]
. "$(dirname "$0")/../lib/tap.sh"
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/engine-lib.sh"
. "$(dirname "$0")/klog.sh"
[ -e "$S/seed-v2.klpb" ] || { echo "no seed bundles (selftests/vm/prepare)"; exit 4; }
depth=${1:-4}
shard=${2:-0/1}
klog_mark "orderings-$shard"
ops=(apply load unload replace revert)
shopt -s nullglob

# The model: active generation and whether M is loaded.
gen=0 loaded=0

# expect OP: set want_rc ("0", "8" or "fail") and advance the model.
expect() {
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
} >/dev/null 2>&1

# The generation a /proc file shows ("generation N"; 0 when unpatched).
proc_gen() {
	local line
	pg=0
	while IFS= read -r line; do
		[[ $line =~ generation\ ([0-9]+) ]] && { pg=${BASH_REMATCH[1]}; return; }
	done <"$1"
}

# check: the system matches the model; sets why on a mismatch.
check() {
	local lps=(/sys/kernel/livepatch/*) mods=(/sys/kernel/klp_bundle/*) t
	why=""
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
	for t in "${lps[@]}"; do
		read -r t <"$t/transition"
		[ "$t" = 0 ] || why+=" a transition is in progress;"
	done
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
	gen=0 loaded=0
}

engine_cleanup
total=1
for ((i = 0; i < depth; i++)); do total=$((total * ${#ops[@]})); done
checked=0
for ((n = ${shard%/*}; n < total; n += ${shard#*/})); do
	seq=() bad=""
	for ((i = depth - 1, k = n; i >= 0; i--, k /= ${#ops[@]})); do
		seq[i]=${ops[k % ${#ops[@]}]}
	done
	for ((i = 0; i < depth && !${#bad}; i++)); do
		o=${seq[i]}
		expect "$o"
		run_op "$o"
		rc=$?
		check
		case $want_rc in
		fail) [ $rc != 0 ] || why+=" exit 0, expected a failure;" ;;
		*) [ $rc = "$want_rc" ] || why+=" exit $rc, expected $want_rc;" ;;
		esac
		[ -z "$why" ] || bad="after '${seq[*]:0:i+1}':$why"
	done
	if [ -z "$bad" ]; then
		ok 0 "${seq[*]}"
		checked=$((checked + 1))
		reset
	else
		ok 1 "${seq[*]}"
		diag "$bad"
		engine_cleanup
		rm -rf "$KLPB_STATE_DIR"
		gen=0 loaded=0
	fi
done
diag "$checked of $(((total + ${shard#*/} - 1 - ${shard%/*}) / ${shard#*/})) sequences of length $depth passed (shard $shard)"
engine_cleanup
complaints=$(klog_check "orderings-$shard")
ok $? "the kernel log shows no warning, bug, oops or relocation complaint"
[ -n "$complaints" ] && diag "$complaints"
done_testing
