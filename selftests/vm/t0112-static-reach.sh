#!/bin/bash
# A bundle that reaches non-exported symbols of a module and of vmlinux
# (prep-static-reach.sh), on any kernel series: the module patch calls the
# module's static statics_secret() and updates its static statics_calls,
# the vmlinux patch calls the static version_proc_show().  On 6.3+ the
# functions are called directly (livepatch relocations at the call sites:
# IBT) and the kernel clears a module's relocations when it goes; the
# runtime must not clear them first ("Invalid relocation target" at every
# unload), but must where the kernel does not: after a load it refuses.
# The module loads before the bundle, then unloads and reloads three
# times, patched each time; a wrong build (alt/) is refused, and the right
# build loads patched after it; the bundle is disabled and removed; the
# bundle itself is refused while the wrong build is loaded.  The
# kernel log must stay clean (guest-run checks it, "relocation" included).
. "$(dirname "$0")/../lib/tap.sh"
. "$(dirname "$0")/lib.sh"

d=${OUT:-$KLPB_BUILD/vm}/static-reach
M=${KTREE:-$VM_TOP}/selftests/modules
T=$M/klpb_target_statics.ko
A=$M/alt/klpb_target_statics.ko
lp=klpb_reach_v1
kb=/sys/kernel/klp_bundle
cleanup() {
	[ -e "$LP_SYSFS/$lp/enabled" ] && disable_lp $lp
	[ -d /sys/module/$lp ] && unload_mod $lp
	[ -d /sys/module/klpb_target_statics ] && unload_mod klpb_target_statics
}
trap cleanup EXIT
if [ ! -f "$d/reach.ko" ] || [ ! -f "$A" ]; then
	echo "no bundle in $d or no $A (selftests/vm/prepare, make kernel)"
	exit 4
fi
patched="klpb_target_statics: patched static-secret 1"

run_ok "insmod the module" insmod "$T"
is "$(cat /proc/klpb_target_statics)" "klpb_target_statics: original 1" "it runs the original"
run_ok "insmod the bundle" insmod "$d/reach.ko"
wait_transition $lp
is "$(head -n 1 /proc/cmdline)" "$(cat /proc/version)" \
	"vmlinux: the patch called the non-exported version_proc_show()"
is "$(cat /proc/klpb_target_statics)" "klpb_target_statics: patched static-secret 2" \
	"module: the patch called its static function and updated its static counter"
for i in 1 2 3; do
	unload_mod klpb_target_statics && insmod "$T"
	ok $? "cycle $i: the module unloads and loads again"
	is "$(cat /proc/klpb_target_statics 2>&1)" "$patched" "cycle $i: patched"
done

unload_mod klpb_target_statics
insmod "$A" 2>/dev/null
ok $((!$?)) "the wrong build of the module (alt/) is refused"
is "$(cat $kb/$lp/objects/klpb_target_statics/state)" refused "its object is 'refused'"
run_ok "the right build loads after the refused one" insmod "$T"
is "$(cat /proc/klpb_target_statics 2>&1)" "$patched" "and is patched"
is "$(cat $kb/$lp/objects/klpb_target_statics/state)" patched "its object is 'patched'"

disable_lp $lp
ok $? "disable the bundle"
is "$(cat /proc/klpb_target_statics)" "klpb_target_statics: original 2" \
	"disabled: the original runs"
[ "$(head -n 1 /proc/cmdline)" != "$(cat /proc/version)" ]
ok $? "disabled: /proc/cmdline is the original"
unload_mod $lp && unload_mod klpb_target_statics
ok $? "the bundle and the module unload"
insmod "$T" && unload_mod klpb_target_statics
ok $? "the module still loads after the bundle is gone"

# the refusal inside klp_enable_patch(): the wrong build is already loaded
insmod "$A"
insmod "$d/reach.ko" 2>/dev/null
ok $((!$?)) "the bundle is refused while the wrong build of the module is loaded"
[ ! -d /sys/module/$lp ] && [ ! -d $kb/$lp ]
ok $? "and nothing of it is left"
unload_mod klpb_target_statics && insmod "$T" && insmod "$d/reach.ko" && wait_transition $lp
is "$(cat /proc/klpb_target_statics 2>&1)" "$patched" "then, with the right build, it applies"
disable_lp $lp && unload_mod $lp && unload_mod klpb_target_statics
ok $? "and is removed again"
done_testing
