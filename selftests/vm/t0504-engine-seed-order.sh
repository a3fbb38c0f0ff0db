#!/bin/bash
# The seed scenario through the engine: no order of {apply v1, load M,
# unload M, replace by v2, revert} up to depth 4 leaves the vmlinux part and
# the module part at different generations.  The system is deterministic in
# its observable state (active bundle x M loaded), so every (state, op)
# transition is executed and checked once, and every one of the 780
# sequences of length 1..4 is covered by checked transitions (counted below).
. "$(dirname "$0")/../lib/tap.sh"
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/engine-lib.sh"
[ -e "$S/seed-v2.klpb" ] || { echo "no seed bundles (selftests/vm/prepare)"; exit 4; }
ops="apply load unload replace revert"

op() {
	case $1 in
	apply) "$KLPB" apply "$S/seed-v1.klpb" ;;
	replace) "$KLPB" apply "$S/seed-v2.klpb" ;;
	revert) "$KLPB" revert ;;
	load) [ -d /sys/module/$M ] || insmod "$M_KO" ;;
	unload) [ ! -d /sys/module/$M ] || unload_mod $M ;;
	esac
} >/dev/null 2>&1

# observable state: active bundle generation and whether M is loaded
obs() { echo "$(gen_vmlinux)$([ -d /sys/module/$M ] && echo M)"; }
invariant() { local m; m=$(gen_module); [ "$m" = - ] || [ "$m" = "$(gen_vmlinux)" ]; }

declare -A path next
path[0]=""
queue=(0)
bad=0 executed=0
while [ ${#queue[@]} -gt 0 ]; do
	s=${queue[0]}
	queue=("${queue[@]:1}")
	for o in $ops; do
		engine_cleanup
		for p in ${path[$s]}; do op "$p"; done
		[ "$(obs)" = "$s" ] || { ok 1 "reach state $s by '${path[$s]}'"; bad=1; continue; }
		op "$o"
		executed=$((executed + 1))
		t=$(obs)
		if ! invariant; then
			bad=1
			diag "after '${path[$s]} $o': vmlinux $(gen_vmlinux), module $(gen_module)"
		fi
		next[$s.$o]=$t
		if [ -z "${path[$t]+x}" ]; then
			path[$t]="${path[$s]} $o"
			queue+=("$t")
		fi
	done
done
ok $bad "every (state, op) transition keeps both parts at one generation ($executed executed)"

# every sequence up to depth 4 from the empty state uses only checked transitions
count=0 covered=0
walk() {	# STATE DEPTH
	local o t
	[ "$2" -ge 4 ] && return
	for o in $ops; do
		count=$((count + 1))
		t=${next[$1.$o]}
		[ -n "$t" ] && covered=$((covered + 1))
		[ -n "$t" ] && walk "$t" $(($2 + 1))
	done
}
walk 0 0
is "$covered/$count" "780/780" "all sequences of length 1..4 are covered"
engine_cleanup
done_testing
