/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A set of LBA ranges, kept as a sorted array of disjoint ranges.
 *
 * Used for the LBAs marked by Write Uncorrectable (reads of them fail
 * until they are written again) and for injected media errors.
 *
 *  - The caller owns the storage: a fixed array of struct lba_range handed
 *    in by lba_ranges_init() or lba_ranges_move().  Nothing is allocated.
 *  - Entries r[0..nr) are sorted by start, have len > 0, and neither
 *    overlap nor touch: r[i].start + r[i].len < r[i + 1].start.  Added
 *    ranges are merged with the ones they overlap or touch.
 *  - A range [start, start + len) must not wrap: start + len <= U64_MAX,
 *    so LBA U64_MAX itself is never in the set.  add and remove reject a
 *    wrapping range with -EINVAL; overlaps treats it as ending at U64_MAX.
 *  - One add or remove needs at most one free slot (an add of a range
 *    that touches nothing, a remove that splits a range in two); when it
 *    needs one and none is free it returns -ENOSPC and changes nothing.
 *    lba_ranges_has_room() tells whether that slot is there, so a caller
 *    can grow the buffer (lba_ranges_move()) before it calls them.
 *  - Lookups (overlaps, next) are binary searches, O(1) on an empty set;
 *    add and remove search too, then move the tail of the array.
 *
 * No locking: the caller serializes access.
 */
#ifndef NVMEV_PURE_LBA_RANGES_H
#define NVMEV_PURE_LBA_RANGES_H

#include "shim.h"

struct lba_range {
	u64 start;
	u64 len;		/* > 0 */
};

struct lba_ranges {
	struct lba_range *r;	/* caller's buffer, max entries */
	u32 nr;			/* entries in use */
	u32 max;		/* capacity of r */
};

/* Starts an empty set in buf, which holds max entries (max may be 0). */
void lba_ranges_init(struct lba_ranges *s, struct lba_range *buf, u32 max);

/*
 * True if the next add or remove is sure to find the slot it may need
 * (nr + 1 <= max).
 */
bool lba_ranges_has_room(const struct lba_ranges *s);

/*
 * Moves the set into buf, which holds new_max entries: the entries are
 * copied and the old buffer is no longer used.  new_max must be at least
 * nr.  buf may overlap the old buffer.
 */
void lba_ranges_move(struct lba_ranges *s, struct lba_range *buf,
		     u32 new_max);

/*
 * Adds [start, start + len), merged with the ranges it overlaps or
 * touches.  Returns 0; -EINVAL (unchanged) if the range wraps past
 * U64_MAX; -ENOSPC (unchanged) if a slot is needed and none is free.
 * len 0 does nothing and returns 0.
 */
int lba_ranges_add(struct lba_ranges *s, u64 start, u64 len);

/*
 * Removes [start, start + len): ranges inside it are deleted, ranges
 * across its ends are trimmed, a range across both ends is split.
 * Returns 0; -EINVAL (unchanged) if the range wraps past U64_MAX;
 * -ENOSPC (unchanged) if a split needs a slot and none is free.  len 0
 * does nothing and returns 0.
 */
int lba_ranges_remove(struct lba_ranges *s, u64 start, u64 len);

/* True if any LBA of [start, start + len) is in the set (false if len 0). */
bool lba_ranges_overlaps(const struct lba_ranges *s, u64 start, u64 len);

/*
 * Finds the first range with LBAs at or after from, clipped to begin at
 * from: returns true and sets *start and *len, or returns false (and
 * leaves them alone) if there is none.
 */
bool lba_ranges_next(const struct lba_ranges *s, u64 from, u64 *start,
		     u64 *len);

/* Number of LBAs in the set. */
u64 lba_ranges_count(const struct lba_ranges *s);

#endif /* NVMEV_PURE_LBA_RANGES_H */
