#!/bin/bash
# Non-exported symbols through livepatch relocations (KLPB_SYMBOL):
# a vmlinux patch calls a static vmlinux function and reads a static
# vmlinux variable; a module patch applied before its module loads calls a
# static function and updates a static variable of it, and the module loads
# and unloads ten times, patched each time (6.1 never clears a module's
# klp relocations: the runtime clears its slots); a real Debian module,
# binfmt_misc, is patched through its static 'enabled', deferred and live.
. "$(dirname "$0")/../lib/tap.sh"
. "$(dirname "$0")/lib.sh"

d=$VMOUT/symbols
T=$VM_MODULES/klpb_target_statics.ko
kb=/sys/kernel/klp_bundle
cleanup() {
	mountpoint -q /proc/sys/fs/binfmt_misc && umount /proc/sys/fs/binfmt_misc
	for lp in klpb_statics_v1 klpb_modstatics_v1 klpb_binfmt_v1; do
		[ -e "$LP_SYSFS/$lp/enabled" ] && disable_lp $lp
		[ -d /sys/module/$lp ] && unload_mod $lp
	done
	for m in klpb_target_statics binfmt_misc; do
		[ -d /sys/module/$m ] && unload_mod $m
	done
}
trap cleanup EXIT
if [ ! -f "$d/statics.ko" ]; then
	echo "no bundles in $d (selftests/vm/prepare)"
	exit 4
fi

# vmlinux statics
run_ok "vmlinux: insmod the bundle" insmod "$d/statics.ko"
wait_transition klpb_statics_v1
is "$(head -n 1 /proc/cmdline)" "$(cat /proc/version)" \
	"the patch called the static version_proc_show()"
is "$(sed -n 2p /proc/cmdline)" "tainted_mask=$(cat /proc/sys/kernel/tainted)" \
	"and read the static tainted_mask"
disable_lp klpb_statics_v1 && unload_mod klpb_statics_v1
ok $? "vmlinux: disabled and unloaded"

# a module's statics, deferred, ten loads
run_ok "module: insmod the bundle before the module" insmod "$d/modstatics.ko"
wait_transition klpb_modstatics_v1
is "$(cat $kb/klpb_modstatics_v1/objects/klpb_target_statics/state)" pending "its part is pending"
good=0
for i in 1 2 3 4 5 6 7 8 9 10; do
	insmod "$T" || { diag "load $i refused: $(dmesg | tail -n 3)"; break; }
	out=$(cat /proc/klpb_target_statics)
	[ "$out" = "klpb_target_statics: patched static-secret 1" ] || { diag "load $i: $out"; break; }
	unload_mod klpb_target_statics || break
	good=$i
done
is "$good" 10 "ten loads and unloads: each load accepted and patched through its statics"
insmod "$T" && cat /proc/klpb_target_statics >/dev/null
is "$(cat /proc/klpb_target_statics)" "klpb_target_statics: patched static-secret 2" \
	"the patch updates the module's static counter"
disable_lp klpb_modstatics_v1
is "$(cat /proc/klpb_target_statics)" "klpb_target_statics: original 3" \
	"disabled: the original runs, on the same static counter"
unload_mod klpb_modstatics_v1 && unload_mod klpb_target_statics
ok $? "module: everything unloads"
insmod "$T" && unload_mod klpb_target_statics
ok $? "the module still loads after the bundle is gone"

# a real Debian module: binfmt_misc (where it has a static 'enabled': prep-symbols.sh)
if [ -e "$d/binfmt.skip" ]; then
	skip "$(uname -r)'s binfmt_misc keeps 'enabled' per namespace, create: $(sed -n \
		's/^klp-bundle: error: //p' "$d/binfmt.skip" | head -n 1)" "binfmt_misc patched"
	done_testing
fi
[ -d /sys/module/binfmt_misc ] && unload_mod binfmt_misc
run_ok "binfmt_misc: insmod the bundle while the module is not loaded" insmod "$d/binfmt.ko"
wait_transition klpb_binfmt_v1
is "$(cat $kb/klpb_binfmt_v1/objects/binfmt_misc/state)" pending "its part is pending"
run_ok "modprobe binfmt_misc (Debian's module)" modprobe binfmt_misc
mount -t binfmt_misc binfmt_misc /proc/sys/fs/binfmt_misc
is "$(cat /proc/sys/fs/binfmt_misc/status)" "enabled (live patched by klp-bundle)" \
	"the static bm_status_read() is replaced"
echo 0 >/proc/sys/fs/binfmt_misc/status
is "$(cat /proc/sys/fs/binfmt_misc/status)" "disabled (live patched by klp-bundle)" \
	"and reads the module's static 'enabled' through the relocated slot"
echo 1 >/proc/sys/fs/binfmt_misc/status
umount /proc/sys/fs/binfmt_misc
unload_mod binfmt_misc && modprobe binfmt_misc && mount -t binfmt_misc binfmt_misc /proc/sys/fs/binfmt_misc
is "$(cat /proc/sys/fs/binfmt_misc/status 2>&1)" "enabled (live patched by klp-bundle)" \
	"binfmt_misc reloaded: patched again"
done_testing
