#!/bin/bash
# klp-bundle create (and extract): the seed scenario bundle builds, is
# reproducible, is inspectable and verifiable; every create-time check fails
# clearly, with a non-zero exit and no file written.
top=$(cd "$(dirname "$0")/../.." && pwd)
. "$top/selftests/lib/tap.sh"
KLPB=${KLPB_BUILD:-$top/build}/klp-bundle
mods=$top/selftests/modules
seed=$top/selftests/bundles/seed
kver=$("$top/tools/kver" 2>/dev/null)
if [ -z "$kver" ] || [ ! -e "$mods/klpb_target_plain.ko" ]; then
	echo "1..0 # SKIP needs installed kernel headers and 'make kernel'"
	exit 0
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export SOURCE_DATE_EPOCH=1700000000
export LC_ALL=C	# the compiler's messages, as the test expects them
targets=(--target-module "klpb_target_plain=$mods/klpb_target_plain.ko"
	--target-module "klpb_target_dup=$mods/klpb_target_dup.ko")
srcs=("$seed/patch_a.c" "$seed/patch_b.c" "$seed/patch_dup.c" "$seed/seed.h")
create_seed() {
	"$KLPB" create --kernel "$kver" "${targets[@]}" "$@"
}
create() {
	"$KLPB" create --kernel "$kver" "$@"
}

run_ok "the seed bundle builds" create_seed -o "$tmp/seed.klpb" --name seed --version 1 \
	--description "seed scenario" --cve CVE-2015-0001 "${srcs[@]}"
cd "$tmp" && cp -r "$seed" "$tmp/copy" && cd "$top" || exit 1
run_ok "the same sources from another directory build too" create_seed -o "$tmp/again.klpb" \
	--name seed --version 1 --description "seed scenario" --cve CVE-2015-0001 \
	"$tmp/copy/patch_a.c" "$tmp/copy/patch_b.c" "$tmp/copy/patch_dup.c" "$tmp/copy/seed.h"
cmp -s "$tmp/seed.klpb" "$tmp/again.klpb"
ok $? "same sources, options and SOURCE_DATE_EPOCH: byte-identical bundles"

run_ok "verify accepts it" "$KLPB" verify "$tmp/seed.klpb"
j=$("$KLPB" -j inspect "$tmp/seed.klpb")
py() { printf '%s' "$j" | python3 -c "import json,sys; d=json.load(sys.stdin); $1"; }
is "$(py 'print(d["name"], d["version"], d["replace"])')" "seed 1 True" "inspect: name, version, cumulative"
is "$(py 'print(" ".join(sorted(o["name"] for o in d["objects"])))')" \
	"klpb_target_dup klpb_target_plain vmlinux" "inspect: the three objects"
is "$(py 'print(d["targets"][0]["kernel_release"], d["targets"][0]["module_name"])')" \
	"$kver klpb_seed_v1" "inspect: the target kernel and the module name"
want=$(readelf -n "$mods/klpb_target_plain.ko" | sed -n 's/.*Build ID: //p')
is "$(py 'print([o["build_id"] for o in d["targets"][0]["objects"] if o["name"]=="klpb_target_plain"][0])')" \
	"$want" "the module object's build-id is the build it was made against"
is "$(py 'print([f["sympos"] for o in d["objects"] for f in o["functions"] if f["old_name"]=="dup_name"][0])')" \
	2 "sympos recorded"

run_ok "extract writes the module and the sources" \
	"$KLPB" extract "$tmp/seed.klpb" -o "$tmp/seed.ko" -s "$tmp/src"
"$KLPB" inspect --dump-core "$tmp/seed.klpb" >"$tmp/core.cbor"
modinfo -F livepatch "$tmp/seed.ko" 2>/dev/null | grep -q Y
ok $? "the module is a livepatch module"
cmp -s "$tmp/src/patch_b.c" "$seed/patch_b.c"
ok $? "the embedded sources are the originals"
objcopy -O binary --only-section=.rodata.klpb_manifest "$tmp/seed.ko" "$tmp/embedded" 2>/dev/null
cmp -s -n "$(stat -c %s "$tmp/core.cbor")" "$tmp/embedded" "$tmp/core.cbor"
ok $? "the module embeds the core manifest byte for byte"

