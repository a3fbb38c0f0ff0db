#!/bin/bash
# A failed --check of a cumulative bundle that replaced TWO active bundles
# puts both back: seed v1 (cumulative) and seedstk v1 (stacked, --no-replace,
# seed's lineage under another name, patching /proc/version) are active;
# seed v2 replaces both; its --check fails.  Then seed v1 is restored first,
# in one transition in place of v2 (a probe reading /proc/cmdline never sees
# the unpatched line), seedstk after it, both with klpb_rollback_from=2;
# v2 is gone, status and the state directory name both, no journal, no
# transition, and v2 still applies over them afterwards.
. "$(dirname "$0")/../lib/tap.sh"
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/engine-lib.sh"
[ -e "$E/seedstk.klpb" ] || { echo "no engine bundles (selftests/vm/prepare)"; exit 4; }
engine_cleanup

LP=/sys/kernel/livepatch
stk_patched() { grep -q "klpbt_engine: version patched" /proc/version && echo 1 || echo 0; }

pf=/tmp/t0506-probe
seen=/tmp/t0506-during-check

run_ok "apply seed v1 (cumulative)" "$KLPB" apply "$S/seed-v1.klpb"
run_ok "load M" insmod "$M_KO"
run_ok "apply seedstk v1 (stacked, seed's lineage)" "$KLPB" apply "$E/seedstk.klpb"
is "$(gen_vmlinux)/$(gen_module)/$(stk_patched)" 1/1/1 "seed v1 and seedstk are both in effect"

# --- seed v2 replaces both; its --check records what it sees, then fails
dmesg -C
rm -f "$pf" "$seen"
probe "$pf" &
probe_pid=$!
sleep 0.3
"$KLPB" apply --check "ls $LP | tr '\n' ' ' >$seen; sleep 0.5; false" "$S/seed-v2.klpb" \
	>/dev/null 2>&1
is "$?" 7 "a failing --check of seed v2 rolls back (exit 7)"
sleep 0.3
kill -TERM "$probe_pid"
wait "$probe_pid"
read -r p_u p_g1 p_g2 <"$pf"
diag "probe: $p_u unpatched, $p_g1 generation 1, $p_g2 generation 2 reads"
is "$(cat "$seen" 2>/dev/null)" "klpb_seed_v2 " "during the check seed v2 alone was a live patch (it replaced both)"
is "$p_u" 0 "the probe never saw the unpatched /proc/cmdline"
ok "$([ "$p_g1" -gt 0 ] && [ "$p_g2" -gt 0 ]; echo $?)" "the probe saw generation 2, then 1"

# --- both replaced bundles are back, v2 is gone
for m in klpb_seed_v1 klpb_seedstk_v1; do
	is "$(cat $LP/$m/enabled 2>/dev/null)/$(cat $LP/$m/transition 2>/dev/null)" 1/0 \
		"$m is enabled again, not in transition"
	is "$(cat /sys/module/$m/parameters/klpb_rollback_from 2>/dev/null)" 2 \
		"$m was loaded with klpb_rollback_from=2"
done
is "$(gen_vmlinux)/$(gen_module)/$(stk_patched)" 1/1/1 "seed v1 and seedstk are both in effect again"
ok "$([ ! -d /sys/module/klpb_seed_v2 ] && [ ! -d $LP/klpb_seed_v2 ]; echo $?)" "seed v2 was unloaded"
is "$(ls $LP | tr '\n' ' ')" "klpb_seed_v1 klpb_seedstk_v1 " "no other live patch"
is "$(cat $LP/*/transition | sort -u)" 0 "no transition left"
l1=$(dmesg | grep -n "klpb_seed_v1: bundle 'seed' version 1 .* enabled, its lineage klp_state at version 2" | cut -d: -f1)
l2=$(dmesg | grep -n "klpb_seedstk_v1: bundle 'seedstk' version 1 .* enabled, its lineage klp_state at version 2" | cut -d: -f1)
ok "$([ -n "$l1" ] && [ -n "$l2" ] && [ "$l1" -lt "$l2" ]; echo $?)" \
	"the kernel log shows the cumulative seed v1 enabled before the stacked seedstk"

# --- status and the record agree
j=$("$KLPB" -j status)
ok $? "status -j succeeds"
is "$(jget "$j" '" ".join("%s=%s,%s" % (b["name"], b["state"], b["applied"] is not None) for b in sorted(d["bundles"], key=lambda b: b["name"]))')" \
	"seed=active,True seedstk=active,True" "status -j: seed v1 and seedstk active and recorded, nothing else"
is "$(ls "$KLPB_STATE_DIR/active" 2>/dev/null | tr '\n' ' ')" "klpb_seed_v1 klpb_seedstk_v1 " \
	"the state directory records both"
ok "$([ ! -e "$KLPB_STATE_DIR/journal" ]; echo $?)" "no journal left"

# --- seed v2 still applies over both
run_ok "apply seed v2" "$KLPB" apply "$S/seed-v2.klpb"
is "$(gen_vmlinux)/$(gen_module)/$(stk_patched)" 2/2/0 "seed v2 replaced both"
is "$(ls $LP | tr '\n' ' ')" "klpb_seed_v2 " "seed v2 alone is a live patch"

engine_cleanup
kl=$(dmesg | grep -E "$KLOG_PATTERN")
is "$kl" "" "no warning, bug, oops or relocation complaint in the kernel log"
done_testing
