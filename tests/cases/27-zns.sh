#!/bin/bash
# The zns kind (Zoned Namespace command set, CSI 02h), in one boot:
#  - the host driver exposes it as a host-managed zoned disk; sysfs queue
#    attributes (zoned, chunk_sectors, nr_zones, max_open_zones,
#    max_active_zones, zone_append_max_bytes) match the device;
#  - blkzone report/open/close/finish/reset and nvme zns give the zone
#    states the specification says;
#  - bad zone operations through nvme-cli get their status codes;
#  - reads past the write pointer return zeroes, also after a reset;
#  - fio --zonemode=zbd write + verify over 16 zones at the open limit;
#  - btrfs in zoned mode (its data goes through Zone Append);
#  - nvme create-ns --csi=2 makes a second zoned namespace;
#  - Format NVM empties every zone.
# append: memmap=2M$0x100000000
# timeout: 900
if [[ ${1:-} == -h || ${1:-} == --help ]]; then
	sed -n '2,/^# append/{/^# append/d;s/^# \{0,1\}//;p}' "$0"
	echo "Runs in a test guest only (tests/run --case 27)."
	exit 0
fi
source "$(dirname "$0")/../lib/guest.sh"

STATS=/sys/kernel/debug/nvmev/nvmev0/stats
Q=/sys/block/nvme0n1/queue
MNT=/tmp/mnt
ZSECT=131072		# 64 MiB zones in 512-byte sectors
ZLBA=131072		# ... and in LBAs (512-byte blocks)

stat_field() { awk -v k="$1" '$1 == k {print $2}' "$STATS"; }

# zone_cond N: the condition blkzone reports for zone N (em, oi, oe, cl, fu, ...).
zone_cond() {
	blkzone report -o $(($1 * ZSECT)) -c 1 "$NVME_NS" |
		sed -n 's/.*zcond: *[0-9]*(\([a-z]*\)).*/\1/p'
}
# zone_wp N: the write pointer blkzone prints, relative to the zone start.
zone_wp() {
	blkzone report -o $(($1 * ZSECT)) -c 1 "$NVME_NS" |
		sed -n 's/.*wptr 0x\([0-9a-f]*\).*/\1/p'
}
# zmr_nr FILTER LEN [-p]: NRZONES of a Zone Management Receive (raw).
# zmr_nr FILTER BYTES [--partial]: NRZONES of one Zone Management Receive
# from LBA 0 (nvme-cli 2.3 shows neither the raw data nor a partial count).
zmr_nr() {
	local out
	out=$(python3 "$NVMEV_SRC/tests/tools/zns-ioctl.py" report "$NVME_NS" 0 \
		--bytes "$2" --filter "$1" ${3:-}) || return 1
	echo "zmr filter $1, $2 bytes ${3:-}: $out" >&2
	sed -n 's/^nr_zones=\([0-9]*\) .*/\1/p' <<<"$out"
}
zcount() { blkzone report "$NVME_NS" | grep -c "($1)" || true; }

dmesg_mark
nvmev_load memmap_start=4G memmap_size=2M capacity=10G total_capacity=12G \
	backing_max=3G kind=zns zns=max_open=12,max_active=14 cpus=1,2 ||
	fail "nvmev_load kind=zns"
[[ -d /sys/kernel/debug/nvmev ]] || mount -t debugfs debugfs /sys/kernel/debug
check "dmesg names the zones" dmesg_has "nvmev0: namespace 1: ZNS, 160 zones of 64 MiB"
check "no namespace forced read-only or hidden (nvme driver messages)" expect_fail dmesg_has "nvme.*(read-only|not supported|invalid zone)"

info "sysfs queue attributes"
check "queue/zoned is host-managed" eq "$(cat $Q/zoned)" host-managed
check "chunk_sectors is the zone size" num_eq "$(cat $Q/chunk_sectors)" $ZSECT
check "nr_zones is 160" num_eq "$(cat $Q/nr_zones)" 160
check "max_open_zones is 12" num_eq "$(cat $Q/max_open_zones)" 12
check "max_active_zones is 14" num_eq "$(cat $Q/max_active_zones)" 14
check "zone_append_max_bytes is ZASL (64 KiB)" num_eq "$(cat $Q/zone_append_max_bytes)" 65536
check "the disk is writable" num_eq "$(cat /sys/block/nvme0n1/ro)" 0
info "scheduler: $(cat $Q/scheduler)"
# 6.1 leaves a multi-queue zoned disk on "none", which may reorder writes
# to a zone; mq-deadline serialises them (udev/61-nvmev.rules sets it on
# installed systems; the test guest runs no udev). 6.12 plugs zone writes.
check "mq-deadline for the zoned disk" eval "echo mq-deadline >$Q/scheduler"

