#!/bin/bash
# Concurrency: fio with 8 jobs x QD 64, mixed read/write/trim with verify,
# for a fixed amount of data, on 4 vCPUs; then the same with a controller
# reset in the middle. Zero verify errors.
# append: memmap=2M$0x100000000
# vcpus: 4
# timeout: 400
source "$(dirname "$0")/../lib/guest.sh"

# 8 jobs at QD 64: 6 write their 8 MiB regions in 16 KiB random blocks
# and read every block back to verify it (verify_backlog; io_size 16m is
# 8 MiB written + 8 MiB verified per job); 2 trim
# their own 8 MiB regions in 64 KiB pieces. fio issues trims as
# synchronous BLKDISCARD ioctls (libaio has no trim). A fixed amount:
# 48 MiB written and verified, 16 MiB trimmed per run.
# conc_fio NAME BASE_MIB [LOOPS]
conc_fio() {
	local log=$RESULTS/fio-$1.log base=$2 loops=${3:-1} rc=0
	fio --loops="$loops" --ioengine=libaio --iodepth=64 --direct=1 --filename="$NVME_NS" \
		--group_reporting \
		--name="$1-rw" --numjobs=6 --rw=randwrite --bs=16k --size=8m \
		--io_size=16m --offset=${base}m --offset_increment=8m \
		--verify=crc32c --verify_backlog=256 --verify_fatal=1 \
		--name="$1-trim" --numjobs=2 --rw=randtrim --bs=64k --size=8m \
		--offset=$((base + 48))m --offset_increment=8m \
		>"$log" 2>&1 || rc=$?
	echo "fio $1: rc=$rc"
	[[ $rc -eq 0 ]] || grep -E 'error|verify|bad' "$log" | head -n 10
	return $rc
}

# "issued rwts: total=R,W,T,..." from a fio log: R >= W > 0 and T > 0.
mix_ok() {
	local r w t
	IFS=, read -r r w t _ < <(sed -n 's/.*issued rwts: total=//p' "$1" | head -n1)
	echo "issued: $r reads, $w writes, $t trims"
	((w > 0 && t > 0 && r >= w))
}
ctrl_live() { [[ $(cat /sys/class/nvme/nvme0/state) == live ]]; }
verify_errors() { grep -c -i -E 'verify: bad|verify failed|bad magic|crc32c: verify' "$1" || true; }

nvmev_load || fail "nvmev_load"
check "4 CPUs online" eq "$(nproc)" 4

info "8 jobs x QD 64: 6 write+verify, 2 trim"
check "fio concurrent" conc_fio conc 0
check "no verify errors" eq "$(verify_errors "$RESULTS/fio-conc.log")" 0
check "reads, writes and trims all issued; every write verified" mix_ok "$RESULTS/fio-conc.log"

info "the same with a controller reset in the middle"
# Four times the data, so that the reset lands in the middle of the I/O.
{ conc_fio conc-reset 256 4 || exit; } &
fio_pid=$!
sleep 1
check "fio still running when the reset comes" kill -0 "$fio_pid"
check "nvme reset under load" nvme reset "$NVME_CTRL"
check "controller live after the reset" wait_for ctrl_live 30
check "fio with a reset finished and verified" wait "$fio_pid"
check "no verify errors" eq "$(verify_errors "$RESULTS/fio-conc-reset.log")" 0
check "reads, writes and trims all issued; every write verified" mix_ok "$RESULTS/fio-conc-reset.log"
check "unload" nvmev_unload
