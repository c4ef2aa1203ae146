// SPDX-License-Identifier: GPL-2.0
/*
 * nvmev: the NVM command set (CSI 00h), and the "nvm" device kind.
 *
 * Read, Write, Compare, Flush, Write Zeroes, Dataset Management, Verify,
 * Write Uncorrectable and Copy (source range format 0).  parse() runs on
 * the dispatcher: it checks the command against the namespace, fixes the
 * byte offset and length (so a later Format cannot change what was
 * checked) and asks the namespace's kind for the deadline: the "nvm" kind
 * below (Optane-like, pure/nvm_timing.c) or the "ssd" kind (ssd.c).
 * execute() runs on a worker.
 *
 * Limits (Identify CNS 06h): Write Zeroes, Verify and Write Uncorrectable
 * move at most 16 MiB, a Dataset Management command covers at most
 * NVMEV_DEALLOC_LBAS blocks; beyond that the command fails with Invalid
 * Field in Command, and the host splits its requests to fit.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/slab.h>
#include <linux/log2.h>
#include <linux/ktime.h>

#include "nvmev.h"

/* DMRSL and DMSL, in logical blocks of any format: 16 MiB of 4 KiB blocks. */
#define NVMEV_DEALLOC_LBAS	(NVMEV_DEALLOC_MAX >> 12)

/* Copy limits (Identify Namespace MSSRL, MCL, MSRC), in logical blocks. */
#define NVMEV_COPY_MSSRL	4096	/* one source range */
#define NVMEV_COPY_MCL		16384	/* all ranges of one command */
#define NVMEV_COPY_MSRC		128	/* source ranges */
#define NVMEV_SC_CMD_SIZE_LIMIT	0x183	/* Command Size Limit Exceeded */
#define NVMEV_ONCS_COPY		(1 << 8)

/* Source Range Entry, descriptor format 0 (32 bytes). */
struct nvmev_copy_range {
	__le64 rsvd0;
	__le64 slba;
	__le16 nlb;			/* 0's based */
	u8 rsvd18[14];
};

/* When a command on [slba, slba + nlb) completes: the kind's model says. */
static u64 nvm_time(struct nvmev_ns *ns, u64 now, u64 slba, u64 nlb,
		    u32 flags)
{
	return ns->kind->time_rw(ns, now, slba, nlb, flags);
}

static u32 rw_flags(const struct nvme_command *cmd)
{
	u32 flags = 0;

	if (cmd->common.opcode == nvme_cmd_write) {
		flags |= NVMEV_T_WRITE;
		if (le16_to_cpu(cmd->rw.control) & NVME_RW_FUA)
			flags |= NVMEV_T_FUA;
	}
	return flags;
}

