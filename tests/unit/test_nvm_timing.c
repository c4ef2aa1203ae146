// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of the NVM timing model (src/pure/nvm_timing.c).
 */
#include "nvm_timing.h"
#include "test.h"

#define US	1000ULL
#define MS	1000000ULL
#define SEC	1000000000ULL

static struct nvm_timing cfg(u64 rlat, u64 wlat, u32 rbw, u32 wbw, u32 units)
{
	struct nvm_timing t = {
		.read_lat_ns = rlat,
		.write_lat_ns = wlat,
		.read_bw_mbs = rbw,
		.write_bw_mbs = wbw,
		.nr_units = units,
	};
	return t;
}

/* Reference transfer time, computed in 128 bits: ceil(bytes * 1000 / bw). */
static u64 ref_xfer(u64 bytes, u32 bw)
{
	unsigned __int128 p = (unsigned __int128)bytes * 1000;

	if (!bw)
		return 0;
	return (u64)((p + bw - 1) / bw);
}

/* An idle device finishes at now + latency + transfer, in either direction. */
static void qd1_exact(void)
{
	static const struct {
		u64 lat;
		u32 bw;
		u64 bytes;
		u64 want_delta;	/* written out by hand */
	} c[] = {
		{ 10 * US, 2000, 4096, 10000 + 2048 },
		{ 7, 3, 1, 7 + 334 },			/* 333.33 rounds up */
		{ 0, 1, 1ULL << 32, 4294967296000ULL },	/* slowest, biggest */
		{ 10 * SEC, 100000, 1ULL << 32, 10 * SEC + 42949673 },
		{ 5 * US, 0, 1 << 20, 5 * US },		/* unlimited bandwidth */
		{ 5 * US, 1000, 0, 5 * US },		/* no data */
		{ 1, 999, 512, 1 + 513 },		/* 512.51 rounds up */
		{ 300, 1000, 4096, 300 + 4096 },	/* exact */
		{ 0, 7, 1ULL << 50, 160842843834660572ULL },
	};
	size_t i;
	int dir;

	for (i = 0; i < ARRAY_SIZE(c); i++) {
		for (dir = 0; dir < 2; dir++) {
			struct nvm_timing t = cfg(c[i].lat, c[i].lat, c[i].bw,
						  c[i].bw, 4);
			struct nvm_model m;
			u64 now = 123456789;

			nvm_model_init(&m, &t);
			CHECK_EQ(nvm_model_submit(&m, now, dir, c[i].bytes),
				 now + c[i].want_delta);
			CHECK_EQ(c[i].want_delta,
				 c[i].lat + ref_xfer(c[i].bytes, c[i].bw));
			/* Idle again once that one is done: same delta. */
			now += c[i].want_delta + 1;
			CHECK_EQ(nvm_model_submit(&m, now, dir, c[i].bytes),
				 now + c[i].want_delta);
		}
	}
}

/* Latencies and bandwidths differ per direction. */
static void qd1_directions(void)
{
	struct nvm_timing t = cfg(7 * US, 20 * US, 2000, 500, 1);
	struct nvm_model m;

	nvm_model_init(&m, &t);
	CHECK_EQ(nvm_model_submit(&m, 0, false, 8192), 7 * US + 4096);
	CHECK_EQ(nvm_model_submit(&m, SEC, true, 8192), SEC + 20 * US + 16384);
}

/* Zero latencies and unlimited bandwidth return now, whatever comes. */
static void zero_config_returns_now(void)
{
	struct nvm_timing t = cfg(0, 0, 0, 0, 1);
	struct nvm_model m;
	u64 now = 1000;
	int i;

	nvm_model_init(&m, &t);
	for (i = 0; i < 1000; i++) {
		u64 bytes = (u64)(i * 7919 % 1000) << 12;

		/* Arrival times go back and forth on purpose. */
		now = (i % 3) ? now + 17 : now - 5;
		CHECK_EQ(nvm_model_submit(&m, now, i & 1, bytes), now);
	}
	CHECK_EQ(nvm_model_submit(&m, 0, false, 1ULL << 32), 0);
	CHECK_EQ(nvm_model_submit(&m, U64_MAX, true, 1ULL << 32), U64_MAX);
}

/* N commands at once on N units all finish together; one more waits. */
static void parallel_units(void)
{
	static const u32 n[] = { 1, 2, 4, 31, NVM_MAX_UNITS };
	size_t k;
	u32 i;
	int dir;

	for (k = 0; k < ARRAY_SIZE(n); k++) {
		for (dir = 0; dir < 2; dir++) {
			struct nvm_timing t = cfg(10 * US, 30 * US, 0, 0, n[k]);
			struct nvm_model m;
			u64 lat = dir ? 30 * US : 10 * US;
			u64 now = 5 * MS;

			nvm_model_init(&m, &t);
			for (i = 0; i < n[k]; i++)
				CHECK_EQ(nvm_model_submit(&m, now, dir, 4096),
					 now + lat);
			CHECK_EQ(nvm_model_submit(&m, now, dir, 4096),
				 now + 2 * lat);
			/* A unit is free again once its command is done. */
			CHECK_EQ(nvm_model_submit(&m, now + 3 * lat, dir, 4096),
				 now + 4 * lat);
		}
	}
}

