#!/bin/bash
# Fault injection on a configfs device's namespace (docs/faults.md):
#  - media error ranges: reads of a bad_read range fail with Unrecovered
#    Read Error, writes of a bad_write range with Write Fault (both with
#    DNR), each with an Error Information log entry at its LBA and the
#    SMART media error count; ranges cleared at run time; fio through the
#    block layer gets EIO on a bad range and verifies elsewhere;
#  - random errors: read_ppm with a seed fails the same commands of a
#    repeated run, and fault_stats counts them;
#  - latency spikes (seeded, QD1 fio: p99 above the spike, median below)
#    and periodic stalls (fio's max latency);
#  - lost completions: a passthrough read never completes, the host times
#    it out and aborts it, the device answers Abort with "aborted" and the
#    read ends with Command Abort Requested; fio write+verify with 20% of
#    completions lost passes (each lost write aborted and retried); a lost
#    write held across a controller reset is retried and kept;
#  - controller fatal status: fatal=1 under a read, the host sees CSTS.CFS,
#    resets the controller and the read completes; fatal reads 0 after;
#  - faults toggled under fio load for a while: no oops, the device then
#    verifies clean, and it detaches and unloads;
#  - power cuts (echo cut > power, then 1): without a volatile cache
#    powercut-check finds every acknowledged write kept; with
#    volatile_cache_mib=64 durable records kept and unflushed ones lost;
#    cut-torn keeps durable data too;
#  - ext4 and xfs (FS_CUTS, default 20, cuts each) under a metadata-heavy
#    load with the volatile cache on: after each cut the file system
#    mounts, every fsynced file is intact, and fsck finds nothing;
#  - bad values refused with EINVAL (or ENODEV while off) and a dmesg line.
# append: memmap=2M$0x100000000
# timeout: 1500
if [[ ${1:-} == -h || ${1:-} == --help ]]; then
	sed -n '2,/^# append/{/^# append/d;s/^# \{0,1\}//;p}' "$0"
	echo "Runs in a test guest only (tests/run --case 33)."
	exit 0
fi
source "$(dirname "$0")/../lib/guest.sh"

TOGGLE_SECS=${TOGGLE_SECS:-10}
FS_CUTS=${FS_CUTS:-20}
SC_READ_ERROR_DNR=0x4281
SC_WRITE_FAULT_DNR=0x4280
SC_READ_ERROR=0x281
SC_ABORT_REQ=0x7

mountpoint -q /sys/kernel/config || mount -t configfs none /sys/kernel/config

nvmev_load || fail "nvmev_load"
N=$C/flt/namespaces/1
# The host gives up on a command after 3 s (read when the controller's
# queues are made): lost completions and the fatal status show quickly.
IO_TIMEOUT0=$(cat /sys/module/nvme_core/parameters/io_timeout)
echo 3 >/sys/module/nvme_core/parameters/io_timeout
mkdir "$C/flt" || fail "mkdir $C/flt"
check "mkdir namespaces/1 before power on" mkdir "$N"
check "bad_read while off: ENODEV" eq "$(write_rc "$N/bad_read" +1)" ENODEV
check "faults while off: a bad key is refused (EINVAL)" eq "$(write_rc "$N/faults" bogus=1)" EINVAL
check "faults while off: kept for power on" eq "$(write_rc "$N/faults" seed=3)" ok
echo nvm >"$C/flt/kind"
echo 512M >"$C/flt/capacity"
check "power on" eq "$(write_rc "$C/flt/power" 1)" ok
wait_for "ctrl_of flt >/dev/null" 60 || fail "flt: controller not live"
CTRL=/dev/$(ctrl_of flt)
SUB=$(nvme_subsys_of "${CTRL#/dev/}")
DISK=$(nvme_ns_disk "$SUB" 1) || fail "flt: no disk for namespace 1"
NG=$(nvme_ns_ng "$SUB" 1) || fail "flt: no generic device for namespace 1"
BS=$(blockdev --getss "$DISK")
info "device flt: $CTRL, disk $DISK, $NG, $BS-byte blocks"
NVME_NS=$DISK
DBG=/sys/kernel/debug/nvmev/flt/stats
mountpoint -q /sys/kernel/debug || mount -t debugfs none /sys/kernel/debug
dbg() { awk -v k="$1" '$1 == k {print $2}' "$DBG"; }
smart() { nvme smart-log "$CTRL" -o json | json_field "$1"; }
head -c $((BS * 8)) /dev/urandom >/tmp/blk8
head -c "$BS" /dev/urandom >/tmp/blk

