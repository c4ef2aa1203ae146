#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Checks of the SSD simulator (src/tools/nvmev-ssdsim.c), run by
# run_tests.sh like a test binary: one "PASS ssdsim.name" or
# "FAIL ssdsim.name" line per check, then "RESULT <passed> <failed>".
# The simulator is $NVMEV_SSDSIM, or nvmev-ssdsim next to this script
# (the Makefile copies it into build/), or build/nvmev-ssdsim.

SUITE=ssdsim
SIM_NAME=nvmev-ssdsim
SIM=${NVMEV_SSDSIM:-}
# shellcheck source=simcheck.sh
. "$(dirname "$0")/simcheck.sh"

# num_in X LO HI: true if LO <= X <= HI (decimal numbers).
num_in() {
	awk -v x="$1" -v lo="$2" -v hi="$3" \
	    'BEGIN { exit !(x ~ /^[0-9.]+$/ && x + 0 >= lo + 0 && x + 0 <= hi + 0) }'
}

# The value after "WAF: " in the summary (the whole run).
waf_of() {
	awk '/^WAF: / { print $2 + 0 }' "$tmp/$1"
}

# Small drives: 64 MiB on the default profile.
SMALL="--capacity 64M"

# --- Usage and errors ---

sim help --help
expect_rc 0
grep -q '^Usage: nvmev-ssdsim' "$tmp/help" || fail "no usage text"
grep -q -- '--workload' "$tmp/help" || fail "usage lacks --workload"
check help

sim badopt --no-such-option
expect_rc 2
[ "$(wc -l <"$tmp/badopt.err")" -eq 1 ] || fail "not one line: $(cat "$tmp/badopt.err")"
grep -q "unknown option '--no-such-option'" "$tmp/badopt.err" ||
	fail "message: $(cat "$tmp/badopt.err")"
[ -s "$tmp/badopt" ] && fail "output on stdout"
check bad_option

for args in "--qd 0" "--bs 3K" "--workload nope" "--capacity 1X" \
	    "--gc-policy lru" "--util 0" "--qd"; do
	# shellcheck disable=SC2086
	sim badval $args
	expect_rc 2
	[ "$(wc -l <"$tmp/badval.err")" -eq 1 ] ||
		fail "$args: not one line of error: $(cat "$tmp/badval.err")"
done
check bad_values

sim wb4k $SMALL --wb 4K
expect_rc 2
grep -q 'bad configuration.*write buffer' "$tmp/wb4k.err" ||
	fail "no reason given: $(cat "$tmp/wb4k.err")"
check impossible_param

# --- The model's behaviour ---

sim seq $SMALL --workload seqfill --check
expect_rc 0
w=$(waf_of seq)
num_in "$w" 0.99 1.05 || fail "seqfill WAF $w not in 0.99..1.05"
grep -q '^consistency: ok' "$tmp/seq" || fail "no consistency: ok"
check seqfill_waf

sim rw $SMALL --fill --workload randwrite --util 100 --capacity-multiple 3 \
	--qd 4 --check
expect_rc 0
w=$(waf_of rw)
num_in "$w" 1.2 1000 || fail "randwrite WAF $w not above 1.2"
gc=$(awk '/^gc: / { print $4 }' "$tmp/rw")
num_in "$gc" 1 1000000000 || fail "no GC lines reclaimed ($gc)"
grep -q '^randwrite *192.00 MiB in 49152 commands' "$tmp/rw" ||
	fail "did not write 3x the capacity: $(grep '^randwrite' "$tmp/rw")"
grep -q '^consistency: ok' "$tmp/rw" || fail "no consistency: ok"
check randwrite_gc

for wl in hotcold zipf trimmix randread; do
	sim "$wl" $SMALL --fill --workload "$wl" --capacity-multiple 1 --qd 8 \
		--util 50 --check
	expect_rc 0
	grep -q '^consistency: ok' "$tmp/$wl" || fail "$wl: no consistency: ok"
	grep -q "^$wl .* in [1-9][0-9]* commands" "$tmp/$wl" ||
		fail "$wl: no summary line"
