#!/bin/bash
# The seed example built by 'klp-bundle create' (selftests/vm/prep-seed-example.sh):
# patch A (vmlinux) and patch B (module M, which relies on A) as one bundle.
# vmlinux is patched at once, M's part is pending until M loads; v2 made
# with --base replaces v1 atomically; M can be unloaded and reloaded; and
# disabling restores every object at once.  Both parts always show the
# same generation.
. "$(dirname "$0")/../lib/tap.sh"
. "$(dirname "$0")/lib.sh"

d=$VMOUT/seed-example
M=$VM_KTREE/examples/seed/module/klpb_example_m.ko
kb=/sys/kernel/klp_bundle
orig=$(cat /proc/cmdline)
gen() { sed -n 's/.*generation \([0-9]*\).*/\1/p' "$1" | head -n 1; }
state() { cat "$kb/$1/objects/$2/state"; }
cleanup() {
	for lp in klpb_seed_v2 klpb_seed_v1; do
		[ -e "$LP_SYSFS/$lp/enabled" ] && disable_lp $lp
		[ -d /sys/module/$lp ] && unload_mod $lp
	done
	[ -d /sys/module/klpb_example_m ] && unload_mod klpb_example_m
}
trap cleanup EXIT

if [ ! -f "$d/seed-v1.ko" ]; then
	echo "no bundles in $d (selftests/vm/prepare)"
	exit 4
fi

run_ok "v1: insmod the transaction module" insmod "$d/seed-v1.ko"
wait_transition klpb_seed_v1
ok $? "v1: the transition completes"
is "$(gen /proc/cmdline)" 1 "v1: vmlinux part active (generation 1)"
is "$(state klpb_seed_v1 vmlinux) $(state klpb_seed_v1 klpb_example_m)" "patched pending" \
	"v1: M's part is pending while M is not loaded"
cmp -s "$kb/klpb_seed_v1/manifest" "$d/seed-v1.core"
ok $? "v1: sysfs manifest equals the bundle file's core, byte for byte"

run_ok "M loads" insmod "$M"
is "$(gen /proc/klpb_example_m)" 1 "M is patched as it loads (generation 1)"
is "$(state klpb_seed_v1 klpb_example_m)" patched "M's part: patched"

run_ok "v2 (made with --base): insmod" insmod "$d/seed-v2.ko"
wait_transition klpb_seed_v2
ok $? "v2: the replace transition completes"
loop_until lp_gone klpb_seed_v1
ok $? "v1's livepatch is gone (replaced)"
is "$(gen /proc/cmdline) $(gen /proc/klpb_example_m)" "2 2" \
	"vmlinux and M both at generation 2"
is "$(head -n 1 /proc/meminfo)" "meminfo: generation 2 (patched by the seed bundle)" \
	"v2's new fix is active"
unload_mod klpb_seed_v1
ok $? "v1 unloads without being disabled"

unload_mod klpb_example_m
ok $? "M unloads while patched"
is "$(state klpb_seed_v2 klpb_example_m)" pending "M's part: pending again"
run_ok "M loads again" insmod "$M"
is "$(gen /proc/klpb_example_m)" 2 "the reloaded M is patched (generation 2)"

disable_lp klpb_seed_v2
ok $? "disabling v2 completes"
is "$(cat /proc/cmdline)" "$orig" "vmlinux restored"
is "$(gen /proc/klpb_example_m)" 0 "M restored at the same time (generation 0)"
is "$(head -c 9 /proc/meminfo)" "MemTotal:" "meminfo restored"
done_testing
