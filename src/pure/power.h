/* SPDX-License-Identifier: GPL-2.0 */
/*
 * nvmev: the controller's power states and Autonomous Power State
 * Transition (APST), on a clock the caller gives (ns).
 *
 * The model holds the power state descriptors the controller advertises,
 * the APST table the host set (Set Features 0Ch), and the state the
 * controller is in.  Idle time counts from when the last command finished,
 * and only while no command is in flight; an entry's idle time (ITPT)
 * counts from the latest of: the current state was entered, the device
 * went idle, the table was set.  A non-operational state takes no I/O: the first I/O
 * doorbell brings the controller back to its last operational state.
 * The caller looks at the doorbells at least once per the current state's
 * exit latency (pwr_tick()), so that wake-up costs at most what the state
 * advertises.
 */
#ifndef NVMEV_PURE_POWER_H
#define NVMEV_PURE_POWER_H

#include "shim.h"

#define PWR_MAX_STATES		32	/* NPSS is 0's based, at most 31 */
#define PWR_APST_ENTRIES	32

/* One Power State Descriptor, as Identify Controller gives it. */
struct pwr_desc {
	u16 max_power_cw;	/* MP, 0.01 W */
	bool nonop;		/* NOPS: no I/O in this state */
	u32 enlat_us;		/* entry latency */
	u32 exlat_us;		/* exit latency */
};

struct pwr_stats {
	u64 entries[PWR_MAX_STATES];	/* times each state was entered */
	u64 time_ns[PWR_MAX_STATES];	/* time spent in each */
	u64 wakeups;			/* I/O that left a non-operational state */
	/* Looks at the doorbells, by the state the look was promised in */
	u64 looks[PWR_MAX_STATES];
	u64 look_late_ns[PWR_MAX_STATES];	/* sum of lateness past the promise */
	u64 look_late_max_ns[PWR_MAX_STATES];
};

struct pwr {
	const struct pwr_desc *desc;	/* nr_states of them */
	u32 nr_states;
	u32 ps;				/* current power state */
	u32 last_op;			/* last operational state */
	bool apste;			/* APST enabled */
	u64 apst[PWR_APST_ENTRIES];	/* the table as the host set it */
	u32 inflight;			/* commands not finished */
	u64 idle_since;			/* ns: idle from here, in this state */
	u64 entered;			/* ns: the current state was entered */
	u64 table_set;			/* ns: the APST table was set */
	u64 look_due;			/* ns: next look promised by, 0: none */
	u32 look_ps;			/* the state that promise was made in */
	struct pwr_stats st;
};

/* An APST table entry: ITPS in bits 7:3, ITPT (ms) in bits 31:8. */
#define PWR_APST_ITPS(e)	((u32)((e) >> 3) & 0x1f)
#define PWR_APST_ITPT_MS(e)	((u32)((e) >> 8) & 0xffffff)
#define PWR_APST_ENTRY(itps, itpt_ms) \
	((u64)(itps) << 3 | (u64)(itpt_ms) << 8)

/* nvmev's states: PS0-2 operational, PS3 and PS4 not (power.c says why). */
extern const struct pwr_desc pwr_default_desc[];
extern const u32 pwr_default_nr_states;

void pwr_init(struct pwr *p, const struct pwr_desc *desc, u32 nr_states,
	      u64 now);
/* Controller reset: PS0, APST disabled and its table cleared. */
void pwr_reset(struct pwr *p, u64 now);
/* Set Features 0Ch.  -EINVAL if an entry names no state or sets reserved bits. */
int pwr_set_apst(struct pwr *p, bool apste, const u64 *table, u64 now);
/* Set Features 02h (Power Management).  -EINVAL if no such state. */
int pwr_set_state(struct pwr *p, u32 ps, u64 now);
/*
 * A command arrives (@io: an I/O command, which wakes a non-operational
 * state).  Returns the exit latency it waits for, in ns (0 if none).
 */
u64 pwr_cmd_start(struct pwr *p, bool io, u64 now);
/* A command finished; the last one starts the idle time. */
void pwr_cmd_done(struct pwr *p, u64 now);
/*
 * Take the transitions due by @now.  Returns how long, from @now, the
 * caller may go before it looks at the doorbells again: the current
 * state's exit latency, but no later than the next transition.  0 means
 * look at once (an operational state that advertises no exit latency).
 */
u64 pwr_tick(struct pwr *p, u64 now);
/*
 * The caller will look at the doorbells again by @due (now plus the bound
 * pwr_tick() gave, or less); pwr_looked() at that look counts how late it
 * came, in the state the promise was made in.
 */
void pwr_plan_look(struct pwr *p, u64 due);
void pwr_looked(struct pwr *p, u64 now);

#endif
