// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of the LBA range set (src/pure/lba_ranges.c).
 *
 * Fixed cases first, then a long random run checked against a bitmap of
 * a small LBA space after every operation.
 */
#include "lba_ranges.h"
#include "test.h"

#define R(s, l)		{ .start = (s), .len = (l) }

static void print_set(const struct lba_ranges *s)
{
	u32 i;

	printf("    set (nr %u, max %u):", s->nr, s->max);
	for (i = 0; i < s->nr && i < 16; i++)
		printf(" [%llu,+%llu)", (unsigned long long)s->r[i].start,
		       (unsigned long long)s->r[i].len);
	printf("%s\n", i < s->nr ? " ..." : "");
}

/* Sorted, len > 0, no overlap, no contact, no wrap, nr <= max. */
static bool set_ok(const struct lba_ranges *s)
{
	u32 i;

	if (s->nr > s->max)
		return false;
	for (i = 0; i < s->nr; i++) {
		const struct lba_range *r = &s->r[i];

		if (!r->len || r->start + r->len < r->start)
			return false;
		if (i + 1 < s->nr && r->start + r->len >= s->r[i + 1].start)
			return false;
	}
	return true;
}

static void check_set(const char *file, int line, const struct lba_ranges *s,
		      const struct lba_range *want, u32 n)
{
	bool same = s->nr == n;
	u32 i;

	for (i = 0; same && i < n; i++)
		same = s->r[i].start == want[i].start &&
		       s->r[i].len == want[i].len;
	if (!same) {
		test_report(file, line, "set differs from the expected one");
		print_set(s);
	}
	if (!set_ok(s)) {
		test_report(file, line, "set breaks its invariants");
		print_set(s);
	}
}

/* CHECK_SET(&s, R(start, len), ...): the set is exactly these ranges. */
#define CHECK_SET(s, ...) do {						\
	const struct lba_range __want[] = { __VA_ARGS__ };		\
	check_set(__FILE__, __LINE__, (s), __want, ARRAY_SIZE(__want));	\
} while (0)

#define CHECK_EMPTY(s) do {						\
	CHECK_EQ((s)->nr, 0);						\
	CHECK_EQ(lba_ranges_count(s), 0);				\
} while (0)

/* Builds a set in buf from n ranges, added in the order given. */
static void set_build(struct lba_ranges *s, struct lba_range *buf, u32 max,
		      const struct lba_range *add, u32 n)
{
	u32 i;

	lba_ranges_init(s, buf, max);
	for (i = 0; i < n; i++)
		CHECK_EQ(lba_ranges_add(s, add[i].start, add[i].len), 0);
}

#define SET_BUILD(s, buf, ...) do {					\
	const struct lba_range __add[] = { __VA_ARGS__ };		\
	set_build((s), (buf), ARRAY_SIZE(buf), __add, ARRAY_SIZE(__add)); \
} while (0)

static void init_empty(void)
{
	struct lba_range buf[2];
	struct lba_ranges s;
	u64 st = 7, len = 9;

	lba_ranges_init(&s, buf, ARRAY_SIZE(buf));
	CHECK_EMPTY(&s);
	CHECK(s.r == buf);
	CHECK_EQ(s.max, 2);
	CHECK(lba_ranges_has_room(&s));
	CHECK(!lba_ranges_overlaps(&s, 0, U64_MAX));
	CHECK(!lba_ranges_next(&s, 0, &st, &len));
	CHECK_EQ(st, 7);
	CHECK_EQ(len, 9);
	CHECK_EQ(lba_ranges_remove(&s, 0, U64_MAX), 0);
	CHECK_EMPTY(&s);

	/* A set without storage: always empty, never any room. */
	lba_ranges_init(&s, NULL, 0);
	CHECK(!lba_ranges_has_room(&s));
	CHECK_EQ(lba_ranges_add(&s, 5, 1), -ENOSPC);
	CHECK_EQ(lba_ranges_remove(&s, 0, 100), 0);
	CHECK_EQ(lba_ranges_add(&s, 5, 0), 0);
	CHECK(!lba_ranges_overlaps(&s, 5, 1));
	CHECK(!lba_ranges_next(&s, 0, &st, &len));
	CHECK_EMPTY(&s);
}