/* With units 1 the media parts queue; the transfers overlap them. */
static void single_unit_pipeline(void)
{
	struct nvm_timing t = cfg(10 * US, 10 * US, 1000, 1000, 1);
	struct nvm_model m;
	u64 x = 4096;	/* ns for 4096 bytes at 1000 MB/s */

	/* Reads: media [0,L) xfer [L,L+X); media [L,2L) xfer [2L,2L+X). */
	nvm_model_init(&m, &t);
	CHECK_EQ(nvm_model_submit(&m, 0, false, 4096), 10 * US + x);
	CHECK_EQ(nvm_model_submit(&m, 0, false, 4096), 20 * US + x);
	/* Writes: xfer [0,X) media [X,X+L); xfer [X,2X) media [X+L,X+2L). */
	nvm_model_init(&m, &t);
	CHECK_EQ(nvm_model_submit(&m, 0, true, 4096), x + 10 * US);
	CHECK_EQ(nvm_model_submit(&m, 0, true, 4096), x + 20 * US);
}

/* A stream of large commands is paced by the bandwidth. */
static void bandwidth_stream(void)
{
	struct nvm_timing t = cfg(10 * US, 10 * US, 1000, 1000, 4);
	const u64 bs = 128 * 1024;
	const u64 x = bs;	/* ns: 1000 MB/s moves one byte per ns */
	struct nvm_model m;
	u64 done = 0;
	int i;

	/* Reads: the first media part, then back-to-back transfers. */
	nvm_model_init(&m, &t);
	for (i = 0; i < 100; i++)
		done = nvm_model_submit(&m, 0, false, bs);
	CHECK_EQ(done, 10 * US + 100 * x);

	/* Writes: back-to-back transfers, then the last media part. */
	nvm_model_init(&m, &t);
	for (i = 0; i < 100; i++)
		done = nvm_model_submit(&m, 0, true, bs);
	CHECK_EQ(done, 100 * x + 10 * US);

	/* Pure bandwidth: total bytes / bandwidth exactly. */
	t = cfg(0, 0, 3000, 3000, 1);
	nvm_model_init(&m, &t);
	for (i = 0; i < 1000; i++)
		done = nvm_model_submit(&m, 0, false, 3000);
	CHECK_EQ(done, 1000ULL * 3000 * 1000 / 3000);
}

/* Reads and writes each have their own channel. */
static void separate_channels(void)
{
	struct nvm_timing t = cfg(10 * US, 10 * US, 1000, 1000, 8);
	struct nvm_model m;
	const u64 x = 1 << 20;

	nvm_model_init(&m, &t);
	CHECK_EQ(nvm_model_submit(&m, 0, false, 1 << 20), 10 * US + x);
	CHECK_EQ(nvm_model_submit(&m, 0, true, 1 << 20), x + 10 * US);
	/* Same direction: the second transfer waits for the first. */
	CHECK_EQ(nvm_model_submit(&m, 0, false, 1 << 20), 10 * US + 2 * x);
	CHECK_EQ(nvm_model_submit(&m, 0, true, 1 << 20), 2 * x + 10 * US);
	/* A zero-byte command waits for no channel. */
	CHECK_EQ(nvm_model_submit(&m, 0, false, 0), 10 * US);
	CHECK_EQ(nvm_model_submit(&m, 0, true, 0), 10 * US);
}

static void check_rejects_bad_values(void)
{
	struct nvm_timing good = cfg(10 * SEC, 10 * SEC, 100000, 100000, 64);
	struct nvm_timing t;
	const char *why = "unset";

	CHECK_EQ(nvm_timing_check(&good, &why), 0);
	CHECK(!why);
	t = cfg(0, 0, 0, 0, 1);
	CHECK_EQ(nvm_timing_check(&t, NULL), 0);

	t = good;
	t.read_lat_ns++;
	CHECK_EQ(nvm_timing_check(&t, &why), -EINVAL);
	CHECK(why && strstr(why, "read latency"));
	t = good;
	t.write_lat_ns = U64_MAX;
	CHECK_EQ(nvm_timing_check(&t, &why), -EINVAL);
	CHECK(why && strstr(why, "write latency"));
	t = good;
	t.read_bw_mbs = 100001;
	CHECK_EQ(nvm_timing_check(&t, &why), -EINVAL);
	CHECK(why && strstr(why, "read bandwidth"));
	t = good;
	t.write_bw_mbs = U32_MAX;
	CHECK_EQ(nvm_timing_check(&t, &why), -EINVAL);
	CHECK(why && strstr(why, "write bandwidth"));
	t = good;
	t.nr_units = 0;
	CHECK_EQ(nvm_timing_check(&t, &why), -EINVAL);
	CHECK(why && strstr(why, "units"));
	t.nr_units = NVM_MAX_UNITS + 1;
	CHECK_EQ(nvm_timing_check(&t, NULL), -EINVAL);
}

