#!/bin/bash
# The kernel's reason, shown: a bundle module insmod-ed on a kernel of its
# target's release but another vmlinux build-id refuses to start, naming
# both build-ids; apply of a bundle the livepatch core refuses (sched_clock
# has no ftrace location) shows the kernel's own line in its error, in
# text and in -j; the runtime's message points at it and guesses nothing,
# and names the active bundle when one explains the refusal.
. "$(dirname "$0")/../lib/tap.sh"
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/engine-lib.sh"
K=$VMOUT/kreason/notrace.klpb
[ -e "$K" ] || { echo "no notrace bundle (selftests/vm/prepare)"; exit 4; }
B=$VM_BUNDLES
fake=0123456789abcdef0123456789abcdef01234567
mark() { echo "klpbt-test: $1" >/dev/kmsg; }
since() { dmesg | sed -n "/klpbt-test: $1\$/,\$p"; }
engine_cleanup
mark kreason

# --- the vmlinux build
running=$(python3 -c '
import struct
d = open("/sys/kernel/notes", "rb").read()
o = 0
while o + 12 <= len(d):
	n, s, t = struct.unpack_from("<III", d, o)
	name = o + 12
	desc = name + (n + 3) // 4 * 4
	if t == 3 and d[name:name + n] == b"GNU\0":
		print(d[desc:desc + s].hex())
	o = desc + (s + 3) // 4 * 4')
is "${#running}" 40 "the running kernel's build-id, from /sys/kernel/notes"
mark kr-vmlinux
! insmod "$B/bad_vmlinux/klpbt_bad_vmlinux.ko" 2>/dev/null
ok $? "a bundle built for another vmlinux of this release refuses to start"
want="klpbt_bad_vmlinux: bundle 'bad_vmlinux' was built for kernel '$(uname -r)' with vmlinux build-id $fake, the running kernel's build-id is $running"
since kr-vmlinux | grep -qF "$want"
ok $? "the kernel log names both build-ids"
ok "$([ ! -e "$LP_SYSFS/klpbt_bad_vmlinux" ] && [ ! -e /sys/kernel/klp_bundle/klpbt_bad_vmlinux ] &&
	[ ! -d /sys/module/klpbt_bad_vmlinux ]; echo $?)" "it leaves nothing behind"

# --- apply of a bundle the livepatch core refuses
reason="livepatch: failed to find location for function 'sched_clock'"
mark kr-apply
err=$("$KLPB" apply "$K" 2>&1 >/dev/null)
rc=$?
ok "$([ $rc -ne 0 ]; echo $?)" "apply of the notrace bundle fails"
case $err in
"klp-bundle: error: the kernel refused to load 'klpbt_notrace': Invalid argument"$'\n'*"  kernel: $reason"*)
	ok 0 "the error, then the kernel's reason" ;;
*) ok 1 "the error, then the kernel's reason"; diag "exit $rc: $err" ;; esac
case $err in
*"  kernel: klpbt_notrace: bundle 'notrace' version 1 (lineage '6e6f7472616365000000000000000000') was not enabled: the livepatch core refused it with -EINVAL; its message just before this one says why"*)
	ok 0 "and the runtime's line, which points at it" ;;
*) ok 1 "and the runtime's line, which points at it"; diag "$err" ;; esac
case $err in
*"(see the kernel log)"* | *"kernel: klpbt-test:"* | *downgrade*)
	ok 1 "nothing else"; diag "$err" ;;
*) ok 0 "nothing else" ;; esac
is "$(ls "$LP_SYSFS")" "" "no live patch is left"
ok "$([ ! -d /sys/module/klpbt_notrace ]; echo $?)" "the module is not loaded"

j=$("$KLPB" -j apply "$K")
rc=$?
is "$(jget "$j" 'd["error"]["name"], d["error"]["exit_status"] == '$rc'')" "EINVAL True" \
	"-j: one error document with the exit status"
is "$(jget "$j" 'd["error"]["message"]')" \
	"the kernel refused to load 'klpbt_notrace': Invalid argument" "-j: the error's message"
is "$(jget "$j" '"'"$reason"'" in d["error"]["kernel_messages"]')" True \
	"-j: the kernel's reason is in kernel_messages"
is "$(jget "$j" 'all("klpbt_notrace" in m or m.startswith("livepatch: ") for m in d["error"]["kernel_messages"])')" \
	True "-j: only lines about the module"

# --- a refusal an active bundle explains: the runtime names it
run_ok "insmod a stacked bundle of another lineage" insmod "$B/stack_a/klpbt_stack_a.ko"
wait_transition klpbt_stack_a
mark kr-lineage
! insmod "$B/notrace/klpbt_notrace.ko" 2>/dev/null
ok $? "the cumulative notrace bundle is refused while it is active"
since kr-lineage | grep -qF "klpbt_notrace: bundle 'notrace' version 1 (lineage '6e6f7472616365000000000000000000') was not enabled: -EINVAL, it is cumulative and the active bundle 'stack_a' ('klpbt_stack_a') is of lineage '737461636b5f61000000000000000000', whose klp_state the kernel does not let it drop"
ok $? "the runtime names the active bundle of another lineage"
! since kr-lineage | grep -q "its message just before this one says why"
ok $? "and does not fall back to the generic message"
disable_lp klpbt_stack_a && unload_mod klpbt_stack_a
ok $? "the stacked bundle is disabled and unloaded"

# --- the kernel log: no warning, oops or relocation complaint
bad=$(since kreason | grep -E "$KLOG_PATTERN")
is "$bad" "" "the kernel log shows no warning, oops or relocation complaint"
engine_cleanup
done_testing
