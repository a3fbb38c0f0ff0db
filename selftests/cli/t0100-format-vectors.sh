#!/bin/bash
# Every test vector: 'klp-bundle verify' exits with the expected status and
# prints the expected message; valid vectors' 'inspect --json' matches the
# checked-in .json; the generator reproduces every file byte-for-byte.
. "$(dirname "$0")/../lib/tap.sh"
top=$(cd "$(dirname "$0")/../.." && pwd)
KLPB_BUILD=${KLPB_BUILD:-$top/build}
klpb=$KLPB_BUILD/klp-bundle
vec=$top/selftests/vectors
cd "$vec" || exit 1

n_invalid=0
for e in valid/*.expect invalid/*.expect; do
	f=${e%.expect}.klpb
	args=$(sed -n 's/^args: //p' "$e")
	want=$(sed -n 's/^status: //p' "$e")
	msg=$(sed -n 's/^message: //p' "$e")
	# shellcheck disable=SC2086
	out=$("$klpb" verify "$f" $args 2>&1)
	rc=$?
	case $e in invalid/*) n_invalid=$((n_invalid + 1)) ;; esac
	if [ "$rc" = "$want" ] && printf '%s\n' "$out" | grep -qF -- "$msg"; then
		ok 0 "$f: exit $want, '$msg'"
	else
		ok 1 "$f: exit $want, '$msg'"
		diag "got exit $rc: $out"
	fi
done
[ "$n_invalid" -ge 40 ]
ok $? "at least 40 invalid vectors ($n_invalid)"

for j in valid/*.json; do
	out=$("$klpb" -p inspect "${j%.json}.klpb" 2>&1)
	is "$out" "$(cat "$j")" "$j: inspect --json matches"
done

# The JSON error document: exactly one object with errno, message and exit status.
out=$("$klpb" -j verify invalid/core-build-id-19-bytes.klpb 2>/dev/null)
rc=$?
is "$rc" 3 "JSON mode keeps the exit status"
printf '%s' "$out" | grep -qF '"name":"EBADMSG"' &&
	printf '%s' "$out" | grep -qF '(manifest.core.targets[0].vmlinux_build_id): is 19 bytes, expected 20' &&
	printf '%s' "$out" | grep -qF '"exit_status":3'
ok $? "JSON mode prints one error object with the field and offset"

# The hostile 5-byte counts (libcbor 0.8 would allocate 2 GiB / 64 GiB for
# them) are rejected at once within a 64 MiB address space.  (An ASan build
# reserves terabytes of shadow memory and cannot start under such a cap.)
for v in hostile-array-count hostile-map-count; do
	if ldd "$klpb" 2>/dev/null | grep -q libasan; then
		skip "an ASan build cannot run with its address space capped" \
			"$v: exit 3 (count-too-large) with the address space capped at 64 MiB"
		continue
	fi
	out=$(ulimit -v 65536 && "$klpb" verify "invalid/$v.klpb" 2>&1)
	rc=$?
	[ "$rc" = 3 ] && printf '%s' "$out" | grep -qF 'count-too-large'
	ok $? "$v: exit 3 (count-too-large) with the address space capped at 64 MiB"
done

# A payload that does not decompress: its module signature is 'unknown'.
for v in payload-not-zstd payload-zstd-trailing payload-zstd-content-size; do
	"$klpb" inspect "invalid/$v.klpb" 2>&1 | grep -qx '  module signature: unknown' &&
		"$klpb" -j inspect "invalid/$v.klpb" 2>&1 | grep -qF '"module_signature":"unknown"'
	ok $? "$v: inspect says the module signature is unknown"
done

# Reproducibility: regenerate into a temporary directory and compare.
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
if KLPB_BUILD=$KLPB_BUILD "$top/tools/mkvectors" "$tmp" >/dev/null 2>&1; then
	ok 0 "tools/mkvectors runs"
	diffs=""
	for f in valid/* invalid/*; do
		cmp -s "$f" "$tmp/$f" || diffs="$diffs $f"
	done
	for f in "$tmp"/valid/* "$tmp"/invalid/*; do
		[ -e "${f#"$tmp"/}" ] || diffs="$diffs ${f#"$tmp"/}(new)"
	done
	is "$diffs" "" "the generator reproduces every vector byte-for-byte"
else
	ok 1 "tools/mkvectors runs"
fi

done_testing
