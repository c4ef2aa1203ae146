#!/bin/bash
# The kv kind (Key Value command set, CSI 01h), in one boot:
#  - the host driver gives the namespace its generic device /dev/ng0n1 and
#    nothing else (no block device); Identify CNS 00h of it is refused
#    with Invalid I/O Command Set, the KV identify and effects log answer;
#  - nvmev-kv put/get/delete/exists/list round trips: binary keys of 1..16
#    bytes, values of 0 B .. 1 MiB, overwrites, Store options, deletes of
#    missing keys under both EDNEK settings (Feature 20h), list order;
#  - malformed commands through nvme io-passthru get their status codes;
#  - a small namespace made by nvme create-ns --csi=1: Capacity Exceeded
#    when full, space back after deletes and overwrites (garbage
#    collection moves records and frees segments);
#  - a million keys loaded and read back; the index stays within its
#    stated 40 bytes a key (docs/kv.md), memory within index + records;
#  - memmap backing: unload and reload with memmap_keep=1 keeps every key
#    and value; a reload without it starts empty.
# append: memmap=160M$0x100000000
# timeout: 1500
if [[ ${1:-} == -h || ${1:-} == --help ]]; then
	sed -n '2,/^# append/{/^# append/d;s/^# \{0,1\}//;p}' "$0"
	echo "Runs in a test guest only (tests/run --case 28)."
	exit 0
fi
source "$(dirname "$0")/../lib/guest.sh"

STATS=/sys/kernel/debug/nvmev/nvmev0/stats
NG=/dev/ng0n1
KV=(python3 "$NVMEV_SRC/src/tools/nvmev-kv")
# A fresh scratch directory: the guest may share the host's /tmp.
T=$(mktemp -d /tmp/kvt.XXXXXX)
LOAD=$T/kv-load
MILLION=${KV_KEYS:-1000000}

stat_field() { awk -v k="$1" '$1 == k {print $2}' "$STATS"; }
kv() { "${KV[@]}" -d "$NG" "$@"; }
# rc_is N CMD...: CMD exits with status N.
rc_is() {
	local want=$1 rc=0
	shift
	"$@" >/tmp/rc_out 2>&1 || rc=$?
	echo "exit $rc: $(head -c 300 /tmp/rc_out)"
	((rc == want))
}
same_file() { cmp "$1" "$2"; }
mem_avail_kb() { awk '$1 == "MemAvailable:" {print $2}' /proc/meminfo; }

# io-passthru of a KV command: opcode, key length | options << 8, cdw10,
# then nvme-cli options (-r/-w, --data-len); key "qq" (never stored) in CDW2.
kv_raw() {
	local op=$1 cdw11=$2 cdw10=$3
	shift 3
	nvme io-passthru "$NG" --namespace-id=1 --opcode="$op" \
		--cdw2=0x7171 --cdw10="$cdw10" --cdw11="$cdw11" "$@"
}

gcc -O2 -o $LOAD "$NVMEV_SRC/tests/tools/kv-load.c" || fail "gcc kv-load"
[[ -d /sys/kernel/debug/nvmev ]] || mount -t debugfs debugfs /sys/kernel/debug

# ---- RAM backing: the device, the tool, the status codes ----
dmesg_mark
modprobe nvme
# poll_idle_us: keep the dispatcher polling between the loader's commands.
nvmev_insmod memmap_start=4G memmap_size=2M capacity=2G total_capacity=3G \
	kind=kv kv=seg_mib=4 poll_idle_us=100000 cpus=1,2 ||
	fail "insmod kind=kv"
