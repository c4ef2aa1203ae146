#!/bin/bash
# Controller resets (nvme reset) during a fio write+verify run: fio must end
# without error and its data must verify.
# append: memmap=2M$0x100000000
# timeout: 400
source "$(dirname "$0")/../lib/guest.sh"

RESETS=5

ctrl_live() { [[ $(cat /sys/class/nvme/nvme0/state) == live ]]; }

reset_loop() {
	local i
	sleep 5
	for ((i = 1; i <= RESETS; i++)); do
		check "nvme reset #$i" nvme reset "$NVME_CTRL"
		check "controller live after reset #$i" wait_for ctrl_live 30
		sleep 4
	done
}

nvmev_load || fail "nvmev_load"

info "fio randwrite with inline verify, $RESETS resets meanwhile"
{
	run_fio reset-inline --ioengine=libaio --iodepth=32 --bs=4k --rw=randwrite \
		--size=256m --time_based --runtime=40 --verify=crc32c \
		--verify_backlog=256 --verify_fatal=1 || exit
} &
fio_pid=$!
reset_loop
check "fio with resets finished without error" wait "$fio_pid"

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

info "NVM subsystem resets (NSSR), then the data written before still reads back"
head -c $((4 << 20)) /dev/urandom >/tmp/data
check "write 4 MiB" dd if=/tmp/data of="$NVME_NS" bs=1M seek=900 oflag=direct status=none
for i in 1 2 3; do
	check "nvme subsystem-reset #$i" nvme subsystem-reset "$NVME_CTRL"
	check "controller live after subsystem reset #$i" wait_for ctrl_live 30
done
wait_for 'test -b "$NVME_NS"' 30 || true
dd if="$NVME_NS" of=/tmp/back bs=1M skip=900 count=4 iflag=direct status=none
check "data survives subsystem resets" cmp /tmp/data /tmp/back
check "controller live" ctrl_live
check "unload" nvmev_unload
