#!/bin/bash
# A memmap= reservation in the middle of RAM, where the kernel's e820
# "Reserved" entry is exactly the reserved range (at 4G it merges with the
# firmware's reserved range below and is larger): the load must accept it,
# in both backing modes, and leave the "Reserved" entry in place on unload.
# append: memmap=4M$0x17bc00000
# timeout: 300
source "$(dirname "$0")/../lib/guest.sh"

MID=(memmap_start=0x17bc00000 memmap_size=4M cpus=1,2)

reserved_entry() { grep -q '^17bc00000-17bffffff : Reserved$' /proc/iomem; }

check "the e820 Reserved entry is exactly the range" reserved_entry
modprobe nvme
for i in 1 2; do
	check "RAM backing, load $i" nvmev_load "${MID[@]}" capacity=1G
	check "RAM backing, write+read $i" bash -c "dd if=/dev/urandom of=/tmp/d bs=64k count=4 status=none &&
		dd if=/tmp/d of=$NVME_NS bs=64k oflag=direct status=none &&
		cmp /tmp/d <(dd if=$NVME_NS bs=64k count=4 iflag=direct status=none)"
	check "RAM backing, unload $i" nvmev_unload
	check "Reserved entry back at the top level after unload $i" reserved_entry
done
check "memmap backing load" nvmev_load "${MID[@]}" backing=memmap
check "memmap backing, /proc/iomem shows nvmev storage" grep -q 'nvmev storage' /proc/iomem
check "memmap backing write" dd if=/dev/zero of="$NVME_NS" bs=4k count=16 oflag=direct status=none
check "memmap backing unload" nvmev_unload
check "Reserved entry still there" reserved_entry
