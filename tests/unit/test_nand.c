// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of the NAND flash array model (src/pure/nand.c).
 */
#include "nand.h"
#include "test.h"

#define US	1000ULL
#define MS	1000000ULL
#define SEC	1000000000ULL

/*
 * A sane TLC array: 4 channels x 2 LUNs, 2 planes, 16 KiB pages, one-shot
 * programs of 3 pages.  The channel speed does not divide the page size, so
 * a page transfer is rounded up.
 */
static struct nand_params base(void)
{
	struct nand_params p = {
		.nr_channels = 4,
		.luns_per_channel = 2,
		.planes_per_lun = 2,
		.blocks_per_plane = 64,
		.pages_per_block = 192,
		.page_bytes = 16384,
		.oneshot_pages = 3,
		.cell_bits = 3,
		.read_ns = { 50 * US, 70 * US, 90 * US, 0 },
		.prog_ns = 1 * MS,
		.erase_ns = 3 * MS,
		.channel_mbs = 1200,
	};
	return p;
}

/* 16384 bytes at 1200 MB/s: 13653.33 ns, rounded up. */
#define X16K	13654ULL

/* Reference transfer time in 128 bits: ceil(bytes * 1000 / mbs). */
static u64 ref_xfer(u64 bytes, u32 mbs)
{
	unsigned __int128 p = (unsigned __int128)bytes * 1000;

	if (!mbs)
		return 0;
	return (u64)((p + mbs - 1) / mbs);
}

/* Expects p refused with a reason that mentions what. */
static void expect_refused(const struct nand_params *p, const char *what,
			   int line)
{
	const char *why = NULL;
	int ret = nand_params_check(p, &why);

	if (ret != -EINVAL || !why || !strstr(why, what)) {
		printf("    line %d: ret %d, why \"%s\", want -EINVAL and \"%s\"\n",
		       line, ret, why ? why : "(null)", what);
		CHECK(0);
	}
	/* A NULL why is allowed. */
	CHECK_EQ(nand_params_check(p, NULL), -EINVAL);
}

#define REFUSED(p, what)	expect_refused(&(p), what, __LINE__)

static void check_accepts_sane(void)
{
	struct nand_params p = base();
	const char *why = "unset";

	CHECK_EQ(nand_params_check(&p, &why), 0);
	CHECK(!why);
	CHECK_EQ(nand_params_check(&p, NULL), 0);

	/* Limits themselves are accepted. */
	p.nr_channels = NAND_MAX_CHANNELS;
	p.luns_per_channel = NAND_MAX_DIES / NAND_MAX_CHANNELS;
	p.page_bytes = 65536;
	p.cell_bits = 4;
	p.oneshot_pages = 1;
	p.pages_per_block = 4;
	p.read_ns[0] = p.read_ns[3] = NAND_MAX_LAT_NS;
	p.prog_ns = p.erase_ns = NAND_MAX_LAT_NS;
	p.channel_mbs = NAND_MAX_MBS;
	why = "unset";
	CHECK_EQ(nand_params_check(&p, &why), 0);
	CHECK(!why);

	/* SLC, single everything. */
	p = base();
	p.nr_channels = p.luns_per_channel = p.planes_per_lun = 1;
	p.blocks_per_plane = p.pages_per_block = 1;
	p.oneshot_pages = p.cell_bits = 1;
	p.page_bytes = 4096;
	p.channel_mbs = 1;
	CHECK_EQ(nand_params_check(&p, NULL), 0);
}

