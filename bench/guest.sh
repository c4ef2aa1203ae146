#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The guest half of `make bench` (bench/run boots the VM and runs this as
# its case; it is not meant to be run on a host). It measures, and asserts
# nothing about the figures:
#   matrix    the same fio points on nvmev (zero-latency and default
#             profiles), null_blk with and without memory backing, brd and
#             QEMU's emulated NVMe, interleaved point by point;
#   accuracy  nvmev's QD1 read latency against targets, a bandwidth-limited
#             sequential read, and QD32 reads where the model's units queue;
#   idle      CPU time of nvmev's threads while idle after load and 1 s
#             after a burst of I/O;
#   wakeup    latency of the first I/O after 1 s and 10 s idle;
#   paths     the nvm namespace (zero-latency) through its block device
#             (io_uring), its generic character device /dev/ngXnY
#             (io_uring_cmd), and nvmet in bdev mode over TCP on 127.0.0.1
#             (and the loop transport where the kernel has it); a zoned
#             namespace's zone writes through the block device and /dev/ng;
#   power     per host APST setting (the kernel's table; pm_qos 25000,
#             which stops in PS3; APST off; APST off with sleep_max_us=100):
#             idle cost in the state reached, first I/O after 1 s and 10 s,
#             debugfs's per-state entries, time and look lateness;
#   memory    memory and load time of 1, 8 and 64 GiB devices;
#   ssd       nvmev kind=ssd: sequential fill, then uniform random 4 KiB
#             writes of SSD_RAND_PCT % of the capacity; the FTL's counters
#             (debugfs) after each phase; with the profile's settings and
#             (full mode) with background GC off. bench/ssd-sim runs the
#             simulator on the host on the same workload, compares WAF;
#   zns       nvmev kind=zns: sequential zone writes (fio zonemode=zbd),
#             Zone Appends from 4 threads (tests/tools/zns-ioctl.py), zone reset
#             latency of full and empty zones, per ZNS_VARIANTS; the host
#             runs nvmev-znssim for what the model predicts;
#   kv        nvmev kind=kv: `nvmev-kv bench` (src/tools) loads KV_KEYS keys,
#             then sends KV_OPS random commands, KV_READ_PCT % Retrieves,
#             from KV_JOBS processes, per KV_POINTS (value size and kv=
#             settings); the host runs nvmev-kvsim for what the model
#             predicts;
#   multi     several devices at once: the load-time device alone, then
#             with three configfs devices, each with its own dispatcher
#             thread, then all four sharing one: idle CPU of the module's
#             threads and fio 4 KiB QD32 on all devices at once.
# Raw output goes to /results: records.tsv (one line per measurement:
# SECTION<TAB>key=value...) and fio/*.json; bench/report.py turns them
# into the tables and plots.
# Environment: BENCH_MODE=full|smoke (smoke: one tiny point per section),
# BENCH_SECTIONS (default "idle matrix accuracy burst wakeup power paths multi
# memory ssd zns kv"; also "profile": perf profiles of nvmev and null_blk at QD32),
# BENCH_NVMEV_EXTRA (extra nvmev load parameters, for experiments).
if [[ ${1:-} == -h || ${1:-} == --help ]]; then
	sed -n '3,/^# BENCH_NVMEV_EXTRA/p' "$0" | sed 's/^# \{0,1\}//'
	exit 0
fi
# shellcheck source=../tests/lib/guest.sh
source "$NVMEV_SRC/tests/lib/guest.sh"

MODE=${BENCH_MODE:-full}
SECTIONS=${BENCH_SECTIONS:-idle matrix accuracy burst wakeup power paths multi memory ssd zns kv}
P=/sys/module/nvmev/parameters
STATS=/sys/kernel/debug/nvmev/nvmev0/stats
OUT=$RESULTS/bench
FIO_DIR=$OUT/fio
mkdir -p "$FIO_DIR"
REC=$OUT/records.tsv
: >"$REC"
# shellcheck disable=SC2206,SC2054 # P=V words; cpus=1,2 is one word
NVMEV_PARAMS=(memmap_start=4G memmap_size=2M capacity=1G cpus=1,2 ${BENCH_NVMEV_EXTRA:-})
DEV_MB=1024 # size of every device in the matrix, MiB

if [[ $MODE == smoke ]]; then
	REGION=16M     # area the matrix points work on
	IO_QD1=2M      # 4 KiB, QD1: 512 I/Os
	IO_QD32=4M     # 4 KiB, QD32: 1024 I/Os
	IO_SEQ=16M     # 128 KiB, QD8
	MATRIX_POINTS="randread:4k:1"
	MATRIX_DEVS="nvmev-zero nullblk-mem"
	ACC_TARGETS="100"
	ACC_N=100
	ACC_QD32_LAT="1000"
	ACC_QD32_N=200
	BW_MBS=100
	BW_IO=8M
	IDLE_S=2
	BURST_S=1
	WAKE_IDLE="1"
	WAKE_REPS=1
	POWER_VARIANTS="apst off" # power: host settings (section_power)
	PATHS_POINTS="randread:4k:32" # paths: fio points on every path
	PATHS_ZNS_SIZE=16M # paths: bytes written in one zone per path
	MEM_CAPS="1G"
	MEM_WRITE_MB=8
	SSD_CAP_MB=64      # kind=ssd namespace, MiB
	SSD_RAND_PCT=25    # random writes, percent of the capacity
	SSD_VARIANTS="-"   # ssd= settings per point ("-": the profile's)
	ZNS_VARIANTS="dies_per_zone=1" # zns= settings per point ("-": defaults)
	ZNS_ZONES=1        # zones written sequentially per point
	KV_POINTS="4096"   # VALUE_SIZE[:KV_SETTINGS] per point (none: defaults)
	KV_KEYS=300        # keys loaded per point
	KV_OPS=300         # random commands after the load
	MULTI_LAYOUTS="shared4" # multi: the layout with the most parts
	MULTI_ROUNDS=1     # multi: rounds over the layouts
	MULTI_S=2          # fio seconds per multi point
	MULTI_RW="randread"
	MULTI_REGION=16M   # area each multi fio job works on
else
	REGION=256M
	IO_QD1=8M      # 2048 I/Os
	IO_QD32=64M    # 16384 I/Os
	IO_SEQ=256M    # 2048 I/Os
	MATRIX_POINTS="randread:4k:1 randread:4k:32 randwrite:4k:1 randwrite:4k:32 read:128k:8 write:128k:8"
	MATRIX_DEVS="nvmev-zero nvmev-default nullblk-mem nullblk-nomem brd qemu-nvme"
	ACC_TARGETS="20 50 100 200 500 1000"
	ACC_N=2000
	ACC_QD32_LAT="200 500 1000"
	ACC_QD32_N=4000
	BW_MBS=100
	BW_IO=128M
	IDLE_S=10
	BURST_S=5
	WAKE_IDLE="1 10"
	WAKE_REPS=3
	POWER_VARIANTS="apst apst-ps3 off off-fast"
	PATHS_POINTS="randread:4k:1 randread:4k:32 randwrite:4k:32"
	PATHS_ZNS_SIZE=64M
	MEM_CAPS="1G 8G 64G"
	MEM_WRITE_MB=256
	SSD_CAP_MB=256
	SSD_RAND_PCT=200
	# Background GC runs in the flash's idle time, which the slow guest
	# leaves plenty of and a QD32 simulator run none: the second point
	# turns it off to compare the FTLs alone.
	SSD_VARIANTS="- gc_bg_lines=0"
	# The defaults stripe a zone over 32 dies, faster than the guest can
	# write; one die per zone comes near the guest's pace, and one die
	# with a slow program makes the flash the bottleneck.
	ZNS_VARIANTS="- dies_per_zone=1 dies_per_zone=1,prog_us=2000"
	ZNS_ZONES=4
	# Three value sizes on the default flash, where the guest's round
	# trip (Python and the passthrough ioctl under TCG: 4-10 ms per
	# command with 4 processes) is far slower than the model; then one
	# SLC die with a 10 ms read, where the Retrieves queue on the die
	# (the model: 173 commands/s, a Retrieve 45 ms at 4 processes) and
	# the device sets the pace.
	KV_POINTS="512 4096 65536 4096:channels=1,luns=1,cell_bits=1,read0_us=10000"
	KV_KEYS=4000
	KV_OPS=4000
	MULTI_LAYOUTS="one own4 shared4"
	MULTI_ROUNDS=2     # the second in reverse order (ABC CBA)
	MULTI_S=4
	MULTI_RW="randread randwrite"
	MULTI_REGION=64M
