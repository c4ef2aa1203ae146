#!/bin/bash
# Harness self-test: the guest boots, the inbox nvme driver loads, the
# tools the other cases use are there, and nvmev.ko for this kernel exists.
# Passes without loading nvmev.
# timeout: 120
source "$(dirname "$0")/../lib/guest.sh"

check "running the guest kernel $KVER" eq "$(uname -r)" "$KVER"
check "modprobe nvme" modprobe nvme
check "nvme driver bound" test -d /sys/bus/pci/drivers/nvme
check "nvmev.ko present" test -f "$NVMEV_KO"
check "nvmev.ko built for $KVER" eq "$(modinfo -F vermagic "$NVMEV_KO" | cut -d' ' -f1)" "$KVER"
for tool in nvme fio mkfs.ext4 blkdiscard lsblk sha256sum dd awk grep \
	modprobe insmod rmmod cmp; do
	check "tool $tool" command -v "$tool"
done
check "writable /tmp" dd if=/dev/zero of=/tmp/probe bs=1M count=8 status=none
check "results folder writable" touch "$RESULTS/probe"
