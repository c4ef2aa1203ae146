#!/bin/bash
# The ssd kind (NAND SSD: page-mapped FTL, write buffer, GC), in one boot:
#  - a 128 MiB SSD namespace takes random 4 KiB writes of 3x its capacity
#    with crc32c verify; GC runs (debugfs), write amplification is above
#    1, no line runs out, SMART Percentage Used grows (pe_cycles=10);
#  - a whole-device discard unmaps the FTL, a rewrite then verifies;
#  - ext4 on it and xfs on a second SSD namespace (nvme create-ns; xfs
#    needs 300 MiB), fsck clean;
#  - an NVM-kind namespace made with nvme create-ns beside them, under fio
#    verify together with the SSD one;
#  - rmmod while fio keeps GC busy.
# append: memmap=2M$0x100000000
# timeout: 900
if [[ ${1:-} == -h || ${1:-} == --help ]]; then
	sed -n '2,/^# append/{/^# append/d;s/^# \{0,1\}//;p}' "$0"
	echo "Runs in a test guest only (tests/run --case 26)."
	exit 0
fi
source "$(dirname "$0")/../lib/guest.sh"

STATS=/sys/kernel/debug/nvmev/nvmev0/stats
PARAMS=/sys/module/nvmev/parameters
MNT=/tmp/mnt
NS2=/dev/nvme0n2
NS3=/dev/nvme0n3

stat_field() { awk -v k="$1" '$1 == k {print $2}' "$STATS"; }
show_stats() { info "ssd stats: $(grep '^ns' "$STATS" | tr '\n' ' ')"; }

