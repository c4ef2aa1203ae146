// SPDX-License-Identifier: GPL-2.0
/*
 * nvmev: the Zoned Namespace command set (CSI 02h) and the "zns" kind.
 *
 * A zoned namespace takes Read, Write, Write Zeroes, Flush and Dataset
 * Management (accepted, no effect: zones are freed by Reset) of the NVM
 * command set under the zone rules, plus Zone Append, Zone Management Send
 * and Zone Management Receive.  The zones, their state machine and their
 * timing live in pure/zns_model.c, under the namespace's model lock; this
 * file decodes commands, moves data and fills the identify structures.
 *
 * parse() runs on the dispatcher, in submission order: it checks a
 * command against the zones and moves write pointers there, so the order
 * in which the host submits writes is the order they land in, and each
 * Zone Append gets the LBA it reports.  execute() runs on a worker and
 * moves the data.  Reads return zeroes past a zone's data whatever the
 * store holds, so a Reset needs no memset: in RAM backing it frees the
 * zone's pages (zns_drop_zone()), in memmap backing it leaves them.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/slab.h>
#include <linux/mm.h>
#include <linux/log2.h>
#include <linux/ktime.h>
#include <linux/seq_file.h>

#include "nvmev.h"

#define NVMEV_ZMS_SELECT_ALL	(1 << 8)	/* Zone Management Send CDW13 */
#define NVMEV_ZMR_PARTIAL	(1 << 16)	/* Zone Management Receive CDW13 */
#define NVMEV_ZRASF_MAX		0x07

/* The model's status values are the NVMe ones. */
static_assert(ZNS_SC_BOUNDARY == NVME_SC_ZONE_BOUNDARY_ERROR);
static_assert(ZNS_SC_INVALID_TRANSITION == NVME_SC_ZONE_INVALID_TRANSITION);
static_assert(ZNS_SC_TOO_MANY_OPEN == NVME_SC_ZONE_TOO_MANY_OPEN);
static_assert(ZNS_SC_LBA_RANGE == NVME_SC_LBA_RANGE);
static_assert(ZNS_SC_INVALID_FIELD == NVME_SC_INVALID_FIELD);

/* Every zone error is final: DNR. */
static u16 zns_status(u16 st)
{
	return st ? st | NVME_STATUS_DNR : NVME_SC_SUCCESS;
}

/* Writes complete on flash with FUA, or with the volatile cache off. */
static bool zns_sync(struct nvmev_ns *ns, const struct nvme_command *cmd)
{
	return (le16_to_cpu(cmd->rw.control) & NVME_RW_FUA) ||
	       !READ_ONCE(ns->dev->feat_vwc);
}

/* Write, Write Zeroes and Zone Append: zone checks, then the time. */
static u16 zns_parse_write(struct nvmev_ns *ns, struct nvmev_io *io, u64 now,
			   bool append)
{
	const struct nvme_command *cmd = &io->cmd;
	u64 max = (u64)SZ_4K << ns->dev->cfg.mdts, lba = 0;
	u32 nlb = nvmev_cmd_nlb(cmd);
	u16 st;

	io->slba = nvmev_cmd_slba(cmd);
	if (cmd->common.opcode == nvme_cmd_write_zeroes) {
		if (((u64)nlb << ns->lba_shift) > NVMEV_DEALLOC_MAX)
			return NVME_SC_INVALID_FIELD | NVME_STATUS_DNR;
	} else {
		io->bytes = (u64)nlb << ns->lba_shift;
		if (io->bytes > max)
			return NVME_SC_INVALID_FIELD | NVME_STATUS_DNR;
	}
	spin_lock(&ns->model_lock);
	st = zns_write(ns->zns, io->slba, nlb, append, &lba);
	if (!st)
		io->deadline = zns_time_write(ns->zns, now, lba, nlb,
					      zns_sync(ns, cmd));
	spin_unlock(&ns->model_lock);
	if (st)
		return zns_status(st);
	io->slba = lba;
	io->offset = lba << ns->lba_shift;
	if (append)
		io->result = lba;	/* the assigned LBA, CQE DW0 and DW1 */
	return NVME_SC_SUCCESS;
}

