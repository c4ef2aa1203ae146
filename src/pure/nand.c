// SPDX-License-Identifier: GPL-2.0
/*
 * NAND flash array timing; see nand.h for the rules.
 */
#include "nand.h"
#include "xfer_ns.h"

int nand_params_check(const struct nand_params *p, const char **why)
{
	const char *reason = NULL;
	u32 i;

	if (p->nr_channels < 1 || p->nr_channels > NAND_MAX_CHANNELS)
		reason = "channels not in 1..32";
	else if (p->luns_per_channel < 1 ||
		 (u64)p->nr_channels * p->luns_per_channel > NAND_MAX_DIES)
		reason = "dies (channels x LUNs per channel) not in 1..512";
	else if (p->planes_per_lun < 1 || p->planes_per_lun > 16)
		reason = "planes per LUN not in 1..16";
	else if (p->blocks_per_plane < 1)
		reason = "blocks per plane is 0";
	else if (!p->page_bytes || p->page_bytes % 4096 || p->page_bytes > 65536)
		reason = "flash page size not a multiple of 4 KiB up to 64 KiB";
	else if (p->cell_bits < 1 || p->cell_bits > NAND_MAX_CELL_BITS)
		reason = "cell bits not in 1..4 (SLC..QLC)";
	else if (p->oneshot_pages < 1 || p->oneshot_pages > 8)
		reason = "one-shot pages not in 1..8";
	else if (p->pages_per_block < 1 || p->pages_per_block % p->oneshot_pages ||
		 p->pages_per_block % p->cell_bits || p->pages_per_block > 65536)
		reason = "pages per block not a multiple of one-shot pages and cell bits (up to 65536)";
	else if (p->prog_ns > NAND_MAX_LAT_NS || p->erase_ns > NAND_MAX_LAT_NS)
		reason = "program or erase latency above 1 s";
	else if (p->channel_mbs < 1 || p->channel_mbs > NAND_MAX_MBS)
		reason = "channel bandwidth not in 1..100000 MB/s";
	for (i = 0; !reason && i < p->cell_bits; i++)
		if (p->read_ns[i] > NAND_MAX_LAT_NS)
			reason = "read latency above 1 s";

	if (why)
		*why = reason;
	return reason ? -EINVAL : 0;
}

void nand_reset_timing(struct nand_model *n)
{
	memset(n->die_free, 0, sizeof(n->die_free));
	memset(n->chan_free, 0, sizeof(n->chan_free));
}

void nand_init(struct nand_model *n, const struct nand_params *p)
{
	n->p = *p;
	n->nr_dies = p->nr_channels * p->luns_per_channel;
	if (n->nr_dies < 1 || n->nr_dies > NAND_MAX_DIES)
		n->nr_dies = 1;
	if (n->p.nr_channels < 1 || n->p.nr_channels > NAND_MAX_CHANNELS)
		n->p.nr_channels = 1;
	if (n->p.cell_bits < 1 || n->p.cell_bits > NAND_MAX_CELL_BITS)
		n->p.cell_bits = 1;
	memset(&n->stats, 0, sizeof(n->stats));
	nand_reset_timing(n);
}

u32 nand_unit_bytes(const struct nand_params *p)
{
	return p->planes_per_lun * p->oneshot_pages * p->page_bytes;
}

u64 nand_xfer_ns(u64 bytes, u32 mbs)
{
	return pure_xfer_ns(bytes, mbs);
}

static u32 nand_chan(const struct nand_model *n, u32 die)
{
	return die % n->p.nr_channels;
}

u64 nand_read(struct nand_model *n, u32 die, u32 page_in_block, u32 bytes,
	      u64 now)
{
	u32 c, type;
	u64 t;

	if (die >= n->nr_dies)
		die = 0;
	c = nand_chan(n, die);
	type = page_in_block % n->p.cell_bits;
	t = max_t(u64, now, n->die_free[die]) + n->p.read_ns[type];
	t = max_t(u64, t, n->chan_free[c]) + nand_xfer_ns(bytes, n->p.channel_mbs);
	n->die_free[die] = t;
	n->chan_free[c] = t;
	n->stats.reads++;
	n->stats.read_bytes += bytes;
	return t;
}

u64 nand_program(struct nand_model *n, u32 die, u32 bytes, u64 now)
{
	u32 c;
	u64 t;

	if (die >= n->nr_dies)
		die = 0;
	c = nand_chan(n, die);
	t = max_t(u64, now, n->die_free[die]);
	t = max_t(u64, t, n->chan_free[c]) + nand_xfer_ns(bytes, n->p.channel_mbs);
	n->chan_free[c] = t;
	t += n->p.prog_ns;
	n->die_free[die] = t;
	n->stats.programs++;
	n->stats.program_bytes += bytes;
	return t;
}

u64 nand_erase(struct nand_model *n, u32 die, u64 now)
{
	u64 t;

	if (die >= n->nr_dies)
		die = 0;
	t = max_t(u64, now, n->die_free[die]) + n->p.erase_ns;
	n->die_free[die] = t;
	n->stats.erases++;
	return t;
}

u64 nand_idle_at(const struct nand_model *n)
{
	u64 t = 0;
	u32 i;

	for (i = 0; i < n->nr_dies; i++)
		t = max_t(u64, t, n->die_free[i]);
	for (i = 0; i < n->p.nr_channels; i++)
		t = max_t(u64, t, n->chan_free[i]);
	return t;
}
