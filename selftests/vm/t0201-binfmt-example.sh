#!/bin/bash
# The binfmt example (examples/binfmt, selftests/vm/prep-binfmt-example.sh):
# one bundle made for 6.1 and 6.12 patches Debian's binfmt_misc module, which
# is not loaded when the bundle is applied (its part is pending).  Three
# times: the module loads and is patched (its static state reached through
# KLPB_SYMBOL on 6.1), the status file counts the handlers, a handler still
# runs, and the module unloads (its part pending again).  Where binfmt_misc
# is per user namespace (6.7 and later) a handler's file also names its user
# namespace, a function only that series' transaction module replaces; on
# 6.1 the file is unchanged.  Reverting restores the module's behaviour.
. "$(dirname "$0")/../lib/tap.sh"
. "$(dirname "$0")/lib.sh"

KLPB=$KLPB_BUILD/klp-bundle
d=$VMOUT/binfmt-example
lp=klpb_binfmt_status_v1
obj=/sys/kernel/klp_bundle/$lp/objects/binfmt_misc/state
export KLPB_STATE_DIR=/run/klpb-test-state-binfmt
export KLPB_KEYS_DIR=/run/klpb-test-keys-none
mnt=/tmp/klpb-binfmt
h=klpbt
prog=/tmp/klpb-binfmt-prog.$h
# Per-user-namespace binfmt_misc (Linux 6.7): the userns line is expected.
per_ns=0
[ "$(printf '6.7\n%s\n' "$(uname -r)" | sort -V | head -n 1)" = 6.7 ] && per_ns=1

if [ -f "$d/create.err" ]; then
	ok 1 "create makes one bundle for every installed series"
	diag "$(cat "$d/create.err")"
	done_testing
fi
if [ ! -f "$d/binfmt.klpb" ]; then
	ok 1 "selftests/vm/prepare made $d/binfmt.klpb"
	done_testing
fi

binfmt_off() {
	[ -f "$mnt/$h" ] && echo -1 >"$mnt/$h"
	mountpoint -q "$mnt" && umount "$mnt"
	[ -d /sys/module/binfmt_misc ] && unload_mod binfmt_misc
	return 0
}
cleanup() {
	binfmt_off
	[ -e "$LP_SYSFS/$lp/enabled" ] && disable_lp $lp
	[ -d /sys/module/$lp ] && unload_mod $lp
	rm -rf "$KLPB_STATE_DIR" "$prog"
}
trap cleanup EXIT
# binfmt_misc must come and go with this test: nothing else may hold it.
if grep -q binfmt_misc /proc/mounts || [ -d /sys/module/binfmt_misc ]; then
	echo "binfmt_misc is in use in this guest"
	exit 4
fi
mkdir -p "$mnt"
printf 'exit 7\n' >"$prog"
chmod +x "$prog"

# binfmt_on: load and mount binfmt_misc, register handler $h (*.klpbt run by /bin/true)
binfmt_on() {
	modprobe binfmt_misc && mount -t binfmt_misc binfmt_misc "$mnt" &&
		echo ":$h:E::$h::/bin/true:" >"$mnt/register"
}
# userns_lines: how many "userns N" lines the handler's file has, N being ours
userns_lines() {
	local ns
	ns=$(readlink /proc/self/ns/user)
	ns=${ns#user:[}
	grep -c "^userns ${ns%]}\$" "$mnt/$h"
}

run_ok "apply the bundle (binfmt_misc not loaded)" "$KLPB" apply "$d/binfmt.klpb"
wait_transition $lp
ok $? "the transition completes"
is "$(cat "$obj")" pending "binfmt_misc's part is pending"

for i in 1 2 3; do
	run_ok "cycle $i: binfmt_misc loads, is mounted, a handler registers" binfmt_on
	is "$(cat "$obj")" patched "cycle $i: binfmt_misc's part is patched"
	is "$(tr '\n' ' ' <"$mnt/status")" "enabled handlers 1 " \
		"cycle $i: status counts the handler (patched bm_status_read)"
	echo 0 >"$mnt/status"
	is "$(tr '\n' ' ' <"$mnt/status")" "disabled handlers 1 " \
		"cycle $i: disabled, still one handler"
	echo 1 >"$mnt/status"
	"$prog"
	is $? 0 "cycle $i: the handler runs a .$h file (with /bin/true)"
	if [ $per_ns = 1 ]; then
		is "$(userns_lines)" 1 "cycle $i: the handler's file names its user namespace (6.7+ only)"
	else
		is "$(userns_lines)" 0 "cycle $i: the handler's file is unchanged (before 6.7)"
	fi
	is "$(head -n 1 "$mnt/$h")" enabled "cycle $i: the handler's file starts as before"
	binfmt_off
	ok $? "cycle $i: binfmt_misc unmounted and unloaded"
	is "$(cat "$obj")" pending "cycle $i: binfmt_misc's part is pending again"
done

run_ok "binfmt_misc loads a fourth time" binfmt_on
run_ok "revert" "$KLPB" revert
ok "$([ ! -d "$LP_SYSFS/$lp" ] && [ ! -d /sys/module/$lp ]; echo $?)" \
	"the livepatch and its module are gone"
is "$(cat "$mnt/status")" enabled "status is binfmt_misc's own again"
is "$(userns_lines)" 0 "the handler's file is binfmt_misc's own again"
"$prog"
is $? 0 "the handler still runs"
binfmt_off
ok $? "binfmt_misc unloads"
done_testing
