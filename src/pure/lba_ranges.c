// SPDX-License-Identifier: GPL-2.0
/*
 * A set of LBA ranges in a caller-owned sorted array; see lba_ranges.h.
 */
#include "lba_ranges.h"

static inline u64 lr_end(const struct lba_range *r)
{
	return r->start + r->len;
}

/*
 * Index of the first entry that ends above x, that is the first one with
 * LBAs at or after x (nr if none).  Ends increase with the index.
 */
static u32 lr_first_end_above(const struct lba_ranges *s, u64 x)
{
	u32 lo = 0, hi = s->nr;

	while (lo < hi) {
		u32 mid = lo + (hi - lo) / 2;

		if (lr_end(&s->r[mid]) > x)
			hi = mid;
		else
			lo = mid + 1;
	}
	return lo;
}

/* Index of the first entry, from lo on, that starts at or above x. */
static u32 lr_first_start_from(const struct lba_ranges *s, u32 lo, u64 x)
{
	u32 hi = s->nr;

	while (lo < hi) {
		u32 mid = lo + (hi - lo) / 2;

		if (s->r[mid].start >= x)
			hi = mid;
		else
			lo = mid + 1;
	}
	return lo;
}

/*
 * Replaces entries [i, j) with n entries left for the caller to fill in
 * at r[i..i + n): the entries from j on are moved to i + n.  The caller
 * has checked that the result fits in max.
 */
static void lr_splice(struct lba_ranges *s, u32 i, u32 j, u32 n)
{
	if (j < s->nr && i + n != j)
		memmove(&s->r[i + n], &s->r[j],
			(size_t)(s->nr - j) * sizeof(s->r[0]));
	s->nr = s->nr - (j - i) + n;
}

void lba_ranges_init(struct lba_ranges *s, struct lba_range *buf, u32 max)
{
	s->r = buf;
	s->nr = 0;
	s->max = max;
}

bool lba_ranges_has_room(const struct lba_ranges *s)
{
	return s->nr < s->max;
}

void lba_ranges_move(struct lba_ranges *s, struct lba_range *buf,
		     u32 new_max)
{
	if (s->nr && buf != s->r)
		memmove(buf, s->r, (size_t)s->nr * sizeof(s->r[0]));
	s->r = buf;
	s->max = new_max;
}

int lba_ranges_add(struct lba_ranges *s, u64 start, u64 len)
{
	u64 end = start + len;
	u64 new_start, new_end;
	u32 i, j;

	if (!len)
		return 0;
	if (end < start)
		return -EINVAL;

	/* [i, j): the entries that overlap or touch [start, end). */
	i = start ? lr_first_end_above(s, start - 1) : 0;
	j = end < U64_MAX ? lr_first_start_from(s, i, end + 1) : s->nr;

	if (i == j) {
		if (!lba_ranges_has_room(s))
			return -ENOSPC;
		lr_splice(s, i, j, 1);
		s->r[i].start = start;
		s->r[i].len = len;
		return 0;
	}

	new_start = min_t(u64, start, s->r[i].start);
	new_end = max_t(u64, end, lr_end(&s->r[j - 1]));
	lr_splice(s, i, j, 1);
	s->r[i].start = new_start;
	s->r[i].len = new_end - new_start;
	return 0;
}

int lba_ranges_remove(struct lba_ranges *s, u64 start, u64 len)
{
	u64 end = start + len;
	u64 head_start, tail_end;
	bool head, tail;
	u32 i, j, n;

	if (!len)
		return 0;
	if (end < start)
		return -EINVAL;

	/* [i, j): the entries that share LBAs with [start, end). */
	i = lr_first_end_above(s, start);
	j = lr_first_start_from(s, i, end);
	if (i == j)
		return 0;

	head_start = s->r[i].start;
	tail_end = lr_end(&s->r[j - 1]);
	head = head_start < start;
	tail = tail_end > end;
	n = head + tail;
	if (n > j - i && !lba_ranges_has_room(s))
		return -ENOSPC;

	lr_splice(s, i, j, n);
	if (head) {
		s->r[i].start = head_start;
		s->r[i].len = start - head_start;
		i++;
	}
	if (tail) {
		s->r[i].start = end;
		s->r[i].len = tail_end - end;
	}
	return 0;
}

bool lba_ranges_overlaps(const struct lba_ranges *s, u64 start, u64 len)
{
	u64 end = start + len;
	u32 i;

	if (!s->nr || !len)
		return false;
	/* LBA U64_MAX is never in the set: a wrapping range may stop there. */
	if (end < start)
		end = U64_MAX;

	i = lr_first_end_above(s, start);
	return i < s->nr && s->r[i].start < end;
}

bool lba_ranges_next(const struct lba_ranges *s, u64 from, u64 *start,
		     u64 *len)
{
	const struct lba_range *r;
	u64 st;
	u32 i;

	if (!s->nr)
		return false;
	i = lr_first_end_above(s, from);
	if (i == s->nr)
		return false;

	r = &s->r[i];
	st = max_t(u64, r->start, from);
	*start = st;
	*len = lr_end(r) - st;
	return true;
}

u64 lba_ranges_count(const struct lba_ranges *s)
{
	u64 total = 0;
	u32 i;

	for (i = 0; i < s->nr; i++)
		total += s->r[i].len;
	return total;
}
