# shellcheck shell=bash
# Helpers for test cases; sourced inside the guest only:
#   source "$(dirname "$0")/../lib/guest.sh"
# Environment from the harness: NVMEV_KO, NVMEV_SRC, RESULTS, KVER.
#
# check "desc" CMD...   run CMD, print "ok - desc" or "FAIL: desc" (counted)
# fail "msg"            print "FAIL: msg" and stop the case
# expect_fail CMD...    succeeds when CMD fails
# eq A B / num_eq A B / num_ge A B / starts_with S PREFIX   predicates
# nvmev_ko              path of the module copy that insmod loads
# nvmev_load [P=V...]   modprobe nvme, insmod nvmev (default params when none),
#                       wait for /dev/nvme0n1; nvmev_unload undoes it
# dmesg_mark; dmesg_since; dmesg_has ERE; dmesg_errors   kernel log since
#                       the last mark
# id_ctrl_field F; id_ns_field F; smart_log_field F   from nvme-cli JSON
# status_is WANT CMD...  CMD fails with NVMe status WANT (nvme-cli output)
# run_fio NAME FIO-ARGS...   fio with its log in $RESULTS/fio-NAME.log
# nvme_subsys_of CTRL   instance S of CTRL's subsystem (native multipath
#                       names its namespaces /dev/nvmeSnX, /dev/ngSnX)
# nvme_ns_disk S NSID; nvme_ns_ng S NSID   that namespace's disk, its
#                       generic device (X need not be the NSID)
# The case exits non-zero when any check failed.
set -eEuo pipefail

NVME_CTRL=${NVME_CTRL:-/dev/nvme0}
NVME_NS=${NVME_NS:-/dev/nvme0n1}
NVMEV_LOAD_WAIT=${NVMEV_LOAD_WAIT:-30}
# Small-reservation (RAM-backed) mode; needs memmap=2M$0x100000000.
NVMEV_DEFAULT_PARAMS=(memmap_start=4G memmap_size=2M capacity=1G cpus=1,2)
# insmod does not load what nvmev needs (modprobe would): configfs.
modprobe configfs

CHECKS_OK=0
CHECKS_FAILED=0
_DMESG_MARK=

_guest_on_error() {
	echo "FAIL: unexpected error (status $1) at ${BASH_SOURCE[1]##*/}:$2: $3"
}

_guest_on_exit() {
	local rc=$?
	echo "checks: $CHECKS_OK ok, $CHECKS_FAILED failed"
	if [[ $rc -eq 0 && $CHECKS_FAILED -gt 0 ]]; then
		exit 1
	fi
	exit "$rc"
}
trap '_guest_on_error $? $LINENO "$BASH_COMMAND"' ERR
trap _guest_on_exit EXIT

info() {
	echo "# $*"
	echo "harness: $*" >/dev/kmsg 2>/dev/null || true
}

fail() {
	echo "FAIL: $*"
	CHECKS_FAILED=$((CHECKS_FAILED + 1))
	exit 1
}

check() {
	local desc=$1 out
	shift
	out=$(mktemp)
	if "$@" >"$out" 2>&1; then
		echo "ok - $desc"
		CHECKS_OK=$((CHECKS_OK + 1))
	else
		echo "FAIL: $desc"
		echo "      command: $*"
		tail -n 15 "$out" | sed 's/^/      | /'
		CHECKS_FAILED=$((CHECKS_FAILED + 1))
	fi
	rm -f "$out"
	return 0
}

expect_fail() {
	if "$@"; then
		echo "expected failure, but succeeded: $*"
		return 1
	fi
	return 0
}

eq() {
	[[ $1 == "$2" ]] || { echo "got '$1', want '$2'"; return 1; }
}

# Numeric comparisons; values may be decimal or 0x hex.
num_eq() {
	[[ $1 =~ ^(0x[0-9a-fA-F]+|[0-9]+)$ ]] && (($1 == $2)) ||
		{ echo "got '$1', want $2"; return 1; }
}

num_ge() {
	[[ $1 =~ ^(0x[0-9a-fA-F]+|[0-9]+)$ ]] && (($1 >= $2)) ||
		{ echo "got '$1', want >= $2"; return 1; }
}