# ---- bad values -------------------------------------------------------------
dmesg_mark
check "faults: bad value (EINVAL)" eq "$(write_rc "$N/faults" read_ppm=2000000)" EINVAL
check "faults: stall longer than its period (EINVAL)" eq "$(write_rc "$N/faults" stall_period_ms=10,stall_ms=20)" EINVAL
check "bad_read: not a range (EINVAL)" eq "$(write_rc "$N/bad_read" 100)" EINVAL
check "bad_read: garbage (EINVAL)" eq "$(write_rc "$N/bad_read" +1x)" EINVAL
check "bad_read: past the namespace (EINVAL)" eq "$(write_rc "$N/bad_read" +$((1 << 40)))" EINVAL
check "bad_write: reversed range (EINVAL)" eq "$(write_rc "$N/bad_write" +20-10)" EINVAL
check "fatal: 0 is refused (EINVAL)" eq "$(write_rc "$C/flt/fatal" 0)" EINVAL
check "each refusal said why in dmesg" num_ge "$(dmesg_since | grep -c 'nvmev: flt/')" 7
check "faults still reads the last good value" eq "$(cat "$N/faults")" seed=3
check "no range was added" eq "$(cat "$N/bad_read")" ""

# ---- media error ranges -------------------------------------------------------
info "media errors: reads of LBA 1000-1999, writes of LBA 5000"
media0=$(smart media_errors)
check "bad_read +1000-1999" eq "$(write_rc "$N/bad_read" +1000-1999)" ok
check "bad_write +5000" eq "$(write_rc "$N/bad_write" +5000)" ok
check "bad_read lists the range" eq "$(cat "$N/bad_read")" 1000-1999
check "read of 1500: Unrecovered Read Error (0x4281)" status_is $SC_READ_ERROR_DNR nvme read "$DISK" -s 1500 -c 7 -z $((BS * 8)) -d /tmp/x
errlog=$(nvme error-log "$CTRL" -e 1 -o json)
check "Error Information log: LBA 1500" eq "$(json_field lba <<<"$errlog")" 1500
check "Error Information log: status Unrecovered Read Error" \
	bash -c '(( ($1 >> 1) == 0x4281 || $1 == 0x4281 ))' _ "$(json_field status_field <<<"$errlog")"
check "verify of 990-1005 (moves no data): Unrecovered Read Error" status_is $SC_READ_ERROR_DNR nvme verify "$DISK" -s 990 -c 15
check "read of 990-999 (just before) works" nvme read "$DISK" -s 990 -c 9 -z $((BS * 10)) -d /tmp/x
check "write of 5000: Write Fault (0x4280)" status_is $SC_WRITE_FAULT_DNR nvme write "$DISK" -s 5000 -c 0 -z "$BS" -d /tmp/blk
check "write of 4999 works" nvme write "$DISK" -s 4999 -c 0 -z "$BS" -d /tmp/blk
check "read of 5000 works (writes only there)" nvme read "$DISK" -s 5000 -c 0 -z "$BS" -d /tmp/x
check "SMART media errors grew by 3" num_eq "$(smart media_errors)" $((media0 + 3))
check "fault_stats: media_read 2" grep -qx "media_read 2" "$N/fault_stats"
check "fault_stats: media_write 1" grep -qx "media_write 1" "$N/fault_stats"
check "fio read over the bad range fails (EIO)" expect_fail run_fio badread --rw=read --bs=4k --offset=$((900 * BS)) --size=$((200 * BS)) --ioengine=psync
check "the block layer logged a medium error" dmesg_has 'critical medium error|I/O error'
check "fio write+verify outside the ranges passes" run_fio okverify --rw=randwrite --bs=4k --offset=16M --size=16M --ioengine=libaio --iodepth=8 --verify=crc32c --do_verify=1
check "remove 1200-1299 from bad_read" eq "$(write_rc "$N/bad_read" -1200-1299)" ok
check "bad_read now has two ranges" eq "$(cat "$N/bad_read" | tr '\n' ' ')" "1000-1199 1300-1999 "
check "read of 1200-1299 works" nvme read "$DISK" -s 1200 -c 99 -z $((BS * 100)) -d /tmp/x
check "bad_read clear" eq "$(write_rc "$N/bad_read" clear)" ok
check "bad_write -5000" eq "$(write_rc "$N/bad_write" -5000)" ok
check "read of 1500 works after clear" nvme read "$DISK" -s 1500 -c 7 -z $((BS * 8)) -d /tmp/x
check "write of 5000 works after removal" nvme write "$DISK" -s 5000 -c 0 -z "$BS" -d /tmp/blk

