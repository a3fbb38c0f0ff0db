#!/bin/bash
# Bundles made by 'klp-bundle create --patch' from the diffs in
# selftests/patches/from-patch (t0700-from-patch.sh, t0701-from-patch-stable.sh):
#   - on a release of the fixtures' series (their SERIES file): one bundle
#     per patch 01..08, $OUT/from-patch/NN.klpb, for $KVER;
#   - on every release: 01 (which applies to every installed series) made
#     by ONE create for the newest release of every installed series and
#     $KVER, $OUT/from-patch/cross.klpb;
#   - on the release whose image was built from the source version the
#     stable fixes start from (their "Debian: between linux V" line; see
#     tools/kolder and selftests/vm/from-patch-stable): s1..s3 for $KVER.
# A failing create does not stop the others: its message is kept in
# $OUT/from-patch/NAME.err, which the guest test reports as a failure.
set -eu
fx=selftests/patches/from-patch
d=$OUT/from-patch
mkdir -p "$d"
srcver=$(dpkg-query -W -f='${Built-Using}' "linux-image-$KVER" "linux-image-$KVER-unsigned" \
	2>/dev/null | sed -nE 's/.*\(= ([^)]+)\).*/\1/p' | head -n 1)
stamp_of() { cat "$0" "$KLPB" "$@" | sha256sum; }
# make NAME ARGS...: create $d/NAME.klpb unless its inputs did not change
make_one() {
	local name=$1 stamp
	shift
	stamp="$(find kernel -type f \( -name '*.[chS]' -o -name '*.kbuild' \) ! -name '*.mod.c' |
		sort | xargs cat | sha256sum) $(stamp_of "$fx"/*.patch "$fx"/stable/*.patch) $*"
	[ -f "$d/$name.stamp" ] && [ "$(cat "$d/$name.stamp")" = "$stamp" ] && return 0
	rm -f "$d/$name.klpb" "$d/$name.err" "$d/$name.stamp"
	if ! "$KLPB" create -o "$d/$name.klpb" --version 1 "$@" 2>"$d/$name.err"; then
		echo "prep-from-patch: $name: $(cat "$d/$name.err")" >&2
		return 0
	fi
	rm -f "$d/$name.err"
	echo "$stamp" >"$d/$name.stamp"
}

# (the newest release of each series gets 01..08 and the cross bundle; an
# older one booted for the stable fixes only those: from-patch-stable)
newest=$(KVER='' tools/kver "$(echo "$KVER" | cut -d. -f1-2)" 2>/dev/null || true)
if [ "$newest" = "$KVER" ]; then
	case $KVER in
	"$(cat "$fx/SERIES")".*)
		for p in "$fx"/0[1-8]-*.patch; do
			n=$(basename "$p" | cut -c1-2)
			make_one "$n" --name "fp$n" -k "$KVER" --patch "$p"
		done
		;;
	esac
	ks=()
	for r in $(KVER='' tools/kver --all); do
		ks+=(-k "$r")
	done
	case " ${ks[*]} " in *" $KVER "*) ;; *) ks+=(-k "$KVER") ;; esac
	make_one cross --name fpcross "${ks[@]}" --patch "$fx"/01-proc-show.patch
fi

for p in "$fx"/stable/s[0-9]-*.patch; do
	from=$(sed -nE 's/^Debian: between linux ([^ ]+) .*/\1/p' "$p")
	# shellcheck disable=SC2015 # (skip unless both hold)
	[ -n "$srcver" ] && [ "$from" = "$srcver" ] || continue
	grep -q '^Refused:' "$p" && continue
	n=$(basename "$p" | cut -c1-2)
	make_one "$n" --name "fp$n" -k "$KVER" --patch "$p"
done
ls -l "$d"