fi
POWER_SETTLE_S=4 # power: from the last I/O up to the idle window
MULTI_SETTLE_S=2 # multi: from the last device up to the idle window
KV_JOBS=4     # processes of nvmev-kv bench, one command in flight each
KV_READ_PCT=50
FIO_CAP_S=120 # safety limit per fio run; a point that hits it is marked
SSD_PROFILE=970pro
SSD_QD=32

# record SECTION key=value...
record() {
	local sec=$1
	shift
	printf '%s\t%s\n' "$sec" "$*" >>"$REC"
}

mountpoint -q /sys/kernel/debug || mount -t debugfs none /sys/kernel/debug
modprobe configfs
mountpoint -q /sys/kernel/config || mount -t configfs none /sys/kernel/config
record env kernel="$(uname -r)" vcpus="$(nproc)" \
	mem_kb="$(awk '/^MemTotal/ { print $2 }' /proc/meminfo)" \
	fio="$(fio --version)" mode="$MODE" nvmev_params="$(IFS=';'; echo "${NVMEV_PARAMS[*]}")"

# ---- devices ------------------------------------------------------------

# Block device (name under /dev) of the NVMe namespace whose controller
# model starts with $1.
nvme_ns_by_model() {
	local b m
	for b in /sys/block/nvme*n1; do
		[[ -e $b ]] || continue
		m=$(cat "$b/device/model" 2>/dev/null ||
			cat "$b/device/device/model" 2>/dev/null || true)
		[[ $m == "$1"* ]] && { basename "$b"; return 0; }
	done
	return 1
}

NVMEV_LOAD_S=
# nvmev_up PARAM=V...: insmod, wait for the namespace; sets NVMEV_DEV and
# NVMEV_LOAD_S (seconds from insmod to a usable block device).
nvmev_up() {
	local t0 t1 d
	modprobe nvme
	modprobe configfs	# insmod does not load what nvmev needs
	t0=$(date +%s.%N)
	insmod "$NVMEV_KO" "$@" || fail "insmod nvmev $*"
	# shellcheck disable=SC2016 # wait_for evaluates the condition
	wait_for 'd=$(nvme_ns_by_model "nvmev NVM") && [[ $(blockdev --getsize64 /dev/$d 2>/dev/null || echo 0) -gt 0 ]]' ||
		fail "nvmev namespace did not appear"
	t1=$(date +%s.%N)
	NVMEV_DEV=/dev/$(nvme_ns_by_model "nvmev NVM")
	NVMEV_LOAD_S=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", b - a }')
}

nvmev_down() {
	rmmod nvmev || fail "rmmod nvmev"
	wait_for '[[ ! -d /sys/module/nvmev ]]' || fail "nvmev still loaded"
}

declare -A DEFAULTS=()
save_defaults() {
	local k
	for k in read_lat_ns write_lat_ns read_bw_mbs write_bw_mbs nr_units; do
		DEFAULTS[$k]=$(cat "$P/$k")
	done
}

# nvmev_profile zero|default|K=V...
nvmev_profile() {
	local kv k
	case $1 in
	zero) set -- read_lat_ns=0 write_lat_ns=0 read_bw_mbs=0 write_bw_mbs=0 \
		nr_units="${DEFAULTS[nr_units]}" ;;
	default) # shellcheck disable=SC2046 # one P=V word per parameter
		set -- $(for k in "${!DEFAULTS[@]}"; do echo "$k=${DEFAULTS[$k]}"; done) ;;
	esac
	for kv in "$@"; do
		echo "${kv#*=}" >"$P/${kv%%=*}" || fail "set $kv"
	done
}

# configfs null_blk device NAME with memory_backed=MB; prints /dev path.
nullb_make() {
	local d=/sys/kernel/config/nullb/$1
	mkdir "$d"
	echo "$DEV_MB" >"$d/size"
	echo 4096 >"$d/blocksize"
	echo "$2" >"$d/memory_backed"
	echo 1 >"$d/power"
	# 6.1 names the disk after the configfs item, older kernels nullb<index>.
	if wait_for "[[ -b /dev/$1 ]]" 5; then
		echo "/dev/$1"
	else
		echo "/dev/nullb$(cat "$d/index")"
	fi
}

declare -A DEV=()
devices_up() {
	local q
	nvmev_up "${NVMEV_PARAMS[@]}"
	save_defaults
	DEV[nvmev-zero]=$NVMEV_DEV
	DEV[nvmev-default]=$NVMEV_DEV
	find_threads
	modprobe null_blk nr_devices=0 || fail "modprobe null_blk"
	DEV[nullblk-mem]=$(nullb_make bench_mem 1)
	DEV[nullblk-nomem]=$(nullb_make bench_nomem 0)
	modprobe brd rd_nr=1 rd_size=$((DEV_MB * 1024)) max_part=0 || fail "modprobe brd"
	DEV[brd]=/dev/ram0
	q=$(nvme_ns_by_model "QEMU NVMe") || fail "no QEMU NVMe namespace"
	DEV[qemu-nvme]=/dev/$q
	for q in "${!DEV[@]}"; do
		[[ -b ${DEV[$q]} ]] || fail "$q: no block device ${DEV[$q]}"
		record device name="$q" dev="${DEV[$q]}" \
			size="$(blockdev --getsize64 "${DEV[$q]}")" \
			lbs="$(blockdev --getss "${DEV[$q]}")"
	done
}

# ---- fio ----------------------------------------------------------------

# run_point FILE DEV RW BS QD IO_SIZE [fio args...]: one fio run, JSON in
# $FIO_DIR/FILE.json; prints "iops mb_s mean_us p50_us p99_us p999_us".
run_point() {
	local name=$1 dev=$2 rw=$3 bs=$4 qd=$5 amount=$6 json
	shift 6
	json=$FIO_DIR/$name.json
	fio --name="$name" --filename="$dev" --direct=1 --ioengine=io_uring \
		--rw="$rw" --bs="$bs" --iodepth="$qd" --size="$REGION" \
		--io_size="$amount" --runtime="$FIO_CAP_S" --randseed=42 \
		"$@" --output-format=json --output="$json" >/dev/null 2>&1 ||
		fail "fio $name"
	python3 - "$json" <<'EOF'
import json, sys
j = json.load(open(sys.argv[1]))["jobs"][0]
d = j["read"] if j["read"]["io_bytes"] else j["write"]
c = d["clat_ns"]
p = c.get("percentile", {})
print("%.1f %.2f %.2f %.2f %.2f %.2f %d" % (d["iops"], d["bw_bytes"] / 1e6,
      c["mean"] / 1e3, p.get("50.000000", 0) / 1e3, p.get("99.000000", 0) / 1e3,
      p.get("99.900000", 0) / 1e3, d["total_ios"]))
EOF
}

stat_of() { awk -v k="$1" '$1 == k { print $2 }' "$STATS"; }

# ---- sections -------------------------------------------------------------

