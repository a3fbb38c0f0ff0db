#!/bin/bash
# One transaction module for vmlinux and two modules (the seed bundle):
# vmlinux patched at once, module parts deferred until their module loads,
# a module of another build refused (vmlinux stays patched) until the right
# build loads, sympos, callbacks in the kernel's order, the sysfs ABI, and
# disabling restores every object at once.
. "$(dirname "$0")/../lib/tap.sh"
. "$(dirname "$0")/lib.sh"

B=$VM_BUNDLES
lp=klpbt_seed
kb=/sys/kernel/klp_bundle/$lp
orig=$(cat /proc/cmdline)

mark() { echo "klpbt-test: $1" >/dev/kmsg; }
# since NAME: kernel log lines after the mark NAME
since() { dmesg | sed -n "/klpbt-test: $1\$/,\$p"; }
state() { cat "$kb/objects/$1/state"; }
cleanup() {
	[ -e "$LP_SYSFS/$lp/enabled" ] && disable_lp $lp
	[ -d /sys/module/$lp ] && unload_mod $lp
	for m in klpb_target_plain klpb_target_dup; do
		[ -d /sys/module/$m ] && unload_mod $m
	done
}

mark seed-load
run_ok "insmod the seed bundle" insmod "$B/seed/$lp.ko"
wait_transition $lp
ok $? "the patching transition completes"
is "$(cat /proc/cmdline)" "klpbt_seed: contract-v2" "vmlinux function patched"
is "$(cat $kb/name) $(cat $kb/version) $(cat $kb/lineage) $(cat $kb/replace)" \
	"seed 1 73656564000000000000000000000000 1" "sysfs name, version, lineage, replace"
cmp -s "$kb/manifest" "$B/seed/manifest.cbor"
ok $? "sysfs manifest equals the core file (made by mkcore) byte for byte"
is "$(stat -c %a "$kb/manifest" "$kb/name" "$kb/objects/vmlinux/state" | sort -u)" 444 \
	"sysfs files are read-only"
is "$(state vmlinux) $(state klpb_target_plain) $(state klpb_target_dup)" \
	"patched pending pending" "module objects pending before their modules load"
is "$(cat $kb/objects/klpb_target_plain/build_id)" \
	"$(readelf -n "$VM_MODULES/klpb_target_plain.ko" | sed -n 's/.*Build ID: //p')" \
	"build_id shows the expected build"
is "$(cat $LP_SYSFS/$lp/klpb_target_plain/patched)" 0 \
	"livepatch's object patched is 0 while the module is not loaded"

mark seed-alt
alt_id=$(readelf -n "$VM_MODULES/alt/klpb_target_plain.ko" | sed -n 's/.*Build ID: //p')
want_id=$(cat $kb/objects/klpb_target_plain/build_id)
! insmod "$VM_MODULES/alt/klpb_target_plain.ko" 2>/dev/null
ok $? "a module of another build is refused"
since seed-alt | grep -q "refusing module 'klpb_target_plain': build-id $alt_id, bundle 'seed' was built for $want_id"
ok $? "dmesg names the module, the found and the expected build-id"
is "$(state klpb_target_plain)" refused "state is refused"
is "$(cat /proc/cmdline)" "klpbt_seed: contract-v2" "vmlinux stays patched"
is "$(cat $LP_SYSFS/$lp/enabled)" 1 "the bundle stays enabled"

mark seed-plain
run_ok "the right build loads" insmod "$VM_MODULES/klpb_target_plain.ko"
is "$(cat /proc/klpb_target_plain)" "klpb_target_plain: patched by seed (contract-v2)" \
	"the module is patched at load, using patch A's contract"
is "$(state klpb_target_plain)" patched "state is patched"
is "$(cat $LP_SYSFS/$lp/klpb_target_plain/patched)" 1 "livepatch's object patched is 1"
is "$(since seed-plain | grep -o 'klpbt_seed: p[a-z_]* [a-z_]*' | tr '\n' ,)" \
	"klpbt_seed: pre_patch klpb_target_plain,klpbt_seed: post_patch klpb_target_plain," \
	"only the loading module's pre_patch and post_patch run"

