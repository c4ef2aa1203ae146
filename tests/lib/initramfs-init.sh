#!/bin/sh
# /init of the guest initramfs (busybox sh). Not run on the host.
#
# Loads the few modules needed for 9p and overlayfs, mounts the host root
# (read-only 9p, tag "hostroot") under a tmpfs overlay, mounts the per-case
# results folder (read-write 9p, tag "results") at /results, binds the guest
# kernel's own modules onto /lib/modules/<ver>, then switch_root's into it
# and runs the harness' guest-run.sh as PID 1. Settings come from
# /results/guest.env, written by the host before boot.

export PATH=/bin
/bin/busybox --install -s /bin

log() { echo "nvmev-init: $*" >/dev/console; }

halt_now() {
	log "$*"
	sync
	poweroff -f
}

mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev

while read -r m; do
	insmod "/modules/$m" || halt_now "insmod $m failed"
done </modules/order
log "modules loaded, mounting the host root"

P9="trans=virtio,version=9p2000.L,msize=262144"
mkdir -p /lower /rw /newroot
mount -t 9p -o "$P9,ro,cache=loose" hostroot /lower || halt_now "9p hostroot"
mount -t tmpfs -o mode=0755 tmpfs /rw
mkdir -p /rw/upper /rw/work
mount -t overlay overlay \
	-o lowerdir=/lower,upperdir=/rw/upper,workdir=/rw/work /newroot ||
	halt_now "overlay mount failed"

mkdir -p /newroot/results
mount -t 9p -o "$P9" results /newroot/results || halt_now "9p results"
[ -f /newroot/results/guest.env ] || halt_now "no guest.env"
. /newroot/results/guest.env

mkdir -p "/newroot/lib/modules/$KVER"
mount --bind "/newroot$GUEST_MODDIR" "/newroot/lib/modules/$KVER" ||
	halt_now "bind guest modules"
mount -t proc proc /newroot/proc
mount -t sysfs sysfs /newroot/sys
mount -t devtmpfs devtmpfs /newroot/dev
# What udev would add: bash process substitution needs /dev/fd.
ln -sf /proc/self/fd /newroot/dev/fd
ln -sf /proc/self/fd/0 /newroot/dev/stdin
ln -sf /proc/self/fd/1 /newroot/dev/stdout
ln -sf /proc/self/fd/2 /newroot/dev/stderr
mkdir -p /newroot/dev/pts /newroot/dev/shm
mount -t devpts devpts /newroot/dev/pts
mount -t tmpfs tmpfs /newroot/dev/shm
# A fresh /tmp and /run, unless the tree, the module or the case lives
# under one of them on the host (a clone in /tmp): then the overlay's view
# of the host folder stays, writable through the tmpfs upper layer.
fresh_tmpfs() {
	for p in "$NVMEV_SRC" "$NVMEV_KO" "$CASE" "$GUEST_RUN"; do
		case $p/ in
		"$1"/*)
			log "$p is under $1: keeping the host's $1 (overlay)"
			return 0
			;;
		esac
	done
	mount -t tmpfs -o "mode=$2" tmpfs "/newroot$1"
}
fresh_tmpfs /tmp 1777
fresh_tmpfs /run 0755
umount /proc /sys /dev
log "switching root, running $GUEST_RUN"

# PID 1 shares its fs root with kthreadd, so after switch_root the kernel's
# own module autoloading (request_module) also runs the host's modprobe
# against the guest's /lib/modules.
exec switch_root /newroot /bin/bash "$GUEST_RUN"
