#!/bin/bash
# NVMe commands through nvme-cli: Write/Read, Write Zeroes, DSM deallocate,
# Compare (match and mismatch), Flush, Verify, Copy, Write Uncorrectable (and the
# Error Information log, SMART media errors, Get LBA Status and the LBA Status
# Information log that report it); data checked with
# direct dd reads; the deallocate and write-zeroes limits the host reads
# from Identify CNS 06h.
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

info "Verify"
check "nvme verify LBA 1048..1063" nvme verify "$NVME_NS" -s 1048 -c 15
check "nvme verify of the last block" nvme verify "$NVME_NS" -s $(($(blockdev --getsz "$NVME_NS") - 1)) -c 0

info "Copy two source ranges to LBA 6000"
check "nvme copy 2000+8 and 1048+8 to 6000" nvme copy "$NVME_NS" -d 6000 -s 2000,1048 -b 7,7
check "first range copied" same_as 6000 8 "$DATA"
check "second range copied after it" same_as 6008 8 "$DATA" 48
check "Identify: MSRC allows 128 ranges" num_eq "$(id_ns_field msrc)" 127

info "Write Uncorrectable LBA 5000..5007"
check "dd write 8 blocks at 5000" dd if="$DATA" of="$NVME_NS" bs=$BS seek=5000 count=8 oflag=direct conv=notrunc status=none
media0=$(smart_log_field media_errors)
errs0=$(smart_log_field num_err_log_entries)
check "nvme write-uncor" nvme write-uncor "$NVME_NS" -s 5000 -c 7
check "reading a marked block fails" expect_fail dd if="$NVME_NS" of=/tmp/x bs=$BS skip=5004 count=1 iflag=direct status=none
check "nvme read of it: Unrecovered Read Error (0x4281)" status_is 0x4281 nvme read "$NVME_NS" -s 5002 -c 0 -z $BS -d /tmp/x
check "nvme verify over it: Unrecovered Read Error" status_is 0x4281 nvme verify "$NVME_NS" -s 4990 -c 15
check "blocks before the range read fine" same_as 4992 8 "$ZERO"
check "SMART media_errors counted" num_ge "$(smart_log_field media_errors)" $((media0 + 2))
check "SMART error log entry count grew" num_ge "$(smart_log_field num_err_log_entries)" $((errs0 + 2))
errlog=$(nvme error-log "$NVME_CTRL" -e 4 -o json)
echo "$errlog" | head -n 30
check "Error Information log: the newest entry is the failed Verify at LBA 4990" \
	eq "$(json_field lba <<<"$errlog")" 4990
# Get LBA Status through admin-passthru (256-byte buffer: MNDW 63; the
# libnvme 1.3 behind Debian 12's "nvme get-lba-status" passes no data
# buffer, so that command cannot return descriptors from any device),
# action type 11h over the whole namespace; decode NLSD and descriptor 0.
nvme admin-passthru "$NVME_CTRL" -o 0x86 -n 1 -6 63 -7 $((0x11 << 24)) -l 256 -r -b >/tmp/lbas 2>/tmp/lbas.err || cat /tmp/lbas.err
lbastat=$(od -An -tu4 -w4 -N 24 /tmp/lbas 2>/dev/null | xargs)
echo "      Get LBA Status dwords 0-5: $lbastat"
# dwords: NLSD, CMPC, DSLBA low, DSLBA high, NLB, status
check "Get LBA Status: one descriptor, LBA 5000, 8 blocks" \
	bash -c 'set -- $1; [[ $1 == 1 && $3 == 5000 && $4 == 0 && $5 == 8 ]]' _ "$lbastat"
check "Get LBA Status past the end: LBA Out of Range" status_is 0x4080 nvme get-lba-status "$NVME_NS" -n 1 -s $((1 << 40)) -m 15 -a 0x11
check "Get LBA Status action type 5: Invalid Field" status_is 0x4002 nvme get-lba-status "$NVME_NS" -n 1 -s 0 -m 15 -a 5
lsl=$(nvme lba-status-log "$NVME_CTRL" 2>&1 || true)
echo "$lsl" | sed 's/^/      lba-status-log: /'
check "LBA Status Information log names namespace 1 and LBA 5000" bash -c 'grep -qiE "5000|0x1388" <<<"$1"' _ "$lsl"
check "rewriting two marked blocks clears them" dd if="$DATA" of="$NVME_NS" bs=$BS seek=5000 count=2 oflag=direct conv=notrunc status=none
check "rewritten blocks read back" same_as 5000 2 "$DATA"
check "the other marked blocks still fail" expect_fail dd if="$NVME_NS" of=/tmp/x bs=$BS skip=5002 count=1 iflag=direct status=none
check "Write Zeroes clears the rest" nvme write-zeroes "$NVME_NS" -s 5002 -c 5
check "zeroed blocks read zero" same_as 5002 6 "$ZERO"

info "size limits the host read from Identify CNS 06h"
check "discard_max_hw_bytes is 4096 blocks (DMRSL)" eq "$(cat /sys/block/nvme0n1/queue/discard_max_hw_bytes)" $((4096 * BS))
check "write_zeroes_max_bytes is 16 MiB (WZSL)" eq "$(cat /sys/block/nvme0n1/queue/write_zeroes_max_bytes)" $((16 << 20))

info "block layer discard and zero-out"
check "blkdiscard 1 MiB at 8 MiB" blkdiscard -o $((8 << 20)) -l $((1 << 20)) "$NVME_NS"
check "blkdiscard of the whole namespace (split by DMRSL)" blkdiscard "$NVME_NS"
check "discarded range reads zero" mib_reads_zero 8
check "dd write 1 MiB at 16 MiB" dd if=/dev/urandom of="$NVME_NS" bs=1M seek=16 count=1 oflag=direct status=none
check "blkdiscard -z (write zeroes) 1 MiB at 16 MiB" blkdiscard -z -o $((16 << 20)) -l $((1 << 20)) "$NVME_NS"
check "zeroed range reads zero" mib_reads_zero 16
check "unload" nvmev_unload
