#!/bin/bash
# The command frame: help, version, unknown commands, exit statuses, and
# -j output that is always exactly one JSON document.
. "$(dirname "$0")/../lib/tap.sh"
KLPB=${KLPB_BUILD:-$(dirname "$0")/../../build}/klp-bundle

json_ok() {
	python3 -c 'import json,sys; json.load(sys.stdin)' 2>/dev/null
}

out=$("$KLPB" --help)
is "$?" 0 "--help exits 0"
printf '%s\n' "$out" | grep -q '^usage: klp-bundle'
ok $? "--help prints the usage"
printf '%s\n' "$out" | grep -q '^exit status:'
ok $? "--help lists the exit statuses"

is "$("$KLPB" version)" "klp-bundle $("$KLPB" -V | cut -d' ' -f2)" "version and -V agree"

err=$("$KLPB" frobnicate 2>&1 >/dev/null)
is "$?" 2 "an unknown command is a usage error (2)"
is "$(printf '%s\n' "$err" | head -n 1)" "klp-bundle: error: unknown command 'frobnicate'" \
	"the error names the command"

"$KLPB" rev >/dev/null 2>&1
is "$?" 2 "commands match exactly, not by prefix"

"$KLPB" >/dev/null 2>&1
is "$?" 2 "no command is a usage error"

"$KLPB" --no-such-option >/dev/null 2>&1
is "$?" 2 "an unknown global option is a usage error"

out=$("$KLPB" -j version)
is "$?" 0 "-j version exits 0"
printf '%s' "$out" | json_ok
ok $? "-j version prints one valid JSON document"

out=$("$KLPB" -j frobnicate 2>/dev/null)
is "$?" 2 "-j with an unknown command exits 2"
printf '%s' "$out" | json_ok
ok $? "the error is one valid JSON document"
printf '%s' "$out" | python3 -c 'import json,sys; e=json.load(sys.stdin)["error"]; sys.exit(0 if e["name"]=="EINVAL" and "frobnicate" in e["message"] and e["exit_status"]==2 else 1)'
ok $? "it carries errno name, message and exit status"

out=$("$KLPB" -p help)
printf '%s' "$out" | json_ok
ok $? "-p help is valid (pretty) JSON"
is "$(printf '%s\n' "$out" | wc -l)" "$(($(printf '%s' "$out" | python3 -c 'import json,sys; print(len(json.load(sys.stdin)))') * 4 + 2))" \
	"-p indents one line per field"

"$KLPB" version >/dev/full 2>/dev/null
is "$?" 1 "a failed write to stdout is an error"

done_testing
