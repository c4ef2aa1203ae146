// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of the power-state model (src/pure/power.c): the table the
 * Linux host builds from nvmev's descriptors, APST transitions on a virtual
 * clock, wake-up on I/O, the poll bound, resets and bad tables.
 */
#include "power.h"
#include "test.h"

#define US	1000ULL
#define MS	1000000ULL

/*
 * The table Linux 6.1/6.12 sends (nvme_configure_apst(), explicit mode):
 * walking from the deepest state, the deepest non-operational state with
 * ENLAT+EXLAT <= primary_tol gets primary_ms; a deeper one within
 * secondary_tol gets secondary_ms if nothing was taken before it; states
 * with EXLAT above max_lat are skipped.  Re-implemented from the kernel's
 * description for the test; returns APSTE.
 */
static bool linux_table(const struct pwr_desc *d, u32 n, u64 max_lat_us,
			u64 *table)
{
	u64 target = 0;
	bool primary = false, any = false;
	int state;

	memset(table, 0, PWR_APST_ENTRIES * sizeof(*table));
	if (!max_lat_us)
		return false;
	for (state = (int)n - 1; state >= 0; state--) {
		u64 total, itpt;

		if (target)
			table[state] = target;
		if (!d[state].nonop || d[state].exlat_us > max_lat_us)
			continue;
		total = (u64)d[state].enlat_us + d[state].exlat_us;
		if (total <= 15000) {
			if (primary)
				continue;
			itpt = 100;
			primary = true;
		} else if (total <= 100000) {
			if (any)
				continue;
			itpt = 2000;
		} else {
			continue;
		}
		any = true;
		target = PWR_APST_ENTRY(state, itpt);
	}
	return true;
}

static void setup(struct pwr *p, u64 now)
{
	u64 t[PWR_APST_ENTRIES];

	pwr_init(p, pwr_default_desc, pwr_default_nr_states, now);
	CHECK(linux_table(pwr_default_desc, pwr_default_nr_states, 100000, t));
	CHECK_EQ(pwr_set_apst(p, true, t, now), 0);
}

static void linux_programs_two_steps(void)
{
	u64 t[PWR_APST_ENTRIES];
	u32 i;

	CHECK_EQ(pwr_default_nr_states, 5);
	CHECK(linux_table(pwr_default_desc, pwr_default_nr_states, 100000, t));
	for (i = 0; i < 3; i++)
		CHECK_EQ(t[i], PWR_APST_ENTRY(3, 100));
	CHECK_EQ(t[3], PWR_APST_ENTRY(4, 2000));
	CHECK_EQ(t[4], 0);
	/* default_ps_max_latency_us=25000: PS4 (EXLAT 90 ms) is skipped. */
	CHECK(linux_table(pwr_default_desc, pwr_default_nr_states, 25000, t));
	CHECK_EQ(t[0], PWR_APST_ENTRY(3, 100));
	CHECK_EQ(t[3], 0);
	/* 5000: neither non-operational state. */
	CHECK(linux_table(pwr_default_desc, pwr_default_nr_states, 5000, t));
	CHECK_EQ(t[0], 0);
	/* 0: APST off. */
	CHECK(!linux_table(pwr_default_desc, pwr_default_nr_states, 0, t));
}

static void idle_goes_deeper(void)
{
	struct pwr p;
	u64 b;

	setup(&p, 0);
	CHECK_EQ(pwr_tick(&p, 99 * MS), 0);	/* PS0: look at once */
	CHECK_EQ(p.ps, 0);
	b = pwr_tick(&p, 100 * MS);
	CHECK_EQ(p.ps, 3);
	CHECK_EQ(b, 10000 * US);		/* PS3's exit latency */
	/* Near the next transition the bound shrinks to reach it in time. */
	CHECK_EQ(pwr_tick(&p, 2095 * MS), 5 * MS);
	CHECK_EQ(p.ps, 3);
	CHECK_EQ(pwr_tick(&p, 2100 * MS), 90000 * US);
	CHECK_EQ(p.ps, 4);
	CHECK_EQ(pwr_tick(&p, 3600 * 1000 * MS), 90000 * US);
	CHECK_EQ(p.ps, 4);
	CHECK_EQ(p.st.entries[3], 1);
	CHECK_EQ(p.st.entries[4], 1);
	CHECK_EQ(p.st.time_ns[0], 100 * MS);
	CHECK_EQ(p.st.time_ns[3], 2000 * MS);
}

