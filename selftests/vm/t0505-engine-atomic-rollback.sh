#!/bin/bash
# One-transition rollback: a probe reads /proc/cmdline (the seed bundle's
# vmlinux part prints its generation there) in a tight loop while a failed
# --check rolls v2 back to v1 and while 'revert --to-previous' does; it must
# only ever see generation 1 or 2, never the unpatched line.  A plain insmod
# of the older bundle is still refused while the newer one is active, and a
# nonsensical klpb_rollback_from is refused.  A pair whose v2 adds a
# KLPB_STATE cannot be rolled back in one transition: apply --dry-run says
# so, --check needs --allow-unpatched-rollback.
. "$(dirname "$0")/../lib/tap.sh"
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/engine-lib.sh"
[ -e "$S/seed-v1.klpb" ] || { echo "no seed bundles (selftests/vm/prepare)"; exit 4; }
engine_cleanup
dmesg -C

pf=/tmp/t0505-probe
probe_start() {
	rm -f "$pf"
	probe "$pf" &
	probe_pid=$!
	sleep 0.3
}
probe_stop() {
	sleep 0.3
	kill -TERM "$probe_pid"
	wait "$probe_pid"
	read -r p_u p_g1 p_g2 <"$pf"
	diag "probe: $p_u unpatched, $p_g1 generation 1, $p_g2 generation 2 reads"
}

run_ok "apply v1" "$KLPB" apply "$S/seed-v1.klpb"
run_ok "load M" insmod "$M_KO"

# --- a failed --check: v2 is rolled back to v1
probe_start
"$KLPB" apply --check 'sleep 0.5; false' "$S/seed-v2.klpb" >/dev/null 2>&1
is "$?" 7 "a failing --check rolls back (exit 7)"
probe_stop
is "$p_u" 0 "rollback: the probe never saw the unpatched /proc/cmdline"
ok "$([ "$p_g1" -gt 0 ] && [ "$p_g2" -gt 0 ]; echo $?)" "rollback: the probe saw generation 2, then 1"
is "$(gen_vmlinux)/$(gen_module)" 1/1 "v1 is active again for both parts"
ok "$([ ! -d /sys/module/klpb_seed_v2 ]; echo $?)" "v2 was unloaded"

# --- revert --to-previous
run_ok "apply v2" "$KLPB" apply "$S/seed-v2.klpb"
probe_start
run_ok "revert --to-previous" "$KLPB" revert --to-previous
probe_stop
is "$p_u" 0 "revert --to-previous: the probe never saw the unpatched /proc/cmdline"
ok "$([ "$p_g1" -gt 0 ] && [ "$p_g2" -gt 0 ]; echo $?)" "revert --to-previous: generation 2, then 1"
is "$(gen_vmlinux)/$(gen_module)" 1/1 "v1 is back for both parts"

# --- v3 rolled back to v1: v1's lineage klp_state is at 3, so applying v2
# over it needs the parameter too
"$KLPB" apply --check false "$E/seed-v3-busy.klpb" >/dev/null 2>&1
is "$?" 7 "a failing --check of v3 rolls back to v1"
is "$(cat /sys/module/klpb_seed_v1/parameters/klpb_rollback_from)" 3 \
	"v1 was loaded with klpb_rollback_from=3"
is "$(cat /sys/kernel/klp_bundle/klpb_seed_v1/version)" 1 "sysfs still shows v1's own version"
ok "$(dmesg | grep -q "klpb_seed_v1: bundle 'seed' version 1 .* enabled, its lineage klp_state at version 3"; echo $?)" \
	"the kernel log names v1 and the lineage state version"
run_ok "apply v2 over the restored v1" "$KLPB" apply "$S/seed-v2.klpb"
is "$(gen_vmlinux)/$(gen_module)" 2/2 "v2 is active for both parts"
is "$(cat /sys/module/klpb_seed_v2/parameters/klpb_rollback_from)" 3 "with klpb_rollback_from=3"

# --- the kernel still refuses an accidental downgrade
insmod "$S/seed-v1.ko" 2>/dev/null
ok "$([ $? -ne 0 ] && [ ! -d /sys/module/klpb_seed_v1 ]; echo $?)" \
	"a plain insmod of v1 while v2 is active is refused"
is "$(gen_vmlinux)" 2 "v2 is still active"
engine_cleanup
insmod "$S/seed-v2.ko" klpb_rollback_from=1 2>/dev/null
ok "$([ $? -ne 0 ] && [ ! -d /sys/module/klpb_seed_v2 ]; echo $?)" \
	"klpb_rollback_from lower than the bundle's version is refused"
ok "$(dmesg | grep -q "klpb_seed_v2: klpb_rollback_from=1 is lower than the version 2"; echo $?)" \
	"and the kernel log says why"

# --- v2 adds a KLPB_STATE: no one-transition rollback
if [ -e "$E/st-v2.klpb" ]; then
	run_ok "apply st v1" "$KLPB" apply "$E/st-v1.klpb"
	out=$("$KLPB" apply --dry-run "$E/st-v2.klpb" 2>&1)
	ok $? "apply --dry-run of st v2 passes"
	case $out in *"cannot be rolled back in one transition"*) ok 0 "and warns: no one-transition rollback" ;;
	*) ok 1 "and warns: no one-transition rollback"; diag "$out" ;; esac
	j=$("$KLPB" -j apply --dry-run "$E/st-v2.klpb")
	is "$(jget "$j" 'd["atomic_rollback"]')" False "dry run JSON: atomic_rollback false"
	"$KLPB" apply --check false "$E/st-v2.klpb" >/dev/null 2>&1
	is "$?" 8 "--check without --allow-unpatched-rollback is refused (8)"
	ok "$([ ! -d /sys/module/klpb_st_v2 ]; echo $?)" "and nothing was loaded"
	"$KLPB" apply --allow-unpatched-rollback --check false "$E/st-v2.klpb" >/dev/null 2>&1
	is "$?" 7 "with --allow-unpatched-rollback the failed check rolls back (7)"
	ok "$(grep -q "klpbt_engine: version patched" /proc/version; echo $?)" "st v1 is active again"
	run_ok "apply st v2" "$KLPB" apply "$E/st-v2.klpb"
	"$KLPB" revert --to-previous >/dev/null 2>&1
	is "$?" 8 "revert --to-previous needs the flag too (8)"
	run_ok "revert --to-previous --allow-unpatched-rollback" \
		"$KLPB" revert --to-previous --allow-unpatched-rollback
	ok "$(grep -q "klpbt_engine: version patched" /proc/version; echo $?)" "st v1 is back"
else
	ok 1 "the KLPB_STATE bundles exist (prep-engine.sh)"
fi

engine_cleanup
kl=$(dmesg | grep -E "$KLOG_PATTERN")
is "$kl" "" "no warning, bug, oops or relocation complaint in the kernel log"
done_testing
