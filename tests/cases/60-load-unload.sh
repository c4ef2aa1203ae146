#!/bin/bash
# 20 insmod/rmmod cycles, each with a short direct write and read-back.
# append: memmap=2M$0x100000000
# timeout: 500
source "$(dirname "$0")/../lib/guest.sh"

CYCLES=20
DATA=/tmp/data

mem_available_mb() { awk '/^MemAvailable:/ {print int($2 / 1024)}' /proc/meminfo; }

cycle() {
	local i=$1 off=$(($1 * 8)) # MiB
	nvmev_load || return 1
	dd if="$DATA" of="$NVME_NS" bs=1M seek=$off oflag=direct status=none || return 1
	cmp <(dd if="$NVME_NS" bs=1M skip=$off count=4 iflag=direct status=none) "$DATA" ||
		return 1
	nvmev_unload
}

head -c $((4 << 20)) /dev/urandom >"$DATA"
modprobe nvme
sync && echo 3 >/proc/sys/vm/drop_caches
before=$(mem_available_mb)
for ((i = 1; i <= CYCLES; i++)); do
	check "cycle $i: load, write 4 MiB, read back, unload" cycle "$i"
	nvmev_loaded && nvmev_unload
done
check "module gone" expect_fail nvmev_loaded
check "no nvme controller left" expect_fail test -e "$NVME_CTRL"
check "virtual PCI devices removed" eq "$(ls /sys/bus/pci/devices | grep -c '^[0-9a-f]\{5,\}:' || true)" 0
sync && echo 3 >/proc/sys/vm/drop_caches
after=$(mem_available_mb)
info "MemAvailable before ${before} MiB, after ${after} MiB"
# 20 cycles x 4 MiB of backing memory: leaking it would show here.
check "no backing memory leak (< 32 MiB lost)" num_ge "$after" $((before - 32))
check "a final load still works" nvmev_load
check "final unload" nvmev_unload
