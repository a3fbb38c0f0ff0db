# shellcheck shell=bash
# kenv.sh - host side: the release the in-guest tests run on and where its
# files are.  Sourced by selftests/vm/prepare and the host-side runners from
# the repository's top, after KLPB_BUILD is set; exports
#   KVER   the guest's release: $KVER, else tools/kver (the default series')
#   KTREE  the tree kbuild built for it: $KTREE, else the repository for the
#          default series' release ('make kernel' builds in place) and
#          $KLPB_BUILD/ktree/KVER for another ('make kernels')
#   OUT    what selftests/vm/prepare makes for it: $KLPB_BUILD/vm for the
#          default series' release, $KLPB_BUILD/vm-KVER for another
# Guest scripts get the three in their environment (selftests/vm/lib.sh).
KVER=${KVER:-$(tools/kver)} || return 1
kenv_default=$(KVER='' tools/kver 2>/dev/null || true)
if [ "$KVER" = "$kenv_default" ]; then
	KTREE=${KTREE:-$PWD}
	OUT=$KLPB_BUILD/vm
else
	KTREE=${KTREE:-$KLPB_BUILD/ktree/$KVER}
	OUT=$KLPB_BUILD/vm-$KVER
fi
unset kenv_default
export KVER KTREE OUT
# the same for a guest's command line (tools/vmtest clears the environment)
# shellcheck disable=SC2034 # used by the scripts that source this
KENV="KLPB_BUILD=$KLPB_BUILD KVER=$KVER KTREE=$KTREE OUT=$OUT"
