#!/bin/bash
# Identity: PCI class and domain, id-ctrl, id-ns, nvme list, smart-log
# counters; then mdts and lba_size parameters.
# append: memmap=2M$0x100000000
# timeout: 300
source "$(dirname "$0")/../lib/guest.sh"

CAP=$((1 << 30))

pci_addr() { basename "$(readlink -f /sys/class/nvme/nvme0/device)"; }
nvme_list_has() { nvme list | grep -- "$1" >/dev/null; }
max_hw_kb() { cat /sys/block/nvme0n1/queue/max_hw_sectors_kb; }

check "modinfo version is the tree's VERSION" eq "$(modinfo -F version "$NVMEV_KO")" "$(cat "$NVMEV_SRC/VERSION")"
nvmev_load || fail "nvmev_load with default parameters"

addr=$(pci_addr)
info "controller at PCI $addr"
check "PCI domain >= 0x10000" num_ge "0x${addr%%:*}" 0x10000
check "PCI class 0x010802" eq "$(cat /sys/class/nvme/nvme0/device/class)" 0x010802
check "id-ctrl mn starts with nvmev" starts_with "$(id_ctrl_field mn)" nvmev
check "id-ctrl sn not empty" test -n "$(id_ctrl_field sn)"
check "id-ctrl nn is 16 (namespace management)" num_eq "$(id_ctrl_field nn)" 16
check "id-ctrl ver is 0x20000" num_eq "$(id_ctrl_field ver)" 0x20000
check "id-ctrl mdts is 8 (default)" num_eq "$(id_ctrl_field mdts)" 8
check "id-ns nsze is capacity/512" num_eq "$(id_ns_field nsze)" $((CAP / 512))
check "logical block size 512" eq "$(ns_lba_size)" 512
check "block device size is 1 GiB" eq "$(blockdev --getsize64 "$NVME_NS")" "$CAP"
check "nvme list shows nvme0n1" nvme_list_has nvme0n1
check "nvme list shows the model" nvme_list_has nvmev

written=$(smart_log_field data_units_written)
read_before=$(smart_log_field data_units_read)
writes=$(smart_log_field host_write_commands)
info "smart-log before: data_units_written=$written data_units_read=$read_before"
check "write 16 MiB" dd if=/dev/urandom of="$NVME_NS" bs=1M count=16 oflag=direct status=none
check "read 16 MiB" dd if="$NVME_NS" of=/dev/null bs=1M count=16 iflag=direct status=none
# Data units are thousands of 512-byte blocks: 16 MiB is ~33 units.
check "data_units_written grew by >= 30" num_ge "$(smart_log_field data_units_written)" $((written + 30))
check "data_units_read grew by >= 30" num_ge "$(smart_log_field data_units_read)" $((read_before + 30))
check "host_write_commands grew" num_ge "$(smart_log_field host_write_commands)" $((writes + 16))
check "no critical warning at start" num_eq "$(smart_log_field critical_warning)" 0
check "set an over-temperature threshold below the temperature" nvme set-feature "$NVME_CTRL" -f 4 -v 300
check "critical_warning has the temperature bit" num_eq "$(smart_log_field critical_warning)" 2
check "restore the threshold" nvme set-feature "$NVME_CTRL" -f 4 -v 343
check "critical_warning clear again" num_eq "$(smart_log_field critical_warning)" 0
check "unload" nvmev_unload

info "mdts=5 lba_size=4096"
nvmev_load "${NVMEV_DEFAULT_PARAMS[@]}" mdts=5 lba_size=4096 || fail "load with mdts=5 lba_size=4096"
check "id-ctrl mdts is 5" num_eq "$(id_ctrl_field mdts)" 5
check "max transfer is 128 KiB" num_eq "$(max_hw_kb)" 128
check "logical block size 4096" eq "$(ns_lba_size)" 4096
check "id-ns nsze is capacity/4096" num_eq "$(id_ns_field nsze)" $((CAP / 4096))
check "4 KiB I/O works" dd if=/dev/zero of="$NVME_NS" bs=4k count=64 oflag=direct status=none
check "unload" nvmev_unload
