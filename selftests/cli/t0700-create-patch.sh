#!/bin/bash
# create --patch (selftests/patches/from-patch): the refusals with their
# messages, "no functional change" (non-zero, no file), nothing written on
# any failure, a header change accepted with --patch-unit, and a source tree
# cache that survives a kill -9 during its preparation.
top=$(cd "$(dirname "$0")/../.." && pwd)
. "$top/selftests/lib/tap.sh"
KLPB=${KLPB_BUILD:-$top/build}/klp-bundle
fx=$top/selftests/patches/from-patch
kver=$("$top/tools/kver" "$(cat "$fx/SERIES")" 2>/dev/null)
if [ -z "$kver" ]; then
	echo "1..0 # SKIP needs an installed $(cat "$fx/SERIES") kernel with headers"
	exit 0
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export SOURCE_DATE_EPOCH=1700000000 LC_ALL=C
# The shared cache (a prepared tree per release) unless the caller gives one.
export KLPB_CACHE_DIR=${KLPB_CACHE_DIR:-/var/cache/klp-bundle}

# fails DESC WORDS PATCH [ARGS...]: create exits non-zero, says WORDS, writes
# nothing into its output directory (PATCH: under the fixtures, or absolute)
mkdir -p "$tmp/out" "$tmp/in"
fails() {
	local desc=$1 words=$2 patch=$3 err rc
	shift 3
	[[ $patch == /* ]] || patch=$fx/$patch
	err=$("$KLPB" create -o "$tmp/out/out.klpb" --name t --version 1 -k "$kver" \
		--patch "$patch" "$@" 2>&1 >/dev/null)
	rc=$?
	if [ $rc -ne 0 ] && [ -z "$(find "$tmp/out" -mindepth 1)" ] && [[ $err == *"$words"* ]]; then
		ok 0 "$desc"
	else
		ok 1 "$desc"
		diag "exit $rc, stderr: $err" "written: $(find "$tmp/out" -mindepth 1)"
	fi
	rm -rf "${tmp:?}/out"/*
}

fails "only moved lines: no functional change, no bundle" "no functional change" 09-moved-lines.patch
fails "changed initial value of global data: refused" "changed data" 10-refuse-global-data.patch
fails "the refusal names the variable" sysctl_vfs_cache_pressure 10-refuse-global-data.patch
fails "a changed __init function: refused" "__init" 11-refuse-init.patch
fails "the refusal names the function" proc_cmdline_init 11-refuse-init.patch
fails "a header change without --patch-unit: refused" "names no unit" 12-header.patch
printf 'not a diff\n' >"$tmp/in/bad.patch"
fails "a file that is no diff: refused, naming it" bad.patch "$tmp/in/bad.patch"
# a hunk that does not apply: name the file
sed 's/seq_putc(m, /seq_putc(mm, /' "$fx/01-proc-show.patch" >"$tmp/in/stale.patch"
fails "a hunk that does not apply: refused, naming the file" fs/proc/cmdline.c \
	"$tmp/in/stale.patch"
# a refused patch next to a good one: still nothing written
fails "a good and a refused diff together: refused as a whole" "__init" 01-proc-show.patch \
	--patch "$fx/11-refuse-init.patch"

run_ok "a header change with --patch-unit builds" "$KLPB" create -o "$tmp/h.klpb" --name h \
	--version 1 -k "$kver" --patch "$fx/12-header.patch" --patch-unit fs/proc/generic.c
run_ok "a plain fix builds" "$KLPB" create -o "$tmp/a.klpb" --name a --version 1 -k "$kver" \
	--patch "$fx/01-proc-show.patch"
run_ok "the bundle inspects" "$KLPB" inspect "$tmp/a.klpb"
"$KLPB" create -o "$tmp/b.klpb" --name a --version 1 -k "$kver" \
	--patch "$fx/01-proc-show.patch" >/dev/null 2>&1
cmp -s "$tmp/a.klpb" "$tmp/b.klpb"
ok $? "reproducible: the same create twice gives the same bytes"
# --base: a cumulative successor re-applies the base's diffs, then its own
run_ok "--base: v2 from v1's diff plus another" "$KLPB" create -o "$tmp/v2.klpb" --name a \
	--version 2 -k "$kver" --base "$tmp/a.klpb" --patch "$fx/03-new-static-function.patch"
funcs=$("$KLPB" -j inspect "$tmp/v2.klpb" 2>/dev/null |
	python3 -c 'import json, sys
d = json.load(sys.stdin)
print(" ".join(sorted(f["old_name"] for o in d["objects"] for f in o["functions"])))
print(" ".join(sorted(s["name"] for s in d["provenance"]["sources"])))' 2>&1)
is "$funcs" "cmdline_proc_show version_proc_show
01-proc-show.patch 03-new-static-function.patch" \
	"--base: v2 replaces v1's function and its own, and embeds both diffs"
rm -f "$tmp"/*.klpb

# kill -9 during a tree's preparation: nothing half-prepared is trusted.  The
# older release's tree in the shared cache when it is not prepared yet (the
# s1/s4 checks below need it anyway: a fresh machine pays one preparation),
# else the default release's in a private cache.  Not under ASan
# (selftests/cli/asan): code the plain run and test-srctree already cover.
from=$(sed -nE 's/^Debian: between linux ([^ ]+) .*/\1/p' "$fx"/stable/s4-*.patch)
older=$("$top/tools/kolder" --version "$from" 2>/dev/null) || older=
if [ -z "${KLPB_CLI_ASAN:-}" ]; then
	if [ -n "$older" ] && [ -z "$(find "$KLPB_CACHE_DIR/src/$older" -maxdepth 2 \
		-name .klpb-ready 2>/dev/null)" ]; then
		c=$KLPB_CACHE_DIR kr=$older kp=$fx/stable/s2-fspick-internal-sb.patch
	else
		c=$tmp/cache kr=$kver kp=$fx/01-proc-show.patch
	fi
	mkdir -p "$c"
	KLPB_CACHE_DIR=$c "$KLPB" create -o "$tmp/k.klpb" --name k --version 1 -k "$kr" \
		--patch "$kp" >"$tmp/k.log" 2>&1 &
	pid=$!
	for _ in $(seq 600); do
		grep -qi preparing "$tmp/k.log" && break
		kill -0 $pid 2>/dev/null || break
		sleep 0.1
	done
	sleep 2 # well into unpacking or make
	kill -9 $pid 2>/dev/null
	wait $pid 2>/dev/null
	grep -qi preparing "$tmp/k.log"
	ok $? "the first create says it is preparing the tree ($kr, $c)"
	ok "$([ ! -e "$tmp/k.klpb" ]; echo $?)" "the killed create wrote no bundle"
	ok "$([ -z "$(find "$c/src/$kr" -maxdepth 2 -name .klpb-ready 2>/dev/null)" ]; echo $?)" \
		"no tree is stamped ready" || find "$c" -maxdepth 4 | head -n 20 | sed 's/^/# /'
	KLPB_CACHE_DIR=$c "$KLPB" create -o "$tmp/k.klpb" --name k --version 1 -k "$kr" \
		--patch "$kp" >"$tmp/k2.log" 2>&1
	rc=$?
	ok $rc "a second create prepares again and succeeds" || diag "$(tail -n 20 "$tmp/k2.log")"
	grep -qi preparing "$tmp/k2.log"
	ok $? "the second create prepared the tree (it trusted nothing the first left)"
	ok "$([ -z "$(find "$c/src/$kr" -maxdepth 1 -name '*.tmp.*' 2>/dev/null)" ]; echo $?)" \
		"no stale temporary tree is left"
fi

# s4 is made against the older release the stable fixes are for (tools/setup installs it)
if [ -n "$older" ]; then
	kver=$older fails "a real stable fix of FIPS-only __init code: no functional change" \
		"no functional change" stable/s4-refuse-drbg-init.patch
	kver=$older fails "a real stable fix that Debian's config makes a no-op: no functional change" \
		"no functional change" stable/s1-rtc-wkalrm-leak.patch
else
	ok 1 "the release built from $from is installed (tools/setup), for the stable fix s4"
fi
done_testing
