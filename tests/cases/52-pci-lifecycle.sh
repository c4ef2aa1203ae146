#!/bin/bash
# PCI lifecycle from user space while nvmev stays loaded: remove the
# function and rescan the bus; unbind and rebind the nvme driver. Each
# time the controller comes back, data written before reads back, and a
# fio write+verify passes. Finally rmmod with the function removed.
# append: memmap=2M$0x100000000
# timeout: 300
source "$(dirname "$0")/../lib/guest.sh"

ROUNDS=2
DRV=/sys/bus/pci/drivers/nvme

ctrl_live() { [[ $(cat /sys/class/nvme/nvme0/state 2>/dev/null) == live ]]; }
ns_ready() { [[ -b $NVME_NS && $(blockdev --getsize64 "$NVME_NS" 2>/dev/null || echo 0) -gt 0 ]]; }
gone() { [[ ! -e /sys/bus/pci/devices/$PCIDEV && ! -e $NVME_CTRL ]]; }
unbound() { [[ ! -e /sys/bus/pci/devices/$PCIDEV/driver && ! -e $NVME_CTRL ]]; }
back() { wait_for ctrl_live 30 && wait_for ns_ready 30; }
data_intact() {
	cmp /tmp/data <(dd if="$NVME_NS" bs=1M skip=900 count=4 iflag=direct status=none)
}
short_verify() {
	run_fio "$1" --ioengine=libaio --iodepth=16 --bs=16k --rw=randwrite \
		--size=8m --offset=$((100 + $2 * 8))m --verify=crc32c --verify_fatal=1
}

nvmev_load || fail "nvmev_load"
PCIDEV=$(basename "$(readlink -f /sys/class/nvme/nvme0/device)")
info "nvmev's function is $PCIDEV"
head -c $((4 << 20)) /dev/urandom >/tmp/data
check "write 4 MiB reference data" dd if=/tmp/data of="$NVME_NS" bs=1M seek=900 oflag=direct status=none

n=0
for ((r = 1; r <= ROUNDS; r++)); do
	info "remove + rescan #$r"
	check "remove #$r" sh -c "echo 1 >/sys/bus/pci/devices/$PCIDEV/remove"
	check "function and controller gone #$r" wait_for gone 30
	check "rescan #$r" sh -c 'echo 1 >/sys/bus/pci/rescan'
	check "controller back after rescan #$r" back
	check "same PCI address after rescan #$r" test -e "/sys/bus/pci/devices/$PCIDEV/nvme"
	check "data intact after rescan #$r" data_intact
	check "fio verify after rescan #$r" short_verify rescan$r $((n++))

	info "unbind + bind #$r"
	check "unbind #$r" sh -c "echo $PCIDEV >$DRV/unbind"
	check "driver let go #$r" wait_for unbound 30
	check "bind #$r" sh -c "echo $PCIDEV >$DRV/bind"
	check "controller back after bind #$r" back
	check "data intact after rebind #$r" data_intact
	check "fio verify after rebind #$r" short_verify rebind$r $((n++))
done

info "unbind, then rmmod with no driver bound"
check "unbind" sh -c "echo $PCIDEV >$DRV/unbind"
check "rmmod with the function unbound" nvmev_unload
check "load again" nvmev_load
check "fresh device reads zeroes (RAM backing is not kept)" cmp -n $((1 << 20)) /dev/zero <(dd if="$NVME_NS" bs=1M skip=900 count=1 iflag=direct status=none)

info "remove, then rmmod with the function already gone"
PCIDEV=$(basename "$(readlink -f /sys/class/nvme/nvme0/device)")
check "remove" sh -c "echo 1 >/sys/bus/pci/devices/$PCIDEV/remove"
check "function gone" wait_for gone 30
check "rmmod with the function removed" nvmev_unload
check "virtual PCI domain gone" eq "$(ls /sys/bus/pci/devices | grep -c '^[0-9a-f]\{5,\}:' || true)" 0
check "load once more" nvmev_load
check "and unload" nvmev_unload
