// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of the PRP walker (src/pure/prp.c).
 *
 * Host memory is simulated: sim_mem stands for the physical range
 * [SIM_BASE, SIM_BASE + SIM_SIZE) and holds the PRP list pages.  Data
 * pages are only addresses: the walker never touches them, it emits them.
 */
#include "prp.h"
#include "test.h"

#define PS		4096U
#define SIM_BASE	0x10000000000ULL	/* 2^40: aligned to any page size */
#define SIM_SIZE	(64 * 8192)
#define MAX_PIECES	8192
#define DATA_BASE	0x300000000ULL		/* fake data pages, not in sim */

static u8 sim_mem[SIM_SIZE];

static struct {
	u32 ps;			/* page size in force */
	unsigned int reads;	/* rd calls */
	unsigned int fail_read_at;	/* rd call that fails (1-based), 0: none */
	bool bad_read;		/* a rd call broke its contract */
	u64 read_addr[64];	/* start of the first rd calls */
	u64 last_read;		/* start of the last rd call */
	u32 next_page;		/* next free sim page, counted from the top */
} sim;

static struct {
	size_t n;
	u64 addr[MAX_PIECES];
	u32 len[MAX_PIECES];
	unsigned int calls;
	unsigned int fail_at;	/* emit call that fails (1-based), 0: none */
} rec;

static void sim_reset(u32 ps)
{
	memset(sim_mem, 0xa5, sizeof(sim_mem));	/* junk, not zero */
	memset(&sim, 0, sizeof(sim));
	sim.ps = ps;
	memset(&rec, 0, sizeof(rec));
}

/* Address of a free sim page for a list, handed out from the top down. */
static u64 sim_page(void)
{
	sim.next_page++;
	return SIM_BASE + SIM_SIZE - (u64)sim.next_page * sim.ps;
}

static void sim_put(u64 addr, u64 val)
{
	int i;

	if (addr < SIM_BASE || addr + 8 > SIM_BASE + SIM_SIZE) {
		fprintf(stderr, "test bug: %s outside memory\n", __func__);
		abort();
	}
	for (i = 0; i < 8; i++)
		sim_mem[addr - SIM_BASE + i] = (u8)(val >> (8 * i));
}

static int sim_read(void *ctx, u64 addr, void *buf, u32 len)
{
	(void)ctx;
	if (sim.reads < ARRAY_SIZE(sim.read_addr))
		sim.read_addr[sim.reads] = addr;
	sim.last_read = addr;
	sim.reads++;
	if (!len || len % 8 || len > PRP_LIST_BATCH * 8 ||
	    (addr & (sim.ps - 1)) + len > sim.ps) {
		sim.bad_read = true;
		return -EINVAL;
	}
	if (sim.fail_read_at == sim.reads)
		return -EIO;
	if (addr < SIM_BASE || addr + len > SIM_BASE + SIM_SIZE)
		return -EFAULT;
	memcpy(buf, sim_mem + (addr - SIM_BASE), len);
	return 0;
}

static int rec_emit(void *ctx, u64 addr, u32 len)
{
	(void)ctx;
	rec.calls++;
	if (rec.fail_at == rec.calls)
		return -EIO;
	if (rec.n == MAX_PIECES) {
		fprintf(stderr, "test bug: %s: too many pieces\n", __func__);
		abort();
	}
	rec.addr[rec.n] = addr;
	rec.len[rec.n] = len;
	rec.n++;
	return 0;
}

/* Walks with the sim and recorder; checks the rd contract was kept. */
static enum prp_status walk_max(u64 prp1, u64 prp2, u64 len, u64 max_len)
{
	enum prp_status st;

	rec.n = 0;
	rec.calls = 0;
	st = prp_walk(prp1, prp2, len, sim.ps, max_len, sim_read, NULL,
		      rec_emit, NULL);
	CHECK(!sim.bad_read);
	return st;
}

static enum prp_status walk(u64 prp1, u64 prp2, u64 len)
{
	return walk_max(prp1, prp2, len, 0);
}

