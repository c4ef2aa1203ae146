// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of the conventional SSD's FTL (src/pure/ssd_ftl.c): timing on
 * a virtual clock, the write buffer, garbage collection, TRIM and wear.
 *
 * Most tests use a small MLC array (2 channels x 2 LUNs, one plane, 16 KiB
 * pages, one-shot 1) sized by ssd_fit() for a few MiB, with bandwidths that
 * divide 4 KiB evenly so that every expected time is an exact integer.
 */
#include "ssd_ftl.h"
#include "test.h"

#define US	1000ULL
#define MS	1000000ULL
#define SEC	1000000000ULL
#define KIB	1024ULL
#define MIB	(1024ULL * 1024)
#define GIB	(1024ULL * 1024 * 1024)

#define TR_LSB	40000ULL	/* tR of an LSB page */
#define TR_MSB	65000ULL	/* tR of an MSB page */
#define TPROG	500000ULL
#define TBERS	2000000ULL
#define FW_R	3000ULL
#define FW_W	2000ULL
#define FW_4K	500ULL

#define CX4K	4000ULL		/* 4 KiB on a 1024 MB/s channel */
#define CX16K	16000ULL	/* one flash page (one program unit) */
#define HX4K	2000ULL		/* 4 KiB on the 2048 MB/s host link */

/* A cached write of n pages on an idle device. */
#define WRITE_LAT(n)	((n) * HX4K + FW_W + (n) * FW_4K)
/* A read of n pages that touches no NAND. */
#define READ_LAT(n)	(FW_R + (n) * HX4K)

#define USER_BYTES	(4 * MIB)

static struct ssd_params base_params(void)
{
	struct ssd_params p = {
		.nand = {
			.nr_channels = 2,
			.luns_per_channel = 2,
			.planes_per_lun = 1,
			.blocks_per_plane = 0,		/* ssd_fit() sets it */
			.pages_per_block = 16,
			.page_bytes = 16384,
			.oneshot_pages = 1,
			.cell_bits = 2,
			.read_ns = { TR_LSB, TR_MSB },
			.prog_ns = TPROG,
			.erase_ns = TBERS,
			.channel_mbs = 1024,
		},
		.host_mbs = 2048,
		.fw_read_ns = FW_R,
		.fw_write_ns = FW_W,
		.fw_write_4k_ns = FW_4K,
		.wb_bytes = 1 * MIB,
		.write_cache = true,
		.op_pct = 7,
		.gc_fg_lines = 2,
		.gc_bg_lines = 0,
		.gc_bg_idle_ns = 1 * MS,
		.gc_policy = SSD_GC_GREEDY,
		.pe_cycles = 3000,
	};
	return p;
}

/* Fits p to user bytes, checks it and sets s up; 0 on success. */
static int setup(struct ssd_ftl *s, struct ssd_params *p, u64 user)
{
	const char *why = NULL;
	int ret;

	ret = ssd_fit(p, user, &why);
	if (ret) {
		printf("    ssd_fit: %d (%s)\n", ret, why ? why : "?");
		CHECK(0);
		return ret;
	}
	ret = ssd_params_check(p, user, &why);
	if (ret) {
		printf("    ssd_params_check: %d (%s)\n", ret, why ? why : "?");
		CHECK(0);
		return ret;
	}
	ret = ssd_init(s, p, user);
	CHECK_EQ(ret, 0);
	if (ret)
		return ret;
	CHECK_EQ(s->nr_lpns, user / SSD_PAGE_BYTES);
	return 0;
}

static bool consistent(const struct ssd_ftl *s)
{
	const char *why = NULL;

	if (ssd_check_consistency(s, &why)) {
		printf("    inconsistent: %s\n", why ? why : "(no reason)");
		return false;
	}
	return true;
}

/* Logical pages with no mapping. */
static u64 unmapped(const struct ssd_ftl *s)
{
	u64 i, n = 0;

	for (i = 0; i < s->nr_lpns; i++)
		n += s->l2p[i] == SSD_NONE;
	return n;
}

static u64 rng;

/* xorshift64: deterministic, never 0 for a non-zero seed. */
static u64 rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

/*
 * A QD1 driver: each command arrives when the one before completes.  It
 * records whether a command ever completed before it arrived and whether
 * the free pool was ever empty after a call.
 */
struct drv {
	struct ssd_ftl *s;
	u64 now;
	u64 ops;
	u64 went_back;
	u64 no_free;
	u32 min_free;
};

static void drv_init(struct drv *d, struct ssd_ftl *s, u64 now)
{
	memset(d, 0, sizeof(*d));
	d->s = s;
	d->now = now;
	d->min_free = U32_MAX;
}

static void drv_after(struct drv *d, u64 done)
{
	u32 f = ssd_free_lines(d->s);

	if (done < d->now)
		d->went_back++;
	else
		d->now = done;
	if (!f)
		d->no_free++;
	d->min_free = min_t(u32, d->min_free, f);
	d->ops++;
}

static void drv_write(struct drv *d, u64 lpn, u32 n)
{
	drv_after(d, ssd_write(d->s, d->now, lpn, n, false));
}

static void drv_trim(struct drv *d, u64 lpn, u64 n)
{
	drv_after(d, ssd_trim(d->s, d->now, lpn, n));
}

static void drv_flush(struct drv *d)
{
	drv_after(d, ssd_flush(d->s, d->now));
}

/* The driver saw nothing wrong. */
static void drv_check(const struct drv *d)
{
	CHECK_EQ(d->went_back, 0);
	CHECK_EQ(d->no_free, 0);
	CHECK_EQ(d->s->stats.no_space, 0);
}

/* Writes every LPN once, in order, 8 pages a command, then flushes. */
static void fill_seq(struct drv *d)
{
	u64 lpn;

	for (lpn = 0; lpn < d->s->nr_lpns; lpn += 8)
		drv_write(d, lpn, min_t(u64, 8, d->s->nr_lpns - lpn));
	drv_flush(d);
}

/* Die and word line of the unit that holds a physical page. */
static u32 ppn_unit(const struct ssd_ftl *s, u32 ppn)
{
	return (ppn % s->pages_per_line) / s->pages_per_unit;
}

static u32 ppn_die(const struct ssd_ftl *s, u32 ppn)
{
	return ppn_unit(s, ppn) % s->nr_dies;
}

/* The page is in the open unit of a write pointer (still in DRAM). */
static bool in_open_unit(const struct ssd_ftl *s, u32 ppn)
{
	u32 line = ppn / s->pages_per_line;

	return (line == s->user.line && ppn_unit(s, ppn) == s->user.unit) ||
	       (line == s->gc.line && ppn_unit(s, ppn) == s->gc.unit);
}

/* tR of the flash page that holds lpn (one-shot 1: page = word line). */
static u64 lpn_tr(const struct ssd_ftl *s, u64 lpn)
{
	u32 wl = ppn_unit(s, s->l2p[lpn]) / s->nr_dies;

	return s->p.nand.read_ns[wl % s->p.nand.cell_bits];
}

/* ---------------------------------------------------------------------- */

