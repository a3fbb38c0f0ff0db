#!/bin/bash
# klp-bundle apply / status / revert on the seed example: dry run, apply
# with the module part pending, the module patched when it loads, an
# idempotent re-apply, v2 replacing v1, revert --to-previous, revert.
. "$(dirname "$0")/../lib/tap.sh"
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/engine-lib.sh"
[ -e "$S/seed-v1.klpb" ] || { echo "no seed bundles (selftests/vm/prepare)"; exit 4; }
engine_cleanup

out=$("$KLPB" apply --dry-run "$S/seed-v1.klpb" 2>&1)
ok $? "apply --dry-run passes"
case $out in *"would apply"*"$M"*pending*) ok 0 "dry run: would apply, module part pending" ;;
*) ok 1 "dry run: would apply, module part pending"; diag "$out" ;; esac
is "$(cat /proc/cmdline) $(ls /sys/kernel/livepatch | wc -l)" "$ORIG_CMDLINE 0" "the dry run changed nothing"

out=$("$KLPB" apply "$S/seed-v1.klpb" 2>&1)
ok $? "apply v1"
case $out in *applied*"vmlinux"*patched*"$M"*pending*) ok 0 "apply prints per-object states" ;;
*) ok 1 "apply prints per-object states"; diag "$out" ;; esac
is "$(gen_vmlinux)" 1 "vmlinux part at generation 1"
j=$("$KLPB" -j status)
is "$(jget "$j" '" ".join(str(x) for x in (d["bundles"][0]["name"], d["bundles"][0]["version"], d["bundles"][0]["module"], d["bundles"][0]["state"]))')" \
	"seed 1 klpb_seed_v1 active" "status --json: name, version, module, state"
is "$(jget "$j" '",".join(o["name"]+"="+o["state"] for o in d["bundles"][0]["objects"])')" \
	"$M=pending,vmlinux=patched" "status --json: per-object states"
ok "$([ "$(jget "$j" 'd["bundles"][0]["applied"] is not None')" = True ]; echo $?)" \
	"status knows when it was applied"

run_ok "load the module" insmod "$M_KO"
is "$(gen_module)" 1 "the module is patched at load (generation 1)"
is "$(jget "$("$KLPB" -j status)" '[o["state"] for o in d["bundles"][0]["objects"] if o["name"]=="'$M'"][0]')" \
	patched "status: module object patched"
out=$("$KLPB" apply "$S/seed-v1.klpb" 2>&1)
ok $? "applying the same bundle again succeeds"
case $out in *"already active"*) ok 0 "and says it is already active" ;;
*) ok 1 "and says it is already active"; diag "$out" ;; esac

run_ok "apply v2 (cumulative)" "$KLPB" apply "$S/seed-v2.klpb"
is "$(gen_vmlinux)/$(gen_module)" 2/2 "both parts at generation 2"
ok "$([ ! -d /sys/module/klpb_seed_v1 ]; echo $?)" "the replaced v1 module was removed"
is "$(jget "$("$KLPB" -j status)" 'len(d["bundles"])')" 1 "one bundle loaded"

run_ok "revert --to-previous" "$KLPB" revert --to-previous seed
is "$(gen_vmlinux)/$(gen_module)" 1/1 "v1 is back for both parts"
ok "$([ ! -d /sys/module/klpb_seed_v2 ]; echo $?)" "v2 was unloaded"

run_ok "apply v2 again" "$KLPB" apply "$S/seed-v2.klpb"
j=$("$KLPB" -j revert)
ok $? "revert (the only active bundle)"
is "$(jget "$j" 'd["result"]+" "+d["module"]')" "reverted klpb_seed_v2" "revert --json"
is "$(cat /proc/cmdline)" "$ORIG_CMDLINE" "vmlinux restored"
is "$(gen_module)" 0 "the module restored"
is "$(ls /sys/kernel/klp_bundle/ 2>/dev/null | wc -l) $(ls "$KLPB_STATE_DIR/active" | wc -l)" "0 0" \
	"no bundle module and no record left"

# install + apply --installed (what contrib/klp-bundle.service runs at boot)
run_ok "install v1" "$KLPB" install "$S/seed-v1.klpb"
run_ok "apply --installed" "$KLPB" apply --installed --wait
is "$(gen_vmlinux)/$(gen_module)" 1/1 "the installed bundle is active for both parts"
out=$("$KLPB" apply --installed --wait 2>&1)
ok $? "apply --installed a second time succeeds"
case $out in *"already active"*) ok 0 "and says it is already active" ;;
*) ok 1 "and says it is already active"; diag "$out" ;; esac
is "$(ls /sys/kernel/klp_bundle/ | wc -l)" 1 "one bundle module loaded"
run_ok "uninstall" "$KLPB" uninstall seed
is "$(gen_vmlinux)" 1 "uninstall leaves the active bundle alone"
run_ok "revert" "$KLPB" revert
out=$("$KLPB" apply --installed 2>&1)
ok $? "apply --installed with nothing installed succeeds"
is "$(gen_vmlinux)" 0 "and applies nothing"
engine_cleanup
done_testing