done
grep -q 'TRIMs covering' "$tmp/trimmix" || fail "trimmix sent no TRIMs"
w=$(waf_of randread)
num_in "$w" 0.99 1.05 || fail "randread changed the WAF of its fill ($w)"
check workloads

# Host-link-bound writes: 128 KiB over 1000 MB/s is 131.072 us, plus 10 us
# of firmware; the buffer holds everything.  QD1: 141.1 us, 929.1 MB/s.
# QD4: the link is never idle, so ~1000 MB/s and 4 x 131.072 = 524.3 us.
LINK="$SMALL --ssd fw_write_us=10,fw_write_4k_us=0,host_mbs=1000 --wb 64M"
sim qd1 $LINK --qd 1
expect_rc 0
grep -q '^seqfill *64.00 MiB in 512 commands, [0-9.]* s: 929.1 MB/s' "$tmp/qd1" ||
	fail "QD1: $(grep '^seqfill' "$tmp/qd1")"
grep -q 'latency us: mean 141.1 min 141.1 p50 141.1 p99 141.1 p99.9 141.1 max 141.1' \
	"$tmp/qd1" || fail "QD1: $(grep 'latency us' "$tmp/qd1")"
sim qd4 $LINK --qd 4
expect_rc 0
mbs=$(awk '/^seqfill/ { for (i = 1; i < NF; i++) if ($(i + 1) ~ /^MB\/s/) print $i }' "$tmp/qd4")
num_in "$mbs" 995 1000 || fail "QD4: $mbs MB/s, want 995..1000"
grep -q 'p50 524.3 ' "$tmp/qd4" || fail "QD4: $(grep 'latency us' "$tmp/qd4")"
check queue_depth

# Rows every 16 MiB of a 64 MiB fill: four of them.
sim ivb $SMALL --interval 16M
expect_rc 0
n=$(grep -c '^ *[0-9.]* seqfill ' "$tmp/ivb")
[ "$n" -eq 4 ] || fail "$n rows, want 4"
check interval_by_data

# --- Output ---

RUN="$SMALL --fill --workload hotcold --capacity-multiple 1 --qd 4 --interval 20ms"
sim det1 $RUN --seed 7
sim det2 $RUN --seed 7
sim det3 $RUN --seed 8
expect_rc 0
grep -v '^speed:' "$tmp/det1" >"$tmp/det1.cmp"
grep -v '^speed:' "$tmp/det2" >"$tmp/det2.cmp"
grep -v '^speed:' "$tmp/det3" >"$tmp/det3.cmp"
[ "$(wc -l <"$tmp/det1.cmp")" -gt 10 ] || fail "too little output"
cmp -s "$tmp/det1.cmp" "$tmp/det2.cmp" || fail "same seed, different output"
cmp -s "$tmp/det1.cmp" "$tmp/det3.cmp" && fail "another seed, same output"
check determinism

sim csv $RUN --csv
expect_rc 0
head -n 1 "$tmp/csv" | grep -q '^time_s,phase,mbs,iops,lat_mean_us,lat_p50_us,lat_p99_us,lat_p999_us,lat_max_us,waf,waf_interval,free_lines,gc_lines$' ||
	fail "header: $(head -n 1 "$tmp/csv")"
bad=$(awk -F, 'NR > 1 {
	if (NF != 13) { print "line " NR ": " NF " fields"; exit }
	for (i = 1; i <= NF; i++)
		if (i != 2 && $i !~ /^[0-9]+(\.[0-9]+)?$/) { print "line " NR ": " $i; exit }
	if ($2 != "fill" && $2 != "hotcold") { print "line " NR ": phase " $2; exit }
	rows++
} END { if (rows < 3) print rows + 0 " rows" }' "$tmp/csv")
[ -z "$bad" ] || fail "CSV: $bad"
grep -q '^WAF: ' "$tmp/csv.err" || fail "no summary on stderr"
check csv

# --- Size: a 64 GiB drive allocates its maps and runs ---

sim big --capacity 64G --workload randwrite --amount 32M --qd 16 --check
expect_rc 0
grep -q '^consistency: ok' "$tmp/big" || fail "no consistency: ok"
check capacity_64g

finish