static void add_disjoint_sorted(void)
{
	struct lba_range buf[8];
	struct lba_ranges s;

	SET_BUILD(&s, buf, R(50, 5), R(10, 5), R(100, 1), R(0, 2), R(30, 10));
	CHECK_SET(&s, R(0, 2), R(10, 5), R(30, 10), R(50, 5), R(100, 1));
	CHECK_EQ(lba_ranges_count(&s), 23);
}

static void add_merge_overlap(void)
{
	struct lba_range buf[4];
	struct lba_ranges s;

	SET_BUILD(&s, buf, R(10, 10));
	/* Overlapping the head. */
	CHECK_EQ(lba_ranges_add(&s, 5, 7), 0);
	CHECK_SET(&s, R(5, 15));
	/* Overlapping the tail. */
	CHECK_EQ(lba_ranges_add(&s, 18, 7), 0);
	CHECK_SET(&s, R(5, 20));
	/* Inside: nothing changes. */
	CHECK_EQ(lba_ranges_add(&s, 6, 3), 0);
	CHECK_EQ(lba_ranges_add(&s, 5, 20), 0);
	CHECK_SET(&s, R(5, 20));
	/* Covering it on both sides. */
	CHECK_EQ(lba_ranges_add(&s, 0, 40), 0);
	CHECK_SET(&s, R(0, 40));
}

static void add_merge_adjacent(void)
{
	struct lba_range buf[4];
	struct lba_ranges s;

	SET_BUILD(&s, buf, R(10, 10));
	/* Touching the end: [10, 20) + [20, 30). */
	CHECK_EQ(lba_ranges_add(&s, 20, 10), 0);
	CHECK_SET(&s, R(10, 20));
	/* Touching the start: [5, 10) + [10, 30). */
	CHECK_EQ(lba_ranges_add(&s, 5, 5), 0);
	CHECK_SET(&s, R(5, 25));
	/* One LBA short of touching on either side: separate. */
	CHECK_EQ(lba_ranges_add(&s, 0, 4), 0);
	CHECK_EQ(lba_ranges_add(&s, 31, 2), 0);
	CHECK_SET(&s, R(0, 4), R(5, 25), R(31, 2));
	/* Filling a one-LBA gap joins both neighbours. */
	CHECK_EQ(lba_ranges_add(&s, 4, 1), 0);
	CHECK_SET(&s, R(0, 30), R(31, 2));
	CHECK_EQ(lba_ranges_add(&s, 30, 1), 0);
	CHECK_SET(&s, R(0, 33));
	/* Merging at LBA 0. */
	lba_ranges_init(&s, buf, ARRAY_SIZE(buf));
	CHECK_EQ(lba_ranges_add(&s, 1, 1), 0);
	CHECK_EQ(lba_ranges_add(&s, 0, 1), 0);
	CHECK_SET(&s, R(0, 2));
}

static void add_spanning_several(void)
{
	struct lba_range buf[8];
	struct lba_ranges s;

	SET_BUILD(&s, buf, R(10, 10), R(30, 10), R(50, 10), R(70, 10),
		  R(90, 10));
	/* From inside the first to inside the third. */
	CHECK_EQ(lba_ranges_add(&s, 15, 40), 0);
	CHECK_SET(&s, R(10, 50), R(70, 10), R(90, 10));
	/* From a gap to exactly touching the next one after two. */
	SET_BUILD(&s, buf, R(10, 10), R(30, 10), R(50, 10), R(70, 10),
		  R(90, 10));
	CHECK_EQ(lba_ranges_add(&s, 25, 25), 0);
	CHECK_SET(&s, R(10, 10), R(25, 35), R(70, 10), R(90, 10));
	/* Touching the end of one and the start of another. */
	CHECK_EQ(lba_ranges_add(&s, 20, 5), 0);
	CHECK_SET(&s, R(10, 50), R(70, 10), R(90, 10));
	CHECK_EQ(lba_ranges_add(&s, 60, 10), 0);
	CHECK_SET(&s, R(10, 70), R(90, 10));
	/* Over everything. */
	CHECK_EQ(lba_ranges_add(&s, 0, 1000), 0);
	CHECK_SET(&s, R(0, 1000));
	CHECK_EQ(lba_ranges_count(&s), 1000);
}

