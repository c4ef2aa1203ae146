#!/bin/bash
# Quick measurement of the NVM kind (a guest case for tests/run):
#  - idle cost: CPU time of the module's threads over 10 s idle after load;
#  - timing accuracy: 4 KiB random reads at QD1 for several target read
#    latencies, measured mean and p99 completion latency against the target;
#  - the zero-latency floor, which is the emulator's and the guest I/O
#    stack's own overhead under this (TCG) guest;
#  - dev_late_us: how late, on average, the device itself posted each
#    completion after its model deadline (debugfs nvmev/nvmev0/stats).
# Run from the host:  bench/run   (or tests/run --kernel 6.1 --case bench/quick.sh --keep)
# append: memmap=2M$0x100000000
# timeout: 900
if [[ ${1:-} == -h || ${1:-} == --help ]]; then
	sed -n '2,10p' "$0" | sed 's/^# \{0,1\}//'
	exit 0
fi
source "$(dirname "$0")/../tests/lib/guest.sh"

TARGETS_US=${TARGETS_US:-"0 20 50 100 200 500 1000"}
IOS=${IOS:-2000}
P=/sys/module/nvmev/parameters

thread_ns() {
	local t sum=0 pid
	for t in /proc/[0-9]*; do
		[[ $(cat "$t/comm" 2>/dev/null) == nvmev0* ]] || continue
		pid=${t#/proc/}
		sum=$((sum + $(cut -d' ' -f1 "/proc/$pid/schedstat")))
	done
	echo "$sum"
}

nvmev_load memmap_start=4G memmap_size=2M capacity=1G cpus=1,2 ||
	fail "load nvmev"

thread_detail() {
	local t
	for t in /proc/[0-9]*; do
		[[ $(cat "$t/comm" 2>/dev/null) == nvmev0* ]] || continue
		echo "$(cat "$t/comm") $(cat "$t/schedstat")"
	done
}

sleep 2
thread_detail | sed 's/^/idle-start: /'
a=$(thread_ns)
sleep 10
b=$(thread_ns)
thread_detail | sed 's/^/idle-end: /'
idle_pct=$(awk -v d=$((b - a)) 'BEGIN { printf "%.3f", d / 1e10 * 100 }')
echo "RESULT idle_cpu_percent_of_one_cpu $idle_pct (threads' CPU time over 10 s idle: $((b - a)) ns)"

# Fill the first 64 MiB so reads touch real data.
dd if=/dev/urandom of="$NVME_NS" bs=1M count=64 oflag=direct status=none

mountpoint -q /sys/kernel/debug || mount -t debugfs none /sys/kernel/debug
STATS=/sys/kernel/debug/nvmev/nvmev0/stats
stat_of() { awk -v k="$1" '$1 == k { print $2 }' "$STATS"; }

echo 0 >"$P/read_bw_mbs"
printf '%-10s %12s %12s %10s %10s %14s\n' target_us mean_us p99_us mean_err% p99_err% dev_late_us
for t in $TARGETS_US; do
	echo $((t * 1000)) >"$P/read_lat_ns"
	n0=$(stat_of completions_posted)
	l0=$(( $(stat_of late_mean_ns) * n0 ))
	out=$(fio --name=lat --filename="$NVME_NS" --direct=1 --ioengine=io_uring \
		--rw=randread --bs=4k --iodepth=1 --size=64M --number_ios="$IOS" \
		--output-format=json 2>/dev/null)
	read -r mean p99 < <(python3 -c '
import json, sys
j = json.load(sys.stdin)["jobs"][0]["read"]
print(j["lat_ns"]["mean"] / 1000, j["clat_ns"]["percentile"]["99.000000"] / 1000)' <<<"$out")
	n1=$(stat_of completions_posted)
	l1=$(( $(stat_of late_mean_ns) * n1 ))
	late=$(awk -v a="$l0" -v b="$l1" -v n=$((n1 - n0)) 'BEGIN { printf "%.1f", n ? (b - a) / n / 1000 : 0 }')
	if [[ $t -eq 0 ]]; then
		floor=$mean
		printf '%-10s %12.1f %12.1f %10s %10s %14s\n' 0 "$mean" "$p99" - - "$late"
		echo "RESULT floor_mean_us $mean"
		continue
	fi
	awk -v t="$t" -v m="$mean" -v p="$p99" -v l="$late" 'BEGIN {
		printf "%-10s %12.1f %12.1f %10.1f %10.1f %14s\n", t, m, p, (m - t) / t * 100, (p - t) / t * 100, l }'
	echo "RESULT target_us $t mean_us $mean p99_us $p99 device_late_mean_us $late"
done
check "unload" nvmev_unload
