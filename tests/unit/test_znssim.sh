#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Checks of the ZNS model's simulator (src/tools/nvmev-znssim.c), run by
# run_tests.sh like a test binary: one "PASS znssim.name" or
# "FAIL znssim.name" line per check, then "RESULT <passed> <failed>".
# The simulator is $NVMEV_ZNSSIM, or nvmev-znssim next to this script
# (the Makefile copies it into build/), or build/nvmev-znssim.

SUITE=znssim
SIM_NAME=nvmev-znssim
SIM=${NVMEV_ZNSSIM:-}
# shellcheck source=simcheck.sh
. "$(dirname "$0")/simcheck.sh"

# field FILE KEY: the value of KEY=... in FILE.
field() {
	sed -n "s/^$2=\([0-9.]*\).*/\1/p" "$1"
}

# in_range X LO HI
in_range() {
	awk -v x="$1" -v lo="$2" -v hi="$3" 'BEGIN { exit !(x != "" && x >= lo && x <= hi) }'
}

# --- The defaults: every figure printed, the host link bounds appends ---
"$SIM" >"$tmp/def" 2>&1 || fail "exit status $?"
for k in write_mb_s append_mb_s reset_full_us reset_empty_us; do
	[ -n "$(field "$tmp/def" $k)" ] || fail "no $k"
done
# 3198 MB/s host link: appends from 4 streams reach it.
in_range "$(field "$tmp/def" append_mb_s)" 3000 3198 ||
	fail "append_mb_s $(field "$tmp/def" append_mb_s), want 3000..3198"
# Reset of a full zone: one erase (3.5 ms) per die plus firmware (5.6 us).
in_range "$(field "$tmp/def" reset_full_us)" 3505 3506 ||
	fail "reset_full_us $(field "$tmp/def" reset_full_us), want 3505.6"
in_range "$(field "$tmp/def" reset_empty_us)" 5.5 5.7 ||
	fail "reset_empty_us $(field "$tmp/def" reset_empty_us), want 5.6"
check defaults

# --- One die per zone: the flash bounds writes and appends ---
"$SIM" --zns dies_per_zone=1,wb_kib=192 --zones 2 >"$tmp/one" 2>&1 ||
	fail "exit status $?"
# 96 KiB per (208.7 us transfer + 561 us program): 127.7 MB/s.
in_range "$(field "$tmp/one" write_mb_s)" 125 128 ||
	fail "write_mb_s $(field "$tmp/one" write_mb_s), want about 127.7"
in_range "$(field "$tmp/one" append_mb_s)" 125 128 ||
	fail "append_mb_s $(field "$tmp/one" append_mb_s), want about 127.7"
# 683 units on one die: three blocks of 256 units, erased one by one.
in_range "$(field "$tmp/one" reset_full_us)" 10505 10506 ||
	fail "reset_full_us $(field "$tmp/one" reset_full_us), want 10505.6"
check one_die

# --- Bad settings are refused with a reason ---
if "$SIM" --zns zone_mib=48 >"$tmp/bad" 2>&1; then
	fail "zone_mib=48 accepted"
fi
grep -q "power of two" "$tmp/bad" || fail "no reason: $(cat "$tmp/bad")"
"$SIM" --help >"$tmp/help" 2>&1 || fail "--help exit status $?"
grep -q '^Usage: nvmev-znssim' "$tmp/help" || fail "no usage"
check refusals_and_help

finish
