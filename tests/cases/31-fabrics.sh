#!/bin/bash
# NVMe over Fabrics and the generic character device on top of nvmev
# (docs/fabrics.md), in one boot, with Debian's own modules and nvmet
# configured by hand under /sys/kernel/config/nvmet:
#  - an nvm namespace (the load-time device) and a zns one (a device made
#    through /sys/kernel/config/nvmev) exported by nvmet in bdev mode over
#    TCP on 127.0.0.1:4420; the same guest discovers and connects with
#    nvme-cli, fio verifies over the fabric, data written through the
#    fabric reads back on the local device; the zoned one shows as a
#    host-managed zoned disk and passes fio --zonemode=zbd verify;
#  - 6.12 only (6.1 is built without CONFIG_NVME_TARGET_PASSTHRU and
#    CONFIG_NVME_TARGET_LOOP, checked): the nvm namespace over the loop
#    transport; passthru mode (the whole controller, passthru/device_path
#    /dev/nvmeX) over TCP and loop for the nvm and the zns controller,
#    zoned passthrough with fio zbd verify; TCP passthru on the same host
#    needs passthru/clear_ids=1 (without it the host ignores the namespace
#    as a duplicate of the local one); both controllers passed through at
#    once;
#  - fio ioengine=io_uring_cmd (cmd_type=nvme) on /dev/ngXnY verifies data
#    on the nvm namespace and, with --zonemode=zbd, on the zns one;
#  - CONFIG_PCI_P2PDMA is not set in the kernel's config and nvmet offers
#    no p2pmem attribute (no peer-to-peer DMA on Debian's kernels);
#  - everything torn down again, the devices removed, rmmod nvmev.
# Prints (info, not checked) 4 KiB random-read QD32 throughput of the
# local block device, /dev/ng (io_uring_cmd) and each fabric path.
# append: memmap=2M$0x100000000
# timeout: 900
if [[ ${1:-} == -h || ${1:-} == --help ]]; then
	sed -n '2,/^# append/{/^# append/d;s/^# \{0,1\}//;p}' "$0"
	echo "Runs in a test guest only (tests/run --case 31)."
	exit 0
fi
source "$(dirname "$0")/../lib/guest.sh"

