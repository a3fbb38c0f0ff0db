#!/bin/bash
# create refuses, with the file and line of the declaration and without
# writing anything, a function livepatch cannot replace (the kernel would
# refuse it at apply): one without an ftrace location (notrace, or inlined
# everywhere), an __init function, and a data symbol; in vmlinux (from the
# stripped image's kallsyms) and in a module (from its ELF).
top=$(cd "$(dirname "$0")/../.." && pwd)
. "$top/selftests/lib/tap.sh"
KLPB=${KLPB_BUILD:-$top/build}/klp-bundle
mods=$top/selftests/modules
kver=$("$top/tools/kver" 2>/dev/null)
if [ -z "$kver" ]; then
	echo "1..0 # SKIP needs installed kernel headers"
	exit 0
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export SOURCE_DATE_EPOCH=1700000000 LC_ALL=C

write() {	# write FILE OBJECT FUNCTION: a replacement on line 4
	printf '%s\n' '#include <linux/types.h>' '#include <klp_bundle.h>' \
		'static int f(int x) { return x; }' "KLPB_PATCH_FUNC($2, $3, f);" >"$1"
}
refused() {	# refused DESC FILE OBJECT FUNCTION REASON CREATE-ARGS...
	local desc=$1 file=$2 object=$3 func=$4 why=$5 err rc
	shift 5
	write "$tmp/$file" "$object" "$func"
	rm -f "$tmp/bad.klpb"
	err=$("$KLPB" create -o "$tmp/bad.klpb" --kernel "$kver" --name t --version 1 "$@" \
		"$tmp/$file" 2>&1 >/dev/null)
	rc=$?
	if [ $rc -ne 0 ] && [ ! -e "$tmp/bad.klpb" ] &&
		[[ $err == *"error: $file:4: cannot replace '$func' in $object: $why"* ]]; then
		ok 0 "$desc"
	else
		ok 1 "$desc"
		diag "exit $rc, stderr: $err"
	fi
}
notrace="it has no ftrace location (notrace, or inlined into every caller): patch its callers instead"
init="it is an __init function, gone after boot"
data="it is not a function (a data symbol: use KLPB_SYMBOL to reach it)"

refused "vmlinux: a notrace function (sched_clock)" notrace.c vmlinux sched_clock "$notrace"
refused "vmlinux: an __init function (start_kernel)" init.c vmlinux start_kernel "$init"
refused "vmlinux: a data symbol (jiffies)" data.c vmlinux jiffies "$data"

mod=$mods/klpb_target_refuse.ko
if [ ! -e "$mod" ]; then
	skip "needs 'make kernel'" "module: a notrace function"
	skip "needs 'make kernel'" "module: an __init function"
	skip "needs 'make kernel'" "module: a data symbol"
	skip "needs 'make kernel'" "module: a traceable function is accepted"
	done_testing
	exit 0
fi
tm=(--target-module "klpb_target_refuse=$mod")
refused "module: a notrace function" mnotrace.c klpb_target_refuse \
	klpb_target_refuse_notrace "$notrace" "${tm[@]}"
refused "module: an __init function" minit.c klpb_target_refuse klpb_target_refuse_init \
	"$init" "${tm[@]}"
refused "module: a data symbol" mdata.c klpb_target_refuse klpb_target_refuse_data \
	"$data" "${tm[@]}"
write "$tmp/ok.c" klpb_target_refuse klpb_target_refuse_ok
run_ok "module: a traceable function is accepted" \
	"$KLPB" create -o "$tmp/ok.klpb" --kernel "$kver" --name t --version 1 "${tm[@]}" "$tmp/ok.c"
done_testing