/* Checks the recorded pieces against an expected list. */
static void expect(const u64 *addr, const u32 *len, size_t n)
{
	size_t i;

	CHECK_EQ(rec.n, n);
	for (i = 0; i < n && i < rec.n && !test_failed(); i++) {
		CHECK_EQ(rec.addr[i], addr[i]);
		CHECK_EQ(rec.len[i], len[i]);
	}
}

static u64 rec_total(void)
{
	u64 sum = 0;
	size_t i;

	for (i = 0; i < rec.n; i++)
		sum += rec.len[i];
	return sum;
}

/*
 * Lays out the entries for data pages pg[0..n-1] (the pages after the
 * first one) the way a host driver does: one page goes in PRP2 itself,
 * more go in a list that starts at list (which may have an offset).  When
 * a list page is down to its last slot and more than one entry is still
 * to be written, that slot takes a pointer to a fresh list page.
 * Returns PRP2.
 */
static u64 build(const u64 *pg, size_t n, u64 list)
{
	u64 cur = list;
	size_t i;

	if (n == 1)
		return pg[0];
	for (i = 0; i < n; i++) {
		u64 room = sim.ps - (cur & (sim.ps - 1)) - 8;	/* after this slot */
		bool last_slot = room < 8;

		if (last_slot && n - i > 1) {
			u64 next = sim_page();

			sim_put(cur, next);
			cur = next;
		}
		sim_put(cur, pg[i]);
		cur += 8;
	}
	return list;
}

/* The pieces a correct walker yields, page by page, before merging. */
static size_t ref_pieces(u64 prp1, const u64 *pg, u64 len, u64 *addr,
			 u32 *plen)
{
	u64 off = prp1 % sim.ps;
	u64 left = len;
	size_t n = 0;

	addr[n] = prp1;
	plen[n] = (u32)(left < sim.ps - off ? left : sim.ps - off);
	left -= plen[n++];
	while (left) {
		addr[n] = pg[n - 1];
		plen[n] = (u32)(left < sim.ps ? left : sim.ps);
		left -= plen[n++];
	}
	return n;
}

/* Data page i, never contiguous with its neighbours. */
static u64 dpage(size_t i)
{
	return DATA_BASE + (u64)i * 3 * PS;
}

static u64 exp_addr[MAX_PIECES];
static u32 exp_len[MAX_PIECES];
static u64 pages[MAX_PIECES];

/* Builds n scattered data pages behind prp1, walks, checks all pieces. */
static void run_list_case(u64 prp1, u64 len, u64 list)
{
	size_t n = 0, np;
	u64 prp2;

	np = ref_pieces(prp1, pages, len, exp_addr, exp_len);
	for (n = 0; n + 1 < np; n++)
		pages[n] = dpage(n + 1);
	np = ref_pieces(prp1, pages, len, exp_addr, exp_len);
	prp2 = build(pages, np - 1, list);
	CHECK_EQ(walk(prp1, prp2, len), PRP_OK);
	expect(exp_addr, exp_len, np);
	CHECK_EQ(rec_total(), len);
}

static void len_zero(void)
{
	sim_reset(PS);
	CHECK_EQ(walk(0x3, 0x1, 0), PRP_OK);
	CHECK_EQ(rec.calls, 0);
	CHECK_EQ(sim.reads, 0);
}

static void single_page_offset(void)
{
	static const u64 a1[] = { 0x70000100 };
	static const u32 l1[] = { 0x200 };
	static const u64 a2[] = { 0x70000f00 };
	static const u32 l2[] = { 0x100 };
	static const u64 a3[] = { 0x70000004 };
	static const u32 l3[] = { 4092 };

	sim_reset(PS);
	CHECK_EQ(walk(0x70000100, 0xdead, 0x200), PRP_OK);	/* PRP2 unused */
	expect(a1, l1, 1);
	CHECK_EQ(walk(0x70000f00, 0xdead, 0x100), PRP_OK);	/* to page end */
	expect(a2, l2, 1);
	CHECK_EQ(walk(0x70000004, 0, 4092), PRP_OK);
	expect(a3, l3, 1);
	CHECK_EQ(sim.reads, 0);
}

