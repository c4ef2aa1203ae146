#!/bin/bash
# Devices made at run time through /sys/kernel/config/nvmev (docs/configuration.md):
#  - one device of each kind (nvm, ssd, zns, kv) beside the load-time one,
#    all attached at once, each with its own controller, serial = name and
#    a PCI domain of its own; fio write+verify on nvm and ssd, fio zbd on
#    zns and nvmev-kv on kv, all running at the same time, while a fifth
#    device under fio is detached (its fio fails, the others verify);
#  - a name reused after rmdir comes back with the same serial and NQN;
#  - every attribute refused with EINVAL and one dmesg line for bad values,
#    and with EBUSY while the device is on;
#  - nvmev-setup --devices (nvmev.service) makes the devices of
#    /etc/nvmev/*.conf (the shipped examples among them) and reports and
#    skips bad files;
#  - three devices sharing one dispatcher thread (dispatcher=lab): one
#    thread for the three, fio verify on all at once while one of them is
#    detached, a dispatcher CPU that clashes with the group's refused, the
#    thread gone with the group's last device;
#  - namespaces as directories: one device with an nvm, a tlc-dc ssd, a
#    zoned (4 KiB blocks) and a kv namespace, each with its own size, all
#    doing I/O; bad names and values refused, EBUSY while on, a namespace
#    that does not fit refused at power with its reason, TNVMCAP;
#  - rmmod with devices configured is refused (configfs holds the module);
#  - CYCLES (default 120) mkdir/power on/controller live/power off/rmdir
#    cycles with Slab and MemAvailable back where they were;
#  - BAR slots: a 64 KiB reservation holds 4 devices, the 5th is refused.
# append: memmap=2M$0x100000000
# timeout: 1500
if [[ ${1:-} == -h || ${1:-} == --help ]]; then
	sed -n '2,/^# append/{/^# append/d;s/^# \{0,1\}//;p}' "$0"
	echo "Runs in a test guest only (tests/run --case 29)."
	exit 0
fi
source "$(dirname "$0")/../lib/guest.sh"

C=/sys/kernel/config/nvmev
CYCLES=${CYCLES:-120}
KV=(python3 "$NVMEV_SRC/src/tools/nvmev-kv")
# Bounds as in 60-load-unload: a leak shows as growth over the second half.
MAX_AVAIL_DRIFT_KB=32768
MAX_HALF_SLAB_KB=512

mountpoint -q /sys/kernel/config || mount -t configfs none /sys/kernel/config