T=/sys/kernel/config/nvmet
C=/sys/kernel/config/nvmev
NQN=nqn.2024-06.io.nvmev
TP_SECS=${TP_SECS:-4}	# seconds of each throughput run
# The guest kernel's config, as tests/run unpacked it (NVMEV_KO is
# <cache>/build/<ver>/nvmev.ko).
KCONFIG=${NVMEV_KO%/build/*}/kernels/$KVER/root/boot/config-$KVER
ZSIZE=64m		# zone size of the zns device (the kind's default)

mountpoint -q /sys/kernel/config || mount -t configfs none /sys/kernel/config

# ---- helpers ---------------------------------------------------------------

# The block device of namespace 1 of subsystem $1 (the multipath head of
# a fabric subsystem, the namespace itself of a PCIe one).
dev_by_nqn() {
	local d nqn
	for d in /sys/block/nvme*; do
		[[ ${d##*/} =~ ^nvme[0-9]+n1$ ]] || continue
		read -r nqn <"$d/device/subsysnqn" 2>/dev/null || continue
		[[ $nqn == "$1" ]] && { echo "/dev/${d##*/}"; return 0; }
	done
	return 1
}
# The fabric controller (nvmeN) connected to subsystem $1.
fabric_ctrl() {
	local c
	for c in /sys/class/nvme/nvme*; do
		[[ $(cat "$c/transport") != pcie ]] || continue
		[[ $(cat "$c/subsysnqn") == "$1" ]] && { echo "${c##*/}"; return 0; }
	done
	return 1
}
# 6.1 leaves a multi-queue zoned disk on "none", which may reorder writes
# to a zone; mq-deadline serialises them (6.12 plugs zone writes).
# zoned_deadline DEV [CTRL]: mq-deadline on DEV, or, for a fabric disk (a
# multipath head: no scheduler), on its path through controller CTRL.
zoned_deadline() {
	local q n=0
	for q in /sys/block/${1#/dev/}/queue ${2:+/sys/class/nvme/$2/nvme*n1/queue}; do
		[[ -e $q/scheduler ]] || continue
		grep -q mq-deadline "$q/scheduler" || continue
		echo mq-deadline >"$q/scheduler" || return 1
		grep -q '\[mq-deadline\]' "$q/scheduler" && n=$((n + 1))
	done
	((n > 0)) || { echo "no queue of $1 ${2:-} took mq-deadline"; return 1; }
}
kconfig() { grep -E "^(# )?$1[= ]" "$KCONFIG"; }
# sysfs strings without the blanks nvme pads them with.
attr() { sed 's/ *$//' "$@"; }

# fio_on NAME DEV ARGS...: fio on DEV alone (run_fio always adds
# $NVME_NS), direct I/O on a block device (a generic character device
# has none); log in $RESULTS/fio-NAME.log, one summary line.
fio_on() {
	local name=$1 dev=$2 log=$RESULTS/fio-$1.log rc=0 direct=()
	shift 2
	[[ -b $dev ]] && direct=(--direct=1)
	fio --name="$name" --filename="$dev" "${direct[@]}" --group_reporting \
		"$@" >"$log" 2>&1 || rc=$?
	echo "fio $name: rc=$rc $(grep -m2 -E '^ *(read|write):' "$log" | tr -s ' ' | tr '\n' ' ')"
	[[ $rc -eq 0 ]] || grep -E 'error|verify|bad|mandatory' "$log" | head -n 10
	return $rc
}

# Target side, as a user types it (docs/fabrics.md).
port_tcp() {
	mkdir $T/ports/1 &&
		echo tcp >$T/ports/1/addr_trtype &&
		echo ipv4 >$T/ports/1/addr_adrfam &&
		echo 127.0.0.1 >$T/ports/1/addr_traddr &&
		echo 4420 >$T/ports/1/addr_trsvcid
}
port_loop() {
	mkdir $T/ports/2 && echo loop >$T/ports/2/addr_trtype
}
# subsys_bdev NAME BLOCKDEV: a subsystem with BLOCKDEV as namespace 1.
subsys_bdev() {
	local s=$T/subsystems/$NQN:$1
	mkdir "$s" &&
		echo 1 >"$s/attr_allow_any_host" &&
		mkdir "$s/namespaces/1" &&
		echo "$2" >"$s/namespaces/1/device_path" &&
		echo 1 >"$s/namespaces/1/enable"
}
# subsys_passthru NAME CTRLDEV: a subsystem passing CTRLDEV through (not
# enabled yet).
subsys_passthru() {
	local s=$T/subsystems/$NQN:$1
	mkdir "$s" &&
		echo 1 >"$s/attr_allow_any_host" &&
		echo "$2" >"$s/passthru/device_path"
}
link() { ln -s "$T/subsystems/$NQN:$1" "$T/ports/$2/subsystems/$NQN:$1"; }
unlink_port() { rm "$T/ports/$2/subsystems/$NQN:$1"; }

# Host side.
connect() {
	case $1 in
	tcp) nvme connect -t tcp -a 127.0.0.1 -s 4420 -n "$NQN:$2" ;;
	loop) nvme connect -t loop -n "$NQN:$2" ;;
	esac
}
disconnect() {
	nvme disconnect -n "$NQN:$1" | grep -q 'disconnected 1 controller' &&
		wait_for "! fabric_ctrl $NQN:$1 >/dev/null && ! dev_by_nqn $NQN:$1 >/dev/null" 30
}

# throughput LABEL DEV ENGINE: 4 KiB random reads at QD32 (info only).
TP_ARGS=(--rw=randread --bs=4k --iodepth=32 --size=32m --runtime="$TP_SECS"
	--time_based)
throughput() {
	local label=$1 dev=$2 engine=$3 extra=()
	[[ $engine == io_uring_cmd ]] && extra=(--cmd_type=nvme)
	if fio_on "tp-$label" "$dev" --ioengine="$engine" "${extra[@]}" \
		"${TP_ARGS[@]}" >/dev/null; then
		info "throughput $label ($engine on $dev): $(grep -m1 -E '^ *read:' "$RESULTS/fio-tp-$label.log" | tr -s ' ')"
	else
		info "throughput $label: fio failed, see fio-tp-$label.log"
	fi
}

