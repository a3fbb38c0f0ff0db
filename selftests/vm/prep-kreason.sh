#!/bin/bash
# The bundle for t0111-kernel-reason.sh: selftests/bundles/notrace, built by
# 'make kernel' (not by create), wrapped into an unsigned .klpb by mkbundle.
set -eu
d=$OUT/kreason
b=$KTREE/selftests/bundles/notrace
mkdir -p "$d"
"$KLPB_BUILD/selftests/unit/mkbundle" "$b/manifest.cbor" "$b/klpbt_notrace.ko" >"$d/notrace.klpb.tmp"
mv "$d/notrace.klpb.tmp" "$d/notrace.klpb"
