#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Runs each test binary given, shows its per-test lines, and ends with one
# line "N passed, N failed" counting test functions.  A binary that exits
# with an error without reporting a failed test (a crash, a sanitizer
# report) counts as one more failed test.

passed=0
failed=0
for t in "$@"; do
	log="$t.log"
	"$t" >"$log" 2>&1
	rc=$?
	grep -v '^RESULT ' "$log"
	p=$(awk '/^RESULT /{ print $2 }' "$log")
	f=$(awk '/^RESULT /{ print $3 }' "$log")
	if [ -z "$p" ]; then
		p=$(grep -c '^PASS ' "$log")
		f=$(grep -c '^FAIL ' "$log")
	fi
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
		echo "FAIL $(basename "$t") (exit status $rc)"
		f=1
	fi
	passed=$((passed + p))
	failed=$((failed + f))
done
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