# fabric_nvm LABEL TRANSPORT SUBSYS SLOT [passthru]: connect to SUBSYS (the nvm
# namespace, /dev/nvme0n1) over TRANSPORT, fio verify in the SLOTth
# 64 MiB, data written through the fabric read back locally, throughput,
# disconnect.
fabric_nvm() {
	local label=$1 tr=$2 sub=$3 off=$(($4 * 64)) mode=${5:-bdev} dev fc
	info "$label: nvm namespace over $tr"
	check "$label: nvme connect -t $tr" connect "$tr" "$sub"
	check "$label: namespace appears" wait_for "dev_by_nqn $NQN:$sub >/dev/null" 30
	dev=$(dev_by_nqn "$NQN:$sub") || return 0
	fc=$(fabric_ctrl "$NQN:$sub") || fc=none
	info "$label: $fc $dev"
	check "$label: same size as the local namespace" \
		eq "$(blockdev --getsize64 "$dev")" "$(blockdev --getsize64 "$NVME_NS")"
	check "$label: transport $tr" eq "$(cat /sys/class/nvme/$fc/transport)" "$tr"
	if [[ $mode == passthru ]]; then
		check "$label: the controller's own serial and model (passthru)" \
			eq "$(attr /sys/class/nvme/"$fc"/{serial,model})" \
			"$(attr /sys/class/nvme/nvme0/{serial,model})"
	else
		check "$label: nvmet's own model (bdev)" eq "$(attr /sys/class/nvme/"$fc"/model)" Linux
	fi
	check "$label: fio randwrite 32 MiB + verify over the fabric" fio_on "$label" "$dev" \
		--ioengine=libaio --iodepth=16 --rw=randwrite \
		--bs=16k --offset=${off}m --size=32m --verify=crc32c --verify_fatal=1
	check "$label: 1 MiB written through the fabric" \
		dd if=/tmp/rand1m of="$dev" bs=1M seek=$((off + 40)) count=1 oflag=direct status=none
	check "$label: ... reads back from the local $NVME_NS" \
		cmp /tmp/rand1m <(dd if="$NVME_NS" bs=1M skip=$((off + 40)) count=1 iflag=direct status=none)
	throughput "$label" "$dev" io_uring
	check "$label: nvme disconnect" disconnect "$sub"
}

# fabric_zns LABEL TRANSPORT SUBSYS ZONE: connect to SUBSYS (the zns
# namespace), zoned attributes, fio zbd write + verify of one zone from
# ZONE, the zone's data read back locally, disconnect.
fabric_zns() {
	local label=$1 tr=$2 sub=$3 zone=$4 dev b fc
	info "$label: zns namespace over $tr"
	check "$label: nvme connect -t $tr" connect "$tr" "$sub"
	check "$label: namespace appears" wait_for "dev_by_nqn $NQN:$sub >/dev/null" 30
	dev=$(dev_by_nqn "$NQN:$sub") || return 0
	b=${dev#/dev/}
	fc=$(fabric_ctrl "$NQN:$sub") || fc=none
	info "$label: $fc $dev"
	check "$label: host-managed zoned" eq "$(cat /sys/block/$b/queue/zoned)" host-managed
	check "$label: 16 zones" eq "$(cat /sys/block/$b/queue/nr_zones)" 16
	check "$label: zone size 64 MiB" eq "$(cat /sys/block/$b/queue/chunk_sectors)" 131072
	check "$label: blkzone report: zone $zone empty" \
		sh -c "blkzone report -o $((zone * 131072)) -c 1 $dev | grep -q '(em)'"
	check "$label: mq-deadline on the path (6.1)" zoned_deadline "$dev" "$fc"
	check "$label: fio zbd write + verify, zone $zone" fio_on "$label" "$dev" \
		--zonemode=zbd --ioengine=libaio --iodepth=4 \
		--rw=write --bs=128k --offset=$((zone * 64))m --size=$ZSIZE \
		--verify=crc32c --verify_fatal=1
	check "$label: blkzone report: zone $zone full" \
		sh -c "blkzone report -o $((zone * 131072)) -c 1 $dev | grep -q '(fu)'"
	check "$label: zone $zone reads the same locally" \
		cmp <(dd if="$dev" bs=1M skip=$((zone * 64)) count=4 iflag=direct status=none) \
		<(dd if="$ZNS" bs=1M skip=$((zone * 64)) count=4 iflag=direct status=none)
	check "$label: nvme disconnect" disconnect "$sub"
}

# ---- the devices -----------------------------------------------------------

info "fio $(fio --version), nvme-cli $(nvme version | head -n1)"
check "loopback interface up" ip link set lo up
head -c 1048576 /dev/urandom >/tmp/rand1m
nvmev_load || fail "nvmev_load"
check "zns device through configfs" sh -c \
	"mkdir $C/fabzns && echo zns >$C/fabzns/kind && echo 1G >$C/fabzns/capacity && echo 1 >$C/fabzns/power"
check "zns controller live" wait_for "ctrl_of fabzns >/dev/null" 60
ZC=$(ctrl_of fabzns) || fail "no controller for the zns device"
check "zns block device" wait_for "dev_by_nqn $(cat /sys/class/nvme/$ZC/subsysnqn) >/dev/null" 30
ZNS=$(dev_by_nqn "$(cat /sys/class/nvme/$ZC/subsysnqn)") || fail "no zns block device"
NG=/dev/ng0n1
ZNG=$(nvme_ns_ng "$(nvme_subsys_of "$ZC")" 1) || fail "no generic device for the zns namespace"
info "nvm: /dev/nvme0 $NVME_NS $NG; zns: /dev/$ZC $ZNS $ZNG"
check "zns: host-managed zoned, 16 zones" eq "$(cat /sys/block/${ZNS#/dev/}/queue/zoned) $(cat /sys/block/${ZNS#/dev/}/queue/nr_zones)" "host-managed 16"
check "zns: mq-deadline (6.1)" zoned_deadline "$ZNS"
check "generic devices $NG and $ZNG" test -c $NG -a -c "$ZNG"

# ---- kernel configuration facts --------------------------------------------

info "kernel config $KCONFIG"
check "kernel config file found" test -s "$KCONFIG"
check "CONFIG_PCI_P2PDMA is not set" eq "$(kconfig CONFIG_PCI_P2PDMA)" "# CONFIG_PCI_P2PDMA is not set"
check "CONFIG_NVME_TARGET_TCP=m" eq "$(kconfig CONFIG_NVME_TARGET_TCP)" CONFIG_NVME_TARGET_TCP=m
check "CONFIG_BLK_DEV_ZONED=y (nvmet exports zoned block devices)" eq "$(kconfig CONFIG_BLK_DEV_ZONED)" CONFIG_BLK_DEV_ZONED=y
case $KVER in
6.1.*)
	FULL=0
	check "6.1: CONFIG_NVME_TARGET_PASSTHRU is not set" eq "$(kconfig CONFIG_NVME_TARGET_PASSTHRU)" "# CONFIG_NVME_TARGET_PASSTHRU is not set"
	check "6.1: CONFIG_NVME_TARGET_LOOP is not set" eq "$(kconfig CONFIG_NVME_TARGET_LOOP)" "# CONFIG_NVME_TARGET_LOOP is not set"
	check "6.1: no nvme-loop module" expect_fail modprobe nvme-loop
	;;
