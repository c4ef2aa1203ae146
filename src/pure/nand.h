/* SPDX-License-Identifier: GPL-2.0 */
/*
 * NAND flash array: geometry and timing, shared by the device kinds built
 * on flash (the conventional SSD's FTL in ssd_ftl.c, and later ZNS).
 *
 * Time is in nanoseconds on a clock the caller supplies; the model holds
 * no lock and the caller serialises calls on one struct nand_model.
 *
 * The array has nr_channels channels with luns_per_channel dies each.  Die
 * d sits on channel d % nr_channels, so consecutive die numbers alternate
 * channels first.  Every die has planes_per_lun planes that are always
 * programmed and erased together (multi-plane operations), so the unit of
 * timing is the die:
 *
 *  - read of a flash page on die d: the die senses the page (tR, which
 *    depends on the page type: LSB, CSB, MSB, TSB), then the channel moves
 *    the bytes asked for to the controller.
 *        sense = [max(now, die_free), +tR)
 *        xfer  = [max(sense end, chan_free), +bytes / channel_mbs)
 *    The die stays busy until its data has left (its page register is in
 *    use), so die_free = chan_free = xfer end, which is returned.
 *  - program of bytes on die d: the channel moves the data into the die,
 *    then the die programs it.
 *        xfer = [max(now, die_free, chan_free), +bytes / channel_mbs)
 *        prog = [xfer end, +tPROG)
 *    chan_free = xfer end, die_free = prog end, which is returned.
 *  - erase of a block (all planes) on die d:
 *        [max(now, die_free), +tBERS), die_free = its end, returned.
 *
 * The page type of flash page p in its block is p % cell_bits: MLC
 * alternates LSB and MSB pages, TLC cycles LSB, CSB, MSB.  A one-shot
 * program (oneshot_pages flash pages on each plane at once) takes one
 * tPROG.
 *
 * A resource is busy from one timestamp on: an operation never slots into
 * an earlier idle gap of a die or channel.  Callers issue operations in the
 * order they should be served.
 */
#ifndef NVMEV_PURE_NAND_H
#define NVMEV_PURE_NAND_H

#include "shim.h"

#define NAND_MAX_CHANNELS	32
#define NAND_MAX_DIES		512
#define NAND_MAX_CELL_BITS	4
#define NAND_MAX_LAT_NS		1000000000ULL	/* 1 s */
#define NAND_MAX_MBS		100000U

struct nand_params {
	u32 nr_channels;	/* channels, each a bus of its own */
	u32 luns_per_channel;	/* dies (LUNs) on each channel */
	u32 planes_per_lun;	/* planes of a die, programmed/erased together */
	u32 blocks_per_plane;	/* erase blocks in each plane */
	u32 pages_per_block;	/* flash pages in each block */
	u32 page_bytes;		/* flash page size, a multiple of 4 KiB */
	u32 oneshot_pages;	/* flash pages one program operation writes */
	u32 cell_bits;		/* bits per cell: 1 SLC, 2 MLC, 3 TLC, 4 QLC */
	u64 read_ns[NAND_MAX_CELL_BITS];	/* tR by page type, LSB first */
	u64 prog_ns;		/* tPROG of one (one-shot) program */
	u64 erase_ns;		/* tBERS of one block erase */
	u32 channel_mbs;	/* channel bandwidth, MB/s (10^6 B/s) */
};

struct nand_stats {
	u64 reads;		/* read operations (page senses) */
	u64 read_bytes;		/* bytes moved to the controller */
	u64 programs;		/* program operations */
	u64 program_bytes;	/* bytes programmed */
	u64 erases;		/* die erase operations (all planes) */
};

struct nand_model {
	struct nand_params p;		/* configuration in force */
	u32 nr_dies;			/* nr_channels * luns_per_channel */
	u64 die_free[NAND_MAX_DIES];	/* time each die ends its work */
	u64 chan_free[NAND_MAX_CHANNELS];	/* time each channel ends its transfer */
	struct nand_stats stats;
};

/*
 * Validates a configuration: every count >= 1, dies <= NAND_MAX_DIES,
 * channels <= NAND_MAX_CHANNELS, page_bytes a multiple of 4096 up to
 * 64 KiB, cell_bits 1..4, pages_per_block a multiple of both oneshot_pages
 * and cell_bits, latencies <= 1 s, channel_mbs 1..100000.  Returns 0, or
 * -EINVAL with *why set to a short static reason (why may be NULL).
 */
int nand_params_check(const struct nand_params *p, const char **why);

/* Copies a configuration (checked by the caller) and idles the array. */
void nand_init(struct nand_model *n, const struct nand_params *p);

/* Every die and channel idle (controller reset); counters are kept. */
void nand_reset_timing(struct nand_model *n);

/* Bytes one program of a die writes: planes * oneshot_pages * page_bytes. */
u32 nand_unit_bytes(const struct nand_params *p);

/* ceil(bytes * 1000 / mbs) ns; 0 when mbs or bytes is 0. */
u64 nand_xfer_ns(u64 bytes, u32 mbs);

/*
 * Reads bytes (<= one flash page per plane) of flash page page_in_block
 * on die, starting no earlier than now.  Returns when the data is at the
 * controller.
 */
u64 nand_read(struct nand_model *n, u32 die, u32 page_in_block, u32 bytes,
	      u64 now);

/* Programs bytes on die, no earlier than now.  Returns the program end. */
u64 nand_program(struct nand_model *n, u32 die, u32 bytes, u64 now);

/* Erases one block on every plane of die, no earlier than now. */
u64 nand_erase(struct nand_model *n, u32 die, u64 now);

/* The time at which every die and channel is idle. */
u64 nand_idle_at(const struct nand_model *n);

#endif /* NVMEV_PURE_NAND_H */