static void check_refuses_each_field(void)
{
	struct nand_params p;

	p = base();
	p.nr_channels = 0;
	REFUSED(p, "channels");
	p.nr_channels = NAND_MAX_CHANNELS + 1;
	p.luns_per_channel = 1;
	REFUSED(p, "channels");

	p = base();
	p.luns_per_channel = 0;
	REFUSED(p, "dies");
	p.nr_channels = NAND_MAX_CHANNELS;
	p.luns_per_channel = NAND_MAX_DIES / NAND_MAX_CHANNELS + 1;	/* 544 */
	REFUSED(p, "dies");
	p.nr_channels = 8;
	p.luns_per_channel = 65;	/* 520 dies */
	REFUSED(p, "dies");
	p.nr_channels = 1;
	p.luns_per_channel = 513;
	REFUSED(p, "dies");
	p.luns_per_channel = 0x80000001U;	/* no 32-bit wrap to 1 die */
	p.nr_channels = 2;
	REFUSED(p, "dies");

	p = base();
	p.planes_per_lun = 0;
	REFUSED(p, "planes");

	p = base();
	p.blocks_per_plane = 0;
	REFUSED(p, "blocks");

	p = base();
	p.page_bytes = 0;
	REFUSED(p, "page size");
	p.page_bytes = 6144;
	REFUSED(p, "page size");
	p.page_bytes = 4095;
	REFUSED(p, "page size");
	p.page_bytes = 16384 + 512;
	REFUSED(p, "page size");
	p.page_bytes = 65536 + 4096;
	REFUSED(p, "page size");

	p = base();
	p.cell_bits = 0;
	REFUSED(p, "cell bits");
	p.cell_bits = 5;
	p.pages_per_block = 240;	/* a multiple of 5 and 3 */
	REFUSED(p, "cell bits");

	p = base();
	p.oneshot_pages = 0;
	REFUSED(p, "one-shot");

	/* Not a multiple of the one-shot size (cell bits 1). */
	p = base();
	p.cell_bits = 1;
	p.oneshot_pages = 3;
	p.pages_per_block = 8;
	REFUSED(p, "pages per block");
	/* Not a multiple of the cell bits (one-shot 1). */
	p.cell_bits = 3;
	p.oneshot_pages = 1;
	p.pages_per_block = 8;
	REFUSED(p, "pages per block");
	/* A multiple of one but not the other. */
	p.cell_bits = 2;
	p.oneshot_pages = 3;
	p.pages_per_block = 9;
	REFUSED(p, "pages per block");
	p.pages_per_block = 8;
	REFUSED(p, "pages per block");
	p.pages_per_block = 0;
	REFUSED(p, "pages per block");
	/* Both divide: accepted. */
	p.pages_per_block = 6;
	CHECK_EQ(nand_params_check(&p, NULL), 0);

	p = base();
	p.channel_mbs = 0;
	REFUSED(p, "bandwidth");
	p.channel_mbs = NAND_MAX_MBS + 1;
	REFUSED(p, "bandwidth");

	p = base();
	p.prog_ns = NAND_MAX_LAT_NS + 1;
	REFUSED(p, "latency");
	p = base();
	p.erase_ns = U64_MAX;
	REFUSED(p, "latency");
	p = base();
	p.read_ns[2] = NAND_MAX_LAT_NS + 1;	/* MSB of TLC */
	REFUSED(p, "latency");
}

static void xfer_rounding(void)
{
	static const struct {
		u64 bytes;
		u32 mbs;
		u64 want;	/* written out by hand */
	} c[] = {
		{ 4096, 1000, 4096 },
		{ 4096, 800, 5120 },
		{ 4096, 3000, 1366 },		/* 1365.33 */
		{ 16384, 1200, 13654 },		/* 13653.33 */
		{ 1, 1, 1000 },
		{ 1, 1000, 1 },
		{ 1, 1001, 1 },			/* 0.999 */
		{ 1, 100000, 1 },		/* 0.01 */
		{ 7, 3, 2334 },			/* 2333.33 */
		{ 0, 1000, 0 },
		{ 4096, 0, 0 },
		{ 1ULL << 40, 1, 1099511627776000ULL },
		{ 1ULL << 50, 7, 160842843834660572ULL },
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(c); i++) {
		CHECK_EQ(nand_xfer_ns(c[i].bytes, c[i].mbs), c[i].want);
		CHECK_EQ(ref_xfer(c[i].bytes, c[i].mbs), c[i].want);
	}
	/* Many values against the 128-bit reference. */
	for (i = 1; i < 5000; i++) {
		u64 bytes = i * 4093ULL + (i % 7);
		u32 mbs = (u32)(i * 37 % NAND_MAX_MBS) + 1;

		CHECK_EQ(nand_xfer_ns(bytes, mbs), ref_xfer(bytes, mbs));
	}
}