static void profiles(void)
{
	static const u64 sizes[] = { 1 * GIB, 64 * GIB };
	struct ssd_params p;
	const char *why;
	size_t i, k, n = 0;

	for (i = 0; ssd_profile_names[i]; i++) {
		const char *name = ssd_profile_names[i];

		n++;
		memset(&p, 0xa5, sizeof(p));
		CHECK_EQ(ssd_profile_get(name, &p), 0);
		for (k = 0; k < ARRAY_SIZE(sizes); k++) {
			struct ssd_params q = p;
			u64 user = sizes[k], lpns = user / SSD_PAGE_BYTES;
			u64 ppl, lines;

			why = NULL;
			if (ssd_fit(&q, user, &why)) {
				printf("    %s %llu: fit: %s\n", name,
				       (unsigned long long)user, why ? why : "?");
				CHECK(0);
				continue;
			}
			why = "unset";
			if (ssd_params_check(&q, user, &why)) {
				printf("    %s %llu: check: %s\n", name,
				       (unsigned long long)user, why ? why : "?");
				CHECK(0);
				continue;
			}
			CHECK(!why);
			/* The lines hold user data, spare and the reserve. */
			lines = q.nand.blocks_per_plane;
			ppl = (u64)q.nand.nr_channels * q.nand.luns_per_channel *
			      q.nand.planes_per_lun * q.nand.pages_per_block *
			      (q.nand.page_bytes / SSD_PAGE_BYTES);
			CHECK(lines >= SSD_MIN_LINES);
			CHECK((lines - q.gc_fg_lines - 3) * ppl * 100 >=
			      lpns * (100 + q.op_pct));
			/* 4 B/LPN + 4 B/PPN + 24 B/line is far below 16 B/LPN. */
			CHECK(ssd_mem_bytes(&q, user) <= lpns * 16 + 1 * MIB);
			CHECK(ssd_mem_bytes(&q, user) >= lpns * 8);
		}
	}
	CHECK(n >= 1);

	/* An FTL of each profile starts empty and consistent. */
	for (i = 0; ssd_profile_names[i]; i++) {
		struct ssd_ftl s;
		u64 t;

		CHECK_EQ(ssd_profile_get(ssd_profile_names[i], &p), 0);
		if (setup(&s, &p, 1 * GIB))
			continue;
		CHECK_EQ(ssd_free_lines(&s), s.nr_lines);
		CHECK_EQ(unmapped(&s), s.nr_lpns);
		/* The maps and lines at least (see the header's memory note). */
		CHECK(ssd_mem_bytes(&p, 1 * GIB) >= 4 * s.nr_lpns +
		      4ULL * s.nr_lines * s.pages_per_line + 24ULL * s.nr_lines);
		t = ssd_write(&s, 0, 12345, 64, false);
		CHECK(t > 0);
		CHECK(ssd_flush(&s, t) >= t + s.p.nand.prog_ns);
		CHECK_EQ(unmapped(&s), s.nr_lpns - 64);
		CHECK(consistent(&s));
		ssd_free(&s);
	}

	memset(&p, 0, sizeof(p));
	CHECK_EQ(ssd_profile_get("no-such-profile", &p), -ENOENT);
	CHECK_EQ(ssd_profile_get("", &p), -ENOENT);
}

/* ssd_fit makes a config that passes; small sizes get smaller lines. */
static void fit_small(void)
{
	static const u64 sizes[] = { 64 * KIB, 1 * MIB, USER_BYTES, 100 * MIB };
	size_t i;

	for (i = 0; i < ARRAY_SIZE(sizes); i++) {
		struct ssd_params p = base_params();
		const char *why = NULL;
		u64 lpns = sizes[i] / SSD_PAGE_BYTES, ppl, lines;

		CHECK_EQ(ssd_fit(&p, sizes[i], &why), 0);
		why = "unset";
		CHECK_EQ(ssd_params_check(&p, sizes[i], &why), 0);
		CHECK(!why);
		lines = p.nand.blocks_per_plane;
		ppl = 4ULL * p.nand.pages_per_block * 4;
		CHECK(lines >= SSD_MIN_LINES);
		CHECK((lines - p.gc_fg_lines - 3) * ppl * 100 >= lpns * 107);
		/* Lines shrink (not below a unit) rather than stay few. */
		CHECK(lines >= 64 || p.nand.pages_per_block <= 2);
		CHECK(p.nand.pages_per_block >= 1);
	}
}

/* Every valid cell-bits / one-shot pairing fits, small lines stay valid. */
static void fit_geometries(void)
{
	static const struct {
		u32 cell_bits, oneshot, ppb;
	} c[] = {
		{ 1, 1, 256 }, { 2, 1, 256 }, { 2, 2, 256 }, { 3, 1, 192 },
		{ 3, 3, 192 }, { 4, 1, 256 }, { 4, 4, 256 }, { 4, 2, 256 },
		{ 2, 4, 256 }, { 2, 3, 96 }, { 3, 2, 96 }, { 3, 4, 96 },
		{ 4, 3, 96 },
	};
	static const u64 sizes[] = { 1 * MIB, 64 * MIB, 1 * GIB };
	size_t i, k;

	for (i = 0; i < ARRAY_SIZE(c); i++) {
		for (k = 0; k < ARRAY_SIZE(sizes); k++) {
			struct ssd_params p = base_params();
			const char *why = NULL;
			int ret;

			p.nand.cell_bits = c[i].cell_bits;
			p.nand.oneshot_pages = c[i].oneshot;
			p.nand.pages_per_block = c[i].ppb;
			p.wb_bytes = 4 * MIB;
			ret = ssd_fit(&p, sizes[k], &why);
			if (ret || ssd_params_check(&p, sizes[k], NULL)) {
				printf("    cell %u oneshot %u ppb %u, %llu MiB: "
				       "fit %d (%s), ppb -> %u\n",
				       c[i].cell_bits, c[i].oneshot, c[i].ppb,
				       (unsigned long long)(sizes[k] / MIB), ret,
				       why ? why : "-", p.nand.pages_per_block);
				CHECK(0);
				continue;
			}
			CHECK_EQ(p.nand.pages_per_block % c[i].oneshot, 0);
			CHECK_EQ(p.nand.pages_per_block % c[i].cell_bits, 0);
			CHECK(p.nand.pages_per_block <= c[i].ppb);
		}
	}
}

/* Expects p refused for user with a reason. */
static void expect_refused(const struct ssd_params *p, u64 user, int line)
{
	const char *why = NULL;
	int ret = ssd_params_check(p, user, &why);

	if (ret != -EINVAL || !why || !*why) {
		printf("    line %d: ret %d, why %s\n", line, ret,
		       why ? why : "(null)");
		CHECK(0);
	}
}

#define REFUSED(p, user)	expect_refused(&(p), user, __LINE__)