*)
	FULL=1
	check "CONFIG_NVME_TARGET_PASSTHRU=y" eq "$(kconfig CONFIG_NVME_TARGET_PASSTHRU)" CONFIG_NVME_TARGET_PASSTHRU=y
	check "CONFIG_NVME_TARGET_LOOP=m" eq "$(kconfig CONFIG_NVME_TARGET_LOOP)" CONFIG_NVME_TARGET_LOOP=m
	check "modprobe nvme-loop" modprobe nvme-loop
	;;
esac

# ---- io_uring_cmd on the generic character device --------------------------

info "io_uring_cmd on /dev/ngXnY"
check "ng nvm: fio io_uring_cmd randwrite 32 MiB + verify" fio_on ng-nvm $NG \
	--ioengine=io_uring_cmd --cmd_type=nvme --iodepth=16 \
	--rw=randwrite --bs=16k --offset=0 --size=32m --verify=crc32c --verify_fatal=1
check "ng nvm: the data reads back through the block device" fio_on ng-nvm-blk "$NVME_NS" \
	--ioengine=libaio --iodepth=16 --rw=randwrite --bs=16k --offset=0 --size=32m \
	--verify=crc32c --verify_only=1 --verify_fatal=1
check "ng zns: fio io_uring_cmd zbd write + verify, zone 8" fio_on ng-zns "$ZNG" \
	--ioengine=io_uring_cmd --cmd_type=nvme --zonemode=zbd \
	--iodepth=1 --rw=write --bs=128k --offset=512m --size=$ZSIZE \
	--verify=crc32c --verify_fatal=1
check "ng zns: zone 8 full" sh -c "blkzone report -o $((8 * 131072)) -c 1 $ZNS | grep -q '(fu)'"
throughput local-block "$NVME_NS" io_uring
throughput local-ng "$NG" io_uring_cmd

# ---- nvmet: ports ----------------------------------------------------------

check "modprobe nvmet-tcp nvme-tcp" modprobe -a nvmet-tcp nvme-tcp
check "$T exists" test -d $T
check "tcp port 1 on 127.0.0.1:4420" port_tcp
((FULL)) && check "loop port 2" port_loop

# ---- bdev mode -------------------------------------------------------------

check "subsystem nvm-bdev on $NVME_NS" subsys_bdev nvm-bdev "$NVME_NS"
check "nvmet namespace has no p2pmem attribute (no CONFIG_PCI_P2PDMA)" \
	test ! -e "$T/subsystems/$NQN:nvm-bdev/namespaces/1/p2pmem"
