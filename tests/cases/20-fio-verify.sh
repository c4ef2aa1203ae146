#!/bin/bash
# fio write + crc32c verify over block sizes 512..1m and queue depths 1, 16,
# 64 (libaio and io_uring), direct I/O; 8k also with buffers at page+512.
# append: memmap=2M$0x100000000
# timeout: 900
source "$(dirname "$0")/../lib/guest.sh"

nvmev_load || fail "nvmev_load"

# Bytes written (then verified) per job, by block size.
declare -A SIZE=([512]=1m [4k]=8m [8k]=16m [8k-unaligned]=16m [64k]=32m [128k]=32m [1m]=32m)
BLOCKS=(512 4k 8k 8k-unaligned 64k 128k 1m)
slot=0
for qd in 1 16 64; do
	engine=libaio
	[[ $qd -eq 64 ]] && engine=io_uring
	for b in "${BLOCKS[@]}"; do
		extra=()
		[[ $b == *-unaligned ]] && extra=(--iomem_align=512)
		# Each job gets its own 40 MiB slice of the 1 GiB device.
		check "fio verify bs=$b qd=$qd $engine" run_fio "bs$b-qd$qd" \
			--ioengine="$engine" --iodepth="$qd" --bs="${b%-unaligned}" \
			--rw=randwrite --offset=$((slot * 40))m --size="${SIZE[$b]}" \
			--verify=crc32c --do_verify=1 --verify_fatal=1 "${extra[@]}"
		slot=$((slot + 1))
	done
done
check "sequential 1m write+verify over 256 MiB" run_fio seq-1m \
	--ioengine=libaio --iodepth=16 --bs=1m --rw=write --offset=768m \
	--size=256m --verify=crc32c --verify_fatal=1
check "unload" nvmev_unload
