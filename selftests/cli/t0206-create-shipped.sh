#!/bin/bash
# A shipped object in a transaction module build, on every installed kernel
# series: what create --patch adds to the build (klpb_diff_N.o_shipped, an
# object compiled with the kernel's flags and without objtool), built by
# kernel/bundle.kbuild's copy plus kbuild's own objtool.  objtool must run
# on its code exactly once (on the object where objtool runs per object, on
# the linked module under IBT), the .ko must have ORC and return-site
# entries for it, and modpost must stay quiet.
top=$(cd "$(dirname "$0")/../.." && pwd)
. "$top/selftests/lib/tap.sh"
KLPB=${KLPB_BUILD:-$top/build}/klp-bundle
releases=$("$top/tools/kver" --all 2>/dev/null)
if [ -z "$releases" ]; then
	echo "1..0 # SKIP needs installed kernel headers"
	exit 0
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export SOURCE_DATE_EPOCH=1700000000 LC_ALL=C

cat >"$tmp/p.c" <<'SRC'
#include <linux/seq_file.h>
#include <klp_bundle.h>

static int my_cmdline_proc_show(struct seq_file *m, void *v)
{
	seq_puts(m, "klpb\n");
	return 0;
}
KLPB_PATCH_FUNC(vmlinux, cmdline_proc_show, my_cmdline_proc_show);
SRC
cat >"$tmp/dsrc.c" <<'SRC'
#include <linux/kernel.h>
#include <linux/printk.h>

int klpb_diff_demo(int x);
int klpb_diff_demo(int x)
{
	int i, s = 0;

	for (i = 0; i < x; i++)
		s += i * x;
	pr_info("klpb_diff_demo %d\n", s);
	return s;
}
SRC
# count_into KO SECTION: relocations of SECTION that point inside klpb_diff_demo (or its .cold part)
count_into() {
	python3 - "$1" "$2" <<'PY'
import re, subprocess, sys
ko, want = sys.argv[1], sys.argv[2]
out = lambda *a: subprocess.run(["readelf", "-W", *a, ko], capture_output=True, text=True).stdout
names = dict(re.findall(r"^\s*\[\s*(\d+)\]\s+(\S+)", out("-S"), re.M))
ranges = []
for f in (l.split() for l in out("-s").splitlines()):
    if len(f) >= 8 and (f[7] == "klpb_diff_demo" or f[7].startswith("klpb_diff_demo.")) and f[6] in names:
        ranges.append((names[f[6]], int(f[1], 16), int(f[2])))
n, cur = 0, None
for l in out("-r").splitlines():
    m = re.match(r"Relocation section '([^']+)'", l)
    if m:
        cur = m.group(1)
        continue
    f = l.split()
    if cur == ".rela" + want and len(f) >= 7 and f[5] in "+-":
        a = int(f[6], 16) * (1 if f[5] == "+" else -1)
        # strictly inside: the ORC terminator of the object linked before
        # sits at the function's first byte
        n += any(s == f[4] and v < a < v + z for s, v, z in ranges)
print(n)
PY
}

for kver in $releases; do
	kdir=/lib/modules/$kver/build
	obj=$tmp/obj-$kver build=$tmp/build-$kver
	mkdir -p "$obj"
	cp "$tmp/dsrc.c" "$obj/"
	printf 'obj-m := dsrc.o\nOBJECT_FILES_NON_STANDARD := y\n' >"$obj/Kbuild"
	run_ok "$kver: an object compiled with the kernel's flags, no objtool" \
		make -C "$kdir" M="$obj" dsrc.o
	readelf -SW "$obj/dsrc.o" | grep -q orc_unwind
	ok $((!$?)) "$kver: it has no ORC yet"
	run_ok "$kver: a transaction module build to add it to" \
		"$KLPB" create -o "$tmp/b.klpb" --name shipped --version 1 --kernel "$kver" \
		--keep-build "$build" "$tmp/p.c"
	cp "$obj/dsrc.o" "$build/klpb_diff_0.o_shipped"
	sed -i 's/^KLPB_PATCH_OBJS :=.*/& klpb_diff_0.o/' "$build/Kbuild"
	make -C "$kdir" M="$build" KBUILD_BUILD_TIMESTAMP=@0 V=1 modules >"$tmp/log" 2>&1
	ok $? "$kver: the module builds with klpb_diff_0.o"
	runs=$(grep -o 'objtool/objtool [^;]*' "$tmp/log" | awk '{ print $NF }' |
		grep -cE '/(klpb_diff_0|klpb_shipped_v1)\.o$')
	is "$runs" 1 "$kver: objtool ran once on that code"
	if grep -q '^CONFIG_X86_KERNEL_IBT=y' "$kdir/.config"; then
		grep -o 'objtool/objtool [^;]*' "$tmp/log" | grep -q '/klpb_shipped_v1\.o$'
		ok $? "$kver (IBT): on the linked module"
	else
		grep -o 'objtool/objtool [^;]*' "$tmp/log" | grep -q '/klpb_diff_0\.o$'
		ok $? "$kver: on the object"
	fi
	ko=$build/klpb_shipped_v1.ko
	n=$(count_into "$ko" .orc_unwind_ip)
	[ "$n" -gt 0 ]
	ok $? "$kver: the .ko has ORC entries for its code ($n)"
	n=$(count_into "$ko" .return_sites)
	[ "$n" -gt 0 ]
	ok $? "$kver: and return sites ($n)"
	is "$(grep -cE '^(WARNING|ERROR):' "$tmp/log")" 0 "$kver: modpost says nothing"
done
done_testing