static void params_check(void)
{
	struct ssd_params good = base_params(), p;
	u64 unit = 16 * KIB, ppl, max_user;
	const char *why;

	CHECK_EQ(ssd_fit(&good, USER_BYTES, NULL), 0);
	why = "unset";
	CHECK_EQ(ssd_params_check(&good, USER_BYTES, &why), 0);
	CHECK(!why);

	/* The buffer: at least 2 units, at most 1 GiB. */
	p = good;
	p.wb_bytes = 2 * unit;
	CHECK_EQ(ssd_params_check(&p, USER_BYTES, NULL), 0);
	p.wb_bytes = 2 * unit - SSD_PAGE_BYTES;
	REFUSED(p, USER_BYTES);
	p.wb_bytes = unit;
	REFUSED(p, USER_BYTES);
	p.wb_bytes = 0;
	REFUSED(p, USER_BYTES);
	p.wb_bytes = 1 * GIB;
	CHECK_EQ(ssd_params_check(&p, USER_BYTES, NULL), 0);
	p.wb_bytes = 1 * GIB + unit;
	REFUSED(p, USER_BYTES);

	/* GC thresholds. */
	p = good;
	p.gc_fg_lines = 1;
	REFUSED(p, USER_BYTES);
	p.gc_fg_lines = 0;
	REFUSED(p, USER_BYTES);
	p = good;
	p.gc_bg_lines = p.gc_fg_lines;
	REFUSED(p, USER_BYTES);
	p.gc_bg_lines = p.gc_fg_lines - 1;
	REFUSED(p, USER_BYTES);
	p.gc_bg_lines = p.gc_fg_lines + 1;
	CHECK_EQ(ssd_params_check(&p, USER_BYTES, NULL), 0);
	p.gc_bg_lines = 0;
	CHECK_EQ(ssd_params_check(&p, USER_BYTES, NULL), 0);

	p = good;
	p.gc_policy = SSD_GC_COST_BENEFIT;
	CHECK_EQ(ssd_params_check(&p, USER_BYTES, NULL), 0);
	p.gc_policy = SSD_GC_COST_BENEFIT + 1;
	REFUSED(p, USER_BYTES);
	p.gc_policy = U32_MAX;
	REFUSED(p, USER_BYTES);

	p = good;
	p.pe_cycles = 0;
	REFUSED(p, USER_BYTES);
	p.pe_cycles = 1;
	CHECK_EQ(ssd_params_check(&p, USER_BYTES, NULL), 0);

	/* Host link and firmware. */
	p = good;
	p.host_mbs = 0;		/* unlimited */
	CHECK_EQ(ssd_params_check(&p, USER_BYTES, NULL), 0);
	p.host_mbs = SSD_MAX_HOST_MBS + 1;
	REFUSED(p, USER_BYTES);
	p = good;
	p.fw_read_ns = SSD_MAX_FW_NS + 1;
	REFUSED(p, USER_BYTES);
	p = good;
	p.fw_write_ns = SSD_MAX_FW_NS + 1;
	REFUSED(p, USER_BYTES);
	p = good;
	p.fw_write_4k_ns = U64_MAX;
	REFUSED(p, USER_BYTES);
	p = good;
	p.fw_write_ns = SSD_MAX_FW_NS;
	CHECK_EQ(ssd_params_check(&p, USER_BYTES, NULL), 0);

	/* The NAND array is checked too. */
	p = good;
	p.nand.nr_channels = 0;
	REFUSED(p, USER_BYTES);
	p = good;
	p.nand.page_bytes = 6144;
	REFUSED(p, USER_BYTES);

	/* Capacity: user pages <= (lines - gc_fg_lines - 3) * pages per line. */
	p = good;
	ppl = 4ULL * p.nand.pages_per_block * 4;
	max_user = (p.nand.blocks_per_plane - p.gc_fg_lines - 3) * ppl *
		   SSD_PAGE_BYTES;
	CHECK_EQ(ssd_params_check(&p, max_user, NULL), 0);
	REFUSED(p, max_user + SSD_PAGE_BYTES);
	REFUSED(p, max_user * 2);
	p.gc_fg_lines++;	/* a bigger reserve leaves less room */
	REFUSED(p, max_user);
	p = good;
	p.nand.blocks_per_plane = p.gc_fg_lines + 3;	/* no room at all */
	REFUSED(p, SSD_PAGE_BYTES);

	/* 2^32 physical pages or more do not fit a 32-bit PPN. */
	p = good;
	p.nand.nr_channels = 32;
	p.nand.luns_per_channel = 16;
	p.nand.planes_per_lun = 4;
	p.nand.pages_per_block = 1024;	/* 2^23 4 KiB pages per line */
	p.nand.blocks_per_plane = 600;
	p.wb_bytes = 64 * MIB;
	REFUSED(p, 1 * GIB);
	/* More than 2^24 pages in a line (2^27 here, 2^30 in all). */
	p.nand.planes_per_lun = 16;
	p.nand.page_bytes = 65536;
	p.nand.blocks_per_plane = SSD_MIN_LINES;
	p.wb_bytes = 1 * GIB;
	REFUSED(p, 1 * GIB);
}

/* QD1 writes and reads of pages never written: no NAND time at all. */
static void qd1_idle_no_nand(void)
{
	struct ssd_params p = base_params();
	struct ssd_ftl s;
	u64 now = 1 * MS;

	if (setup(&s, &p, USER_BYTES))
		return;
	CHECK_EQ(ssd_read(&s, now, 5, 1), now + READ_LAT(1));
	now += MS;
	CHECK_EQ(ssd_read(&s, now, 100, 8), now + READ_LAT(8));
	CHECK_EQ(s.nand.stats.reads, 0);
	CHECK_EQ(s.stats.nand_read_pages, 0);
	CHECK_EQ(s.stats.host_read_pages, 9);

	now += MS;
	CHECK_EQ(ssd_write(&s, now, 7, 1, false), now + WRITE_LAT(1));
	now += MS;
	CHECK_EQ(ssd_write(&s, now, 200, 2, false), now + WRITE_LAT(2));
	CHECK_EQ(s.stats.host_write_pages, 3);

	/* A page still in the open unit is read from DRAM. */
	now += SEC;
	CHECK_EQ(ssd_read(&s, now, 7, 1), now + READ_LAT(1));
	CHECK_EQ(ssd_read(&s, now + MS, 200, 2), now + MS + READ_LAT(2));
	CHECK_EQ(s.nand.stats.reads, 0);
	CHECK_EQ(s.stats.nand_write_pages, 0);
	/* A fourth page fills the unit: programmed, read from NAND. */
	now += SEC;
	CHECK_EQ(ssd_write(&s, now, 300, 1, false), now + WRITE_LAT(1));
	now += SEC;
	CHECK_EQ(s.stats.nand_write_pages, 4);
	CHECK_EQ(ssd_read(&s, now, 7, 1),
		 now + FW_R + lpn_tr(&s, 7) + CX4K + HX4K);
	CHECK(consistent(&s));

	/*
	 * The host link has a channel per direction: two writes at once
	 * share one, a read at the same time does not wait for them.
	 */
	now += SEC;
	CHECK_EQ(ssd_write(&s, now, 500, 2, false), now + WRITE_LAT(2));
	CHECK_EQ(ssd_write(&s, now, 600, 2, false),
		 now + 4 * HX4K + FW_W + 2 * FW_4K);
	CHECK_EQ(ssd_read(&s, now, 700, 2), now + READ_LAT(2));
	CHECK_EQ(ssd_read(&s, now, 800, 2), now + FW_R + 4 * HX4K);
	ssd_free(&s);

	/* An unlimited host link: firmware time only. */
	p = base_params();
	p.host_mbs = 0;
	if (setup(&s, &p, USER_BYTES))
		return;
	CHECK_EQ(ssd_write(&s, 10 * US, 0, 4, false), 10 * US + FW_W + 4 * FW_4K);
	CHECK_EQ(ssd_read(&s, 20 * US, 50, 4), 20 * US + FW_R);
	ssd_free(&s);
}

