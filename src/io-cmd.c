// SPDX-License-Identifier: GPL-2.0
/*
 * nvmev: the I/O path common to every command set.
 *
 * nvmev_io_submit() runs on the dispatcher: it checks what no command set
 * decides (fused operations, the namespace and its state), lets the
 * namespace's command set parse and time the command, and hands it to a
 * worker.  A refused command travels the same way with its status, so its
 * completion waits for CQ room like any other instead of being dropped.
 * The worker calls nvmev_io_execute() to move the data, then posts the
 * completion when the model's time has come (dispatch.c).
 *
 * Every failed command, admin or I/O, gets an entry in the Error
 * Information log (nvmev_error_log()).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/slab.h>
#include <linux/ktime.h>

#include "nvmev.h"

struct kmem_cache *nvmev_io_cache;

#define NVMEV_FUSE_MASK		0x3	/* CDW0 bits 9:8: FUSE */

/* Record a failed command in the Error Information log. */
void nvmev_error_log(struct nvmev_dev *dev, u16 sqid,
		     const struct nvme_command *cmd, u16 status, u64 lba)
{
	u8 *e;

	spin_lock(&dev->err_lock);
	e = dev->err_log[dev->err_count % NVMEV_ERR_LOG_ENTRIES];
	memset(e, 0, 64);
	dev->err_count++;
	*(__le64 *)e = cpu_to_le64(dev->err_count);
	*(__le16 *)(e + 8) = cpu_to_le16(sqid);
	*(__le16 *)(e + 10) = cmd->common.command_id;
	*(__le16 *)(e + 12) = cpu_to_le16(status << 1);
	*(__le16 *)(e + 14) = cpu_to_le16(0xffff);	/* no one field */
	*(__le64 *)(e + 16) = cpu_to_le64(lba);
	*(__le32 *)(e + 24) = cmd->common.nsid;
	spin_unlock(&dev->err_lock);
}

static u16 io_check(struct nvmev_dev *dev, struct nvmev_io *io, u64 now)
{
	const struct nvme_command *cmd = &io->cmd;
	u32 nsid = le32_to_cpu(cmd->common.nsid);
	struct nvmev_ns *ns;
	u16 status;

	/* No fused operations (FUSES = 0): refuse either half cleanly. */
	if (cmd->common.flags & NVMEV_FUSE_MASK)
		return NVME_SC_INVALID_FIELD | NVME_STATUS_DNR;
	/* Flush of every namespace: the volatile caches are emptied now. */
	if (cmd->common.opcode == nvme_cmd_flush && nsid == NVME_NSID_ALL) {
		nvmev_vwc_commit_all(dev);
		return NVME_SC_SUCCESS;
	}
	ns = nvmev_ns_active(dev, nsid);
	if (!ns)
		return NVME_SC_INVALID_NS | NVME_STATUS_DNR;
	if (ns->state != NVMEV_NS_LIVE)
		return NVME_SC_NS_NOT_READY;
	io->ns = ns;
	status = ns->ops->parse(ns, io, now);
	if (!status && unlikely(READ_ONCE(ns->fault_on)))
		status = nvmev_fault_io(ns, io, now);
	return status;
}

/*
 * A small read or write of the NVM kind that is due already (the
 * zero-latency profile) is served by the dispatcher itself: handing it to
 * a worker would cost a wake-up on another CPU and nothing else.  Other
 * kinds keep their model's state on the workers.
 */
#define NVMEV_INLINE_MAX	(16 * 1024)

static bool io_inline_ok(struct nvmev_io *io)
{
	u8 op = io->cmd.common.opcode;

	return io->ns && !io->done && !io->lost &&
	       io->ns->kind == &nvmev_nvm_kind &&
	       (op == nvme_cmd_read || op == nvme_cmd_write) &&
	       io->bytes <= NVMEV_INLINE_MAX &&
	       io->deadline <= ktime_get_ns();
}

void nvmev_io_submit(struct nvmev_dev *dev, struct nvmev_sq *sq,
		     const struct nvme_command *cmd)
{
	struct nvmev_io *io;
	u64 now = ktime_get_ns();
	u16 status;

	io = kmem_cache_alloc(nvmev_io_cache, GFP_NOWAIT | __GFP_NOWARN);
	if (!io)
		io = kmem_cache_alloc(nvmev_io_cache, GFP_KERNEL);
	if (!io) {
		/* Nothing to hold it in: post now, or lose it if the CQ is full. */
		if (nvmev_cq_post(dev, sq->cq, sq->qid, sq->head,
				  cmd->common.command_id, NVME_SC_INTERNAL, 0) &&
		    sq->cq->irq_enabled)
			nvmev_raise_irq(dev, sq->cq->vector);
		return;
	}
	io->sq = sq;
	io->ns = NULL;
	io->cmd = *cmd;
	io->status = 0;
	io->done = false;
	io->cq_waited = false;
	io->lost = false;
	io->result = 0;
	io->slba = 0;
	io->offset = 0;
	io->bytes = 0;
	io->aux = 0;
	io->priv = NULL;
	io->deadline = now;

	status = io_check(dev, io, now);
	if (status) {
		nvmev_error_log(dev, sq->qid, cmd, status, io->slba);
		io->ns = NULL;
		io->status = status;
		io->done = true;
		io->deadline = now;
	} else if (!io->ns) {
		io->done = true;
	} else {
		atomic_inc(&io->ns->inflight);
	}
	atomic_inc(&sq->inflight);
	atomic_inc(&dev->inflight);
	if (io_inline_ok(io) && nvmev_io_complete_inline(dev, io))
		return;
	nvmev_worker_queue(dev, io);
}

/* Move the data of one I/O; runs on a worker. */
void nvmev_io_execute(struct nvmev_dev *dev, struct nvmev_io *io)
{
	if (io->done)
		return;
	io->ns->ops->execute(io->ns, io);
	io->done = true;
	if (io->status)
		nvmev_error_log(dev, io->sq->qid, &io->cmd, io->status,
				io->slba);
}
