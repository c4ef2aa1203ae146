#!/bin/bash
# NVMe commands through nvme-cli: Write/Read, Write Zeroes, DSM deallocate,
# Compare (match and mismatch), Flush; data checked with direct dd reads.
# append: memmap=2M$0x100000000
# timeout: 300
source "$(dirname "$0")/../lib/guest.sh"

BS=512
DATA=/tmp/data   # 64 random blocks
ZERO=/tmp/zero

# read_lbas START COUNT FILE: direct read of COUNT blocks into FILE.
read_lbas() {
	dd if="$NVME_NS" of="$3" bs=$BS skip="$1" count="$2" iflag=direct status=none
}
# same_as START COUNT FILE [FILE_OFFSET_BLOCKS]: blocks equal a file slice.
same_as() {
	read_lbas "$1" "$2" /tmp/got
	dd if="$3" of=/tmp/want bs=$BS skip="${4:-0}" count="$2" status=none
	cmp /tmp/got /tmp/want
}
compare_output() { nvme compare "$NVME_NS" "$@" 2>&1 || true; }
# mib_reads_zero OFFSET_MIB: that MiB of the device reads back as zeroes.
mib_reads_zero() {
	dd if="$NVME_NS" of=/tmp/mib bs=1M skip="$1" count=1 iflag=direct status=none
	cmp -n $((1 << 20)) /tmp/mib /dev/zero
}

nvmev_load || fail "nvmev_load"
check "512-byte blocks" eq "$(ns_lba_size)" $BS
head -c $((64 * BS)) /dev/urandom >"$DATA"
head -c $((64 * BS)) /dev/zero >"$ZERO"

info "Write (dd) at LBA 1000, read back"
check "dd write 64 blocks" dd if="$DATA" of="$NVME_NS" bs=$BS seek=1000 oflag=direct conv=notrunc status=none
check "read back equals data" same_as 1000 64 "$DATA"

info "nvme write / nvme read"
check "nvme write 8 blocks at 2000" nvme write "$NVME_NS" -s 2000 -c 7 -z $((8 * BS)) -d "$DATA"
check "nvme read 8 blocks at 2000" nvme read "$NVME_NS" -s 2000 -c 7 -z $((8 * BS)) -d /tmp/nvread
check "nvme read equals data" cmp -n $((8 * BS)) /tmp/nvread "$DATA"
check "dd sees nvme write" same_as 2000 8 "$DATA"

info "Write Zeroes LBA 1000..1015"
check "nvme write-zeroes" nvme write-zeroes "$NVME_NS" -s 1000 -c 15
check "zeroed blocks read zero" same_as 1000 16 "$ZERO"
check "following blocks untouched" same_as 1016 16 "$DATA" 16

info "DSM deallocate LBA 1032..1047"
check "nvme dsm --ad" nvme dsm "$NVME_NS" -n 1 --ad -s 1032 -b 16
check "deallocated blocks read zero" same_as 1032 16 "$ZERO"
check "blocks after the range untouched" same_as 1048 16 "$DATA" 48

info "Compare LBA 1048..1063"
dd if="$DATA" of=/tmp/tail bs=$BS skip=48 count=16 status=none
check "compare matching data succeeds" nvme compare "$NVME_NS" -s 1048 -c 15 -z $((16 * BS)) -d /tmp/tail
# Same data with one byte changed.
cp /tmp/tail /tmp/bad
printf '\xff' | dd of=/tmp/bad bs=1 seek=5000 conv=notrunc status=none
cmp -s /tmp/tail /tmp/bad && printf '\x00' | dd of=/tmp/bad bs=1 seek=5000 conv=notrunc status=none
check "compare mismatch fails" expect_fail nvme compare "$NVME_NS" -s 1048 -c 15 -z $((16 * BS)) -d /tmp/bad
out=$(compare_output -s 1048 -c 15 -z $((16 * BS)) -d /tmp/bad)
echo "      nvme compare said: $out"
# nvme-cli 2.3 prints "Compare Failure: ...(0x285)", with DNR 0x4285.
check "mismatch reported as compare failure (0x285)" grep -qE 'COMPARE_FAILED|Compare Failure|0x4?285' <<<"$out"

info "Flush"
check "nvme flush" nvme flush "$NVME_CTRL" -n 1
check "fsync through the block layer" dd if="$DATA" of="$NVME_NS" bs=$BS count=8 seek=4000 oflag=direct conv=fsync,notrunc status=none

info "block layer discard and zero-out"
check "blkdiscard 1 MiB at 8 MiB" blkdiscard -o $((8 << 20)) -l $((1 << 20)) "$NVME_NS"
check "discarded range reads zero" mib_reads_zero 8
check "dd write 1 MiB at 16 MiB" dd if=/dev/urandom of="$NVME_NS" bs=1M seek=16 count=1 oflag=direct status=none
check "blkdiscard -z (write zeroes) 1 MiB at 16 MiB" blkdiscard -z -o $((16 << 20)) -l $((1 << 20)) "$NVME_NS"
check "zeroed range reads zero" mib_reads_zero 16
check "unload" nvmev_unload