/* Reads of programmed pages: firmware, sense, channel, host link. */
static void qd1_read_programmed(void)
{
	struct ssd_params p = base_params();
	struct ssd_ftl s;
	u64 now, lpn, t, r0;
	u32 seen[2] = { 0, 0 };

	if (setup(&s, &p, USER_BYTES))
		return;
	CHECK_EQ(s.nr_dies, 4);
	CHECK_EQ(s.pages_per_unit, 4);
	CHECK_EQ(s.pages_per_fpage, 4);
	/* 64 pages: 16 full units, two word lines on every die at least. */
	t = 0;
	for (lpn = 0; lpn < 64; lpn += 8)
		t = ssd_write(&s, t, lpn, 8, false);
	t = ssd_flush(&s, t);
	CHECK(t >= TPROG);
	CHECK_EQ(s.stats.pad_pages, 0);
	CHECK_EQ(s.stats.nand_write_pages, 64);
	now = t + SEC;

	for (lpn = 0; lpn < 64; lpn++) {
		u64 tr = lpn_tr(&s, lpn);

		seen[tr == TR_MSB]++;
		CHECK_EQ(ssd_read(&s, now, lpn, 1), now + FW_R + tr + CX4K + HX4K);
		now += SEC;
	}
	/* Both page types were read. */
	CHECK(seen[0] > 0 && seen[1] > 0);
	CHECK_EQ(s.stats.nand_read_pages, 64);
	CHECK_EQ(s.nand.stats.reads, 64);

	/* Four pages of one flash page: one sense, 16 KiB on the channel. */
	CHECK_EQ(s.l2p[0] / 4, s.l2p[3] / 4);
	r0 = s.nand.stats.reads;
	CHECK_EQ(ssd_read(&s, now, 0, 4), now + FW_R + lpn_tr(&s, 0) + CX16K +
		 4 * HX4K);
	CHECK_EQ(s.nand.stats.reads, r0 + 1);
	CHECK_EQ(s.stats.nand_read_pages, 68);

	/* Two flash pages on dies of different channels: in parallel. */
	now += SEC;
	CHECK(ppn_die(&s, s.l2p[0]) % 2 != ppn_die(&s, s.l2p[4]) % 2);
	CHECK_EQ(lpn_tr(&s, 0), lpn_tr(&s, 4));
	CHECK_EQ(ssd_read(&s, now, 0, 8), now + FW_R + lpn_tr(&s, 0) + CX16K +
		 8 * HX4K);
	CHECK_EQ(s.nand.stats.reads, r0 + 3);

	/* Two reads at once on one die: the second senses after the first. */
	now += SEC;
	t = ssd_read(&s, now, 0, 1);
	CHECK_EQ(t, now + FW_R + lpn_tr(&s, 0) + CX4K + HX4K);
	CHECK(ssd_read(&s, now, 1, 1) >= t + lpn_tr(&s, 1));
	CHECK(consistent(&s));
	ssd_free(&s);
}

/*
 * Pages of one flash page read by one command take one sense, whatever
 * the order they were written in.
 */
static void read_one_sense_per_flash_page(void)
{
	struct ssd_params p = base_params();
	struct ssd_ftl s;
	u64 now = 0, r0;

	if (setup(&s, &p, USER_BYTES))
		return;
	/* Unit 0: LPNs 13, 12, 11, 10 (written backwards). */
	now = ssd_write(&s, now, 13, 1, false);
	now = ssd_write(&s, now, 12, 1, false);
	now = ssd_write(&s, now, 11, 1, false);
	now = ssd_write(&s, now, 10, 1, false);
	/* Unit 1: LPNs 20, 30, 21, 31 (interleaved). */
	now = ssd_write(&s, now, 20, 1, false);
	now = ssd_write(&s, now, 30, 1, false);
	now = ssd_write(&s, now, 21, 1, false);
	now = ssd_write(&s, now, 31, 1, false);
	now = ssd_flush(&s, now);
	CHECK_EQ(s.stats.nand_write_pages, 8);
	CHECK_EQ(s.l2p[10] / 4, s.l2p[13] / 4);
	CHECK_EQ(s.l2p[20] / 4, s.l2p[21] / 4);

	/* Ascending LPNs on descending PPNs. */
	now += SEC;
	r0 = s.nand.stats.reads;
	CHECK_EQ(ssd_read(&s, now, 10, 4), now + FW_R + lpn_tr(&s, 10) + CX16K +
		 4 * HX4K);
	CHECK_EQ(s.nand.stats.reads, r0 + 1);
	CHECK_EQ(s.stats.nand_read_pages, 4);

	/* Two LPNs a page apart in one flash page. */
	now += SEC;
	r0 = s.nand.stats.reads;
	CHECK_EQ(ssd_read(&s, now, 20, 2), now + FW_R + lpn_tr(&s, 20) +
		 2 * CX4K + 2 * HX4K);
	CHECK_EQ(s.nand.stats.reads, r0 + 1);
	CHECK_EQ(s.stats.nand_read_pages, 6);
	ssd_free(&s);
}

/* A buffer of two units: a write of 10 buffers is throttled by NAND. */
static void write_buffer_throttles(void)
{
	struct ssd_params p = base_params();
	struct ssd_ftl s;
	u64 now = 1 * MS, t, wb;
	u32 n;

	p.wb_bytes = 2 * 16 * KIB;
	if (setup(&s, &p, USER_BYTES))
		return;
	wb = p.wb_bytes / SSD_PAGE_BYTES;
	CHECK_EQ(s.wb.slots, wb);
	n = 10 * wb;	/* 80 pages, 20 units */
	t = ssd_write(&s, now, 0, n, false);
	/*
	 * At the end 9 buffers (18 units) have left the buffer, and no more
	 * than 2 units are ever in it: 9 rounds of tPROG at least.
	 */
	CHECK(t >= now + 9 * TPROG);
	/* All 20 programs one after the other is the worst case. */
	CHECK(t <= now + WRITE_LAT(n) + 20 * (CX16K + TPROG));
	CHECK(s.stats.wb_waits > 0);
	CHECK(s.stats.wb_waits <= n);
	CHECK_EQ(s.stats.host_write_pages, n);
	CHECK(s.wb.used <= s.wb.slots);

	/* A flush then waits for the last program. */
	t = ssd_flush(&s, t);
	CHECK(t >= now + 10 * TPROG);
	CHECK_EQ(s.stats.nand_write_pages, n);
	CHECK_EQ(s.stats.pad_pages, 0);
	CHECK_EQ(unmapped(&s), s.nr_lpns - n);
	CHECK(consistent(&s));
	ssd_free(&s);

	/* The same amount at QD1, one page at a time, is throttled too. */
	p = base_params();
	p.wb_bytes = 2 * 16 * KIB;
	if (setup(&s, &p, USER_BYTES))
		return;
	t = now;
	for (n = 0; n < 10 * wb; n++)
		t = ssd_write(&s, t, n, 1, false);
	CHECK(t >= now + 9 * TPROG);
	CHECK(s.stats.wb_waits > 0);
	ssd_free(&s);

	/* With a big buffer the same write is not throttled. */
	p = base_params();
	if (setup(&s, &p, USER_BYTES))
		return;
	CHECK_EQ(ssd_write(&s, now, 0, 80, false), now + WRITE_LAT(80));
	CHECK_EQ(s.stats.wb_waits, 0);
	ssd_free(&s);
}