starts_with() {
	[[ $1 == "$2"* ]] || { echo "got '$1', want prefix '$2'"; return 1; }
}

# ---- kernel log ----------------------------------------------------------

dmesg_mark() {
	_DMESG_MARK="harness: mark $RANDOM$RANDOM"
	echo "$_DMESG_MARK" >/dev/kmsg
}

# Kernel log since the last dmesg_mark (all of it before the first mark).
# Arguments go to dmesg, e.g. dmesg_since -x for facility and level.
dmesg_since() {
	if [[ -z $_DMESG_MARK ]]; then
		dmesg "$@"
	else
		dmesg "$@" | sed -n "/$_DMESG_MARK\$/,\$p"
	fi
}

# Kernel error-level (err or worse) lines since the last mark.
dmesg_errors() {
	dmesg_since -x | grep -E '^kern *:(err|crit|alert|emerg) *:' || true
}

dmesg_has() {
	dmesg_since | grep -E -- "$1" >/dev/null ||
		{ echo "no dmesg line matches '$1'"; return 1; }
}

# ---- module ----------------------------------------------------------------

nvmev_loaded() { [[ -d /sys/module/nvmev ]]; }

# Wait up to $2 seconds (default NVMEV_LOAD_WAIT) for a condition command $1.
wait_for() {
	local cond=$1 secs=${2:-$NVMEV_LOAD_WAIT} i
	for ((i = 0; i < secs * 10; i++)); do
		eval "$cond" && return 0
		sleep 0.1
	done
	return 1
}

# The module as insmod loads it: a copy in the guest's tmpfs without debug
# sections (as INSTALL_MOD_STRIP=1 installs it), read once instead of over
# 9p on every load.
NVMEV_KO_LOCAL=/tmp/nvmev-local.ko
nvmev_ko() {
	if [[ ! -s $NVMEV_KO_LOCAL ]]; then
		cp "$NVMEV_KO" "$NVMEV_KO_LOCAL" || return 1
		strip --strip-debug "$NVMEV_KO_LOCAL" 2>/dev/null ||
			cp "$NVMEV_KO" "$NVMEV_KO_LOCAL"
	fi
	echo "$NVMEV_KO_LOCAL"
}