static void one_full_page_aligned(void)
{
	static const u64 a[] = { 0x70000000 };
	static const u32 l[] = { PS };

	sim_reset(PS);
	CHECK_EQ(walk(0x70000000, 0x5, PS), PRP_OK);
	expect(a, l, 1);
	CHECK_EQ(sim.reads, 0);
}

static void two_pages_prp2(void)
{
	static const u64 a1[] = { 0x70000800, 0x90000000 };
	static const u32 l1[] = { 0x800, 0x800 };
	static const u32 l2[] = { 0x800, PS };
	static const u64 a3[] = { 0x70000000, 0x90000000 };
	static const u32 l3[] = { PS, PS };
	static const u64 a4[] = { 0x70000800 };
	static const u32 l4[] = { 0x1000 };

	sim_reset(PS);
	CHECK_EQ(walk(0x70000800, 0x90000000, 0x1000), PRP_OK);
	expect(a1, l1, 2);
	CHECK_EQ(walk(0x70000800, 0x90000000, 0x1800), PRP_OK);
	expect(a1, l2, 2);
	CHECK_EQ(walk(0x70000000, 0x90000000, 2 * PS), PRP_OK);
	expect(a3, l3, 2);
	/* The second page follows the first: one merged piece. */
	CHECK_EQ(walk(0x70000800, 0x70001000, 0x1000), PRP_OK);
	expect(a4, l4, 1);
	CHECK_EQ(sim.reads, 0);
}

static void list_many_entries(void)
{
	u64 list;

	/* 0xe00 bytes at PRP1, then 99 full pages and 0x200 bytes. */
	sim_reset(PS);
	list = sim_page();
	run_list_case(0x70000200, 100 * PS, list);
	CHECK_EQ(rec.n, 101);
	/* 100 entries, read in batches within one page. */
	CHECK_EQ(sim.reads, (100 + PRP_LIST_BATCH - 1) / PRP_LIST_BATCH);
	CHECK_EQ(sim.read_addr[0], list);
	CHECK_EQ(sim.read_addr[1], list + PRP_LIST_BATCH * 8);

	/* Three pages: the shortest transfer that needs a list. */
	sim_reset(PS);
	run_list_case(0x70000000, 2 * PS + 4, sim_page());
	CHECK_EQ(rec.n, 3);
	sim_reset(PS);
	run_list_case(0x70000ffc, 2 * PS + 4, sim_page());
	CHECK_EQ(rec.n, 3);
	CHECK_EQ(rec.len[0], 4);
	CHECK_EQ(sim.reads, 1);
}

static void list_merges_contiguous(void)
{
	static const u32 l1[] = { 10 * PS };
	static const u64 a2[] = { 0x70000000, 0x90000000 };
	static const u32 l2[] = { 4 * PS, 6 * PS - 0x100 };
	u64 a1[1] = { 0x70000000 };
	size_t i;

	sim_reset(PS);
	for (i = 0; i < 9; i++)
		pages[i] = 0x70000000 + (i + 1) * PS;
	CHECK_EQ(walk(0x70000000, build(pages, 9, sim_page()), 10 * PS),
		 PRP_OK);
	expect(a1, l1, 1);

	/* A jump after the fourth page; the last page is partial. */
	sim_reset(PS);
	for (i = 3; i < 9; i++)
		pages[i] = 0x90000000 + (i - 3) * PS;
	CHECK_EQ(walk(0x70000000, build(pages, 9, sim_page()),
		      10 * PS - 0x100), PRP_OK);
	expect(a2, l2, 2);
}