info "nvme zns identify"
check "zns id-ctrl: zasl 4" eq "$(nvme zns id-ctrl "$NVME_NS" -o json | json_field zasl)" 4
idns=$(nvme zns id-ns "$NVME_NS" -o json)
check "zns id-ns: mor 11 (0's based)" eq "$(json_field mor <<<"$idns")" 11
check "zns id-ns: mar 13" eq "$(json_field mar <<<"$idns")" 13
check "zns id-ns: zoc 0" eq "$(json_field zoc <<<"$idns")" 0
check "zns id-ns: zone size in LBAs" grep -q "\"zsze\" *: *$ZLBA" <<<"$idns"
check "nvme list-ns --csi=2 lists namespace 1" sh -c "nvme list-ns $NVME_CTRL --csi=2 | grep -q ':0x1'"
check "effects log for CSI 2 has Zone Append" sh -c "nvme effects-log $NVME_CTRL --csi=2 | grep -qi 'Zone Append\|7d'"

info "blkzone"
check "160 empty zones" num_eq "$(zcount em)" 160
check "blkzone open zone 0" blkzone open -o 0 -c 1 "$NVME_NS"
check "zone 0 explicitly opened" eq "$(zone_cond 0)" oe
check "blkzone close of an open zone without data: empty" blkzone close -o 0 -c 1 "$NVME_NS"
check "zone 0 empty again" eq "$(zone_cond 0)" em
check "write 1 MiB at zone 1's start" dd if=/dev/urandom of="$NVME_NS" bs=1M seek=64 count=1 oflag=direct status=none
check "zone 1 implicitly opened" eq "$(zone_cond 1)" oi
check "zone 1 write pointer moved by 1 MiB" eq "$((16#$(zone_wp 1)))" 2048
check "blkzone close zone 1" blkzone close -o $ZSECT -c 1 "$NVME_NS"
check "zone 1 closed" eq "$(zone_cond 1)" cl
check "blkzone finish zone 1" blkzone finish -o $ZSECT -c 1 "$NVME_NS"
check "zone 1 full" eq "$(zone_cond 1)" fu
check "blkzone reset zone 1" blkzone reset -o $ZSECT -c 1 "$NVME_NS"
check "zone 1 empty" eq "$(zone_cond 1)" em
check "zone resets counted (debugfs)" num_ge "$(stat_field ns1_zone_resets)" 1

info "reads past the write pointer"
head -c 4096 /dev/urandom >/tmp/blk4k
check "write 4 KiB at zone 2" dd if=/tmp/blk4k of="$NVME_NS" bs=4k seek=$((2 * 16384)) oflag=direct status=none
dd if="$NVME_NS" of=/tmp/rd bs=4k skip=$((2 * 16384)) count=2 iflag=direct status=none
check "first 4 KiB read back" cmp -n 4096 /tmp/rd /tmp/blk4k
check "the next 4 KiB (past the write pointer) are zeroes" cmp -n 4096 -i 4096:0 /tmp/rd /dev/zero
check "blkzone reset zone 2" blkzone reset -o $((2 * ZSECT)) -c 1 "$NVME_NS"
dd if="$NVME_NS" of=/tmp/rd bs=4k skip=$((2 * 16384)) count=1 iflag=direct status=none
check "after reset the data reads as zeroes" cmp -n 4096 /tmp/rd /dev/zero

info "a reset frees the zone's memory (RAM backing)"
check "write 8 MiB into zone 6" dd if=/dev/urandom of="$NVME_NS" bs=1M seek=384 count=8 oflag=direct status=none
pages0=$(stat_field backing_pages)
check "blkzone reset zone 6" blkzone reset -o $((6 * ZSECT)) -c 1 "$NVME_NS"
pages1=$(stat_field backing_pages)
info "backing pages: $pages0 -> $pages1"
check "2048 pages (8 MiB) freed" num_ge $((pages0 - pages1)) 2048

info "nvme zns commands and their status codes"
head -c 512 /dev/urandom >/tmp/blk
Z3=$((3 * ZLBA)); Z4=$((4 * ZLBA)); Z5=$((5 * ZLBA))
check "write not at the write pointer: Zone Invalid Write (0x1bc)" \
	status_is 0x41bc nvme write "$NVME_NS" -s $((Z3 + 8)) -c 0 -z 512 -d /tmp/blk
