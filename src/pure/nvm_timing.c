// SPDX-License-Identifier: GPL-2.0
/*
 * Timing model of the NVM device kind; see nvm_timing.h for the rules.
 */
#include "nvm_timing.h"
#include "xfer_ns.h"

int nvm_timing_check(const struct nvm_timing *t, const char **why)
{
	const char *reason = NULL;

	if (t->read_lat_ns > NVM_MAX_LAT_NS)
		reason = "read latency above 10 s";
	else if (t->write_lat_ns > NVM_MAX_LAT_NS)
		reason = "write latency above 10 s";
	else if (t->read_bw_mbs > NVM_MAX_BW_MBS)
		reason = "read bandwidth above 100000 MB/s";
	else if (t->write_bw_mbs > NVM_MAX_BW_MBS)
		reason = "write bandwidth above 100000 MB/s";
	else if (t->nr_units < 1 || t->nr_units > NVM_MAX_UNITS)
		reason = "number of units not in 1..64";

	if (why)
		*why = reason;
	return reason ? -EINVAL : 0;
}

void nvm_model_reset(struct nvm_model *m)
{
	memset(m->unit_free, 0, sizeof(m->unit_free));
	m->rd_chan_free = 0;
	m->wr_chan_free = 0;
}

void nvm_model_init(struct nvm_model *m, const struct nvm_timing *t)
{
	m->t = *t;
	if (m->t.nr_units < 1)
		m->t.nr_units = 1;
	else if (m->t.nr_units > NVM_MAX_UNITS)
		m->t.nr_units = NVM_MAX_UNITS;
	nvm_model_reset(m);
}

/* Index of the unit that frees first; the lowest index wins a tie. */
static u32 nvm_pick_unit(const struct nvm_model *m)
{
	u32 best = 0;
	u32 i;

	for (i = 1; i < m->t.nr_units; i++)
		if (m->unit_free[i] < m->unit_free[best])
			best = i;
	return best;
}

/*
 * Runs the media part on the first free unit, starting no earlier than
 * ready_ns.  Returns its end.  A zero-length part touches no unit.
 */
static u64 nvm_media(struct nvm_model *m, u64 ready_ns, u64 lat_ns)
{
	u32 u;
	u64 end;

	if (!lat_ns)
		return ready_ns;
	u = nvm_pick_unit(m);
	end = max_t(u64, ready_ns, m->unit_free[u]) + lat_ns;
	m->unit_free[u] = end;
	return end;
}

/*
 * Runs a transfer on one channel, starting no earlier than ready_ns.
 * Returns its end.  A zero-length transfer touches no channel.
 */
static u64 nvm_xfer(u64 *chan_free, u64 ready_ns, u64 xfer_ns)
{
	u64 end;

	if (!xfer_ns)
		return ready_ns;
	end = max_t(u64, ready_ns, *chan_free) + xfer_ns;
	*chan_free = end;
	return end;
}

u64 nvm_model_submit(struct nvm_model *m, u64 now_ns, bool write, u64 bytes)
{
	u64 t;

	if (write) {
		t = nvm_xfer(&m->wr_chan_free, now_ns,
			     pure_xfer_ns(bytes, m->t.write_bw_mbs));
		return nvm_media(m, t, m->t.write_lat_ns);
	}
	t = nvm_media(m, now_ns, m->t.read_lat_ns);
	return nvm_xfer(&m->rd_chan_free, t,
			pure_xfer_ns(bytes, m->t.read_bw_mbs));
}