/* init clamps nr_units that nvm_timing_check would reject. */
static void init_clamps_units(void)
{
	struct nvm_timing t = cfg(1 * US, 1 * US, 0, 0, 0);
	struct nvm_model m;
	u32 i;

	nvm_model_init(&m, &t);
	CHECK_EQ(m.t.nr_units, 1);
	CHECK_EQ(nvm_model_submit(&m, 0, false, 512), 1 * US);
	CHECK_EQ(nvm_model_submit(&m, 0, false, 512), 2 * US);

	t.nr_units = 1000;
	nvm_model_init(&m, &t);
	CHECK_EQ(m.t.nr_units, NVM_MAX_UNITS);
	for (i = 0; i < NVM_MAX_UNITS; i++)
		CHECK_EQ(nvm_model_submit(&m, 0, true, 512), 1 * US);
	CHECK_EQ(nvm_model_submit(&m, 0, true, 512), 2 * US);
}

static void reset_clears_queues(void)
{
	struct nvm_timing t = cfg(10 * US, 20 * US, 100, 100, 2);
	struct nvm_model m;
	u64 now = 50 * US;
	int i;

	nvm_model_init(&m, &t);
	for (i = 0; i < 100; i++) {
		nvm_model_submit(&m, 0, false, 1 << 20);
		nvm_model_submit(&m, 0, true, 1 << 20);
	}
	/* Busy: a new command is far behind. */
	CHECK(nvm_model_submit(&m, now, false, 4096) > SEC);
	nvm_model_reset(&m);
	CHECK_EQ(nvm_model_submit(&m, now, false, 4096), now + 10 * US + 40960);
	CHECK_EQ(nvm_model_submit(&m, now, true, 4096), now + 40960 + 20 * US);
	/* The configuration survives a reset. */
	CHECK_EQ(m.t.nr_units, 2);
	CHECK_EQ(m.t.read_bw_mbs, 100);
}

/*
 * Closed loop at queue depth qd on a virtual clock: each completion
 * submits the next command at its completion time.  Returns the IOPS
 * measured after a warm-up.
 */
static double run_closed_loop(struct nvm_model *m, unsigned int qd, bool write,
			      u64 bs, unsigned int total)
{
	u64 done[64];
	u64 t0 = 0, t = 0;
	unsigned int warm = total / 10;
	unsigned int i, k, best;

	for (k = 0; k < qd; k++)
		done[k] = nvm_model_submit(m, 0, write, bs);
	for (i = 0; i < total; i++) {
		best = 0;
		for (k = 1; k < qd; k++)
			if (done[k] < done[best])
				best = k;
		t = done[best];
		if (i == warm)
			t0 = t;
		done[best] = nvm_model_submit(m, t, write, bs);
	}
	return (double)(total - 1 - warm) * 1e9 / (double)(t - t0);
}

/* QD32 random 4 KiB I/O: IOPS is min(units / lat, bw / bs) within 1 %. */
static void qd32_virtual_clock(void)
{
	static const struct {
		u64 lat;
		u32 bw;
		u32 units;
		u64 bs;
		bool write;
	} c[] = {
		{ 10 * US, 10000, 8, 4096, false },	/* units bound */
		{ 10 * US, 2000, 16, 4096, false },	/* bandwidth bound */
		{ 3 * US, 3000, 4, 4096, false },	/* bandwidth, rounding */
		{ 2500, 100000, 32, 512, false },	/* all units busy */
		{ 10 * US, 10000, 8, 4096, true },
		{ 20 * US, 1500, 32, 16384, true },
		{ 7 * US, 0, 3, 4096, true },		/* no bandwidth limit */
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(c); i++) {
		struct nvm_timing t = cfg(c[i].lat, c[i].lat, c[i].bw, c[i].bw,
					  c[i].units);
		struct nvm_model m;
		double units_iops = c[i].units * 1e9 / (double)c[i].lat;
		double bw_iops = c[i].bw ? c[i].bw * 1e6 / (double)c[i].bs : 1e30;
		double want = units_iops < bw_iops ? units_iops : bw_iops;
		double got;

		nvm_model_init(&m, &t);
		got = run_closed_loop(&m, 32, c[i].write, c[i].bs, 200000);
		if (got < want * 0.99 || got > want * 1.01) {
			printf("    case %zu: %.0f IOPS, want %.0f\n", i, got,
			       want);
			CHECK(0);
		}
	}
}

static const struct test_case tests[] = {
	TEST(qd1_exact),
	TEST(qd1_directions),
	TEST(zero_config_returns_now),
	TEST(parallel_units),
	TEST(single_unit_pipeline),
	TEST(bandwidth_stream),
	TEST(separate_channels),
	TEST(check_rejects_bad_values),
	TEST(init_clamps_units),
	TEST(reset_clears_queues),
	TEST(qd32_virtual_clock),
};

int main(void)
{
	return TEST_RUN("nvm_timing", tests);
}