out=$(nvme zns zone-append "$NVME_NS" -s $Z3 -z 512 -d /tmp/blk 2>&1 || true)
info "zone-append: $out"
check "zone append returns the assigned LBA" grep -q "LBA $(printf '%x' $Z3)\$" <<<"$out"
out=$(nvme zns zone-append "$NVME_NS" -s $Z3 -z 512 -d /tmp/blk 2>&1 || true)
check "a second append lands after the first" grep -q "LBA $(printf '%x' $((Z3 + 1)))\$" <<<"$out"
head -c 131072 /dev/urandom >/tmp/blk128k
check "append larger than ZASL: Invalid Field (0x2)" \
	status_is 0x4002 nvme zns zone-append "$NVME_NS" -s $Z3 -z 131072 -d /tmp/blk128k
check "append not at a zone start: Invalid Field" \
	status_is 0x4002 nvme zns zone-append "$NVME_NS" -s $((Z3 + 1)) -z 512 -d /tmp/blk
check "close of an empty zone: Invalid Zone State Transition (0x1bf)" \
	status_is 0x41bf nvme zns close-zone "$NVME_NS" -s $Z4
check "offline of a zone not read-only: Invalid Zone State Transition" \
	status_is 0x41bf nvme zns offline-zone "$NVME_NS" -s $Z3
check "zone management at a non-start LBA: Invalid Field" \
	status_is 0x4002 nvme zns open-zone "$NVME_NS" -s $((Z4 + 1))
check "zone management past the end: LBA Out of Range (0x80)" \
	status_is 0x4080 nvme zns open-zone "$NVME_NS" -s $((160 * ZLBA))
check "read across a zone boundary: Zone Boundary Error (0x1b8)" \
	status_is 0x41b8 nvme read "$NVME_NS" -s $((Z4 - 1)) -c 1 -z 1024 -d /tmp/x
check "finish zone 4" nvme zns finish-zone "$NVME_NS" -s $Z4
check "write to a full zone: Zone Is Full (0x1b9)" \
	status_is 0x41b9 nvme write "$NVME_NS" -s $Z4 -c 0 -z 512 -d /tmp/blk
check "fill zone 5 but 2 KiB (block layer)" dd if=/dev/zero of="$NVME_NS" bs=1M seek=320 count=63 oflag=direct status=none
check "... and 1020 KiB more" dd if=/dev/zero of="$NVME_NS" bs=1k seek=$((320 * 1024 + 63 * 1024)) count=1022 oflag=direct status=none
check "write across the zone end: Zone Boundary Error (0x1b8)" \
	status_is 0x41b8 nvme write "$NVME_NS" -s $((Z5 + ZLBA - 4)) -c 7 -z 4096 -d /tmp/blk4k
check "report with an unknown state filter: Invalid Field" \
	status_is 0x4002 nvme zns zone-mgmt-recv "$NVME_NS" -s 0 --zra=0 --zrasf=9 --data-len=4096
check "extended report (not offered): Invalid Field" \
	status_is 0x4002 nvme zns zone-mgmt-recv "$NVME_NS" -s 0 --zra=1 --data-len=4096
check "reset zones 3..5" blkzone reset -o $((3 * ZSECT)) -c 3 "$NVME_NS"

info "open and active limits (max_open=12, max_active=14)"
for z in $(seq 10 21); do
	nvme zns open-zone "$NVME_NS" -s $((z * ZLBA)) >/dev/null || fail "open zone $z"
done
check "12 zones explicitly opened" num_eq "$(zcount oe)" 12
check "a 13th open: Too Many Open Zones (0x1be)" \
	status_is 0x41be nvme zns open-zone "$NVME_NS" -s $((22 * ZLBA))
check "a write to a 13th zone: Too Many Open Zones" \
	status_is 0x41be nvme write "$NVME_NS" -s $((22 * ZLBA)) -c 0 -z 512 -d /tmp/blk
for z in 10 11; do
	nvme write "$NVME_NS" -s $((z * ZLBA)) -c 0 -z 512 -d /tmp/blk >/dev/null &&
		nvme zns close-zone "$NVME_NS" -s $((z * ZLBA)) >/dev/null || fail "close zone $z"
done
check "two zones closed with data" num_eq "$(zcount cl)" 2
check "open zone 22 and 23 (14 active)" sh -c "nvme zns open-zone $NVME_NS -s $((22 * ZLBA)) && nvme zns open-zone $NVME_NS -s $((23 * ZLBA))"
check "a 15th active: Too Many Active Zones (0x1bd)" \
	status_is 0x41bd nvme zns open-zone "$NVME_NS" -s $((24 * ZLBA))