static u16 nvm_parse(struct nvmev_ns *ns, struct nvmev_io *io, u64 now)
{
	const struct nvme_command *cmd = &io->cmd;
	u64 max = (u64)SZ_4K << ns->dev->cfg.mdts;
	u8 opc = cmd->common.opcode;
	u32 nlb = nvmev_cmd_nlb(cmd);

	switch (opc) {
	case nvme_cmd_read:
	case nvme_cmd_write:
	case nvme_cmd_compare:
	case nvme_cmd_write_zeroes:
	case nvme_cmd_verify:
	case nvme_cmd_write_uncor:
		io->slba = nvmev_cmd_slba(cmd);
		io->offset = io->slba << ns->lba_shift;
		if (!nvmev_lba_range_ok(ns, io->slba, nlb))
			return NVME_SC_LBA_RANGE | NVME_STATUS_DNR;
		break;
	case nvme_cmd_flush:
		if (ns->kind->time_flush)
			io->deadline = ns->kind->time_flush(ns, now);
		return NVME_SC_SUCCESS;
	case nvme_cmd_dsm:
		io->bytes = ((nvmev_cdw(cmd, 10) & 0xff) + 1) *
			    sizeof(struct nvme_dsm_range);
		return NVME_SC_SUCCESS;
	case NVMEV_CMD_COPY: {
		u32 cdw12 = nvmev_cdw(cmd, 12);
		u32 nr = (cdw12 & 0xff) + 1;

		io->slba = nvmev_cmd_slba(cmd);
		/* Format 0 only, and no protection information. */
		if ((cdw12 >> 8) & 0xf || (cdw12 >> 26) & 0xf ||
		    nvmev_cdw(cmd, 13) >> 16 & 0xf)
			return NVME_SC_INVALID_FIELD | NVME_STATUS_DNR;
		if (nr > NVMEV_COPY_MSRC)
			return NVMEV_SC_CMD_SIZE_LIMIT | NVME_STATUS_DNR;
		io->bytes = nr * sizeof(struct nvmev_copy_range);
		/* Timed by execute(), once the ranges are known. */
		return NVME_SC_SUCCESS;
	}
	default:
		return NVME_SC_INVALID_OPCODE | NVME_STATUS_DNR;
	}

	switch (opc) {
	case nvme_cmd_read:
	case nvme_cmd_compare:
	case nvme_cmd_write:
		io->bytes = (u64)nlb << ns->lba_shift;
		if (io->bytes > max)
			return NVME_SC_INVALID_FIELD | NVME_STATUS_DNR;
		io->deadline = nvm_time(ns, now, io->slba, nlb, rw_flags(cmd));
		break;
	case nvme_cmd_write_zeroes:
		if (((u64)nlb << ns->lba_shift) > NVMEV_DEALLOC_MAX)
			return NVME_SC_INVALID_FIELD | NVME_STATUS_DNR;
		io->deadline = ns->kind->time_dealloc(ns, now, io->slba, nlb);
		break;
	case nvme_cmd_write_uncor:
		if (((u64)nlb << ns->lba_shift) > NVMEV_UNC_MAX)
			return NVME_SC_INVALID_FIELD | NVME_STATUS_DNR;
		io->deadline = nvm_time(ns, now, io->slba, nlb,
					NVMEV_T_WRITE | NVMEV_T_NODATA);
		break;
	case nvme_cmd_verify:
		if (((u64)nlb << ns->lba_shift) > NVMEV_VERIFY_MAX)
			return NVME_SC_INVALID_FIELD | NVME_STATUS_DNR;
		io->deadline = nvm_time(ns, now, io->slba, nlb, NVMEV_T_NODATA);
		break;
	}
	return NVME_SC_SUCCESS;
}

/* Blocks marked by Write Uncorrectable fail reads until rewritten. */
static u16 nvm_check_unc(struct nvmev_ns *ns, struct nvmev_io *io)
{
	if (!nvmev_ns_unc_overlaps(ns, io->slba, nvmev_cmd_nlb(&io->cmd)))
		return NVME_SC_SUCCESS;
	atomic64_inc(&ns->dev->stats.media_errors);
	return NVME_SC_READ_ERROR | NVME_STATUS_DNR;
}

/* After a write of any kind the blocks read normally again. */
static u16 nvm_clear_unc(struct nvmev_ns *ns, u64 slba, u64 nlb)
{
	return nvmev_ns_unc_update(ns, slba, nlb, false) ? NVME_SC_INTERNAL : 0;
}

