#!/bin/bash
# Interrupt remapping on (intel-iommu, intremap=on): the module loads, the
# nvme driver gets its MSI-X vectors from nvmev's own irq domain, and a fio
# write+verify passes. NVMeVirt needs intremap=off here.
# append: memmap=2M$0x100000000 intel_iommu=on
# qemu: -device intel-iommu,intremap=on
# timeout: 300
source "$(dirname "$0")/../lib/guest.sh"

check "interrupt remapping is on" dmesg_has 'DMAR-IR: Enabled IRQ remapping'
check "IO-APIC interrupts go through the remapping unit" grep -q 'IR-IO-APIC' /proc/interrupts
nvmev_load || fail "nvmev_load with interrupt remapping on"
check "MSI-X vectors come from the nvmev domain" grep -q 'nvmev-MSI' /proc/interrupts
check "fio write+verify" run_fio iommu --ioengine=io_uring --iodepth=32 --bs=4k \
	--rw=randwrite --size=64m --verify=crc32c --verify_fatal=1
check "unload" nvmev_unload