static void late_tick_takes_the_whole_chain(void)
{
	struct pwr p;

	setup(&p, 0);
	/* One look after 10 s: both transitions, at their own times. */
	CHECK_EQ(pwr_tick(&p, 10000 * MS), 90000 * US);
	CHECK_EQ(p.ps, 4);
	CHECK_EQ(p.st.time_ns[0], 100 * MS);
	CHECK_EQ(p.st.time_ns[3], 2000 * MS);
	CHECK_EQ(p.entered, 2100 * MS);
}

static void io_wakes_to_last_operational(void)
{
	struct pwr p;

	setup(&p, 0);
	pwr_tick(&p, 5000 * MS);
	CHECK_EQ(p.ps, 4);
	/* An admin command is served where the device is. */
	CHECK_EQ(pwr_cmd_start(&p, false, 5001 * MS), 0);
	pwr_cmd_done(&p, 5001 * MS);
	CHECK_EQ(p.ps, 4);
	/* An I/O waits for PS4's exit latency, and the device is in PS0. */
	CHECK_EQ(pwr_cmd_start(&p, true, 5002 * MS), 90000 * US);
	CHECK_EQ(p.ps, 0);
	CHECK_EQ(p.st.wakeups, 1);
	/* Busy: no transition however long the command takes. */
	CHECK_EQ(pwr_tick(&p, 9000 * MS), 0);
	CHECK_EQ(p.ps, 0);
	/* Idle again from the completion: 100 ms to PS3. */
	pwr_cmd_done(&p, 9000 * MS);
	pwr_tick(&p, 9099 * MS);
	CHECK_EQ(p.ps, 0);
	pwr_tick(&p, 9100 * MS);
	CHECK_EQ(p.ps, 3);
}

static void apst_off_stays(void)
{
	struct pwr p;
	u64 t[PWR_APST_ENTRIES];

	pwr_init(&p, pwr_default_desc, pwr_default_nr_states, 0);
	CHECK(linux_table(pwr_default_desc, pwr_default_nr_states, 100000, t));
	/* A table with APSTE=0 is kept but not used. */
	CHECK_EQ(pwr_set_apst(&p, false, t, 0), 0);
	CHECK_EQ(pwr_tick(&p, 100000 * MS), 0);
	CHECK_EQ(p.ps, 0);
	/* Enabled later: its idle times count from then, not before. */
	CHECK_EQ(pwr_set_apst(&p, true, t, 100000 * MS), 0);
	CHECK_EQ(pwr_tick(&p, 100000 * MS), 0);
	CHECK_EQ(p.ps, 0);
	pwr_tick(&p, 100100 * MS);
	CHECK_EQ(p.ps, 3);
}

static void host_sets_states(void)
{
	struct pwr p;

	setup(&p, 0);
	/* An operational state chosen by the host is the one I/O returns to. */
	CHECK_EQ(pwr_set_state(&p, 2, 1 * MS), 0);
	CHECK_EQ(p.last_op, 2);
	pwr_tick(&p, 101 * MS);
	CHECK_EQ(p.ps, 3);
	CHECK_EQ(pwr_cmd_start(&p, true, 102 * MS), 10000 * US);
	CHECK_EQ(p.ps, 2);
	pwr_cmd_done(&p, 102 * MS);
	/* A non-operational state by Set Features: I/O still wakes. */
	CHECK_EQ(pwr_set_state(&p, 4, 103 * MS), 0);
	CHECK_EQ(p.ps, 4);
	CHECK_EQ(p.last_op, 2);
	CHECK_EQ(pwr_cmd_start(&p, true, 104 * MS), 90000 * US);
	CHECK_EQ(p.ps, 2);
	CHECK_EQ(pwr_set_state(&p, 5, 105 * MS), -EINVAL);
	CHECK_EQ(p.ps, 2);
}

static void reset_clears(void)
{
	struct pwr p;
	u32 i;

	setup(&p, 0);
	pwr_tick(&p, 3000 * MS);
	CHECK_EQ(p.ps, 4);
	pwr_reset(&p, 3001 * MS);
	CHECK_EQ(p.ps, 0);
	CHECK(!p.apste);
	for (i = 0; i < PWR_APST_ENTRIES; i++)
		CHECK_EQ(p.apst[i], 0);
	CHECK_EQ(pwr_tick(&p, 9000 * MS), 0);
	CHECK_EQ(p.ps, 0);
}

