#!/bin/bash
# Bundles made by 'klp-bundle create --patch' (selftests/vm/prep-from-patch.sh
# from selftests/patches/from-patch/NN-*.patch; each file's header says what
# it tests): each is applied, its visible effect checked, and reverted, its
# effect gone.  A bundle for a module not loaded at the apply (06, 08) gets
# its effect when the module loads.  On another series than the fixtures'
# only the cross-series bundle (01 for every installed series) runs.
. "$(dirname "$0")/../lib/tap.sh"
. "$(dirname "$0")/lib.sh"

KLPB=$KLPB_BUILD/klp-bundle
d=$VMOUT/from-patch
export KLPB_STATE_DIR=/run/klpb-test-state-fp
export KLPB_KEYS_DIR=/run/klpb-test-keys-none
mnt=/tmp/klpb-fp-binfmt
h=klpbfp

binfmt_on() {
	modprobe binfmt_misc && mkdir -p "$mnt" && mount -t binfmt_misc binfmt_misc "$mnt" &&
		echo ":$h:E::$h::/bin/true:" >"$mnt/register"
}
binfmt_off() {
	[ -f "$mnt/$h" ] && echo -1 >"$mnt/$h"
	mountpoint -q "$mnt" && umount "$mnt"
	[ -d /sys/module/binfmt_misc ] && unload_mod binfmt_misc
	return 0
}
cleanup() {
	binfmt_off
	for lp in "$LP_SYSFS"/klpb_fp*; do
		[ -e "$lp/enabled" ] && disable_lp "$(basename "$lp")"
	done
	for m in /sys/module/klpb_fp*; do
		[ -d "$m" ] && unload_mod "$(basename "$m")"
	done
	rm -rf "$KLPB_STATE_DIR"
}
trap cleanup EXIT
if grep -q binfmt_misc /proc/mounts || [ -d /sys/module/binfmt_misc ]; then
	echo "binfmt_misc is in use in this guest"
	exit 4
fi

# bundle NN: the bundle's file exists (else a failing check with create's message)
bundle() {
	if [ -f "$d/$1.err" ] || [ ! -f "$d/$1.klpb" ]; then
		ok 1 "$1: selftests/vm/prepare made $d/$1.klpb"
		[ -f "$d/$1.err" ] && diag "$(cat "$d/$1.err")"
		return 1
	fi
}
# apply NN: apply the bundle and wait for its transition
apply() {
	run_ok "$1: apply" "$KLPB" apply "$d/$1.klpb" && wait_transition "klpb_fp$1_v1"
	ok $? "$1: the transition completes"
}
# revert NN: revert it; the livepatch and its module are gone
revert() {
	run_ok "$1: revert" "$KLPB" revert
	ok "$([ ! -d "$LP_SYSFS/klpb_fp$1_v1" ] && [ ! -d "/sys/module/klpb_fp$1_v1" ]; echo $?)" \
		"$1: the livepatch and its module are gone"
}
lines() { wc -l <"$1" | tr -d ' '; }
# meminfo_width: characters before " kB" on /proc/meminfo's first line
meminfo_width() { sed -n '1s/ kB$//p' /proc/meminfo | awk '{ print length($0) }'; }

cmdline=$(cat /proc/cmdline)
version=$(cat /proc/version)
series=$(cat "$VM_TOP/selftests/patches/from-patch/SERIES")
case $(uname -r) in
"$series".*) mine=1 ;;
*) mine=0 ;;
esac