static void list_prp2_offset(void)
{
	u64 list;

	/* 256 slots from offset 0x800; 200 entries fit. */
	sim_reset(PS);
	list = sim_page() + 0x800;
	run_list_case(0x70000000, 201 * PS, list);
	CHECK_EQ(rec.n, 201);
	CHECK_EQ(sim.read_addr[0], list);

	/* Two slots from 0xff0: one entry, then the chain pointer. */
	sim_reset(PS);
	run_list_case(0x70000000, 4 * PS, sim_page() + 0xff0);
	CHECK_EQ(rec.n, 4);
	CHECK_EQ(sim.reads, 2);

	/* One slot from 0xff8: only the chain pointer. */
	sim_reset(PS);
	run_list_case(0x70000000, 3 * PS, sim_page() + 0xff8);
	CHECK_EQ(rec.n, 3);
	CHECK_EQ(sim.reads, 2);

	/* Dword but not qword aligned: one whole slot from 0xff4. */
	sim_reset(PS);
	run_list_case(0x70000000, 3 * PS, sim_page() + 0xff4);
	CHECK_EQ(rec.n, 3);

	/* Two slots from 0xff0, exactly two entries: no chain. */
	sim_reset(PS);
	run_list_case(0x70000000, 3 * PS, sim_page() + 0xff0);
	CHECK_EQ(rec.n, 3);
	CHECK_EQ(sim.reads, 1);
	CHECK_EQ(sim.next_page, 1);
}

/* Entries 1..512 exactly fill an aligned list page: slot 511 is data. */
static void list_exactly_full(void)
{
	u64 list;

	sim_reset(PS);
	list = sim_page();
	/* What the slot would point to if taken for a chain pointer. */
	sim_put(sim_page(), 0x4242000);
	run_list_case(0x70000000, 513 * PS, list);
	CHECK_EQ(rec.n, 513);
	CHECK_EQ(rec.addr[512], dpage(512));
	CHECK_EQ(sim.reads, 512 / PRP_LIST_BATCH);
	CHECK_EQ(sim.last_read,
		 list + PS - PRP_LIST_BATCH * 8);
}

static void chain_two_pages(void)
{
	u64 list;

	/* 513 entries: 511 + chain, then 2 on the next page. */
	sim_reset(PS);
	list = sim_page();
	run_list_case(0x70000000, 514 * PS, list);
	CHECK_EQ(rec.n, 514);
	CHECK_EQ(sim.next_page, 2);
	CHECK_EQ(sim.last_read, SIM_BASE + SIM_SIZE - 2 * PS);

	/* Same with an offset in PRP1: the last page is partial. */
	sim_reset(PS);
	run_list_case(0x70000100, 513 * PS - 0x100 + 8, sim_page());
	CHECK_EQ(rec.n, 514);
	CHECK_EQ(rec.len[513], 8);
}

static void chain_three_pages(void)
{
	/* 511 + 511 + 5 entries. */
	sim_reset(PS);
	run_list_case(0x70000000, 1028 * PS, sim_page());
	CHECK_EQ(rec.n, 1028);
	CHECK_EQ(sim.next_page, 3);

	/* 511 + 511 + 512: the third page is full, its last slot data. */
	sim_reset(PS);
	run_list_case(0x70000000, 1535 * PS, sim_page());
	CHECK_EQ(rec.n, 1535);
	CHECK_EQ(sim.next_page, 3);

	/* One more entry needs a fourth page. */
	sim_reset(PS);
	run_list_case(0x70000000, 1536 * PS, sim_page());
	CHECK_EQ(rec.n, 1536);
	CHECK_EQ(sim.next_page, 4);

	/* PRP2 at 0x800: 255 + 511 + 512, the third page full. */
	sim_reset(PS);
	run_list_case(0x70000000, 1279 * PS, sim_page() + 0x800);
	CHECK_EQ(rec.n, 1279);
	CHECK_EQ(sim.next_page, 3);
}

static void prp1_misaligned(void)
{
	static const u64 off[] = { 1, 2, 3, 0x101, 0xfff };
	size_t i;

	sim_reset(PS);
	for (i = 0; i < ARRAY_SIZE(off); i++) {
		CHECK_EQ(walk(0x70000000 + off[i], 0x90000000, 16),
			 PRP_BAD_OFFSET);
		CHECK_EQ(rec.calls, 0);
		CHECK_EQ(walk(0x70000000 + off[i], sim_page(), 10 * PS),
			 PRP_BAD_OFFSET);
		CHECK_EQ(rec.calls, 0);
	}
	CHECK_EQ(sim.reads, 0);
}