wait_for "[[ -c $NG ]]" || fail "$NG did not appear"
check "dmesg names the KV namespace" dmesg_has "nvmev0: namespace 1: KV, 512 segments of 4 MiB"
check "the host driver keeps only the generic device" dmesg_has "block device for nsid 1 not supported \(csi 1\)"
check "no block device" expect_fail test -e /dev/nvme0n1
check "no nvme disk in lsblk" eq "$(lsblk -d -n -o NAME | grep -c nvme || true)" 0
check "list-ns --csi=1 lists namespace 1" eq "$(nvme list-ns /dev/nvme0 --csi=1 | head -n1 | sed 's/.*: *//')" 0x1
check "Identify CNS 00h: Invalid I/O Command Set" status_is 0x402c nvme id-ns /dev/nvme0 -n 1
# Effects log for CSI 1: IOCS entries at byte 1024 + 4 * opcode.
effects() {
	nvme get-log /dev/nvme0 --log-id=5 --log-len=4096 --csi=1 -b >$T/effects &&
		python3 -c "import struct,sys; d=open('$T/effects','rb').read(); print(' '.join('%x' % struct.unpack_from('<I', d, 1024 + 4 * o)[0] for o in (0, 1, 2, 6, 0x10, 0x14)))"
}
check "effects log, CSI 1: Flush Store Retrieve List Delete Exist" eq "$(effects)" "1 3 1 1 3 1"
kv info | tee $T/info
check "info: key max 16" grep -q -E "[Kk]ey.*16" $T/info
check "info: value max 1048576" grep -q -E "1048576|1024 KiB" $T/info

# A short session of the tool, as a user would type it (shown in the log).
session() {
	local c rc
	for c in "put greeting 'hello, world'" "get greeting" \
		"put --if-absent greeting again" "exists greeting" "list" \
		"delete greeting" "exists greeting" \
		"bench --keys 200 --value-size 4096 --ops 400 --read-pct 50 --jobs 2 --cleanup"; do
		echo "# nvmev-kv $c"
		rc=0
		eval "kv $c" 2>&1 || rc=$?
		# get prints the value as it is, without a newline
		[[ $c == get* ]] && echo
		echo "# (exit $rc)"
	done
}
session | tee $T/session
check "session: get printed the value" grep -q "^hello, world" $T/session
check "session: put --if-absent exit 3" bash -c "grep -A3 'put --if-absent' $T/session | grep -q '(exit 3)'"
check "session: exists after delete exit 1" bash -c "tail -n +\$(grep -n '^# nvmev-kv delete' $T/session | cut -d: -f1) $T/session | grep -q '(exit 1)'"

# host_limited OP SIZE ARGS...: nvmev-kv ARGS on a buffer above 127 pages,
# which must be physically contiguous (a transparent huge page; the tool
# compacts memory and retries). When the kernel still refuses it (EINVAL,
# before the device sees a command) that is the host's limit (docs/kv.md):
# recorded, and 1 returned.
host_limited() {
	local op=$1 size=$2
	shift 2
	kv "$@" 2>$T/err && return 0
	cat $T/err
	check "$op $size bytes: refused by the host, not the device" grep -q "Invalid argument" $T/err
	info "the kernel refused a $size-byte passthrough buffer here"
	return 1
}

# Round trips: binary keys, many value sizes.
i=0
stored=0
for size in 0 1 47 48 4095 4096 65536 300000 1048576; do
	head -c $size /dev/urandom >$T/v$size
	key=$(printf 'hex:%02x00ff%02x' $i $((255 - i)))
	i=$((i + 1))
	if ((size > 127 * 4096)); then
		host_limited put $size put "$key" -f $T/v$size || continue
		stored=$((stored + 1))
		host_limited get $size get "$key" -o $T/g$size || continue
	else
		check "put $size bytes" kv put "$key" -f $T/v$size
		stored=$((stored + 1))
		check "get $size bytes" kv get "$key" -o $T/g$size
	fi
	check "get $size bytes back" same_file $T/v$size $T/g$size
done
check "1-byte key" kv put hex:00 one
check "16-byte key" kv put 0123456789abcdef sixteen
check "get 16-byte key" eq "$(kv get 0123456789abcdef)" sixteen
check "17-byte key refused by the tool" rc_is 2 kv put 0123456789abcdefg x
check "partial get: first 10 bytes" eq "$(kv get hex:0600fff9 --max-bytes 10 2>/dev/null | wc -c)" 10
check "overwrite" kv put 0123456789abcdef "a longer value than before"
check "get after overwrite" eq "$(kv get 0123456789abcdef)" "a longer value than before"
check "put --if-absent on a present key: Key Exists (exit 3)" rc_is 3 kv put --if-absent 0123456789abcdef x
check "... names 0x89" grep -q -i "0x[04]*89" /tmp/rc_out
check "put --if-exists on a missing key: exit 1" rc_is 1 kv put --if-exists nokey x
check "put --if-exists on a present key" kv put --if-exists 0123456789abcdef y
check "exists: yes" kv exists 0123456789abcdef
check "exists: no (exit 1)" rc_is 1 kv exists nokey
check "get of a missing key: exit 1" rc_is 1 kv get nokey
check "delete of a missing key, EDNEK off: success" kv delete nokey
check "config --ednek on" kv config --ednek on
check "config shows EDNEK on" bash -c "${KV[*]} -d $NG config | grep -i -q 'on'"
check "delete of a missing key, EDNEK on: exit 1" rc_is 1 kv delete nokey
check "config --ednek off" kv config --ednek off
check "delete a key" kv delete hex:00
check "deleted key is gone" rc_is 1 kv get hex:00

