#!/bin/sh
# The shell TAP helpers: a failing check makes done_testing exit non-zero.
. "$(dirname "$0")/../lib/tap.sh"

out=$(sh -c '. "$1"; ok 0 a; is x y b; done_testing' sh "$(dirname "$0")/../lib/tap.sh")
rc=$?
is "$rc" 1 "a failing 'is' fails the run"
printf '%s\n' "$out" | grep -q '^not ok 2 - b$'
ok $? "it prints 'not ok 2 - b'"

out=$(sh -c '. "$1"; ok 0 a; skip why b; done_testing' sh "$(dirname "$0")/../lib/tap.sh")
rc=$?
is "$rc" 0 "a skip does not fail the run"
printf '%s\n' "$out" | grep -q '^ok 2 - b # SKIP why$'
ok $? "a skip is 'ok N - desc # SKIP reason'"
printf '%s\n' "$out" | tail -n 1 | grep -q '^1\.\.2$'
ok $? "done_testing prints the plan"

done_testing