/* FUA and a disabled cache complete after the program, padding the unit. */
static void fua_and_cache_off(void)
{
	struct ssd_params p;
	struct ssd_ftl s;
	u64 now = 2 * MS, t;
	int mode;

	for (mode = 0; mode < 2; mode++) {
		bool fua = mode == 0;

		p = base_params();
		p.write_cache = fua;	/* mode 1: cache off, no FUA */
		if (setup(&s, &p, USER_BYTES))
			return;
		/* One page: the unit is padded with 3 pages. */
		t = ssd_write(&s, now, 10, 1, fua);
		CHECK(t >= now + WRITE_LAT(1) + TPROG);
		CHECK(t <= now + WRITE_LAT(1) + CX16K + TPROG);
		CHECK_EQ(s.stats.pad_pages, 3);
		CHECK_EQ(s.stats.nand_write_pages, 4);
		CHECK_EQ(s.stats.host_write_pages, 1);
		CHECK(s.l2p[10] != SSD_NONE);

		/* A full unit (the open one is empty now): no padding. */
		now = t + SEC;
		t = ssd_write(&s, now, 20, 4, fua);
		CHECK(t >= now + WRITE_LAT(4) + TPROG);
		CHECK(t <= now + WRITE_LAT(4) + CX16K + TPROG);
		CHECK_EQ(s.stats.pad_pages, 3);
		CHECK_EQ(s.stats.nand_write_pages, 8);

		/* Six pages: one full unit and one padded by 2. */
		now = t + SEC;
		t = ssd_write(&s, now, 40, 6, fua);
		CHECK(t >= now + WRITE_LAT(6) + TPROG);
		CHECK_EQ(s.stats.pad_pages, 5);
		CHECK_EQ(s.stats.nand_write_pages, 16);

		/* The pages are on NAND now: a read senses. */
		now = t + SEC;
		CHECK_EQ(ssd_read(&s, now, 10, 1),
			 now + FW_R + lpn_tr(&s, 10) + CX4K + HX4K);
		CHECK(consistent(&s));
		ssd_free(&s);
	}

	/* A cached write that is not FUA pads nothing. */
	p = base_params();
	if (setup(&s, &p, USER_BYTES))
		return;
	CHECK_EQ(ssd_write(&s, now, 10, 1, false), now + WRITE_LAT(1));
	CHECK_EQ(s.stats.pad_pages, 0);
	CHECK_EQ(s.stats.nand_write_pages, 0);
	ssd_free(&s);
}

static void flush(void)
{
	struct ssd_params p = base_params();
	struct ssd_ftl s;
	u64 now = 3 * MS, t, f;

	if (setup(&s, &p, USER_BYTES))
		return;
	/* Nothing buffered: about now. */
	f = ssd_flush(&s, now);
	CHECK(f >= now && f <= now + FW_W + 10 * US);
	CHECK_EQ(s.stats.pad_pages, 0);

	/* One buffered page: padded and programmed. */
	t = ssd_write(&s, now, 1, 1, false);
	CHECK_EQ(t, now + WRITE_LAT(1));
	f = ssd_flush(&s, t);
	CHECK(f >= t + TPROG);
	CHECK(f >= now + TPROG);
	CHECK_EQ(s.stats.pad_pages, 3);
	CHECK_EQ(s.stats.nand_write_pages, 4);

	/* A full unit still programming: the flush waits, pads nothing. */
	now = f + SEC;
	t = ssd_write(&s, now, 100, 4, false);
	CHECK_EQ(t, now + WRITE_LAT(4));
	f = ssd_flush(&s, t);
	CHECK(f >= t + TPROG);
	CHECK_EQ(s.stats.pad_pages, 3);
	CHECK_EQ(s.stats.nand_write_pages, 8);

	/* Everything done long ago: about now again. */
	now = f + SEC;
	f = ssd_flush(&s, now);
	CHECK(f >= now && f <= now + FW_W + 10 * US);
	CHECK_EQ(s.stats.pad_pages, 3);
	CHECK_EQ(s.stats.nand_write_pages, 8);
	CHECK(consistent(&s));
	ssd_free(&s);
}

/* One sequential pass over the capacity: WAF 1 apart from padding, no GC. */
static void sequential_fill(void)
{
	struct ssd_params p = base_params();
	struct ssd_ftl s;
	struct drv d;

	if (setup(&s, &p, USER_BYTES))
		return;
	CHECK(consistent(&s));
	CHECK_EQ(ssd_free_lines(&s), s.nr_lines);
	drv_init(&d, &s, 0);
	fill_seq(&d);
	drv_check(&d);
	CHECK_EQ(s.stats.host_write_pages, s.nr_lpns);
	CHECK_EQ(s.stats.nand_write_pages - s.stats.pad_pages,
		 s.stats.host_write_pages);
	CHECK_EQ(s.stats.gc_write_pages, 0);
	CHECK_EQ(s.stats.gc_fg_lines, 0);
	CHECK_EQ(s.stats.gc_bg_lines, 0);
	CHECK_EQ(s.stats.line_erases, 0);
	CHECK_EQ(s.stats.nand_read_pages, 0);
	CHECK_EQ(unmapped(&s), 0);
	/* The lines taken hold the capacity. */
	CHECK((u64)(s.nr_lines - ssd_free_lines(&s)) * s.pages_per_line >=
	      s.nr_lpns);
	CHECK(consistent(&s));
	ssd_free(&s);
}

/*
 * Random single-page overwrites of 3x the capacity on a full drive, with
 * the given policy.  Checks along the way; returns the WAF x 1000 of the
 * overwrite phase.
 */
static u64 random_overwrites(u32 policy, u64 seed, bool skewed)
{
	struct ssd_params p = base_params();
	struct ssd_ftl s;
	struct drv d;
	u64 i, hw0, nw0, waf, hot;

	p.gc_policy = policy;
	if (setup(&s, &p, USER_BYTES))
		return 0;
	drv_init(&d, &s, 0);
	fill_seq(&d);
	hw0 = s.stats.host_write_pages;
	nw0 = s.stats.nand_write_pages;
	rng = seed;
	hot = s.nr_lpns / 5;
	for (i = 0; i < 3 * s.nr_lpns && !test_failed(); i++) {
		u64 r = rnd(), lpn;

		/* Skewed: 80 % of the writes go to 20 % of the pages. */
		if (skewed && r % 10 < 8)
			lpn = (r >> 8) % hot;
		else
			lpn = (r >> 8) % s.nr_lpns;
		drv_write(&d, lpn, 1);
		if (i % 256 == 0)
			CHECK(consistent(&s));
	}
	drv_flush(&d);
	drv_check(&d);
	CHECK(consistent(&s));
	CHECK_EQ(unmapped(&s), 0);
	CHECK(s.stats.gc_fg_lines + s.stats.gc_bg_lines > 0);
	CHECK(s.stats.gc_write_pages > 0);
	/* GC reads what it moves; every reclaimed line is erased. */
	CHECK(s.stats.nand_read_pages >= s.stats.gc_write_pages);
	CHECK_EQ(s.stats.line_erases, s.stats.gc_fg_lines + s.stats.gc_bg_lines);
	/* On the array: a sense per flash page moved, an erase per die. */
	CHECK(s.nand.stats.reads * s.pages_per_fpage >= s.stats.gc_write_pages);
	CHECK(s.nand.stats.reads <= s.stats.nand_read_pages);
	CHECK_EQ(s.nand.stats.erases, s.stats.line_erases * s.nr_dies);
	CHECK_EQ(s.nand.stats.program_bytes,
		 s.stats.nand_write_pages * SSD_PAGE_BYTES);
	CHECK(d.min_free > 0);
	waf = (s.stats.nand_write_pages - nw0) * 1000 /
	      (s.stats.host_write_pages - hw0);
	CHECK(waf > 1000);
	/* Every page on flash reads from NAND once the array is idle. */
	for (i = 0; i < s.nr_lpns; i += 37) {
		u64 now = d.now + SEC;
		u64 t = ssd_read(&s, now, i, 1);

		if (in_open_unit(&s, s.l2p[i]))
			CHECK_EQ(t, now + READ_LAT(1));
		else
			CHECK_EQ(t, now + FW_R + lpn_tr(&s, i) + CX4K + HX4K);
		d.now = t;
	}
	ssd_free(&s);
	return waf;
}

