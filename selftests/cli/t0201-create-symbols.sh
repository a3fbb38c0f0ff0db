#!/bin/bash
# create with KLPB_SYMBOL (non-exported symbols through livepatch
# relocations) and with module signing: the ELF it writes, what inspect
# shows, and the create-time errors for missing and ambiguous symbols.
top=$(cd "$(dirname "$0")/../.." && pwd)
. "$top/selftests/lib/tap.sh"
KLPB=${KLPB_BUILD:-$top/build}/klp-bundle
kver=$("$top/tools/kver" 2>/dev/null)
if [ -z "$kver" ]; then
	echo "1..0 # SKIP needs installed kernel headers"
	exit 0
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export SOURCE_DATE_EPOCH=1700000000 LC_ALL=C
src=$top/selftests/patches/statics/statics.c

openssl req -x509 -newkey rsa:2048 -nodes -keyout "$tmp/mod.key" -out "$tmp/mod.crt" \
	-days 30 -subj "/CN=klp-bundle t0201" >/dev/null 2>&1
run_ok "a bundle with symbol references builds, its module signed" \
	"$KLPB" create -o "$tmp/s.klpb" --name statics --version 1 --kernel "$kver" \
	--module-key "$tmp/mod.key" --module-cert "$tmp/mod.crt" "$src"
j=$("$KLPB" -j inspect "$tmp/s.klpb")
py() { printf '%s' "$j" | python3 -c "import json,sys; d=json.load(sys.stdin); $1"; }
is "$(py 'print(" ".join("%s,%d" % (s["name"], s["sympos"]) for o in d["objects"] for s in o["symbols"]))')" \
	"version_proc_show,0 tainted_mask,0" "the manifest lists the referenced symbols"
is "$(py 'print(d["targets"][0]["module_signature"]["signer"])')" "klp-bundle t0201" \
	"inspect shows the module's signer"
"$KLPB" inspect "$tmp/s.klpb" | grep -q '^  module signature: klp-bundle t0201, key .*, sha256$'
ok $? "and so does the plain output"

"$KLPB" extract "$tmp/s.klpb" -o "$tmp/s.ko" >/dev/null
readelf -SW "$tmp/s.ko" | grep -q '\.klp\.rela\.vmlinux\.klpb_slots *RELA .* Ao '
ok $? "the module has .klp.rela.vmlinux.klpb_slots, SHF_ALLOC|SHF_RELA_LIVEPATCH"
# (less the runtime's own direct call, kernel/compat.h: clear_relocate_add
# from 6.3 on, text_poke_set before)
is "$(readelf -sW "$tmp/s.ko" | awk '$7 == "OS" { print $9 }' |
	grep -vxE '\.klp\.sym\.vmlinux\.(clear_relocate_add|text_poke_set),0' | sort | tr '\n' ' ')" \
	".klp.sym.vmlinux.tainted_mask,0 .klp.sym.vmlinux.version_proc_show,0 " \
	"and a SHN_LIVEPATCH symbol per referenced symbol"
is "$(readelf -rW "$tmp/s.ko" | sed -n '/klp.rela.vmlinux/,/^$/p' | grep -c R_X86_64_64)" 2 \
	"two R_X86_64_64 relocations fill the two slots"
tail -c 28 "$tmp/s.ko" | grep -q '~Module signature appended~'
ok $? "the signature comes last, after the rewrite"

fails() {	# fails DESC WANT-IN-STDERR CREATE-ARGS...
	local desc=$1 want=$2 err rc
	shift 2
	rm -f "$tmp/bad.klpb"
	err=$("$KLPB" create -o "$tmp/bad.klpb" --kernel "$kver" "$@" 2>&1 >/dev/null)
	rc=$?
	if [ $rc -ne 0 ] && [ ! -e "$tmp/bad.klpb" ] && [[ $err == *"$want"* ]]; then
		ok 0 "$desc"
	else
		ok 1 "$desc"
		diag "exit $rc, stderr: $err"
	fi
}
write() {	# write FILE SYMBOL-DECLARATION
	printf '%s\n' '#include <linux/seq_file.h>' '#include <klp_bundle.h>' "$2" \
		'static int f(struct seq_file *m, void *v) { return 0; }' \
		'KLPB_PATCH_FUNC(vmlinux, cmdline_proc_show, f);' >"$1"
}
write "$tmp/missing.c" 'KLPB_SYMBOL(vmlinux, no_such_symbol_klpb, int);'
fails "a missing symbol is named" "symbol 'no_such_symbol_klpb' not found in vmlinux" \
	--name t --version 1 "$tmp/missing.c"
write "$tmp/ambiguous.c" 'KLPB_SYMBOL(vmlinux, jhash, u32 (const void *, u32, u32));'
fails "an ambiguous symbol asks for a position" "symbol 'jhash' is ambiguous in vmlinux" \
	--name t --version 1 "$tmp/ambiguous.c"
write "$tmp/range.c" 'KLPB_SYMBOL_POS(vmlinux, jhash, 999, u32 (const void *, u32, u32));'
fails "a position out of range" "position 999 of symbol 'jhash' is out of range" \
	--name t --version 1 "$tmp/range.c"
fails "--module-key without --module-cert" "--module-key and --module-cert go together" \
	--name t --version 1 --module-key "$tmp/mod.key" "$src"
fails "a module key sign-file cannot use" "signing the module" \
	--name t --version 1 --module-key "$src" --module-cert "$tmp/mod.crt" "$src"
done_testing
