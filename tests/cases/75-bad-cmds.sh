#!/bin/bash
# Malformed admin and I/O commands (nvme admin-passthru / io-passthru, and
# one raw ioctl for a misaligned PRP): each must fail with the NVMe status
# code the base specification names, DNR set, and nothing else may happen:
# no controller reset, no nvmev error in dmesg, the host driver's own
# queues untouched (fio verify passes afterwards).  (Fused commands cannot
# be sent this way: the kernel refuses passthrough flags; 77-raw-queues
# sends them from a user-space host.)
# append: memmap=2M$0x100000000
# timeout: 300
source "$(dirname "$0")/../lib/guest.sh"

# Status codes (Status Field without the phase bit; 0x4000 is DNR).
SC_INVALID_OPCODE=0x4001
SC_INVALID_FIELD=0x4002
SC_INVALID_NS=0x400b
SC_PRP_OFFSET=0x4013
SC_LBA_RANGE=0x4080
SC_CQ_INVALID=0x4100
SC_QID_INVALID=0x4101
SC_QUEUE_SIZE=0x4102
SC_LOG_PAGE=0x4109
SC_INVALID_FORMAT=0x410a
SC_QUEUE_DELETION=0x410c
SC_NOT_SAVEABLE=0x410d
SC_INVALID_VECTOR=0x4108
SC_CTRL_LIST=0x411c

admin() { nvme admin-passthru "$NVME_CTRL" "$@"; }
io() { nvme io-passthru "$NVME_NS" "$@"; }
# qdw QID QSIZE: CDW10 of a queue create command (queue size is 0's based).
qdw() { echo $((($2 - 1) << 16 | $1)); }
# Queue creation needs a buffer the host "owns": a page from nvme-cli.
create_cq() { admin -o 0x05 -4 "$(qdw "$1" "$2")" -5 "$3" -l 4096 -w -i /dev/zero; }
create_sq() { admin -o 0x01 -4 "$(qdw "$1" "$2")" -5 "$3" -l 4096 -w -i /dev/zero; }
delete_sq() { admin -o 0x00 -4 "$1"; }
delete_cq() { admin -o 0x04 -4 "$1"; }

# Create I/O CQ whose PRP1 is not page aligned: nvme-cli always passes an
# aligned buffer, so issue NVME_IOCTL_ADMIN_CMD directly. The buffer sits
# 2048 bytes into a page (aligned enough for the block layer to map it as
# is). Prints nvme-cli style "(0xSTATUS)".
create_cq_misaligned() {
	perl -e '
		use strict;
		my ($dev, $qid) = @ARGV;
		open(my $fh, "+<", $dev) or die "open $dev: $!\n";
		my $buf = "\0" x 16384;
		my $base = unpack("J", pack("p", $buf));
		my $addr = $base + ((4096 - $base % 4096) % 4096) + 2048;
		my $cmd = pack("CCSLLLQQLLLLLLLLLL", 0x05, 0, 0, 0, 0, 0, 0,
			$addr, 0, 4096, (15 << 16) | $qid, 1, 0, 0, 0, 0, 0, 0);
		my $r = ioctl($fh, 0xC0484E41, $cmd);
		die "ioctl: $!\n" unless defined $r;
		$r = 0 if $r eq "0 but true";
		printf "NVMe status (0x%x) prp1 offset %d\n", $r, $addr % 4096;
		exit($r ? 1 : 0);
	' "$NVME_CTRL" "$1"
}

ctrl_state() { cat /sys/class/nvme/nvme0/state; }

