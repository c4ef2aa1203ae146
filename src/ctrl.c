// SPDX-License-Identifier: GPL-2.0
/*
 * nvmev: controller registers and queues.
 *
 * The host reaches BAR0 through ordinary memory (the reserved range), so a
 * register write is only seen when the dispatcher looks.  This file turns
 * what it sees into controller state changes (enable, disable, shutdown,
 * subsystem reset) and keeps the submission and completion queues.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/io.h>
#include <linux/io-64-nonatomic-lo-hi.h>
#include <linux/slab.h>
#include <linux/delay.h>
#include <linux/sched.h>

#include "nvmev.h"

#define NVMEV_NSSR_MAGIC	0x4e564d65	/* "NVMe" */

static void __iomem *db_addr(struct nvmev_dev *dev, u16 qid, bool cq)
{
	return dev->bar + NVMEV_DB_OFFSET + (2 * qid + cq) * 4;
}

void nvmev_ctrl_init_regs(struct nvmev_dev *dev)
{
	u64 cap = 0;

	cap |= NVMEV_MQES;			/* MQES */
	cap |= 1ULL << 16;			/* CQR: contiguous queues */
	cap |= 20ULL << 24;			/* TO: 10 s */
	cap |= 1ULL << 36;			/* NSSRS */
	/* NVM command set, and I/O command sets chosen by CSI (CC.CSS 110b). */
	cap |= (u64)(NVME_CAP_CSS_NVM | NVME_CAP_CSS_CSI) << 37;
	/* MPSMIN = MPSMAX = 0: 4 KiB pages, DSTRD = 0 */

	lo_hi_writeq(cap, dev->bar + NVME_REG_CAP);
	writel(NVME_VS(2, 0, 0), dev->bar + NVME_REG_VS);
	writel(0, dev->bar + NVME_REG_CC);
	writel(0, dev->bar + NVME_REG_CSTS);
	dev->cc = 0;
	dev->ready = false;
}

static void csts_update(struct nvmev_dev *dev, u32 clear, u32 set)
{
	u32 csts = readl(dev->bar + NVME_REG_CSTS);

	writel((csts & ~clear) | set, dev->bar + NVME_REG_CSTS);
}

u16 nvmev_sq_tail(struct nvmev_dev *dev, struct nvmev_sq *sq)
{
	return readl(db_addr(dev, sq->qid, false));
}

void nvmev_cq_update_head(struct nvmev_dev *dev, struct nvmev_cq *cq)
{
	u32 head = readl(db_addr(dev, cq->qid, true));

	if (head < cq->size)
		cq->head = head;
}

int nvmev_cq_create(struct nvmev_dev *dev, u16 qid, u64 dma, u16 size,
		    u16 vector, bool ien)
{
	struct nvmev_cq *cq;

	if (!nvmev_host_range_ok(dev, dma, (u64)size * sizeof(*cq->ring)))
		return -EFAULT;
	cq = kzalloc(sizeof(*cq), GFP_KERNEL);
	if (!cq)
		return -ENOMEM;
	cq->ring = memremap(dma, (size_t)size * sizeof(*cq->ring), MEMREMAP_WB);
	if (!cq->ring) {
		kfree(cq);
		return -EFAULT;
	}
	cq->qid = qid;
	cq->size = size;
	cq->vector = vector;
	cq->irq_enabled = ien;
	cq->phase = true;
	spin_lock_init(&cq->lock);
	writel(0, db_addr(dev, qid, true));
	/* Publish the queue only once it is fully set up. */
	smp_store_release(&dev->cqs[qid], cq);
	return 0;
}

void nvmev_cq_delete(struct nvmev_dev *dev, u16 qid)
{
	struct nvmev_cq *cq = dev->cqs[qid];

	if (!cq)
		return;
	WRITE_ONCE(dev->cqs[qid], NULL);
	memunmap(cq->ring);
	kfree(cq);
}

