/* SPDX-License-Identifier: GPL-2.0 */
/*
 * nvmev: what fault injection does to one command of a namespace, on a
 * clock the caller gives (ns).  No kernel calls.
 *
 *  - Media errors: LBA ranges where reads fail with Unrecovered Read
 *    Error, and ranges where writes fail with Write Fault.  Ranges are
 *    added and removed at any time.
 *  - Random errors: per command kind (read, write, flush, other), a
 *    probability in parts per million; the kind's status is answered.
 *  - Latency spikes: with a probability, a fixed extra delay.
 *  - Periodic stalls: every stall_period_ns, counted from the clock's
 *    zero, for stall_ns; a command that arrives in a stall waits for its
 *    end (a firmware hiccup).
 *  - Lost completions: with a probability, the command never completes.
 *
 * One generator per namespace (xorshift64*), seeded by the settings: the
 * same settings, seed and order of commands give the same faults.  Each
 * probability that is not 0 takes one draw per command it applies to, in
 * the order above.
 *
 * No locking: the caller serializes access.
 */
#ifndef NVMEV_PURE_FAULT_H
#define NVMEV_PURE_FAULT_H

#include "shim.h"
#include "lba_ranges.h"

/* NVMe statuses (SCT << 8 | SC), as the kernel's NVME_SC_* encode them. */
#define FAULT_SC_INTERNAL	0x0006	/* Internal Error */
#define FAULT_SC_WRITE_FAULT	0x0280	/* Media: Write Fault */
#define FAULT_SC_READ_ERROR	0x0281	/* Media: Unrecovered Read Error */

#define FAULT_PPM		1000000U
#define FAULT_MAX_RANGES	256	/* media error ranges per direction */

enum fault_op {
	FAULT_READ,
	FAULT_WRITE,
	FAULT_FLUSH,
	FAULT_OTHER,
	FAULT_NR_OPS,
};

/* The settings, as fault_parse() takes them from "key=value,...". */
struct fault_cfg {
	u64 seed;			/* seed= */
	u32 err_ppm[FAULT_NR_OPS];	/* read_ppm= write_ppm= flush_ppm= other_ppm= */
	u32 spike_ppm;			/* spike_ppm= */
	u64 spike_ns;			/* spike_us= */
	u64 stall_period_ns;		/* stall_period_ms=, 0: none */
	u64 stall_ns;			/* stall_ms=, less than the period */
	u32 lost_ppm;			/* lost_ppm= */
};

struct fault_stats {
	u64 media[FAULT_NR_OPS];	/* commands failed by a media range */
	u64 random[FAULT_NR_OPS];	/* commands failed at random */
	u64 spikes;
	u64 stalled;			/* commands that waited for a stall */
	u64 lost;
};

struct fault {
	struct fault_cfg cfg;
	u64 rng;			/* generator state, never 0 */
	struct lba_ranges bad[2];	/* [FAULT_READ], [FAULT_WRITE] */
	struct lba_range buf[2][FAULT_MAX_RANGES];
	struct fault_stats st;
	u64 nr_lbas;			/* ranges must end by here; 0: no limit */
};

/* What happens to one command. */
struct fault_verdict {
	u16 status;			/* 0: none; else the status to answer */
	bool media;			/* status from a media range: lasting */
	bool lost;			/* never complete it */
	u64 delay_ns;			/* extra time before its completion */
};

/* No faults, no ranges. */
void fault_init(struct fault *f);

/*
 * Replace the settings with "key=value,..." (keys above; an empty string
 * turns them all off) and reseed.  The media ranges stay.  Returns 0, or
 * -EINVAL with *why saying what is wrong (settings unchanged).
 */
int fault_parse(struct fault *f, const char *s, const char **why);

/* Parse settings into @c only (a check; nothing else changes). */
int fault_cfg_parse(struct fault_cfg *c, const char *s, const char **why);

/*
 * Change the media ranges of @op (FAULT_READ or FAULT_WRITE) by one
 * command: "+START-END" or "+LBA" adds, "-START-END" or "-LBA" removes
 * (END inclusive), "clear" empties them.  An added range must end by
 * f->nr_lbas, if that is set.  Returns 0, or -EINVAL or
 * -ENOSPC (FAULT_MAX_RANGES reached) with *why; unchanged then.
 */
int fault_range_cmd(struct fault *f, enum fault_op op, const char *s,
		    const char **why);

/* Decide for a command of kind @op on [slba, slba + nlb), arriving at @now. */
void fault_decide(struct fault *f, enum fault_op op, u64 slba, u64 nlb,
		  u64 now, struct fault_verdict *v);

/* True if any fault can happen (a fast path may skip fault_decide()). */
bool fault_active(const struct fault *f);

#endif
