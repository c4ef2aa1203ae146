#!/bin/bash
# RAM backing is capped by backing_max: writes past the cap fail with an
# NVMe status (Capacity Exceeded), data already written stays readable,
# freeing space (discard) lets writes succeed again, and the kernel stays
# healthy.
# append: memmap=2M$0x100000000
# timeout: 300
source "$(dirname "$0")/../lib/guest.sh"

nvmev_load memmap_start=4G memmap_size=2M capacity=1G backing_max=8M cpus=1,2 ||
	fail "load with backing_max=8M"
head -c $((4 << 20)) /dev/urandom >/tmp/data
check "write 4 MiB within the cap" dd if=/tmp/data of="$NVME_NS" bs=1M oflag=direct status=none
check "writing 16 MiB more fails" expect_fail dd if=/dev/zero of="$NVME_NS" bs=1M seek=64 count=16 oflag=direct status=none
check "the failure is Capacity Exceeded" dmesg_has 'sc 0x81|Capacity Exceeded|space allocation'
# The host logs "(sct 0x0 / sc 0x81) DNR": retrying cannot help.
check "Capacity Exceeded has DNR set" dmesg_has 'sc 0x81\) DNR'
dd if="$NVME_NS" of=/tmp/back bs=1M count=4 iflag=direct status=none
check "data below the cap still reads back" cmp /tmp/data /tmp/back
check "discard the failed range" blkdiscard -o $((64 << 20)) -l $((16 << 20)) "$NVME_NS"
check "discard the first 4 MiB" blkdiscard -o 0 -l $((4 << 20)) "$NVME_NS"
check "writing 4 MiB succeeds again" dd if=/tmp/data of="$NVME_NS" bs=1M seek=128 oflag=direct status=none
check "unload" nvmev_unload
