#!/bin/bash
# memmap mode (no capacity=): data lives in the 257 MiB reservation, the
# first 1 MiB holds the BARs, so capacity is 256 MiB. fio verify on it.
# append: memmap=257M$0x100000000
# timeout: 500
source "$(dirname "$0")/../lib/guest.sh"

CAP=$((256 << 20))

nvmev_load memmap_start=4G memmap_size=257M cpus=1,2 || fail "nvmev_load (memmap mode)"
check "block device is 256 MiB" eq "$(blockdev --getsize64 "$NVME_NS")" "$CAP"
check "id-ns nsze is 256 MiB / 512" num_eq "$(id_ns_field nsze)" $((CAP / 512))
check "fio 4k random write+verify" run_fio mm-4k --ioengine=libaio --iodepth=16 \
	--bs=4k --rw=randwrite --size=32m --verify=crc32c --verify_fatal=1
check "fio 128k sequential write+verify, whole device" run_fio mm-128k \
	--ioengine=io_uring --iodepth=16 --bs=128k --rw=write --size=256m \
	--verify=crc32c --verify_fatal=1
check "write past the end fails" expect_fail dd if=/dev/zero of="$NVME_NS" bs=512 \
	seek=$((CAP / 512)) count=1 oflag=direct status=none
check "unload" nvmev_unload