# The module's threads (comm nvmev0*), found once after load. Everything
# below reads /proc with bash builtins only: forking under TCG costs
# milliseconds and would blur the window.
NVMEV_TIDS=()
find_threads() {
	local t c
	NVMEV_TIDS=()
	for t in /proc/[0-9]*; do
		read -r c <"$t/comm" 2>/dev/null || continue
		[[ $c == nvmev0* ]] && NVMEV_TIDS+=("${t#/proc/}")
	done
	[[ ${#NVMEV_TIDS[@]} -gt 0 ]] || fail "no nvmev0 threads"
}

# Sets SNAP_RUN (CPU ns), SNAP_VOL, SNAP_INV (context switches), SNAP_T
# (time, s) and SNAP_DETAIL (comm:run_ns:vol:inv per thread).
snapshot() {
	local pid c run rest st vol inv
	SNAP_RUN=0 SNAP_VOL=0 SNAP_INV=0 SNAP_DETAIL=
	SNAP_T=$EPOCHREALTIME
	for pid in "${NVMEV_TIDS[@]}"; do
		read -r c <"/proc/$pid/comm"
		read -r run rest <"/proc/$pid/schedstat"
		# status in one read: reading it line by line seeks back after
		# each line, and procfs then makes the text anew, so a busy
		# thread's counters could come out garbled.
		read -r -d '' st <"/proc/$pid/status" || true
		vol=${st#*voluntary_ctxt_switches:}
		vol=${vol%%$'\n'*}
		inv=${st#*nonvoluntary_ctxt_switches:}
		inv=${inv%%$'\n'*}
		vol=${vol//[!0-9]/} inv=${inv//[!0-9]/}
		SNAP_RUN=$((SNAP_RUN + run))
		SNAP_VOL=$((SNAP_VOL + vol))
		SNAP_INV=$((SNAP_INV + inv))
		SNAP_DETAIL+="${SNAP_DETAIL:+,}$c:$run:$vol:$inv"
	done
}

# idle_window LABEL: measure the threads over IDLE_S seconds from now.
idle_window() {
	local r0 v0 i0 t0 d0
	snapshot
	r0=$SNAP_RUN v0=$SNAP_VOL i0=$SNAP_INV t0=$SNAP_T d0=$SNAP_DETAIL
	sleep "$IDLE_S"
	snapshot
	record idle phase="$1" window_s="$(awk -v a="$t0" -v b="$SNAP_T" 'BEGIN { printf "%.3f", b - a }')" \
		cpu_ns=$((SNAP_RUN - r0)) vol_switches=$((SNAP_VOL - v0)) \
		invol_switches=$((SNAP_INV - i0)) start="$d0" end="$SNAP_DETAIL"
	info "idle $1: $((SNAP_RUN - r0)) ns CPU, $((SNAP_VOL - v0)) voluntary switches in ${IDLE_S}s"
}

section_idle() {
	# The device was loaded by devices_up; count from 2 s after load.
	sleep 2
	idle_window after_load
}

section_burst() {
	nvmev_profile default
	fio --name=burst --filename="$NVMEV_DEV" --direct=1 --ioengine=io_uring \
		--rw=randread --bs=4k --iodepth=32 --size="$REGION" \
		--time_based --runtime="$BURST_S" >/dev/null 2>&1 || fail "fio burst"
	sleep 1
	idle_window after_burst
}

# Precondition: write each device's region once so that reads hit data.
precondition() {
	local d
	for d in $MATRIX_DEVS; do
		[[ $d == nvmev-default ]] && continue
		[[ $d == nvmev-zero ]] && nvmev_profile zero
		fio --name=fill --filename="${DEV[$d]}" --direct=1 --ioengine=io_uring \
			--rw=write --bs=128k --iodepth=8 --size="$REGION" >/dev/null 2>&1 ||
			fail "fill $d"
	done
}

section_matrix() {
	local pt rw bs qd amount d r
	precondition
	for pt in $MATRIX_POINTS; do
		IFS=: read -r rw bs qd <<<"$pt"
		case $bs:$qd in
		4k:1) amount=$IO_QD1 ;;
		4k:*) amount=$IO_QD32 ;;
		*) amount=$IO_SEQ ;;
		esac
		for d in $MATRIX_DEVS; do
			case $d in
			nvmev-zero) nvmev_profile zero ;;
			nvmev-default) nvmev_profile default ;;
			esac
			read -r -a r < <(run_point "matrix-$d-$rw-$bs-qd$qd" "${DEV[$d]}" \
				"$rw" "$bs" "$qd" "$amount")
			record matrix dev="$d" rw="$rw" bs="$bs" qd="$qd" io_size="$amount" \
				iops="${r[0]}" mb_s="${r[1]}" mean_us="${r[2]}" p50_us="${r[3]}" \
				p99_us="${r[4]}" p999_us="${r[5]}" ios="${r[6]}"
			info "matrix $d $rw $bs qd$qd: ${r[0]} IOPS, mean ${r[2]} us"
		done
	done
}

# Device's own lateness over one fio run: completions and mean late ns.
late_begin() {
	LATE_N0=$(stat_of completions_posted)
	LATE_S0=$(($(stat_of late_mean_ns) * LATE_N0))
}
late_end() {
	local n1 s1
	n1=$(stat_of completions_posted)
	s1=$(($(stat_of late_mean_ns) * n1))
	awk -v a="$LATE_S0" -v b="$s1" -v n=$((n1 - LATE_N0)) \
		'BEGIN { printf "%.1f", n ? (b - a) / n / 1000 : 0 }'
}

section_accuracy() {
	local t r f late lat
	nvmev_profile default
	# QD1: the target is read_lat_ns alone (no transfer time).
	nvmev_profile read_bw_mbs=0 write_bw_mbs=0
	# Each target right after its own floor (the same point at target 0),
	# so that the floor drifts as little as possible on a noisy host.
	for t in $ACC_TARGETS; do
		echo 0 >"$P/read_lat_ns"
		read -r -a f < <(run_point "acc-qd1-floor-$t" "$NVMEV_DEV" randread 4k 1 \
			$((ACC_N * 4))k)
		echo $((t * 1000)) >"$P/read_lat_ns"
		late_begin
		read -r -a r < <(run_point "acc-qd1-$t" "$NVMEV_DEV" randread 4k 1 \
			$((ACC_N * 4))k)
		late=$(late_end)
		record accuracy kind=qd1 target_us="$t" mean_us="${r[2]}" \
			p50_us="${r[3]}" p99_us="${r[4]}" p999_us="${r[5]}" \
			iops="${r[0]}" ios="${r[6]}" dev_late_us="$late" \
			floor_mean_us="${f[2]}" floor_p50_us="${f[3]}"
		info "accuracy qd1 $t us: mean ${r[2]} p99 ${r[4]} device late $late"
	done
	# QD32 with 4 units: the model admits 4 / lat I/Os per second, so each
	# I/O waits its turn: mean latency = 32 * lat / 4.
	for lat in $ACC_QD32_LAT; do
		nvmev_profile read_lat_ns=$((lat * 1000)) read_bw_mbs=0 nr_units=4
		late_begin
		read -r -a r < <(run_point "acc-qd32-$lat" "$NVMEV_DEV" randread 4k 32 \
			$((ACC_QD32_N * 4))k)
		late=$(late_end)
		record accuracy kind=qd32 lat_us="$lat" units=4 iops="${r[0]}" \
			mean_us="${r[2]}" p50_us="${r[3]}" p99_us="${r[4]}" \
			p999_us="${r[5]}" ios="${r[6]}" dev_late_us="$late"
		info "accuracy qd32 lat $lat us: ${r[0]} IOPS mean ${r[2]}"
	done
	# Bandwidth-limited: 128 KiB sequential reads at QD8 through a
	# BW_MBS MB/s read channel and no media latency.
	nvmev_profile default
	nvmev_profile read_lat_ns=0 read_bw_mbs="$BW_MBS"
	late_begin
	read -r -a r < <(run_point "acc-bw" "$NVMEV_DEV" read 128k 8 "$BW_IO")
	late=$(late_end)
	record accuracy kind=bw target_mb_s="$BW_MBS" bs=131072 qd=8 \
		mb_s="${r[1]}" iops="${r[0]}" mean_us="${r[2]}" p99_us="${r[4]}" \
		ios="${r[6]}" dev_late_us="$late"
	# The reference: the same point with the zero-latency profile.
	nvmev_profile zero
	read -r -a r < <(run_point "acc-bw-zero" "$NVMEV_DEV" read 128k 8 "$BW_IO")
	record accuracy kind=bw_zero mb_s="${r[1]}" mean_us="${r[2]}"
	nvmev_profile default
}

# First I/O after IDLE seconds without I/O: fio issues one 4 KiB read,
# then REPS more, each after IDLE s of think time (log of every I/O).
wake_run() {
	local name=$1 dev=$2 idle=$3 log=$FIO_DIR/$1
	fio --name="$name" --filename="$dev" --direct=1 --ioengine=io_uring \
		--rw=randread --bs=4k --iodepth=1 --size="$REGION" \
		--thinktime=$((idle * 1000000)) --thinktime_blocks=1 \
		--number_ios=$((WAKE_REPS + 1)) --write_lat_log="$log" \
		--log_avg_msec=0 --output-format=json --output="$log.json" \
		>/dev/null 2>&1 || fail "fio $name"
	# clat log: time_ms, clat_ns, dir, bs, offset[, prio]; skip the first I/O.
	awk -F', *' 'NR > 1 { printf "%s%.1f", s, $2 / 1000; s = ":" }' "${log}_clat.1.log"
}

section_wakeup() {
	local idle d r w
	nvmev_profile default
	for d in nvmev-default nullblk-mem; do
		[[ -n ${DEV[$d]:-} ]] || continue
		read -r -a r < <(run_point "wake-steady-$d" "${DEV[$d]}" randread 4k 1 2M)
		record wakeup dev="$d" idle_s=0 mean_us="${r[2]}" p50_us="${r[3]}"
		for idle in $WAKE_IDLE; do
			w=$(wake_run "wake-$d-$idle" "${DEV[$d]}" "$idle")
			record wakeup dev="$d" idle_s="$idle" samples_us="$w"
			info "wakeup $d after ${idle}s: $w us"
		done
	done
}

# ---- power: APST on and off ------------------------------------------------

# pm_qos_latency_tolerance_us of the nvmev controller (the one whose
# model starts with "nvmev").
nvmev_qos() {
	local c m
	for c in /sys/class/nvme/nvme*; do
		m=$(cat "$c/model" 2>/dev/null) || continue
		[[ $m == nvmev* ]] && { echo "$c/power/pm_qos_latency_tolerance_us"; return 0; }
	done
	return 1
}

# power_variant NAME QOS_US [PARAM=V...]: a fresh load (with the extra
# parameters), the host's tolerance set to QOS_US (0: APST off), then the
# idle cost once the device has settled in its deepest state, the first
# I/O after each of WAKE_IDLE seconds, and debugfs's per-state counters.
power_variant() {
	local name=$1 qos=$2 q r idle w s
	shift 2
	if [[ -d /sys/module/nvmev ]]; then nvmev_down; fi
	nvmev_up "${NVMEV_PARAMS[@]}" "$@"
	DEV[nvmev-zero]=$NVMEV_DEV
	DEV[nvmev-default]=$NVMEV_DEV
	find_threads
	q=$(nvmev_qos) || fail "power: no pm_qos file for nvmev"
	echo "$qos" >"$q" || fail "power: pm_qos $qos"
	power_counters "$name" start
	nvmev_profile zero
	fio --name=fill --filename="$NVMEV_DEV" --direct=1 --ioengine=io_uring \
		--rw=write --bs=128k --iodepth=8 --size="$REGION" >/dev/null 2>&1 ||
		fail "power: fill"
	read -r -a r < <(run_point "power-$name-steady" "$NVMEV_DEV" randread 4k 1 2M)
	# PS4 comes 2.1 s after the last I/O with the kernel's table.
	sleep "$POWER_SETTLE_S"
	idle_window "power-$name"
	record power_idle variant="$name" qos_us="$qos" params="$*" \
		state="$(stat_of power_state)" apste="$(stat_of apst_enabled)" \
		steady_mean_us="${r[2]}" steady_p50_us="${r[3]}"
	for idle in $WAKE_IDLE; do
		w=$(stat_of power_wakeups)
		s=$(wake_run "power-$name-$idle" "$NVMEV_DEV" "$idle")
		record power_wake variant="$name" idle_s="$idle" samples="$s" \
			wakeups=$(($(stat_of power_wakeups) - w))
		info "power $name: first I/O after ${idle}s: $s us"
	done
	power_counters "$name" end
}

# power_counters VARIANT PHASE: debugfs's per-state counters, one record
# per state (the report takes the difference of the phases).
power_counters() {
	local s
	for s in 0 1 2 3 4; do
		record power_state variant="$1" phase="$2" ps="$s" \
			entries="$(stat_of "ps${s}_entries")" \
			time_ms="$(stat_of "ps${s}_time_ms")" \
			looks="$(stat_of "ps${s}_looks")" \
			look_late_mean_ns="$(stat_of "ps${s}_look_late_mean_ns")" \
			look_late_max_ns="$(stat_of "ps${s}_look_late_max_ns")"
	done
}

section_power() {
	local v
	for v in $POWER_VARIANTS; do
		case $v in
		apst) power_variant apst 100000 ;;
		apst-ps3) power_variant apst-ps3 25000 ;;
		off) power_variant off 0 ;;
		off-fast) power_variant off-fast 0 sleep_max_us=100 ;;
		*) fail "power: no variant $v" ;;
		esac
	done
	# The sections after this one get the default device back.
	nvmev_down
	nvmev_default_up
}