static void add_len_zero(void)
{
	struct lba_range buf[1];
	struct lba_ranges s;

	SET_BUILD(&s, buf, R(10, 10));
	/* A no-op even with the buffer full and at the top of the space. */
	CHECK_EQ(lba_ranges_add(&s, 100, 0), 0);
	CHECK_EQ(lba_ranges_add(&s, U64_MAX, 0), 0);
	CHECK_EQ(lba_ranges_remove(&s, 15, 0), 0);
	CHECK_EQ(lba_ranges_remove(&s, U64_MAX, 0), 0);
	CHECK_SET(&s, R(10, 10));
	CHECK(!lba_ranges_overlaps(&s, 15, 0));
}

static void remove_trim(void)
{
	struct lba_range buf[4];
	struct lba_ranges s;

	SET_BUILD(&s, buf, R(10, 10), R(40, 10));
	/* Head, from before the range. */
	CHECK_EQ(lba_ranges_remove(&s, 5, 8), 0);
	CHECK_SET(&s, R(13, 7), R(40, 10));
	/* Head, from exactly its start. */
	CHECK_EQ(lba_ranges_remove(&s, 13, 2), 0);
	CHECK_SET(&s, R(15, 5), R(40, 10));
	/* Tail, past its end. */
	CHECK_EQ(lba_ranges_remove(&s, 45, 100), 0);
	CHECK_SET(&s, R(15, 5), R(40, 5));
	/* Tail, to exactly its end. */
	CHECK_EQ(lba_ranges_remove(&s, 18, 2), 0);
	CHECK_SET(&s, R(15, 3), R(40, 5));
	/* Nothing there: gaps, just touching. */
	CHECK_EQ(lba_ranges_remove(&s, 0, 15), 0);
	CHECK_EQ(lba_ranges_remove(&s, 18, 22), 0);
	CHECK_EQ(lba_ranges_remove(&s, 45, 1000), 0);
	CHECK_SET(&s, R(15, 3), R(40, 5));
	/* Exactly one range; then a bigger one around the other. */
	CHECK_EQ(lba_ranges_remove(&s, 15, 3), 0);
	CHECK_SET(&s, R(40, 5));
	CHECK_EQ(lba_ranges_remove(&s, 0, 100), 0);
	CHECK_EMPTY(&s);
}

static void remove_split(void)
{
	struct lba_range buf[4];
	struct lba_ranges s;

	SET_BUILD(&s, buf, R(10, 20), R(100, 10));
	CHECK_EQ(lba_ranges_remove(&s, 15, 5), 0);
	CHECK_SET(&s, R(10, 5), R(20, 10), R(100, 10));
	/* One LBA out of the middle, splitting the last range. */
	CHECK_EQ(lba_ranges_remove(&s, 105, 1), 0);
	CHECK_SET(&s, R(10, 5), R(20, 10), R(100, 5), R(106, 4));
	CHECK_EQ(lba_ranges_count(&s), 24);
	/* Adding the hole back merges again. */
	CHECK_EQ(lba_ranges_add(&s, 105, 1), 0);
	CHECK_EQ(lba_ranges_add(&s, 15, 5), 0);
	CHECK_SET(&s, R(10, 20), R(100, 10));
}

static void remove_spanning_several(void)
{
	struct lba_range buf[8];
	struct lba_ranges s;

	SET_BUILD(&s, buf, R(10, 10), R(30, 10), R(50, 10), R(70, 10),
		  R(90, 10));
	/* Trims the first and the last it touches, deletes the rest. */
	CHECK_EQ(lba_ranges_remove(&s, 15, 60), 0);
	CHECK_SET(&s, R(10, 5), R(75, 5), R(90, 10));
	/* Deletes whole ranges from gap to gap. */
	SET_BUILD(&s, buf, R(10, 10), R(30, 10), R(50, 10), R(70, 10),
		  R(90, 10));
	CHECK_EQ(lba_ranges_remove(&s, 25, 40), 0);
	CHECK_SET(&s, R(10, 10), R(70, 10), R(90, 10));
	/* Exactly from the start of one to the end of another. */
	CHECK_EQ(lba_ranges_remove(&s, 10, 70), 0);
	CHECK_SET(&s, R(90, 10));
}

