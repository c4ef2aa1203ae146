#!/bin/bash
# Controller resets (nvme reset) and NVM subsystem resets (nvme
# subsystem-reset), in a loop during a fio write+verify run: fio must end
# without error, its data must verify, and data written before the run
# still reads back.
#
# After NSSR the nvme driver (6.1.192 and 6.12 alike) waits for a PCIe
# error that a virtual bus never raises; it recovers when an I/O times out
# and CSTS shows NSSRO. nvme_core.io_timeout=8 keeps that wait short.
# append: memmap=2M$0x100000000 nvme_core.io_timeout=8
# timeout: 400
source "$(dirname "$0")/../lib/guest.sh"

# The loop run during the first fio: r = nvme reset, s = subsystem reset.
OPS="r s r s"

ctrl_live() { [[ $(cat /sys/class/nvme/nvme0/state) == live ]]; }
data_intact() {
	cmp /tmp/data <(dd if="$NVME_NS" bs=1M skip=900 count=4 iflag=direct status=none)
}

reset_loop() {
	local op n=0
	sleep 4
	for op in $OPS; do
		n=$((n + 1))
		if [[ $op == r ]]; then
			check "#$n nvme reset under fio" nvme reset "$NVME_CTRL"
		else
			check "#$n nvme subsystem-reset under fio" nvme subsystem-reset "$NVME_CTRL"
			# Blocks until the driver's timeout handler has reset it.
			check "#$n a read completes after the subsystem reset" \
				dd if="$NVME_NS" of=/dev/null bs=4k count=1 iflag=direct status=none
		fi
		check "#$n controller live again" wait_for ctrl_live 30
		sleep 2
	done
}

nvmev_load || fail "nvmev_load"
head -c $((4 << 20)) /dev/urandom >/tmp/data
check "write 4 MiB reference data" dd if=/tmp/data of="$NVME_NS" bs=1M seek=900 oflag=direct status=none

info "fio randwrite with inline verify; resets meanwhile: $OPS"
{
	run_fio reset-inline --ioengine=libaio --iodepth=32 --bs=4k --rw=randwrite \
		--size=256m --time_based --runtime=50 --verify=crc32c \
		--verify_backlog=256 --verify_fatal=1 || exit
} &
fio_pid=$!
reset_loop
check "fio was still running after the last reset" kill -0 "$fio_pid"
check "fio with resets finished without error" wait "$fio_pid"
check "data written before the resets reads back" data_intact

info "sequential write+verify with a reset in the middle"
{
	run_fio reset-full --ioengine=libaio --iodepth=16 --bs=64k --rw=write \
		--offset=512m --size=128m --verify=crc32c --verify_fatal=1 || exit
} &
fio_pid=$!
sleep 3
check "nvme reset during sequential write" nvme reset "$NVME_CTRL"
check "fio finished and verified" wait "$fio_pid"
check "controller live" ctrl_live

info "idle NVM subsystem reset: the next I/O recovers the controller"
check "nvme subsystem-reset" nvme subsystem-reset "$NVME_CTRL"
check "data still reads back" data_intact
check "controller live" wait_for ctrl_live 30
check "unload" nvmev_unload
