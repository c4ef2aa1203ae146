#!/bin/bash
# CPU hotplug: take the dispatcher's and a worker's CPU offline, idle and
# under fio write+verify. nvmev moves its threads to the other online CPUs
# before the CPU goes and pins them again when it returns; no I/O is lost.
# append: memmap=2M$0x100000000
# vcpus: 4
# timeout: 300
source "$(dirname "$0")/../lib/guest.sh"

DISP_CPU=1 WORKER_CPU=2

cpu_set() { echo "$2" >"/sys/devices/system/cpu/cpu$1/online"; }
tid_of() { pgrep -x "$1" | head -n1; }
# Allowed CPUs of a kernel thread, e.g. "2" or "0,3".
allowed() { taskset -pc "$(tid_of "$1")" | sed 's/.*: *//'; }
io_works() {
	local off=$1
	head -c $((1 << 20)) /dev/urandom >/tmp/io
	dd if=/tmp/io of="$NVME_NS" bs=64k seek=$((off * 16)) oflag=direct status=none &&
		cmp /tmp/io <(dd if="$NVME_NS" bs=64k skip=$((off * 16)) count=16 iflag=direct status=none)
}

nvmev_load cpus=$DISP_CPU,$WORKER_CPU memmap_start=4G memmap_size=2M capacity=1G ||
	fail "nvmev_load"
check "dispatcher pinned to CPU $DISP_CPU" eq "$(allowed nvmev0)" $DISP_CPU
check "worker pinned to CPU $WORKER_CPU" eq "$(allowed nvmev0_w0)" $WORKER_CPU
head -c $((4 << 20)) /dev/urandom >/tmp/data
check "write 4 MiB reference data" dd if=/tmp/data of="$NVME_NS" bs=1M seek=900 oflag=direct status=none

for pair in "nvmev0 $DISP_CPU dispatcher" "nvmev0_w0 $WORKER_CPU worker"; do
	read -r thread cpu what <<<"$pair"
	info "idle: $what's CPU $cpu offline"
	check "offline CPU $cpu" cpu_set "$cpu" 0
	check "$what allowed elsewhere" expect_fail eq "$(allowed "$thread")" "$cpu"
	check "I/O works with CPU $cpu offline" io_works "$cpu"
	check "online CPU $cpu" cpu_set "$cpu" 1
	check "$what pinned to CPU $cpu again" eq "$(allowed "$thread")" "$cpu"
	check "I/O works with CPU $cpu back" io_works $((cpu + 4))
done

info "under fio write+verify: both CPUs offline and back, twice"
{
	run_fio hotplug --ioengine=libaio --iodepth=32 --numjobs=2 --bs=4k \
		--rw=randwrite --size=24m --offset=200m --offset_increment=32m \
		--verify=crc32c --verify_backlog=128 --verify_fatal=1 || exit
} &
fio_pid=$!
sleep 2
for round in 1 2; do
	check "offline worker CPU $WORKER_CPU under I/O (#$round)" cpu_set $WORKER_CPU 0
	sleep 1
	check "offline dispatcher CPU $DISP_CPU under I/O (#$round)" cpu_set $DISP_CPU 0
	sleep 1
	check "online dispatcher CPU $DISP_CPU (#$round)" cpu_set $DISP_CPU 1
	check "online worker CPU $WORKER_CPU (#$round)" cpu_set $WORKER_CPU 1
	sleep 1
done
check "fio with hotplug finished and verified" wait "$fio_pid"
check "dispatcher pinned to CPU $DISP_CPU at the end" eq "$(allowed nvmev0)" $DISP_CPU
check "worker pinned to CPU $WORKER_CPU at the end" eq "$(allowed nvmev0_w0)" $WORKER_CPU
check "reference data intact" cmp /tmp/data <(dd if="$NVME_NS" bs=1M skip=900 count=4 iflag=direct status=none)

info "offline a CPU of cpus= while loaded, then unload and load"
check "offline CPU $WORKER_CPU" cpu_set $WORKER_CPU 0
check "unload with the worker's CPU offline" nvmev_unload
check "a load naming the offline CPU is refused" expect_fail nvmev_insmod cpus=$DISP_CPU,$WORKER_CPU memmap_start=4G memmap_size=2M capacity=1G
check "online CPU $WORKER_CPU" cpu_set $WORKER_CPU 1
check "load again" nvmev_load
check "unload" nvmev_unload