static void add_enospc_unchanged(void)
{
	struct lba_range buf[3];
	struct lba_ranges s;

	SET_BUILD(&s, buf, R(10, 10), R(30, 10), R(50, 10));
	CHECK(!lba_ranges_has_room(&s));
	/* New disjoint ranges need a slot: before, between, after. */
	CHECK_EQ(lba_ranges_add(&s, 0, 5), -ENOSPC);
	CHECK_EQ(lba_ranges_add(&s, 22, 5), -ENOSPC);
	CHECK_EQ(lba_ranges_add(&s, 100, 5), -ENOSPC);
	CHECK_SET(&s, R(10, 10), R(30, 10), R(50, 10));
	/* Merges need none, even with the buffer full. */
	CHECK_EQ(lba_ranges_add(&s, 5, 5), 0);
	CHECK_EQ(lba_ranges_add(&s, 60, 5), 0);
	CHECK_SET(&s, R(5, 15), R(30, 10), R(50, 15));
	CHECK_EQ(lba_ranges_add(&s, 20, 10), 0);
	CHECK_SET(&s, R(5, 35), R(50, 15));
	CHECK(lba_ranges_has_room(&s));
	CHECK_EQ(lba_ranges_add(&s, 100, 5), 0);
	CHECK_SET(&s, R(5, 35), R(50, 15), R(100, 5));
	CHECK_EQ(lba_ranges_add(&s, 0, 1), -ENOSPC);
	CHECK_SET(&s, R(5, 35), R(50, 15), R(100, 5));
}

static void remove_enospc_unchanged(void)
{
	struct lba_range buf[2];
	struct lba_ranges s;

	SET_BUILD(&s, buf, R(10, 10), R(30, 10));
	CHECK(!lba_ranges_has_room(&s));
	CHECK_EQ(lba_ranges_remove(&s, 12, 2), -ENOSPC);
	CHECK_EQ(lba_ranges_remove(&s, 31, 8), -ENOSPC);
	CHECK_SET(&s, R(10, 10), R(30, 10));
	/* Trims and spans that end up with no more entries are fine. */
	CHECK_EQ(lba_ranges_remove(&s, 15, 20), 0);
	CHECK_SET(&s, R(10, 5), R(35, 5));
	CHECK_EQ(lba_ranges_remove(&s, 10, 1), 0);
	CHECK_EQ(lba_ranges_remove(&s, 39, 1), 0);
	CHECK_SET(&s, R(11, 4), R(35, 4));
	CHECK_EQ(lba_ranges_remove(&s, 12, 1), -ENOSPC);
	CHECK_SET(&s, R(11, 4), R(35, 4));
	/* Once a slot is free, the split goes through. */
	CHECK_EQ(lba_ranges_remove(&s, 35, 4), 0);
	CHECK_EQ(lba_ranges_remove(&s, 12, 1), 0);
	CHECK_SET(&s, R(11, 1), R(13, 2));
}

