#!/bin/bash
# Rollback: a stalled transition (busy target) is reversed within --timeout
# plus a few seconds and the previous bundle keeps working; a failing
# --check restores the previous bundle; a passing one commits.
. "$(dirname "$0")/../lib/tap.sh"
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/engine-lib.sh"
[ -e "$E/seed-v3-busy.klpb" ] || { echo "no engine bundles (selftests/vm/prepare)"; exit 4; }
busy=klpb_target_busy
param=/sys/module/$busy/parameters/block_transition
in_dmesg() { dmesg | grep -q "$1"; }
engine_cleanup

run_ok "apply v1 (the previous bundle)" "$KLPB" apply "$S/seed-v1.klpb"
run_ok "load M" insmod "$M_KO"
before=$(status_core)

# --- a stalled transition
dmesg -C
run_ok "load the busy target (blocking)" insmod "$VM_MODULES/$busy.ko" block_transition=1
loop_until in_dmesg "klpb_busy_work_func enter"
start=$(date +%s)
# on a terminal (script(1) gives it one), so the progress line is drawn
err=$(script -qec "$KLPB apply --timeout 3 $E/seed-v3-busy.klpb" /dev/null </dev/null)
rc=$?
took=$(($(date +%s) - start))
is "$rc" 7 "apply exits 7 (rolled back)"
ok "$([ $took -le 12 ]; echo $?)" "within --timeout + a few seconds ($took s)"
case $err in *"did not finish in 3.0 s"*"previous state is active"*) ok 0 "the message says what happened" ;;
*) ok 1 "the message says what happened"; diag "$err" ;; esac
case $err in *"pid "*kworker*) ok 0 "the stalled task is named (pid, comm)" ;;
*) ok 1 "the stalled task is named (pid, comm)"; diag "$err" ;; esac
case $err in *"transition of 'klpb_seed_v3': 1 task(s) left, 1s"*) ok 0 "the progress line counts the stalled task" ;;
*) ok 1 "the progress line counts the stalled task"; diag "$err" ;; esac
is "$(gen_vmlinux)/$(gen_module)" 1/1 "the previous bundle still works for both parts"
ok "$([ ! -d /sys/module/klpb_seed_v3 ]; echo $?)" "the new bundle was unloaded"
is "$(status_core)" "$before" "status --json is unchanged"
echo 0 >$param
unload_mod $busy

# --- a failing health check
err=$("$KLPB" apply --check 'test -e /nonexistent' "$S/seed-v2.klpb" 2>&1 >/dev/null)
is "$?" 7 "a failing --check exits 7"
case $err in *"health check failed"*) ok 0 "and says the health check failed" ;;
*) ok 1 "and says the health check failed"; diag "$err" ;; esac
is "$(gen_vmlinux)/$(gen_module)" 1/1 "v1 is restored for both parts"
ok "$([ ! -d /sys/module/klpb_seed_v2 ]; echo $?)" "v2 was unloaded"
is "$(status_core)" "$before" "status --json is unchanged"
run_ok "the restored v1 can still be replaced" "$KLPB" apply --check 'grep -q "generation 2" /proc/cmdline' "$S/seed-v2.klpb"
is "$(gen_vmlinux)/$(gen_module)" 2/2 "a passing --check commits v2"

# A short transition on a terminal: every task switches at once and the
# kernel completes it at its next once-a-second check; never "0 task(s) left".
out=$(script -qec "$KLPB revert --to-previous" /dev/null </dev/null)
is "$?" 0 "revert --to-previous on a terminal"
case $out in *" 0 task(s) left"*) ok 1 "no '0 task(s) left' in the progress line"; diag "$out" ;;
*) ok 0 "no '0 task(s) left' in the progress line" ;; esac
is "$(gen_vmlinux)/$(gen_module)" 1/1 "v1 is back for both parts"

engine_cleanup
done_testing