static void unit_bytes(void)
{
	struct nand_params p = base();

	CHECK_EQ(nand_unit_bytes(&p), 2 * 3 * 16384);
	p.planes_per_lun = 1;
	p.oneshot_pages = 1;
	p.page_bytes = 4096;
	CHECK_EQ(nand_unit_bytes(&p), 4096);
	p.planes_per_lun = 4;
	p.oneshot_pages = 4;
	p.page_bytes = 65536;
	CHECK_EQ(nand_unit_bytes(&p), 1 << 20);
}

/* Each operation on an idle array, from a non-zero time. */
static void idle_operations(void)
{
	struct nand_params p = base();
	struct nand_model n;
	u64 now = 5 * SEC + 17;
	u32 unit = nand_unit_bytes(&p);
	u64 xu = ref_xfer(unit, p.channel_mbs);

	nand_init(&n, &p);
	CHECK_EQ(n.nr_dies, 8);
	CHECK_EQ(nand_idle_at(&n), 0);

	/* Read of an LSB page: tR(LSB) + transfer. */
	CHECK_EQ(nand_read(&n, 0, 0, 16384, now), now + 50 * US + X16K);
	/* A 4 KiB read moves 4 KiB only (MSB page). */
	now += SEC;
	CHECK_EQ(nand_read(&n, 3, 5, 4096, now),
		 now + 90 * US + ref_xfer(4096, 1200));
	/* Program: transfer, then tPROG. */
	now += SEC;
	CHECK_EQ(nand_program(&n, 5, unit, now), now + xu + 1 * MS);
	/* Erase: tBERS only. */
	now += SEC;
	CHECK_EQ(nand_erase(&n, 6, now), now + 3 * MS);
	CHECK_EQ(nand_idle_at(&n), now + 3 * MS);

	/* From time 0 on a fresh array too. */
	nand_init(&n, &p);
	CHECK_EQ(nand_read(&n, 7, 1, 16384, 0), 70 * US + X16K);
	CHECK_EQ(nand_program(&n, 0, 16384, 0), X16K + 1 * MS);
	CHECK_EQ(nand_erase(&n, 1, 0), 3 * MS);
}

/* Every page type of SLC, MLC, TLC and QLC has its own tR, cycling. */
static void page_types_cycle(void)
{
	static const u64 tr[4] = { 25 * US, 61 * US, 87 * US, 133 * US };
	u32 bits, pg;

	for (bits = 1; bits <= 4; bits++) {
		struct nand_params p = base();
		struct nand_model n;
		u64 now = 1000;

		p.cell_bits = bits;
		p.oneshot_pages = 1;
		p.pages_per_block = 12 * bits;
		memcpy(p.read_ns, tr, sizeof(tr));
		CHECK_EQ(nand_params_check(&p, NULL), 0);
		nand_init(&n, &p);
		for (pg = 0; pg < p.pages_per_block; pg++) {
			u64 want = now + tr[pg % bits] + X16K;
			u64 got = nand_read(&n, pg % 8, pg, 16384, now);

			CHECK_EQ(got, want);
			/* The array is idle again at the end of each. */
			CHECK_EQ(nand_idle_at(&n), got);
			now = got + 1;
		}
	}
}

/* Two reads of one die: the second senses after the first has left. */
static void same_die_serialises(void)
{
	struct nand_params p = base();
	struct nand_model n;
	u64 now = 100 * US;
	u64 t1, t2, t3;

	nand_init(&n, &p);
	t1 = nand_read(&n, 2, 0, 16384, now);
	CHECK_EQ(t1, now + 50 * US + X16K);
	t2 = nand_read(&n, 2, 1, 16384, now);
	CHECK_EQ(t2, t1 + 70 * US + X16K);
	/* Arriving later than the die is free: no wait. */
	t3 = nand_read(&n, 2, 2, 16384, t2 + 1 * MS);
	CHECK_EQ(t3, t2 + 1 * MS + 90 * US + X16K);

	/* A read behind a program waits for the program end. */
	nand_init(&n, &p);
	t1 = nand_program(&n, 1, 16384, now);
	CHECK_EQ(t1, now + X16K + 1 * MS);
	CHECK_EQ(nand_read(&n, 1, 0, 16384, now), t1 + 50 * US + X16K);

	/* An erase behind a read, then a program behind the erase. */
	nand_init(&n, &p);
	t1 = nand_read(&n, 4, 0, 16384, now);
	t2 = nand_erase(&n, 4, now);
	CHECK_EQ(t2, t1 + 3 * MS);
	CHECK_EQ(nand_program(&n, 4, 16384, now), t2 + X16K + 1 * MS);

	/* Two programs of one die: the second transfer waits for the die. */
	nand_init(&n, &p);
	t1 = nand_program(&n, 0, 16384, now);
	t2 = nand_program(&n, 0, 16384, now);
	CHECK_EQ(t2, t1 + X16K + 1 * MS);

	/* No slotting into an earlier idle gap of the die. */
	nand_init(&n, &p);
	t1 = nand_read(&n, 3, 0, 16384, 10 * MS);
	CHECK_EQ(nand_read(&n, 3, 0, 16384, 0), t1 + 50 * US + X16K);
}