static void prp2_data_offset(void)
{
	static const u64 off[] = { 4, 0x10, 0x800, 0xffc, 1 };
	size_t i;

	sim_reset(PS);
	for (i = 0; i < ARRAY_SIZE(off); i++) {
		CHECK_EQ(walk(0x70000800, 0x90000000 + off[i], PS),
			 PRP_BAD_OFFSET);
		CHECK_EQ(walk(0x70000000, 0x90000000 + off[i], 2 * PS),
			 PRP_BAD_OFFSET);
		CHECK_EQ(rec.calls, 0);
	}
}

static void prp2_list_misaligned(void)
{
	u64 list;

	sim_reset(PS);
	list = sim_page();
	CHECK_EQ(walk(0x70000000, list + 1, 3 * PS), PRP_BAD_OFFSET);
	CHECK_EQ(walk(0x70000000, list + 2, 3 * PS), PRP_BAD_OFFSET);
	CHECK_EQ(walk(0x70000000, list + 0x802, 3 * PS), PRP_BAD_OFFSET);
	/* No room for even one slot. */
	CHECK_EQ(walk(0x70000000, list + 0xffc, 3 * PS), PRP_BAD_OFFSET);
	CHECK_EQ(rec.calls, 0);
	CHECK_EQ(sim.reads, 0);
}

static void list_entry_offset(void)
{
	static const u64 bad[] = { 0x200, 4, 1, 0x800 };
	size_t i, k;
	u64 list;

	for (k = 0; k < ARRAY_SIZE(bad); k++) {
		sim_reset(PS);
		list = sim_page();
		for (i = 0; i < 9; i++)
			pages[i] = dpage(i + 1);
		pages[5] += bad[k];
		CHECK_EQ(walk(0x70000000, build(pages, 9, list), 10 * PS),
			 PRP_BAD_OFFSET);
		CHECK(rec.n <= 6);
		for (i = 0; i < rec.n; i++)
			CHECK(rec.addr[i] != pages[5]);
	}
}

static void chain_pointer_offset(void)
{
	u64 list;
	size_t i;

	sim_reset(PS);
	list = sim_page();
	for (i = 0; i < 600; i++)
		pages[i] = dpage(i + 1);
	build(pages, 600, list);
	/* Move the chain pointer by 8 bytes: it keeps pointing in sim. */
	sim_put(list + PS - 8, SIM_BASE + SIM_SIZE - 2 * PS + 8);
	CHECK_EQ(walk(0x70000000, list, 601 * PS), PRP_BAD_OFFSET);
	CHECK(rec.n <= 511);
}

static void read_failure(void)
{
	/* The list is outside host memory. */
	sim_reset(PS);
	CHECK_EQ(walk(0x70000000, 0x5000, 10 * PS), PRP_XFER_ERROR);
	CHECK_EQ(sim.reads, 1);

	/* The second batch fails. */
	sim_reset(PS);
	sim.fail_read_at = 2;
	{
		u64 list = sim_page();
		size_t i;

		for (i = 0; i < 199; i++)
			pages[i] = dpage(i + 1);
		CHECK_EQ(walk(0x70000000, build(pages, 199, list), 200 * PS),
			 PRP_XFER_ERROR);
		CHECK_EQ(sim.reads, 2);
		CHECK(rec.n <= PRP_LIST_BATCH + 1);
	}

	/* The chained page fails: read 1..8 are the first page. */
	sim_reset(PS);
	sim.fail_read_at = 512 / PRP_LIST_BATCH + 1;
	{
		u64 list = sim_page();
		size_t i;

		for (i = 0; i < 600; i++)
			pages[i] = dpage(i + 1);
		CHECK_EQ(walk(0x70000000, build(pages, 600, list), 601 * PS),
			 PRP_XFER_ERROR);
		CHECK_EQ(sim.reads, sim.fail_read_at);
	}
}

