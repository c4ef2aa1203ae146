/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Transfer time of data over a link of a given bandwidth, shared by the
 * timing models (nvm_timing.c, nand.c).
 */
#ifndef NVMEV_PURE_XFER_NS_H
#define NVMEV_PURE_XFER_NS_H

#include "shim.h"

/*
 * ceil(bytes * 1000 / mbs) ns at mbs MB/s (10^6 B/s); 0 when bytes or mbs
 * is 0.  Split into quotient and remainder so that the product cannot
 * overflow for any bytes below 2^54.
 */
static inline u64 pure_xfer_ns(u64 bytes, u32 mbs)
{
	u64 q;
	u32 rem;

	if (!mbs || !bytes)
		return 0;
	q = div_u64_rem(bytes, mbs, &rem);
	return q * 1000 + div_u64((u64)rem * 1000 + mbs - 1, mbs);
}

#endif /* NVMEV_PURE_XFER_NS_H */