static void random_overwrites_greedy(void)
{
	u64 waf = random_overwrites(SSD_GC_GREEDY, 0x9e3779b97f4a7c15ULL, false);

	/* Uniform random at 7 % spare: well above 1, far from silly. */
	CHECK(waf > 1500 && waf < 20000);
}

/* Both policies on a skewed workload. */
static void policies_skewed(void)
{
	u64 g = random_overwrites(SSD_GC_GREEDY, 12345, true);
	u64 c = random_overwrites(SSD_GC_COST_BENEFIT, 12345, true);

	CHECK(g > 1000 && c > 1000);
	/* Cost-benefit keeps cold lines out of GC: not worse than greedy. */
	CHECK(c * 10 < g * 12);
	printf("    skewed WAF x1000: greedy %llu, cost-benefit %llu\n",
	       (unsigned long long)g, (unsigned long long)c);
}

/*
 * Adversarial: every full line keeps all but about one page valid, so
 * every victim is nearly full.  GC must still keep free lines.
 */
static void adversarial_nearly_full_victims(void)
{
	struct ssd_params p = base_params();
	struct ssd_ftl s;
	struct drv d;
	u32 line = 0, tries;
	u64 i;

	if (setup(&s, &p, USER_BYTES))
		return;
	drv_init(&d, &s, 0);
	fill_seq(&d);
	for (i = 0; i < 3 * s.nr_lpns && !test_failed(); i++) {
		u32 lpn = SSD_NONE, k;

		/* Next line (round robin) that is not open and holds data. */
		for (tries = 0; tries < s.nr_lines; tries++) {
			line = (line + 1) % s.nr_lines;
			if (line != s.user.line && line != s.gc.line &&
			    s.lines[line].vpc)
				break;
		}
		/* Overwrite one of its valid pages, a different one each time. */
		for (k = 0; k < s.pages_per_line; k++) {
			u32 ppn = line * s.pages_per_line +
				  (k + (u32)i) % s.pages_per_line;

			if (s.p2l[ppn] != SSD_NONE) {
				lpn = s.p2l[ppn];
				break;
			}
		}
		CHECK(lpn != SSD_NONE);
		if (lpn == SSD_NONE)
			break;
		drv_write(&d, lpn, 1);
		if (i % 256 == 0)
			CHECK(consistent(&s));
	}
	drv_flush(&d);
	drv_check(&d);
	CHECK(d.min_free > 0);
	CHECK(s.stats.gc_fg_lines > 0);
	CHECK(consistent(&s));
	CHECK_EQ(unmapped(&s), 0);
	ssd_free(&s);
}

/*
 * The policies pick different victims.  Four old lines are half valid and
 * four recent lines hold fewer valid pages; every other line is full of
 * valid data.  Greedy takes the recent lines, cost-benefit the old ones.
 */
static void gc_policy_victims(void)
{
	u32 policy;

	for (policy = SSD_GC_GREEDY; policy <= SSD_GC_COST_BENEFIT; policy++) {
		struct ssd_params p = base_params();
		struct ssd_ftl s;
		struct drv d;
		u32 old_er = 0, new_er = 0, ppl, i, j, lines;
		u32 old_line[4], new_line[4];
		u64 lpn, wrote = 0;

		p.gc_policy = policy;
		p.op_pct = 0;
		CHECK_EQ(ssd_fit(&p, USER_BYTES, NULL), 0);
		ppl = 4 * p.nand.pages_per_block * 4;
		/* No spare: the user pages fill every line but the reserve. */
		lines = USER_BYTES / SSD_PAGE_BYTES / ppl + p.gc_fg_lines + 3;
		p.nand.blocks_per_plane = lines;
		CHECK_EQ(ssd_params_check(&p, USER_BYTES, NULL), 0);
		CHECK_EQ(ssd_init(&s, &p, USER_BYTES), 0);
		if (test_failed())
			return;
		drv_init(&d, &s, 0);
		fill_seq(&d);
		CHECK_EQ(s.stats.pad_pages, 0);
		CHECK_EQ(ssd_free_lines(&s), p.gc_fg_lines + 3);
		for (i = 0; i < 4; i++) {
			old_line[i] = s.l2p[i * ppl] / ppl;
			new_line[i] = s.l2p[(4 + i) * ppl] / ppl;
		}
		/* At 1 s: half of each old line; at 100 s, more of each new one. */
		d.now = max_t(u64, d.now, 1 * SEC);
		for (i = 0; i < 4; i++)
			for (j = 0; j < ppl / 2; j++)
				drv_trim(&d, i * ppl + 2 * j, 1);
		d.now = max_t(u64, d.now, 100 * SEC);
		for (i = 4; i < 8; i++)
			for (j = 0; j < ppl / 2 + 2; j++)
				drv_trim(&d, i * ppl + j, 1);
		for (i = 0; i < 4; i++) {
			CHECK_EQ(s.lines[old_line[i]].vpc, ppl / 2);
			CHECK_EQ(s.lines[new_line[i]].vpc, ppl / 2 - 2);
		}
		CHECK_EQ(s.stats.line_erases, 0);
		/* Write trimmed pages back until the first GC. */
		for (lpn = 0; lpn < s.nr_lpns && !s.stats.line_erases; lpn++) {
			if (s.l2p[lpn] != SSD_NONE)
				continue;
			drv_write(&d, lpn, 1);
			wrote++;
		}
		drv_check(&d);
		CHECK(s.stats.gc_fg_lines > 0);
		/*
		 * Two of the free lines go to new data before GC starts (at
		 * gc_fg_lines free lines, alongside the host writes).
		 */
		CHECK(wrote > 2ULL * ppl);
		for (i = 0; i < 4; i++) {
			old_er += s.lines[old_line[i]].erase_count;
			new_er += s.lines[new_line[i]].erase_count;
		}
		if (policy == SSD_GC_GREEDY) {
			CHECK(new_er > 0);
			CHECK_EQ(old_er, 0);
		} else {
			CHECK(old_er > 0);
			CHECK_EQ(new_er, 0);
		}
		CHECK(consistent(&s));
		ssd_free(&s);
	}
}

/* A small hot set rewritten for a long time: GC reclaims the hot lines. */
static void hot_set_forever(void)
{
	u32 policy;

	for (policy = SSD_GC_GREEDY; policy <= SSD_GC_COST_BENEFIT; policy++) {
		struct ssd_params p = base_params();
		struct ssd_ftl s;
		struct drv d;
		u64 i, hw0, nw0;

		p.gc_policy = policy;
		if (setup(&s, &p, USER_BYTES))
			return;
		drv_init(&d, &s, 0);
		fill_seq(&d);
		hw0 = s.stats.host_write_pages;
		nw0 = s.stats.nand_write_pages;
		for (i = 0; i < 10 * s.nr_lpns && !test_failed(); i++) {
			drv_write(&d, 300 + i % 8, 1);
			if (i % 1024 == 0)
				CHECK(consistent(&s));
		}
		drv_flush(&d);
		drv_check(&d);
		CHECK(d.min_free > 0);
		CHECK(s.stats.gc_fg_lines > 0);
		CHECK(consistent(&s));
		CHECK_EQ(unmapped(&s), 0);
		/* Victims are hot lines, nearly empty: little is moved. */
		CHECK((s.stats.nand_write_pages - nw0) * 10 <
		      (s.stats.host_write_pages - hw0) * 15);
		ssd_free(&s);
	}
}

