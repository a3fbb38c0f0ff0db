#!/bin/sh
# keygen, sign, verify, --help, usage errors; atomic sign; and the
# signatures checked by an independent verifier (openssl pkeyutl -rawin)
# over the Sig_structure that 'inspect --dump-tbs' prints.
. "$(dirname "$0")/../lib/tap.sh"
top=$(cd "$(dirname "$0")/../.." && pwd)
KLPB_BUILD=${KLPB_BUILD:-$top/build}
klpb=$KLPB_BUILD/klp-bundle
vec=$top/selftests/vectors
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

for c in inspect verify keygen sign; do
	"$klpb" "$c" --help | grep -q "^usage: klp-bundle $c"
	ok $? "'$c --help' prints its usage"
done
"$klpb" sign "$vec/valid/minimal.klpb" >/dev/null 2>&1
is $? 2 "sign without --key is a usage error (exit 2)"
"$klpb" help | grep -q '6  no signature by a trusted key'
ok $? "'help' lists the exit statuses"

run_ok "keygen --out" "$klpb" keygen --out "$tmp/k"
is "$(stat -c %a "$tmp/k.key")" 600 "the private key is mode 0600"
grep -q 'BEGIN PRIVATE KEY' "$tmp/k.key" && grep -q 'BEGIN PUBLIC KEY' "$tmp/k.pub"
ok $? "PKCS#8 and SPKI PEM"
openssl pkey -in "$tmp/k.key" -noout -text 2>/dev/null | grep -q 'ED25519'
ok $? "openssl reads it as an ED25519 key"
before=$(cat "$tmp/k.key")
"$klpb" keygen --out "$tmp/k" 2>"$tmp/err"
is $? 1 "keygen refuses to overwrite"
is "$(cat "$tmp/k.key")" "$before" "  and the old key is intact"

cp "$vec/valid/minimal.klpb" "$tmp/b.klpb"
"$klpb" verify "$tmp/b.klpb" --key "$tmp/k.pub" >/dev/null 2>&1
is $? 6 "unsigned bundle with --key: exit 6"
run_ok "sign in place" "$klpb" sign "$tmp/b.klpb" --key "$tmp/k.key"
run_ok "verify with the key" "$klpb" verify "$tmp/b.klpb" --key "$tmp/k.pub"
"$klpb" inspect --dump-manifest "$vec/valid/minimal.klpb" >"$tmp/m0"
"$klpb" inspect --dump-manifest "$tmp/b.klpb" >"$tmp/m1"
cmp -s "$tmp/m0" "$tmp/m1"
ok $? "signing does not change the manifest bytes"
cp "$tmp/b.klpb" "$tmp/b1.klpb"
run_ok "sign again with the same key" "$klpb" sign "$tmp/b.klpb" --key "$tmp/k.key"
cmp -s "$tmp/b.klpb" "$tmp/b1.klpb"
ok $? "re-signing is idempotent (the signature is replaced)"
run_ok "sign with a test key into -o" "$klpb" sign "$tmp/b.klpb" --key "$vec/keys/test1.key" -o "$tmp/b2.klpb"
is "$("$klpb" -j inspect "$tmp/b2.klpb" | grep -o '"kid"' | wc -l)" 2 "two signatures"
mkdir "$tmp/ring"
cp "$tmp/k.pub" "$vec/keys/test1.pub" "$tmp/ring/"
run_ok "verify --keyring" "$klpb" verify "$tmp/b2.klpb" --keyring "$tmp/ring"

cp "$vec/invalid/core-tag.klpb" "$tmp/bad.klpb"
"$klpb" sign "$tmp/bad.klpb" --key "$tmp/k.key" 2>/dev/null
is $? 3 "signing a malformed bundle fails with exit 3"
cmp -s "$tmp/bad.klpb" "$vec/invalid/core-tag.klpb"
ok $? "  and leaves the file untouched"
"$klpb" sign "$tmp/b.klpb" --key "$tmp/k.pub" 2>/dev/null
is $? 1 "a public key cannot sign"
cmp -s "$tmp/b.klpb" "$tmp/b1.klpb"
ok $? "  and the file is untouched"
is "$(find "$tmp" -mindepth 1 -maxdepth 1 -name '*tmp*')" "" "no temporary file is left behind"

# Independent verifier: openssl over the Sig_structure.
if command -v openssl >/dev/null; then
	for i in 0 1; do
		"$klpb" inspect --dump-tbs $i "$vec/valid/two-signatures.klpb" >"$tmp/tbs$i"
		"$klpb" inspect --dump-sig $i "$vec/valid/two-signatures.klpb" >"$tmp/sig$i"
	done
	kid0=$("$klpb" -j inspect "$vec/valid/two-signatures.klpb" | sed 's/.*"signatures":\[{"alg":"EdDSA","kid":"\([0-9a-f]*\)".*/\1/')
	for k in test1 test2; do
		kid=$(openssl pkey -pubin -in "$vec/keys/$k.pub" -outform DER | tail -c 32 | openssl dgst -sha256 -r | cut -d' ' -f1)
		[ "$kid" = "$kid0" ] && first=$k || second=$k
	done
	out=$(openssl pkeyutl -verify -pubin -inkey "$vec/keys/$first.pub" -rawin -in "$tmp/tbs0" -sigfile "$tmp/sig0" 2>&1)
	is "$out" "Signature Verified Successfully" "openssl verifies signature 0 ($first; kid = sha256 of the raw key)"
	out=$(openssl pkeyutl -verify -pubin -inkey "$vec/keys/$second.pub" -rawin -in "$tmp/tbs1" -sigfile "$tmp/sig1" 2>&1)
	is "$out" "Signature Verified Successfully" "openssl verifies signature 1 ($second)"
	printf '\001' | dd of="$tmp/tbs0" bs=1 seek=100 conv=notrunc 2>/dev/null
	openssl pkeyutl -verify -pubin -inkey "$vec/keys/$first.pub" -rawin -in "$tmp/tbs0" -sigfile "$tmp/sig0" >/dev/null 2>&1
	is $? 1 "openssl rejects a changed Sig_structure"
	"$klpb" inspect --dump-tbs 0 "$tmp/b.klpb" >"$tmp/tbs"
	"$klpb" inspect --dump-sig 0 "$tmp/b.klpb" >"$tmp/sig"
	out=$(openssl pkeyutl -verify -pubin -inkey "$tmp/k.pub" -rawin -in "$tmp/tbs" -sigfile "$tmp/sig" 2>&1)
	is "$out" "Signature Verified Successfully" "openssl verifies what 'sign' wrote with a keygen key"
else
	skip "no openssl" "openssl cross-check"
fi

done_testing