static void move_larger(void)
{
	struct lba_range small[2], big[8];
	struct lba_ranges s;
	u64 st, len;

	SET_BUILD(&s, small, R(10, 10), R(30, 10));
	CHECK_EQ(lba_ranges_add(&s, 50, 10), -ENOSPC);
	CHECK_EQ(lba_ranges_remove(&s, 12, 2), -ENOSPC);

	lba_ranges_move(&s, big, ARRAY_SIZE(big));
	CHECK(s.r == big);
	CHECK_EQ(s.max, 8);
	CHECK_SET(&s, R(10, 10), R(30, 10));
	CHECK(lba_ranges_has_room(&s));
	CHECK_EQ(lba_ranges_add(&s, 50, 10), 0);
	CHECK_EQ(lba_ranges_remove(&s, 12, 2), 0);
	CHECK_SET(&s, R(10, 2), R(14, 6), R(30, 10), R(50, 10));
	CHECK(lba_ranges_overlaps(&s, 55, 1));
	CHECK(lba_ranges_next(&s, 40, &st, &len));
	CHECK_EQ(st, 50);
	CHECK_EQ(len, 10);
	/* The old buffer is left alone. */
	CHECK_EQ(small[0].start, 10);
	CHECK_EQ(small[0].len, 10);
	CHECK_EQ(small[1].start, 30);
	CHECK_EQ(small[1].len, 10);

	/* Moving an empty set, and within the same buffer. */
	lba_ranges_init(&s, small, 0);
	lba_ranges_move(&s, big, ARRAY_SIZE(big));
	CHECK_EMPTY(&s);
	CHECK_EQ(lba_ranges_add(&s, 1, 1), 0);
	lba_ranges_move(&s, big, 1);
	CHECK_SET(&s, R(1, 1));
	CHECK(!lba_ranges_has_room(&s));
}

static void overlaps_edges(void)
{
	struct lba_range buf[4];
	struct lba_ranges s;

	SET_BUILD(&s, buf, R(10, 10), R(30, 10));
	/* Boundaries of [10, 20). */
	CHECK(!lba_ranges_overlaps(&s, 9, 1));
	CHECK(lba_ranges_overlaps(&s, 9, 2));
	CHECK(lba_ranges_overlaps(&s, 10, 1));
	CHECK(lba_ranges_overlaps(&s, 19, 1));
	CHECK(!lba_ranges_overlaps(&s, 20, 1));
	CHECK(!lba_ranges_overlaps(&s, 0, 10));
	/* The gap, exactly, and one more on either side. */
	CHECK(!lba_ranges_overlaps(&s, 20, 10));
	CHECK(lba_ranges_overlaps(&s, 19, 11));
	CHECK(lba_ranges_overlaps(&s, 20, 11));
	/* Inside, around, past the end. */
	CHECK(lba_ranges_overlaps(&s, 12, 3));
	CHECK(lba_ranges_overlaps(&s, 0, 100));
	CHECK(lba_ranges_overlaps(&s, 39, 100));
	CHECK(!lba_ranges_overlaps(&s, 40, 100));
	CHECK(!lba_ranges_overlaps(&s, 1000, 1));
	/* len 0 covers nothing. */
	CHECK(!lba_ranges_overlaps(&s, 15, 0));
	/* Wrapping ranges are looked at up to the top of the space. */
	CHECK(lba_ranges_overlaps(&s, 0, U64_MAX));
	CHECK(lba_ranges_overlaps(&s, 35, U64_MAX));
	CHECK(!lba_ranges_overlaps(&s, 40, U64_MAX));
	CHECK(!lba_ranges_overlaps(&s, U64_MAX, U64_MAX));
}

static void next_edges(void)
{
	struct lba_range buf[4];
	struct lba_ranges s;
	u64 st = 1, len = 2;

	lba_ranges_init(&s, buf, ARRAY_SIZE(buf));
	CHECK(!lba_ranges_next(&s, 0, &st, &len));
	CHECK(!lba_ranges_next(&s, U64_MAX, &st, &len));
	CHECK_EQ(st, 1);
	CHECK_EQ(len, 2);

	SET_BUILD(&s, buf, R(10, 10), R(30, 10));
	/* From before the first range. */
	CHECK(lba_ranges_next(&s, 0, &st, &len));
	CHECK_EQ(st, 10);
	CHECK_EQ(len, 10);
	CHECK(lba_ranges_next(&s, 10, &st, &len));
	CHECK_EQ(st, 10);
	CHECK_EQ(len, 10);
	/* From inside: clipped. */
	CHECK(lba_ranges_next(&s, 13, &st, &len));
	CHECK_EQ(st, 13);
	CHECK_EQ(len, 7);
	CHECK(lba_ranges_next(&s, 19, &st, &len));
	CHECK_EQ(st, 19);
	CHECK_EQ(len, 1);
	/* From the end of one range: the next one. */
	CHECK(lba_ranges_next(&s, 20, &st, &len));
	CHECK_EQ(st, 30);
	CHECK_EQ(len, 10);
	CHECK(lba_ranges_next(&s, 29, &st, &len));
	CHECK_EQ(st, 30);
	CHECK_EQ(len, 10);
	CHECK(lba_ranges_next(&s, 39, &st, &len));
	CHECK_EQ(st, 39);
	CHECK_EQ(len, 1);
	/* Past the last: none, outputs untouched. */
	st = 5;
	len = 6;
	CHECK(!lba_ranges_next(&s, 40, &st, &len));
	CHECK(!lba_ranges_next(&s, U64_MAX, &st, &len));
	CHECK_EQ(st, 5);
	CHECK_EQ(len, 6);
	/* Walking the set with next. */
	{
		u64 from = 0, seen = 0;
		int steps = 0;

		while (steps < 10 && lba_ranges_next(&s, from, &st, &len)) {
			seen += len;
			from = st + len;
			steps++;
		}
		CHECK_EQ(steps, 2);
		CHECK_EQ(seen, 20);
	}
}