static void bad_tables_refused(void)
{
	struct pwr p;
	u64 t[PWR_APST_ENTRIES] = { 0 };

	pwr_init(&p, pwr_default_desc, pwr_default_nr_states, 0);
	t[0] = PWR_APST_ENTRY(5, 100);		/* no PS5 */
	CHECK_EQ(pwr_set_apst(&p, true, t, 0), -EINVAL);
	t[0] = PWR_APST_ENTRY(1, 100);		/* PS1 is operational */
	CHECK_EQ(pwr_set_apst(&p, true, t, 0), -EINVAL);
	t[0] = PWR_APST_ENTRY(3, 100) | 1;	/* reserved bit 0 */
	CHECK_EQ(pwr_set_apst(&p, true, t, 0), -EINVAL);
	t[0] = PWR_APST_ENTRY(3, 100) | 1ULL << 40;	/* reserved 63:32 */
	CHECK_EQ(pwr_set_apst(&p, true, t, 0), -EINVAL);
	t[0] = 0;
	t[7] = PWR_APST_ENTRY(3, 100);		/* entry of a state not offered */
	CHECK_EQ(pwr_set_apst(&p, true, t, 0), -EINVAL);
	CHECK(!p.apste);
	/* ITPT 0 disables an entry whatever its ITPS. */
	t[7] = PWR_APST_ENTRY(9, 0);
	CHECK_EQ(pwr_set_apst(&p, true, t, 0), 0);
	CHECK_EQ(pwr_tick(&p, 10000 * MS), 0);
	CHECK_EQ(p.ps, 0);
}

/* Random I/O on a virtual clock: the bound and the accounting hold. */
static void random_traffic(void)
{
	struct pwr p;
	u64 now = 0, seed = 42, total = 0;
	u32 i, s;

	setup(&p, 0);
	for (i = 0; i < 100000 && !test_failed(); i++) {
		u64 gap, b;

		seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
		gap = (seed >> 33) % 3000 * MS / ((seed >> 20 & 7) + 1);
		b = pwr_tick(&p, now + gap);
		now += gap;
		CHECK(b <= (u64)p.desc[p.ps].exlat_us * US);
		if (seed >> 40 & 1) {
			u64 wait = pwr_cmd_start(&p, true, now);

			CHECK(!p.desc[p.ps].nonop);
			CHECK(wait <= 90000 * US);
			now += 1 * MS;
			pwr_cmd_done(&p, now);
		}
	}
	pwr_tick(&p, now);
	p.st.time_ns[p.ps] += now - p.entered;
	for (s = 0; s < p.nr_states; s++)
		total += p.st.time_ns[s];
	CHECK_EQ(total, now);
}

/* Looks are charged to the state they were promised in, late or not. */
static void look_lateness_per_state(void)
{
	struct pwr p;
	u64 b;

	setup(&p, 0);
	pwr_looked(&p, 5 * MS);			/* no promise: nothing counted */
	CHECK_EQ(p.st.looks[0], 0);
	pwr_plan_look(&p, 16 * US);		/* PS0, looked early */
	pwr_looked(&p, 10 * US);
	CHECK_EQ(p.st.looks[0], 1);
	CHECK_EQ(p.st.look_late_ns[0], 0);
	b = pwr_tick(&p, 100 * MS);		/* PS3 now */
	CHECK_EQ(p.ps, 3);
	pwr_plan_look(&p, 100 * MS + b);
	pwr_looked(&p, 100 * MS + b + 300 * US);
	pwr_plan_look(&p, 200 * MS);
	pwr_looked(&p, 200 * MS + 100 * US);
	CHECK_EQ(p.st.looks[3], 2);
	CHECK_EQ(p.st.look_late_ns[3], 400 * US);
	CHECK_EQ(p.st.look_late_max_ns[3], 300 * US);
	/* A transition at the look does not move the charge. */
	pwr_plan_look(&p, 2100 * MS);
	pwr_tick(&p, 2100 * MS + 1 * MS);
	CHECK_EQ(p.ps, 4);
	pwr_looked(&p, 2100 * MS + 1 * MS);
	CHECK_EQ(p.st.looks[3], 3);
	CHECK_EQ(p.st.look_late_max_ns[3], 1 * MS);
	CHECK_EQ(p.st.looks[4], 0);
	CHECK_EQ(p.st.looks[0], 1);
}

static const struct test_case tests[] = {
	TEST(linux_programs_two_steps),
	TEST(idle_goes_deeper),
	TEST(late_tick_takes_the_whole_chain),
	TEST(io_wakes_to_last_operational),
	TEST(apst_off_stays),
	TEST(host_sets_states),
	TEST(reset_clears),
	TEST(bad_tables_refused),
	TEST(random_traffic),
	TEST(look_lateness_per_state),
};

int main(void)
{
	return TEST_RUN("power", tests);
}