int nvmev_sq_create(struct nvmev_dev *dev, u16 qid, u64 dma, u16 size,
		    u16 cqid)
{
	struct nvmev_sq *sq;

	if (!nvmev_host_range_ok(dev, dma, (u64)size * sizeof(*sq->ring)))
		return -EFAULT;
	sq = kzalloc(sizeof(*sq), GFP_KERNEL);
	if (!sq)
		return -ENOMEM;
	sq->ring = memremap(dma, (size_t)size * sizeof(*sq->ring), MEMREMAP_WB);
	if (!sq->ring) {
		kfree(sq);
		return -EFAULT;
	}
	sq->qid = qid;
	sq->size = size;
	sq->cqid = cqid;
	sq->cq = dev->cqs[cqid];
	sq->cq->nr_sqs++;
	atomic_set(&sq->inflight, 0);
	writel(0, db_addr(dev, qid, false));
	/* Publish the queue only once it is fully set up. */
	smp_store_release(&dev->sqs[qid], sq);
	return 0;
}

/*
 * Delete a submission queue.  Commands already handed to workers stop
 * waiting for their deadline: with @abort_held (the Delete I/O SQ command)
 * each is completed with "Command Aborted due to SQ Deletion", as the spec
 * asks; on a controller reset they are dropped (the host cancels what it
 * does not see completed).  Wait until none is left so that no thread
 * touches the queue or host memory named by its commands once we return.
 */
void nvmev_sq_delete(struct nvmev_dev *dev, u16 qid, bool abort_held)
{
	struct nvmev_sq *sq = dev->sqs[qid];
	int i;

	if (!sq)
		return;
	sq->abort_held = abort_held;
	smp_wmb();	/* abort_held before deleted */
	WRITE_ONCE(sq->deleted, true);
	WRITE_ONCE(dev->sqs[qid], NULL);
	WRITE_ONCE(dev->sq_deletions, dev->sq_deletions + 1);
	nvmev_lost_requeue(dev, sq);
	for (i = 0; i < dev->cfg.nr_workers; i++)
		wake_up(&dev->workers[i].wq);
	while (atomic_read(&sq->inflight))
		usleep_range(10, 50);
	sq->cq->nr_sqs--;
	memunmap(sq->ring);
	kfree(sq);
}

/*
 * Post one completion.  Returns false when the queue is full; the caller
 * tries again later.  The phase bit is written last so that the host
 * never sees a half-written entry.
 */
bool nvmev_cq_post(struct nvmev_dev *dev, struct nvmev_cq *cq, u16 sqid,
		   u16 sq_head, u16 cid, u16 status, u64 result)
{
	struct nvme_completion *cqe;
	u16 next;

	spin_lock(&cq->lock);
	next = cq->tail + 1 == cq->size ? 0 : cq->tail + 1;
	if (next == cq->head) {
		nvmev_cq_update_head(dev, cq);
		if (next == cq->head) {
			spin_unlock(&cq->lock);
			return false;
		}
	}
	cqe = &cq->ring[cq->tail];
	cqe->result.u64 = cpu_to_le64(result);
	cqe->sq_head = cpu_to_le16(sq_head);
	cqe->sq_id = cpu_to_le16(sqid);
	cqe->command_id = cid;
	dma_wmb();
	WRITE_ONCE(cqe->status, cpu_to_le16(status << 1 | cq->phase));
	cq->tail = next;
	if (!next)
		cq->phase = !cq->phase;
	spin_unlock(&cq->lock);
	return true;
}

/*
 * Drop every queue and go back to the state after power-on.  Admin work
 * still running in the workqueue ends before the admin CQ goes (it posts
 * nothing once the controller is not ready).
 */
void nvmev_ctrl_reset(struct nvmev_dev *dev)
{
	int qid;

	WRITE_ONCE(dev->ready, false);
	for (qid = NVMEV_MAX_QID; qid >= 0; qid--)
		nvmev_sq_delete(dev, qid, false);
	WRITE_ONCE(dev->fatal, false);
	if (dev->admin_wq)
		flush_workqueue(dev->admin_wq);
	for (qid = NVMEV_MAX_QID; qid >= 0; qid--)
		nvmev_cq_delete(dev, qid);
	nvmev_admin_reset(dev);
	nvmev_ns_reset_timing(dev);
}

