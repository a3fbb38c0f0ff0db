# shellcheck shell=bash
# klog.sh - the kernel-log check every in-guest run ends with (sourced by
# guest-run, orderings-guest.sh and the sigenforce guest): a test fails when
# the kernel complained while it ran, whatever its own checks said.
#   klog_mark NAME	before: a marker line in the kernel log
#   klog_check NAME	after: prints the complaints logged since the marker
#			(since boot when a test cleared the log: the marker
#			is gone then) and returns 1 when there is one
# A complaint is a WARNING:, BUG:, an oops, a general protection fault, a
# call trace, a relocation complaint (any line naming a relocation, such as
# x86's "Invalid relocation target" when relocations are cleared twice),
# an unknown symbol at a module load, or a panic.
KLOG_PATTERN='WARNING:|BUG:|[Oo]ops|general protection fault|Call Trace:|relocation|[Uu]nknown symbol|Kernel panic'

klog_mark() {
	echo "klpb-klog: begin $1" >/dev/kmsg
}

klog_check() {
	local log
	log=$(dmesg 2>/dev/null)
	if printf '%s\n' "$log" | grep -qF "klpb-klog: begin $1"; then
		log=$(printf '%s\n' "$log" | sed -n "/klpb-klog: begin $1\$/,\$p")
	fi
	! printf '%s\n' "$log" | grep -E "$KLOG_PATTERN"
}