# create-time checks: clear errors, exit != 0, nothing written
fails() {	# fails DESC WANT-IN-STDERR CREATE-ARGS...
	local desc=$1 want=$2 err rc
	shift 2
	rm -f "$tmp/bad.klpb"
	err=$(create -o "$tmp/bad.klpb" "$@" 2>&1 >/dev/null)
	rc=$?
	if [ $rc -ne 0 ] && [ ! -e "$tmp/bad.klpb" ] && [[ $err == *"$want"* ]]; then
		ok 0 "$desc"
	else
		ok 1 "$desc"
		diag "exit $rc, stderr: $err"
	fi
}
printf '%s\n' '#include <klp_bundle.h>' 'static int f(void) { return 0; }' \
	'KLPB_PATCH_FUNC(vmlinux, no_such_function_klpb, f);' >"$tmp/missing.c"
fails "a missing vmlinux function" "function 'no_such_function_klpb' not found in vmlinux" \
	--name t --version 1 "$tmp/missing.c"
printf '%s\n' '#include <klp_bundle.h>' 'static int f(void) { return 0; }' \
	'KLPB_PATCH_FUNC(klpb_target_dup, dup_name, f);' >"$tmp/ambiguous.c"
dup=(--target-module "klpb_target_dup=$mods/klpb_target_dup.ko")
fails "an ambiguous function" "'dup_name' is ambiguous in klpb_target_dup" \
	--name t --version 1 "${dup[@]}" "$tmp/ambiguous.c"
printf '%s\n' '#include <klp_bundle.h>' 'static int f(void) { return 0; }' \
	'KLPB_PATCH_FUNC_POS(klpb_target_dup, dup_name, 3, f);' >"$tmp/sympos.c"
fails "a sympos out of range" "position 3 of function 'dup_name' is out of range" \
	--name t --version 1 "${dup[@]}" "$tmp/sympos.c"
fails "--target-module for an object nothing patches" "names no patched module" \
	--name t --version 1 "${dup[@]}" "$tmp/missing.c"
printf '%s\n' '#include <klp_bundle.h>' 'static int f(void) { return this_is_not_c; }' \
	'KLPB_PATCH_FUNC(vmlinux, cmdline_proc_show, f);' >"$tmp/broken.c"
fails "a compile error shows the compiler's message" "undeclared (first use in this function)" \
	--name t --version 1 "$tmp/broken.c"
printf '%s\n' '#include <linux/seq_file.h>' '#include <klp_bundle.h>' \
	'static int f(struct seq_file *m, void *v) { return 0; }' \
	'KLPB_PATCH_FUNC(vmlinux, cmdline_proc_show, f);' '#if 0' \
	'KLPB_PATCH_FUNC(vmlinux, meminfo_proc_show, f);' '#endif' >"$tmp/hidden.c"
fails "a declaration the compiler never sees" "hidden.c:6: KLPB_PATCH_FUNC of 'meminfo_proc_show' is compiled for none of the target kernels" \
	--name t --version 1 "$tmp/hidden.c"
printf '%s\n' '#include <linux/seq_file.h>' '#include <klp_bundle.h>' \
	'static int v2_meminfo(struct seq_file *m, void *v) { seq_puts(m, "v2\n"); return 0; }' \
	'KLPB_PATCH_FUNC(vmlinux, meminfo_proc_show, v2_meminfo);' >"$tmp/v2_extra.c"
fails "a bad bundle name" "invalid bundle name 'Bad-Name'" --name Bad-Name --version 1 "$tmp/v2_extra.c"
fails "version 0" "--version needs a number" --name t --version 0 "$tmp/v2_extra.c"
fails "a missing source" "cannot read source" --name t --version 1 "$tmp/nope.c"
fails "an unknown kernel" "no kbuild tree" --kernel 0.0.0-none --name t --version 1 "$tmp/v2_extra.c"
fails "a bad --requires" "--requires 'x>=': use NAME" --name t --version 1 --requires 'x>=' "$tmp/v2_extra.c"