run_ok "insmod the duplicate-name target" insmod "$VM_MODULES/klpb_target_dup.ko"
is "$(cat /proc/klpb_target_dup | tr '\n' ,)" \
	"dup_name a: original,dup_name b: patched by seed," \
	"sympos 2 patches only the second dup_name"

mark seed-going
run_ok "the patched module unloads" rmmod klpb_target_plain
is "$(since seed-going | grep -o 'klpbt_seed: p[a-z_]* [a-z_]*' | tr '\n' ,)" \
	"klpbt_seed: pre_unpatch klpb_target_plain,klpbt_seed: post_unpatch klpb_target_plain," \
	"module going runs its pre_unpatch and post_unpatch"
is "$(state klpb_target_plain)" pending "state is pending again"
is "$(cat $LP_SYSFS/$lp/klpb_target_plain/patched)" 0 "livepatch's object patched is 0 again"
run_ok "and loads again, patched" insmod "$VM_MODULES/klpb_target_plain.ko"
is "$(cat /proc/klpb_target_plain)" "klpb_target_plain: patched by seed (contract-v2)" \
	"patched again after reload"

mark seed-disable
disable_lp $lp
ok $? "disabling completes and the patch is freed"
is "$(cat /proc/cmdline)|$(cat /proc/klpb_target_plain)|$(sed -n 2p /proc/klpb_target_dup)" \
	"$orig|klpb_target_plain: original|dup_name b: original" \
	"every object is restored at once"
is "$(since seed-disable | grep -o 'klpbt_seed: p[a-z_]* [a-z_]*' | sort | tr '\n' ,)" \
	"klpbt_seed: post_unpatch klpb_target_plain,klpbt_seed: post_unpatch vmlinux,klpbt_seed: pre_unpatch klpb_target_plain,klpbt_seed: pre_unpatch vmlinux," \
	"unpatch callbacks ran for every loaded object"
is "$(state vmlinux)" disabled "state is disabled"
unload_mod $lp
ok $? "the bundle unloads"
ok "$([ ! -e $kb ]; echo $?)" "its sysfs directory is gone"

# the module is loaded before the bundle
mark seed-before
run_ok "insmod the bundle with its targets already loaded" insmod "$B/seed/$lp.ko"
wait_transition $lp
is "$(state vmlinux) $(state klpb_target_plain) $(state klpb_target_dup)" \
	"patched patched patched" "every object patched"
is "$(cat /proc/klpb_target_plain)" "klpb_target_plain: patched by seed (contract-v2)" \
	"the loaded module is patched"
is "$(since seed-before | grep -o 'klpbt_seed: p[a-z_]* [a-z_]*' | tr '\n' ,)" \
	"klpbt_seed: pre_patch vmlinux,klpbt_seed: pre_patch klpb_target_plain,klpbt_seed: post_patch vmlinux,klpbt_seed: post_patch klpb_target_plain," \
	"callbacks: every pre_patch, then every post_patch"
disable_lp $lp && unload_mod $lp
ok $? "disable and unload"
unload_mod klpb_target_plain

# the wrong build is loaded: the whole bundle is refused
mark seed-wrong
run_ok "insmod the other build" insmod "$VM_MODULES/alt/klpb_target_plain.ko"
! insmod "$B/seed/$lp.ko" 2>/dev/null
ok $? "the bundle is refused while a wrong build is loaded"
since seed-wrong | grep -q "refusing module 'klpb_target_plain': build-id $alt_id"
ok $? "dmesg says why"
is "$(cat /proc/cmdline)" "$orig" "nothing stays patched"
ok "$([ ! -e $kb ] && [ ! -e $LP_SYSFS/$lp ]; echo $?)" "no sysfs directory is left"

cleanup
done_testing