# insmod only: no waiting (use for expected failures).
nvmev_insmod() {
	local ko
	[[ -f $NVMEV_KO ]] || { echo "no module at $NVMEV_KO"; return 1; }
	ko=$(nvmev_ko) || return 1
	if [[ $# -eq 0 ]]; then
		set -- "${NVMEV_DEFAULT_PARAMS[@]}"
	fi
	insmod "$ko" "$@"
}

nvmev_load() {
	modprobe nvme
	nvmev_insmod "$@" || {
		echo "insmod $* failed"
		dmesg | tail -n 10
		return 1
	}
	wait_for "[[ -b $NVME_NS ]]" || {
		echo "$NVME_NS did not appear within ${NVMEV_LOAD_WAIT}s"
		dmesg | tail -n 20
		return 1
	}
	# udev is not running: settle on the namespace size being visible.
	wait_for "[[ \$(blockdev --getsize64 $NVME_NS 2>/dev/null || echo 0) -gt 0 ]]" 10
}

nvmev_unload() {
	rmmod nvmev || return 1
	wait_for "! nvmev_loaded && [[ ! -e $NVME_CTRL ]]" || {
		echo "nvmev still present after rmmod"
		return 1
	}
}

# ---- nvme-cli ----------------------------------------------------------------

# Value of a top-level field in nvme-cli pretty JSON read from stdin;
# strings lose quotes and trailing blanks.
json_field() {
	sed -n "s/^ *\"$1\" *: *\"\{0,1\}\([^\",]*\)\"\{0,1\},\{0,1\} *\$/\1/p" |
		head -n1 | sed 's/ *$//'
}

id_ctrl_field() { nvme id-ctrl "$NVME_CTRL" -o json | json_field "$1"; }
id_ns_field() { nvme id-ns "$NVME_NS" -n 1 -o json | json_field "$1"; }
smart_log_field() { nvme smart-log "$NVME_CTRL" -o json | json_field "$1"; }

# Logical block size of the namespace in bytes.
ns_lba_size() { blockdev --getss "$NVME_NS"; }

# status_is WANT CMD...: CMD (nvme-cli) fails and reports NVMe status WANT
# (the Status Field without the phase bit, e.g. 0x4002 for Invalid Field
# with DNR).
status_is() {
	local want=$1 out got
	shift
	if out=$("$@" 2>&1); then
		echo "command succeeded: $out"
		return 1
	fi
	got=$(grep -o -E '\(0x[0-9a-fA-F]+\)' <<<"$out" | tail -n1 | tr -d '()')
	echo "nvme-cli: $out"
	[[ -n $got ]] && (($got == want)) ||
		{ echo "status '$got', want $want"; return 1; }
}

# ---- configfs devices (C: /sys/kernel/config/nvmev) ---------------------------

C=${C:-/sys/kernel/config/nvmev}

# The controller (nvmeN) of configfs device $1, once it is live.
ctrl_of() {
	local pci c
	pci=$(cat "$C/$1/pci") && [[ -n $pci ]] || return 1
	for c in /sys/bus/pci/devices/"$pci"/nvme/nvme*; do
		[[ -e $c ]] || return 1
		[[ $(cat "$c/state") == live ]] || return 1
		echo "${c##*/}"
		return 0
	done
	return 1
}
# make NAME KIND [ATTR=VALUE...]: mkdir, set, power on.
make_dev() {
	local name=$1 kind=$2 kv
	shift 2
	mkdir "$C/$name" || return 1
	echo "$kind" >"$C/$name/kind" || return 1
	for kv in "$@"; do
		echo "${kv#*=}" >"$C/$name/${kv%%=*}" || return 1
	done
	echo 1 >"$C/$name/power"
}
# write_rc ATTR VALUE: the errno name of writing VALUE to ATTR (ok if none).
write_rc() {
	local out
	if out=$( (echo "$2" >"$1") 2>&1); then
		echo ok
	else
		case $out in
		*"Invalid argument"*) echo EINVAL ;;
		*"Device or resource busy"*) echo EBUSY ;;
		*"No space left"*) echo ENOSPC ;;
		*"No such device"*) echo ENODEV ;;
		*"File exists"*) echo EEXIST ;;
		*) echo "other: $out" ;;
		esac
	fi
}

# ---- fio -----------------------------------------------------------------------

# run_fio NAME ARGS...: runs fio on $NVME_NS (unless ARGS name a file),
# full log in $RESULTS/fio-NAME.log, prints one summary line.
# With native multipath (Debian's default) a namespace's disk is named
# after its subsystem, which need not have the controller's number: a
# controller that joins a subsystem still known to the kernel (a device
# made again under the same name, so the same NQN) gets a new number.
nvme_subsys_of() {
	local s
	for s in /sys/class/nvme-subsystem/nvme-subsys*; do
		[[ -e $s/$1 ]] && { echo "${s##*nvme-subsys}"; return 0; }
	done
	return 1
}

# The disk of namespace NSID of subsystem S, by its nsid attribute.
nvme_ns_disk() {
	local d
	for d in /sys/block/nvme"$1"n*; do
		[[ ${d##*/} =~ ^nvme[0-9]+n[0-9]+$ ]] || continue
		[[ $(cat "$d/nsid" 2>/dev/null) == "$2" ]] && { echo "/dev/${d##*/}"; return 0; }
	done
	return 1
}

# The generic device of namespace NSID of subsystem S (it has no nsid
# attribute: ask the device, NVME_IOCTL_ID through nvme-cli).
nvme_ns_ng() {
	local g
	for g in /dev/ng"$1"n*; do
		[[ -c $g ]] || continue
		nvme get-ns-id "$g" 2>/dev/null | grep -q "namespace-id:$2\$" &&
			{ echo "$g"; return 0; }
	done
	return 1
}

run_fio() {
	local name=$1 log rc=0
	shift
	log=$RESULTS/fio-$name.log
	fio --name="$name" --filename="$NVME_NS" --direct=1 --group_reporting \
		"$@" >"$log" 2>&1 || rc=$?
	echo "fio $name: rc=$rc $(grep -m2 -E '^ *(read|write):' "$log" | tr -s ' ' | tr '\n' ' ')"
	if [[ $rc -ne 0 ]]; then
		grep -E 'error|verify|bad' "$log" | head -n 10
	fi
	return $rc
}
