#!/bin/bash
# rmmod while the device is busy: under fio, and with ext4 mounted on it.
# nvmev does not refuse the unload: the namespace goes away and its I/O
# fails. Nothing may hang, oops or warn, and the module must load again.
# append: memmap=2M$0x100000000
# timeout: 300
source "$(dirname "$0")/../lib/guest.sh"

MNT=/mnt/nvmev

nvmev_load || fail "nvmev_load"
info "rmmod under fio"
fio --name=busy --filename="$NVME_NS" --direct=1 --ioengine=io_uring \
	--iodepth=32 --bs=4k --rw=randrw --size=256m --time_based --runtime=60 \
	>"$RESULTS/fio-busy.log" 2>&1 &
fio_pid=$!
sleep 5
check "rmmod while fio runs" timeout 60 rmmod nvmev
check "fio ends (with I/O errors) instead of hanging" timeout 60 tail --pid="$fio_pid" -f /dev/null
wait "$fio_pid" || true
check "controller gone" expect_fail test -e "$NVME_CTRL"

info "rmmod with ext4 mounted"
nvmev_load || fail "reload after busy unload"
check "mkfs.ext4" mkfs.ext4 -q -F "$NVME_NS"
mkdir -p "$MNT"
check "mount" mount "$NVME_NS" "$MNT"
check "write a file" dd if=/dev/urandom of="$MNT/f" bs=1M count=8 conv=fsync status=none
check "rmmod while mounted" timeout 60 rmmod nvmev
check "writing now fails" expect_fail dd if=/dev/zero of="$MNT/g" bs=1M count=1 conv=fsync status=none
check "lazy umount of the dead file system" umount -l "$MNT"
check "module loads again" nvmev_load
check "and unloads" nvmev_unload
