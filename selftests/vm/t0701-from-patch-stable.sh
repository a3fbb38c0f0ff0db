#!/bin/bash
# Three upstream stable fixes (selftests/patches/from-patch/stable/s2, s3, s5,
# each header names the fix and the two Debian source versions), built by
# 'create --patch' against the older release they fix and applied on its
# guest (selftests/vm/from-patch-stable boots it).  Skipped on any other
# release: prep-from-patch.sh makes these bundles only for it.
. "$(dirname "$0")/../lib/tap.sh"
. "$(dirname "$0")/lib.sh"

KLPB=$KLPB_BUILD/klp-bundle
d=$VMOUT/from-patch
export KLPB_STATE_DIR=/run/klpb-test-state-fps
export KLPB_KEYS_DIR=/run/klpb-test-keys-none
srcver=$(dpkg-query -W -f='${Built-Using}' "linux-image-$(uname -r)" \
	"linux-image-$(uname -r)-unsigned" 2>/dev/null | sed -nE 's/.*\(= ([^)]+)\).*/\1/p' | head -n 1)
from=$(sed -nE 's/^Debian: between linux ([^ ]+) .*/\1/p' \
	"$VM_TOP"/selftests/patches/from-patch/stable/s1-*.patch)
if [ "$srcver" != "$from" ]; then
	echo "the stable fixes are for the release built from $from, not $(uname -r) ($srcver)"
	exit 4
fi
cleanup() {
	[ -d /sys/block/zram0 ] && echo 1 >/sys/block/zram0/reset 2>/dev/null
	[ -d /sys/module/zram ] && unload_mod zram
	for lp in "$LP_SYSFS"/klpb_fps*; do
		[ -e "$lp/enabled" ] && disable_lp "$(basename "$lp")"
	done
	rm -rf "$KLPB_STATE_DIR"
}
trap cleanup EXIT

# check NN DESC: bundle NN applies, DESC's check (function check_NN) passes, it reverts
run_fix() {
	local n=$1 lp=klpb_fp$1_v1
	if [ -f "$d/$n.err" ] || [ ! -f "$d/$n.klpb" ]; then
		ok 1 "$n: selftests/vm/prepare made $d/$n.klpb"
		[ -f "$d/$n.err" ] && diag "$(cat "$d/$n.err")"
		return
	fi
	run_ok "$n: apply" "$KLPB" apply "$d/$n.klpb" && wait_transition "$lp"
	ok $? "$n: the transition completes"
	"check_$n"
	run_ok "$n: revert" "$KLPB" revert
	ok "$([ ! -d "$LP_SYSFS/$lp" ] && [ ! -d "/sys/module/$lp" ]; echo $?)" \
		"$n: the livepatch and its module are gone"
	"check_$n" after
}
py() { python3 -c "$1"; }
# s5: fcntl(F_SET_RW_HINT) on an immutable file: EPERM patched, allowed unpatched
check_s5() {
	local f=/tmp/klpb-fps5 want=0
	[ "${1:-}" = after ] || want=1
	if ! { rm -f "$f" && : >"$f" && chattr +i "$f"; }; then
		ok 1 "s5: an immutable file in /tmp"
		return
	fi
	py 'import fcntl, os, struct, sys
fd = os.open("/tmp/klpb-fps5", os.O_RDONLY)
try:
	fcntl.fcntl(fd, 1036, struct.pack("Q", 2))
	sys.exit(0)
except OSError as e:
	sys.exit(1 if e.errno == 1 else 2)'
	is "$?" "$want" "s5: F_SET_RW_HINT on an immutable file ${1:-patched}: $([ $want = 1 ] && echo EPERM || echo allowed)"
	chattr -i "$f" && rm -f "$f"
}
# s2: fspick(AT_FDCWD, "/tmp", FSPICK_CLOEXEC) (x86-64 syscall 433) on a tmpfs
check_s2() {
	py 'import ctypes, os, sys
libc = ctypes.CDLL(None, use_errno=True)
fd = libc.syscall(433, -100, b"/tmp", 1)
sys.exit(0 if fd >= 0 else ctypes.get_errno())'
	ok $? "s2: fspick() of an ordinary mount works ${1:-patched}"
}
# s3: zram loads after the apply (deferred), a device's block_state reads
check_s3() {
	if [ -z "${1:-}" ]; then
		is "$(cat "$LP_SYSFS/klpb_fps3_v1/enabled" 2>/dev/null)" 1 "s3: enabled, zram not loaded"
	fi
	modprobe zram num_devices=1 && echo 4M >/sys/block/zram0/disksize &&
		{ mountpoint -q /sys/kernel/debug || mount -t debugfs none /sys/kernel/debug; } &&
		cat /sys/kernel/debug/zram/zram0/block_state >/dev/null
	ok $? "s3: zram loads, zram0's block_state reads ${1:-patched}"
	echo 1 >/sys/block/zram0/reset
	unload_mod zram
}
# (s1 compiles to no change on Debian's config, s4 is __init: both refused, t0700-create-patch)
for n in s2 s3 s5; do
	run_fix $n
done
done_testing
