#!/bin/bash
# The platform works: a minimal livepatch module built with kbuild loads,
# changes /proc/cmdline, disables, finishes its transition, unloads, and the
# original /proc/cmdline is back.
. "$(dirname "$0")/../lib/tap.sh"
. "$(dirname "$0")/lib.sh"

mod=klpb_test_platform
orig=$(cat /proc/cmdline)

run_ok "insmod $mod.ko" insmod "$VM_MODULES/$mod.ko"
wait_transition $mod
ok $? "the patching transition completes"
is "$(cat $LP_SYSFS/$mod/enabled)" 1 "sysfs says enabled"
is "$(cat /proc/cmdline)" "klpb_test_platform: this kernel is live patched" \
	"/proc/cmdline shows the patched function"
disable_lp $mod
ok $? "disabling completes and the patch is freed"
unload_mod $mod
ok $? "the module unloads"
is "$(cat /proc/cmdline)" "$orig" "/proc/cmdline is the original again"
done_testing