static u16 zns_parse_read(struct nvmev_ns *ns, struct nvmev_io *io, u64 now)
{
	const struct nvme_command *cmd = &io->cmd;
	u64 max = (u64)SZ_4K << ns->dev->cfg.mdts;
	u32 nlb = nvmev_cmd_nlb(cmd);
	u16 st;

	io->slba = nvmev_cmd_slba(cmd);
	io->offset = io->slba << ns->lba_shift;
	io->bytes = (u64)nlb << ns->lba_shift;
	spin_lock(&ns->model_lock);
	st = zns_read_check(ns->zns, io->slba, nlb);
	if (!st && io->bytes <= max) {
		io->aux = zns_data_bytes(ns->zns, io->slba, nlb);
		io->deadline = zns_time_read(ns->zns, now, io->slba, nlb);
	}
	spin_unlock(&ns->model_lock);
	if (st)
		return zns_status(st);
	if (io->bytes > max)
		return NVME_SC_INVALID_FIELD | NVME_STATUS_DNR;
	return NVME_SC_SUCCESS;
}

/*
 * Zone Management Send.  A Reset remembers, in io->slba and io->aux, the
 * LBAs whose data the store may drop; a select-all Reset keeps them per
 * zone in io->priv.
 */
static u16 zns_parse_send(struct nvmev_ns *ns, struct nvmev_io *io, u64 now)
{
	const struct nvme_command *cmd = &io->cmd;
	u32 cdw13 = nvmev_cdw(cmd, 13);
	u8 action = cdw13 & 0xff;
	bool all = cdw13 & NVMEV_ZMS_SELECT_ALL;
	struct zns_model *m = ns->zns;
	u64 *ends = NULL, from, to;
	u32 i;
	u16 st;

	io->slba = nvmev_cmd_slba(cmd);
	if (action == NVME_ZONE_SET_DESC_EXT)	/* no descriptor extensions */
		return NVME_SC_INVALID_FIELD | NVME_STATUS_DNR;
	if (all && action == ZNS_ACT_RESET &&
	    ns->store.kind == NVMEV_BACKING_RAM) {
		ends = kvmalloc_array(m->nr_zones, sizeof(*ends), GFP_KERNEL);
		if (!ends)
			return NVME_SC_INTERNAL;
	}
	spin_lock(&ns->model_lock);
	if (ends)
		for (i = 0; i < m->nr_zones; i++)
			ends[i] = m->zones[i].data_end;
	st = zns_manage(m, now, io->slba, action, all, &io->deadline, &from,
			&to);
	spin_unlock(&ns->model_lock);
	if (st) {
		kvfree(ends);
		return zns_status(st);
	}
	io->priv = ends;
	io->slba = from;
	io->aux = to - from;
	return NVME_SC_SUCCESS;
}

static u16 zns_parse_recv(struct nvmev_ns *ns, struct nvmev_io *io, u64 now)
{
	const struct nvme_command *cmd = &io->cmd;
	u32 cdw13 = nvmev_cdw(cmd, 13);
	u64 max = (u64)SZ_4K << ns->dev->cfg.mdts;

	io->slba = nvmev_cmd_slba(cmd);
	io->bytes = ((u64)nvmev_cdw(cmd, 12) + 1) * 4;
	/* Zone Report only: no extended report (no descriptor extensions). */
	if ((cdw13 & 0xff) != NVME_ZRA_ZONE_REPORT ||
	    ((cdw13 >> 8) & 0xff) > NVMEV_ZRASF_MAX || io->bytes > max)
		return NVME_SC_INVALID_FIELD | NVME_STATUS_DNR;
	if (!nvmev_lba_range_ok(ns, io->slba, 1))
		return NVME_SC_LBA_RANGE | NVME_STATUS_DNR;
	spin_lock(&ns->model_lock);
	io->deadline = zns_time_report(ns->zns, now, io->bytes);
	spin_unlock(&ns->model_lock);
	return NVME_SC_SUCCESS;
}

static u16 zns_parse(struct nvmev_ns *ns, struct nvmev_io *io, u64 now)
{
	const struct nvme_command *cmd = &io->cmd;

	switch (cmd->common.opcode) {
	case nvme_cmd_read:
		return zns_parse_read(ns, io, now);
	case nvme_cmd_write:
	case nvme_cmd_write_zeroes:
		return zns_parse_write(ns, io, now, false);
	case nvme_cmd_zone_append:
		return zns_parse_write(ns, io, now, true);
	case nvme_cmd_flush:
		spin_lock(&ns->model_lock);
		io->deadline = zns_time_flush(ns->zns, now);
		spin_unlock(&ns->model_lock);
		return NVME_SC_SUCCESS;
	case nvme_cmd_dsm:
		return NVME_SC_SUCCESS;
	case nvme_cmd_zone_mgmt_send:
		return zns_parse_send(ns, io, now);
	case nvme_cmd_zone_mgmt_recv:
		return zns_parse_recv(ns, io, now);
	}
	return NVME_SC_INVALID_OPCODE | NVME_STATUS_DNR;
}