if [ $mine = 1 ]; then
	if bundle 01; then
		apply 01
		is "$(cat /proc/cmdline)" "$cmdline klpb_fp=cmdline" "01: /proc/cmdline has the marker"
		revert 01
		is "$(cat /proc/cmdline)" "$cmdline" "01: /proc/cmdline is the kernel's again"
	fi

	if bundle 02; then
		is "$(meminfo_width)" 24 "02: meminfo values in 8 columns before"
		apply 02
		is "$(meminfo_width)" 28 "02: 12 columns (show_val_kb, inlined into meminfo_proc_show)"
		revert 02
		is "$(meminfo_width)" 24 "02: 8 columns again"
	fi

	if bundle 03; then
		apply 03
		is "$(sed -n 2p /proc/version)" "klpb_fp=version $(uname -m)" \
			"03: /proc/version's second line comes from the new function"
		is "$(head -n 1 /proc/version)" "$version" "03: its first line is unchanged"
		revert 03
		is "$(cat /proc/version)" "$version" "03: /proc/version is the kernel's again"
	fi

	if bundle 04; then
		# the kernel's own stfu is set (a write of 4 drops nothing)
		echo 4 >/proc/sys/vm/drop_caches
		apply 04
		klog_mark fp04
		echo 4 >/proc/sys/vm/drop_caches
		dmesg | sed -n '/klpb-klog: begin fp04$/,$p' | grep -q 'drop_caches: 4 (quiet)$'
		ok $? "04: the patched handler reads the kernel's static stfu (set before: \"(quiet)\")"
		revert 04
		klog_mark fp04r
		echo 4 >/proc/sys/vm/drop_caches
		! dmesg | sed -n '/klpb-klog: begin fp04r$/,$p' | grep -q 'drop_caches:'
		ok $? "04: after revert the kernel's handler is quiet again"
	fi

	if bundle 05; then
		apply 05
		is "$(sed -n 2p /proc/loadavg)" klpb_fp_reads=1 "05: the new static counter starts at 1"
		is "$(sed -n 2p /proc/loadavg)" klpb_fp_reads=2 "05: and counts the reads"
		revert 05
		is "$(lines /proc/loadavg)" 1 "05: /proc/loadavg has one line again"
	fi

	if bundle 06; then
		apply 06
		is "$(cat "$LP_SYSFS/klpb_fp06_v1/enabled" 2>/dev/null)" 1 \
			"06: enabled with binfmt_misc not loaded"
		run_ok "06: binfmt_misc loads (deferred part)" binfmt_on
		is "$(cat "$mnt/status")" "enabled klpb_fp=deferred" "06: the status of the patched module"
		binfmt_off
		run_ok "06: binfmt_misc loads a second time" binfmt_on
		is "$(cat "$mnt/status")" "enabled klpb_fp=deferred" "06: patched at the second load"
		revert 06
		is "$(cat "$mnt/status")" enabled "06: binfmt_misc's own status after revert"
		binfmt_off
	fi

	if bundle 07; then
		run_ok "07: binfmt_misc loaded before the apply" binfmt_on
		apply 07
		grep -qE '^klpb_fp_processes [1-9][0-9]*$' "$mnt/$h"
		ok $? "07: the handler's file shows nr_processes() (non-exported vmlinux function)"
		is "$(head -n 2 "$mnt/$h" | tail -n 1)" "interpreter /bin/true" "07: the file as before above it"
		revert 07
		! grep -q klpb_fp "$mnt/$h"
		ok $? "07: the handler's file is binfmt_misc's own again"
		binfmt_off
	fi

	if bundle 08; then
		apply 08
		is "$(sed -n 2p /proc/version)" klpb_fp=pair "08: vmlinux part: /proc/version"
		run_ok "08: binfmt_misc loads" binfmt_on
		is "$(cat "$mnt/status")" "enabled klpb_fp=pair" "08: module part: binfmt_misc status"
		revert 08
		is "$(cat /proc/version)" "$version" "08: /proc/version after revert"
		is "$(cat "$mnt/status")" enabled "08: binfmt_misc status after revert"
		binfmt_off
	fi
fi

# the same diff, one create for every installed series
if bundle cross; then
	run_ok "cross: apply (one bundle for every installed series)" "$KLPB" apply "$d/cross.klpb" &&
		wait_transition klpb_fpcross_v1
	ok $? "cross: the transition completes on $(uname -r)"
	is "$(cat /proc/cmdline)" "$cmdline klpb_fp=cmdline" "cross: /proc/cmdline has the marker"
	run_ok "cross: revert" "$KLPB" revert
	is "$(cat /proc/cmdline)" "$cmdline" "cross: /proc/cmdline is the kernel's again"
fi
done_testing
