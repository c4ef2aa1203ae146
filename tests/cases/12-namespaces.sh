#!/bin/bash
# Namespace management on one controller: create, attach, detach and
# delete namespaces with nvme-cli while I/O runs; two namespaces of
# different sizes and LBA formats under fio verify at once; the host sees
# them come and go (Namespace Attribute Changed AEN, Changed Namespace
# List log); the capacity figures add up; every wrong request gets its
# status code.
# append: memmap=2M$0x100000000
# timeout: 420
source "$(dirname "$0")/../lib/guest.sh"

SC_INVALID_FIELD=0x4002
SC_INVALID_NS=0x400b
SC_INVALID_FORMAT=0x410a
SC_INSUFFICIENT_CAP=0x4115
SC_ID_UNAVAILABLE=0x4116
SC_ALREADY_ATTACHED=0x4118
SC_NOT_ATTACHED=0x411a
SC_THIN_PROV=0x411b
SC_CTRL_LIST=0x411c
MiB=$((1 << 20))

ctrl_field() { nvme id-ctrl "$NVME_CTRL" -o json | json_field "$1"; }
# active / allocated NSIDs, one line "nsid nsid ..."
active_list() { nvme list-ns "$NVME_CTRL" | sed -n 's/^\[ *[0-9]*\]:0x\([0-9a-f]*\)/\1/p' | while read -r x; do echo $((16#$x)); done | xargs; }
alloc_list() { nvme list-ns "$NVME_CTRL" -a | sed -n 's/^\[ *[0-9]*\]:0x\([0-9a-f]*\)/\1/p' | while read -r x; do echo $((16#$x)); done | xargs; }
# create_ns BLOCKS FLBAS: prints the new NSID
create_ns() {
	local out
	out=$(nvme create-ns "$NVME_CTRL" -s "$1" -c "$1" -f "$2" 2>&1) || { echo "$out"; return 1; }
	sed -n 's/.*created nsid:\([0-9]*\).*/\1/p' <<<"$out"
}
attach() { nvme attach-ns "$NVME_CTRL" -n "$1" -c 1; }
detach() { nvme detach-ns "$NVME_CTRL" -n "$1" -c 1; }
delete() { nvme delete-ns "$NVME_CTRL" -n "$1"; }
blockdev_is() { wait_for "[[ -b /dev/nvme0n$1 ]]" 20; }
blockdev_gone() { wait_for "[[ ! -e /dev/nvme0n$1 ]]" 20; }

nvmev_load memmap_start=4G memmap_size=2M capacity=256M total_capacity=1G cpus=1,2 ||
	fail "nvmev_load"
dmesg_mark

info "identify: namespace management advertised, capacities"
check "OACS has Namespace Management (bit 3)" eq $(( $(ctrl_field oacs) >> 3 & 1 )) 1
check "NN is 16" num_eq "$(ctrl_field nn)" 16
check "TNVMCAP is 1 GiB" num_eq "$(ctrl_field tnvmcap)" $((1024 * MiB))
check "UNVMCAP is 768 MiB" num_eq "$(ctrl_field unvmcap)" $((768 * MiB))
check "active namespaces: 1" eq "$(active_list)" 1
check "CNS 1Ch lists the NVM, KV and ZNS command sets (bits 0, 1, 2)" bash -c "nvme id-iocs $NVME_CTRL | grep -q 'I/O Command Set Combination\[0\]:7'"
check "CNS 08h: namespace 1 ready" bash -c "nvme cmdset-ind-id-ns $NVME_CTRL -n 1 | grep -qi 'nstat *: *0x1'"
check "CNS 08h: inactive NSID 9 reads zeroes" bash -c "nvme cmdset-ind-id-ns $NVME_CTRL -n 9 | grep -qi 'nstat *: *0'"
check "Identify NSID 5 (valid, inactive): zeroes" bash -c "nvme id-ns $NVME_CTRL -n 5 | grep -q 'nsze *: *0$'"

info "create namespace 2: 512 MiB of 4 KiB blocks"
nsid=$(create_ns $((512 * MiB / 4096)) 1) || true
check "create-ns gives NSID 2" eq "$nsid" 2
check "allocated: 1 2, active: 1" eq "$(alloc_list)/$(active_list)" "1 2/1"
check "UNVMCAP is 256 MiB" num_eq "$(ctrl_field unvmcap)" $((256 * MiB))
check "list-ctrl for NSID 2 is empty before attach" bash -c "! nvme list-ctrl $NVME_CTRL -n 2 | grep -q '0x1'"
check "attach-ns 2" attach 2
check "/dev/nvme0n2 appears" blockdev_is 2
check "active: 1 2" eq "$(active_list)" "1 2"
check "list-ctrl for NSID 2 names controller 1" bash -c "nvme list-ctrl $NVME_CTRL -n 2 | grep -q '0x1'"
check "nvme0n2 has 4096-byte blocks" eq "$(blockdev --getss /dev/nvme0n2)" 4096
check "nvme0n2 is 512 MiB" eq "$(blockdev --getsize64 /dev/nvme0n2)" $((512 * MiB))
check "nvme0n1 still 512-byte blocks" eq "$(blockdev --getss /dev/nvme0n1)" 512
check "the host rescanned on the AEN" dmesg_has 'rescanning namespaces'

info "two namespaces, two formats, fio verify on both at once"
check "fio verify on nvme0n1 and nvme0n2 together" run_fio two-ns \
	--ioengine=libaio --iodepth=16 --rw=randwrite --bs=4k --size=48m \
	--verify=crc32c --verify_fatal=1 --name=ns1 --filename=/dev/nvme0n1 \
	--name=ns2 --filename=/dev/nvme0n2 --bs=16k

info "wrong requests"
check "create with NCAP < NSZE: Thin Provisioning Not Supported" status_is $SC_THIN_PROV nvme create-ns "$NVME_CTRL" -s 2048 -c 1024 -f 0
check "create larger than UNVMCAP: Namespace Insufficient Capacity" status_is $SC_INSUFFICIENT_CAP nvme create-ns "$NVME_CTRL" -s $((512 * MiB / 512)) -c $((512 * MiB / 512)) -f 0
check "create with LBA format 3: Invalid Format" status_is $SC_INVALID_FORMAT nvme create-ns "$NVME_CTRL" -s 2048 -c 2048 -f 3
check "create with NSZE 0: Invalid Field" status_is $SC_INVALID_FIELD nvme create-ns "$NVME_CTRL" -s 0 -c 0 -f 0
check "create shared (NMIC 1): Invalid Field" status_is $SC_INVALID_FIELD nvme create-ns "$NVME_CTRL" -s 2048 -c 2048 -f 0 -m 1
check "create with unknown CSI 7: Invalid Field" status_is $SC_INVALID_FIELD nvme create-ns "$NVME_CTRL" -s 2048 -c 2048 -f 0 -y 7
check "attach NSID 2 again: Namespace Already Attached" status_is $SC_ALREADY_ATTACHED attach 2
check "attach to controller 5: Controller List Invalid" status_is $SC_CTRL_LIST nvme attach-ns "$NVME_CTRL" -n 2 -c 5
check "detach NSID 9 (unallocated): Invalid Namespace" status_is $SC_INVALID_NS detach 9
check "delete NSID 9 (unallocated): Invalid Namespace" status_is $SC_INVALID_NS delete 9
check "delete NSID 17 (beyond NN): Invalid Namespace" status_is $SC_INVALID_NS delete 17
check "attach NSID 0xffffffff: Invalid Field" status_is $SC_INVALID_FIELD nvme attach-ns "$NVME_CTRL" -n 0xffffffff -c 1

info "create/attach/detach/delete cycles while fio verifies namespace 1"
run_fio bg-ns1 --ioengine=libaio --iodepth=8 --rw=randwrite --bs=4k \
	--size=64m --offset=64m --verify=crc32c --verify_fatal=1 \
	--time_based --runtime=60 --verify_backlog=256 >"$RESULTS/bg.out" 2>&1 &
fio_pid=$!
cycles_ok=0
for i in $(seq 1 10); do
	n=$(create_ns $((8 * MiB / 512)) $((i % 2))) || break
	[[ $n == 3 ]] || { echo "cycle $i: got NSID $n"; break; }
	attach 3 >/dev/null || break
	blockdev_is 3 || { echo "cycle $i: no nvme0n3"; break; }
	dd if=/dev/urandom of=/tmp/c bs=64k count=16 status=none
	dd if=/tmp/c of=/dev/nvme0n3 bs=64k oflag=direct status=none || break
	cmp /tmp/c <(dd if=/dev/nvme0n3 bs=64k count=16 iflag=direct status=none) || break
	detach 3 >/dev/null || break
	blockdev_gone 3 || { echo "cycle $i: nvme0n3 stayed"; break; }
	delete 3 >/dev/null || break
	cycles_ok=$i
done
check "10 cycles of create/attach/write/read/detach/delete" num_eq $cycles_ok 10
check "fio verify on namespace 1 during the cycles" wait $fio_pid
cat "$RESULTS/bg.out"
check "a fresh namespace reads zeroes after reuse of NSID 3" bash -c "
	n=\$(nvme create-ns $NVME_CTRL -s 2048 -c 2048 -f 0 | sed -n 's/.*nsid:\([0-9]*\).*/\1/p')
	[[ \$n == 3 ]] && nvme attach-ns $NVME_CTRL -n 3 -c 1 >/dev/null &&
	for i in \$(seq 50); do [[ -b /dev/nvme0n3 ]] && break; sleep 0.1; done &&
	cmp -n 1048576 /dev/zero <(dd if=/dev/nvme0n3 bs=1M count=1 iflag=direct status=none)"
check "delete-ns of an attached namespace detaches it" delete 3
check "nvme0n3 goes away" blockdev_gone 3
check "ns-rescan works" nvme ns-rescan "$NVME_CTRL"

info "format namespace 2 to 512-byte blocks"
check "nvme format nvme0n2 --lbaf=0" nvme format /dev/nvme0n2 -l 0 -f
check "nvme0n2 now has 512-byte blocks" wait_for "[[ \$(blockdev --getss /dev/nvme0n2) == 512 ]]" 20
check "nvme0n2 reads zeroes after the format" cmp -n $MiB /dev/zero <(dd if=/dev/nvme0n2 bs=1M count=1 iflag=direct status=none)

info "detach and delete namespace 2"
check "detach-ns 2" detach 2
check "nvme0n2 goes away" blockdev_gone 2
check "detach NSID 2 again: Namespace Not Attached" status_is $SC_NOT_ATTACHED detach 2
check "delete-ns 2" delete 2
check "UNVMCAP back to 768 MiB" num_eq "$(ctrl_field unvmcap)" $((768 * MiB))
check "allocated: 1" eq "$(alloc_list)" 1

info "all sixteen NSIDs"
made=1
for i in $(seq 2 16); do create_ns 2048 0 >/dev/null || break; made=$i; done
check "15 more namespaces fit (NN = 16)" num_eq $made 16
check "a 17th: Namespace Identifier Unavailable" status_is $SC_ID_UNAVAILABLE nvme create-ns "$NVME_CTRL" -s 2048 -c 2048 -f 0
check "delete all but 1" bash -c "for n in \$(seq 2 16); do nvme delete-ns $NVME_CTRL -n \$n >/dev/null || exit 1; done"
check "no nvmev error in dmesg" eq "$(dmesg_errors | grep -c nvmev: || true)" 0
check "unload" nvmev_unload