static int nvmev_ctrl_enable(struct nvmev_dev *dev, u32 cc)
{
	u32 aqa = readl(dev->bar + NVME_REG_AQA);
	u64 asq = lo_hi_readq(dev->bar + NVME_REG_ASQ);
	u64 acq = lo_hi_readq(dev->bar + NVME_REG_ACQ);
	u16 sqs = (aqa & 0xfff) + 1, cqs = ((aqa >> 16) & 0xfff) + 1;
	u32 mps = (cc >> NVME_CC_MPS_SHIFT) & 0xf;
	u32 css = cc & NVME_CC_CSS_MASK;
	int ret;

	if (mps != 0 || (css != NVME_CC_CSS_NVM && css != NVME_CC_CSS_CSI) ||
	    sqs < 2 || cqs < 2 || (asq | acq) & (PAGE_SIZE - 1)) {
		pr_err("%s: controller enable refused: CC %#x AQA %#x\n",
		       dev->name, cc, aqa);
		return -EINVAL;
	}
	dev->page_shift = 12 + mps;

	ret = nvmev_cq_create(dev, 0, acq, cqs, 0, true);
	if (ret)
		return ret;
	ret = nvmev_sq_create(dev, 0, asq, sqs, 0);
	if (ret) {
		nvmev_cq_delete(dev, 0);
		return ret;
	}
	dev->ready = true;
	return 0;
}

/* Look at CC and NSSR; returns true when something changed. */
bool nvmev_ctrl_poll_regs(struct nvmev_dev *dev)
{
	u32 cc = readl(dev->bar + NVME_REG_CC);
	u32 changed;

	if (unlikely(readl(dev->bar + NVME_REG_NSSR))) {
		u32 nssr = readl(dev->bar + NVME_REG_NSSR);

		writel(0, dev->bar + NVME_REG_NSSR);
		if (nssr == NVMEV_NSSR_MAGIC) {
			pr_info("%s: NVM subsystem reset\n", dev->name);
			nvmev_ctrl_reset(dev);
			writel(0, dev->bar + NVME_REG_CC);
			dev->cc = 0;
			writel(NVME_CSTS_NSSRO, dev->bar + NVME_REG_CSTS);
			return true;
		}
	}

	/* Power cut: the device is off the bus until configfs powers it. */
	if (unlikely(READ_ONCE(dev->gone)))
		return false;
	if (unlikely(READ_ONCE(dev->cut_req))) {
		nvmev_power_cut_now(dev);
		return true;
	}

	/* configfs asked for a fatal error: stop until the host resets us. */
	if (unlikely(READ_ONCE(dev->fatal_req))) {
		WRITE_ONCE(dev->fatal_req, false);
		if (dev->ready) {
			pr_warn("%s: controller fatal status set (fault injection)\n",
				dev->name);
			WRITE_ONCE(dev->ready, false);
			WRITE_ONCE(dev->fatal, true);
			csts_update(dev, 0, NVME_CSTS_CFS);
		}
	}

	if (likely(cc == dev->cc))
		return false;
	changed = cc ^ dev->cc;
	dev->cc = cc;

	if (changed & NVME_CC_ENABLE) {
		if (cc & NVME_CC_ENABLE) {
			csts_update(dev, NVME_CSTS_SHST_MASK | NVME_CSTS_CFS, 0);
			if (nvmev_ctrl_enable(dev, cc))
				csts_update(dev, 0, NVME_CSTS_CFS);
			else
				csts_update(dev, 0, NVME_CSTS_RDY);
		} else {
			nvmev_ctrl_reset(dev);
			csts_update(dev, NVME_CSTS_RDY | NVME_CSTS_CFS, 0);
		}
	}

	if (changed & NVME_CC_SHN_MASK) {
		if (cc & NVME_CC_SHN_MASK) {
			/* Data is in memory already: shutdown is immediate. */
			csts_update(dev, NVME_CSTS_SHST_MASK,
				    NVME_CSTS_SHST_OCCUR);
			nvmev_ctrl_reset(dev);
			csts_update(dev, NVME_CSTS_SHST_MASK,
				    NVME_CSTS_SHST_CMPLT);
		}
	}
	return true;
}