/* The report, built from the zones as they are now. */
static u16 zns_report_zones(struct nvmev_ns *ns, struct nvmev_io *io)
{
	u32 cdw13 = nvmev_cdw(&io->cmd, 13), max, n, i;
	struct nvme_zone_report *rep;
	struct zns_desc *d;
	u64 total;
	u16 status;

	rep = kvzalloc(io->bytes, GFP_KERNEL);
	max = io->bytes > sizeof(*rep) ?
	      (io->bytes - sizeof(*rep)) / sizeof(rep->entries[0]) : 0;
	d = kvmalloc_array(max ? max : 1, sizeof(*d), GFP_KERNEL);
	if (!rep || !d) {
		kvfree(rep);
		kvfree(d);
		return NVME_SC_INTERNAL;
	}
	spin_lock(&ns->model_lock);
	total = zns_report(ns->zns, io->slba, (cdw13 >> 8) & 0xff, d, max, &n);
	spin_unlock(&ns->model_lock);
	for (i = 0; i < n; i++) {
		struct nvme_zone_descriptor *e = &rep->entries[i];

		e->zt = d[i].zt;
		e->zs = d[i].zs << 4;
		e->za = d[i].za;
		e->zcap = cpu_to_le64(d[i].zcap);
		e->zslba = cpu_to_le64(d[i].zslba);
		e->wp = cpu_to_le64(d[i].wp);
	}
	/* A partial report counts what it holds; a full one every match. */
	if (io->bytes >= sizeof(rep->nr_zones))
		rep->nr_zones = cpu_to_le64(cdw13 & NVMEV_ZMR_PARTIAL ? n : total);
	status = nvmev_xfer(ns->dev, &io->cmd, io->bytes, rep, true);
	kvfree(rep);
	kvfree(d);
	return status;
}

/*
 * RAM backing: free the pages of a reset zone's old data, up to LBA @end.
 * A write accepted after the Reset may already own the first pages again
 * (parse() ran it on the dispatcher, a worker may be copying it now), so
 * each page is checked against the zone's new data under the model lock:
 * a page the new data reaches is kept (its stale rest reads as zeroes),
 * and a write accepted after the check gets a fresh page.
 */
static void zns_drop_zone(struct nvmev_ns *ns, u32 zone, u64 end)
{
	struct zns_model *m = ns->zns;
	u64 off = zns_zslba(m, zone) << ns->lba_shift;
	u64 stop = end << ns->lba_shift;
	u32 n = 0;

	for (; off < stop; off += PAGE_SIZE) {
		spin_lock(&ns->model_lock);
		if (off >= m->zones[zone].data_end << ns->lba_shift)
			nvmev_store_drop_page(&ns->store, off);
		spin_unlock(&ns->model_lock);
		if (!(++n % 4096))
			cond_resched();
	}
}

/* A Reset's data leaves the store: RAM pages freed, nothing in memmap. */
static void zns_drop_data(struct nvmev_ns *ns, struct nvmev_io *io)
{
	struct zns_model *m = ns->zns;
	u64 *ends = io->priv;
	u32 i;

	if (ns->store.kind != NVMEV_BACKING_RAM)
		return;
	if (io->aux)
		zns_drop_zone(ns, zns_zone_of(m, io->slba), io->slba + io->aux);
	/* Select All: every zone that held data. */
	for (i = 0; ends && i < m->nr_zones; i++)
		if (ends[i] > zns_zslba(m, i))
			zns_drop_zone(ns, i, ends[i]);
	kvfree(ends);
	io->priv = NULL;
}

static void zns_execute(struct nvmev_ns *ns, struct nvmev_io *io)
{
	const struct nvme_command *cmd = &io->cmd;
	struct nvmev_stats *st = &ns->dev->stats;

	switch (cmd->common.opcode) {
	case nvme_cmd_read:
		atomic64_inc(&st->host_reads);
		io->status = nvmev_read_store(ns, cmd, io->offset, io->bytes,
					      io->aux);
		atomic64_add(io->bytes >> 9, &st->units_read);
		break;
	case nvme_cmd_write:
	case nvme_cmd_zone_append:
		io->status = nvmev_xfer_store(ns, cmd, io->offset, io->bytes,
					      false);
		atomic64_add(io->bytes >> 9, &st->units_written);
		atomic64_inc(&st->host_writes);
		break;
	case nvme_cmd_write_zeroes:
		/* The store may hold an old zone's data here (memmap). */
		nvmev_store_zero(&ns->store, io->offset,
				 (u64)nvmev_cmd_nlb(cmd) << ns->lba_shift);
		break;
	case nvme_cmd_zone_mgmt_send:
		zns_drop_data(ns, io);
		break;
	case nvme_cmd_zone_mgmt_recv:
		io->status = zns_report_zones(ns, io);
		break;
	}
}

