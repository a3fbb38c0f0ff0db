#!/bin/bash
# Cumulative lineages and stacking: v2 replaces v1 (v1 removable without
# disabling, v2 takes over v1's klp_state and shadow variable), a downgrade
# (v1 after v2) is refused by the kernel with the bundle's explanation,
# stacked bundles coexist and unwind in order, and a cumulative bundle is
# refused while another lineage's stacked bundle is active.
. "$(dirname "$0")/../lib/tap.sh"
. "$(dirname "$0")/lib.sh"

B=$VM_BUNDLES
orig=$(cat /proc/cmdline)
orig_version=$(cat /proc/version)

mark() { echo "klpbt-test: $1" >/dev/kmsg; }
since() { dmesg | sed -n "/klpbt-test: $1\$/,\$p"; }
patches() { ls "$LP_SYSFS" | tr '\n' ' '; }
cleanup() {
	local m
	for m in klpbt_lin_v2 klpbt_lin_v1 klpbt_stack_b klpbt_stack_a; do
		[ -e "$LP_SYSFS/$m/enabled" ] && disable_lp $m
		[ -d /sys/module/$m ] && unload_mod $m
	done
	[ -d /sys/module/klpb_target_plain ] && unload_mod klpb_target_plain
}

# --- replace
mark lin
run_ok "insmod lineage lin v1" insmod "$B/lin_v1/klpbt_lin_v1.ko"
wait_transition klpbt_lin_v1
is "$(cat /proc/cmdline)" "klpbt_lin: v1" "v1 is active"
cmp -s /sys/kernel/klp_bundle/klpbt_lin_v1/manifest "$B/lin_v1/manifest.cbor"
ok $? "v1's sysfs manifest equals its core file"
since lin | grep -q "klpbt_lin_v1: post_patch, state version 1"
ok $? "the bundle's own klp_state is reachable through klpb_patch()"
run_ok "insmod the target module" insmod "$VM_MODULES/klpb_target_plain.ko"

mark lin-v2
run_ok "insmod lineage lin v2 (cumulative)" insmod "$B/lin_v2/klpbt_lin_v2.ko"
wait_transition klpbt_lin_v2
ok $? "the replace transition completes"
is "$(cat /proc/cmdline)" "klpbt_lin: v2" "v2's vmlinux function is active"
is "$(cat /proc/klpb_target_plain)" "klpb_target_plain: patched by lin v2" \
	"v2's module function is active"
loop_until lp_gone klpbt_lin_v1
ok $? "only v2 is left in /sys/kernel/livepatch"
is "$(patches)" "klpbt_lin_v2 " "livepatch lists v2 alone"
is "$(cat /sys/kernel/klp_bundle/klpbt_lin_v1/objects/vmlinux/state)" disabled \
	"v1's objects say disabled"
since lin-v2 | grep -q "klpbt_lin_v2: pre_patch, previous state v1, shadow 1"
ok $? "v2 took over v1's klp_state (klp_get_prev_state) and shadow variable"
! since lin-v2 | grep -q "klpbt_lin_v1: post_unpatch"
ok $? "the replaced bundle's callbacks do not run"
unload_mod klpbt_lin_v1
ok $? "v1 is removable without disabling"
ok "$([ ! -e /sys/kernel/klp_bundle/klpbt_lin_v1 ]; echo $?)" "v1's sysfs directory is gone"

# --- downgrade
mark lin-down
! insmod "$B/lin_v1/klpbt_lin_v1.ko" 2>/dev/null
ok $? "v1 after v2 (a downgrade) is refused"
since lin-down | grep -q "livepatch: Livepatch patch (klpbt_lin_v1) is not compatible"
ok $? "the kernel says the patch is not compatible"
since lin-down | grep -q "klpbt_lin_v1: bundle 'lin' version 1 (lineage '6c696e00000000000000000000000000') was not enabled: .* would downgrade"
ok $? "the bundle explains the downgrade"
is "$(cat /proc/cmdline)" "klpbt_lin: v2" "v2 stays active"
ok "$([ ! -e /sys/kernel/klp_bundle/klpbt_lin_v1 ]; echo $?)" \
	"the refused bundle leaves no sysfs directory"

mark lin-disable
disable_lp klpbt_lin_v2
ok $? "disable v2"
is "$(cat /proc/cmdline)|$(cat /proc/klpb_target_plain)" \
	"$orig|klpb_target_plain: original" "disabling v2 restores everything"
since lin-disable | grep -q "klpbt_lin_v2: post_unpatch"
ok $? "v2's unpatch callbacks run"
unload_mod klpbt_lin_v2
ok $? "v2 unloads"
unload_mod klpb_target_plain

# --- stacking
run_ok "insmod stacked bundle a" insmod "$B/stack_a/klpbt_stack_a.ko"
wait_transition klpbt_stack_a
run_ok "insmod stacked bundle b" insmod "$B/stack_b/klpbt_stack_b.ko"
wait_transition klpbt_stack_b
is "$(patches)" "klpbt_stack_a klpbt_stack_b " "both stacked bundles are active"
is "$(cat /sys/kernel/klp_bundle/klpbt_stack_b/replace)" 0 "sysfs replace is 0"
is "$(cat /proc/cmdline)|$(cat /proc/version)" "klpbt_stack_b|klpbt_stack_b version" \
	"the newer bundle's functions win"

mark stack-cumulative
! insmod "$B/lin_v1/klpbt_lin_v1.ko" 2>/dev/null
ok $? "a cumulative bundle of another lineage is refused while stacked ones are active"
since stack-cumulative | grep -q "not compatible"
ok $? "the kernel says it is not compatible"

disable_lp klpbt_stack_b
ok $? "disable stacked bundle b"
is "$(cat /proc/cmdline)|$(cat /proc/version)" "klpbt_stack_a|$orig_version" \
	"bundle a is still active, b's functions are gone"
disable_lp klpbt_stack_a
ok $? "disable stacked bundle a"
is "$(cat /proc/cmdline)" "$orig" "/proc/cmdline is the original again"
unload_mod klpbt_stack_b && unload_mod klpbt_stack_a
ok $? "both unload"

cleanup
done_testing
