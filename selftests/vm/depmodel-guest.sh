#!/bin/bash
# depmodel-guest.sh - runs in the guest booted by selftests/vm/depmodel.
#
# The stacked-dependency scenario (issue 11), model-checked.  Bundles
# (prep-depmodel.sh): depa v1 (vmlinux, /proc/cmdline, cumulative), its
# cumulative successors v2 and v3 (--base); depb, stacked (--no-replace),
# patching the test module M (klpb_target_plain) and requiring 'depa>=1,<=2':
# v1 and v2 satisfy it, v3 does not.  Nine operations:
#   apply-a1 apply-a2 apply-a3   apply depa v1 / v2 / v3
#   apply-b                      apply depb
#   revert-a revert-b            revert depa / depb
#   revert-deps-a                revert --with-dependents depa
#   load unload                  insmod / rmmod M
# (apply-a3 is an operation of its own: without it the version outside the
# range would never be active, and 'apply depb over depa v3' never tried.)
#
# The model: the active depa version a (0: none), whether depb is active (b)
# and whether M is loaded (m).  What it predicts:
#   apply-aN   N = a: exit 0 (already active); N < a: 8 (a downgrade);
#              N > a: 8 while depb is active (a cumulative bundle would drop
#              depb, whose lineage state it does not carry: the engine refuses
#              it, and for v3 depb's range refuses it too), else 0 and a = N;
#   apply-b    active: 0; a in 1..2: 0 and b = 1; else 8 (requires);
#   revert-a   a = 0: 1 (no active bundle); b: 8, the message naming depb;
#              else 0 and a = 0;
#   revert-b   b: 0 and b = 0; else 1;
#   revert-deps-a  a = 0: 1 (as revert-a); else 0, depb (if active) then
#              depa reverted: a = b = 0;
#   load/unload    0 and m flips, or a failure when M already is/is not loaded.
# After every operation the system must equal the model: /proc/cmdline shows
# depa version a (the original line when a = 0); M's /proc file shows depb's
# patch exactly when b (M's original otherwise); the enabled live patches and
# the loaded bundle modules are exactly klpb_depa_v<a> and klpb_depb_v1 as
# the model says (so depb is never active without depa 1..2, said explicitly
# when violated); no transition is in progress; the exit status is the
# model's.  The kernel log is read at the end of each sequence and after
# its clean-up: a WARNING:, BUG:, oops or relocation complaint fails it.
#
# Scale: every sequence of up to 4 of these 9 operations would be 7380
# sequences (6561 of length 4), about 75 minutes in two TCG guests.  What runs:
#   1. every sequence of DEPTH (default 3) operations, for real, from a clean
#      system: 729, and with them, as their prefixes, every sequence of length
#      1 and 2;
#   2. for every model state that a sequence of DEPTH operations reaches,
#      the first such sequence (in enumeration order) followed by each of
#      the 9 operations, for real.
# Why 2 covers every sequence of length DEPTH + 1: such a sequence is p o
# with p of length DEPTH.  p ran in 1 and was verified to leave the system in
# model state s; 2 ran o from s (after another prefix p').  The engine's
# decisions are a function of the kernel's state (sysfs: the active bundles,
# their manifests, M loaded) and its state directory; the first is exactly
# what check verifies equal to the model, and the state directory only adds
# the records of the active bundles and what they replaced (read by
# --to-previous, which is not among the operations).  So p o and p' o see
# the same state and behave the same.  Part 1 tests that premise: there
# every sequence of DEPTH - 1 operations is followed by every operation, so
# each model state reached in DEPTH - 1 steps has every operation run after
# each of the histories that reach it; a hidden state (a stale module, a
# record, the kernel's function stack order) that changed an outcome would
# show there as a mismatch.  With DEPTH 3: 729 + 12 states x 9 = 837
# sequences, about 2600 operations.
#   depmodel-guest.sh [DEPTH [SHARD/SHARDS]]
# ops, key, want_out and work are read by model-lib.sh (SC2034 checking this
# file alone); pg is set by its proc_gen (SC2154).
# shellcheck disable=SC2034,SC2154
. "$(dirname "$0")/../lib/tap.sh"
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/engine-lib.sh"
. "$(dirname "$0")/model-lib.sh"
D=$VMOUT/depmodel
[ -e "$D/depb.klpb" ] || { echo "no depmodel bundles (selftests/vm/prepare)"; exit 4; }
depth=${1:-3}
shard=${2:-0/1}
ops=(apply-a1 apply-a2 apply-a3 apply-b revert-a revert-b revert-deps-a load unload)
PM=klpb_target_plain
PM_KO=$VM_MODULES/$PM.ko

