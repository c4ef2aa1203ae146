// SPDX-License-Identifier: GPL-2.0
/*
 * nvmev: power states and APST (see power.h).  No kernel calls.
 */
#include "power.h"

#define NS_PER_US	1000ULL
#define NS_PER_MS	1000000ULL

/*
 * Three operational states that differ only in power, then two
 * non-operational ones chosen for Linux's APST policy: with its defaults
 * (primary: total latency up to 15 ms after 100 ms idle; secondary: up to
 * 100 ms after 2000 ms more) the host programs PS0-2 -> PS3 after 100 ms
 * and PS3 -> PS4 after 2 s.
 */
const struct pwr_desc pwr_default_desc[] = {
	{ .max_power_cw = 700, .nonop = false, .enlat_us = 0, .exlat_us = 0 },
	{ .max_power_cw = 500, .nonop = false, .enlat_us = 0, .exlat_us = 0 },
	{ .max_power_cw = 350, .nonop = false, .enlat_us = 0, .exlat_us = 0 },
	{ .max_power_cw = 7, .nonop = true, .enlat_us = 1000,
	  .exlat_us = 10000 },
	{ .max_power_cw = 1, .nonop = true, .enlat_us = 5000,
	  .exlat_us = 90000 },
};

const u32 pwr_default_nr_states = ARRAY_SIZE(pwr_default_desc);

static void enter(struct pwr *p, u32 ps, u64 now)
{
	p->st.time_ns[p->ps] += now - p->entered;
	p->ps = ps;
	p->entered = now;
	p->st.entries[ps]++;
	if (!p->desc[ps].nonop)
		p->last_op = ps;
	/* ITPT counts in the new state. */
	if (!p->inflight)
		p->idle_since = now;
}

void pwr_init(struct pwr *p, const struct pwr_desc *desc, u32 nr_states,
	      u64 now)
{
	memset(p, 0, sizeof(*p));
	p->desc = desc;
	p->nr_states = nr_states;
	p->entered = now;
	p->idle_since = now;
	p->st.entries[0] = 1;
}

void pwr_reset(struct pwr *p, u64 now)
{
	p->apste = false;
	memset(p->apst, 0, sizeof(p->apst));
	p->inflight = 0;
	if (p->ps != 0)
		enter(p, 0, now);
	p->last_op = 0;
	p->idle_since = now;
}

int pwr_set_apst(struct pwr *p, bool apste, const u64 *table, u64 now)
{
	u32 i;

	for (i = 0; i < PWR_APST_ENTRIES; i++) {
		u64 e = table[i];

		if (e & ~(u64)0xfffffff8)	/* bits 2:0 and 63:32 reserved */
			return -EINVAL;
		if (PWR_APST_ITPT_MS(e) && (i >= p->nr_states ||
		    PWR_APST_ITPS(e) >= p->nr_states ||
		    !p->desc[PWR_APST_ITPS(e)].nonop))
			return -EINVAL;
	}
	memcpy(p->apst, table, sizeof(p->apst));
	p->apste = apste;
	/* No transition of the new table happens before it was set. */
	p->table_set = now;
	return 0;
}

int pwr_set_state(struct pwr *p, u32 ps, u64 now)
{
	if (ps >= p->nr_states)
		return -EINVAL;
	if (ps != p->ps)
		enter(p, ps, now);
	return 0;
}

u64 pwr_cmd_start(struct pwr *p, bool io, u64 now)
{
	u64 exlat = 0;

	p->inflight++;
	if (io && p->desc[p->ps].nonop) {
		exlat = (u64)p->desc[p->ps].exlat_us * NS_PER_US;
		p->st.wakeups++;
		enter(p, p->last_op, now);
	}
	return exlat;
}

void pwr_cmd_done(struct pwr *p, u64 now)
{
	if (p->inflight && !--p->inflight)
		p->idle_since = now;
}

/* When the current state's APST entry fires, or U64_MAX if never. */
static u64 next_transition(const struct pwr *p)
{
	u64 e, itpt, from;

	if (!p->apste || p->inflight || p->ps >= PWR_APST_ENTRIES)
		return U64_MAX;
	e = p->apst[p->ps];
	itpt = PWR_APST_ITPT_MS(e);
	if (!itpt)
		return U64_MAX;
	from = p->idle_since > p->entered ? p->idle_since : p->entered;
	if (p->table_set > from)
		from = p->table_set;
	return from + itpt * NS_PER_MS;
}

u64 pwr_tick(struct pwr *p, u64 now)
{
	u64 at, bound;
	u32 guard;

	/* A chain of entries may fire at once; a table may not loop forever. */
	for (guard = 0; guard < PWR_MAX_STATES; guard++) {
		at = next_transition(p);
		if (at > now)
			break;
		enter(p, PWR_APST_ITPS(p->apst[p->ps]), at);
	}
	bound = (u64)p->desc[p->ps].exlat_us * NS_PER_US;
	at = next_transition(p);
	if (at != U64_MAX && at - now < bound)
		bound = at - now;
	return bound;
}

void pwr_plan_look(struct pwr *p, u64 due)
{
	p->look_due = due;
	p->look_ps = p->ps;
}

void pwr_looked(struct pwr *p, u64 now)
{
	u32 ps = p->look_ps;
	u64 late;

	if (!p->look_due)
		return;
	late = now > p->look_due ? now - p->look_due : 0;
	p->look_due = 0;
	p->st.looks[ps]++;
	p->st.look_late_ns[ps] += late;
	if (late > p->st.look_late_max_ns[ps])
		p->st.look_late_max_ns[ps] = late;
}
