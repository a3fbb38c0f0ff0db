#!/bin/bash
# Module init checks the embedded core manifest (kernel/klpb_check.c)
# before it registers anything: a core whose functions differ from the
# declarations, one without a target for the running kernel release, one
# that disagrees with the descriptor, and a truncated one each make insmod
# fail with a kernel message naming the problem, and leave nothing behind.
. "$(dirname "$0")/../lib/tap.sh"
. "$(dirname "$0")/lib.sh"

B=$VM_BUNDLES
KB=/sys/kernel/klp_bundle
orig=$(cat /proc/cmdline)

mark() { echo "klpbt-test: $1" >/dev/kmsg; }
since() { dmesg | sed -n "/klpbt-test: $1\$/,\$p"; }
cleanup() {
	local m
	for m in klpbt_bad_funcs klpbt_no_target klpbt_bad_desc klpbt_corrupt; do
		[ -e "$LP_SYSFS/$m/enabled" ] && disable_lp $m
		[ -d /sys/module/$m ] && unload_mod $m
	done
}

# refused DIR: insmod of selftests/bundles/DIR fails and leaves no trace
refused() {
	local lp=klpbt_$1
	mark "$1"
	! insmod "$B/$1/$lp.ko" 2>/dev/null
	ok $? "$1: insmod fails"
	[ ! -e "$LP_SYSFS/$lp" ] && [ ! -e "$KB/$lp" ] && [ ! -e "/sys/module/$lp" ]
	ok $? "$1: nothing left in /sys/kernel/livepatch, $KB or /sys/module"
}

# logged DIR TEXT DESC: the kernel logged TEXT (a fixed string) since DIR's mark
logged() {
	since "$1" | grep -qF -- "$2"
	ok $? "$1: $3"
}

refused bad_funcs
logged bad_funcs "klpbt_bad_funcs: function 'version_proc_show' (sympos 0) of object 'vmlinux' is declared but missing from the core manifest" \
	"a declared function missing from the core is named"
logged bad_funcs "klpbt_bad_funcs: the core manifest lists function 'meminfo_proc_show' (sympos 0) of object 'vmlinux' that no patch source declares" \
	"a core function no source declares is named"
logged bad_funcs "klpbt_bad_funcs: function 'cmdline_proc_show' of object 'vmlinux': the core manifest names the replacement 'other_cmdline_proc_show', the module's is 'bad_cmdline_proc_show'" \
	"a replacement whose symbol differs from the core's new name is named"

refused no_target
logged no_target "klpbt_no_target: bundle 'no_target' has no target for kernel release '$(uname -r)'; it was built for '5.10.0-99-amd64', '6.1.0-0-klpbt'" \
	"no target for the running release: the message lists the bundle's releases"

refused bad_desc
logged bad_desc "klpbt_bad_desc: bundle 'bad_desc': the core manifest's version 2 differs from the descriptor's 1" \
	"a version that differs from the descriptor's is named"
logged bad_desc "klpbt_bad_desc: bundle 'bad_desc': the core manifest's replace 0 differs from the descriptor's 1" \
	"a replace that differs from the descriptor's is named"

refused corrupt
size=$(stat -c %s "$B/corrupt/manifest.cbor")
since corrupt | grep -q "klpbt_corrupt: bundle 'corrupt': the embedded core manifest is malformed at byte [0-9]* of $size\$"
ok $? "corrupt: a truncated core is reported as malformed, with the byte offset"

is "$(cat /proc/cmdline)" "$orig" "/proc/cmdline was never patched"
cleanup
done_testing