static void count(void)
{
	struct lba_range buf[4];
	struct lba_ranges s;

	lba_ranges_init(&s, buf, ARRAY_SIZE(buf));
	CHECK_EQ(lba_ranges_count(&s), 0);
	CHECK_EQ(lba_ranges_add(&s, 0, 1), 0);
	CHECK_EQ(lba_ranges_count(&s), 1);
	CHECK_EQ(lba_ranges_add(&s, 100, 50), 0);
	CHECK_EQ(lba_ranges_add(&s, 1ULL << 40, 1ULL << 39), 0);
	CHECK_EQ(lba_ranges_count(&s), 51 + (1ULL << 39));
	CHECK_EQ(lba_ranges_add(&s, 120, 40), 0);	/* 10 new LBAs */
	CHECK_EQ(lba_ranges_count(&s), 61 + (1ULL << 39));
	CHECK_EQ(lba_ranges_remove(&s, 0, 1ULL << 40), 0);
	CHECK_EQ(lba_ranges_count(&s), 1ULL << 39);
	/* The largest set there is: every LBA but U64_MAX. */
	CHECK_EQ(lba_ranges_add(&s, 0, U64_MAX), 0);
	CHECK_SET(&s, R(0, U64_MAX));
	CHECK_EQ(lba_ranges_count(&s), U64_MAX);
}

static void overflow_rejected(void)
{
	struct lba_range buf[4];
	struct lba_ranges s;
	u64 st, len;

	lba_ranges_init(&s, buf, ARRAY_SIZE(buf));
	CHECK_EQ(lba_ranges_add(&s, U64_MAX, 1), -EINVAL);
	CHECK_EQ(lba_ranges_add(&s, 1, U64_MAX), -EINVAL);
	CHECK_EQ(lba_ranges_add(&s, U64_MAX, U64_MAX), -EINVAL);
	CHECK_EQ(lba_ranges_add(&s, U64_MAX - 9, 10), -EINVAL);
	CHECK_EMPTY(&s);

	/* Ending exactly at U64_MAX (exclusive) is fine. */
	CHECK_EQ(lba_ranges_add(&s, U64_MAX - 10, 10), 0);
	CHECK_EQ(lba_ranges_add(&s, U64_MAX - 30, 20), 0);	/* touching */
	CHECK_SET(&s, R(U64_MAX - 30, 30));
	CHECK(lba_ranges_overlaps(&s, U64_MAX - 1, 1));
	CHECK(lba_ranges_overlaps(&s, U64_MAX - 1, 5));	/* wraps */
	CHECK(!lba_ranges_overlaps(&s, U64_MAX, 1));
	CHECK(lba_ranges_next(&s, U64_MAX - 1, &st, &len));
	CHECK_EQ(st, U64_MAX - 1);
	CHECK_EQ(len, 1);
	CHECK(!lba_ranges_next(&s, U64_MAX, &st, &len));

	/* A full buffer still reports the wrap, not the lack of room. */
	CHECK_EQ(lba_ranges_add(&s, 0, 1), 0);
	CHECK_EQ(lba_ranges_add(&s, 10, 1), 0);
	CHECK_EQ(lba_ranges_add(&s, 20, 1), 0);
	CHECK(!lba_ranges_has_room(&s));
	CHECK_EQ(lba_ranges_add(&s, U64_MAX - 5, 10), -EINVAL);
	CHECK_EQ(lba_ranges_remove(&s, U64_MAX - 5, 10), -EINVAL);
	CHECK_EQ(lba_ranges_remove(&s, 5, U64_MAX), -EINVAL);
	CHECK_SET(&s, R(0, 1), R(10, 1), R(20, 1), R(U64_MAX - 30, 30));

	/* Removing up to the top works when it does not wrap. */
	CHECK_EQ(lba_ranges_remove(&s, U64_MAX - 5, 5), 0);
	CHECK_SET(&s, R(0, 1), R(10, 1), R(20, 1), R(U64_MAX - 30, 25));
	CHECK_EQ(lba_ranges_remove(&s, 0, U64_MAX), 0);
	CHECK_EMPTY(&s);
}