/* Identify Namespace (CNS 00h): the LBA formats, as the NVM kind. */
static void zns_id_ns(struct nvmev_ns *ns, struct nvme_id_ns *id)
{
	id->nlbaf = 1;
	id->flbas = ns->lba_shift == 12 ? 1 : 0;
	id->lbaf[0].ds = 9;
	id->lbaf[1].ds = 12;
}

static u32 zns_limit(u32 v)
{
	return v ? v - 1 : 0xffffffff;	/* 0's based; all ones: no limit */
}

/* CNS 05h, CSI 02h: zone operations, limits and the zone size. */
static u16 zns_id_ns_cs(struct nvmev_ns *ns, void *buf)
{
	struct nvme_id_ns_zns *id = buf;
	const struct zns_params *p = &ns->zns->p;

	id->zoc = 0;		/* no variable capacity, no zone active excursions */
	id->ozcs = 0;		/* no reads across zone boundaries */
	id->mar = cpu_to_le32(zns_limit(p->max_active));
	id->mor = cpu_to_le32(zns_limit(p->max_open));
	id->lbafe[0].zsze = cpu_to_le64(p->zone_bytes >> 9);
	id->lbafe[1].zsze = cpu_to_le64(p->zone_bytes >> 12);
	return NVME_SC_SUCCESS;
}

/* CNS 06h, CSI 02h: ZASL, a power of two of 4 KiB (CAP.MPSMIN). */
static u16 zns_id_ctrl_cs(struct nvmev_dev *dev, void *buf)
{
	struct nvme_id_ctrl_zns *id = buf;

	id->zasl = ilog2(dev->cfg.kp.zns.zasl_bytes / SZ_4K);
	return NVME_SC_SUCCESS;
}

static void zns_effects(struct nvme_effects_log *e)
{
	u32 csupp = NVME_CMD_EFFECTS_CSUPP;
	u32 lbcc = csupp | NVME_CMD_EFFECTS_LBCC;

	e->iocs[nvme_cmd_flush] = cpu_to_le32(csupp);
	e->iocs[nvme_cmd_write] = cpu_to_le32(lbcc);
	e->iocs[nvme_cmd_read] = cpu_to_le32(csupp);
	e->iocs[nvme_cmd_write_zeroes] = cpu_to_le32(lbcc);
	e->iocs[nvme_cmd_dsm] = cpu_to_le32(csupp);
	e->iocs[nvme_cmd_zone_append] = cpu_to_le32(lbcc);
	e->iocs[nvme_cmd_zone_mgmt_send] = cpu_to_le32(lbcc);
	e->iocs[nvme_cmd_zone_mgmt_recv] = cpu_to_le32(csupp);
}

const struct nvmev_cmd_set nvmev_zns_cmd_set = {
	.name		= "zns",
	.csi		= NVME_CSI_ZNS,
	.parse		= zns_parse,
	.execute	= zns_execute,
	.id_ns		= zns_id_ns,
	.id_ns_cs	= zns_id_ns_cs,
	.id_ctrl_cs	= zns_id_ctrl_cs,
	.effects	= zns_effects,
	.oncs		= NVME_CTRL_ONCS_DSM | NVME_CTRL_ONCS_WRITE_ZEROES,
};

/* ---- The "zns" kind ---- */

static int zns_kind_check(const struct nvmev_config *cfg,
			  const struct nvmev_kind_params *kp, u64 bytes,
			  const char *what)
{
	const char *why;

	if (zns_params_check(&kp->zns, bytes, 12, &why)) {
		pr_err("%s of %llu MiB: ZNS parameters refused: %s\n", what,
		       bytes >> 20, why);
		return -EINVAL;
	}
	return nvmev_kind_mem_check(what, bytes, zns_mem_bytes(&kp->zns, bytes),
				    "zone table");
}

