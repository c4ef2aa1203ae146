#!/bin/bash
# Controller behaviours the nvme driver never provokes, driven from user
# space (tests/tools/nvme-uhost.py) with the nvme driver unbound:
#  - a full CQ: completions wait for room, none is lost, other CQs go on;
#  - the SQ head reported in completions never goes backwards;
#  - Delete I/O SQ completes the commands it holds as "Command Aborted due
#    to SQ Deletion";
#  - queue and PRP addresses in nvmev's BAR or beyond RAM fail with a
#    status, and the controller stays usable;
#  - a fused Compare and Write pair is refused (FUSES = 0), nothing written;
#  - Format NVM waits for the namespace's held I/O, refuses new I/O with
#    Namespace Not Ready meanwhile, and leaves the admin queue served.
# The debugfs counters must agree; afterwards the nvme driver binds again
# and a fio verify passes.
# append: memmap=2M$0x100000000
# timeout: 300
if [[ ${1:-} == -h || ${1:-} == --help ]]; then
	sed -n '2,/^# append/{/^# append/d;s/^# \{0,1\}//;p}' "$0"
	echo "Runs in a test guest only (tests/run --case 77)."
	exit 0
fi
source "$(dirname "$0")/../lib/guest.sh"

UHOST=$(dirname "$0")/../tools/nvme-uhost.py
PARAMS=/sys/module/nvmev/parameters
NVME_DRV=/sys/bus/pci/drivers/nvme
STATS=/sys/kernel/debug/nvmev/nvmev0/stats
BDF=

# The PCI function of nvmev (vendor:device cafe:0001).
nvmev_bdf() {
	local d
	for d in /sys/bus/pci/devices/*; do
		if [[ $(cat "$d/vendor") == 0xcafe && $(cat "$d/device") == 0x0001 ]]; then
			basename "$d"
			return 0
		fi
	done
	return 1
}

stat_field() { awk -v k="$1" '$1 == k {print $2}' "$STATS"; }

# uhost CMD: run the tool on $BDF, its output kept in $RESULTS.
uhost() {
	local log=$RESULTS/uhost-$1.log rc=0
	python3 "$UHOST" --bdf "$BDF" "$1" >"$log" 2>&1 || rc=$?
	cat "$log"
	return $rc
}

unbind() {
	echo "$BDF" >"$NVME_DRV/unbind" || return 1
	wait_for "[[ ! -e $NVME_NS && ! -e /sys/bus/pci/devices/$BDF/driver ]]" 10
}

rebind() {
	echo "$BDF" >"$NVME_DRV/bind" || return 1
	wait_for "[[ -b $NVME_NS ]]" || return 1
	wait_for "[[ \$(blockdev --getsize64 $NVME_NS 2>/dev/null || echo 0) -gt 0 ]]" 10
}

set_param() { echo "$2" >"$PARAMS/$1"; }

nvmev_load || fail "nvmev_load"
if [[ ! -e /sys/kernel/debug/nvmev ]]; then
	mount -t debugfs debugfs /sys/kernel/debug || fail "mount debugfs"
fi
BDF=$(nvmev_bdf) || fail "no PCI function cafe:0001"
check "debugfs stats file" test -r "$STATS"
info "nvmev is $BDF; stats: $(tr '\n' ' ' <"$STATS" 2>/dev/null)"
cq_waits0=$(stat_field cq_full_waits)
aborted0=$(stat_field aborted_sq_deletion)
# Compaction may move mlocked pages; the tool's queues must stay put.
echo 0 >/proc/sys/vm/compact_unevictable_allowed 2>/dev/null || true
dmesg_mark

check "unbind the nvme driver from $BDF" unbind
[[ ! -e /sys/bus/pci/devices/$BDF/driver ]] || fail "a driver is still bound to $BDF"
check "user-space bring-up and Identify" uhost identify

check "cq-full: completions wait for CQ room, other CQs go on" uhost cq-full
check "cq_full_waits counted" num_ge "$(stat_field cq_full_waits)" $((cq_waits0 + 1))

# Writes much slower than reads, so completions come out of order.
set_param write_lat_ns 500000
check "sq-head: reported SQ head never goes backwards" uhost sq-head
set_param write_lat_ns 8000

# Reads held for 2 s, long enough to delete their SQ under them.
set_param read_lat_ns 2000000000
check "sq-delete: held reads aborted by Delete I/O SQ" uhost sq-delete
set_param read_lat_ns 8300
check "aborted_sq_deletion counted" num_ge "$(stat_field aborted_sq_deletion)" $((aborted0 + 8))

check "bad-addr: BAR and far addresses refused with a status" uhost bad-addr
check "fused: a fused Compare and Write pair is refused" uhost fused
set_param read_lat_ns 2000000000
check "format: Format NVM waits for held I/O and leaves the dispatcher free" uhost format
set_param read_lat_ns 8300
info "stats: $(tr '\n' ' ' <"$STATS" 2>/dev/null)"
info "nvmev messages: $(dmesg_since | grep -c 'nvmev' || true)"

check "rebind the nvme driver" rebind
check "controller live" eq "$(cat /sys/class/nvme/nvme0/state)" live
check "fio verify after rebind" run_fio rebound --ioengine=libaio --iodepth=16 \
	--bs=4k --rw=randwrite --size=32m --offset=128m \
	--verify=crc32c --verify_fatal=1
check "unload" nvmev_unload