# List order: bytewise, a key before the longer keys it begins.
for k in b a ab abc aa ba zz; do kv put "$k" "v$k" >/dev/null; done
kv list a -n 6 >$T/list
check "list from a: a aa ab abc b ba" eq "$(tr '\n' ' ' <$T/list)" "a aa ab abc b ba "
check "list from ab (inclusive)" eq "$(kv list ab -n 2 | tr '\n' ' ')" "ab abc "
check "list pages through every key ($((stored + 8)))" eq "$(kv list --buffer-size 64 | wc -l)" $((stored + 8))

# Malformed commands: their status codes (DNR set).
check "key length 0: Invalid Key Size" status_is 0x4086 kv_raw 0x14 0 0
check "key length 17: Invalid Key Size" status_is 0x4086 kv_raw 0x14 17 0
check "value above max: Invalid Value Size" status_is 0x4085 kv_raw 0x01 2 $((2 << 20)) -w --data-len=4096 -i /dev/zero
check "unknown Store option: Invalid Field" status_is 0x4002 kv_raw 0x01 $((2 | 0x80 << 8)) 4 -w --data-len=4 -i /dev/zero
check "Store only-if-exists and only-if-absent: Invalid Field" status_is 0x4002 kv_raw 0x01 $((2 | 3 << 8)) 4 -w --data-len=4 -i /dev/zero
check "Retrieve buffer above MDTS: Invalid Field" status_is 0x4002 kv_raw 0x02 2 $((2 << 20)) -r --data-len=4096
check "List buffer below 4 bytes: Invalid Field" status_is 0x4002 kv_raw 0x06 0 2 -r --data-len=4
check "Delete with options: Invalid Field" status_is 0x4002 kv_raw 0x10 $((2 | 1 << 8)) 0
check "unknown opcode: Invalid Opcode" status_is 0x4001 kv_raw 0x05 2 0
check "Retrieve of a missing key: KV Key Does Not Exist" status_is 0x4087 kv_raw 0x02 2 4096 -r --data-len=4096

# ---- A small namespace: full, then space back ----
nvme create-ns /dev/nvme0 --nsze=$((64 << 20)) --ncap=$((64 << 20)) --flbas=0 --csi=1 >$T/create 2>&1
check "create-ns --csi=1 of 64 MiB" grep -q "nsid:2" $T/create
nvme attach-ns /dev/nvme0 -n 2 -c 1 >/dev/null
nvme ns-rescan /dev/nvme0
wait_for "[[ -c /dev/ng0n2 ]]" || fail "/dev/ng0n2 did not appear"
# 256 KiB values (kv-load: the tool starts Python for each command, slow
# in TCG). The 6.1 driver passes 127 separate pages per command, so bigger
# values need a huge-page buffer (docs/kv.md).
NG2=/dev/ng0n2
V=$((256 << 10))
$LOAD $NG2 put 0 300 $V 1 >$T/fill 2>&1 && fail "300 values of 256 KiB fit in 64 MiB"
cat $T/fill
# usable: (16 segments - 4) x (4 MiB - the largest record, 1 MiB + 64)
check "143 values of 256 KiB fit, the 144th: Capacity Exceeded" grep -q "put key 143: status 0x4081" $T/fill
# Every other key deleted: every segment half live, so the space for new
# keys comes from GC moving live records out of them.
each() {	# each MODE FIRST STEP LAST: kv-load of single keys
	local i
	for ((i = $2; i <= $4; i += $3)); do
		$LOAD $NG2 "$1" $i 1 $V 1 >/dev/null || { echo "$1 key $i failed"; return 1; }
	done
}
check "delete the even keys" each del 0 2 142
check "70 new values fit after the deletes (GC needed past 52)" $LOAD $NG2 put 1000 70 $V 1
check "GC reclaimed segments" num_ge "$(stat_field ns2_kv_gc_segments)" 1
check "GC moved live records" num_ge "$(stat_field ns2_kv_gc_records)" 1
check "odd keys intact after GC" each get 1 2 141
check "new values intact" $LOAD $NG2 get 1000 70 $V 1
check "even keys stay deleted" each miss 0 2 142
check "full again: Capacity Exceeded" expect_fail $LOAD $NG2 put 2000 100 $V 1
check "namespace 1 untouched: 300000-byte value" bash -c "${KV[*]} -d $NG get hex:0700fff8 -o $T/g && cmp $T/g $T/v300000"