echo keep >"$tmp/keep.klpb"
create -o "$tmp/keep.klpb" --name t --version 1 "$tmp/missing.c" >/dev/null 2>&1
is "$(cat "$tmp/keep.klpb")" keep "a failed create leaves an existing output untouched"

# --base: a cumulative successor
run_ok "--base builds version 2 from version 1 plus a new source" \
	create_seed -o "$tmp/seed2.klpb" --name seed --version 2 --base "$tmp/seed.klpb" "$tmp/v2_extra.c"
j=$("$KLPB" -j inspect "$tmp/seed2.klpb")
is "$(py 'print(d["version"], d["lineage"] == "'"$("$KLPB" -j inspect "$tmp/seed.klpb" | python3 -c 'import json,sys; print(json.load(sys.stdin)["lineage"])')"'")')" \
	"2 True" "version 2, same lineage"
is "$(py 'print(" ".join(s["name"] for s in d["provenance"]["sources"]))')" \
	"patch_a.c patch_b.c patch_dup.c seed.h v2_extra.c" "it carries the old sources and the new one"
is "$(py 'print(sum(len(o["functions"]) for o in d["objects"]))')" 4 "and all four functions"
fails "--base with a version that is not higher" "is not higher than --base's 1" \
	--name seed --version 1 --base "$tmp/seed.klpb" "$tmp/v2_extra.c"

"$KLPB" keygen --out "$tmp/key" >/dev/null 2>&1
run_ok "--no-replace --requires --sign: a signed stacked bundle" create -o "$tmp/stacked.klpb" \
	--name stacked --version 1 --no-replace --requires 'seed>=1,<=2' --conflicts other \
	--sign "$tmp/key.key" "$tmp/v2_extra.c"
j=$("$KLPB" -j inspect "$tmp/stacked.klpb")
is "$(py 'print(d["replace"], d["requires"][0]["name"], d["conflicts"][0]["name"])')" \
	"False seed other" "inspect shows it stacked, with its dependencies"
run_ok "verify --key accepts the signature" "$KLPB" verify --key "$tmp/key.pub" "$tmp/stacked.klpb"

# several --kernel: a --target-module per kernel, each serving the kernel its vermagic names
other=$("$top/tools/kver" --all | grep -vxF "$kver" | head -n 1)
omods=${KLPB_BUILD:-$top/build}/ktree/$other/selftests/modules
if [ -z "$other" ]; then
	skip "one kernel series installed" "several --kernel: one --target-module file for two refused"
else
	fails "several --kernel: one --target-module file for two refused" \
		"=FILE.ko is built for kernel $other (with several --kernel, give one per kernel)" \
		--kernel "$other" "${targets[@]}" --name seed --version 1 "${srcs[@]}"
fi
if [ -z "$other" ] || [ ! -e "$omods/klpb_target_dup.ko" ]; then
	why=${other:+"no test modules for $other in $omods ('make kernels')"}
	skip "${why:-one kernel series installed}" "several --kernel: a --target-module for each"
	skip "${why:-one kernel series installed}" "each target records its own module build"
else
	run_ok "several --kernel: a --target-module for each" create_seed -o "$tmp/two.klpb" \
		--kernel "$other" --target-module "klpb_target_plain=$omods/klpb_target_plain.ko" \
		--target-module "klpb_target_dup=$omods/klpb_target_dup.ko" --name seed --version 1 \
		"${srcs[@]}"
	j=$("$KLPB" -j inspect "$tmp/two.klpb")
	bid() { readelf -n "$1" | sed -n 's/.*Build ID: //p'; }
	is "$(py 'print(" ".join(t["kernel_release"] + ":" + o["build_id"]
		for t in d["targets"] for o in t["objects"] if o["name"] == "klpb_target_plain"))')" \
		"$kver:$(bid "$mods/klpb_target_plain.ko") $other:$(bid "$omods/klpb_target_plain.ko")" \
		"each target records its own module build"
fi

done_testing