static void emit_failure(void)
{
	size_t i;

	/* The only piece. */
	sim_reset(PS);
	rec.fail_at = 1;
	CHECK_EQ(walk(0x70000100, 0, 0x100), PRP_XFER_ERROR);
	CHECK_EQ(rec.calls, 1);

	/* The second of two pieces, emitted at the end. */
	sim_reset(PS);
	rec.fail_at = 2;
	CHECK_EQ(walk(0x70000100, 0x90000000, PS), PRP_XFER_ERROR);
	CHECK_EQ(rec.calls, 2);

	/* Inside a list: the walk stops at once. */
	sim_reset(PS);
	rec.fail_at = 3;
	for (i = 0; i < 99; i++)
		pages[i] = dpage(i + 1);
	CHECK_EQ(walk(0x70000000, build(pages, 99, sim_page()), 100 * PS),
		 PRP_XFER_ERROR);
	CHECK_EQ(rec.calls, 3);
	CHECK_EQ(rec.n, 2);
	CHECK_EQ(sim.reads, 1);
}

static void too_long_and_bad_args(void)
{
	static const u32 bad_ps[] = { 0, 8, 2048, 4097, 3 * 4096, 0xffffffff };
	size_t i;

	sim_reset(PS);
	CHECK_EQ(walk_max(0x70000000, 0x90000000, 2 * PS, PS), PRP_TOO_LONG);
	CHECK_EQ(rec.calls, 0);
	CHECK_EQ(walk_max(0x70000000, 0x90000000, 2 * PS, 2 * PS), PRP_OK);
	CHECK_EQ(rec.n, 2);
	CHECK_EQ(walk_max(0x70000000, 0x90000000, 2 * PS, 0), PRP_OK);

	for (i = 0; i < ARRAY_SIZE(bad_ps); i++) {
		CHECK_EQ(prp_walk(0x70000000, 0, 16, bad_ps[i], 0, sim_read,
				  NULL, rec_emit, NULL), PRP_BAD_ARGS);
	}
	sim.ps = 65536;
	CHECK_EQ(walk(0x7000fff0, 0x90000000, 32), PRP_OK);
	CHECK_EQ(rec.n, 2);
	CHECK_EQ(rec.len[0], 16);
}

/* Merged pieces stay within U32_MAX bytes. */
static void merge_u32_cap(void)
{
	static const u64 a1[] = { 0, 3ULL << 30 };
	static const u32 l1[] = { 3U << 30, 1U << 30 };
	static const u64 a2[] = { 0, 1ULL << 31, 1ULL << 32 };
	static const u32 l2[] = { 1U << 31, 1U << 31, 1U << 31 };
	u64 list;

	sim_reset(1U << 30);
	list = SIM_BASE;
	sim_put(list, 1ULL << 30);
	sim_put(list + 8, 2ULL << 30);
	sim_put(list + 16, 3ULL << 30);
	CHECK_EQ(walk(0, list, 4ULL << 30), PRP_OK);
	expect(a1, l1, 2);

	sim_reset(PRP_MAX_PAGE_SIZE);
	sim_put(list, 1ULL << 31);
	sim_put(list + 8, 1ULL << 32);
	CHECK_EQ(walk(0, list, 3ULL << 31), PRP_OK);
	expect(a2, l2, 3);
}

/* Addresses are taken as they are: zero, and no merge across the top. */
static void odd_addresses(void)
{
	static const u64 a1[] = { 0xfffffffffffff000ULL, 0 };
	static const u32 l1[] = { PS, PS };
	static const u64 a2[] = { 0, 0, 0 };
	static const u32 l2[] = { PS, PS, 8 };
	u64 list;

	sim_reset(PS);
	CHECK_EQ(walk(0xfffffffffffff000ULL, 0, 2 * PS), PRP_OK);
	expect(a1, l1, 2);
	list = sim_page();
	sim_put(list, 0);
	sim_put(list + 8, 0);
	CHECK_EQ(walk(0, list, 2 * PS + 8), PRP_OK);
	expect(a2, l2, 3);
}

/* xorshift64*: a fixed seed keeps failures reproducible. */
static u64 rng_state = 0x9e3779b97f4a7c15ULL;

static u64 rnd(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545f4914f6cdd1dULL;
}

static u64 rnd_below(u64 n)
{
	return rnd() % n;
}

