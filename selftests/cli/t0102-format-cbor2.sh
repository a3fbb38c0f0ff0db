#!/bin/sh
# Cross-check with an independent CBOR implementation: npm cbor2@2.3.0 in
# deterministic (CDE) mode decodes every valid vector three levels deep and
# re-encodes it to the same bytes; it also rejects the non-canonical
# invalid vectors.  Skips only when node is absent.
. "$(dirname "$0")/../lib/tap.sh"
top=$(cd "$(dirname "$0")/../.." && pwd)
KLPB_BUILD=${KLPB_BUILD:-$top/build}
klpb=$KLPB_BUILD/klp-bundle
js=$top/selftests/js
vec=$top/selftests/vectors

if ! command -v node >/dev/null; then
	skip "node is not installed" "cbor2 cross-check"
	done_testing
fi
if [ ! -d "$js/node_modules/cbor2" ]; then
	(cd "$js" && npm ci --no-audit --no-fund >/dev/null 2>&1)
	ok $? "npm ci installs cbor2 from package-lock.json"
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cp "$vec/valid/minimal.klpb" "$tmp/fresh.klpb"
"$klpb" sign "$tmp/fresh.klpb" --key "$vec/keys/test2.key" 2>/dev/null

for f in "$vec"/valid/*.klpb "$tmp/fresh.klpb"; do
	out=$(node "$js/crosscheck.mjs" "$f")
	name=$("$klpb" -j inspect "$f" | grep -o '"name":"[a-z0-9_]*"' | head -n 1 | cut -d'"' -f4)
	case $out in
	"ok $f name=$name "*) ok 0 "cbor2 decodes $(basename "$f") and re-encodes it identically" ;;
	*) ok 1 "cbor2 decodes $(basename "$f") and re-encodes it identically"; diag "$out" ;;
	esac
done

for v in container-non-shortest container-indefinite container-duplicate-key \
	container-key-order container-float trailing-bytes manifest-non-shortest \
	manifest-indefinite manifest-duplicate-key core-non-shortest core-indefinite \
	core-duplicate-key core-key-order core-bad-utf8 core-float; do
	out=$(node "$js/crosscheck.mjs" "$vec/invalid/$v.klpb")
	case $out in
	reject*) ok 0 "cbor2 also rejects $v" ;;
	*) ok 1 "cbor2 also rejects $v"; diag "$out" ;;
	esac
done

done_testing
