#!/bin/bash
# Dependencies both ways (engine/deps.c), against a fake /sys and /proc
# (KLPB_SYSFS_ROOT, as t0500-engine-cli.sh) holding stacked bundles with
# requires: z_base (cumulative), m_mid (requires z_base =1), a_top
# (requires m_mid), c_conf (conflicts z_base).  revert of a required
# bundle is refused (also --to-previous outside a dependent's range),
# --with-dependents reverts dependents first and stops
# at a failure, a successor outside a dependent's range and a symmetric
# conflict are refused, status shows requires/conflicts/required_by, and
# apply --installed orders by requires and reports every bundle.
top=$(cd "$(dirname "$0")/../.." && pwd)
. "$top/selftests/lib/tap.sh"
KLPB=${KLPB_BUILD:-$top/build}/klp-bundle
kver=$("$top/tools/kver" 2>/dev/null)
if [ -z "$kver" ] || [ ! -d "/lib/modules/$kver/build" ]; then
	echo "1..0 # SKIP needs installed kernel headers"
	exit 0
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export SOURCE_DATE_EPOCH=1700000000 LC_ALL=C
export KLPB_SYSFS_ROOT=$tmp/root KLPB_STATE_DIR=$tmp/state KLPB_RUN_DIR=$tmp KLPB_KEYS_DIR=$tmp/nokeys
src=$top/selftests/vm/engine-src/meminfo.c
mk() {	# NAME VERSION CREATE-OPTIONS...
	local name=$1 v=$2
	shift 2
	"$KLPB" create -o "$tmp/$name-$v.klpb" --kernel "$kver" --name "$name" --version "$v" "$@" \
		"$src" >"$tmp/$name-$v.log" 2>&1
}
mk z_base 1 & mk z_base 2 & wait
mk m_mid 1 --no-replace --requires 'z_base=1' & mk a_top 1 --no-replace --requires m_mid & wait
mk c_conf 1 --no-replace --conflicts 'z_base>=1' & wait
missing=
for b in z_base-1 z_base-2 m_mid-1 a_top-1 c_conf-1; do
	[ -f "$tmp/$b.klpb" ] || { missing="$missing $b"; diag "$(cat "$tmp/$b.log")"; }
done
ok "$([ -z "$missing" ]; echo $?)" "create the test bundles${missing:+ (failed:$missing)}"
[ -z "$missing" ] || { done_testing; exit; }
py() { printf '%s' "$1" | python3 -c "import json,sys; d=json.load(sys.stdin); print($2)"; }
vid=$(py "$("$KLPB" -j inspect "$tmp/z_base-1.klpb")" 'd["targets"][0]["vmlinux_build_id"]')

r=$KLPB_SYSFS_ROOT
w() { mkdir -p "$(dirname "$r$1")" && printf '%s\n' "$2" >"$r$1"; }
fresh() {
	rm -rf "$r" "$KLPB_STATE_DIR"
	w /proc/sys/kernel/osrelease "$kver"
	w /proc/sys/kernel/ftrace_enabled 1
	w /proc/sys/kernel/tainted 0
	w /proc/cmdline "root=/dev/vda"
	w /sys/module/module/parameters/sig_enforce N
	mkdir -p "$r/sys/kernel/livepatch"
	python3 -c "import sys,struct; i=bytes.fromhex(sys.argv[1]); sys.stdout.buffer.write(struct.pack('<III',4,len(i),3)+b'GNU\0'+i)" \
		"$vid" >"$r/sys/kernel/notes"
}
active() {	# BUNDLE-FILE: the runtime's and livepatch's sysfs of it, enabled
	local j m
	j=$("$KLPB" -j inspect "$1")
	m=$(py "$j" 'd["targets"][0]["module_name"]')
	w "/sys/kernel/livepatch/$m/enabled" 1
	w "/sys/kernel/livepatch/$m/transition" 0
	w "/sys/kernel/klp_bundle/$m/name" "$(py "$j" 'd["name"]')"
	w "/sys/kernel/klp_bundle/$m/version" "$(py "$j" 'd["version"]')"
	w "/sys/kernel/klp_bundle/$m/replace" "$(py "$j" 'int(d["replace"])')"
	w "/sys/kernel/klp_bundle/$m/lineage" "$(py "$j" 'd["lineage"]')"
	w "/sys/kernel/klp_bundle/$m/objects/vmlinux/state" patched
	"$KLPB" inspect --dump-core "$1" >"$r/sys/kernel/klp_bundle/$m/manifest"
}
enabled() { cat "$r/sys/kernel/livepatch/klpb_$1_v1/enabled"; }
stack() { fresh; active "$tmp/z_base-1.klpb"; active "$tmp/m_mid-1.klpb"; active "$tmp/a_top-1.klpb"; }
fails() {	# DESC STATUS WANT CMD...
	local desc=$1 want_rc=$2 want=$3 err rc
	shift 3
	err=$("$@" 2>&1 >/dev/null)
	rc=$?
	if [ $rc -eq "$want_rc" ] && [[ $err == *"$want"* ]]; then
		ok 0 "$desc (exit $want_rc)"
	else
		ok 1 "$desc (exit $want_rc)"
		diag "exit $rc: $err"
	fi
}