if ((FULL)); then
	check "subsystem has passthru/ (CONFIG_NVME_TARGET_PASSTHRU)" test -d "$T/subsystems/$NQN:nvm-bdev/passthru"
else
	check "6.1: subsystem has no passthru/" test ! -e "$T/subsystems/$NQN:nvm-bdev/passthru"
fi
check "nvm-bdev on the tcp port" link nvm-bdev 1
check "nvme discover lists nvm-bdev" sh -c \
	"nvme discover -t tcp -a 127.0.0.1 -s 4420 | grep -q 'subnqn: *$NQN:nvm-bdev'"
fabric_nvm tcp-bdev tcp nvm-bdev 2
check "nvm-bdev off the tcp port" unlink_port nvm-bdev 1
if ((FULL)); then
	check "nvm-bdev on the loop port" link nvm-bdev 2
	fabric_nvm loop-bdev loop nvm-bdev 4
	check "nvm-bdev off the loop port" unlink_port nvm-bdev 2
fi

check "subsystem zns-bdev on $ZNS" subsys_bdev zns-bdev "$ZNS"
check "zns-bdev on the tcp port" link zns-bdev 1
fabric_zns tcp-bdev-zns tcp zns-bdev 0
check "zns-bdev off the tcp port" unlink_port zns-bdev 1

# ---- passthru mode (6.12) ----------------------------------------------------

if ((FULL)); then
	check "subsystem nvm-pt passing /dev/nvme0 through" subsys_passthru nvm-pt /dev/nvme0
	check "nvm-pt: passthru enable" eval "echo 1 >$T/subsystems/$NQN:nvm-pt/passthru/enable"
	check "nvm-pt on the tcp port" link nvm-pt 1
	dmesg_mark
	info "tcp passthru without clear_ids: the host sees the local namespace's IDs again"
	check "nvm-pt: nvme connect -t tcp (clear_ids 0)" connect tcp nvm-pt
	check "... the host ignores the namespace (duplicate IDs)" \
		wait_for "dmesg_has 'ignoring nsid 1 because of duplicate IDs' >/dev/null" 30
	check "... no block device" expect_fail dev_by_nqn "$NQN:nvm-pt"
	check "... nvme disconnect" disconnect nvm-pt
	check "nvm-pt: passthru/clear_ids 1" eval "echo 1 >$T/subsystems/$NQN:nvm-pt/passthru/clear_ids"
	fabric_nvm tcp-passthru tcp nvm-pt 6 passthru
	check "nvm-pt off the tcp port" unlink_port nvm-pt 1
	check "nvm-pt on the loop port" link nvm-pt 2
	fabric_nvm loop-passthru loop nvm-pt 8 passthru
	check "nvm-pt off the loop port" unlink_port nvm-pt 2

	check "subsystem zns-pt passing /dev/$ZC through" subsys_passthru zns-pt "/dev/$ZC"
	check "zns-pt: passthru/clear_ids 1" eval "echo 1 >$T/subsystems/$NQN:zns-pt/passthru/clear_ids"
	check "zns-pt: passthru enable, nvm-pt still on (two controllers at once)" \
		eval "echo 1 >$T/subsystems/$NQN:zns-pt/passthru/enable"
	check "both passthru subsystems enabled" \
		eq "$(cat $T/subsystems/$NQN:{nvm,zns}-pt/passthru/enable | tr '\n' ' ')" "1 1 "
	check "zns-pt on the tcp port" link zns-pt 1
	fabric_zns tcp-passthru-zns tcp zns-pt 4
	check "zns-pt off the tcp port" unlink_port zns-pt 1
	check "zns-pt on the loop port" link zns-pt 2
	fabric_zns loop-passthru-zns loop zns-pt 6
	check "zns-pt off the loop port" unlink_port zns-pt 2
fi

# ---- teardown ----------------------------------------------------------------

info "teardown"
for s in "$T"/subsystems/*; do
	[[ -e $s ]] || continue
	[[ -e $s/passthru/enable ]] && echo 0 >"$s/passthru/enable"
	if [[ -d $s/namespaces/1 ]]; then
		echo 0 >"$s/namespaces/1/enable"
		rmdir "$s/namespaces/1"
	fi
	check "rmdir subsystem ${s##*/}" rmdir "$s"
done
check "rmdir the ports" rmdir $T/ports/*
check "nvmet configuration empty" eq "$(find $T/subsystems $T/ports -mindepth 1 | wc -l)" 0
check "no fabric controller left" eq "$(cat /sys/class/nvme/*/transport | sort -u)" pcie
check "zns device off and removed" sh -c "echo 0 >$C/fabzns/power && rmdir $C/fabzns"
check "unload" nvmev_unload