static u16 nvm_dsm(struct nvmev_ns *ns, struct nvmev_io *io)
{
	u32 nr = (nvmev_cdw(&io->cmd, 10) & 0xff) + 1;
	bool deallocate = nvmev_cdw(&io->cmd, 11) & NVME_DSMGMT_AD;
	struct nvme_dsm_range *r;
	u64 total = 0;
	u16 status;
	u32 i;

	r = kmalloc_array(nr, sizeof(*r), GFP_KERNEL);
	if (!r)
		return NVME_SC_INTERNAL;
	status = nvmev_xfer(ns->dev, &io->cmd, nr * sizeof(*r), r, false);
	for (i = 0; !status && i < nr; i++) {
		u64 slba = le64_to_cpu(r[i].slba);
		u32 nlb = le32_to_cpu(r[i].nlb);

		if (!nlb)
			continue;
		total += nlb;
		if (!nvmev_lba_range_ok(ns, slba, nlb)) {
			io->slba = slba;
			status = NVME_SC_LBA_RANGE | NVME_STATUS_DNR;
		} else if (deallocate && total > NVMEV_DEALLOC_LBAS) {
			/* DMSL covers DMRSL: one range can be no larger. */
			status = NVME_SC_INVALID_FIELD | NVME_STATUS_DNR;
		}
	}
	for (i = 0; !status && deallocate && i < nr; i++) {
		u64 slba = le64_to_cpu(r[i].slba);
		u32 nlb = le32_to_cpu(r[i].nlb);

		nvmev_store_zero(&ns->store, slba << ns->lba_shift,
				 (u64)nlb << ns->lba_shift);
		status = nvm_clear_unc(ns, slba, nlb);
		if (nlb)
			io->deadline = max(io->deadline,
					   ns->kind->time_dealloc(ns, ktime_get_ns(),
								  slba, nlb));
	}
	kfree(r);
	return status;
}

/*
 * Copy: read the source ranges, check every limit and range before moving
 * anything, then copy.  On failure CDW0 holds the index of the first range
 * not copied.  Timed as a read of all the data followed by its write.
 */
static u16 nvm_copy(struct nvmev_ns *ns, struct nvmev_io *io)
{
	u32 nr = io->bytes / sizeof(struct nvmev_copy_range), i;
	u64 dst = io->slba, total = 0, t;
	struct nvmev_copy_range *r;
	u16 status;

	r = kmalloc_array(nr, sizeof(*r), GFP_KERNEL);
	if (!r)
		return NVME_SC_INTERNAL;
	status = nvmev_xfer(ns->dev, &io->cmd, io->bytes, r, false);
	for (i = 0; !status && i < nr; i++) {
		u64 slba = le64_to_cpu(r[i].slba);
		u32 nlb = le16_to_cpu(r[i].nlb) + 1;

		total += nlb;
		if (nlb > NVMEV_COPY_MSSRL || total > NVMEV_COPY_MCL)
			status = NVMEV_SC_CMD_SIZE_LIMIT | NVME_STATUS_DNR;
		else if (!nvmev_lba_range_ok(ns, slba, nlb))
			status = NVME_SC_LBA_RANGE | NVME_STATUS_DNR;
		else if (nvmev_ns_unc_overlaps(ns, slba, nlb))
			status = NVME_SC_READ_ERROR | NVME_STATUS_DNR;
	}
	if (!status && !nvmev_lba_range_ok(ns, dst, total)) {
		i = 0;
		status = NVME_SC_LBA_RANGE | NVME_STATUS_DNR;
	}
	if (status) {
		io->result = i ? i - 1 : 0;
		goto out;
	}
	for (i = 0; !status && i < nr; i++) {
		u64 slba = le64_to_cpu(r[i].slba);
		u32 nlb = le16_to_cpu(r[i].nlb) + 1;

		status = nvmev_store_copy(&ns->store, dst << ns->lba_shift,
					  slba << ns->lba_shift,
					  (u64)nlb << ns->lba_shift);
		if (status) {
			io->result = i;
			break;
		}
		dst += nlb;
	}
	if (!status)
		status = nvm_clear_unc(ns, io->slba, total);
	/* Timed as reads of the sources, then a write of the destination. */
	t = ktime_get_ns();
	for (i = 0; i < nr; i++)
		t = max(t, nvm_time(ns, ktime_get_ns(), le64_to_cpu(r[i].slba),
				    le16_to_cpu(r[i].nlb) + 1, 0));
	io->deadline = nvm_time(ns, t, io->slba, total, NVMEV_T_WRITE);
out:
	kfree(r);
	return status;
}