# ---- random errors with a seed ----------------------------------------------------
info "random read errors, 30% at seed 42 (twice) and 43, 24 reads each"
pattern() {
	local i p=""
	echo "$1" >"$N/faults" || return 1
	for ((i = 0; i < 24; i++)); do
		if nvme read "$NG" -s $((i * 8)) -c 0 -z "$BS" -d /tmp/x >/dev/null 2>&1; then
			p+=.
		else
			p+=x
		fi
	done
	echo "$p"
}
p1=$(pattern seed=42,read_ppm=300000)
p2=$(pattern seed=42,read_ppm=300000)
p3=$(pattern seed=43,read_ppm=300000)
echo "      seed 42: $p1"
echo "      seed 42: $p2"
echo "      seed 43: $p3"
nfail=$(tr -cd x <<<"$p1" | wc -c)
check "seed 42: some reads failed, some did not" bash -c '(( $1 > 0 && $1 < 24 ))' _ "$nfail"
check "the same seed fails the same reads" eq "$p2" "$p1"
check "another seed fails other reads" bash -c '[[ $1 != "$2" ]]' _ "$p3" "$p1"
check "a random read error has no DNR (0x281)" status_is $SC_READ_ERROR bash -c \
	'echo read_ppm=1000000 >"$1/faults" && nvme read "$2" -s 0 -c 0 -z "$3" -d /tmp/x' _ "$N" "$NG" "$BS"
check "fault_stats: random_read counted" num_ge "$(awk '$1 == "random_read" {print $2}' "$N/fault_stats")" 1
check "writes are untouched by read_ppm" nvme write "$NG" -s 0 -c 0 -z "$BS" -d /tmp/blk
check "faults off (empty)" eq "$(write_rc "$N/faults" "")" ok

# ---- latency spikes and stalls ----------------------------------------------------
info "latency spikes: 10% of commands 50 ms late (seed 5), QD1 fio"
echo seed=5,spike_ppm=100000,spike_us=50000 >"$N/faults"
run_fio spikes --rw=randread --bs=4k --size=64M --number_ios=200 --ioengine=psync \
	--output-format=json --output="$RESULTS/fio-spikes.json" >/dev/null || true
lat() { python3 -c 'import json,sys; j=json.load(open(sys.argv[1]))["jobs"][0]["read"]["clat_ns"]; print(int(j["percentile"][sys.argv[2]]) if sys.argv[2] != "max" else int(j["max"]))' "$RESULTS/fio-spikes.json" "$1"; }
p50=$(lat 50.000000)
p99=$(lat 99.000000)
echo "      clat p50 ${p50} ns, p99 ${p99} ns"
check "p99 is at least the 50 ms spike" num_ge "$p99" 50000000
check "the median is not spiked" bash -c '(( $1 < 50000000 ))' _ "$p50"
# A spike delays a completion by 50 ms, never up to the host's timeout.
check "p99 is far below the 3 s timeout" bash -c '(( $1 < 1000000000 ))' _ "$p99"
check "fault_stats: spikes counted" num_ge "$(awk '$1 == "spikes" {print $2}' "$N/fault_stats")" 2
info "periodic stall: 200 ms of every second"
echo stall_period_ms=1000,stall_ms=200 >"$N/faults"
run_fio stall --rw=randread --bs=4k --size=64M --runtime=3 --time_based --ioengine=psync \
	--output-format=json --output="$RESULTS/fio-spikes.json" >/dev/null || true
