// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of the fault injection model (src/pure/fault.c): media error
 * ranges, seeded random errors, latency spikes, periodic stalls, lost
 * completions, and the parsers of settings and range commands.
 */
#include "fault.h"
#include "test.h"

#define US	1000ULL
#define MS	1000000ULL

static struct fault f, g;

static void off_by_default(void)
{
	struct fault_verdict v;
	u32 op;

	fault_init(&f);
	CHECK(!fault_active(&f));
	for (op = 0; op < FAULT_NR_OPS; op++) {
		fault_decide(&f, op, 0, 8, 123 * MS, &v);
		CHECK_EQ(v.status, 0);
		CHECK(!v.lost);
		CHECK_EQ(v.delay_ns, 0);
	}
}

static void media_ranges(void)
{
	struct fault_verdict v;
	const char *why = NULL;

	fault_init(&f);
	CHECK_EQ(fault_range_cmd(&f, FAULT_READ, "+100-199", &why), 0);
	CHECK_EQ(fault_range_cmd(&f, FAULT_WRITE, "+500\n", &why), 0);
	CHECK(fault_active(&f));
	fault_decide(&f, FAULT_READ, 90, 10, 0, &v);	/* 90..99 */
	CHECK_EQ(v.status, 0);
	fault_decide(&f, FAULT_READ, 95, 10, 0, &v);	/* 95..104 */
	CHECK_EQ(v.status, FAULT_SC_READ_ERROR);
	CHECK(v.media);
	fault_decide(&f, FAULT_WRITE, 150, 1, 0, &v);	/* reads only there */
	CHECK_EQ(v.status, 0);
	fault_decide(&f, FAULT_WRITE, 500, 1, 0, &v);
	CHECK_EQ(v.status, FAULT_SC_WRITE_FAULT);
	fault_decide(&f, FAULT_READ, 500, 1, 0, &v);
	CHECK_EQ(v.status, 0);
	CHECK_EQ(f.st.media[FAULT_READ], 1);
	CHECK_EQ(f.st.media[FAULT_WRITE], 1);
	/* A hole, then clear. */
	CHECK_EQ(fault_range_cmd(&f, FAULT_READ, "-120-129", &why), 0);
	fault_decide(&f, FAULT_READ, 120, 10, 0, &v);
	CHECK_EQ(v.status, 0);
	fault_decide(&f, FAULT_READ, 119, 2, 0, &v);
	CHECK_EQ(v.status, FAULT_SC_READ_ERROR);
	CHECK_EQ(fault_range_cmd(&f, FAULT_READ, "clear", &why), 0);
	fault_decide(&f, FAULT_READ, 100, 100, 0, &v);
	CHECK_EQ(v.status, 0);
	/* Past the namespace's end: refused, nothing added. */
	f.nr_lbas = 1000;
	CHECK_EQ(fault_range_cmd(&f, FAULT_READ, "+990-1000", &why), -EINVAL);
	CHECK_EQ(f.bad[FAULT_READ].nr, 0);
	CHECK_EQ(fault_range_cmd(&f, FAULT_READ, "+990-999", &why), 0);
	CHECK_EQ(fault_range_cmd(&f, FAULT_READ, "-5000", &why), 0);
	CHECK_EQ(fault_range_cmd(&f, FAULT_READ, "clear", &why), 0);
	f.nr_lbas = 0;
	/* Flush and other commands have no ranges. */
	CHECK_EQ(fault_range_cmd(&f, FAULT_FLUSH, "+1", &why), -EINVAL);
}

static void range_cmds_refused(void)
{
	static const char *const bad[] = {
		"", "+", "100", "+x", "+5-4", "+1-", "+-1", "*1", "+1-2-3",
		"+18446744073709551615", "clear2", "+1 ",
	};
	const char *why;
	u32 i;

	fault_init(&f);
	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		why = NULL;
		CHECK_EQ(fault_range_cmd(&f, FAULT_READ, bad[i], &why), -EINVAL);
		CHECK(why != NULL);
	}
	CHECK_EQ(f.bad[FAULT_READ].nr, 0);
	/* Full: FAULT_MAX_RANGES separate ranges, then one more. */
	for (i = 0; i < FAULT_MAX_RANGES; i++) {
		char s[32];

		snprintf(s, sizeof(s), "+%u", i * 2);
		CHECK_EQ(fault_range_cmd(&f, FAULT_READ, s, &why), 0);
	}
	CHECK_EQ(fault_range_cmd(&f, FAULT_READ, "+100000", &why), -ENOSPC);
	CHECK(why != NULL);
	CHECK_EQ(f.bad[FAULT_READ].nr, FAULT_MAX_RANGES);
	/* Joining two neighbours needs no slot. */
	CHECK_EQ(fault_range_cmd(&f, FAULT_READ, "+1", &why), 0);
	CHECK_EQ(f.bad[FAULT_READ].nr, FAULT_MAX_RANGES - 1);
}

