#!/bin/bash
# Direct livepatch relocations into a module (prep-direct-module.sh: a call
# to the module's static statics_secret() at the call site, as create
# --patch makes them, on every series).  The livepatch core writes them at
# each load of the module; x86 refuses to write a non-zero target
# ("existing value is nonzero": the module's load refused), so they must be
# cleared when it goes: from 6.3 on by the kernel, before by the runtime
# (kernel/compat.h, KLPB_RUNTIME_CLEARS_KLP_RELOCS, through text_poke_set()).
# The bundle loads before the module, which then loads and unloads three
# times, patched each time; a wrong build (alt/) is refused and the right
# build loads patched after it (the refused load's relocations cleared); the
# bundle is disabled, and the module loads without it.  The kernel log must
# stay clean (guest-run checks it, "relocation" included).
. "$(dirname "$0")/../lib/tap.sh"
. "$(dirname "$0")/lib.sh"

d=${OUT:-$KLPB_BUILD/vm}/direct-module
M=${KTREE:-$VM_TOP}/selftests/modules
T=$M/klpb_target_statics.ko
A=$M/alt/klpb_target_statics.ko
lp=klpb_direct_v1
kb=/sys/kernel/klp_bundle
cleanup() {
	[ -e "$LP_SYSFS/$lp/enabled" ] && disable_lp $lp
	[ -d /sys/module/$lp ] && unload_mod $lp
	[ -d /sys/module/klpb_target_statics ] && unload_mod klpb_target_statics
}
trap cleanup EXIT
if [ ! -f "$d/direct.ko" ] || [ ! -f "$A" ]; then
	echo "no bundle in $d or no $A (selftests/vm/prepare, make kernel)"
	exit 4
fi
# show(): the module's line, or what went wrong
show() { cat /proc/klpb_target_statics 2>&1; }
state() { cat "$kb/$lp/objects/klpb_target_statics/state"; }

readelf -rW "$d/direct.ko" | grep -A2 "'\.klp\.rela\.klpb_target_statics\.\.text'" |
	grep -q 'R_X86_64_PLT32.*statics_secret'
ok $? "the bundle calls the module's statics_secret() through a direct livepatch relocation"

[ -d /sys/module/klpb_target_statics ] && unload_mod klpb_target_statics
run_ok "insmod the bundle before the module" insmod "$d/direct.ko"
wait_transition $lp
is "$(state)" pending "its module object is pending"
good=0
for i in 1 2 3; do
	if ! insmod "$T"; then
		diag "load $i refused: $(dmesg | tail -n 3)"
		break
	fi
	out=$(show)
	if [ "$out" != "klpb_target_statics: patched static-secret 1" ]; then
		diag "load $i: $out"
		break
	fi
	unload_mod klpb_target_statics || break
	good=$i
done
is "$good" 3 "three loads and unloads of the module: each load accepted and patched"

insmod "$A" 2>/dev/null
ok $((!$?)) "the wrong build of the module (alt/) is refused"
is "$(state)" refused "its object is 'refused'"
run_ok "the right build loads after the refused one" insmod "$T"
is "$(show)" "klpb_target_statics: patched static-secret 1" "and is patched"
is "$(show)" "klpb_target_statics: patched static-secret 2" \
	"the patch updates the module's static counter"
is "$(state)" patched "its object is 'patched'"

disable_lp $lp
ok $? "disable the bundle while the module is loaded"
is "$(show)" "klpb_target_statics: original 3" "disabled: the original runs"
unload_mod $lp && unload_mod klpb_target_statics
ok $? "the bundle and the module unload"
insmod "$T" && unload_mod klpb_target_statics
ok $? "the module still loads after the bundle is gone"

# the module loaded first: relocated at the bundle's enable, cleared at its unload
insmod "$T" && insmod "$d/direct.ko" && wait_transition $lp
is "$(show)" "klpb_target_statics: patched static-secret 1" \
	"the bundle loaded after the module patches it"
unload_mod klpb_target_statics && insmod "$T"
ok $? "the module unloads and loads again under the bundle"
is "$(show)" "klpb_target_statics: patched static-secret 1" "patched again"
disable_lp $lp && unload_mod $lp && unload_mod klpb_target_statics
ok $? "and everything is removed"
done_testing