max=$(lat max)
echo "      clat max ${max} ns"
check "fio saw a stall of 100 ms or more" num_ge "$max" 100000000
check "fault_stats: stalled counted" num_ge "$(awk '$1 == "stalled" {print $2}' "$N/fault_stats")" 1
echo "" >"$N/faults"
check "no completion waited for a timeout to be found" \
	bash -c '! dmesg | grep -E "timeout, completion polled"'

# ---- lost completions ------------------------------------------------------------
info "lost completions: the host times out, aborts, retries"
lost0=$(dbg completions_lost)
ab0=$(dbg lost_aborted)
dmesg_mark
echo lost_ppm=1000000 >"$N/faults"
check "a lost passthrough read ends with Command Abort Requested" status_is $SC_ABORT_REQ \
	timeout 60 nvme io-passthru "$NG" --opcode=2 --namespace-id=1 --data-len="$BS" --read --cdw10=8 --timeout=2000
echo "" >"$N/faults"
dmesg_since | grep -E 'timeout|Abort' | head -n 4 | sed 's/^/      | /'
check "the host timed the read out and aborted it" dmesg_has 'timeout, aborting|timeout, abort'
check "debugfs: one completion lost, one aborted" \
	bash -c '(( $1 == $2 + 1 && $3 == $4 + 1 ))' _ "$(dbg completions_lost)" "$lost0" "$(dbg lost_aborted)" "$ab0"
check "the device works on after the abort" nvme read "$NG" -s 8 -c 0 -z "$BS" -d /tmp/x
check "controller still live" eq "$(cat /sys/class/nvme/"${CTRL#/dev/}"/state)" live

info "fio write+verify with 20% of completions lost (seed 9)"
echo seed=9,lost_ppm=200000 >"$N/faults"
check "fio write+verify passes" run_fio lostverify --rw=write --bs=64k --offset=64M --size=2M --ioengine=libaio --iodepth=8 --verify=crc32c --do_verify=1
echo "" >"$N/faults"
check "some writes were lost and aborted" num_ge "$(dbg lost_aborted)" $((ab0 + 2))

info "a lost write held across a controller reset"
head -c 65536 /dev/urandom >/tmp/w64k
echo lost_ppm=1000000 >"$N/faults"
dd if=/tmp/w64k of="$DISK" bs=64k seek=2000 count=1 oflag=direct conv=notrunc status=none &
ddpid=$!
sleep 1
echo "" >"$N/faults"
check "the write is still outstanding" kill -0 $ddpid
check "nvme reset" nvme reset "$CTRL"
check "the write completes after the reset" wait $ddpid
check "and its data is on the device" cmp <(dd if="$DISK" bs=64k skip=2000 count=1 iflag=direct status=none) /tmp/w64k

# ---- controller fatal status ------------------------------------------------------
info "controller fatal status under a read"
dmesg_mark
dd if="$DISK" of=/dev/null bs=4k count=1 skip=123 iflag=direct status=none
echo 1 >"$C/flt/fatal"
sleep 0.5
check "fatal reads 1" eq "$(cat "$C/flt/fatal")" 1
check "a read waits through the fatal status and completes after the reset" \
	timeout 120 dd if="$DISK" of=/dev/null bs=4k count=1 skip=456 iflag=direct status=none
dmesg_since | grep -iE 'CSTS|reset' | head -n 4 | sed 's/^/      | /'
check "the host saw CSTS.CFS and reset" dmesg_has 'controller is down; will reset'
check "the controller is live again" wait_for "ctrl_of flt >/dev/null" 30
check "fatal reads 0" eq "$(cat "$C/flt/fatal")" 0
check "fio verify after the reset" run_fio postfatal --rw=randwrite --bs=4k --offset=96M --size=8M --ioengine=libaio --iodepth=8 --verify=crc32c --do_verify=1

# ---- faults toggled under load ------------------------------------------------------
info "faults toggled under fio load for ${TOGGLE_SECS} s"
dmesg_mark
fio --name=toggle --filename="$DISK" --direct=1 --rw=randrw --bs=4k --size=128M \
	--ioengine=libaio --iodepth=16 --numjobs=2 --runtime="$TOGGLE_SECS" --time_based \
	--continue_on_error=all >"$RESULTS/fio-toggle.log" 2>&1 &
fiopid=$!
end=$((SECONDS + TOGGLE_SECS - 2))
n=0
while ((SECONDS < end)); do
	s=$((RANDOM * 8))
	echo "+$s-$((s + 63))" >"$N/bad_read" 2>/dev/null || true
	echo "+$((s + 100))" >"$N/bad_write" 2>/dev/null || true
	case $((n % 4)) in
	0) echo "seed=$n,read_ppm=20000,write_ppm=20000,spike_ppm=10000,spike_us=2000" >"$N/faults" ;;
	1) echo "stall_period_ms=500,stall_ms=20" >"$N/faults" ;;
	2) echo "-$s-$((s + 63))" >"$N/bad_read"; echo clear >"$N/bad_write" ;;
	3) echo "" >"$N/faults"; echo clear >"$N/bad_read" ;;
	esac
	cat "$N/fault_stats" "$N/bad_read" >/dev/null
	n=$((n + 1))
	sleep 0.05
