#!/bin/bash
# Guest side of tests/demo.sh: load nvmev and show it with the usual tools.
source "$(dirname "$0")/guest.sh"
trap - ERR EXIT # a demo, not a test: no check bookkeeping
set +e

show() {
	printf '\n$ %s\n' "$*"
	"$@"
}

nvmev_load || { echo "nvmev did not load"; exit 1; }
show nvme list
printf '\n$ nvme id-ctrl %s | head -n 25\n' "$NVME_CTRL"
nvme id-ctrl "$NVME_CTRL" | head -n 25
show nvme smart-log "$NVME_CTRL"
show fio --name=demo --filename="$NVME_NS" --direct=1 --ioengine=io_uring \
	--rw=randrw --bs=4k --iodepth=16 --size=256m --time_based --runtime=10 \
	--group_reporting
show lsblk
