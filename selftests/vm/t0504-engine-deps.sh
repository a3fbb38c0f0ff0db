#!/bin/bash
# Dependencies on the real kernel (bundles from prep-deps.sh): apply z_base
# then m_mid (requires z_base); revert z_base is refused (exit 8) and
# changes nothing; revert --with-dependents z_base reverts m_mid then
# z_base; apply --installed with a_top, m_mid, z_base installed (names
# against their dependency order) applies all three, z_base first.  The
# kernel log must show no WARNING, BUG, oops or relocation complaint.
. "$(dirname "$0")/../lib/tap.sh"
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/engine-lib.sh"
D=$VMOUT/deps
[ -e "$D/a_top.klpb" ] || { echo "no dependency bundles (selftests/vm/prepare)"; exit 4; }
engine_cleanup
echo "klpbt-test: t0504" >/dev/kmsg
orig_meminfo=$(head -n 1 /proc/meminfo)
orig_version=$(cat /proc/version)
meminfo() { [ "$(head -n 1 /proc/meminfo)" = "klpbt_engine: meminfo patched" ] && echo p || echo -; }
version() { [ "$(cat /proc/version)" = "klpbt_engine: version patched" ] && echo p || echo -; }
cmdline() { [ "$(cat /proc/cmdline)" = klpbt_stack_a ] && echo p || echo -; }
reverted() { sed -n "s/^reverted: bundle '\([a-z_]*\)'.*/\1/p" | tr '\n' ' '; }

run_ok "apply z_base" "$KLPB" apply "$D/z_base.klpb"
run_ok "apply m_mid (requires z_base)" "$KLPB" apply "$D/m_mid.klpb"
is "$(meminfo)$(version)" pp "both patched"
before=$(status_core)
err=$("$KLPB" revert z_base 2>&1 >/dev/null)
rc=$?
case "$rc|$err" in "8|"*"cannot revert 'z_base': active bundle 'm_mid' requires it"*)
	ok 0 "revert z_base is refused (exit 8), naming m_mid" ;;
*) ok 1 "revert z_base is refused (exit 8), naming m_mid"; diag "$rc $err" ;; esac
is "$(status_core)" "$before" "and nothing changed"
is "$(meminfo)$(version)" pp "both still patched"
is "$(jget "$("$KLPB" -j status)" '{b["name"]: b["required_by"] for b in d["bundles"]}')" \
	"{'m_mid': [], 'z_base': ['m_mid']}" "status -j: z_base is required by m_mid"
out=$("$KLPB" revert --with-dependents z_base)
ok $? "revert --with-dependents z_base"
is "$(printf '%s\n' "$out" | reverted)" "m_mid z_base " "m_mid first, then z_base"
is "$(head -n 1 /proc/meminfo)|$(cat /proc/version)" "$orig_meminfo|$orig_version" "both unpatched"
is "$(ls /sys/kernel/klp_bundle/ | wc -l) $(ls "$KLPB_STATE_DIR/active" | wc -l)" "0 0" \
	"no bundle module and no record left"

# apply --installed: names sorting against the dependency order
for b in a_top m_mid z_base; do
	run_ok "install $b" "$KLPB" install "$D/$b.klpb"
done
out=$("$KLPB" apply --installed --wait)
ok $? "apply --installed"
is "$(printf '%s\n' "$out" | sed -n "s/^applied: bundle '\([a-z_]*\)'.*/\1/p" | tr '\n' ' ')" \
	"z_base m_mid a_top " "in dependency order"
is "$(meminfo)$(version)$(cmdline)" ppp "all three patched"
j=$("$KLPB" -j apply --installed --wait)
is "$(jget "$j" '[x["result"] for x in d]')" "['already active', 'already active', 'already active']" \
	"a second time: each already active, one JSON array"
out=$("$KLPB" revert --with-dependents z_base)
ok $? "revert --with-dependents z_base with the three active"
is "$(printf '%s\n' "$out" | reverted)" "a_top m_mid z_base " "the stack from the top"
is "$(meminfo)$(version)$(cmdline)" "---" "all three unpatched"
for b in a_top m_mid z_base; do "$KLPB" uninstall "$b" >/dev/null; done
log=$(dmesg | sed -n '/klpbt-test: t0504$/,$p')
bad=$(printf '%s\n' "$log" | grep -E "$KLOG_PATTERN" || true)
is "$bad" "" "the kernel log shows no WARNING, BUG, oops or relocation complaint"
engine_cleanup
done_testing