static void nvm_execute(struct nvmev_ns *ns, struct nvmev_io *io)
{
	const struct nvme_command *cmd = &io->cmd;
	struct nvmev_stats *st = &ns->dev->stats;
	u32 nlb = nvmev_cmd_nlb(cmd);

	switch (cmd->common.opcode) {
	case nvme_cmd_read:
		atomic64_inc(&st->host_reads);
		io->status = nvm_check_unc(ns, io);
		if (io->status)
			break;
		io->status = nvmev_xfer_store(ns, cmd, io->offset, io->bytes,
					      true);
		atomic64_add(io->bytes >> 9, &st->units_read);
		break;
	case nvme_cmd_write:
		nvmev_vwc_write(ns, io->offset, io->bytes,
				rw_flags(cmd) & NVMEV_T_FUA);
		io->status = nvmev_xfer_store(ns, cmd, io->offset, io->bytes,
					      false);
		if (!io->status)
			io->status = nvm_clear_unc(ns, io->slba, nlb);
		atomic64_add(io->bytes >> 9, &st->units_written);
		atomic64_inc(&st->host_writes);
		break;
	case nvme_cmd_compare:
		atomic64_inc(&st->host_reads);
		io->status = nvm_check_unc(ns, io);
		if (!io->status)
			io->status = nvmev_compare_store(ns, cmd, io->offset,
							 io->bytes);
		break;
	case nvme_cmd_verify:
		io->status = nvm_check_unc(ns, io);
		break;
	case nvme_cmd_write_zeroes:
		nvmev_vwc_commit(ns);
		nvmev_store_zero(&ns->store, io->offset,
				 (u64)nlb << ns->lba_shift);
		io->status = nvm_clear_unc(ns, io->slba, nlb);
		break;
	case nvme_cmd_write_uncor:
		nvmev_vwc_commit(ns);
		if (nvmev_ns_unc_update(ns, io->slba, nlb, true))
			io->status = NVME_SC_INTERNAL;
		break;
	case nvme_cmd_dsm:
		nvmev_vwc_commit(ns);
		io->status = nvm_dsm(ns, io);
		break;
	case NVMEV_CMD_COPY:
		nvmev_vwc_commit(ns);
		io->status = nvm_copy(ns, io);
		break;
	case nvme_cmd_flush:
		nvmev_vwc_commit(ns);
		break;
	}
}

/* Identify Namespace (CNS 00h): what is specific to the NVM kind. */
static void nvm_id_ns(struct nvmev_ns *ns, struct nvme_id_ns *id)
{
	id->nlbaf = 1;				/* two formats, 0's based */
	id->flbas = ns->lba_shift == 12 ? 1 : 0;
	id->dlfeat = 0x9;	/* deallocated reads zeroes; WZ may deallocate */
	id->lbaf[0].ds = 9;
	id->lbaf[1].ds = 12;
	/* MSSRL (bytes 75:74), MCL (79:76), MSRC (80, 0's based). */
	*(__le16 *)((u8 *)id + 74) = cpu_to_le16(NVMEV_COPY_MSSRL);
	*(__le32 *)((u8 *)id + 76) = cpu_to_le32(NVMEV_COPY_MCL);
	*((u8 *)id + 80) = NVMEV_COPY_MSRC - 1;
}

/* CNS 05h, CSI 00h: no protection information, no extended formats. */
static u16 nvm_id_ns_cs(struct nvmev_ns *ns, void *buf)
{
	return NVME_SC_SUCCESS;
}