static const char every_key[] =
	"seed=7,read_ppm=1000,write_ppm=2,flush_ppm=3,other_ppm=4,spike_ppm=5,spike_us=250,stall_period_ms=1000,stall_ms=50,lost_ppm=6\n";

static void settings_parse(void)
{
	static const char *const bad[] = {
		"read_ppm", "read_ppm=x", "read_ppm=1000001", "nope=1",
		"stall_ms=10", "stall_period_ms=10,stall_ms=10",
		"spike_us=60000001", "seed=-1",
	};
	const char *why;
	u32 i;

	fault_init(&f);
	CHECK_EQ(fault_parse(&f, every_key, &why), 0);
	CHECK_EQ(f.cfg.seed, 7);
	CHECK_EQ(f.cfg.err_ppm[FAULT_READ], 1000);
	CHECK_EQ(f.cfg.err_ppm[FAULT_WRITE], 2);
	CHECK_EQ(f.cfg.err_ppm[FAULT_FLUSH], 3);
	CHECK_EQ(f.cfg.err_ppm[FAULT_OTHER], 4);
	CHECK_EQ(f.cfg.spike_ppm, 5);
	CHECK_EQ(f.cfg.spike_ns, 250 * US);
	CHECK_EQ(f.cfg.stall_period_ns, 1000 * MS);
	CHECK_EQ(f.cfg.stall_ns, 50 * MS);
	CHECK_EQ(f.cfg.lost_ppm, 6);
	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		why = NULL;
		CHECK_EQ(fault_parse(&f, bad[i], &why), -EINVAL);
		CHECK(why != NULL);
		CHECK_EQ(f.cfg.err_ppm[FAULT_READ], 1000);	/* unchanged */
	}
	/* Empty: everything off, ranges kept. */
	CHECK_EQ(fault_range_cmd(&f, FAULT_READ, "+9", &why), 0);
	CHECK_EQ(fault_parse(&f, "", &why), 0);
	CHECK_EQ(f.cfg.err_ppm[FAULT_READ], 0);
	CHECK_EQ(f.cfg.stall_period_ns, 0);
	CHECK(fault_active(&f));
	CHECK_EQ(f.bad[FAULT_READ].nr, 1);
}

/* The measured rate is near the probability, and only that kind fails. */
static void random_errors_rate(void)
{
	struct fault_verdict v;
	const char *why;
	u32 i, n = 1000000, hits = 0, others = 0;

	fault_init(&f);
	CHECK_EQ(fault_parse(&f, "seed=1,write_ppm=20000", &why), 0);
	for (i = 0; i < n; i++) {
		fault_decide(&f, FAULT_WRITE, i, 1, 0, &v);
		if (v.status) {
			CHECK_EQ(v.status, FAULT_SC_WRITE_FAULT);
			hits++;
		}
		fault_decide(&f, FAULT_READ, i, 1, 0, &v);
		others += v.status != 0;
	}
	/* 2%: 20000 expected, sd 140. */
	CHECK(hits > 19300 && hits < 20700);
	CHECK_EQ(others, 0);
	CHECK_EQ(f.st.random[FAULT_WRITE], hits);
	/* 1000000 ppm: always. */
	CHECK_EQ(fault_parse(&f, "flush_ppm=1000000", &why), 0);
	for (i = 0; i < 1000; i++) {
		fault_decide(&f, FAULT_FLUSH, 0, 0, 0, &v);
		CHECK_EQ(v.status, FAULT_SC_INTERNAL);
	}
}

static const char mixed42[] =
	"seed=42,read_ppm=100000,lost_ppm=50000,spike_ppm=100000,spike_us=500";
