# shellcheck shell=bash
# model-host.sh - the host side shared by the model checks (orderings,
# depmodel).  Source from the repository's top after tap.sh.
#   model_guests SCRIPT ARG...   runs selftests/vm/prepare, then boots
#   $KLPB_ORDER_GUESTS (default 2) one-CPU guests side by side, guest g
#   running 'SCRIPT ARG... g/SHARDS', and prints their TAP merged.  SHARDS
#   is $KLPB_MODEL_SHARDS, default the number of guests (every sequence);
#   with more shards than guests only shards 0 to GUESTS-1 run (a sample:
#   every SHARDS-th sequence).  The guests boot $KVER (selftests/vm/kenv.sh).
# One CPU: every task can be switched at the kernel's first attempt, so a
# transition completes at once instead of at its next once-a-second retry;
# that is what makes thousands of operations affordable.  The waiting paths
# are covered by the two-CPU suite (selftests/vm/run).
export KLPB_BUILD=${KLPB_BUILD:-$PWD/build}
. selftests/vm/kenv.sh

model_guests() {
	local script=$1 guests=${KLPB_ORDER_GUESTS:-2} g out shards
	shift
	shards=${KLPB_MODEL_SHARDS:-$guests}
	[ "$shards" -ge "$guests" ] || shards=$guests
	if ! selftests/vm/prepare; then
		ok 1 "host-side preparation (selftests/vm/prepare)"
		done_testing
	fi
	out=$(mktemp -d "${TMPDIR:-/tmp}/klpb-model.XXXXXX")
	# shellcheck disable=SC2064 # expand out now
	trap "rm -rf '$out'" EXIT
	for ((g = 0; g < guests; g++)); do
		tools/vmtest --smp 1 --timeout "${KLPB_VM_TIMEOUT:-2400}" --kernel "$KVER" -- \
			env "$KENV" bash "$script" "$@" "$g/$shards" \
			>"$out/$g" 2>&1 &
	done
	for ((g = 0; g < guests; g++)); do
		wait -n
	done
	# One TAP stream; a guest that ended without its plan (timeout, panic) is
	# a failure.
	selftests/lib/tap-merge "$out"/*
}