/* CNS 06h, CSI 00h: the size limits of the NVM command set. */
static u16 nvm_id_ctrl_cs(struct nvmev_dev *dev, void *buf)
{
	struct nvme_id_ctrl_nvm *id = buf;

	/* VSL, WZSL, WUSL: powers of two of 4 KiB (CAP.MPSMIN). */
	id->vsl = ilog2(NVMEV_VERIFY_MAX / SZ_4K);
	id->wzsl = ilog2(NVMEV_DEALLOC_MAX / SZ_4K);
	id->wusl = ilog2(NVMEV_UNC_MAX / SZ_4K);
	id->dmrl = 0;		/* any number of ranges, up to 256 */
	id->dmrsl = cpu_to_le32(NVMEV_DEALLOC_LBAS);
	id->dmsl = cpu_to_le64(NVMEV_DEALLOC_LBAS);
	return NVME_SC_SUCCESS;
}

static void nvm_effects(struct nvme_effects_log *e)
{
	u32 csupp = NVME_CMD_EFFECTS_CSUPP;
	u32 lbcc = csupp | NVME_CMD_EFFECTS_LBCC;

	e->iocs[nvme_cmd_flush] = cpu_to_le32(csupp);
	e->iocs[nvme_cmd_write] = cpu_to_le32(lbcc);
	e->iocs[nvme_cmd_read] = cpu_to_le32(csupp);
	e->iocs[nvme_cmd_write_uncor] = cpu_to_le32(lbcc);
	e->iocs[nvme_cmd_compare] = cpu_to_le32(csupp);
	e->iocs[nvme_cmd_write_zeroes] = cpu_to_le32(lbcc);
	e->iocs[nvme_cmd_dsm] = cpu_to_le32(lbcc);
	e->iocs[nvme_cmd_verify] = cpu_to_le32(csupp);
	e->iocs[NVMEV_CMD_COPY] = cpu_to_le32(lbcc);
}

/* ---- The "nvm" kind: the Optane-like model of pure/nvm_timing.c ---- */

static u64 nvm_kind_rw(struct nvmev_ns *ns, u64 now, u64 slba, u64 nlb,
		       u32 flags)
{
	u64 bytes = flags & NVMEV_T_NODATA ? 0 : nlb << ns->lba_shift;
	u64 t;

	spin_lock(&ns->model_lock);
	t = nvm_model_submit(&ns->model, now, flags & NVMEV_T_WRITE, bytes);
	spin_unlock(&ns->model_lock);
	return t;
}

/* Deallocation is a media write without data, as before kinds existed. */
static u64 nvm_kind_dealloc(struct nvmev_ns *ns, u64 now, u64 slba, u64 nlb)
{
	return nvm_kind_rw(ns, now, slba, nlb, NVMEV_T_WRITE | NVMEV_T_NODATA);
}

static void nvm_kind_reset(struct nvmev_ns *ns)
{
	spin_lock(&ns->model_lock);
	nvm_model_reset(&ns->model);
	spin_unlock(&ns->model_lock);
}

const struct nvmev_cmd_set nvmev_nvm_cmd_set = {
	.name		= "nvm",
	.csi		= NVME_CSI_NVM,
	.parse		= nvm_parse,
	.execute	= nvm_execute,
	.id_ns		= nvm_id_ns,
	.id_ns_cs	= nvm_id_ns_cs,
	.id_ctrl_cs	= nvm_id_ctrl_cs,
	.effects	= nvm_effects,
	.oncs		= NVME_CTRL_ONCS_COMPARE |
			  NVME_CTRL_ONCS_WRITE_UNCORRECTABLE |
			  NVME_CTRL_ONCS_DSM | NVME_CTRL_ONCS_WRITE_ZEROES |
			  NVMEV_ONCS_VERIFY | NVMEV_ONCS_COPY,
};

const struct nvmev_kind nvmev_nvm_kind = {
	.name		= "nvm",
	.cs		= &nvmev_nvm_cmd_set,
	.reset		= nvm_kind_reset,
	.time_rw	= nvm_kind_rw,
	.time_dealloc	= nvm_kind_dealloc,
};