static const char mixed43[] =
	"seed=43,read_ppm=100000,lost_ppm=50000,spike_ppm=100000,spike_us=500";

/* Same seed, same commands: same faults; another seed: others. */
static void seeded_repeatable(void)
{
	const char *s = mixed42;
	struct fault_verdict a, b;
	const char *why;
	u32 i, same = 0, n = 10000;

	fault_init(&f);
	fault_init(&g);
	CHECK_EQ(fault_parse(&f, s, &why), 0);
	CHECK_EQ(fault_parse(&g, s, &why), 0);
	for (i = 0; i < n && !test_failed(); i++) {
		fault_decide(&f, FAULT_READ, i, 8, i * US, &a);
		fault_decide(&g, FAULT_READ, i, 8, i * US, &b);
		CHECK_EQ(a.status, b.status);
		CHECK_EQ(a.lost, b.lost);
		CHECK_EQ(a.delay_ns, b.delay_ns);
	}
	CHECK(f.st.lost > 0 && f.st.spikes > 0 && f.st.random[FAULT_READ] > 0);
	/* Parsing again starts the sequence again. */
	CHECK_EQ(fault_parse(&g, s, &why), 0);
	fault_init(&f);
	CHECK_EQ(fault_parse(&f, mixed43, &why), 0);
	for (i = 0; i < n; i++) {
		fault_decide(&f, FAULT_READ, i, 8, 0, &a);
		fault_decide(&g, FAULT_READ, i, 8, 0, &b);
		same += a.status == b.status && a.lost == b.lost &&
			a.delay_ns == b.delay_ns;
	}
	CHECK(same < n);
}

static const char both[] =
	"spike_ppm=1000000,spike_us=1000,stall_period_ms=100,stall_ms=10";

static void spikes_and_stalls(void)
{
	struct fault_verdict v;
	const char *why;

	fault_init(&f);
	CHECK_EQ(fault_parse(&f, "spike_ppm=1000000,spike_us=300", &why), 0);
	fault_decide(&f, FAULT_OTHER, 0, 0, 5 * MS, &v);
	CHECK_EQ(v.delay_ns, 300 * US);
	CHECK_EQ(v.status, 0);
	/* Every second, 50 ms of stall: the command waits for its end. */
	CHECK_EQ(fault_parse(&f, "stall_period_ms=1000,stall_ms=50", &why), 0);
	fault_decide(&f, FAULT_READ, 0, 1, 3000 * MS, &v);
	CHECK_EQ(v.delay_ns, 50 * MS);
	fault_decide(&f, FAULT_READ, 0, 1, 3020 * MS, &v);
	CHECK_EQ(v.delay_ns, 30 * MS);
	fault_decide(&f, FAULT_READ, 0, 1, 3050 * MS, &v);
	CHECK_EQ(v.delay_ns, 0);
	fault_decide(&f, FAULT_WRITE, 0, 1, 3999 * MS, &v);
	CHECK_EQ(v.delay_ns, 0);
	CHECK_EQ(f.st.stalled, 2);
	/* Both at once add up. */
	CHECK_EQ(fault_parse(&f, both, &why), 0);
	fault_decide(&f, FAULT_READ, 0, 1, 205 * MS, &v);
	CHECK_EQ(v.delay_ns, 1 * MS + 5 * MS);
}

static void lost_completions(void)
{
	struct fault_verdict v;
	const char *why;
	u32 i, lost = 0;

	fault_init(&f);
	CHECK_EQ(fault_parse(&f, "seed=3,lost_ppm=500000", &why), 0);
	for (i = 0; i < 10000; i++) {
		fault_decide(&f, FAULT_WRITE, i, 1, 0, &v);
		lost += v.lost;
		CHECK_EQ(v.status, 0);
	}
	CHECK(lost > 4700 && lost < 5300);
	CHECK_EQ(f.st.lost, lost);
}

static const struct test_case tests[] = {
	TEST(off_by_default),
	TEST(media_ranges),
	TEST(range_cmds_refused),
	TEST(settings_parse),
	TEST(random_errors_rate),
	TEST(seeded_repeatable),
	TEST(spikes_and_stalls),
	TEST(lost_completions),
};

int main(void)
{
	return TEST_RUN("fault", tests);
}