# revert of what an active bundle requires
stack
fails "revert of a required bundle is refused" 8 \
	"cannot revert 'z_base': active bundle 'm_mid' requires it (revert 'm_mid' first, or use --with-dependents)" \
	"$KLPB" revert z_base
fails "so is the middle of the stack" 8 "cannot revert 'm_mid': active bundle 'a_top' requires it" \
	"$KLPB" revert m_mid
is "$(enabled z_base)$(enabled m_mid)$(enabled a_top)" 111 "nothing was disabled"
j=$("$KLPB" -j revert z_base)
is "$(py "$j" 'd["error"]["exit_status"], "m_mid" in d["error"]["message"]')" "8 True" "-j: the refusal as an error document"

# status: requires, conflicts, required_by
j=$("$KLPB" -j status)
by='{x["name"]: x for x in d["bundles"]}'
is "$(py "$j" "${by}['z_base']['required_by'], ${by}['m_mid']['required_by'], ${by}['a_top']['required_by']")" \
	"['m_mid'] ['a_top'] []" "status -j: required_by"
is "$(py "$j" "${by}['m_mid']['requires'], ${by}['z_base']['requires'], ${by}['z_base']['conflicts']")" \
	"[{'name': 'z_base', 'min_version': 1, 'max_version': 1}] [] []" "status -j: requires with its range"
out=$("$KLPB" status)
case $out in *"bundle m_mid version 1"*"requires: z_base =1"*"required by: a_top"*) ok 0 "status, plain" ;;
*) ok 1 "status, plain"; diag "$out" ;; esac
fresh
active "$tmp/c_conf-1.klpb"
is "$(py "$("$KLPB" -j status)" 'd["bundles"][0]["conflicts"]')" \
	"[{'name': 'z_base', 'min_version': 1, 'max_version': None}]" "status -j: conflicts, open range"

# a successor outside a dependent's range; a conflict named by an active bundle
stack
fails "a successor outside an active dependent's range is refused" 8 \
	"cannot apply 'z_base' version 2: the active bundle 'm_mid' requires 'z_base =1', which it would no longer satisfy (revert 'm_mid' first)" \
	"$KLPB" apply --dry-run "$tmp/z_base-2.klpb"
out=$("$KLPB" apply --dry-run "$tmp/z_base-1.klpb" 2>&1)
case "$?|$out" in "0|already active: bundle 'z_base'"*) ok 0 "the cumulative base, already active under its stack, is 'already active'" ;;
*) ok 1 "the cumulative base, already active under its stack, is 'already active'"; diag "$out" ;; esac
# revert --to-previous to a version outside a dependent's range (the record
# names z_base 2 as what z_base 1 replaced: any version but 1 shows it)
stack
mkdir -p "$KLPB_STATE_DIR/active" "$KLPB_STATE_DIR/bundles" && chmod 700 "$KLPB_STATE_DIR"
cp "$tmp/z_base-2.klpb" "$KLPB_STATE_DIR/bundles/klpb_z_base_v2.klpb"
printf 'module=klpb_z_base_v1\nname=z_base\nversion=1\nlineage=\napplied=1700000000\nprevious=klpb_z_base_v2\nsource=\n' \
	>"$KLPB_STATE_DIR/active/klpb_z_base_v1"
fails "revert --to-previous outside a dependent's range is refused" 8 \
	"cannot revert 'z_base' to its previous version 2: active bundle 'm_mid' requires 'z_base =1' (revert 'm_mid' first)" \
	"$KLPB" revert --to-previous z_base
