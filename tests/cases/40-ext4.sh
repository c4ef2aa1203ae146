#!/bin/bash
# ext4 on nvmev: mkfs, mount, write files, sha256sum, remount, verify,
# fstrim, fsck.
# append: memmap=2M$0x100000000
# timeout: 400
source "$(dirname "$0")/../lib/guest.sh"

MNT=/tmp/mnt
SUMS=/tmp/sums

write_files() {
	local i
	mkdir -p "$MNT/dir"
	for i in $(seq 1 24); do
		head -c $((i * 97 * 1024 + i)) /dev/urandom >"$MNT/dir/f$i"
	done
	dd if=/dev/urandom of="$MNT/big" bs=1M count=48 status=none
	(cd "$MNT" && sha256sum big dir/*) >"$SUMS"
}
verify_files() { (cd "$MNT" && sha256sum --quiet -c "$SUMS"); }

nvmev_load || fail "nvmev_load"
mkdir -p "$MNT"
check "mkfs.ext4" mkfs.ext4 -F -q "$NVME_NS"
check "mount" mount -t ext4 "$NVME_NS" "$MNT"
check "write 24 small files and a 48 MiB file" write_files
check "sync" sync
check "files verify while mounted" verify_files
check "umount" umount "$MNT"
check "fsck after first umount" e2fsck -fn "$NVME_NS"
check "remount" mount -t ext4 "$NVME_NS" "$MNT"
check "files verify after remount" verify_files
check "delete the big file" rm "$MNT/big"
check "fstrim" fstrim "$MNT"
check "small files verify after fstrim" bash -c "cd $MNT && grep -v ' big\$' $SUMS | sha256sum --quiet -c"
check "umount" umount "$MNT"
check "fsck after trim" e2fsck -fn "$NVME_NS"
check "unload" nvmev_unload