done
wait $fiopid || true
echo "" >"$N/faults"
echo clear >"$N/bad_read"
echo clear >"$N/bad_write"
echo "      $n toggles; $(grep -m2 -E '^ *(read|write):' "$RESULTS/fio-toggle.log" | tr -s ' ' | tr '\n' ' ')"
check "toggled $n times" num_ge "$n" 20
check "fio verify after the toggling" run_fio posttoggle --rw=randwrite --bs=4k --offset=0 --size=16M --ioengine=libaio --iodepth=16 --verify=crc32c --do_verify=1
check "controller live" eq "$(cat /sys/class/nvme/"${CTRL#/dev/}"/state)" live

check "no completion was found by a timeout's poll" \
	bash -c '! dmesg | grep -E "timeout, completion polled"'

# ---- power cuts ----------------------------------------------------------------------
PC=(python3 "$NVMEV_SRC/tests/tools/powercut-check")
# pc_verify ARGS: powercut-check verify, its summary kept for the log.
pc_verify() {
	"${PC[@]}" verify "$@" | tee -a "$RESULTS/powercut.txt"
	return "${PIPESTATUS[0]}"
}
# find_disk: CTRL and DISK of flt, once it is live.
find_disk() {
	local sub
	wait_for "ctrl_of flt >/dev/null" 60 || { echo "no live controller"; return 1; }
	CTRL=/dev/$(ctrl_of flt)
	sub=$(nvme_subsys_of "${CTRL#/dev/}") || return 1
	wait_for "nvme_ns_disk $sub 1 >/dev/null" 30 || { echo "no disk after power on"; return 1; }
	DISK=$(nvme_ns_disk "$sub" 1)
	NVME_NS=$DISK
}
# power_cycle [cut|cut-torn]: cut the power, power on, find the disk again.
power_cycle() {
	echo "${1:-cut}" >"$C/flt/power" || return 1
	[[ $(cat "$C/flt/power") == 0 ]] || { echo "power does not read 0 after the cut"; return 1; }
	echo 1 >"$C/flt/power" || return 1
	find_disk
}
cut_lost() { dmesg_since | sed -n 's/.*flt: power cut.*: \([0-9]*\) unflushed blocks lost/\1/p' | tail -n1; }

info "power cut without a volatile cache: every acknowledged write survives"
check "powercut-check write (no volatile cache)" "${PC[@]}" write "$DISK" /tmp/pc0 --seed 11 --writes 400 --slots 128 --first-lba 8192
dmesg_mark
check "cut, power on" power_cycle cut
check "dmesg: the cut lost 0 blocks" eq "$(cut_lost)" 0
check "the host saw a removal, not a crash" bash -c '! dmesg | grep -E "Oops|BUG:"'
check "powercut-check verify: nothing lost" pc_verify "$DISK" /tmp/pc0 --expect-none-lost

info "power cut with a 64 MiB volatile cache: unflushed writes are lost, durable ones kept"
check "power off" eq "$(write_rc "$C/flt/power" 0)" ok
check "volatile_cache_mib 64" eq "$(write_rc "$C/flt/volatile_cache_mib" 64)" ok
check "power on" eq "$(write_rc "$C/flt/power" 1)" ok
check "volatile_cache_mib while on: EBUSY" eq "$(write_rc "$C/flt/volatile_cache_mib" 8)" EBUSY
find_disk >/dev/null || fail "flt: no disk after power on"
check "powercut-check write (volatile cache)" "${PC[@]}" write "$DISK" /tmp/pc1 --seed 18 --writes 400 --slots 128
dmesg_mark
check "cut, power on" power_cycle cut
lost=$(cut_lost)
echo "      the cut dropped ${lost:-?} unflushed blocks"
check "dmesg: the cut lost some blocks" num_ge "${lost:-0}" 1
check "powercut-check verify: durable intact, unflushed lost" pc_verify "$DISK" /tmp/pc1 --expect-lost
check "powercut-check write (torn cut)" "${PC[@]}" write "$DISK" /tmp/pc2 --seed 13 --writes 400 --slots 128
check "torn cut, power on" power_cycle cut-torn
check "powercut-check verify after a torn cut: durable intact" pc_verify "$DISK" /tmp/pc2
check "cut while off is refused (ENODEV)" bash -c 'echo 0 >"$1/power"; r=$( (echo cut >"$1/power") 2>&1); echo 1 >"$1/power"; [[ $r == *"No such device"* ]]' _ "$C/flt"
find_disk >/dev/null || fail "flt: no disk after power on"

# fs_cuts FS N: N power cuts under a metadata-heavy load on FS; after each,
# mount (journal replay), every fsynced file intact, a clean fsck.
fs_cuts() {
	local fs=$1 n=$2 i ok=0 files=0 pid
	local mnt=/mnt/pc log=/tmp/fslog-$fs
	mkdir -p $mnt
	rm -f $log
	case $fs in
	ext4) mkfs.ext4 -q -F "$DISK" 64M ;;
	xfs) mkfs.xfs -q -f -d size=300m "$DISK" ;;
	esac || { echo "mkfs.$fs failed"; return 1; }
	for ((i = 1; i <= n; i++)); do
		mount -t "$fs" "$DISK" $mnt || { echo "cut $i: mount failed"; return 1; }
		"${PC[@]}" fs-work $mnt $log --seed "$i" >/dev/null 2>&1 &
		pid=$!
		sleep "$((RANDOM % 2)).$((RANDOM % 10))5"
		power_cycle cut >/dev/null || { echo "cut $i: power cycle failed"; return 1; }
		wait $pid 2>/dev/null
		umount -l $mnt 2>/dev/null
		mount -t "$fs" "$DISK" $mnt || { echo "cut $i: mount after the cut failed"; return 1; }
		"${PC[@]}" fs-verify $mnt $log >/tmp/fsv || { cat /tmp/fsv; echo "cut $i: fsynced files lost"; return 1; }
		umount $mnt || { echo "cut $i: umount failed"; return 1; }
		case $fs in
		ext4) e2fsck -fn "$DISK" >/tmp/fsck 2>&1 ;;
		xfs) xfs_repair -n "$DISK" >/tmp/fsck 2>&1 ;;
		esac || { tail -n 20 /tmp/fsck; echo "cut $i: fsck found errors"; return 1; }
		ok=$((ok + 1))
	done
	files=$(wc -l <$log)
	echo "$fs: $ok of $n power cuts survived (fsck clean); $files fsynced files, all intact after the last" |
		tee -a "$RESULTS/powercut.txt"
	[[ $ok -eq $n ]]
}
info "ext4: ${FS_CUTS:=20} power cuts under load, volatile cache on"
check "ext4 survives $FS_CUTS power cuts (fsck clean, fsynced files intact)" fs_cuts ext4 "$FS_CUTS"
info "xfs: $FS_CUTS power cuts under load, volatile cache on"
check "xfs survives $FS_CUTS power cuts (fsck clean, fsynced files intact)" fs_cuts xfs "$FS_CUTS"

sed 's/^/      /' "$RESULTS/powercut.txt"

# ---- teardown -------------------------------------------------------------------------
check "power off" eq "$(write_rc "$C/flt/power" 0)" ok
check "fault_stats is empty while off" eq "$(cat "$N/fault_stats")" ""
rmdir "$N" "$C/flt"
check "nvmev unloads" nvmev_unload
echo "$IO_TIMEOUT0" >/sys/module/nvme_core/parameters/io_timeout