/*
 * A TLC array with 2 planes and one-shot programs of 3 pages: a unit holds
 * one page of each type per plane, and GC works on it as on the rest.
 */
static void tlc_multiplane(void)
{
	struct ssd_params p = base_params();
	struct ssd_ftl s;
	struct drv d;
	u64 tr[3] = { 45 * US, 60 * US, 80 * US };
	u32 seen[3] = { 0, 0, 0 }, ppu, k, j;
	u64 i, now;

	p.nand.planes_per_lun = 2;
	p.nand.oneshot_pages = 3;
	p.nand.cell_bits = 3;
	p.nand.pages_per_block = 48;
	memcpy(p.nand.read_ns, tr, sizeof(tr));
	p.wb_bytes = 2 * MIB;
	if (setup(&s, &p, USER_BYTES))
		return;
	ppu = s.pages_per_unit;
	CHECK_EQ(ppu, 2 * 3 * 4);
	CHECK_EQ(s.units_per_line, s.nr_dies * p.nand.pages_per_block / 3);
	drv_init(&d, &s, 0);
	fill_seq(&d);
	drv_check(&d);
	CHECK_EQ(s.stats.nand_write_pages - s.stats.pad_pages, s.nr_lpns);

	/* The pages of unit 0, one read each on an idle array. */
	now = d.now + SEC;
	for (k = 0; k < ppu; k++) {
		u64 t = ssd_read(&s, now, k, 1) - now, base = FW_R + CX4K + HX4K;

		for (j = 0; j < 3; j++)
			if (t == base + tr[j])
				seen[j]++;
		now += SEC;
	}
	for (j = 0; j < 3; j++)
		CHECK_EQ(seen[j], ppu / 3);

	/* Random overwrites: GC, consistency. */
	d.now = now;
	rng = 31337;
	for (i = 0; i < 3 * s.nr_lpns && !test_failed(); i++) {
		drv_write(&d, (rnd() >> 8) % s.nr_lpns, 1);
		if (i % 512 == 0)
			CHECK(consistent(&s));
	}
	drv_flush(&d);
	drv_check(&d);
	CHECK(s.stats.gc_fg_lines > 0);
	CHECK(consistent(&s));
	CHECK_EQ(unmapped(&s), 0);
	ssd_free(&s);
}

static void trim(void)
{
	struct ssd_params p = base_params();
	struct ssd_ftl s;
	struct drv d;
	u64 t, now, i;

	if (setup(&s, &p, USER_BYTES))
		return;
	drv_init(&d, &s, 0);
	fill_seq(&d);
	CHECK_EQ(s.stats.trim_pages, 0);

	/* Trim 100 mapped pages, then 50 of which 25 are already trimmed. */
	drv_trim(&d, 200, 100);
	CHECK_EQ(s.stats.trim_pages, 100);
	drv_trim(&d, 275, 50);
	CHECK_EQ(s.stats.trim_pages, 125);
	for (i = 190; i < 335; i++)
		CHECK_EQ(s.l2p[i] != SSD_NONE, i < 200 || i >= 325);
	CHECK_EQ(unmapped(&s), 125);
	CHECK(consistent(&s));

	/* A read of trimmed pages takes no NAND time. */
	now = d.now + SEC;
	CHECK_EQ(ssd_read(&s, now, 250, 8), now + READ_LAT(8));
	now += SEC;
	CHECK(ssd_read(&s, now, 100, 1) >= now + FW_R + TR_LSB + CX4K + HX4K);

	/* Trim a page still in the open unit, then write it again. */
	t = ssd_write(&s, now, 250, 1, false);
	CHECK(s.l2p[250] != SSD_NONE);
	t = ssd_trim(&s, t, 250, 1);
	CHECK_EQ(s.l2p[250], SSD_NONE);
	CHECK_EQ(s.stats.trim_pages, 126);
	CHECK(consistent(&s));
	t = ssd_write(&s, t, 250, 1, false);
	CHECK(s.l2p[250] != SSD_NONE);
	CHECK_EQ(unmapped(&s), 124);

	/* Trim the whole drive. */
	t = ssd_trim(&s, t, 0, s.nr_lpns);
	CHECK(t >= now);
	CHECK_EQ(unmapped(&s), s.nr_lpns);
	CHECK_EQ(s.stats.trim_pages, 126 + s.nr_lpns - 124);
	CHECK(consistent(&s));
	/* Every line's valid count is 0 now. */
	for (i = 0; i < s.nr_lines; i++)
		CHECK_EQ(s.lines[i].vpc, 0);
	ssd_free(&s);
}

/* WAF x 1000 of random overwrites of the first half, half trimmed or not. */
static u64 waf_half(bool do_trim)
{
	struct ssd_params p = base_params();
	struct ssd_ftl s;
	struct drv d;
	u64 i, half, hw0, nw0, waf;

	if (setup(&s, &p, USER_BYTES))
		return 0;
	drv_init(&d, &s, 0);
	fill_seq(&d);
	half = s.nr_lpns / 2;
	if (do_trim)
		drv_trim(&d, half, s.nr_lpns - half);
	hw0 = s.stats.host_write_pages;
	nw0 = s.stats.nand_write_pages;
	rng = 0xdeadbeefcafef00dULL;
	for (i = 0; i < 3 * s.nr_lpns; i++)
		drv_write(&d, (rnd() >> 8) % half, 1);
	drv_flush(&d);
	drv_check(&d);
	CHECK(consistent(&s));
	CHECK_EQ(unmapped(&s), do_trim ? s.nr_lpns - half : 0);
	waf = (s.stats.nand_write_pages - nw0) * 1000 /
	      (s.stats.host_write_pages - hw0);
	ssd_free(&s);
	return waf;
}

static void trim_lowers_waf(void)
{
	u64 with = waf_half(true), without = waf_half(false);

	CHECK(with >= 1000);
	CHECK(with < without);
	printf("    WAF x1000: trimmed half %llu, not trimmed %llu\n",
	       (unsigned long long)with, (unsigned long long)without);
}

/*
 * Background GC: after a long idle gap, a command finds free lines
 * reclaimed in the idle time, and it is not delayed by that GC.
 */
