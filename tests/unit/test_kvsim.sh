#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Checks of the KV model's simulator (src/tools/nvmev-kvsim.c), run by
# run_tests.sh like a test binary: one "PASS kvsim.name" or
# "FAIL kvsim.name" line per check, then "RESULT <passed> <failed>".
# The simulator is $NVMEV_KVSIM, or nvmev-kvsim next to this script
# (the Makefile copies it into build/), or build/nvmev-kvsim.

SUITE=kvsim
SIM_NAME=nvmev-kvsim
SIM=${NVMEV_KVSIM:-}
# shellcheck source=simcheck.sh
. "$(dirname "$0")/simcheck.sh"

# field FILE KEY: the value of KEY=... in FILE.
field() {
	sed -n "s/^$2=\([0-9.]*\)$/\1/p" "$tmp/$1"
}

# in_range X LO HI
in_range() {
	awk -v x="$1" -v lo="$2" -v hi="$3" 'BEGIN { exit !(x ~ /^[0-9.]+$/ && x + 0 >= lo + 0 && x + 0 <= hi + 0) }'
}

# want FILE KEY LO HI
want() {
	v=$(field "$1" "$2")
	in_range "$v" "$3" "$4" || fail "$2=$v, want $3..$4"
}

# --- Usage and refusals ---
sim help --help
expect_rc 0
grep -q '^Usage: nvmev-kvsim' "$tmp/help" || fail "no usage"
grep -q -- '--read-pct' "$tmp/help" || fail "usage lacks --read-pct"
check help

for args in "--qd 0" "--keys 0" "--read-pct 101" "--value-size 1X" \
	    "--no-such-option" "--kv no_such_key=1" "--kv seg_mib=1" \
	    "--capacity 64M" "--value-size 2M" "--key-size 2 --keys 70000" \
	    "--capacity 128M --keys 20000 --value-size 8K" "extra"; do
	# shellcheck disable=SC2086
	sim bad $args
	expect_rc 2
	[ "$(wc -l <"$tmp/bad.err")" -eq 1 ] || fail "$args: not one line: $(cat "$tmp/bad.err")"
	[ -s "$tmp/bad" ] && fail "$args: output on stdout"
done
sim bad --kv no_such_key=1
grep -q "unknown key" "$tmp/bad.err" || fail "no reason: $(cat "$tmp/bad.err")"
sim bad --capacity 128M --keys 20000 --value-size 8K
grep -q "raise --capacity" "$tmp/bad.err" || fail "no hint: $(cat "$tmp/bad.err")"
check refusals

# --- The defaults: every figure printed, the model consistent ---
sim def --keys 20000 --check
expect_rc 0
for k in put_ops_s put_lat_us put_p99_us get_ops_s get_lat_us get_p99_us \
	 mixed_ops_s mixed_lat_us mixed_p99_us mixed_get_lat_us \
	 mixed_put_lat_us gc_segments gc_records ftl_write_pages \
	 nand_write_pages keys value_size qd; do
	[ -n "$(field def $k)" ] || fail "no $k"
done
grep -q '^consistency: ok' "$tmp/def" || fail "no consistency line"
grep -q '^phase ' "$tmp/def" || fail "no table"
want def keys 20000 20000
want def value_size 4096 4096
check defaults

# --- QD1 figures derived by hand ---
# SLC (one tR), 4 KiB flash pages programmed one at a time: every 4 KiB
# page is its own program unit, consecutive pages on the two dies, each
# on a channel of its own.  A 4 KiB value with its 48-byte header spans
# two pages (its record starts on 64 bytes: 48 + 4096 + 4032 < 8192).
# A Retrieve of a programmed value:
#   index 1.5 + firmware read 20 + tR 50 (both pages, on both dies at
#   once) + 4 KiB on a 1024 MB/s channel 4.0 + 8 KiB on the 2048 MB/s
#   host link 4.0 = 79.5 us, 12578.6 ops/s.
# A Store (write cache on, a 64 MiB buffer never full): the pages its
# record completes go to the SSD: index 1.5 + firmware 5 + per page
# (host link 2.0 + firmware 1.0).  6400 records of 4160 bytes complete
# 6500 pages (two segments: 4032 records are 4095 pages, 2368 are 2405),
# so 1.5 + 5 + 3.0 x 6500 / 6400 = 9.546875 us.
ANA="channels=2,luns=1,planes=1,page_kib=4,oneshot=1,cell_bits=1"
ANA="$ANA,read0_us=50,channel_mbs=1024,host_mbs=2048,fw_read_us=20"
ANA="$ANA,fw_write_us=5,fw_write_4k_us=1,wb_kib=65536"
sim ana --kv "$ANA" --capacity 256M --keys 6400 --value-size 4096 --qd 1
expect_rc 0
want ana get_lat_us 79.499 79.501
want ana get_p99_us 79.499 79.501
want ana get_ops_s 12578 12579
want ana put_lat_us 9.546 9.548
check qd1_analytic

# Mixed phases of only one kind give the same figures.
sim ana100 --kv "$ANA" --capacity 256M --keys 6400 --read-pct 100
want ana100 mixed_lat_us 79.499 79.501
want ana100 mixed_get_lat_us 79.499 79.501
sim ana0 --kv "$ANA" --capacity 256M --keys 6400 --read-pct 0
want ana0 mixed_put_lat_us 9.54 9.555
check mixed_extremes

# Shorter keys: the same timing (the index takes index_ns whatever the key).
sim ana4 --kv "$ANA" --capacity 256M --keys 6400 --key-size 4
want ana4 get_lat_us 79.499 79.501
check key_size

# --- Queue depth: 16 dies serve 8 Retrieves at once ---
sim qd1 --keys 20000 --qd 1
sim qd8 --keys 20000 --qd 8
g1=$(field qd1 get_ops_s)
g8=$(field qd8 get_ops_s)
awk -v a="$g1" -v b="$g8" 'BEGIN { exit !(a > 0 && b > 3 * a) }' ||
	fail "get_ops_s QD8 $g8 not above 3 x QD1 $g1"
l1=$(field qd1 get_lat_us)
l8=$(field qd8 get_lat_us)
awk -v a="$l1" -v b="$l8" 'BEGIN { exit !(b >= a) }' ||
	fail "get_lat_us QD8 $l8 below QD1 $l1"
check queue_depth

# --- Overwrites past the capacity: GC moves records, all consistent ---
sim gc --capacity 128M --keys 10000 --read-pct 0 --ops 50000 --check
expect_rc 0
want gc gc_segments 1 1000000
want gc gc_records 1 100000000
grep -q '^consistency: ok' "$tmp/gc" || fail "not consistent: $(tail -2 "$tmp/gc.err")"
check gc

finish
