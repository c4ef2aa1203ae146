#!/bin/bash
# 100 insmod/rmmod cycles, each with a short fio write+verify (1 MiB) at
# its own offset. Records each cycle's time and MemAvailable / Slab /
# SUnreclaim in $RESULTS/load-unload.tsv (settled figures after a warm-up
# cycle, after cycle 50 and at the end), and bounds the drift.
# append: memmap=2M$0x100000000
# timeout: 900
source "$(dirname "$0")/../lib/guest.sh"

CYCLES=${CYCLES:-100}
LOG=$RESULTS/load-unload.tsv
# Bounds, KiB. The first few dozen cycles warm kernel caches up (measured
# on 6.1: Slab +1.6 MiB over cycles 0-50, +0.3 MiB over 50-100), so a
# leak is judged by the second half, where it would keep growing: 512 KiB
# over 50 cycles is 10 KiB a cycle, less than one leaked nvme controller.
# MemAvailable moves by several MiB either way between readings (page
# cache of the guest's 9p/tmpfs root), measured from +12 MiB to -25 MiB
# over 100 cycles; 32 MiB still catches a leaked RAM backing store
# (1 MiB written per cycle) or anything over 320 KiB a cycle.
MAX_AVAIL_DRIFT_KB=32768
MAX_SLAB_DRIFT_KB=4096
MAX_HALF_SLAB_KB=512

elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", b - a }'; }
# /proc/meminfo into MEM[key] (kB) without starting a process.
declare -A MEM
mem_now() {
	local k v _
	while read -r k v _; do MEM[${k%:}]=$v; done </proc/meminfo
}
meminfo_kb() { awk -v k="$1:" '$1 == k {print $2}' /proc/meminfo; }

# Settle freed memory: RCU callbacks, per-CPU slab caches, page cache.
settle() {
	sync
	echo 3 >/proc/sys/vm/drop_caches
	sleep 0.5
	echo 3 >/proc/sys/vm/drop_caches
}

# Few processes per cycle: under TCG each one costs more than the load.
cycle() {
	local i=$1
	insmod "$KO" "${NVMEV_DEFAULT_PARAMS[@]}" || return 1
	wait_for "[[ -b $NVME_NS ]]" || { echo "no $NVME_NS"; return 1; }
	# 1 MiB at a different place each time (the device is 1 GiB).
	fio --name=c$i --filename="$NVME_NS" --direct=1 --ioengine=psync --thread \
		--bs=128k --rw=write --size=1m --offset=$((i * 8))m \
		--verify=crc32c --verify_fatal=1 --do_verify=1 \
		>"$RESULTS/fio-cycle.log" 2>&1 ||
		{ tail -n 20 "$RESULTS/fio-cycle.log"; return 1; }
	rmmod nvmev || return 1
	wait_for "! nvmev_loaded && [[ ! -e $NVME_CTRL ]]" ||
		{ echo "nvmev still present after rmmod"; return 1; }
}

modprobe nvme
KO=$(nvmev_ko)
# One warm-up cycle: the first load creates caches that stay (sysfs and
# kernfs nodes of the nvme class, the nvme driver's first controller id).
check "warm-up cycle" cycle 0
printf 'cycle\tseconds\tMemAvailable_kB\tSlab_kB\tSUnreclaim_kB\tPercpu_kB\tVmallocUsed_kB\tKernelStack_kB\n' >"$LOG"
declare -A AV SL SU
# Settled figures at cycles 0, 50 and 100 (rows marked "settled").
measure() {
	settle
	AV[$1]=$(meminfo_kb MemAvailable) SL[$1]=$(meminfo_kb Slab) SU[$1]=$(meminfo_kb SUnreclaim)
	printf '%s\tsettled\t%s\t%s\t%s\n' "$1" "${AV[$1]}" "${SL[$1]}" "${SU[$1]}" >>"$LOG"
}
measure 0
failed=0 start=$EPOCHREALTIME
for ((i = 1; i <= CYCLES; i++)); do
	t0=$EPOCHREALTIME
	if ! cycle "$i" >"$RESULTS/cycle.log" 2>&1; then
		cat "$RESULTS/cycle.log"
		check "cycle $i: load, fio write+verify 1 MiB, unload" false
		failed=1
		break
	fi
	t1=$EPOCHREALTIME
	us=$(( ${t1/./} - ${t0/./} ))
	mem_now
	printf '%d\t%d.%02d\t%s\t%s\t%s\t%s\t%s\t%s\n' "$i" $((us / 1000000)) $((us % 1000000 / 10000)) \
		"${MEM[MemAvailable]}" "${MEM[Slab]}" "${MEM[SUnreclaim]}" \
		"${MEM[Percpu]}" "${MEM[VmallocUsed]}" "${MEM[KernelStack]}" >>"$LOG"
	((i == CYCLES / 2)) && measure half
done
total=$(elapsed "$start" "$EPOCHREALTIME")
[[ $failed -eq 0 ]] && check "$CYCLES cycles of load, fio write+verify, unload" true
check "module gone" expect_fail nvmev_loaded
check "no nvme controller left" expect_fail test -e "$NVME_CTRL"
check "virtual PCI devices removed" eq "$(ls /sys/bus/pci/devices | grep -c '^[0-9a-f]\{5,\}:' || true)" 0

measure end
printf 'total\t%s\n' "$total" >>"$LOG"
awk -F'\t' '$1 ~ /^[0-9]+$/ && $2 != "settled" { n++; s += $2; if ($2 > m) m = $2 }
	END { if (n) printf "# cycle time: mean %.2f s, max %.2f s over %d cycles\n", s / n, m, n }' "$LOG"
for k in half end; do
	info "cycles 0 -> $k: MemAvailable $((AV[$k] - AV[0])) kB, Slab $((SL[$k] - SL[0])) kB, SUnreclaim $((SU[$k] - SU[0])) kB"
done
info "total $total s for $CYCLES cycles"
# MemAvailable right after drop_caches swings by several MiB from one
# reading to the next (what the guest's page cache and tmpfs hold then);
# compare the mean of the first ten cycles with that of the last ten.
read -r avail_first avail_last < <(awk -F'\t' -v n="$CYCLES" '
	$1 ~ /^[0-9]+$/ && $2 != "settled" {
		if ($1 <= 10) { a += $3; na++ }
		if ($1 > n - 10) { b += $3; nb++ }
	}
	END { printf "%d %d\n", na ? a / na : 0, nb ? b / nb : 0 }' "$LOG")
info "MemAvailable mean of cycles 1-10: $avail_first kB, of the last 10: $avail_last kB ($((avail_last - avail_first)))"
check "MemAvailable drift over $CYCLES cycles under $MAX_AVAIL_DRIFT_KB KiB" num_ge $((avail_last + MAX_AVAIL_DRIFT_KB)) "$avail_first"
check "Slab growth over $CYCLES cycles under $MAX_SLAB_DRIFT_KB KiB" num_ge $((SL[0] + MAX_SLAB_DRIFT_KB)) "${SL[end]}"
check "Slab growth over the second half under $MAX_HALF_SLAB_KB KiB" num_ge $((SL[half] + MAX_HALF_SLAB_KB)) "${SL[end]}"
check "SUnreclaim growth over the second half under $MAX_HALF_SLAB_KB KiB" num_ge $((SU[half] + MAX_HALF_SLAB_KB)) "${SU[end]}"
check "a final load still works" nvmev_load
check "final unload" nvmev_unload
