# shellcheck shell=bash
# lib.sh - helpers for in-guest tests (modelled on the kernel's
# tools/testing/selftests/livepatch/functions.sh).  Source after tap.sh.

VM_TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
# The tree kbuild built for the running release ($KTREE, set by
# selftests/vm/run: the repository for the default series, else
# $KLPB_BUILD/ktree/RELEASE) and the host-side preparation's output ($OUT).
# shellcheck disable=SC2034 # used by the scripts that source this
VM_KTREE=${KTREE:-$VM_TOP}
# shellcheck disable=SC2034
VM_MODULES=$VM_KTREE/selftests/modules
# shellcheck disable=SC2034
VM_BUNDLES=$VM_KTREE/selftests/bundles
# shellcheck disable=SC2034
VMOUT=${OUT:-${KLPB_BUILD:-$VM_TOP/build}/vm}
LP_SYSFS=/sys/kernel/livepatch
# KLOG_PATTERN: what counts as a kernel complaint (klog.sh)
. "$VM_TOP/selftests/vm/klog.sh"

# loop_until CMD...: retry CMD every 0.1 s for up to $MAX_RETRIES tries (default 600 = 60 s).
loop_until() {
	local i
	for ((i = 0; i < ${MAX_RETRIES:-600}; i++)); do
		"$@" && return 0
		sleep 0.1
	done
	return 1
}

lp_transition_done() {
	[ ! -e "$LP_SYSFS/$1/transition" ] || [ "$(cat "$LP_SYSFS/$1/transition")" = 0 ]
}

# wait_transition NAME: the patch's transition (if any) has finished.
wait_transition() {
	loop_until lp_transition_done "$1"
}

lp_gone() {
	[ ! -d "$LP_SYSFS/$1" ]
}

# disable_lp NAME: disable the patch and wait until the kernel has freed it.
disable_lp() {
	echo 0 >"$LP_SYSFS/$1/enabled" && loop_until lp_gone "$1"
}

mod_unloaded() {
	[ ! -d "/sys/module/$1" ]
}

# unload_mod NAME: rmmod, retrying while the module is still referenced (never -f).
unload_mod() {
	loop_until rmmod_quiet "$1" && loop_until mod_unloaded "$1"
}

rmmod_quiet() {
	rmmod "$1" 2>/dev/null
}
