# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=sh
#
# Shared by the simulators' checks (test_ssdsim.sh, test_znssim.sh,
# test_kvsim.sh), which
# run_tests.sh runs like test binaries: sourced after SUITE (the name
# before each check) and SIM_NAME (the simulator's file name) are set.
# Finds the simulator ($SIM: $SIM_ENV's value if set, else SIM_NAME next
# to the sourcing script, which the Makefile copies into build/, else
# build/SIM_NAME), makes $tmp, and defines:
#   check NAME   records a check: "PASS SUITE.NAME", or "FAIL SUITE.NAME"
#                with the reason fail() gave
#   fail MSG     the reason the current check fails (the first one counts)
#   finish       prints "RESULT <passed> <failed>" and sets the exit status
#   sim OUT ARGS runs the simulator: stdout to $tmp/OUT, stderr to
#                $tmp/OUT.err, its exit status in rc
#   expect_rc N  fail() unless the last sim exited with N

dir=$(dirname "$0")
if [ -z "$SIM" ]; then
	if [ -x "$dir/$SIM_NAME" ]; then
		SIM=$dir/$SIM_NAME
	else
		SIM=$dir/build/$SIM_NAME
	fi
fi

tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT

passed=0
failed=0
why=

check() {
	if [ -z "$why" ]; then
		passed=$((passed + 1))
		echo "PASS $SUITE.$1"
	else
		failed=$((failed + 1))
		echo "FAIL $SUITE.$1"
		printf '    %s\n' "$why"
	fi
	why=
}

fail() {
	[ -n "$why" ] || why=$*
}

finish() {
	echo "RESULT $passed $failed"
	[ "$failed" -eq 0 ]
}

# sim OUT ARGS...: runs the simulator, stdout to $tmp/OUT, stderr to
# $tmp/OUT.err; sets rc.
sim() {
	out=$1
	shift
	"$SIM" "$@" >"$tmp/$out" 2>"$tmp/$out.err"
	rc=$?
}

# expect_rc WANT: fails unless the last run exited with WANT.
expect_rc() {
	[ "$rc" -eq "$1" ] || fail "exit status $rc, want $1: $(head -c 300 "$tmp/$out.err")"
}
