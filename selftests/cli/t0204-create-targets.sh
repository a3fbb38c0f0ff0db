#!/bin/bash
# One file, several builds: a patch whose second function is compiled only
# for 6.12 (#if LINUX_VERSION_CODE) gets per-target functions (format 1.1)
# that inspect shows (text and JSON) and that each module embeds; apply
# --dry-run, against a fake /sys, picks each series' target by release and
# vmlinux build-id, and without one lists the bundle's kernels; extract -k
# takes either release; the bundle built with the targets in parallel is
# byte-identical to the one built with --jobs 1; -k twice, or a kbuild tree
# and a release of the same build, are refused.
top=$(cd "$(dirname "$0")/../.." && pwd)
. "$top/selftests/lib/tap.sh"
KLPB=${KLPB_BUILD:-$top/build}/klp-bundle
# the series on either side of the source's #if LINUX_VERSION_CODE >= 6.12
old=$("$top/tools/kver" 6.1 2>/dev/null)
new=$("$top/tools/kver" 6.12 2>/dev/null)
for k in "$old" "$new"; do
	if [ -z "$k" ] || [ ! -d "/lib/modules/$k/build" ]; then
		echo "1..0 # SKIP needs the kernel headers of a 6.1 and a 6.12 kernel (tools/kver)"
		exit 0
	fi
done
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export SOURCE_DATE_EPOCH=1700000000 LC_ALL=C
py() { printf '%s' "$1" | python3 -c "import json,sys; d=json.load(sys.stdin); print($2)"; }

cat >"$tmp/pt.c" <<'SRC'
// SPDX-License-Identifier: GPL-2.0-only
#include <linux/seq_file.h>
#include <linux/version.h>
#include <klp_bundle.h>

static int pt_meminfo_proc_show(struct seq_file *m, void *v)
{
	seq_puts(m, "klpbt_pt: meminfo patched\n");
	return 0;
}

KLPB_PATCH_FUNC(vmlinux, meminfo_proc_show, pt_meminfo_proc_show);

#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 12, 0)
static int pt_cmdline_proc_show(struct seq_file *m, void *v)
{
	seq_puts(m, "klpbt_pt: cmdline patched\n");
	return 0;
}

KLPB_PATCH_FUNC(vmlinux, cmdline_proc_show, pt_cmdline_proc_show);
#endif
SRC
create() {	# create OUT ARGS...: the two-target bundle
	local out=$1
	shift
	"$KLPB" create -o "$out" -k "$old" -k "$new" --name pt --version 1 "$@" "$tmp/pt.c"
}

err=$("$KLPB" create -o "$tmp/dup.klpb" -k "$old" -k "$old" --name pt --version 1 "$tmp/pt.c" 2>&1)
rc=$?
ok "$([ $rc -eq 2 ] && [ ! -e "$tmp/dup.klpb" ] &&
	[[ $err == *"error: --kernel $old is given twice: a bundle has one target per kernel build"* ]]
	echo $?)" "-k twice is refused (exit 2, nothing written)"
[ $rc -eq 2 ] || diag "exit $rc: $err"

err=$("$KLPB" create -o "$tmp/dup.klpb" -k "/lib/modules/$old/build" -k "$old" --name pt \
	--version 1 "$tmp/pt.c" 2>&1)
rc=$?
ok "$([ $rc -ne 0 ] && [ ! -e "$tmp/dup.klpb" ] &&
	[[ $err == *"error: --kernel /lib/modules/$old/build and --kernel $old are the same kernel build (release $old, vmlinux build-id "* ]]
	echo $?)" "a kbuild tree and a release of the same build are refused"
[ $rc -ne 0 ] || diag "exit $rc: $err"

create "$tmp/a.klpb" >/dev/null 2>"$tmp/a.err"
rc=$?
[ $rc -eq 0 ] || sed 's/^/# /' "$tmp/a.err"
ok $rc "create the two-target bundle, targets in parallel"
create "$tmp/b.klpb" --jobs 1 >/dev/null 2>&1
ok $? "create it again with --jobs 1"
cmp -s "$tmp/a.klpb" "$tmp/b.klpb"
ok $? "the two files are byte-identical"