/* Dies on different channels work fully in parallel. */
static void different_channels_overlap(void)
{
	struct nand_params p = base();
	struct nand_model n;
	u64 now = 7 * MS;
	u32 d;

	nand_init(&n, &p);
	/* Dies 0..3 are on channels 0..3. */
	for (d = 0; d < p.nr_channels; d++)
		CHECK_EQ(nand_read(&n, d, 0, 16384, now), now + 50 * US + X16K);
	CHECK_EQ(nand_idle_at(&n), now + 50 * US + X16K);

	nand_init(&n, &p);
	for (d = 0; d < p.nr_channels; d++)
		CHECK_EQ(nand_program(&n, d, 16384, now), now + X16K + 1 * MS);

	/* Erases use no channel: all eight dies at once. */
	nand_init(&n, &p);
	for (d = 0; d < n.nr_dies; d++)
		CHECK_EQ(nand_erase(&n, d, now), now + 3 * MS);
	CHECK_EQ(nand_idle_at(&n), now + 3 * MS);
}

/* Die d and d + nr_channels share a channel: senses overlap, transfers not. */
static void same_channel_shares_bus(void)
{
	struct nand_params p = base();
	struct nand_model n;
	u64 now = 2 * MS;
	u64 t1, t2, t3;

	nand_init(&n, &p);
	t1 = nand_read(&n, 1, 0, 16384, now);
	t2 = nand_read(&n, 1 + p.nr_channels, 0, 16384, now);
	CHECK_EQ(t1, now + 50 * US + X16K);
	/* Sense in parallel, transfer after the first one. */
	CHECK_EQ(t2, now + 50 * US + 2 * X16K);
	/* The other channel is untouched. */
	CHECK_EQ(nand_read(&n, 2, 0, 16384, now), now + 50 * US + X16K);

	/* A longer sense on the second die hides the transfer of the first. */
	nand_init(&n, &p);
	t1 = nand_read(&n, 0, 0, 16384, now);
	t2 = nand_read(&n, 4, 2, 16384, now);	/* MSB: 90 us */
	CHECK_EQ(t2, now + 90 * US + X16K);
	CHECK(t2 > t1);

	/* Programs: transfers in turn, programs in parallel. */
	nand_init(&n, &p);
	t1 = nand_program(&n, 3, 16384, now);
	t2 = nand_program(&n, 7, 16384, now);
	CHECK_EQ(t1, now + X16K + 1 * MS);
	CHECK_EQ(t2, now + 2 * X16K + 1 * MS);
	/* A read on die 3 waits for the program of die 3 only. */
	t3 = nand_read(&n, 3, 0, 4096, now);
	CHECK_EQ(t3, t1 + 50 * US + ref_xfer(4096, 1200));

	/* A program waits for the channel a read on the other die holds. */
	nand_init(&n, &p);
	t1 = nand_read(&n, 0, 0, 16384, now);
	t2 = nand_program(&n, 4, 16384, now);
	CHECK_EQ(t2, t1 + X16K + 1 * MS);

	/* An erase does not wait for the channel. */
	nand_init(&n, &p);
	nand_program(&n, 0, 16384, now);
	CHECK_EQ(nand_erase(&n, 4, now), now + 3 * MS);
}