# The block device (or, with -g, generic device) whose serial is $1 (read
# strips the blanks the subsystem's serial attribute keeps).
dev_by_serial() {
	local gen=0 d sn glob=/sys/block/nvme* re='^nvme[0-9]+n1$'
	[[ $1 == -g ]] && { gen=1; shift; }
	((gen)) && { glob=/sys/class/nvme-generic/ng*; re='^ng[0-9]+n1$'; }
	for d in $glob; do
		[[ ${d##*/} =~ $re ]] || continue
		read -r sn <"$d/device/serial" 2>/dev/null || continue
		[[ $sn == "$1" ]] && { echo "/dev/${d##*/}"; return 0; }
	done
	return 1
}
nvmev_lines() { dmesg_since | grep -c 'nvmev: ' || true; }
settle() {
	sync
	echo 3 >/proc/sys/vm/drop_caches
	sleep 0.5
	echo 3 >/proc/sys/vm/drop_caches
}
meminfo_kb() { awk -v k="$1:" '$1 == k {print $2}' /proc/meminfo; }

nvmev_load || fail "nvmev_load"
check "configfs: $C exists" test -d "$C"
check "features lists power" grep -q power "$C/features"

# ---- one device of each kind, all on at once ---------------------------------
check "mkdir + power: nvm" make_dev fnvm nvm capacity=2G
check "mkdir + power: ssd" make_dev fssd ssd capacity=1G
check "mkdir + power: zns" make_dev fzns zns capacity=2G
check "mkdir + power: kv" make_dev fkv kv capacity=1G
check "mkdir + power: a fifth (nvm) to detach under I/O" make_dev gone nvm
for d in fnvm fssd fzns fkv gone; do
	check "$d: controller live" wait_for "ctrl_of $d >/dev/null" 60
	info "$d: $(cat $C/$d/pci) $(ctrl_of $d || true)"
done
check "power reads 1" eq "$(cat $C/fnvm/power)" 1
check "six PCI domains of nvmev" eq "$(ls /sys/bus/pci/devices | grep -c '^[0-9a-f]\{5,\}:' || true)" 6
check "distinct PCI domains" eq "$(cat $C/*/pci | cut -d: -f1 | sort -u | wc -l)" 5
for d in fnvm fssd fzns gone; do
	check "$d: block device by serial" wait_for "dev_by_serial $d >/dev/null" 30
done
check "fkv: generic device by serial" wait_for "dev_by_serial -g fkv >/dev/null" 30
NVM=$(dev_by_serial fnvm)
SSD=$(dev_by_serial fssd)
ZNS=$(dev_by_serial fzns)
GONE=$(dev_by_serial gone)
KVDEV=$(dev_by_serial -g fkv)
info "fnvm=$NVM fssd=$SSD fzns=$ZNS gone=$GONE fkv=$KVDEV"
c=$(ctrl_of fzns)
check "fzns: serial is the name" eq "$(nvme id-ctrl /dev/$c -o json | json_field sn)" fzns
check "fzns: zoned" eq "$(cat /sys/block/${ZNS#/dev/}/queue/zoned)" host-managed
# 6.1 leaves a multi-queue zoned disk on "none", which may reorder writes
# to a zone; mq-deadline serialises them (udev/61-nvmev.rules sets it on
# installed systems; the test guest runs no udev). 6.12 plugs zone writes.
echo mq-deadline >/sys/block/${ZNS#/dev/}/queue/scheduler
info "fzns scheduler: $(cat /sys/block/${ZNS#/dev/}/queue/scheduler)"
check "fnvm: 2 GiB" eq "$(blockdev --getsize64 $NVM)" $((2 << 30))
NQN_BEFORE=$(cat /sys/class/nvme/$(ctrl_of fnvm)/subsysnqn)

info "fio on nvm, ssd, zns and gone, nvmev-kv on kv, at once; gone detached under I/O"
pids=()
fio --name=nvm --filename=$NVM --direct=1 --ioengine=libaio --iodepth=16 \
	--rw=randwrite --bs=4k --size=64m --verify=crc32c --verify_fatal=1 \
	>$RESULTS/fio-nvm.log 2>&1 &
pids+=($!)
fio --name=ssd --filename=$SSD --direct=1 --ioengine=libaio --iodepth=16 \
	--rw=randwrite --bs=16k --size=64m --verify=crc32c --verify_fatal=1 \
	>$RESULTS/fio-ssd.log 2>&1 &
pids+=($!)
fio --name=zns --filename=$ZNS --direct=1 --zonemode=zbd --max_open_zones=8 \
	--ioengine=libaio --iodepth=8 --rw=write --bs=128k --size=256m \
	--verify=crc32c --verify_fatal=1 >$RESULTS/fio-zns.log 2>&1 &
pids+=($!)
(
	for i in $(seq 1 60); do
		"${KV[@]}" -d "$KVDEV" put "key$i" "value $i" || exit 1
	done
	for i in $(seq 1 60); do
		[[ $("${KV[@]}" -d "$KVDEV" get "key$i") == "value $i" ]] || exit 1
	done
) >$RESULTS/kv.log 2>&1 &
pids+=($!)
fio --name=gone --filename=$GONE --direct=1 --ioengine=libaio --iodepth=8 \
	--rw=randwrite --bs=4k --size=512m --time_based --runtime=120 \
	>$RESULTS/fio-gone.log 2>&1 &
gone_pid=$!
sleep 5
check "detach 'gone' under fio (power 0)" eval "echo 0 >$C/gone/power"
check "gone: power reads 0" eq "$(cat $C/gone/pci)$(cat $C/gone/power)" 0
rc=0
wait $gone_pid || rc=$?
check "fio on the detached device failed (rc $rc)" test $rc -ne 0
check "gone: block device removed" expect_fail test -e "$GONE"
names=(nvm ssd zns kv)
for i in 0 1 2 3; do
	rc=0
	wait ${pids[$i]} || rc=$?
	check "${names[$i]}: I/O and verify passed while 'gone' went away" eq $rc 0
done
check "rmdir gone" rmdir $C/gone
check "gone: name reused" make_dev gone nvm
check "gone: controller live again" wait_for "ctrl_of gone >/dev/null" 60
check "fnvm: NQN unchanged" eq "$(cat /sys/class/nvme/$(ctrl_of fnvm)/subsysnqn)" "$NQN_BEFORE"
nqn1=$(cat /sys/class/nvme/$(ctrl_of gone)/subsysnqn)
echo 0 >$C/gone/power
rmdir $C/gone
make_dev gone nvm
wait_for "ctrl_of gone >/dev/null" 60
check "gone: same NQN after rmdir and mkdir ($nqn1)" eq "$(cat /sys/class/nvme/$(ctrl_of gone)/subsysnqn)" "$nqn1"

# ---- bad values and values while on -----------------------------------------
mkdir $C/bad
# attr value: each refused with EINVAL and exactly one nvmev: line.
BAD=(
	"kind flash" "kind " "capacity 0" "capacity 5000" "capacity 2P"
	"capacity 1Q" "lba_size 1024" "lba_size x" "mdts 0" "mdts 11"
	"io_queues 0" "io_queues 65" "cpus 1" "cpus 1,1" "cpus 1,99"
	"cpus a,b" "poll_idle_us -1" "profile qlc" "ssd channels=x"
	"ssd bogus=1" "zns zone_mib=abc" "zns max_open=x" "kv seg_mib=z"
	"kv nokey=1" "serial a/b" "serial 012345678901234567890"
	"dispatcher Lab" "dispatcher a/b" "dispatcher 0123456789abcdef"
	"model $(printf 'x%.0s' {1..41})" "power 2"
)
for bv in "${BAD[@]}"; do
	a=${bv%% *}
	v=${bv#* }
	before=$(cat $C/bad/$a)
	dmesg_mark
	check "bad/$a='$v': EINVAL" eq "$(write_rc $C/bad/$a "$v")" EINVAL
	check "bad/$a='$v': one dmesg line" eq "$(nvmev_lines)" 1
	check "bad/$a: value kept" eq "$(cat $C/bad/$a)" "$before"
done
check "bad name (upper case): mkdir refused" expect_fail mkdir $C/Bad
check "bad name (16 characters): mkdir refused" expect_fail mkdir $C/abcdefghijklmnop
# Values that parse but do not fit together: refused at power on.
echo kv >$C/bad/kind
echo 4096 >$C/bad/lba_size
echo 2 >$C/bad/mdts
echo max_value_kib=1024 >$C/bad/kv
dmesg_mark
check "power with kv max_value above MDTS: EINVAL" eq "$(write_rc $C/bad/power 1)" EINVAL
check "... says why" dmesg_has 'above MDTS'
check "... still off" eq "$(cat $C/bad/power)" 0
echo >$C/bad/kv
echo fnvm >$C/bad/serial
dmesg_mark
check "power with a serial in use: EEXIST" eq "$(write_rc $C/bad/power 1)" EEXIST
check "... says why" dmesg_has 'serial fnvm is taken'
rmdir $C/bad
# Every setting of an attached device: EBUSY.
for bv in "kind ssd" "capacity 4G" "lba_size 4096" "mdts 5" "io_queues 2" \
	"cpus 1,2" "dispatcher lab" "poll_idle_us 10" "profile tlc-dc" "ssd op_pct=20" \
	"zns zone_mib=32" "kv seg_mib=32" "serial other" "model other"; do
	a=${bv%% *}
	check "fnvm/$a while on: EBUSY" eq "$(write_rc $C/fnvm/$a "${bv#* }")" EBUSY
done
check "power 1 again while on: no change" eq "$(write_rc $C/fnvm/power 1)" ok
check "pci read-only" expect_fail eval "echo x >$C/fnvm/pci"

# ---- devices from files (nvmev-setup --devices, as nvmev.service runs it) ----
E=$(mktemp -d /tmp/etc-nvmev.XXXXXX)
mkdir -p $E/nvmev
cp "$NVMEV_SRC"/src/tools/examples/zoned.conf $E/nvmev/
sed 's/^capacity = .*/capacity = 1G/' "$NVMEV_SRC"/src/tools/examples/fast.conf >$E/nvmev/fast.conf
printf 'kind = nvm\ncolour = blue\n' >$E/nvmev/badkey.conf
printf '# comment\nkind = ssd\ncapacity = 3000\n' >$E/nvmev/badval.conf
printf 'kind = nvm\n' >$E/nvmev/Upper.conf
printf 'kind = kv\nmdts = 2\nkv = max_value_kib=1024\n' >$E/nvmev/badfit.conf
SETUP=(env NVMEV_SETUP_ETC=$E bash "$NVMEV_SRC/src/tools/nvmev-setup")
rc=0
"${SETUP[@]}" --devices >$RESULTS/setup-devices.log 2>&1 || rc=$?
cat $RESULTS/setup-devices.log
check "nvmev-setup --devices exits 0 with bad files" eq $rc 0
check "fast (tlc-dc SSD) attached" eq "$(cat $C/fast/power) $(cat $C/fast/kind) $(cat $C/fast/profile)" "1 ssd tlc-dc"
check "zoned (example file as shipped) attached" eq "$(cat $C/zoned/power) $(cat $C/zoned/kind) $(cat $C/zoned/io_queues)" "1 zns 4"
check "fast: controller live" wait_for "ctrl_of fast >/dev/null" 60
check "zoned: controller live" wait_for "ctrl_of zoned >/dev/null" 60
check "fast: block device by serial" wait_for "dev_by_serial fast >/dev/null" 30
check "zoned: 64 zones" eq "$(cat /sys/block/$(basename "$(dev_by_serial zoned)")/queue/nr_zones)" 64
for b in badkey badval Upper badfit; do
	check "$b.conf skipped, nothing left behind" expect_fail test -e $C/$b
done
check "unknown key reported with its line" grep -q "badkey.conf: skipped: line 2: unknown key 'colour'" $RESULTS/setup-devices.log
check "bad value reported with the kernel's reason" grep -q "badval.conf: skipped: line 3: capacity = 3000 refused: badval/capacity: '3000' is not a size" $RESULTS/setup-devices.log
check "bad name reported" grep -q "Upper.conf: skipped: a device name" $RESULTS/setup-devices.log
check "settings that do not fit reported at attach, with the reason" grep -q "badfit.conf: skipped: attaching it failed: kv: max_value_kib=1024 is above MDTS" $RESULTS/setup-devices.log
check "summary: 2 attached, 4 skipped" grep -q "2 device(s) attached, 4 skipped" $RESULTS/setup-devices.log
"${SETUP[@]}" --devices >$RESULTS/setup-again.log 2>&1 || true
check "running again leaves attached devices alone" grep -q "fast: already attached" $RESULTS/setup-again.log
"${SETUP[@]}" --help >$RESULTS/setup-help.log 2>&1 || true
check "--help names --devices" grep -q -- --devices $RESULTS/setup-help.log
rmdir $C/fast $C/zoned

# ---- a shared dispatcher -------------------------------------------------------
# comm of every thread, one per line (kernel threads have no cmdline).
threads() { ps -eo comm= >"$RESULTS/threads.txt"; grep -cx "$1" "$RESULTS/threads.txt" || true; }
for n in sh1 sh2 sh3; do
	check "mkdir + power: $n on dispatcher lab" make_dev $n nvm capacity=256M dispatcher=lab
done
for n in sh1 sh2 sh3; do
	check "$n: controller live" wait_for "ctrl_of $n >/dev/null" 60
	check "$n: block device by serial" wait_for "dev_by_serial $n >/dev/null" 30
done
check "one thread nvmev_lab for the three" eq "$(threads nvmev_lab)" 1
check "no dispatcher of their own (no thread sh1, sh2, sh3)" eq "$(threads sh1)$(threads sh2)$(threads sh3)" 000
check "each keeps its worker (sh1_w0)" eq "$(threads sh1_w0)" 1
pids=()
for n in sh1 sh3; do
	fio --name=$n --filename=$(dev_by_serial $n) --direct=1 --ioengine=libaio \
		--iodepth=16 --rw=randwrite --bs=4k --size=64m --verify=crc32c \
		--verify_fatal=1 >$RESULTS/fio-$n.log 2>&1 &
	pids+=($!)
done
fio --name=sh2 --filename=$(dev_by_serial sh2) --direct=1 --ioengine=libaio \
	--iodepth=8 --rw=randwrite --bs=4k --size=128m --time_based --runtime=120 \
	>$RESULTS/fio-sh2.log 2>&1 &
sh2_pid=$!
sleep 5
check "detach sh2 under fio" eval "echo 0 >$C/sh2/power"
rc=0
wait $sh2_pid || rc=$?
check "fio on sh2 failed (rc $rc)" test $rc -ne 0
for i in 0 1; do
	rc=0
	wait ${pids[$i]} || rc=$?
	check "sh$((2 * i + 1)): I/O and verify passed on the shared dispatcher while sh2 went" eq $rc 0
done
check "nvmev_lab still there for sh1 and sh3" eq "$(threads nvmev_lab)" 1
mkdir $C/sh4
echo 1,2 >$C/sh4/cpus
echo lab >$C/sh4/dispatcher
dmesg_mark
check "sh4: a dispatcher CPU (1) other than the group's (none): EINVAL" eq "$(write_rc $C/sh4/power 1)" EINVAL
check "... says which CPU the group uses" dmesg_has 'dispatcher lab is not pinned, but cpus= puts'
check "... still off" eq "$(cat $C/sh4/power)" 0
echo >$C/sh4/cpus
check "sh4 with cpus empty joins lab" eq "$(write_rc $C/sh4/power 1)" ok
check "sh4: controller live" wait_for "ctrl_of sh4 >/dev/null" 60
check "still one nvmev_lab" eq "$(threads nvmev_lab)" 1
for n in sh1 sh2 sh3 sh4; do
	check "rmdir $n" rmdir $C/$n
done
check "nvmev_lab gone with the group's last device" eq "$(threads nvmev_lab)" 0

# ---- namespaces as directories --------------------------------------------------
N=$C/mix/namespaces
mkdir $C/mix
check "mix: namespaces/ directory" test -d $N
for bad in 0 17 x 01; do
	dmesg_mark
	check "namespaces/$bad: mkdir refused" expect_fail mkdir $N/$bad
	check "namespaces/$bad: one dmesg line" eq "$(nvmev_lines)" 1
done
mkdir $N/1 $N/2 $N/3 $N/4
for bv in "kind flash" "size 5000" "lba_size 32" "profile qlc" "zns zone_mib=x"; do
	a=${bv%% *}
	dmesg_mark
	check "namespaces/1/$a='${bv#* }': EINVAL" eq "$(write_rc $N/1/$a "${bv#* }")" EINVAL
	check "namespaces/1/$a: one dmesg line naming it" eq "$(dmesg_since | grep -c "mix/namespaces/1/$a" || true)" 1
done
echo 512M >$N/1/size
echo ssd >$N/2/kind
echo 1G >$N/2/size
echo tlc-dc >$N/2/profile
echo zns >$N/3/kind
echo 1G >$N/3/size
echo zone_mib=32 >$N/3/zns
echo 4096 >$N/3/lba_size
echo kv >$N/4/kind
echo 64M >$N/4/size
dmesg_mark
check "a kv namespace too small for its segments: power refused" eq "$(write_rc $C/mix/power 1)" EINVAL
check "... says why, naming the namespace" dmesg_has 'namespace 4 of 64 MiB: KV parameters refused'
check "... and which directory to fix" dmesg_has 'mix: not attached: fix namespaces/4'
echo 1G >$N/4/size
echo 4G >$C/mix/capacity
check "mix: power on with four namespaces" eq "$(write_rc $C/mix/power 1)" ok
check "mix: controller live" wait_for "ctrl_of mix >/dev/null" 60
c=$(ctrl_of mix)
s=$(nvme_subsys_of "$c") || fail "mix: no subsystem for $c"
nvme list-ns /dev/$c >$RESULTS/mix-list-ns.txt 2>&1 || true
check "mix: namespaces 0x1-0x4 active" eq "$(grep -o '0x[0-9a-f]*' $RESULTS/mix-list-ns.txt | tr '\n' ' ')" "0x1 0x2 0x3 0x4 "
check "mix: TNVMCAP is capacity (4G) when above the namespaces' 3.5G" eq "$(nvme id-ctrl /dev/$c -o json | json_field tnvmcap)" $((4 << 30))
check "mix: disks of n1-n3 and the generic device of n4" wait_for \
	"nvme_ns_disk $s 1 && nvme_ns_disk $s 2 && nvme_ns_disk $s 3 && nvme_ns_ng $s 4" 30
d1=$(nvme_ns_disk "$s" 1) || d1=/dev/none-n1
d2=$(nvme_ns_disk "$s" 2) || d2=/dev/none-n2
d3=$(nvme_ns_disk "$s" 3) || d3=/dev/none-n3
g4=$(nvme_ns_ng "$s" 4) || g4=/dev/none-n4
info "mix: $c, subsystem $s: $d1 $d2 $d3 $g4"
check "mix: n1 nvm 512M" eq "$(blockdev --getsize64 "$d1")" $((512 << 20))
check "mix: n2 ssd 1G" eq "$(blockdev --getsize64 "$d2")" $((1 << 30))
check "mix: n3 zoned, 4 KiB blocks, 32 zones" eq "$(cat /sys/block/${d3#/dev/}/queue/zoned) $(cat /sys/block/${d3#/dev/}/queue/logical_block_size) $(cat /sys/block/${d3#/dev/}/queue/nr_zones)" "host-managed 4096 32"
# No disk of namespace 4 on this controller's path (nvmeScCnX, hidden).
path_disk4() {
	local d
	for d in /sys/class/nvme/"$c"/nvme*c*n*; do
		[[ -e $d/nsid && $(cat "$d/nsid") == 4 ]] && return 0
	done
	return 1
}
check "mix: n4 kv, generic device only" eq "$(test -c "$g4" && echo c)$(path_disk4 && echo b)" c
echo mq-deadline >/sys/block/${d3#/dev/}/queue/scheduler
pids=()
fio --name=mix1 --filename=$d1 --direct=1 --ioengine=libaio --iodepth=8 \
	--rw=randwrite --bs=4k --size=32m --verify=crc32c --verify_fatal=1 >$RESULTS/fio-mix1.log 2>&1 &
pids+=($!)
fio --name=mix2 --filename=$d2 --direct=1 --ioengine=libaio --iodepth=8 \
	--rw=randwrite --bs=16k --size=32m --verify=crc32c --verify_fatal=1 >$RESULTS/fio-mix2.log 2>&1 &
pids+=($!)
fio --name=mix3 --filename=$d3 --direct=1 --zonemode=zbd --ioengine=libaio \
	--iodepth=4 --rw=write --bs=64k --size=64m --verify=crc32c --verify_fatal=1 >$RESULTS/fio-mix3.log 2>&1 &
pids+=($!)
( "${KV[@]}" -d $g4 put mixkey mixvalue &&
	[[ $("${KV[@]}" -d $g4 get mixkey) == mixvalue ]] ) >$RESULTS/kv-mix.log 2>&1 &
pids+=($!)
i=0
for what in "nvm n1 fio verify" "ssd n2 fio verify" "zns n3 fio zbd verify" "kv n4 put/get"; do
	rc=0
	wait ${pids[$i]} || rc=$?
	check "mix: $what" eq $rc 0
	i=$((i + 1))
done
[[ -d /sys/kernel/debug/nvmev ]] || mount -t debugfs debugfs /sys/kernel/debug
check "mix: n2 wrote through its FTL (debugfs ns2_host_write_pages)" \
	test "$(awk '$1 == "ns2_host_write_pages" {print $2}' /sys/kernel/debug/nvmev/mix/stats)" -gt 0
check "namespaces/2/size while on: EBUSY" eq "$(write_rc $N/2/size 2G)" EBUSY
check "rmdir mix with namespace directories: refused" expect_fail rmdir $C/mix
echo 0 >$C/mix/power
rmdir $N/1 $N/2 $N/3 $N/4
check "rmdir mix once its namespaces are gone" rmdir $C/mix

# ---- the module is held while devices are configured ----------------------------
check "rmmod refused while configfs devices exist" expect_fail rmmod nvmev
check "module still loaded" nvmev_loaded
check "devices still work: fnvm read" dd if=$NVM of=/dev/null bs=1M count=4 iflag=direct status=none
for d in fnvm fssd fzns fkv gone; do
	check "rmdir $d while on" rmdir $C/$d
done
check "all nvmev PCI devices but the load-time one gone" eq "$(ls /sys/bus/pci/devices | grep -c '^[0-9a-f]\{5,\}:' || true)" 1

# ---- cycles ------------------------------------------------------------------
cycle() {
	mkdir $C/cyc || return 1
	echo 1 >$C/cyc/power || return 1
	wait_for "ctrl_of cyc >/dev/null" 30 || { echo "cycle: no live controller"; return 1; }
	echo 0 >$C/cyc/power || return 1
	rmdir $C/cyc
}
check "warm-up cycles" eval 'for i in 1 2 3 4 5; do cycle || exit 1; done'
half=$((CYCLES / 2))
settle
AV0=$(meminfo_kb MemAvailable)
failed=0
t0=$(date +%s)
for ((i = 1; i <= CYCLES; i++)); do
	cycle || { failed=$i; break; }
	if ((i == half)); then
		settle
		SLH=$(meminfo_kb Slab)
		SUH=$(meminfo_kb SUnreclaim)
	fi
done
t1=$(date +%s)
check "$CYCLES create/power/unpower/rmdir cycles (failed at: $failed)" eq $failed 0
info "cycles: $((t1 - t0)) s for $CYCLES"
settle
AV1=$(meminfo_kb MemAvailable)
SL1=$(meminfo_kb Slab)
SU1=$(meminfo_kb SUnreclaim)
info "MemAvailable $AV0 -> $AV1 kB; Slab ${SLH:-?} -> $SL1, SUnreclaim ${SUH:-?} -> $SU1 kB over the second half"
check "MemAvailable drift under $MAX_AVAIL_DRIFT_KB KiB" num_ge $((AV1 + MAX_AVAIL_DRIFT_KB)) "$AV0"
check "Slab growth over the second half under $MAX_HALF_SLAB_KB KiB" num_ge $((SLH + MAX_HALF_SLAB_KB)) "$SL1"
check "SUnreclaim growth over the second half under $MAX_HALF_SLAB_KB KiB" num_ge $((SUH + MAX_HALF_SLAB_KB)) "$SU1"
check "unload" nvmev_unload

# ---- BAR slots -----------------------------------------------------------------
# 64 KiB of reservation: four 16 KiB slots, the load-time device takes one.
check "load with a 64 KiB reservation" nvmev_load memmap_start=4G memmap_size=64K capacity=1G cpus=1,2
mountpoint -q /sys/kernel/config || mount -t configfs none /sys/kernel/config
for s in s1 s2 s3; do
	check "slot device $s" make_dev $s nvm capacity=64M
done
mkdir $C/s4
dmesg_mark
check "a fifth device: ENOSPC" eq "$(write_rc $C/s4/power 1)" ENOSPC
check "... says why" dmesg_has 'BAR slots'
check "freeing a slot lets it on" eval "echo 0 >$C/s2/power && echo 1 >$C/s4/power"
check "s4 controller live" wait_for "ctrl_of s4 >/dev/null" 60
for s in s1 s2 s3 s4; do rmdir $C/$s; done
check "unload" nvmev_unload
