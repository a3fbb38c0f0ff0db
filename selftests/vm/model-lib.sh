# shellcheck shell=bash
# model-lib.sh - the guest side shared by the model checks (orderings-guest.sh,
# depmodel-guest.sh): sequences of operations run for real from a clean
# system, each operation's exit status and the system checked against a
# model.  Source after tap.sh, lib.sh and engine-lib.sh.  The script defines
#   ops=(...)    the operations
#   model_init   the model's state for a clean system
#   model_key    set key to a string naming the model's state
#   expect OP    set want_rc (an exit status, or "fail": any non-zero) and
#                want_out (a glob OP's output must match, "*" for any), and
#                advance the model; no side effect on the system
#   run_op OP    perform OP (run in a subshell, its output captured)
#   check        compare the system with the model: append to why
#   reset        bring the system back to clean after a passing sequence
# then fills work=() (model_all, model_pairs) and calls model_run SHARD.
# Those names are the script's, which shellcheck, checking this file alone,
# cannot see (SC2154); pg is set for the script (SC2034).
# shellcheck disable=SC2154,SC2034
. "$(dirname "${BASH_SOURCE[0]}")/klog.sh"

shopt -s nullglob

# The generation a /proc file shows ("generation N"; 0 when unpatched): pg.
proc_gen() {
	local line
	pg=0
	while IFS= read -r line; do
		[[ $line =~ generation\ ([0-9]+) ]] && { pg=${BASH_REMATCH[1]}; return; }
	done <"$1"
}

# check_transitions: append to why when a live patch transition is in progress.
check_transitions() {
	local t
	for t in /sys/kernel/livepatch/*/transition; do
		read -r t <"$t"
		[ "$t" = 0 ] || why+=" a transition is in progress;"
	done
}

# check_kernel_log: append to why every kernel complaint (klog.sh's
# KLOG_PATTERN: WARNING:, BUG:, an oops, a relocation complaint, ...) logged
# since the last call.  The log is read
# and cleared once per sequence: a complaint stays in it until then, so a
# sequence passes only when none of its operations caused one.
check_kernel_log() {
	local line log
	log=$(dmesg -c) # (the guest has no /dev/fd: no process substitution)
	while IFS= read -r line; do
		[ -z "$line" ] || why+=" kernel: $line;"
	done <<<"$(printf '%s\n' "$log" | grep -E "$KLOG_PATTERN")"
}

# model_seq N DEPTH: seq=(...) the N-th sequence of DEPTH operations over ops,
# the last operation varying fastest.
model_seq() {
	local i k=$1
	seq=()
	for ((i = $2 - 1; i >= 0; i--, k /= ${#ops[@]})); do
		seq[i]=${ops[k % ${#ops[@]}]}
	done
}

# model_all DEPTH: append every sequence of DEPTH operations to work.
model_all() {
	local n total=1 i
	for ((i = 0; i < $1; i++)); do total=$((total * ${#ops[@]})); done
	for ((n = 0; n < total; n++)); do
		model_seq $n "$1"
		work+=("${seq[*]}")
	done
}

# model_pairs DEPTH: for every model state some sequence of DEPTH operations
# reaches (the first such sequence in model_seq order), that sequence followed
# by each operation, appended to work.  Computed on the model alone.
model_pairs() {
	local n total=1 i o keys=()
	local -A first=()
	for ((i = 0; i < $1; i++)); do total=$((total * ${#ops[@]})); done
	for ((n = 0; n < total; n++)); do
		model_seq $n "$1"
		model_init
		for o in "${seq[@]}"; do expect "$o"; done
		model_key
		[ -n "${first[$key]+set}" ] || { first[$key]="${seq[*]}"; keys+=("$key"); }
	done
	for key in "${keys[@]}"; do
		for o in "${ops[@]}"; do work+=("${first[$key]} $o"); done
	done
	diag "$1 operations reach ${#first[@]} model states"
}

# model_sequence OP...: run the operations from a clean system, checking each;
# bad is empty when every one matched the model, else says where and why.
model_sequence() {
	local model_i model_rc model_out
	bad=""
	model_init
	for ((model_i = 1; model_i <= $#; model_i++)); do
		expect "${!model_i}"
		model_out=$(run_op "${!model_i}" 2>&1)
		model_rc=$?
		why=""
		check
		case $want_rc in
		fail) [ $model_rc != 0 ] || why+=" exit 0, expected a failure;" ;;
		*) [ $model_rc = "$want_rc" ] || why+=" exit $model_rc, expected $want_rc;" ;;
		esac
		# shellcheck disable=SC2053 # want_out is a glob
		[[ $model_out == $want_out ]] || why+=" its output does not match '$want_out';"
		[ -z "$why" ] || { bad="after '${*:1:model_i}':$why output: ${model_out//$'\n'/ | }"; break; }
	done
	[ -z "$bad" ] || return 1
	check_kernel_log
	[ -z "$why" ] || bad="after '$*':$why"
	[ -z "$bad" ]
}

# model_run SHARD/SHARDS: every work item whose index is SHARD modulo SHARDS,
# one TAP line each; the system is cleaned between them.
model_run() {
	# (bash scoping is dynamic: no local may shadow a name the script's
	# functions use, hence the model_ prefixes)
	local model_k model_first=${1%/*} model_step=${1#*/} model_passed=0 model_total=0
	engine_cleanup
	dmesg -c >/dev/null
	for ((model_k = model_first; model_k < ${#work[@]}; model_k += model_step)); do
		model_total=$((model_total + 1))
		# shellcheck disable=SC2086 # an item is its operations, split
		if model_sequence ${work[model_k]}; then
			why=""
			reset
			check_kernel_log
			[ -z "$why" ] || bad="after '${work[model_k]}' and the clean-up:$why"
		else
			engine_cleanup
			why=""
			check_kernel_log
			bad+=$why
		fi
		if [ -z "$bad" ]; then
			ok 0 "${work[model_k]}"
			model_passed=$((model_passed + 1))
		else
			ok 1 "${work[model_k]}"
			diag "$bad"
		fi
	done
	diag "$model_passed of $model_total sequences passed (shard $1)"
	engine_cleanup
}