static void stats_count(void)
{
	struct nand_params p = base();
	struct nand_model n;
	u64 t = 0;
	int i;

	nand_init(&n, &p);
	CHECK_EQ(n.stats.reads, 0);
	for (i = 0; i < 10; i++)
		t = nand_read(&n, i % 8, i, 4096 * (i % 4 + 1), t);
	for (i = 0; i < 7; i++)
		t = nand_program(&n, i % 8, 98304, t);
	for (i = 0; i < 3; i++)
		t = nand_erase(&n, i, t);
	CHECK_EQ(n.stats.reads, 10);
	CHECK_EQ(n.stats.read_bytes, 4096ULL * (1 + 2 + 3 + 4 + 1 + 2 + 3 + 4 + 1 + 2));
	CHECK_EQ(n.stats.programs, 7);
	CHECK_EQ(n.stats.program_bytes, 7ULL * 98304);
	CHECK_EQ(n.stats.erases, 3);

	/* A timing reset keeps the counters; init clears them. */
	nand_reset_timing(&n);
	CHECK_EQ(n.stats.reads, 10);
	CHECK_EQ(n.stats.programs, 7);
	CHECK_EQ(n.stats.erases, 3);
	nand_init(&n, &p);
	CHECK_EQ(n.stats.reads, 0);
	CHECK_EQ(n.stats.read_bytes, 0);
	CHECK_EQ(n.stats.programs, 0);
	CHECK_EQ(n.stats.program_bytes, 0);
	CHECK_EQ(n.stats.erases, 0);
}

static void reset_timing_idles(void)
{
	struct nand_params p = base();
	struct nand_model n;
	u32 d;
	int i;

	nand_init(&n, &p);
	for (i = 0; i < 100; i++)
		for (d = 0; d < n.nr_dies; d++) {
			nand_program(&n, d, 98304, 0);
			nand_erase(&n, d, 0);
		}
	CHECK(nand_idle_at(&n) > 400 * MS);
	/* Busy: a read at 1 ms is far behind. */
	CHECK(nand_read(&n, 0, 0, 16384, 1 * MS) > 400 * MS);

	nand_reset_timing(&n);
	CHECK_EQ(nand_idle_at(&n), 0);
	for (d = 0; d < n.nr_dies; d++)
		CHECK_EQ(nand_read(&n, d, 0, 16384, 1 * MS), 1 * MS + 50 * US +
			 (d < 4 ? X16K : 2 * X16K));
	/* The configuration survives. */
	CHECK_EQ(n.nr_dies, 8);
	CHECK_EQ(n.p.channel_mbs, 1200);
	CHECK_EQ(n.p.prog_ns, 1 * MS);
}

static void idle_at(void)
{
	struct nand_params p = base();
	struct nand_model n;
	u64 t1, t2;

	nand_init(&n, &p);
	CHECK_EQ(nand_idle_at(&n), 0);
	t1 = nand_erase(&n, 7, 1 * MS);
	CHECK_EQ(nand_idle_at(&n), t1);
	/* An earlier-ending operation does not lower it. */
	nand_read(&n, 0, 0, 4096, 1 * MS);
	CHECK_EQ(nand_idle_at(&n), t1);
	/* A later one raises it, counting the program, not the transfer. */
	t2 = nand_program(&n, 2, 16384, 5 * MS);
	CHECK_EQ(t2, 5 * MS + X16K + 1 * MS);
	CHECK_EQ(nand_idle_at(&n), t2);
	/* A read much later: its end. */
	t1 = nand_read(&n, 5, 0, 16384, 10 * MS);
	CHECK_EQ(nand_idle_at(&n), t1);
}

static const struct test_case tests[] = {
	TEST(check_accepts_sane),
	TEST(check_refuses_each_field),
	TEST(xfer_rounding),
	TEST(unit_bytes),
	TEST(idle_operations),
	TEST(page_types_cycle),
	TEST(same_die_serialises),
	TEST(different_channels_overlap),
	TEST(same_channel_shares_bus),
	TEST(stats_count),
	TEST(reset_timing_idles),
	TEST(idle_at),
};

int main(void)
{
	return TEST_RUN("nand", tests);
}