# ---- paths: block device, generic character device, nvmet ------------------

PATHS_NQN=nqn.2024-06.io.nvmev:bench
NVMET=/sys/kernel/config/nvmet

# nvme_disk_by ATTR VALUE: the namespace-1 disk (/dev/nvmeXn1, not the
# hidden per-path disks nvmeXcYn1 of a multipath head) whose controller's
# sysfs ATTR is VALUE (serial, subsysnqn; read strips the trailing blanks
# nvme pads a serial with).
nvme_disk_by() {
	local d v
	for d in /sys/block/nvme*n1; do
		[[ ${d##*/} =~ ^nvme[0-9]+n1$ ]] || continue
		read -r v <"$d/device/$1" 2>/dev/null || continue
		[[ $v == "$2" ]] && { echo "/dev/${d##*/}"; return 0; }
	done
	return 1
}

# The generic character device (/dev/ngXnY) of block device $1.
paths_ng() {
	local b=${1#/dev/nvme}
	echo "/dev/ng$b"
}

# paths_points KIND PATH DEV: PATHS_POINTS on DEV; io_uring_cmd on /dev/ng.
paths_points() {
	local kind=$1 path=$2 dev=$3 pt rw bs qd amount r eng=()
	[[ $path == ng ]] && eng=(--ioengine=io_uring_cmd --cmd_type=nvme --direct=0)
	for pt in $PATHS_POINTS; do
		IFS=: read -r rw bs qd <<<"$pt"
		case $bs:$qd in
		4k:1) amount=$IO_QD1 ;;
		*) amount=$IO_QD32 ;;
		esac
		read -r -a r < <(run_point "paths-$kind-$path-$rw-$bs-qd$qd" "$dev" \
			"$rw" "$bs" "$qd" "$amount" "${eng[@]}")
		[[ ${#r[@]} -ge 5 ]] || fail "paths: fio $kind $path $rw $bs qd$qd on $dev"
		record paths kind="$kind" path="$path" dev="$dev" rw="$rw" bs="$bs" \
			qd="$qd" io_size="$amount" iops="${r[0]}" mb_s="${r[1]}" \
			mean_us="${r[2]}" p50_us="${r[3]}" p99_us="${r[4]}"
		info "paths $kind $path $rw $bs qd$qd: ${r[0]} IOPS, mean ${r[2]} us"
	done
}

# paths_fabric TRANSPORT: export the nvm namespace with nvmet (bdev mode),
# connect from the same guest, run the points, tear down.
paths_fabric() {
	local tr=$1 sub=$NVMET/subsystems/$PATHS_NQN port=$NVMET/ports/1 d
	mkdir "$sub" && echo 1 >"$sub/attr_allow_any_host" &&
		mkdir "$sub/namespaces/1" &&
		echo "$NVMEV_DEV" >"$sub/namespaces/1/device_path" &&
		echo 1 >"$sub/namespaces/1/enable" || fail "paths: nvmet subsystem"
	mkdir "$port" && echo "$tr" >"$port/addr_trtype" || fail "paths: nvmet port"
	if [[ $tr == tcp ]]; then
		echo ipv4 >"$port/addr_adrfam" && echo 127.0.0.1 >"$port/addr_traddr" &&
			echo 4420 >"$port/addr_trsvcid" || fail "paths: tcp port"
	fi
	ln -s "$sub" "$port/subsystems/$PATHS_NQN" || fail "paths: port link"
	case $tr in
	tcp) nvme connect -t tcp -a 127.0.0.1 -s 4420 -n "$PATHS_NQN" >/dev/null ;;
	loop) nvme connect -t loop -n "$PATHS_NQN" >/dev/null ;;
	esac || fail "paths: nvme connect -t $tr"
	wait_for "nvme_disk_by subsysnqn $PATHS_NQN >/dev/null" 30 || fail "paths: no $tr namespace"
	d=$(nvme_disk_by subsysnqn "$PATHS_NQN")
	paths_points nvm "$tr" "$d"
	nvme disconnect -n "$PATHS_NQN" >/dev/null || fail "paths: disconnect"
	wait_for "! nvme_disk_by subsysnqn $PATHS_NQN >/dev/null" 30 || fail "paths: $d stays"
	rm "$port/subsystems/$PATHS_NQN"
	echo 0 >"$sub/namespaces/1/enable"
	rmdir "$sub/namespaces/1" "$sub" "$port" || fail "paths: nvmet teardown"
}

# paths_zone PATH DEV ZONE: one zone written sequentially, 128 KiB at QD1
# (fio zonemode=zbd), from an empty zone.
paths_zone() {
	local path=$1 dev=$2 zone=$3 blk=$4 zs=$((64 << 20)) eng=() json r
	[[ $path == ng ]] && eng=(--ioengine=io_uring_cmd --cmd_type=nvme --direct=0)
	blkzone reset -o $((zone * zs / 512)) -c 1 "$blk" || fail "paths: zone reset"
	json=$FIO_DIR/paths-zns-$path.json
	fio --name="paths-zns-$path" --filename="$dev" --direct=1 \
		--ioengine=io_uring --zonemode=zbd --rw=write --bs=128k --iodepth=1 \
		--offset=$((zone * zs)) --size=$zs --io_size="$PATHS_ZNS_SIZE" "${eng[@]}" \
		--output-format=json --output="$json" >/dev/null 2>&1 ||
		fail "paths: zns write on $path"
	read -r -a r < <(python3 - "$json" <<'PY'
import json, sys
t = open(sys.argv[1]).read()
d = json.loads(t[t.index("{"):])["jobs"][0]["write"]
c = d["clat_ns"]
p = c.get("percentile", {})
print("%.1f %.2f %.2f %.2f %.2f" % (d["iops"], d["bw_bytes"] / 1e6,
      c["mean"] / 1e3, p.get("50.000000", 0) / 1e3, p.get("99.000000", 0) / 1e3))
PY
	)
	[[ ${#r[@]} -ge 5 ]] || fail "paths: no zns figures for $path"
	record paths kind=zns path="$path" dev="$dev" rw=write bs=128k qd=1 \
		io_size="$PATHS_ZNS_SIZE" iops="${r[0]}" mb_s="${r[1]}" \
		mean_us="${r[2]}" p50_us="${r[3]}" p99_us="${r[4]}"
	info "paths zns $path write 128k qd1: ${r[1]} MB/s"
}

section_paths() {
	local z
	if [[ -d /sys/module/nvmev ]]; then nvmev_down; fi
	nvmev_default_up
	nvmev_profile zero
	fio --name=fill --filename="$NVMEV_DEV" --direct=1 --ioengine=io_uring \
		--rw=write --bs=128k --iodepth=8 --size="$REGION" >/dev/null 2>&1 ||
		fail "paths: fill"
	paths_points nvm block "$NVMEV_DEV"
	paths_points nvm ng "$(paths_ng "$NVMEV_DEV")"
	ip link set lo up
	modprobe -a nvmet nvmet-tcp nvme-tcp || fail "paths: modprobe nvmet-tcp nvme-tcp"
	paths_fabric tcp
	# Debian's 6.1 is built without nvme-loop.
	if modprobe nvme-loop 2>/dev/null; then
		paths_fabric loop
	else
		record paths_note kind=nvm path=loop note=no_nvme_loop_module
	fi
	nvmev_down
	# A zoned namespace: the same zone writes through both paths.
	nvmev_up memmap_start=4G memmap_size=2M capacity=1G kind=zns cpus=1,2
	z=$NVMEV_DEV
	paths_zone block "$z" 0 "$z"
	paths_zone ng "$(paths_ng "$z")" 1 "$z"
	nvmev_down
	nvmev_default_up
}

# Where the guest's CPUs go at QD32 4 KiB random reads: a system-wide
# perf profile (software clock: TCG has no PMU) of nvmev (zero-latency)
# and null_blk (memory_backed), each over 8 s of a 12 s fio run.
section_profile() {
	local d
	command -v perf >/dev/null || { info "no perf: profile skipped"; return 0; }
	for d in nvmev-zero nullblk-mem; do
		[[ $d == nvmev-zero ]] && nvmev_profile zero
		fio --name=prof --filename="${DEV[$d]}" --direct=1 --ioengine=io_uring \
			--rw=randread --bs=4k --iodepth=32 --size="$REGION" \
			--time_based --runtime=12 --output-format=json \
			--output="$FIO_DIR/profile-$d.json" >/dev/null 2>&1 &
		sleep 2
		perf record -a -e cpu-clock -F 499 -o "$OUT/perf-$d.data" -- sleep 8 \
			>/dev/null 2>&1 || fail "perf record $d"
		wait
		perf report -i "$OUT/perf-$d.data" --stdio --no-children \
			--sort comm,sym --percent-limit 0.5 >"$OUT/perf-$d.txt" 2>/dev/null ||
			fail "perf report $d"
		record profile dev="$d" report="perf-$d.txt"
	done
	nvmev_profile default
}

meminfo() { awk -v k="$1:" '$1 == k { print $2 }' /proc/meminfo; }

section_memory() {
	local cap free0 slab0 free1 slab1 free2 pages t
	if [[ -d /sys/module/nvmev ]]; then nvmev_down; fi
	for cap in $MEM_CAPS; do
		sync
		echo 3 >/proc/sys/vm/drop_caches
		free0=$(meminfo MemFree) slab0=$(meminfo Slab)
		nvmev_up memmap_start=4G memmap_size=2M capacity="$cap" cpus=1,2
		t=$NVMEV_LOAD_S
		sleep 1
		echo 3 >/proc/sys/vm/drop_caches
		free1=$(meminfo MemFree) slab1=$(meminfo Slab)
		fio --name=memfill --filename="$NVMEV_DEV" --direct=1 --ioengine=io_uring \
			--rw=write --bs=128k --iodepth=8 --size="${MEM_WRITE_MB}M" \
			>/dev/null 2>&1 || fail "fill $cap"
		echo 3 >/proc/sys/vm/drop_caches
		free2=$(meminfo MemFree)
		pages=$(stat_of backing_pages)
		record memory capacity="$cap" load_s="$t" \
			meta_kb=$((free0 - free1)) slab_kb=$((slab1 - slab0)) \
			written_mb="$MEM_WRITE_MB" backing_kb=$((free1 - free2)) \
			backing_pages="$pages"
		info "memory $cap: load ${t}s, $((free0 - free1)) KiB at load, $((free1 - free2)) KiB for ${MEM_WRITE_MB} MiB written"
		nvmev_down
	done
}

# nvmev kind=ssd against the simulator: the FTL's write amplification
# after a sequential fill (128 KiB, QD8) and uniform random 4 KiB writes
# with replacement (norandommap, randrepeat=0: a new sequence every run)
# of SSD_RAND_PCT % of the capacity at QD SSD_QD. Latency under TCG says
# nothing about the model, so only the counters are recorded; the host
# runs nvmev-ssdsim on the same workload (bench/ssd-sim vm).
ssd_counters() {
	local k out=
	for k in host_write_pages nand_write_pages gc_write_pages pad_pages \
		gc_fg_lines gc_bg_lines line_erases free_lines lines waf_x1000 \
		no_space wb_waits; do
		out+=" $1$k=$(stat_of "ns1_$k")"
	done
	echo "$out"
}

section_ssd() {
	local v
	if [[ -d /sys/module/nvmev ]]; then nvmev_down; fi
	for v in $SSD_VARIANTS; do
		ssd_point "$v"
	done
}

# The default device again, for a section that follows memory or ssd
# (both leave nvmev unloaded).
nvmev_default_up() {
	nvmev_up "${NVMEV_PARAMS[@]}"
	DEV[nvmev-zero]=$NVMEV_DEV
	DEV[nvmev-default]=$NVMEV_DEV
	find_threads
}

# ssd_point SSD_SETTINGS ("-": none): one load, fill, random writes, unload.
ssd_point() {
	local cap=$((SSD_CAP_MB << 20)) rand c0 c1 c2 t0 t1 t2 extra=()
	rand=$((cap * SSD_RAND_PCT / 100 / 4096 * 4096))
	[[ $1 != - ]] && extra=(ssd="$1")
	nvmev_up memmap_start=4G memmap_size=2M capacity="${SSD_CAP_MB}M" \
		kind=ssd profile="$SSD_PROFILE" "${extra[@]}" cpus=1,2
	[[ $(blockdev --getsize64 "$NVMEV_DEV") == "$cap" ]] || fail "ssd: size"
	c0=$(ssd_counters start_)
	t0=$EPOCHREALTIME
	fio --name=ssdfill --filename="$NVMEV_DEV" --direct=1 --ioengine=io_uring \
		--rw=write --bs=128k --iodepth=8 --size="$cap" \
		--output-format=json --output="$FIO_DIR/ssd-fill-${1//[^a-z0-9]/_}.json" >/dev/null 2>&1 ||
		fail "ssd: fill"
	c1=$(ssd_counters fill_)
	t1=$EPOCHREALTIME
	fio --name=ssdrand --filename="$NVMEV_DEV" --direct=1 --ioengine=io_uring \
		--rw=randwrite --bs=4k --iodepth="$SSD_QD" --size="$cap" \
		--io_size="$rand" --norandommap --randrepeat=0 \
		--output-format=json --output="$FIO_DIR/ssd-rand-${1//[^a-z0-9]/_}.json" >/dev/null 2>&1 ||
		fail "ssd: random writes"
	c2=$(ssd_counters end_)
	t2=$EPOCHREALTIME
	# shellcheck disable=SC2086 # the counters are key=value words
	record ssdvm profile="$SSD_PROFILE" ssd="$1" capacity="$cap" fill_bs=131072 fill_qd=8 \
		rand_bytes="$rand" rand_bs=4096 qd="$SSD_QD" \
		fill_s="$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", b - a }')" \
		rand_s="$(awk -v a="$t1" -v b="$t2" 'BEGIN { printf "%.1f", b - a }')" \
		$c0 $c1 $c2
	info "ssd ($1): $(grep '^ns1_' "$STATS" | tr '\n' ' ')"
	nvmev_down
}

# zns: ZNS_VARIANTS points on a 2 GiB zoned namespace (32 zones of 64 MiB).
# The dispatcher naps at most 200 us when idle (sleep_max_us), so that a
# command after a quiet spell (the resets) does not wait for it to wake.
section_zns() {
	local v
	if [[ -d /sys/module/nvmev ]]; then nvmev_down; fi
	for v in $ZNS_VARIANTS; do
		zns_point "$v"
	done
}

# zns_point ZNS_SETTINGS ("-": none): one load, writes, appends, resets.
zns_point() {
	local zs=$((64 << 20)) zl out extra=() z full=() empty=() name
	name=${1//[^a-z0-9]/_}
	[[ $1 != - ]] && extra=(zns="$1")
	nvmev_up memmap_start=4G memmap_size=2M capacity=2G kind=zns \
		"${extra[@]}" sleep_max_us=200 cpus=1,2
	zl=$((zs / $(blockdev --getss "$NVMEV_DEV")))
	[[ $(cat /sys/block/"${NVMEV_DEV#/dev/}"/queue/zoned) == host-managed ]] ||
		fail "zns: not a zoned disk"
	fio --name=znswrite --filename="$NVMEV_DEV" --direct=1 --ioengine=libaio \
		--zonemode=zbd --max_open_zones=1 --rw=write --bs=128k --iodepth=8 \
		--size=$((ZNS_ZONES * zs)) --output-format=json \
		--output="$FIO_DIR/zns-write-$name.json" >/dev/null 2>&1 ||
		fail "zns: sequential write"
	out=$(python3 "$NVMEV_SRC/tests/tools/zns-ioctl.py" append "$NVMEV_DEV" \
		$((ZNS_ZONES * zl)) --bytes 65536 --streams 4) || fail "zns: appends ($out)"
	record znsvm zns="$1" point=append $out
	# Every full zone (the written ones and the appended one), and as
	# many empty ones: their reset is the guest's round trip alone.
	for z in $(seq 0 "$ZNS_ZONES"); do
		full+=($((z * zl)))
		empty+=($(((31 - z) * zl)))
	done
	# Device lateness (debugfs): how long after the model's deadline nvmev
	# posted the completions, the TCG guest's share of the delay.
	late_begin
	out=$(python3 "$NVMEV_SRC/tests/tools/zns-ioctl.py" reset "$NVMEV_DEV" "${full[@]}") ||
		fail "zns: reset"
	record znsvm zns="$1" point=reset_full "$out" dev_late_us="$(late_end)"
	late_begin
	out=$(python3 "$NVMEV_SRC/tests/tools/zns-ioctl.py" reset "$NVMEV_DEV" "${empty[@]}") ||
		fail "zns: reset"
	record znsvm zns="$1" point=reset_empty "$out" dev_late_us="$(late_end)"
	record znsvm zns="$1" point=write fio="zns-write-$name.json" zones="$ZNS_ZONES"
	info "zns ($1): $(grep '^ns1_' "$STATS" | tr '\n' ' ')"
	nvmev_down
}

# kv: KV_POINTS on a 1 GiB KV namespace (RAM backing). The namespace has
# no block device, only its generic character device; nvmev-kv sends one
# synchronous passthrough ioctl at a time per process, so poll_idle_us
# keeps the dispatcher polling between them (else each command would
# wait for it to wake).
section_kv() {
	local p
	if [[ -d /sys/module/nvmev ]]; then nvmev_down; fi
	for p in $KV_POINTS; do
		if [[ $p == *:* ]]; then
			kv_point "${p%%:*}" "${p#*:}"
		else
			kv_point "$p" -
		fi
	done
}

# The generic device (/dev/ngXnY) of nvmev's namespace 1: QEMU's NVMe has
# one too.
kv_ng() {
	local g m
	for g in /sys/class/nvme-generic/ng*n1; do
		[[ -e $g ]] || continue
		m=$(cat "$g/device/model" 2>/dev/null || true)
		[[ $m == "nvmev "* ]] && { echo "/dev/${g##*/}"; return 0; }
	done
	return 1
}

# kv_point VALUE_SIZE KV_SETTINGS ("-": none): one load, nvmev-kv bench
# (the load, then the mixed phase), unload.
kv_point() {
	local size=$1 settings=$2 name extra=() ng json rc=0 out
	name=v$size
	if [[ $settings != - ]]; then
		name+=_${settings//[^a-z0-9]/_}
		extra=(kv="$settings")
	fi
	modprobe nvme
	modprobe configfs
	insmod "$NVMEV_KO" memmap_start=4G memmap_size=2M capacity=1G kind=kv \
		"${extra[@]}" poll_idle_us=100000 cpus=1,2 ||
		fail "insmod kind=kv ${extra[*]}"
	# shellcheck disable=SC2016 # wait_for evaluates the condition
	wait_for 'ng=$(kv_ng) && [[ -c $ng ]]' || fail "kv: no generic device"
	ng=$(kv_ng)
	json=$OUT/kv-$name.json
	late_begin
	python3 "$NVMEV_SRC/src/tools/nvmev-kv" -d "$ng" bench --keys "$KV_KEYS" \
		--value-size "$size" --ops "$KV_OPS" --read-pct "$KV_READ_PCT" \
		--jobs "$KV_JOBS" --json --quiet >"$json" 2>"$OUT/kv-$name.err" || rc=$?
	# The tool exits 3 when a command failed but reports all the same;
	# the report flags errors and mismatches.
	out=$(python3 - "$json" <<'EOF'
import json, sys
j = json.load(open(sys.argv[1]))
out = []
for phase, label in (("load", "put"), ("run", "mixed")):
    p = j["phases"].get(phase)
    if not p:
        continue
    out += ["%s_ops_s=%s" % (label, p["ops_per_s"]),
            "%s_s=%s" % (label, p["seconds"])]
    for op, name in (("store", "put"), ("retrieve", "get")):
        s = p["op"].get(op)
        if not s:
            continue
        pre = label if phase == "load" else "%s_%s" % (label, name)
        out += ["%s_n=%d" % (pre, s["ops"]),
                "%s_errors=%d" % (pre, s["errors"]),
                "%s_retries=%d" % (pre, s["retries"])]
        for k in ("mean", "p50", "p99", "max"):
            out.append("%s_%s_us=%s" % (pre, "lat" if k == "mean" else k,
                                        float(s[k + "_us"])))
        if "mismatches" in s:
            out.append("%s_mismatches=%d" % (pre, s["mismatches"]))
print(" ".join(out))
EOF
	) || fail "kv: nvmev-kv bench $name (exit $rc): $(head -c 300 "$OUT/kv-$name.err")"
	# shellcheck disable=SC2086 # the figures are key=value words
	record kvvm point="$name" kv="$settings" capacity=1G value_size="$size" \
		keys="$KV_KEYS" ops="$KV_OPS" read_pct="$KV_READ_PCT" jobs="$KV_JOBS" \
		dev="$ng" rc="$rc" json="kv-$name.json" $out dev_late_us="$(late_end)"
	info "kv ($name, exit $rc): $out"
	info "kv ($name): $(grep '^ns1_' "$STATS" | tr '\n' ' ')"
	nvmev_down
}

# multi: what several devices cost and deliver (the dispatcher threads
# of devices may be shared). Three layouts, each on a fresh load, the
# NVM kind with the zero-latency profile (the module's timing parameters
# apply to every device), RAM backing, 1 GiB each:
#   one      the load-time device nvmev0 alone (cpus=1,2);
#   own4     nvmev0 and the configfs devices mb1, mb2, mb3, each with its
#            own dispatcher thread;
#   shared4  the same four sharing one dispatcher thread, nvmev_mbg
#            (the load-time device with dispatcher=mbg, the others with
#            the configfs attribute dispatcher=mbg).
# Both four-device layouts use the same CPUs: every dispatcher on vCPU 1,
# one worker per device, on vCPU 2 (nvmev0, mb2) or 3 (mb1, mb3); so the
# only difference is one thread polling four devices or four threads
# polling one each. Per layout: CPU of the module's threads (and of the
# whole guest) over IDLE_S from MULTI_SETTLE_S after the last device came
# up (first round only), then fio on all devices at once (one job per
# device on its first MULTI_REGION, written once before, 4 KiB, QD32,
# io_uring, direct, MULTI_S seconds, per MULTI_RW) with the threads' CPU
# over the run. MULTI_ROUNDS rounds over the layouts, every other one in
# reverse order, so that a drift of the host weighs on all of them. The
# smoke run does the shared layout only.
MULTI_GROUP=mbg
# shellcheck disable=SC2054 # one cpus= value per device
MULTI_CPUS=(1,2 1,3 1,2 1,3) # nvmev0 mb1 mb2 mb3
CFS=/sys/kernel/config/nvmev
declare -A MDEV=()   # device name -> /dev/nvmeXn1
MNAMES=()            # device names of the layout, in order

# multi_cfs_up NAME CPUS GROUP ("-": its own dispatcher): a configfs
# device, powered on (multi_wait waits for its block device).
multi_cfs_up() {
	local d=$CFS/$1
	mkdir "$d" || fail "multi: mkdir $d"
	echo "$2" >"$d/cpus" || fail "multi: $1 cpus=$2"
	if [[ $3 != - ]]; then
		echo "$3" >"$d/dispatcher" || fail "multi: $1 dispatcher=$3"
	fi
	echo 1 >"$d/power" || fail "multi: $1 power on"
	MNAMES+=("$1")
}

# multi_wait ROUND GROUP PARAMS: the block device of each device of the
# layout (by serial: NVMEV0000 for the load-time one, else the name),
# waited for all at once so that udev works on them side by side.
multi_wait() {
	local n i serial dev
	for i in "${!MNAMES[@]}"; do
		n=${MNAMES[$i]}
		serial=$n
		# shellcheck disable=SC2034 # serial: read by wait_for's condition
		[[ $n == nvmev0 ]] && serial=NVMEV0000
		# shellcheck disable=SC2016 # wait_for evaluates the condition
		wait_for 'dev=$(nvme_disk_by serial "$serial") && [[ $(blockdev --getsize64 "$dev" 2>/dev/null || echo 0) -gt 0 ]]' ||
			fail "multi: $n: no block device"
		MDEV[$n]=$dev
		if [[ $n == nvmev0 ]]; then
			record multi_dev layout="$MLAYOUT" round="$1" name="$n" dev="$dev" \
				pci=load-time cpus="${MULTI_CPUS[$i]}" dispatcher="$2" params="$3"
		else
			record multi_dev layout="$MLAYOUT" round="$1" name="$n" dev="$dev" \
				pci="$(cat "$CFS/$n/pci")" cpus="${MULTI_CPUS[$i]}" dispatcher="$2"
		fi
	done
}

# multi_down: every configfs device off and gone, then the module.
multi_down() {
	local n
	for n in "${MNAMES[@]}"; do
		[[ -d $CFS/$n ]] || continue
		echo 0 >"$CFS/$n/power" || fail "multi: $n power off"
		rmdir "$CFS/$n" || fail "multi: rmdir $n"
	done
	MNAMES=()
	MDEV=()
	nvmev_down
}

# The module's threads of the layout (comm nvmev0, mbN, their workers
# _wN, and the group's nvmev_mbg); sets NVMEV_TIDS like find_threads.
multi_threads() {
	local t c
	NVMEV_TIDS=()
	for t in /proc/[0-9]*; do
		read -r c <"$t/comm" 2>/dev/null || continue
		[[ $c =~ ^(nvmev0|mb[0-9]|nvmev_$MULTI_GROUP)(_w[0-9]+)?$ ]] &&
			NVMEV_TIDS+=("${t#/proc/}")
	done
	[[ ${#NVMEV_TIDS[@]} -gt 0 ]] || fail "multi: no nvmev threads"
}

# Guest-wide CPU from /proc/stat (USER_HZ ticks, all CPUs): sets
# GUEST_BUSY (user+nice+system+irq+softirq+steal) and GUEST_ALL.
guest_ticks() {
	local u n s i w q sq st
	read -r _ u n s i w q sq st _ </proc/stat
	GUEST_BUSY=$((u + n + s + q + sq + st))
	GUEST_ALL=$((GUEST_BUSY + i + w))
}

# Completions the layout's devices posted (debugfs), all together.
multi_completions() {
	local n sum=0 f k v
	for n in "${MNAMES[@]}"; do
		f=/sys/kernel/debug/nvmev/$n/stats
		while read -r k v; do
			[[ $k == completions_posted ]] && sum=$((sum + v))
		done <"$f"
	done
	echo "$sum"
}

# multi_cpu_begin / multi_cpu_end PHASE [key=value...]: the threads' CPU
# (total, dispatchers, workers), wake-ups, the guest's busy ticks and the
# devices' completions between the two, as one record.
multi_cpu_begin() {
	MC_IO0=$(multi_completions)
	guest_ticks
	MC_B0=$GUEST_BUSY MC_A0=$GUEST_ALL
	snapshot
	MC_R0=$SNAP_RUN MC_V0=$SNAP_VOL MC_I0=$SNAP_INV MC_T0=$SNAP_T MC_D0=$SNAP_DETAIL
}
multi_cpu_end() {
	local phase=$1 t0 e0 i c r0 r1 v0 v1 disp=0 work=0 dvol=0 ndisp=0 nwork=0 threads=
	shift
	snapshot
	guest_ticks
	# Per thread: the two snapshots list the same threads in the same order.
	IFS=, read -r -a t0 <<<"$MC_D0"
	IFS=, read -r -a e0 <<<"$SNAP_DETAIL"
	for i in "${!e0[@]}"; do
		IFS=: read -r c r0 v0 _ <<<"${t0[$i]}"
		IFS=: read -r _ r1 v1 _ <<<"${e0[$i]}"
		if [[ $c =~ _w[0-9]+$ ]]; then
			work=$((work + r1 - r0)) nwork=$((nwork + 1))
		else
			disp=$((disp + r1 - r0)) dvol=$((dvol + v1 - v0)) ndisp=$((ndisp + 1))
		fi
		threads+="${threads:+,}$c:$((r1 - r0)):$((v1 - v0))"
	done
	record multi layout="$MLAYOUT" phase="$phase" devices="${#MNAMES[@]}" \
		dispatchers="$ndisp" workers="$nwork" \
		window_s="$(awk -v a="$MC_T0" -v b="$SNAP_T" 'BEGIN { printf "%.3f", b - a }')" \
		cpu_ns=$((SNAP_RUN - MC_R0)) disp_cpu_ns="$disp" worker_cpu_ns="$work" \
		vol_switches=$((SNAP_VOL - MC_V0)) disp_vol_switches="$dvol" \
		invol_switches=$((SNAP_INV - MC_I0)) \
		guest_busy_ticks=$((GUEST_BUSY - MC_B0)) guest_ticks=$((GUEST_ALL - MC_A0)) \
		completions=$(($(multi_completions) - MC_IO0)) threads="$threads" "$@"
	MC_NDISP=$ndisp
	info "multi $MLAYOUT $phase $*: $((SNAP_RUN - MC_R0)) ns CPU ($ndisp dispatchers, $nwork workers), $(($(multi_completions) - MC_IO0)) completions"
}

# multi_fio NAME RW BS QD [fio args...]: one fio job per device of the
# layout, all at once; JSON in $FIO_DIR/NAME.json.
multi_fio() {
	local name=$1 rw=$2 bs=$3 qd=$4 n jobs=()
	shift 4
	for n in "${MNAMES[@]}"; do
		jobs+=(--name="$n" --filename="${MDEV[$n]}")
	done
	fio --direct=1 --ioengine=io_uring --rw="$rw" --bs="$bs" --iodepth="$qd" \
		--size="$MULTI_REGION" --randseed=42 "$@" "${jobs[@]}" \
		--output-format=json --output="$FIO_DIR/$name.json" >/dev/null 2>&1 ||
		fail "multi: fio $name"
}

# multi_layout one|own4|shared4 ROUND: load, devices, (round 1) idle
# window, fill, the fio runs, unload. bench/report.py reads the fio JSON
# (python3 starts slowly under TCG).
multi_layout() {
	local group=- extra=() all i rw want=1
	MLAYOUT=$1
	if [[ $1 == shared4 ]]; then
		group=$MULTI_GROUP
		extra=(dispatcher="$group")
	fi
	[[ $1 == own4 ]] && want=4
	all=("${NVMEV_PARAMS[@]}" "${extra[@]}")
	modprobe nvme
	insmod "$NVMEV_KO" "${all[@]}" || fail "multi: insmod nvmev ${all[*]}"
	# Before the configfs devices: they take the module's timing when made.
	nvmev_profile zero
	MNAMES=(nvmev0)
	if [[ $1 != one ]]; then
		[[ -e $CFS/features ]] || fail "multi: no $CFS"
		grep -qw dispatcher "$CFS/features" ||
			fail "multi: configfs has no dispatcher attribute"
		for i in 1 2 3; do
			multi_cfs_up "mb$i" "${MULTI_CPUS[$i]}" "$group"
		done
	fi
	multi_wait "$2" "$group" "$(IFS=';'; echo "${all[*]}")"
	multi_threads
	if [[ $2 == 1 ]]; then
		sleep "$MULTI_SETTLE_S"
		multi_cpu_begin
		sleep "$IDLE_S"
		multi_cpu_end idle round="$2" settle_s="$MULTI_SETTLE_S"
	fi
	# Write each device's region once so that reads hit data.
	multi_fio "multi-$1-r$2-fill" write 128k 8
	for rw in $MULTI_RW; do
		multi_cpu_begin
		multi_fio "multi-$1-r$2-$rw" "$rw" 4k 32 --time_based --runtime="$MULTI_S"
		multi_cpu_end "$rw" round="$2" bs=4k qd=32 size="$MULTI_REGION" \
			runtime_s="$MULTI_S" fio="multi-$1-r$2-$rw.json"
	done
	[[ $MC_NDISP == "$want" ]] ||
		fail "multi $1: $MC_NDISP dispatcher threads, want $want"
	multi_down
}

section_multi() {
	local r l order
	if [[ -d /sys/module/nvmev ]]; then nvmev_down; fi
	record multi_plan layouts="${MULTI_LAYOUTS// /,}" rw="${MULTI_RW// /,}" \
		rounds="$MULTI_ROUNDS"
	for ((r = 1; r <= MULTI_ROUNDS; r++)); do
		order=$MULTI_LAYOUTS
		if ((r % 2 == 0)); then
			order=
			for l in $MULTI_LAYOUTS; do order="$l $order"; done
		fi
		for l in $order; do
			multi_layout "$l" "$r"
		done
	done
}

# ---- main -------------------------------------------------------------------

devices_up
for s in $SECTIONS; do
	info "section $s"
	case $s in
	memory | ssd | zns | kv | multi | paths | power) ;;
	*) [[ -d /sys/module/nvmev ]] || nvmev_default_up ;;
	esac
	start=$(date +%s)
	"section_$s"
	record timing section="$s" seconds=$(($(date +%s) - start))
done
echo "bench: done"