nvmev_load || fail "nvmev_load"
nlbas=$(blockdev --getsz "$NVME_NS")     # 512-byte blocks
last=$((nlbas - 1))
# The host driver's I/O queue count (one blk-mq hardware queue each).
used=$(ls -d /sys/block/nvme0n1/mq/* | wc -l)
feat7=$(nvme get-feature "$NVME_CTRL" -f 7 2>&1)
echo "# get-feature 7: $feat7"
nsqa=$(grep -o -E 'value: *0x[0-9a-fA-F]+' <<<"$feat7" | grep -o -E '0x[0-9a-fA-F]+')
granted=$(( (nsqa & 0xffff) + 1 ))
info "namespace $nlbas blocks; driver uses $used I/O queues; $granted granted"
FREE=$((granted - 1))        # QIDs the driver does not use
MISSING=$granted             # never created
check "free QIDs above the driver's" num_ge "$FREE" $((used + 1))
head -c $((4 << 20)) /dev/urandom >/tmp/data
check "write 4 MiB reference data" dd if=/tmp/data of="$NVME_NS" bs=1M seek=64 oflag=direct status=none
dmesg_mark

info "admin commands"
check "unknown admin opcode 0x7e: Invalid Command Opcode" status_is $SC_INVALID_OPCODE admin -o 0x7e
check "Identify reserved CNS 0x55: Invalid Field" status_is $SC_INVALID_FIELD admin -o 0x06 -4 0x55 -l 4096 -r
check "Identify Namespace NSID 17 (above NN): Invalid Namespace" status_is $SC_INVALID_NS admin -o 0x06 -n 17 -4 0 -l 4096 -r
check "Get Log Page unknown LID 0x7f: Invalid Log Page" status_is $SC_LOG_PAGE admin -o 0x02 -4 $((127 << 16 | 0x7f)) -l 512 -r
check "Get Log Page SMART offset 4096 past its end: Invalid Field" status_is $SC_INVALID_FIELD admin -o 0x02 -n 0xffffffff -4 $((127 << 16 | 2)) -6 4096 -l 512 -r
check "Get Log Page offset not dword aligned: Invalid Field" status_is $SC_INVALID_FIELD admin -o 0x02 -n 0xffffffff -4 $((127 << 16 | 2)) -6 2 -l 512 -r
check "Get Log Page SMART NSID 17: Invalid Namespace" status_is $SC_INVALID_NS admin -o 0x02 -n 17 -4 $((127 << 16 | 2)) -l 512 -r
check "Get Features unsupported FID 0x7f: Invalid Field" status_is $SC_INVALID_FIELD admin -o 0x0a -4 0x7f
check "Get Features reserved select 5: Invalid Field" status_is $SC_INVALID_FIELD admin -o 0x0a -4 $((5 << 8 | 1))
check "Set Features unsupported FID 0x7f: Invalid Field" status_is $SC_INVALID_FIELD admin -o 0x09 -4 0x7f
check "Set Features save bit: Feature Not Saveable" status_is $SC_NOT_SAVEABLE admin -o 0x09 -4 $((1 << 31 | 1))
# (Set Features Number of Queues is refused by 6.12's kernel itself.)
check "Set Features Temperature Threshold reserved THSEL: Invalid Field" status_is $SC_INVALID_FIELD admin -o 0x09 -4 4 -5 $((2 << 20 | 0x150))
check "Format reserved LBA format 5: Invalid Format" status_is $SC_INVALID_FORMAT admin -o 0x80 -n 1 -4 5
check "Format NSID 7: Invalid Namespace" status_is $SC_INVALID_NS admin -o 0x80 -n 7 -4 0
check "Identify CNS 03h for inactive NSID 5: Invalid Namespace" status_is $SC_INVALID_NS admin -o 0x06 -n 5 -4 3 -l 4096 -r
check "Identify CNS 05h with CSI 9 (no such command set): Invalid Field" status_is $SC_INVALID_FIELD admin -o 0x06 -n 1 -4 5 -5 $((9 << 24)) -l 4096 -r
check "Identify CNS 06h with CSI 9: Invalid Field" status_is $SC_INVALID_FIELD admin -o 0x06 -4 6 -5 $((9 << 24)) -l 4096 -r
check "Identify CNS 07h with CSI 9: Invalid Field" status_is $SC_INVALID_FIELD admin -o 0x06 -4 7 -5 $((9 << 24)) -l 4096 -r
check "Identify CNS 08h for NSID 17: Invalid Namespace" status_is $SC_INVALID_NS admin -o 0x06 -n 17 -4 8 -l 4096 -r
check "Identify CNS 10h from NSID 0xfffffffe: Invalid Namespace" status_is $SC_INVALID_NS admin -o 0x06 -n 0xfffffffe -4 0x10 -l 4096 -r
check "Identify CNS 12h for NSID 17: Invalid Namespace" status_is $SC_INVALID_NS admin -o 0x06 -n 17 -4 0x12 -l 4096 -r
check "Identify CNS 1Ch for controller 5: Invalid Field" status_is $SC_INVALID_FIELD admin -o 0x06 -4 $((5 << 16 | 0x1c)) -l 4096 -r
check "Get Log Page effects for CSI 9: Invalid Field" status_is $SC_INVALID_FIELD admin -o 0x02 -4 $((1023 << 16 | 5)) -8 $((9 << 24)) -l 4096 -r
check "Get Log Page changed NS list past its end: Invalid Field" status_is $SC_INVALID_FIELD admin -o 0x02 -4 $((127 << 16 | 4)) -6 8192 -l 512 -r
check "Set Features I/O Command Set Profile index 3: Invalid Field" status_is $SC_INVALID_FIELD admin -o 0x09 -4 0x19 -5 3
check "Namespace Management reserved SEL 5: Invalid Field" status_is $SC_INVALID_FIELD admin -o 0x0d -4 5
check "Namespace Management create, CSI 9: Invalid Field" status_is $SC_INVALID_FIELD admin -o 0x0d -4 0 -5 $((9 << 24)) -l 4096 -w -i /dev/zero
check "Namespace Management create, NSZE 0: Invalid Field" status_is $SC_INVALID_FIELD admin -o 0x0d -4 0 -l 4096 -w -i /dev/zero
check "Namespace Management delete NSID 17: Invalid Namespace" status_is $SC_INVALID_NS admin -o 0x0d -n 17 -4 1
check "Namespace Attachment reserved SEL 3: Invalid Field" status_is $SC_INVALID_FIELD admin -o 0x15 -n 1 -4 3 -l 4096 -w -i /dev/zero
check "Namespace Attachment, empty controller list: Controller List Invalid" status_is $SC_CTRL_LIST admin -o 0x15 -n 1 -4 0 -l 4096 -w -i /dev/zero
check "Namespace Attachment NSID 12 (unallocated): Invalid Namespace" status_is $SC_INVALID_NS admin -o 0x15 -n 12 -4 0 -l 4096 -w -i /dev/zero

info "queue management (driver queues 1..$used, test queues $FREE, $MISSING)"
check "Create CQ QID 0: Invalid QID" status_is $SC_QID_INVALID create_cq 0 16 1
check "Create CQ QID above the allocated count: Invalid QID" status_is $SC_QID_INVALID create_cq $((granted + 1)) 16 1
check "Create CQ duplicate of the driver's QID 1: Invalid QID" status_is $SC_QID_INVALID create_cq 1 16 1
check "Create CQ 2048 entries (over MQES): Invalid Queue Size" status_is $SC_QUEUE_SIZE create_cq $FREE 2048 1
check "Create CQ of 1 entry: Invalid Queue Size" status_is $SC_QUEUE_SIZE create_cq $FREE 1 1
check "Create CQ not physically contiguous: Invalid Field" status_is $SC_INVALID_FIELD create_cq $FREE 16 0
check "Create CQ interrupt vector 200: Invalid Interrupt Vector" status_is $SC_INVALID_VECTOR create_cq $FREE 16 $((200 << 16 | 3))
check "Create CQ PRP1 not page aligned: Invalid PRP Offset" status_is $SC_PRP_OFFSET create_cq_misaligned $FREE
check "Create SQ on a missing CQ: Completion Queue Invalid" status_is $SC_CQ_INVALID create_sq $FREE 16 $((MISSING << 16 | 1))
check "Create SQ on CQ 0 (admin): Completion Queue Invalid" status_is $SC_CQ_INVALID create_sq $FREE 16 1
check "Create SQ duplicate of the driver's QID 1: Invalid QID" status_is $SC_QID_INVALID create_sq 1 16 $((1 << 16 | 1))
check "Delete CQ 1 while the driver's SQ 1 exists: Invalid Queue Deletion" status_is $SC_QUEUE_DELETION delete_cq 1
check "Delete SQ that does not exist: Invalid QID" status_is $SC_QID_INVALID delete_sq $MISSING
check "Delete CQ that does not exist: Invalid QID" status_is $SC_QID_INVALID delete_cq $MISSING
check "Delete SQ 0 (admin): Invalid QID" status_is $SC_QID_INVALID delete_sq 0
# A real pair on the free QID, for the checks that need one.
check "Create CQ $FREE (no interrupts)" create_cq $FREE 16 1
check "Create CQ $FREE again: Invalid QID" status_is $SC_QID_INVALID create_cq $FREE 16 1
check "Create SQ 4096 entries on CQ $FREE: Invalid Queue Size" status_is $SC_QUEUE_SIZE create_sq $FREE 4096 $((FREE << 16 | 1))
check "Create SQ $FREE on CQ $FREE" create_sq $FREE 16 $((FREE << 16 | 1))
check "Delete CQ $FREE while SQ $FREE exists: Invalid Queue Deletion" status_is $SC_QUEUE_DELETION delete_cq $FREE
check "Delete SQ $FREE" delete_sq $FREE
check "Delete CQ $FREE" delete_cq $FREE
check "Delete CQ $FREE again: Invalid QID" status_is $SC_QID_INVALID delete_cq $FREE

info "I/O commands (the namespace has $nlbas blocks)"
check "unknown I/O opcode 0x7e: Invalid Command Opcode" status_is $SC_INVALID_OPCODE io -o 0x7e -n 1
# The kernel itself refuses I/O passthru whose NSID is not the namespace's
# ("nsid (2) in cmd does not match"), so invalid NSIDs are tested above
# with admin commands only.
check "Read 2 blocks from the last LBA: LBA Out of Range" status_is $SC_LBA_RANGE io -o 0x02 -n 1 -4 $last -6 1 -l 1024 -r
check "Write 2 blocks from the last LBA: LBA Out of Range" status_is $SC_LBA_RANGE io -o 0x01 -n 1 -4 $last -6 1 -l 1024 -w -i /dev/zero
check "Read at LBA 2^40: LBA Out of Range" status_is $SC_LBA_RANGE io -o 0x02 -n 1 -4 0 -5 256 -l 512 -r
check "Compare past the end: LBA Out of Range" status_is $SC_LBA_RANGE io -o 0x05 -n 1 -4 $last -6 1 -l 1024 -w -i /dev/zero
check "Write Zeroes past the end: LBA Out of Range" status_is $SC_LBA_RANGE io -o 0x08 -n 1 -4 $last -6 7
check "DSM deallocate past the end: LBA Out of Range" status_is $SC_LBA_RANGE nvme dsm "$NVME_NS" -n 1 --ad -s $last -b 16
# 4096 blocks = 2 MiB, MDTS is 1 MiB; the buffer is one page on purpose:
# a device that ignored MDTS would overrun it.
check "Read 2 MiB, over MDTS: Invalid Field" status_is $SC_INVALID_FIELD io -o 0x02 -n 1 -4 0 -6 4095 -l 4096 -r
check "Verify past the end: LBA Out of Range" status_is $SC_LBA_RANGE io -o 0x0c -n 1 -4 $last -6 1
check "Verify 32 MiB, over VSL: Invalid Field" status_is $SC_INVALID_FIELD io -o 0x0c -n 1 -4 0 -6 65535
check "Write Uncorrectable past the end: LBA Out of Range" status_is $SC_LBA_RANGE io -o 0x04 -n 1 -4 $last -6 1
check "Write Uncorrectable 32 MiB, over WUSL: Invalid Field" status_is $SC_INVALID_FIELD io -o 0x04 -n 1 -4 0 -6 65535
check "Write Zeroes 32 MiB, over WZSL: Invalid Field" status_is $SC_INVALID_FIELD io -o 0x08 -n 1 -4 0 -6 65535
check "Copy with 200 source ranges, over MSRC: Command Size Limit Exceeded" status_is 0x4183 io -o 0x19 -n 1 -6 199 -l 6400 -w -i /dev/zero
check "Copy range of 4097 blocks, over MSSRL: Command Size Limit Exceeded" status_is 0x4183 nvme copy "$NVME_NS" -d 0 -s 8192 -b 4096
check "Copy 5 ranges of 4096 (20480 blocks), over MCL: Command Size Limit Exceeded" status_is 0x4183 nvme copy "$NVME_NS" -d 0 -s 8192,16384,24576,32768,40960 -b 4095,4095,4095,4095,4095
check "Copy to past the end: LBA Out of Range" status_is $SC_LBA_RANGE nvme copy "$NVME_NS" -d $last -s 0 -b 7
check "Copy from past the end: LBA Out of Range" status_is $SC_LBA_RANGE nvme copy "$NVME_NS" -d 0 -s $last -b 7
check "Copy descriptor format 1: Invalid Field" status_is $SC_INVALID_FIELD io -o 0x19 -n 1 -6 $((1 << 8)) -l 32 -w -i /dev/zero
check "DSM deallocate range of 8192 blocks, over DMRSL: Invalid Field" status_is $SC_INVALID_FIELD nvme dsm "$NVME_NS" -n 1 --ad -s 0 -b 8192
check "DSM deallocate 2 ranges of 4096, over DMSL: Invalid Field" status_is $SC_INVALID_FIELD nvme dsm "$NVME_NS" -n 1 --ad -s 0,8192 -b 4096,4096

info "nothing else happened"
check "controller still live (no reset)" eq "$(ctrl_state)" live
check "no nvme reset or timeout in dmesg" expect_fail dmesg_has 'nvme0: (I/O .* timeout|resetting controller|Abort)'
check "no nvmev error in dmesg" eq "$(dmesg_errors | grep -c nvmev: || true)" 0
check "reference data intact" cmp /tmp/data <(dd if="$NVME_NS" bs=1M skip=64 count=4 iflag=direct status=none)
check "fio verify on all queues" run_fio after --ioengine=libaio --iodepth=16 --numjobs=4 \
	--bs=4k --rw=randwrite --size=16m --offset=256m --offset_increment=16m \
	--verify=crc32c --verify_fatal=1
check "unload" nvmev_unload
