#!/bin/bash
# Bundles that reach non-exported symbols (selftests/patches): vmlinux
# statics, a test module's statics, and a real Debian module (binfmt_misc);
# the vmlinux one also module-signed by a throw-away key, for the
# sig_enforce boot (selftests/vm/sigenforce).  binfmt_misc keeps 'enabled'
# in a static variable up to 6.6 and in its per-namespace struct since 6.7:
# where the module has no such symbol, create's refusal is kept in
# binfmt.skip and t0600 skips that part, saying why.
set -eu
d=$OUT/symbols
mkdir -p "$d"
T=$KTREE/selftests/modules/klpb_target_statics.ko
stamp=$d/.inputs
inputs=$({ echo "$KVER"; cat "$KLPB" "$T" selftests/patches/*/* kernel/*.[chS] kernel/*.lds \
	kernel/*.kbuild kernel/include/*; } | sha256sum)
[ -f "$stamp" ] && [ "$(cat "$stamp")" = "$inputs" ] && exit 0
rm -f "$d"/*
"$KLPB" create -o "$d/statics.klpb" --name statics --version 1 --kernel "$KVER" \
	selftests/patches/statics/statics.c
"$KLPB" create -o "$d/modstatics.klpb" --name modstatics --version 1 --kernel "$KVER" \
	--target-module "klpb_target_statics=$T" selftests/patches/mod-statics/mod_statics.c
if ! "$KLPB" create -o "$d/binfmt.klpb" --name binfmt --version 1 --kernel "$KVER" \
	selftests/patches/binfmt/binfmt_status.c 2>"$d/binfmt.err"; then
	cat "$d/binfmt.err" >&2
	grep -q "symbol 'enabled' not found in binfmt_misc" "$d/binfmt.err" || exit 1
	mv "$d/binfmt.err" "$d/binfmt.skip"
fi
rm -f "$d/binfmt.err"
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$d/mod.key" -out "$d/mod.crt" -days 30 \
	-subj "/CN=klp-bundle sigenforce test" >/dev/null 2>&1
"$KLPB" create -o "$d/statics-signed.klpb" --name statics --version 1 --kernel "$KVER" \
	--module-key "$d/mod.key" --module-cert "$d/mod.crt" selftests/patches/statics/statics.c
for b in statics modstatics binfmt; do
	[ -e "$d/$b.klpb" ] || continue
	"$KLPB" extract "$d/$b.klpb" -k "$KVER" -o "$d/$b.ko"
done
echo "$inputs" >"$stamp"