check "report, state filter 4 (closed): 2 zones" num_eq "$(zmr_nr 4 4096)" 2
check "report, state filter 3 (explicitly opened): 12 zones" num_eq "$(zmr_nr 3 4096)" 12
check "report of 4 descriptors, not partial: all 160 counted" num_eq "$(zmr_nr 0 320)" 160
check "partial report of 4 descriptors: 4 counted" num_eq "$(zmr_nr 0 320 --partial)" 4
check "nvme zns report-zones, closed zones: 2 listed" eq "$(nvme zns report-zones "$NVME_NS" -S 4 -o json | grep -c '"slba"')" 2
check "blkzone reset all" blkzone reset "$NVME_NS"
check "160 empty zones again" num_eq "$(zcount em)" 160
check "reset all (select all) freed the data pages" num_ge 64 "$(stat_field backing_pages)"
check "debugfs: none open" num_eq "$(stat_field ns1_zones_open)" 0

info "fio zonemode=zbd, write + verify over 16 zones at the open limit"
check "fio zbd write+verify" run_fio zbd --zonemode=zbd --max_open_zones=12 \
	--ioengine=libaio --iodepth=8 --rw=write --bs=128k --offset=1g \
	--size=1g --verify=crc32c --verify_fatal=1
check "fio zbd randwrite, then verify" run_fio zbdrand --zonemode=zbd \
	--max_open_zones=12 --ioengine=psync --rw=randwrite --bs=16k \
	--offset=2g --size=512m --io_size=64m --verify=crc32c --verify_fatal=1
check "blkzone reset all before btrfs" blkzone reset "$NVME_NS"

info "btrfs, zoned"
mkdir -p "$MNT"
check "btrfs module" modprobe btrfs
check "mkfs.btrfs (zoned)" mkfs.btrfs -q -f -d single -m single "$NVME_NS"
check "mount btrfs" mount -t btrfs "$NVME_NS" "$MNT"
check "write files" sh -c "for i in \$(seq 1 12); do head -c \$((i * 517 * 1024)) /dev/urandom >$MNT/f\$i; done; dd if=/dev/urandom of=$MNT/big bs=1M count=48 status=none; sync"
(cd "$MNT" && sha256sum f* big) >/tmp/sums
check "umount" umount "$MNT"
check "mount again" mount -t btrfs "$NVME_NS" "$MNT"
check "files verify" sh -c "cd $MNT && sha256sum --quiet -c /tmp/sums"
check "umount again" umount "$MNT"
check "btrfs check clean" btrfs check "$NVME_NS"
check "btrfs wrote its data with Zone Append" num_ge "$(stat_field ns1_zone_appends)" 1
info "zone appends: $(stat_field ns1_zone_appends)"

info "a second zoned namespace (nvme create-ns --csi=2)"
check "create-ns not a whole number of zones: refused" \
	expect_fail nvme create-ns "$NVME_CTRL" -s 300000 -c 300000 -f 0 --csi=2
nsid=$(nvme create-ns "$NVME_CTRL" -s $((16 * ZLBA)) -c $((16 * ZLBA)) -f 0 --csi=2 |
	sed -n 's/.*nsid:\([0-9]*\).*/\1/p')
check "create-ns --csi=2 of 16 zones" test -n "$nsid"
check "attach it" nvme attach-ns "$NVME_CTRL" -n "${nsid:-0}" -c 1
check "it appears" wait_for "[[ -b /dev/nvme0n${nsid:-0} ]]" 20
check "zoned, 16 zones" eq "$(cat /sys/block/nvme0n${nsid:-0}/queue/nr_zones 2>&1)" 16
check "a write into it" dd if=/dev/urandom of=/dev/nvme0n${nsid:-0} bs=64k count=4 oflag=direct status=none

info "Format NVM to 4 KiB blocks empties every zone"
check "reset all zones" blkzone reset "$NVME_NS"
check "write zone 0" dd if=/dev/urandom of="$NVME_NS" bs=1M count=2 oflag=direct status=none
# nvme-cli then re-reads the partition table, which a zoned disk refuses.
check "nvme format -l 1" sh -c "nvme format $NVME_NS -n 1 -l 1 -f 2>&1 | grep -q 'Success formatting'"
wait_for "[[ \$(blockdev --getss $NVME_NS) == 4096 ]]" 20
check "4 KiB blocks" num_eq "$(blockdev --getss "$NVME_NS")" 4096
check "still 160 zones of 64 MiB" num_eq "$(cat $Q/nr_zones)" 160
check "all empty" num_eq "$(zcount em)" 160
# 6.12 keeps a write pointer per zone in the block layer (zone write
# plugs); a Format sent through the admin queue does not update it, a
# reset through the block layer does.
check "blkzone reset (block layer write pointers)" blkzone reset "$NVME_NS"
check "fio zbd verify on 4 KiB blocks" run_fio zbd4k --zonemode=zbd \
	--max_open_zones=4 --ioengine=libaio --iodepth=4 --rw=write --bs=64k \
	--size=256m --verify=crc32c --verify_fatal=1
check "unload" nvmev_unload
