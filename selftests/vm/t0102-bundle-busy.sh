#!/bin/bash
# Transitions and callbacks with a busy target (upstream test-callbacks.sh
# "busy target module", "module_coming + pre-patch callback -ENODEV",
# test-sysfs.sh): a sleeping work function stalls the transition, writing 0
# to enabled reverses it, a failing author pre_patch refuses only that
# module, and livepatch's sysfs values follow.
. "$(dirname "$0")/../lib/tap.sh"
. "$(dirname "$0")/lib.sh"

B=$VM_BUNDLES
lp=klpbt_busy
busy=klpb_target_busy
param=/sys/module/$busy/parameters/block_transition

mark() { echo "klpbt-test: $1" >/dev/kmsg; }
since() { dmesg | sed -n "/klpbt-test: $1\$/,\$p"; }
in_dmesg() { dmesg | grep -q "$1"; }
cbs() { since "$1" | grep -o 'klpbt_busy: p[a-z_]* [a-z_]*' | tr '\n' ,; }
cleanup() {
	[ -e $param ] && echo 0 >$param
	[ -e "$LP_SYSFS/$lp/enabled" ] && disable_lp $lp
	[ -d /sys/module/$lp ] && unload_mod $lp
	[ -d /sys/module/$busy ] && unload_mod $busy
}

# --- a stalled transition, reversed
mark busy-stall
run_ok "insmod the busy target (blocking)" insmod "$VM_MODULES/$busy.ko" block_transition=1
loop_until in_dmesg "klpb_busy_work_func enter"
run_ok "insmod the bundle" insmod "$B/busy/$lp.ko"
cmp -s /sys/kernel/klp_bundle/$lp/manifest "$B/busy/manifest.cbor"
ok $? "sysfs manifest equals the core file"
sleep 3
is "$(cat $LP_SYSFS/$lp/enabled) $(cat $LP_SYSFS/$lp/transition)" "1 1" \
	"the transition stalls on the sleeping work function"
is "$(cat $LP_SYSFS/$lp/vmlinux/patched) $(cat $LP_SYSFS/$lp/$busy/patched)" "1 1" \
	"objects are patched (handlers registered) during the transition"
is "$(stat -c %a $LP_SYSFS/$lp/enabled $LP_SYSFS/$lp/transition $LP_SYSFS/$lp/force | tr '\n' ' ')" \
	"644 444 200 " "livepatch sysfs modes"
is "$(cbs busy-stall)" \
	"klpbt_busy: pre_patch vmlinux,klpbt_busy: pre_patch klpb_target_busy," \
	"pre_patch ran, post_patch waits for the transition"
mark busy-reverse
if echo 0 >"$LP_SYSFS/$lp/enabled"; then rc=0; else rc=1; fi
ok $rc "writing 0 to enabled reverses the transition"
echo 0 >$param
loop_until lp_gone $lp
ok $? "the reversed transition completes and the patch is freed"
is "$(cbs busy-reverse)" \
	"klpbt_busy: post_unpatch vmlinux,klpbt_busy: post_unpatch klpb_target_busy," \
	"a reversed transition runs only post_unpatch"
since busy-reverse | grep -q "'$lp': starting unpatching transition"
ok $? "the kernel logs the switch to unpatching"
! since busy-reverse | grep -q "klpbt_busy: pre_unpatch"
ok $? "no pre_unpatch on a reversed transition"
unload_mod $lp
ok $? "the bundle unloads"

# --- the target's pre_patch fails: only that module is refused
mark busy-enodev
unload_mod $busy
run_ok "insmod the bundle with pre_patch_ret=-19" insmod "$B/busy/$lp.ko" pre_patch_ret=-19
wait_transition $lp
out=$(insmod "$VM_MODULES/$busy.ko" 2>&1)
ok "$([ $? -ne 0 ]; echo $?)" "the target module is refused"
case $out in *"No such device"*) ok 0 "insmod reports No such device" ;;
*) ok 1 "insmod reports No such device"; diag "$out" ;; esac
since busy-enodev | grep -q "refusing to load module '$busy'"
ok $? "livepatch logs the refusal"
is "$(cat $LP_SYSFS/$lp/enabled) $(cat /sys/kernel/klp_bundle/$lp/objects/$busy/state)" \
	"1 pending" "the bundle stays enabled, the object pending"
echo 0 >/sys/module/$lp/parameters/pre_patch_ret
run_ok "the target loads once pre_patch succeeds" insmod "$VM_MODULES/$busy.ko"
is "$(cat /sys/kernel/klp_bundle/$lp/objects/$busy/state)" patched "and is patched"
loop_until in_dmesg "klpbt_busy: patched work function"
ok $? "the patched work function ran"
disable_lp $lp
ok $? "disable"
unload_mod $lp
ok $? "unload"

cleanup
done_testing