# ---- A million keys ----
used0=$(mem_avail_kb)
check "load $MILLION keys of 8 bytes (8 processes)" $LOAD $NG put 0 "$MILLION" 8 8
used1=$(mem_avail_kb)
keys=$(stat_field ns1_kv_keys)
index=$(stat_field ns1_kv_index_bytes)
pages=$(stat_field backing_pages)
info "keys $keys, index $index bytes, backing pages $pages, MemAvailable drop $(( (used0 - used1) / 1024 )) MiB"
check "every key counted" num_ge "$keys" "$MILLION"
# The index: 40 bytes a key, in chunks of 4096 keys.
check "index within 40 bytes a key (+ one chunk)" \
	num_ge $(( (keys + 4096) * 40 )) "$index"
# What the load took: index + the device's record pages, little else.
check "memory within index + backing pages + 16 MiB" \
	num_ge $(( (index + pages * 4096) / 1024 + 16384 )) $((used0 - used1))
check "read back and check 50000 of them" $LOAD $NG get 0 50000 8 8
check "read back the last 50000" $LOAD $NG get $((MILLION - 50000)) 50000 8 8
check "delete 50000" $LOAD $NG del 0 50000 8 8
check "deleted keys are gone" $LOAD $NG miss 0 50000 8 8
check "unload" nvmev_unload

# ---- memmap backing: data kept across unload and reload ----
MM=(memmap_start=4G memmap_size=160M kind=kv kv=seg_mib=4 poll_idle_us=100000 cpus=1,2)
nvmev_insmod "${MM[@]}" || fail "insmod memmap"
wait_for "[[ -c $NG ]]" || fail "$NG (memmap) did not appear"
check "memmap: load 20000 keys" $LOAD $NG put 0 20000 8 4
check "memmap: 300 values of 4 KiB" $LOAD $NG put 100000 300 4096 2
check "memmap: delete 5000" $LOAD $NG del 0 5000 8 2
check "memmap: overwrite 5000 with 100-byte values" $LOAD $NG put 5000 5000 100 2
kv put hex:00ff00 -f $T/v65536
kv list -n 100000 >$T/before
check "unload (memmap)" nvmev_unload
nvmev_insmod "${MM[@]}" memmap_keep=1 || fail "insmod memmap_keep=1"
wait_for "[[ -c $NG ]]" || fail "$NG (memmap_keep) did not appear"
check "dmesg: 15301 keys kept" dmesg_has "KV, 39 segments of 4 MiB.*15301 keys kept"
check "deleted keys stay deleted" $LOAD $NG miss 0 5000 8 2
check "overwritten keys have their new values" $LOAD $NG get 5000 5000 100 2
check "untouched keys kept" $LOAD $NG get 10000 10000 8 2
check "4 KiB values kept" $LOAD $NG get 100000 300 4096 2
kv get hex:00ff00 -o $T/g
check "64 KiB value kept" same_file $T/v65536 $T/g
kv list -n 100000 >$T/after
check "the same keys listed" same_file $T/before $T/after
check "unload (memmap_keep)" nvmev_unload
nvmev_insmod "${MM[@]}" || fail "insmod memmap, no keep"
wait_for "[[ -c $NG ]]" || fail "$NG (memmap, no keep) did not appear"
check "without memmap_keep: no keys" eq "$(kv list | wc -l)" 0
check "unload" nvmev_unload
