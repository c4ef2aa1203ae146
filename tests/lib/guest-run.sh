#!/bin/bash
# PID 1 inside the test VM, after the initramfs switched to the host root
# overlay. Not run on the host. Runs one case script, then leaves in
# /results: output.txt (case stdout+stderr), dmesg.txt, boot_s (uptime when
# the case started), rc (case exit status, written last) or timeout.
set -uo pipefail

# shellcheck source=/dev/null
source /results/guest.env
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
export HOME=/root LANG=C.UTF-8 TERM=${TERM:-dumb}
export RESULTS=/results NVMEV_KO NVMEV_SRC KVER

power_off() {
	sync
	busybox poweroff -f 2>/dev/null
	echo o >/proc/sysrq-trigger
	sleep 60
}

save_dmesg() {
	dmesg >"$RESULTS/dmesg.txt" 2>&1
}

# Guest-side deadline: collect what we can even if the case is stuck in D
# state; the host has its own, longer, hard timeout on QEMU.
start_watchdog() {
	(
		sleep "$CASE_TIMEOUT"
		echo "nvmev-guest: case timed out after ${CASE_TIMEOUT}s" >/dev/console
		echo "$CASE_TIMEOUT" >"$RESULTS/timeout"
		echo w >/proc/sysrq-trigger # blocked tasks, into dmesg
		sleep 2
		save_dmesg
		power_off
	) &
}

log_header() {
	echo "guest: kernel $(uname -r), uptime $(cut -d' ' -f1 /proc/uptime)s"
	echo "guest: cmdline $(cat /proc/cmdline)"
	echo "guest: case $CASE"
}

main() {
	local rc
	cd /tmp || exit 1
	cut -d' ' -f1 /proc/uptime >"$RESULTS/boot_s"
	log_header | tee "$RESULTS/output.txt"
	echo "nvmev-guest: start $(basename "$CASE")" >/dev/kmsg
	start_watchdog
	bash "$CASE" 2>&1 | tee -a "$RESULTS/output.txt"
	rc=${PIPESTATUS[0]}
	echo "nvmev-guest: end rc=$rc" >/dev/kmsg
	if [[ ${GUEST_SHELL:-0} == 1 ]]; then
		echo "Interactive shell; exit it to power off."
		setsid -c bash -l </dev/ttyS0 >/dev/ttyS0 2>&1
	fi
	save_dmesg
	echo "$rc" >"$RESULTS/rc"
	power_off
}

main
