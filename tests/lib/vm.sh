# shellcheck shell=bash
# Guest initramfs and QEMU boot. Sourced by tests/run and tests/demo.sh.
#
# The guest is the Debian kernel from the cache plus a tiny initramfs
# (busybox-static, initramfs-init.sh, the modules for virtio-9p and
# overlayfs). The initramfs mounts the host's / read-only over 9p under a
# tmpfs overlay, so the guest uses the host's userland (nvme-cli, fio,
# e2fsprogs, kmod) with the guest kernel's own /lib/modules bound in.

# shellcheck source=kernels.sh
source "$(dirname "${BASH_SOURCE[0]}")/kernels.sh"

VM_LIB=$NVMEV_TESTS_DIR/lib
# Modules the initramfs loads before it can mount the host root.
VM_INITRD_MODULES=(virtio_pci 9pnet_virtio 9p overlay)
# Base guest command line; tsc=reliable avoids clocksource watchdog noise
# under TCG; panic=-1 with -no-reboot makes a panic end QEMU at once.
# loglevel=7: the serial log shows every kernel message but debug ones.
VM_BASE_APPEND="console=ttyS0,115200 panic=-1 tsc=reliable loglevel=7"
# Seconds a guest may take to reach the case (guest-run writes boot_s).
# Normal boots take 5-10 s; a rare hang early in boot is cut short here.
VM_BOOT_DEADLINE=${VM_BOOT_DEADLINE:-120}

initramfs_path() { echo "$(kernel_dir "$1")/initramfs.cpio"; }

# Print, in load order and without duplicates, the module files needed.
initramfs_module_files() {
	local ver=$1
	modprobe -S "$ver" -d "$(kernel_root "$ver")" --show-depends \
		-a "${VM_INITRD_MODULES[@]}" |
		awk '$1 == "insmod" && !seen[$2]++ {print $2}'
}

# Copy one module into the initramfs, uncompressed (busybox insmod cannot
# read .ko.xz/.ko.zst; Debian 6.12 ships xz-compressed modules).
initramfs_add_module() {
	local src=$1 dst_dir=$2 name
	name=$(basename "$src")
	name=${name%.xz} && name=${name%.zst} && name=${name%.gz}
	case $src in
	*.xz) xz -dc "$src" ;;
	*.zst) zstd -qdc "$src" ;;
	*.gz) gzip -dc "$src" ;;
	*) cat "$src" ;;
	esac >"$dst_dir/$name"
	echo "$name"
}

initramfs_stale() {
	local out=$1
	[[ ! -f $out || $VM_LIB/initramfs-init.sh -nt $out || \
		$VM_LIB/vm.sh -nt $out || /bin/busybox -nt $out ]]
}

# Build (when missing or outdated) and print the initramfs for <ver>.
initramfs_build() {
	local ver=$1 out stage f
	out=$(initramfs_path "$ver")
	if initramfs_stale "$out"; then
		say "building guest initramfs for $ver"
		stage=$(mktemp -d)
		mkdir -p "$stage"/{bin,dev,proc,sys,modules}
		cp /bin/busybox "$stage/bin/busybox"
		ln -s busybox "$stage/bin/sh"
		mknod -m 600 "$stage/dev/console" c 5 1
		cp "$VM_LIB/initramfs-init.sh" "$stage/init"
		chmod 755 "$stage/init"
		for f in $(initramfs_module_files "$ver"); do
			initramfs_add_module "$f" "$stage/modules"
		done >"$stage/modules/order"
		(cd "$stage" && find . | cpio -o -H newc --quiet) >"$out.tmp"
		mv "$out.tmp" "$out"
		rm -rf "$stage"
	fi
	echo "$out"
}

# Write the settings the guest reads from /results/guest.env.
# Usage: vm_write_env DIR KEY=VALUE...
vm_write_env() {
	local dir=$1 kv
	shift
	for kv in "$@"; do
		printf '%s=%q\n' "${kv%%=*}" "${kv#*=}"
	done >"$dir/guest.env"
}

# Boot one VM. Usage:
#   vm_boot VER RESULTS_DIR HARD_TIMEOUT CONSOLE APPEND VCPUS MEM [QEMU_ARG...]
# CONSOLE is a file for the serial log, or "stdio" for an interactive demo.
# Returns QEMU's status: 124 when the hard timeout killed it, 125 when the
# guest did not reach its case within VM_BOOT_DEADLINE seconds.
vm_boot() {
	local ver=$1 results=$2 hard=$3 console=$4 append=$5 vcpus=$6 mem=$7
	shift 7
	local serial=(-serial "file:$console")
	[[ $console == stdio ]] && serial=(-serial mon:stdio)
	[[ $results != *,* && $NVMEV_REPO != *,* ]] ||
		die "paths with commas cannot be shared over 9p: $results"
	local qemu=(
		qemu-system-x86_64 -accel tcg,thread=multi -machine q35 -cpu max
		-smp "$vcpus" -m "$mem" -nographic -no-reboot -vga none -nic none
		-monitor none "${serial[@]}"
		-kernel "$(kernel_image "$ver")" -initrd "$(initramfs_path "$ver")"
		-append "$VM_BASE_APPEND $append"
		-virtfs "local,path=/,mount_tag=hostroot,security_model=none,readonly=on,multidevs=remap"
		-virtfs "local,path=$results,mount_tag=results,security_model=none"
		"$@"
	)
	printf '%q ' "${qemu[@]}" >"$results/qemu.cmd"
	if [[ $console == stdio ]]; then
		timeout --foreground -k 10 "$hard" "${qemu[@]}"
		return
	fi
	timeout -k 10 "$hard" "${qemu[@]}" </dev/null >"$results/qemu.log" 2>&1 &
	vm_watch_boot $! "$results"
}

# Wait for QEMU (PID of its timeout wrapper); kill it if the guest has not
# started the case by VM_BOOT_DEADLINE.
vm_watch_boot() {
	local pid=$1 results=$2 waited=0 rc=0
	while kill -0 "$pid" 2>/dev/null; do
		if [[ ! -f $results/boot_s ]] && ((waited >= VM_BOOT_DEADLINE)); then
			echo "boot deadline (${VM_BOOT_DEADLINE}s) passed" >>"$results/qemu.log"
			kill "$pid" 2>/dev/null || true
			wait "$pid" || true
			return 125
		fi
		sleep 1
		waited=$((waited + 1))
	done
	wait "$pid" || rc=$?
	return $rc
}
