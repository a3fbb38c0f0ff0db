#!/bin/bash
# The binfmt example (examples/binfmt): ONE bundle, made by one create, for
# the newest release of every installed series (tools/kver --all) and the
# guest's $KVER, patching
# Debian's own binfmt_misc module of each release (create finds it in
# /lib/modules/RELEASE, a .ko on 6.1 and a .ko.xz on 6.12).
# A failing create does not stop the other preparations: its message is kept
# in $d/create.err, which t0201-binfmt-example.sh reports as a failure.
set -eu
d=$OUT/binfmt-example
mkdir -p "$d"
ks=()
for r in $(KVER='' tools/kver --all); do
	ks+=(-k "$r")
done
case " ${ks[*]} " in *" $KVER "*) ;; *) ks+=(-k "$KVER") ;; esac
stamp=$d/.inputs
inputs=$(find kernel -type f \( -name '*.[chS]' -o -name '*.kbuild' \) ! -name '*.mod.c' | sort |
	xargs cat "$0" "$KLPB" examples/binfmt/*.c | sha256sum)
inputs="$inputs ${ks[*]}"
[ -f "$stamp" ] && [ "$(cat "$stamp")" = "$inputs" ] && exit 0
rm -f "$d/binfmt.klpb" "$d/create.err" "$stamp"
if ! "$KLPB" create -o "$d/binfmt.klpb" --name binfmt_status --version 1 "${ks[@]}" \
	--description "binfmt_misc status counts the handlers" \
	examples/binfmt/status.c examples/binfmt/entry_userns.c 2>"$d/create.err"; then
	cat "$d/create.err" >&2
	exit 0
fi
rm -f "$d/create.err"
"$KLPB" inspect "$d/binfmt.klpb"
echo "$inputs" >"$stamp"