is "$(enabled z_base)$(enabled m_mid)" 11 "nothing was disabled"
fails "--to-previous and --with-dependents do not go together" 2 "do not go together" \
	"$KLPB" revert --to-previous --with-dependents z_base
fresh
active "$tmp/c_conf-1.klpb"
fails "an active bundle's conflicts refuse the newcomer" 8 \
	"the active bundle 'c_conf' version 1 conflicts with 'z_base' version 1 (its conflicts name 'z_base >=1'); revert 'c_conf' first" \
	"$KLPB" apply --dry-run "$tmp/z_base-1.klpb"
fresh
active "$tmp/z_base-1.klpb"
fails "and the newcomer's own conflicts still do" 8 "'c_conf' conflicts with the active bundle 'z_base' version 1" \
	"$KLPB" apply --dry-run "$tmp/c_conf-1.klpb"
fails "and its requires" 8 "'a_top' requires bundle 'm_mid' version 0 or later, which is not active" \
	"$KLPB" apply --dry-run "$tmp/a_top-1.klpb"

# revert --with-dependents
stack
out=$("$KLPB" revert --with-dependents z_base 2>&1)
ok $? "revert --with-dependents"
is "$(printf '%s\n' "$out" | sed -n "s/^reverted: bundle '\([a-z_]*\)'.*/\1/p" | tr '\n' ' ')" \
	"a_top m_mid z_base " "dependents first, then the bundle"
is "$(enabled z_base)$(enabled m_mid)$(enabled a_top)" 000 "all three disabled"
stack
j=$("$KLPB" -j revert --with-dependents m_mid)
is "$(py "$j" 'd["result"], [x["name"] for x in d["reverted"]], d["error"]')" \
	"reverted ['a_top', 'm_mid'] None" "-j: one document, what it reverted"
is "$(enabled z_base)" 1 "what m_mid requires stays"
stack
w /sys/kernel/livepatch/klpb_m_mid_v1/transition 1	# m_mid's unpatching stalls ...
(sleep 3; w /sys/kernel/livepatch/klpb_m_mid_v1/transition 0) &	# ... until reversed
j=$("$KLPB" -j revert --with-dependents -t 0.3 z_base)
rc=$?
wait
is "$rc $(py "$j" 'd["result"], [x["name"] for x in d["reverted"]], d["error"]["exit_status"]')" \
	"7 failed ['a_top'] 7" "-j: stops at the first failure, with what was reverted and the error"
is "$(enabled z_base)$(enabled m_mid)$(enabled a_top)" 110 "a_top reverted, m_mid and z_base not"
is "$(cat "$KLPB_STATE_DIR/journal" 2>/dev/null)" "" "no transaction left in the journal"

# apply --installed: the order of requires, every result reported
fresh
for b in a_top-1 m_mid-1 z_base-1; do "$KLPB" install "$tmp/$b.klpb" >/dev/null 2>&1; done
out=$("$KLPB" apply --installed --dry-run 2>/dev/null)
rc=$?
is "$rc $(printf '%s\n' "$out" | sed -n "s/^\([a-z ]*\): bundle '\([a-z_]*\)'.*/\1=\2/p" | tr '\n' ' ')" \
	"8 would apply=z_base failed=m_mid failed=a_top " \
	"--installed --dry-run: z_base first, each bundle reported (nothing active: the others fail)"
active "$tmp/z_base-1.klpb"
j=$("$KLPB" -j apply --installed --dry-run)
is "$(py "$j" '[(x["name"], x["result"]) for x in d]')" \
	"[('m_mid', 'would apply'), ('a_top', 'failed'), ('z_base', 'already active')]" \
	"-j: one array, m_mid before a_top, z_base met by the active one"
fresh
for b in a_top-1 z_base-1; do "$KLPB" install "$tmp/$b.klpb" >/dev/null 2>&1; done
fails "a missing dependency names it" 8 \
	"'a_top' version 1 is not applied: it requires 'm_mid >=0', which is neither active nor installed" \
	"$KLPB" apply --installed --dry-run
j=$("$KLPB" -j apply --installed --dry-run)
is "$(py "$j" '[(x["name"], x["result"], x.get("error", {}).get("exit_status")) for x in d]')" \
	"[('z_base', 'would apply', None), ('a_top', 'failed', 8)]" "the independent one still is"
out=$("$KLPB" revert --help)
case $out in *"exit status 8"*"--with-dependents"*) ok 0 "revert --help says it" ;;
*) ok 1 "revert --help says it" ;; esac
done_testing
