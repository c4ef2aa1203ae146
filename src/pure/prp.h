/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Walker for the PRP data pointer (PRP1, PRP2) of an NVMe command, admin or
 * I/O, as the NVMe base specification defines it.
 *
 * The transfer is cut into pieces of host memory, handed in order to an
 * emit callback:
 *
 *  - PRP1 may point anywhere in a memory page as long as bits 1:0 are zero.
 *    The first piece is min(len, page_size - offset) bytes at PRP1.
 *  - If the rest fits in one page, PRP2 is the address of that page and
 *    must have a zero offset.
 *  - If more than one page remains, PRP2 points to a PRP list and may have
 *    an offset (bits 1:0 zero).  Each list entry is a little-endian u64
 *    page address with a zero offset.  When more entries are needed than
 *    the current list page holds from the current slot to its end, the
 *    last slot of that page points to the next list page (zero offset);
 *    when the last slot is exactly the last entry needed, it is data.
 *  - Every page is page_size bytes, except the last, which gets the rest.
 *  - PRP2 is ignored when PRP1 covers len.  len == 0 emits nothing and
 *    returns PRP_OK without looking at PRP1 or PRP2.
 *  - Zero addresses are not rejected: an address is an address.
 *
 * Merging: pieces that are physically contiguous (the next one starts
 * where the previous one ends) are merged into one emit, so one emit may
 * span many pages.  A merged piece never exceeds U32_MAX bytes and never
 * wraps past the top of the address space.
 *
 * List pages are read through rd in batches of up to PRP_LIST_BATCH
 * entries; one rd call never crosses a memory page boundary and its
 * length is a multiple of 8.  The batch is bounded so that the walker's
 * stack frame stays small in the kernel.
 *
 * Errors: PRP1, PRP2 and len are checked before anything is emitted.  A
 * bad list entry, a failed rd or a failed emit stops the walk; the pieces
 * already emitted stay emitted and the caller fails the command.  Mapping
 * to NVMe status: PRP_BAD_OFFSET -> PRP Offset Invalid, PRP_XFER_ERROR ->
 * Data Transfer Error, PRP_TOO_LONG -> Invalid Field in Command;
 * PRP_BAD_ARGS is a caller bug (Internal Error).
 */
#ifndef NVMEV_PURE_PRP_H
#define NVMEV_PURE_PRP_H

#include "shim.h"

#define PRP_LIST_BATCH		64	/* list entries per rd call, at most */
#define PRP_MIN_PAGE_SIZE	4096U
#define PRP_MAX_PAGE_SIZE	0x80000000U

/*
 * Reads `len` bytes of host memory at physical address `addr` into buf
 * (used for PRP list pages).  Returns 0 or a negative errno.
 */
typedef int (*prp_read_t)(void *ctx, u64 addr, void *buf, u32 len);

/*
 * Called once per contiguous piece, in order.  Returns 0 to continue or a
 * negative errno to stop.
 */
typedef int (*prp_emit_t)(void *ctx, u64 addr, u32 len);

enum prp_status {
	PRP_OK = 0,
	PRP_BAD_OFFSET,		/* misaligned PRP1/PRP2 or non-zero entry offset */
	PRP_XFER_ERROR,		/* rd or emit failed */
	PRP_TOO_LONG,		/* len above max_len */
	PRP_BAD_ARGS,		/* page_size not a power of two in range */
};

/*
 * Walks the data pointer of a command that transfers len bytes.
 * page_size is the controller memory page size (CC.MPS, 4096 normally): a
 * power of two from PRP_MIN_PAGE_SIZE to PRP_MAX_PAGE_SIZE.  max_len caps
 * len (MDTS); 0 means no cap.
 */
enum prp_status prp_walk(u64 prp1, u64 prp2, u64 len, u32 page_size,
			 u64 max_len, prp_read_t rd, void *rctx,
			 prp_emit_t emit, void *ectx);

#endif /* NVMEV_PURE_PRP_H */