j=$("$KLPB" -j inspect "$tmp/a.klpb")
is "$(py "$j" 'd["format_version"]')" "1.1" "the bundle is format 1.1"
funcs='";".join(t["kernel_release"]+"="+",".join(f["old_name"] for o in t["patched_objects"] for f in o["functions"]) for t in d["targets"])'
is "$(py "$j" "$funcs")" "$old=meminfo_proc_show;$new=meminfo_proc_show,cmdline_proc_show" \
	"JSON: each target's patched_objects"
is "$(py "$j" '",".join(f["old_name"] for o in d["objects"] for f in o["functions"])')" \
	"meminfo_proc_show,cmdline_proc_show" "JSON: objects is the union"
text=$("$KLPB" inspect "$tmp/a.klpb")
t0=$(printf '%s\n' "$text" | sed -n '/^target 0:/,/^target 1:/p')
t1=$(printf '%s\n' "$text" | sed -n '/^target 1:/,/^object:/p')
ok "$([[ $t0 == *"function:   vmlinux: meminfo_proc_show,0 -> pt_meminfo_proc_show"* ]] &&
	[[ $t0 != *cmdline_proc_show* ]]; echo $?)" "text: the $old target lists its one function"
ok "$([[ $t1 != *"function:"* ]]; echo $?)" "text: the $new target, which has them all, lists none"

"$KLPB" inspect --dump-core "$tmp/a.klpb" >"$tmp/core"
for t in 0 1; do
	"$KLPB" extract "$tmp/a.klpb" -t $t -o "$tmp/m$t.ko" >/dev/null 2>&1 &&
		objcopy -O binary --only-section=.rodata.klpb_manifest "$tmp/m$t.ko" "$tmp/emb$t" &&
		head -c "$(stat -c %s "$tmp/core")" "$tmp/emb$t" | cmp -s - "$tmp/core"
	ok $? "target $t's module embeds the file's core"
done
for k in "$old" "$new"; do
	"$KLPB" extract "$tmp/a.klpb" -k "$k" -o "$tmp/x.ko" >/dev/null 2>&1
	ok $? "extract -k $k"
done

# apply --dry-run on each series, against a fake /sys and /proc
export KLPB_SYSFS_ROOT=$tmp/root KLPB_STATE_DIR=$tmp/state KLPB_RUN_DIR=$tmp KLPB_KEYS_DIR=$tmp/nokeys
r=$KLPB_SYSFS_ROOT
w() { mkdir -p "$(dirname "$r$1")" && printf '%s\n' "$2" >"$r$1"; }
fake() {	# fake RELEASE BUILD-ID: a kernel that fits everything else
	rm -rf "$r" "$KLPB_STATE_DIR"
	w /proc/sys/kernel/osrelease "$1"
	w /proc/sys/kernel/ftrace_enabled 1
	w /proc/sys/kernel/tainted 0
	w /proc/cmdline "root=/dev/vda"
	w /sys/module/module/parameters/sig_enforce N
	mkdir -p "$r/sys/kernel/livepatch"
	python3 -c "import sys,struct; i=bytes.fromhex(sys.argv[1]); sys.stdout.buffer.write(struct.pack('<III',4,len(i),3)+b'GNU\0'+i)" "$2" >"$r/sys/kernel/notes"
}
for t in 0 1; do
	k=$(py "$j" "d['targets'][$t]['kernel_release']")
	fake "$k" "$(py "$j" "d['targets'][$t]['vmlinux_build_id']")"
	out=$("$KLPB" -j apply --dry-run "$tmp/a.klpb" 2>&1)
	is "$(py "$out" 'd["result"], d["kernel_release"]')" \
		"would apply $k" "apply --dry-run on $k picks its target"
done
fake 9.9.9-other "$(py "$j" 'd["targets"][0]["vmlinux_build_id"]')"
err=$("$KLPB" apply --dry-run "$tmp/a.klpb" 2>&1)
rc=$?
ok "$([ $rc -eq 8 ] && [[ $err == *"has no target for the running kernel 9.9.9-other; it has '$old', '$new': create it with 'klp-bundle create -k 9.9.9-other'"* ]]
	echo $?)" "no target: the error lists the bundle's releases (exit 8)"
[ $rc -eq 8 ] || diag "exit $rc: $err"
fake "$old" 0000000000000000000000000000000000000000
err=$("$KLPB" apply --dry-run "$tmp/a.klpb" 2>&1)
ok "$([[ $err == *"has a target for kernel release $old but not for the running build of it"* ]]
	echo $?)" "another build of a release the bundle has"
done_testing
