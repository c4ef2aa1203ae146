#!/bin/bash
# Boot a throwaway VM (Debian 6.1 kernel by default) with nvmev loaded and
# show nvme list, id-ctrl, smart-log, a short fio run and lsblk.
set -euo pipefail

# shellcheck source=lib/vm.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/vm.sh"

usage() {
	cat <<USAGE
Usage: tests/demo.sh [--kernel 6.1|6.12] [--help]

Sets up like tests/run (host packages, guest kernel, module build), boots a
QEMU/TCG guest with nvmev loaded in RAM-backed mode (1 GiB) and runs a
short tour of the device, then powers off. On a terminal it drops to a
shell in the guest first: exit it to power off (Ctrl-A X kills QEMU).
USAGE
}

main() {
	local flavour=6.1 ver dir shell=0
	while [[ $# -gt 0 ]]; do
		case $1 in
		--kernel) flavour=${2:?--kernel needs a value}; shift ;;
		-h | --help) usage; return 0 ;;
		*) usage >&2; die "unknown argument '$1'" ;;
		esac
		shift
	done
	flavour=$(expand_flavours "$flavour")
	need_root
	ensure_host_packages
	ver=$(kernel_prepare "$flavour")
	initramfs_build "$ver" >/dev/null
	module_build "$ver" || die "module build failed"

	dir=$NVMEV_CACHE/demo
	rm -rf "$dir" && mkdir -p "$dir"
	[[ -t 0 && -t 1 ]] && shell=1
	vm_write_env "$dir" KVER="$ver" CASE="$VM_LIB/demo-guest.sh" \
		CASE_TIMEOUT=1800 NVMEV_KO="$(module_ko "$ver")" NVMEV_SRC="$NVMEV_REPO" \
		GUEST_MODDIR="$(kernel_moddir "$ver")" GUEST_RUN="$VM_LIB/guest-run.sh" \
		GUEST_SHELL="$shell" TERM="${TERM:-dumb}"
	say "booting $ver (QEMU TCG, about 10 s)"
	if [[ $shell == 1 ]]; then
		vm_boot "$ver" "$dir" 3600 stdio 'memmap=2M$0x100000000 loglevel=4' 4 4G
	else
		vm_boot "$ver" "$dir" 600 stdio 'memmap=2M$0x100000000 loglevel=4' 4 4G </dev/null
	fi
	[[ $(cat "$dir/rc" 2>/dev/null) == 0 ]]
}

main "$@"
