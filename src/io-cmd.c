// SPDX-License-Identifier: GPL-2.0
/*
 * nvmev: the NVM command set.
 *
 * nvmev_io_submit() runs on the dispatcher: it checks the command, asks the
 * timing model when it completes and hands it to a worker.  The worker calls
 * nvmev_io_execute() to move the data, then posts the completion when the
 * model's time has come (dispatch.c).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/slab.h>
#include <linux/ktime.h>

#include "nvmev.h"

struct kmem_cache *nvmev_io_cache;

static u32 cdw(const struct nvme_command *cmd, int n)
{
	return le32_to_cpu(((const __le32 *)cmd)[n]);
}

static u64 cmd_slba(const struct nvme_command *cmd)
{
	return cdw(cmd, 10) | (u64)cdw(cmd, 11) << 32;
}

static u32 cmd_nlb(const struct nvme_command *cmd)
{
	return (cdw(cmd, 12) & 0xffff) + 1;
}

static bool lba_range_ok(struct nvmev_dev *dev, u64 slba, u64 nlb)
{
	u64 n = nvmev_nr_lbas(dev);

	return slba < n && nlb <= n - slba;
}

/* Check a command; returns its status and, via @bytes, its data length. */
static u16 io_check(struct nvmev_dev *dev, const struct nvme_command *cmd,
		    u64 *bytes)
{
	u32 nsid = le32_to_cpu(cmd->common.nsid);
	u64 max = (u64)SZ_4K << dev->cfg.mdts;
	u8 opc = cmd->common.opcode;

	*bytes = 0;
	if (opc == nvme_cmd_flush && nsid == NVME_NSID_ALL)
		return NVME_SC_SUCCESS;
	switch (opc) {
	case nvme_cmd_flush:
	case nvme_cmd_read:
	case nvme_cmd_write:
	case nvme_cmd_compare:
	case nvme_cmd_write_zeroes:
	case nvme_cmd_dsm:
		break;
	default:
		return NVME_SC_INVALID_OPCODE | NVME_STATUS_DNR;
	}
	if (nsid != 1)
		return NVME_SC_INVALID_NS | NVME_STATUS_DNR;

	switch (opc) {
	case nvme_cmd_read:
	case nvme_cmd_write:
	case nvme_cmd_compare:
		*bytes = (u64)cmd_nlb(cmd) << dev->cfg.lba_shift;
		if (!lba_range_ok(dev, cmd_slba(cmd), cmd_nlb(cmd)))
			return NVME_SC_LBA_RANGE | NVME_STATUS_DNR;
		if (*bytes > max)
			return NVME_SC_INVALID_FIELD | NVME_STATUS_DNR;
		break;
	case nvme_cmd_write_zeroes:
		if (!lba_range_ok(dev, cmd_slba(cmd), cmd_nlb(cmd)))
			return NVME_SC_LBA_RANGE | NVME_STATUS_DNR;
		break;
	case nvme_cmd_dsm:
		*bytes = ((cdw(cmd, 10) & 0xff) + 1) *
			 sizeof(struct nvme_dsm_range);
		break;
	}
	return NVME_SC_SUCCESS;
}

void nvmev_io_submit(struct nvmev_dev *dev, struct nvmev_sq *sq,
		     const struct nvme_command *cmd, u16 sq_head)
{
	struct nvmev_io *io;
	u64 bytes, now;
	u16 status;

	status = io_check(dev, cmd, &bytes);
	if (status) {
		nvmev_post_status(dev, sq, sq_head, cmd->common.command_id,
				  status);
		return;
	}

	io = kmem_cache_alloc(nvmev_io_cache, GFP_NOWAIT | __GFP_NOWARN);
	if (!io)
		io = kmem_cache_alloc(nvmev_io_cache, GFP_KERNEL);
	if (!io) {
		nvmev_post_status(dev, sq, sq_head, cmd->common.command_id,
				  NVME_SC_INTERNAL);
		return;
	}
	io->sq = sq;
	io->cmd = *cmd;
	io->sq_head = sq_head;
	io->status = 0;
	io->result = 0;
	io->bytes = bytes;

	now = ktime_get_ns();
	switch (cmd->common.opcode) {
	case nvme_cmd_read:
	case nvme_cmd_compare:
	case nvme_cmd_write:
	case nvme_cmd_write_zeroes:
		spin_lock(&dev->model_lock);
		io->deadline = nvm_model_submit(&dev->model, now,
						cmd->common.opcode != nvme_cmd_read &&
						cmd->common.opcode != nvme_cmd_compare,
						cmd->common.opcode == nvme_cmd_write_zeroes ?
						0 : bytes);
		spin_unlock(&dev->model_lock);
		break;
	default:
		io->deadline = now;
	}
	atomic_inc(&sq->inflight);
	atomic_inc(&dev->inflight);
	nvmev_worker_queue(dev, io);
}

static u16 io_dsm(struct nvmev_dev *dev, struct nvmev_io *io)
{
	u32 nr = (cdw(&io->cmd, 10) & 0xff) + 1;
	bool deallocate = cdw(&io->cmd, 11) & NVME_DSMGMT_AD;
	struct nvme_dsm_range *r;
	u16 status;
	u32 i;

	r = kmalloc_array(nr, sizeof(*r), GFP_KERNEL);
	if (!r)
		return NVME_SC_INTERNAL;
	status = nvmev_xfer(dev, &io->cmd, nr * sizeof(*r), r, false);
	for (i = 0; !status && i < nr; i++) {
		u64 slba = le64_to_cpu(r[i].slba);
		u32 nlb = le32_to_cpu(r[i].nlb);

		if (!nlb)
			continue;
		if (!lba_range_ok(dev, slba, nlb))
			status = NVME_SC_LBA_RANGE | NVME_STATUS_DNR;
	}
	for (i = 0; !status && deallocate && i < nr; i++)
		nvmev_store_zero(&dev->store,
				 le64_to_cpu(r[i].slba) << dev->cfg.lba_shift,
				 (u64)le32_to_cpu(r[i].nlb) << dev->cfg.lba_shift);
	kfree(r);
	return status;
}

/* Move the data of one I/O; runs on a worker. */
void nvmev_io_execute(struct nvmev_dev *dev, struct nvmev_io *io)
{
	const struct nvme_command *cmd = &io->cmd;
	u64 off = cmd_slba(cmd) << dev->cfg.lba_shift;
	struct nvmev_stats *st = &dev->stats;

	switch (cmd->common.opcode) {
	case nvme_cmd_read:
		io->status = nvmev_xfer_store(dev, cmd, off, io->bytes, true);
		atomic64_add(io->bytes >> 9, &st->units_read);
		atomic64_inc(&st->host_reads);
		break;
	case nvme_cmd_write:
		io->status = nvmev_xfer_store(dev, cmd, off, io->bytes, false);
		atomic64_add(io->bytes >> 9, &st->units_written);
		atomic64_inc(&st->host_writes);
		break;
	case nvme_cmd_compare:
		io->status = nvmev_compare_store(dev, cmd, off, io->bytes);
		atomic64_inc(&st->host_reads);
		break;
	case nvme_cmd_write_zeroes:
		nvmev_store_zero(&dev->store, off,
				 (u64)cmd_nlb(cmd) << dev->cfg.lba_shift);
		break;
	case nvme_cmd_dsm:
		io->status = io_dsm(dev, io);
		break;
	case nvme_cmd_flush:
		break;
	}
}