static void background_gc(void)
{
	struct ssd_params p = base_params();
	struct ssd_ftl s, fresh;
	struct drv d;
	u64 i, bg0, now, t1, t2, f1, f2;
	u32 free0;

	p.gc_fg_lines = 2;
	p.gc_bg_lines = 5;
	p.gc_bg_idle_ns = 1 * MS;
	if (setup(&s, &p, USER_BYTES))
		return;
	drv_init(&d, &s, 0);
	fill_seq(&d);
	rng = 777;
	for (i = 0; i < 2 * s.nr_lpns; i++)
		drv_write(&d, (rnd() >> 8) % s.nr_lpns, 1);
	CHECK(s.stats.gc_fg_lines > 0);
	/*
	 * At 100 % the invalid pages all sit in the open GC line.  Trimming a
	 * quarter leaves invalid pages in every line for GC to reclaim.
	 */
	drv_trim(&d, 0, s.nr_lpns / 4);
	drv_flush(&d);
	drv_check(&d);
	free0 = ssd_free_lines(&s);
	CHECK(free0 < p.gc_bg_lines);
	bg0 = s.stats.gc_bg_lines;

	/* Idle for less than gc_bg_idle_ns: no background GC. */
	now = max_t(u64, d.now, nand_idle_at(&s.nand)) + p.gc_bg_idle_ns / 2;
	now = ssd_write(&s, now, s.nr_lpns / 2, 1, false);
	now = ssd_flush(&s, now);
	CHECK_EQ(s.stats.gc_bg_lines, bg0);
	/* A victim under way may have made the GC pointer open a line. */
	CHECK(ssd_free_lines(&s) + 1 >= free0);

	/* Ten seconds later: a cached write, then a FUA write. */
	now += 10 * SEC;
	t1 = ssd_write(&s, now, 17, 1, false);
	CHECK(s.stats.gc_bg_lines > bg0);
	CHECK(s.stats.gc_bg_lines - bg0 <= SSD_BG_GC_MAX);
	/*
	 * Ten seconds are enough for every victim: background GC stopped at
	 * the per-command limit or at the threshold (the write may then have
	 * opened a line).
	 */
	CHECK(s.stats.gc_bg_lines - bg0 == SSD_BG_GC_MAX ||
	      ssd_free_lines(&s) + 1 >= p.gc_bg_lines);
	CHECK(ssd_free_lines(&s) > free0);
	CHECK_EQ(t1, now + WRITE_LAT(1));
	t2 = ssd_write(&s, t1, 18, 1, true);
	CHECK(consistent(&s));
	CHECK_EQ(unmapped(&s), s.nr_lpns / 4 - 2);	/* 17 and 18 */

	/* The same two writes on a new, idle FTL take the same time. */
	if (!setup(&fresh, &p, USER_BYTES)) {
		f1 = ssd_write(&fresh, now, 17, 1, false);
		f2 = ssd_write(&fresh, f1, 18, 1, true);
		CHECK_EQ(t1 - now, f1 - now);
		CHECK_EQ(t2 - t1, f2 - f1);
		ssd_free(&fresh);
	}
	ssd_free(&s);

	/* Without background GC the idle gap reclaims nothing. */
	p = base_params();
	if (setup(&s, &p, USER_BYTES))
		return;
	drv_init(&d, &s, 0);
	fill_seq(&d);
	rng = 777;
	for (i = 0; i < 2 * s.nr_lpns; i++)
		drv_write(&d, (rnd() >> 8) % s.nr_lpns, 1);
	drv_flush(&d);
	free0 = ssd_free_lines(&s);
	ssd_write(&s, d.now + 10 * SEC, 17, 1, false);
	CHECK_EQ(s.stats.gc_bg_lines, 0);
	CHECK(ssd_free_lines(&s) <= free0);
	ssd_free(&s);
}

/* Wear grows with overwrites; % used is the mean erase count / rating. */
static void wear(void)
{
	struct ssd_params p = base_params();
	struct ssd_ftl s;
	struct drv d;
	u64 mean, prev_mean = 0, sum, i, k;
	u32 max = 0, pct = 0, prev_pct = 0, l;

	p.pe_cycles = 2;
	if (setup(&s, &p, USER_BYTES))
		return;
	ssd_wear(&s, &mean, &max);
	CHECK_EQ(mean, 0);
	CHECK_EQ(max, 0);
	CHECK_EQ(ssd_percent_used(&s), 0);
	drv_init(&d, &s, 0);
	fill_seq(&d);
	rng = 4242;
	for (k = 0; k < 8 && !test_failed(); k++) {
		for (i = 0; i < s.nr_lpns; i++)
			drv_write(&d, (rnd() >> 8) % s.nr_lpns, 1);
		ssd_wear(&s, &mean, &max);
		pct = ssd_percent_used(&s);
		sum = 0;
		for (l = 0; l < s.nr_lines; l++)
			sum += s.lines[l].erase_count;
		CHECK_EQ(sum, s.stats.line_erases);
		CHECK_EQ(mean, sum * 100 / s.nr_lines);
		CHECK(max * 100ULL >= mean);
		CHECK(mean >= prev_mean);
		CHECK(pct >= prev_pct);
		CHECK_EQ(pct, min_t(u64, mean / p.pe_cycles, 255));
		prev_mean = mean;
		prev_pct = pct;
	}
	drv_check(&d);
	CHECK(mean > 0);
	CHECK(max >= 1);
	CHECK(pct > 0);
	/* With a rating of 2 and 8 overwrites of the drive: past 100 %. */
	CHECK(pct > 100);
	ssd_free(&s);

	/* A rating of 1 saturates at 255. */
	p = base_params();
	p.pe_cycles = 1;
	if (setup(&s, &p, USER_BYTES))
		return;
	drv_init(&d, &s, 0);
	fill_seq(&d);
	rng = 99;
	for (i = 0; i < 8 * s.nr_lpns; i++)
		drv_write(&d, (rnd() >> 8) % s.nr_lpns, 1);
	ssd_wear(&s, &mean, &max);
	CHECK(mean > 255);
	CHECK_EQ(ssd_percent_used(&s), 255);
	ssd_free(&s);
}

/* After a controller reset old work delays nothing; the mapping stays. */
static void reset_timing(void)
{
	struct ssd_params p = base_params();
	struct ssd_ftl s;
	u64 last = 0, lpn, t;

	if (setup(&s, &p, USER_BYTES))
		return;
	/* The whole capacity submitted at time 0: the buffer fills. */
	for (lpn = 0; lpn < s.nr_lpns; lpn += 32)
		last = max_t(u64, last, ssd_write(&s, 0, lpn, 32, false));
	CHECK(last > 10 * MS);
	/* Still busy: one more write at 0 waits for buffer room. */
	t = ssd_write(&s, 0, 5, 1, false);
	CHECK(t > WRITE_LAT(1) + 10 * MS);
	t = ssd_read(&s, 0, 0, 1);
	CHECK(t > 10 * MS);

	ssd_reset_timing(&s);
	CHECK_EQ(ssd_write(&s, 0, 6, 1, false), WRITE_LAT(1));
	/* The flush programs the open unit on an idle array. */
	CHECK_EQ(ssd_flush(&s, WRITE_LAT(1)), WRITE_LAT(1) + CX16K + TPROG);
	CHECK_EQ(ssd_read(&s, 1 * MS, 7 + s.nr_lpns / 2, 1) - 1 * MS,
		 FW_R + lpn_tr(&s, 7 + s.nr_lpns / 2) + CX4K + HX4K);
	CHECK(consistent(&s));
	CHECK_EQ(unmapped(&s), 0);
	ssd_free(&s);
}

static const struct test_case tests[] = {
	TEST(profiles),
	TEST(fit_small),
	TEST(fit_geometries),
	TEST(params_check),
	TEST(qd1_idle_no_nand),
	TEST(qd1_read_programmed),
	TEST(read_one_sense_per_flash_page),
	TEST(write_buffer_throttles),
	TEST(fua_and_cache_off),
	TEST(flush),
	TEST(sequential_fill),
	TEST(random_overwrites_greedy),
	TEST(policies_skewed),
	TEST(adversarial_nearly_full_victims),
	TEST(gc_policy_victims),
	TEST(hot_set_forever),
	TEST(tlc_multiplane),
	TEST(trim),
	TEST(trim_lowers_waf),
	TEST(background_gc),
	TEST(wear),
	TEST(reset_timing),
};

int main(void)
{
	return TEST_RUN("ssd_ftl", tests);
}
