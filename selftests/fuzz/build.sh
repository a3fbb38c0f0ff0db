#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Build the libFuzzer targets into build/fuzz/ (needs clang and libcbor-dev).
# Run from the top of the tree:
#   bash selftests/fuzz/build.sh
#   build/fuzz/fuzz-validate -max_total_time=30 -rss_limit_mb=512 \
#       -malloc_limit_mb=64 selftests/fuzz/corpus-validate
set -eu
cd "$(dirname "$0")/../.."
CC=${CC_FUZZ:-clang}
mkdir -p build/fuzz
$CC -g -O1 -fsanitize=fuzzer,address,undefined -Iformat -Ikernel/include/uapi \
	format/cbor-validate.c selftests/fuzz/fuzz-validate.c -lcbor \
	-o build/fuzz/fuzz-validate
$CC -g -O1 -fsanitize=fuzzer,address,undefined -D_GNU_SOURCE -Iformat -Iformat/include -Ikernel/include/uapi format/*.c selftests/fuzz/fuzz-bundle.c -lcbor -lcrypto -lzstd -o build/fuzz/fuzz-bundle