write_files() {
	local i
	mkdir -p "$MNT/dir"
	for i in $(seq 1 16); do
		head -c $((i * 131 * 1024 + i)) /dev/urandom >"$MNT/dir/f$i"
	done
	dd if=/dev/urandom of="$MNT/big" bs=1M count=24 status=none
	(cd "$MNT" && sha256sum big dir/*) >/tmp/sums
}
verify_files() { (cd "$MNT" && sha256sum --quiet -c /tmp/sums); }

# fs_round FS DEV "MKFS" "FSCK": mkfs, write, remount, verify, fstrim, fsck.
fs_round() {
	local fs=$1 dev=$2
	check "$fs: mkfs" sh -c "$3"
	check "$fs: mount" mount -t "$fs" "$dev" "$MNT"
	check "$fs: write files" write_files
	check "$fs: umount" umount "$MNT"
	check "$fs: remount" mount -t "$fs" "$dev" "$MNT"
	check "$fs: files verify" verify_files
	check "$fs: fstrim" fstrim "$MNT"
	check "$fs: umount again" umount "$MNT"
	check "$fs: fsck clean" sh -c "$4"
}

# create_attach BYTES: nvme create-ns of 512-byte blocks, then attach.
create_attach() {
	local nsid
	nsid=$(nvme create-ns "$NVME_CTRL" -s $(($1 / 512)) -c $(($1 / 512)) -f 0 |
		sed -n 's/.*nsid:\([0-9]*\).*/\1/p')
	[[ -n $nsid ]] || return 1
	nvme attach-ns "$NVME_CTRL" -n "$nsid" -c 1 || return 1
	wait_for "[[ -b /dev/nvme0n$nsid ]]" 20
}

dmesg_mark
nvmev_load memmap_start=4G memmap_size=2M capacity=128M total_capacity=512M \
	backing_max=512M kind=ssd ssd=pe_cycles=10 cpus=1,2 ||
	fail "nvmev_load kind=ssd"
[[ -d /sys/kernel/debug/nvmev ]] || mount -t debugfs debugfs /sys/kernel/debug
check "dmesg names the SSD geometry" dmesg_has "nvmev0: namespace 1: SSD, 8 channels x 2 dies, [0-9]+ lines"
check "debugfs shows the FTL of namespace 1" test -n "$(stat_field ns1_lines)"
check "SMART percent used starts at 0" num_eq "$(smart_log_field percent_used)" 0
show_stats

# Each pass writes every block once in a new random order: with verify,
# fio repeats its order whatever --randseed says unless randrepeat=0, and
# the same order twice frees whole lines (no GC copies; WAF 1.0).
info "random 4 KiB writes of 3x the capacity, verified after each pass"
for pass in 1 2 3; do
	check "fio randwrite pass $pass over 128 MiB, crc32c verify" \
		run_fio "gc$pass" --ioengine=libaio --iodepth=16 --bs=4k \
		--rw=randwrite --size=128m --randrepeat=0 \
		--verify=crc32c --do_verify=1 --verify_fatal=1
done
show_stats
gc=$(($(stat_field ns1_gc_fg_lines) + $(stat_field ns1_gc_bg_lines)))
check "GC reclaimed lines" num_ge "$gc" 1
check "GC moved valid pages" num_ge "$(stat_field ns1_gc_write_pages)" 1
check "write amplification above 1.0" num_ge "$(stat_field ns1_waf_x1000)" 1001
check "host pages counted" num_ge "$(stat_field ns1_host_write_pages)" $((3 * 32768))
check "never out of free lines" num_eq "$(stat_field ns1_no_space)" 0
check "free lines left" num_ge "$(stat_field ns1_free_lines)" 1
check "SMART percent used grew (pe_cycles=10)" num_ge "$(smart_log_field percent_used)" 1
check "SMART data units written" num_ge "$(smart_log_field data_units_written)" 700

info "discard, then rewrite"
trim0=$(stat_field ns1_trim_pages)
check "blkdiscard the whole namespace" blkdiscard "$NVME_NS"
check "the FTL unmapped the discarded pages" num_ge "$(stat_field ns1_trim_pages)" $((trim0 + 16384))
check "rewrite 64 MiB after discard, verify" run_fio retrim --ioengine=libaio \
	--iodepth=8 --bs=64k --rw=write --size=64m --verify=crc32c --verify_fatal=1

mkdir -p "$MNT"
fs_round ext4 "$NVME_NS" "mkfs.ext4 -F -q $NVME_NS" "e2fsck -fn $NVME_NS"
check "create and attach a 320 MiB SSD namespace (2)" create_attach $((320 << 20))
check "namespace 2 has an FTL of its own" test -n "$(stat_field ns2_lines)"
check "xfs module" modprobe xfs
fs_round xfs "$NS2" "mkfs.xfs -f -q $NS2" "xfs_repair -n $NS2"
show_stats

info "an NVM-kind namespace beside the SSD one"
check "new_ns_kind=nvm" sh -c "echo nvm >$PARAMS/new_ns_kind"
check "new_ns_kind reads back" eq "$(cat $PARAMS/new_ns_kind)" nvm
check "new_ns_kind=disk refused" expect_fail sh -c "echo disk >$PARAMS/new_ns_kind"
check "and the kind stays nvm" eq "$(cat $PARAMS/new_ns_kind)" nvm
check "create and attach a 64 MiB namespace (3)" create_attach $((64 << 20))
check "namespace 3 has no FTL (NVM kind)" test -z "$(stat_field ns3_lines)"
fio --name=ns3 --filename="$NS3" --direct=1 --ioengine=libaio --iodepth=8 \
	--bs=4k --rw=randwrite --size=48m --verify=crc32c --verify_fatal=1 \
	>"$RESULTS/fio-ns3.log" 2>&1 &
ns3_pid=$!
check "SSD namespace verify while the NVM one runs" run_fio both \
	--ioengine=libaio --iodepth=8 --bs=8k --rw=randwrite --size=64m \
	--verify=crc32c --verify_fatal=1
check "NVM namespace verify" wait "$ns3_pid"
show_stats

info "rmmod while fio keeps GC busy"
gc0=$(($(stat_field ns1_gc_fg_lines) + $(stat_field ns1_gc_bg_lines)))
fio --name=busy --filename="$NVME_NS" --direct=1 --ioengine=io_uring \
	--iodepth=32 --bs=4k --rw=randwrite --size=128m --time_based \
	--runtime=60 >"$RESULTS/fio-busy.log" 2>&1 &
fio_pid=$!
wait_for "[[ \$((\$(stat_field ns1_gc_fg_lines) + \$(stat_field ns1_gc_bg_lines))) -gt $gc0 ]]" 40 ||
	info "GC did not start within 40 s"
check "GC running before the unload" num_ge "$(($(stat_field ns1_gc_fg_lines) + $(stat_field ns1_gc_bg_lines)))" $((gc0 + 1))
check "rmmod under GC" timeout 60 rmmod nvmev
check "fio ends instead of hanging" timeout 60 tail --pid="$fio_pid" -f /dev/null
wait "$fio_pid" || true
check "module loads again as an SSD" nvmev_load memmap_start=4G memmap_size=2M \
	capacity=64M kind=ssd profile=tlc-dc cpus=1,2
check "and unloads" nvmev_unload