static int zns_kind_init(struct nvmev_ns *ns)
{
	const struct zns_params *p = &ns->kp.zns;
	char what[32];
	int ret;

	snprintf(what, sizeof(what), "%s namespace %u", ns->dev->name,
		 ns->nsid);
	ret = zns_kind_check(&ns->dev->cfg, &ns->kp, ns->capacity, what);
	if (ret)
		return ret;
	ns->zns = kzalloc(sizeof(*ns->zns), GFP_KERNEL);
	if (!ns->zns)
		return -ENOMEM;
	ret = zns_init(ns->zns, p, ns->capacity, ns->lba_shift);
	if (ret) {
		kfree(ns->zns);
		ns->zns = NULL;
		return ret;
	}
	pr_info("%s: namespace %u: ZNS, %u zones of %llu MiB (capacity %llu MiB), max open %u, max active %u (0: no limit), zone append up to %u KiB\n",
		ns->dev->name, ns->nsid, ns->zns->nr_zones, p->zone_bytes >> 20,
		p->zcap_bytes >> 20, p->max_open, p->max_active,
		p->zasl_bytes >> 10);
	return 0;
}

static void zns_kind_exit(struct nvmev_ns *ns)
{
	if (!ns->zns)
		return;
	zns_free(ns->zns);
	kfree(ns->zns);
	ns->zns = NULL;
}

static void zns_kind_reset(struct nvmev_ns *ns)
{
	spin_lock(&ns->model_lock);
	zns_reset_timing(ns->zns);
	spin_unlock(&ns->model_lock);
}

/* Format NVM: every zone empty, in the (maybe new) LBA size. */
static void zns_kind_format(struct nvmev_ns *ns)
{
	spin_lock(&ns->model_lock);
	zns_format(ns->zns, ns->lba_shift);
	spin_unlock(&ns->model_lock);
}

static u8 zns_kind_percent_used(struct nvmev_ns *ns)
{
	u32 pct;

	spin_lock(&ns->model_lock);
	pct = zns_percent_used(ns->zns);
	spin_unlock(&ns->model_lock);
	return pct;
}

/* debugfs: zone counts by state and the model's counters. */
static void zns_kind_show(struct nvmev_ns *ns, struct seq_file *m)
{
	struct zns_model *z = ns->zns;
	u32 count[16] = { 0 }, i;
	struct zns_stats st;
	u32 open, active;

	spin_lock(&ns->model_lock);
	for (i = 0; i < z->nr_zones; i++)
		count[z->zones[i].state & 0xf]++;
	st = z->stats;
	open = z->nr_open;
	active = z->nr_active;
	spin_unlock(&ns->model_lock);

	seq_printf(m, "ns%u_zones %u\n", ns->nsid, z->nr_zones);
	seq_printf(m, "ns%u_zones_empty %u\n", ns->nsid, count[ZNS_ZS_EMPTY]);
	seq_printf(m, "ns%u_zones_open %u\n", ns->nsid, open);
	seq_printf(m, "ns%u_zones_active %u\n", ns->nsid, active);
	seq_printf(m, "ns%u_zones_closed %u\n", ns->nsid, count[ZNS_ZS_CLOSED]);
	seq_printf(m, "ns%u_zones_full %u\n", ns->nsid, count[ZNS_ZS_FULL]);
	seq_printf(m, "ns%u_zones_offline %u\n", ns->nsid, count[ZNS_ZS_OFFLINE]);
	seq_printf(m, "ns%u_zone_resets %llu\n", ns->nsid, st.resets);
	seq_printf(m, "ns%u_zone_finishes %llu\n", ns->nsid, st.finishes);
	seq_printf(m, "ns%u_implicit_closes %llu\n", ns->nsid,
		   st.implicit_closes);
	seq_printf(m, "ns%u_zone_appends %llu\n", ns->nsid, st.appends);
	seq_printf(m, "ns%u_program_units %llu\n", ns->nsid, st.program_units);
	seq_printf(m, "ns%u_host_write_pages %llu\n", ns->nsid,
		   st.host_write_pages);
	seq_printf(m, "ns%u_nand_read_pages %llu\n", ns->nsid,
		   st.nand_read_pages);
	seq_printf(m, "ns%u_wb_waits %llu\n", ns->nsid, st.wb_waits);
}

const struct nvmev_kind nvmev_zns_kind = {
	.name		= "zns",
	.cs		= &nvmev_zns_cmd_set,
	.check		= zns_kind_check,
	.init		= zns_kind_init,
	.exit		= zns_kind_exit,
	.reset		= zns_kind_reset,
	.format		= zns_kind_format,
	.percent_used	= zns_kind_percent_used,
	.show		= zns_kind_show,
};