model_init() { a=0 b=0 m=0; }
model_key() { key="$a $b $m"; }

# expect OP: want_rc and want_out for OP, and the model advanced.
expect() {
	local n
	want_out="*"
	case $1 in
	apply-a?)
		n=${1#apply-a}
		if [ "$n" = $a ]; then want_rc=0
		elif [ "$n" -lt $a ] || [ $b = 1 ]; then want_rc=8
		else want_rc=0 a=$n
		fi ;;
	apply-b)
		if [ $b = 1 ]; then want_rc=0
		elif [ $a = 1 ] || [ $a = 2 ]; then want_rc=0 b=1
		else want_rc=8
		fi ;;
	revert-a)
		if [ $a = 0 ]; then want_rc=1
		elif [ $b = 1 ]; then want_rc=8 want_out="*'depb'*"
		else want_rc=0 a=0
		fi ;;
	revert-b) if [ $b = 0 ]; then want_rc=1; else want_rc=0 b=0; fi ;;
	revert-deps-a) if [ $a = 0 ]; then want_rc=1; else want_rc=0 a=0 b=0; fi ;;
	load) if [ $m = 1 ]; then want_rc=fail; else want_rc=0 m=1; fi ;;
	unload) if [ $m = 0 ]; then want_rc=fail; else want_rc=0 m=0; fi ;;
	esac
}

run_op() {
	case $1 in
	apply-a?) "$KLPB" apply "$D/depa-v${1#apply-a}.klpb" ;;
	apply-b) "$KLPB" apply "$D/depb.klpb" ;;
	revert-a) "$KLPB" revert depa ;;
	revert-b) "$KLPB" revert depb ;;
	revert-deps-a) "$KLPB" revert --with-dependents depa ;;
	load) insmod "$PM_KO" ;;
	unload) if [ $want_rc = 0 ]; then unload_mod $PM; else rmmod $PM; fi ;;
	esac
}

# names DIR...: the basenames, space-separated, sorted (globs sort)
names() {
	local d
	got=""
	for d in "$@"; do got+="${d##*/} "; done
}

# check: the system equals the model; appends to why on a mismatch.
check() {
	local line want=""
	[ $a = 0 ] || want+="klpb_depa_v$a "
	[ $b = 0 ] || want+="klpb_depb_v1 "
	read -r line </proc/cmdline
	if [ $a = 0 ]; then
		[ "$line" = "$ORIG_CMDLINE" ] || why+=" /proc/cmdline is '$line', not the original;"
	else
		[ "$line" = "depa: version $a" ] || why+=" /proc/cmdline is '$line', not depa $a's;"
	fi
	if [ $m = 1 ]; then
		line=""
		[ -r /proc/$PM ] && read -r line </proc/$PM
		if [ $b = 1 ]; then
			[ "$line" = "$PM: patched by depb" ] || why+=" M shows '$line', not depb's patch;"
		else
			[ "$line" = "$PM: original" ] || why+=" M shows '$line', not its original;"
		fi
	elif [ -d /sys/module/$PM ]; then
		why+=" M is loaded;"
	fi
	names /sys/kernel/livepatch/*
	if [[ $got == *klpb_depb_v1* && $got != *klpb_depa_v[12]* ]]; then
		why+=" depb is active without depa 1..2 (live patches: ${got:-none});"
	elif [ "$got" != "$want" ]; then
		why+=" live patches '$got', expected '$want';"
	fi
	names /sys/kernel/klp_bundle/*
	[ "$got" = "$want" ] || why+=" bundle modules '$got', expected '$want';"
	for line in /sys/kernel/livepatch/*/enabled; do
		read -r line <"$line"
		[ "$line" = 1 ] || why+=" a live patch is disabled;"
	done
	check_transitions
}

# reset: a clean system and an empty state directory for the next sequence.
reset() {
	[ $b = 0 ] || "$KLPB" revert depb >/dev/null 2>&1
	[ $a = 0 ] || "$KLPB" revert depa >/dev/null 2>&1
	[ $m = 0 ] || unload_mod $PM
	local left=(/sys/kernel/livepatch/* /sys/kernel/klp_bundle/*)
	if [ ${#left[@]} -gt 0 ] || [ -d /sys/module/$PM ]; then
		diag "reset left ${left[*]} $([ -d /sys/module/$PM ] && echo $PM): cleaning up"
		engine_cleanup
	fi
	rm -rf "$KLPB_STATE_DIR"
}

work=()
model_all "$depth"
model_pairs "$depth"
model_run "$shard"
done_testing
