# shellcheck shell=sh
# tap.sh - the shell side of klp-bundle's TAP harness (see tap.h).
# Source it, call the checks, end with done_testing (exits 1 if any failed).

tap_count=0
tap_failed=0

# ok COND_STATUS DESC: report a check; COND_STATUS is 0 for pass.
ok() {
	tap_count=$((tap_count + 1))
	if [ "$1" -eq 0 ]; then
		echo "ok $tap_count - $2"
	else
		echo "not ok $tap_count - $2"
		tap_failed=$((tap_failed + 1))
	fi
	return "$1"
}

# is GOT WANT DESC
is() {
	if [ "$1" = "$2" ]; then
		ok 0 "$3"
	else
		ok 1 "$3"
		printf '#   got: %s\n#   expected: %s\n' "$1" "$2"
		return 1
	fi
}

# run_ok DESC CMD...: the command succeeds (its output is shown as diagnostics on failure)
run_ok() {
	_d=$1
	shift
	if _out=$("$@" 2>&1); then
		ok 0 "$_d"
	else
		ok 1 "$_d"
		printf '%s\n' "$_out" | sed 's/^/# /'
		return 1
	fi
}

# skip REASON DESC
skip() {
	tap_count=$((tap_count + 1))
	echo "ok $tap_count - $2 # SKIP $1"
}

diag() {
	printf '%s\n' "$*" | sed 's/^/# /'
}

done_testing() {
	echo "1..$tap_count"
	[ "$tap_failed" -eq 0 ]
	exit $?
}