/*
 * The random run: a space of SPACE LBAs, modelled by one byte per LBA.
 * The buffer starts small; it grows (by a move to the other buffer) at
 * some of the -ENOSPC, and now and then moves to a tight fit, so that
 * both the full and the roomy cases come up all along.
 */
#define SPACE		4096
#define RANDOM_OPS	20000
#define BUF_MAX		(SPACE / 2)	/* most disjoint ranges in SPACE */

static u8 model[SPACE + 1];		/* model[SPACE] stays 0 */
static u8 seen[SPACE];
static struct lba_range rbuf[2][BUF_MAX];
static struct lba_range snap[BUF_MAX];
static u64 lcg_state;

static u32 rnd(void)
{
	lcg_state = lcg_state * 6364136223846793005ULL + 1442695040888963407ULL;
	return (u32)(lcg_state >> 33);
}

/* A random length: mostly short, sometimes long, sometimes 0. */
static u64 rnd_len(void)
{
	u32 k = rnd() % 16;

	if (k == 0)
		return 0;
	if (k == 1)
		return rnd() % SPACE;
	return 1 + rnd() % 48;
}

/* The set and the model hold the same LBAs; the set is well formed. */
static bool same_as_model(const struct lba_ranges *s)
{
	u64 total = 0;
	u32 i;
	u64 l;

	if (!set_ok(s)) {
		test_report(__FILE__, __LINE__, "set breaks its invariants");
		return false;
	}
	memset(seen, 0, sizeof(seen));
	for (i = 0; i < s->nr; i++) {
		if (s->r[i].start + s->r[i].len > SPACE) {
			test_report(__FILE__, __LINE__, "range outside space");
			return false;
		}
		for (l = s->r[i].start; l < s->r[i].start + s->r[i].len; l++)
			seen[l] = 1;
	}
	for (l = 0; l < SPACE; l++) {
		if (seen[l] != model[l]) {
			test_report_eq(__FILE__, __LINE__, "set(lba)",
				       "model(lba)", seen[l], model[l]);
			printf("    at lba %llu\n", (unsigned long long)l);
			return false;
		}
		total += model[l];
	}
	if (lba_ranges_count(s) != total) {
		test_report_eq(__FILE__, __LINE__, "lba_ranges_count(s)",
			       "total", lba_ranges_count(s), total);
		return false;
	}
	return true;
}

/* Checks overlaps and next at a few random points against the model. */
static void query_check(const struct lba_ranges *s)
{
	int q;

	for (q = 0; q < 4; q++) {
		u64 start = rnd() % (SPACE + 16);
		u64 len = rnd_len();
		u64 st = 0, ln = 0, l, end;
		bool want = false, got;

		if (rnd() % 32 == 0)
			len = U64_MAX;	/* wraps: up to the top */
		end = len > SPACE ? SPACE : start + len;
		for (l = start; l < end && l < SPACE; l++)
			want |= model[l];
		CHECK_EQ(lba_ranges_overlaps(s, start, len), want);

		for (l = start; l < SPACE && !model[l]; l++)
			;
		got = lba_ranges_next(s, start, &st, &ln);
		CHECK_EQ(got, l < SPACE);
		if (got && l < SPACE) {
			u64 e = l;

			while (model[e])
				e++;
			CHECK_EQ(st, l);
			CHECK_EQ(ln, e - l);
		}
	}
}

