#!/bin/bash
# No memmap= on the command line: loading fails with a clear nvmev: message
# that mentions memmap=, both without memmap_start and with a RAM range.
# timeout: 200
source "$(dirname "$0")/../lib/guest.sh"

NVMEV_LINE='^\[ *[0-9.]+\] nvmev: .*memmap='

modprobe nvme
check "4 GiB is System RAM here" grep -qE '^ *100000000-[0-9a-f]+ : System RAM' /proc/iomem

dmesg_mark
check "load without memmap_start fails" expect_fail nvmev_insmod capacity=1G cpus=1,2
check "nvmev: line mentions memmap=" dmesg_has "$NVMEV_LINE"

dmesg_mark
check "load on System RAM fails" expect_fail nvmev_insmod "${NVMEV_DEFAULT_PARAMS[@]}"
check "nvmev: line mentions memmap=" dmesg_has "$NVMEV_LINE"

check "module not loaded" expect_fail nvmev_loaded
check "no nvme controller" expect_fail test -e "$NVME_CTRL"