/* A length that often sits on or near page and list boundaries. */
static u64 rnd_len(u32 ps, u64 off)
{
	u64 epp = ps / 8 - 1;	/* data entries per chained list page */
	s64 l;

	switch (rnd_below(5)) {
	case 0:
		l = 1 + rnd_below(2 * ps);
		break;
	case 1:
		l = (s64)(rnd_below(1600) * ps) + (s64)rnd_below(17) - 8;
		break;
	case 2:
		l = (s64)((rnd_below(3) * epp + rnd_below(3)) * ps) +
		    (s64)(ps - off) + (s64)rnd_below(17) - 8;
		break;
	case 3:
		l = (s64)(rnd_below(4) * ps) - (s64)off + (s64)rnd_below(9);
		break;
	default:
		l = 1 + (s64)rnd_below(1600ULL * ps);
		break;
	}
	return l < 1 ? 1 : (u64)l;
}

/* One random case checked against the reference; returns 0 if good. */
static int random_case(u32 ps, unsigned int seq)
{
	u64 mask = ps - 1;
	u64 off = rnd_below(2) ? 0 : rnd_below(ps / 4) * 4;
	u64 prp1 = (DATA_BASE + rnd_below(1ULL << 20) * ps) | off;
	u64 len = rnd_len(ps, off);
	u64 list_off = 0, prp2, total = 0;
	size_t np, i, k;

	sim_reset(ps);
	if (rnd_below(2))
		list_off = rnd_below(ps / 4 - 1) * 4;	/* keeps >= 1 slot */
	/* Data pages: a third of them follow the previous one. */
	for (i = 0; i < MAX_PIECES - 1; i++) {
		u64 prev = i ? pages[i - 1] : (prp1 & ~mask);

		if (rnd_below(3) == 0)
			pages[i] = prev + ps;
		else
			pages[i] = DATA_BASE + rnd_below(1ULL << 24) * ps;
		if ((u64)(i + 1) * ps >= len)
			break;
	}
	np = ref_pieces(prp1, pages, len, exp_addr, exp_len);
	prp2 = build(pages, np - 1, sim_page() + list_off);
	if (np == 1)
		prp2 = rnd();	/* unused: anything goes */

	CHECK_EQ(walk(prp1, prp2, len), PRP_OK);
	/* Cut the emitted pieces at page boundaries: must match exactly. */
	k = 0;
	for (i = 0; i < rec.n && !test_failed(); i++) {
		u64 a = rec.addr[i], left = rec.len[i];

		total += left;
		if (i && rec.addr[i - 1] + rec.len[i - 1] == a)
			CHECK(0);	/* should have been merged */
		while (left && !test_failed()) {
			u64 chunk = ps - (a & mask);

			if (chunk > left)
				chunk = left;
			CHECK(k < np);
			if (k >= np)
				break;
			CHECK_EQ(a, exp_addr[k]);
			CHECK_EQ(chunk, exp_len[k]);
			k++;
			a += chunk;
			left -= chunk;
		}
	}
	CHECK_EQ(k, np);
	CHECK_EQ(total, len);
	if (test_failed())
		printf("    random case %u: ps %u prp1 0x%llx len %llu list off 0x%llx\n",
		       seq, ps, (unsigned long long)prp1,
		       (unsigned long long)len, (unsigned long long)list_off);
	return test_failed();
}

static void random_cross_check(void)
{
	unsigned int i;

	for (i = 0; i < 10000; i++)
		if (random_case(PS, i))
			return;
	for (i = 0; i < 500; i++)
		if (random_case(8192, i))
			return;
}

static const struct test_case tests[] = {
	TEST(len_zero),
	TEST(single_page_offset),
	TEST(one_full_page_aligned),
	TEST(two_pages_prp2),
	TEST(list_many_entries),
	TEST(list_merges_contiguous),
	TEST(list_prp2_offset),
	TEST(list_exactly_full),
	TEST(chain_two_pages),
	TEST(chain_three_pages),
	TEST(prp1_misaligned),
	TEST(prp2_data_offset),
	TEST(prp2_list_misaligned),
	TEST(list_entry_offset),
	TEST(chain_pointer_offset),
	TEST(read_failure),
	TEST(emit_failure),
	TEST(too_long_and_bad_args),
	TEST(merge_u32_cap),
	TEST(odd_addresses),
	TEST(random_cross_check),
};

int main(void)
{
	return TEST_RUN("prp", tests);
}