/* Does the op need a slot, per the model? */
static bool needs_slot(bool add, u64 start, u64 len)
{
	u64 end = start + len, l;

	if (!len)
		return false;
	if (add) {
		/* A slot unless it overlaps or touches something. */
		for (l = start ? start - 1 : 0; l <= end; l++)
			if (model[l])
				return false;
		return true;
	}
	/* Splitting: one range runs from start - 1 through end. */
	if (!start)
		return false;
	for (l = start - 1; l <= end; l++)
		if (!model[l])
			return false;
	return true;
}

static void random_vs_bitmap(void)
{
	struct lba_ranges s;
	unsigned int op, cur = 0;
	unsigned int nospc = 0, moves = 0, peak = 0;

	lcg_state = 0x5eed1234abcdULL;
	memset(model, 0, sizeof(model));
	lba_ranges_init(&s, rbuf[cur], 4);

	for (op = 0; op < RANDOM_OPS; op++) {
		u32 k = rnd() % 100;
		u64 start = rnd() % SPACE;
		u64 len = rnd_len();
		bool add = k < 50, room, need;
		u32 nr = s.nr, i;
		int ret;

		if (k >= 96) {
			/* Move: to a tight fit or to some room. */
			u32 new_max = s.nr + (k >= 98 ? rnd() % 8 : 0);

			cur ^= 1;
			lba_ranges_move(&s, rbuf[cur], new_max);
			moves++;
			if (!same_as_model(&s))
				break;
			continue;
		}

		if (start + len > SPACE)
			len = SPACE - start;
		memcpy(snap, s.r, (size_t)nr * sizeof(snap[0]));
		room = lba_ranges_has_room(&s);
		need = needs_slot(add, start, len);

		ret = add ? lba_ranges_add(&s, start, len) :
			    lba_ranges_remove(&s, start, len);

		if (need && !room) {
			CHECK_EQ(ret, -ENOSPC);
			CHECK_EQ(s.nr, nr);
			CHECK(!memcmp(snap, s.r, (size_t)nr * sizeof(snap[0])));
			nospc++;
			/* Grow at about a third of them. */
			if (rnd() % 3 == 0) {
				u32 new_max = min_t(u32, BUF_MAX,
						    s.max + 1 + rnd() % 4);

				cur ^= 1;
				lba_ranges_move(&s, rbuf[cur], new_max);
				moves++;
			}
		} else {
			CHECK_EQ(ret, 0);
			for (i = 0; i < len; i++)
				model[start + i] = add;
		}
		if (test_failed() || !same_as_model(&s)) {
			printf("    op %u: %s [%llu,+%llu) ret %d\n", op,
			       add ? "add" : "remove",
			       (unsigned long long)start,
			       (unsigned long long)len, ret);
			print_set(&s);
			break;
		}
		query_check(&s);
		if (test_failed())
			break;
		if (s.nr > peak)
			peak = s.nr;
	}
	/* The run must have gone through the interesting cases. */
	CHECK(nospc > 100);
	CHECK(moves > 100);
	CHECK(peak > 16);
}

static const struct test_case tests[] = {
	TEST(init_empty),
	TEST(add_disjoint_sorted),
	TEST(add_merge_overlap),
	TEST(add_merge_adjacent),
	TEST(add_spanning_several),
	TEST(add_len_zero),
	TEST(remove_trim),
	TEST(remove_split),
	TEST(remove_spanning_several),
	TEST(add_enospc_unchanged),
	TEST(remove_enospc_unchanged),
	TEST(move_larger),
	TEST(overlaps_edges),
	TEST(next_edges),
	TEST(count),
	TEST(overflow_rejected),
	TEST(random_vs_bitmap),
};

int main(void)
{
	return TEST_RUN("lba_ranges", tests);
}
