/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Timing model of the NVM (Optane-like) device kind.
 *
 * Time is in nanoseconds on a clock that the caller supplies (a virtual
 * clock in the unit tests, ktime in the module).  The model holds no lock:
 * the caller serialises calls on one struct nvm_model.
 *
 * The device has nr_units media units that work in parallel and two data
 * channels, one per direction, that every unit shares.  A command that
 * arrives at now_ns is timed as follows:
 *
 *  - media part: read_lat_ns or write_lat_ns.  It runs on the unit that
 *    frees first (lowest index on a tie) and keeps that unit busy for the
 *    media part only.
 *  - transfer part: ceil(bytes * 1000 / bw_mbs) ns on the channel of its
 *    direction.  Transfers in one direction never overlap: a transfer
 *    starts no earlier than the end of the previous one in the same
 *    direction.  Bandwidth 0 means unlimited (the transfer takes 0 ns).
 *  - read:  media = [max(now, unit_free), +read_lat)
 *           xfer  = [max(media end, rd_chan_free), +xfer_ns)
 *           completion = xfer end
 *  - write: xfer  = [max(now, wr_chan_free), +xfer_ns)
 *           media = [max(xfer end, unit_free), +write_lat)
 *           completion = media end
 *    The host data of a write is taken in before the media part, without
 *    holding a unit, so the unit is busy for its media part only.
 *  - a part that lasts 0 ns neither waits for nor holds its resource.
 *    Thus bytes == 0 gives media latency only, and a configuration with
 *    zero latencies and unlimited bandwidth returns now_ns exactly.
 *
 * With an idle device (QD1) the completion is exactly
 * now_ns + latency + ceil(bytes * 1000 / bw_mbs).  The transfer time is
 * exact for any bytes below 2^54 and any bandwidth >= 1 MB/s.
 *
 * Flush and other commands without data or media work are not modelled
 * here: the caller decides how to complete them.
 */
#ifndef NVMEV_PURE_NVM_TIMING_H
#define NVMEV_PURE_NVM_TIMING_H

#include "shim.h"

#define NVM_MAX_UNITS		64
#define NVM_MAX_LAT_NS		10000000000ULL	/* 10 s */
#define NVM_MAX_BW_MBS		100000U

struct nvm_timing {
	u64 read_lat_ns;	/* media latency of one read command */
	u64 write_lat_ns;	/* media latency of one write command */
	u32 read_bw_mbs;	/* read transfer bandwidth, MB/s (10^6 B/s); 0 = unlimited */
	u32 write_bw_mbs;	/* write transfer bandwidth, MB/s; 0 = unlimited */
	u32 nr_units;		/* parallel media units, 1..NVM_MAX_UNITS */
};

struct nvm_model {
	struct nvm_timing t;		/* configuration in force */
	u64 unit_free[NVM_MAX_UNITS];	/* time each unit ends its media work */
	u64 rd_chan_free;		/* time the read channel ends its transfer */
	u64 wr_chan_free;		/* time the write channel ends its transfer */
};

/*
 * Validates a configuration: latencies <= NVM_MAX_LAT_NS, bandwidths
 * <= NVM_MAX_BW_MBS, nr_units in 1..NVM_MAX_UNITS.  Returns 0, or -EINVAL
 * with *why set to a short static reason (why may be NULL).
 */
int nvm_timing_check(const struct nvm_timing *t, const char **why);

/*
 * Copies the configuration and marks every unit and channel idle.  The
 * caller validates t with nvm_timing_check() first; an out-of-range
 * nr_units is clamped to 1..NVM_MAX_UNITS so that no call can index out
 * of bounds.
 */
void nvm_model_init(struct nvm_model *m, const struct nvm_timing *t);

/* Returns the completion time (ns) of a command arriving at now_ns. */
u64 nvm_model_submit(struct nvm_model *m, u64 now_ns, bool write, u64 bytes);

/* Forgets queued work (controller reset): every unit and channel idle. */
void nvm_model_reset(struct nvm_model *m);

#endif /* NVMEV_PURE_NVM_TIMING_H */
