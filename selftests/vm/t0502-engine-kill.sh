#!/bin/bash
# kill -9 of apply (and revert) at every named step (KLPB_TEST_STOP_AT),
# then any command (status): one consistent, recorded state - the new
# bundle fully active and recorded, or the old one - and no journal.
. "$(dirname "$0")/../lib/tap.sh"
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/engine-lib.sh"
[ -e "$S/seed-v2.klpb" ] || { echo "no seed bundles (selftests/vm/prepare)"; exit 4; }

# state: which bundle the kernel and the state directory agree on, or "inconsistent"
state() {
	local g rec
	g="$(gen_vmlinux)/$(gen_module)"
	rec=$(ls "$KLPB_STATE_DIR/active" 2>/dev/null | tr '\n' ' ')
	[ -e "$KLPB_STATE_DIR/journal" ] && { echo "journal left"; return; }
	case "$g|$rec|$(ls /sys/kernel/klp_bundle | tr '\n' ' ')" in
	"1/1|klpb_seed_v1 |klpb_seed_v1 ") echo old ;;
	"2/2|klpb_seed_v2 |klpb_seed_v2 ") echo new ;;
	"0/0|||" | "0/0||") echo none ;;
	*) echo "inconsistent: $g|$rec|$(ls /sys/kernel/klp_bundle | tr '\n' ' ')" ;;
	esac
}

kill_apply() {	# STEP WANT [apply options]
	local step=$1 want=$2 rc
	shift 2
	engine_cleanup
	"$KLPB" apply "$S/seed-v1.klpb" >/dev/null 2>&1 && insmod "$M_KO"
	KLPB_TEST_STOP_AT=$step "$KLPB" apply "$@" "$S/seed-v2.klpb" >/dev/null 2>&1
	rc=$?
	"$KLPB" status >/dev/null 2>&1
	is "$rc $(state)" "137 $want" "kill -9 at '$step' ${*:+($*) }then status: $want bundle, recorded"
}

kill_apply locked old
kill_apply begin old
kill_apply loaded old
kill_apply transition-done old --check true
kill_apply transition-done new
kill_apply checked new --check true
kill_apply committed new
kill_apply replaced-removed new
kill_apply recorded new

kill_revert() {	# STEP WANT
	local step=$1 want=$2 rc
	engine_cleanup
	"$KLPB" apply "$S/seed-v1.klpb" >/dev/null 2>&1 && insmod "$M_KO"
	"$KLPB" apply "$S/seed-v2.klpb" >/dev/null 2>&1
	KLPB_TEST_STOP_AT=$step "$KLPB" revert --to-previous >/dev/null 2>&1
	rc=$?
	"$KLPB" recover >/dev/null 2>&1
	is "$rc $(state)" "137 $want" "kill -9 of revert --to-previous at '$step' then recover: $want"
}
kill_revert revert-begin new
kill_revert revert-removed old

engine_cleanup
"$KLPB" apply "$S/seed-v1.klpb" >/dev/null 2>&1 && insmod "$M_KO"
KLPB_TEST_STOP_AT=revert-disabling "$KLPB" revert >/dev/null 2>&1
rc=$?
"$KLPB" status >/dev/null 2>&1
is "$rc $(state)" "137 none" "kill -9 of revert at 'revert-disabling' then status: none"

engine_cleanup
done_testing
