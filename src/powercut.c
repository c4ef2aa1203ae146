// SPDX-License-Identifier: GPL-2.0
/*
 * nvmev: a volatile write cache that a power cut empties.
 *
 * With a volatile cache (configfs: volatile_cache_mib), a write of the NVM
 * command set lands in the store at once, as before, but the store's old
 * contents of those blocks are kept in the namespace's undo log until the
 * data is durable: a Flush, a write with FUA, or the host turning the
 * cache off (Set Features, Volatile Write Cache) makes all of it durable,
 * and so does a command that changes blocks without a cached write (Write
 * Zeroes, Deallocate, Write Uncorrectable, Copy).  When the log outgrows
 * the cache, its oldest entries become durable (the drive destaged them).
 *
 * A power cut (configfs: echo cut > power) rolls the log back, newest
 * first: every write not made durable is gone, as on a drive whose cache
 * lost power.  "cut-torn" rolls back each logical block of each entry or
 * not, at random: some unflushed writes survive, whole or in part, in an
 * order the spec allows (no atomicity beyond one block is promised).
 *
 * Zoned and key-value namespaces keep no log: their writes are durable at
 * completion, since rolling back data without their zone or index state
 * would be no state a drive could come back in.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/slab.h>
#include <linux/mm.h>
#include <linux/random.h>

#include "nvmev.h"

/* One cached write: the store's contents before it. */
struct vwc_entry {
	struct list_head node;
	u64 offset;			/* bytes, in the namespace's store */
	u64 len;
	bool fua;			/* a FUA write: durable, no old data kept */
	u8 old[];
};

void nvmev_vwc_init(struct nvmev_ns *ns)
{
	spin_lock_init(&ns->vwc_lock);
	INIT_LIST_HEAD(&ns->vwc_log);
	ns->vwc_bytes = 0;
}

static void vwc_free_list(struct list_head *list)
{
	struct vwc_entry *e, *tmp;

	list_for_each_entry_safe(e, tmp, list, node) {
		list_del(&e->node);
		kvfree(e);
	}
}

/* Everything cached so far is durable now. */
void nvmev_vwc_commit(struct nvmev_ns *ns)
{
	LIST_HEAD(old);

	if (likely(!READ_ONCE(ns->vwc_bytes)))
		return;
	spin_lock(&ns->vwc_lock);
	list_splice_init(&ns->vwc_log, &old);
	ns->vwc_bytes = 0;
	spin_unlock(&ns->vwc_lock);
	vwc_free_list(&old);
}

/* Flush of every namespace, or the host turned the cache off. */
void nvmev_vwc_commit_all(struct nvmev_dev *dev)
{
	u32 nsid;

	for (nsid = 1; nsid <= NVMEV_MAX_NS; nsid++) {
		struct nvmev_ns *ns = READ_ONCE(dev->ns[nsid]);

		if (ns)
			nvmev_vwc_commit(ns);
	}
}

/*
 * Copy between the store's [offset, offset + len) and @buf: out of the
 * store (holes read as zeroes) or, with @to_store, into it.
 */
static void vwc_copy(struct nvmev_ns *ns, u64 offset, u64 len, u8 *buf,
		     bool to_store)
{
	while (len) {
		u64 n = len;
		u16 status = 0;
		u8 *p = nvmev_store_map(&ns->store, offset, &n, to_store,
					&status);

		if (p && to_store)
			memcpy(p, buf, n);
		else if (p)
			memcpy(buf, p, n);
		else if (!to_store)
			memset(buf, 0, n);
		if (p)
			nvmev_store_unmap(&ns->store, p);
		buf += n;
		offset += n;
		len -= n;
	}
}

/*
 * A write of [offset, offset + len) is about to land.  Keep what it
 * overwrites, unless it is durable at once (no cache, cache off, FUA).
 * Runs on a worker, before the data moves.
 */
void nvmev_vwc_write(struct nvmev_ns *ns, u64 offset, u64 len, bool fua)
{
	struct nvmev_dev *dev = ns->dev;
	u64 max = READ_ONCE(dev->vwc_max);
	struct vwc_entry *e, *tmp;
	LIST_HEAD(destaged);

	if (!max || !READ_ONCE(dev->feat_vwc)) {
		nvmev_vwc_commit(ns);
		return;
	}
	/*
	 * A FUA write is durable, but only its own blocks: it is logged
	 * without data, so that a cut rolls back neither it nor, under it,
	 * the older writes it replaced.
	 */
	if (fua && likely(!READ_ONCE(ns->vwc_bytes)))
		return;
	e = kvmalloc(struct_size(e, old, fua ? 0 : len),
		     GFP_KERNEL | __GFP_NOWARN);
	if (!e) {
		/* No room to remember it: the drive destages everything. */
		nvmev_vwc_commit(ns);
		return;
	}
	e->offset = offset;
	e->len = len;
	e->fua = fua;
	if (!fua)
		vwc_copy(ns, offset, len, e->old, false);

	spin_lock(&ns->vwc_lock);
	list_add_tail(&e->node, &ns->vwc_log);
	ns->vwc_bytes += fua ? 1 : len;
	/* Over the cache's size: the oldest writes reach the media. */
	list_for_each_entry_safe(e, tmp, &ns->vwc_log, node) {
		if (ns->vwc_bytes <= max)
			break;
		list_move_tail(&e->node, &destaged);
		ns->vwc_bytes -= e->fua ? 1 : e->len;
	}
	spin_unlock(&ns->vwc_lock);
	vwc_free_list(&destaged);
}

/*
 * Power is cut: roll the writes not yet durable back, newest first; with
 * @torn, each logical block of each write at random.  Returns the number
 * of blocks rolled back.  No I/O runs (the controller is reset).
 */
u64 nvmev_vwc_cut(struct nvmev_ns *ns, bool torn)
{
	u32 bs = 1U << ns->lba_shift;
	struct lba_ranges durable;
	struct lba_range *buf;
	struct vwc_entry *e;
	u32 nr_fua = 0;
	LIST_HEAD(log);
	u64 lost = 0, b;

	spin_lock(&ns->vwc_lock);
	list_splice_init(&ns->vwc_log, &log);
	ns->vwc_bytes = 0;
	spin_unlock(&ns->vwc_lock);

	/* The blocks of FUA writes met so far (newer ones): never rolled back. */
	list_for_each_entry(e, &log, node)
		nr_fua += e->fua;
	buf = kvcalloc(nr_fua + 1, sizeof(*buf), GFP_KERNEL);
	lba_ranges_init(&durable, buf, buf ? nr_fua + 1 : 0);

	list_for_each_entry_reverse(e, &log, node) {
		u64 lba = e->offset >> ns->lba_shift;

		if (e->fua) {
			/* Adjacent or overlapping ranges merge: never full. */
			if (buf)
				lba_ranges_add(&durable, lba,
					       e->len >> ns->lba_shift);
			continue;
		}
		for (b = 0; b < e->len; b += bs, lba++) {
			if (torn && (get_random_u32() & 1))
				continue;
			if (!buf || lba_ranges_overlaps(&durable, lba, 1))
				continue;
			vwc_copy(ns, e->offset + b, bs, e->old + b, true);
			lost++;
		}
		cond_resched();
	}
	kvfree(buf);
	vwc_free_list(&log);
	return lost;
}

/*
 * The dispatcher's half of a power cut (nvmev_ctrl_poll_regs()): from now
 * on nothing is fetched or completed and the function reads as absent;
 * the queues go as on a reset (held commands dropped: the host never saw
 * them complete), then the caches lose what was not durable.
 */
void nvmev_power_cut_now(struct nvmev_dev *dev)
{
	bool torn = READ_ONCE(dev->cut_req) == 2;
	u64 lost = 0;
	u32 nsid;

	WRITE_ONCE(dev->cut_req, 0);
	WRITE_ONCE(dev->gone, true);
	WRITE_ONCE(dev->fatal, true);
	nvmev_ctrl_reset(dev);
	for (nsid = 1; nsid <= NVMEV_MAX_NS; nsid++) {
		struct nvmev_ns *ns = READ_ONCE(dev->ns[nsid]);

		if (ns)
			lost += nvmev_vwc_cut(ns, torn);
	}
	writel(~0U, dev->bar + NVME_REG_CSTS);
	pr_info("%s: power cut%s: %llu unflushed blocks lost\n", dev->name,
		torn ? " (torn)" : "", lost);
	complete(&dev->cut_done);
}

/*
 * Cut the power of an attached device (configfs): the host sees a surprise
 * removal.  The device keeps its namespaces and what a drive would have
 * kept, for nvmev_power_restore().
 */
int nvmev_power_cut(struct nvmev_dev *dev, bool torn)
{
	reinit_completion(&dev->cut_done);
	WRITE_ONCE(dev->cut_req, torn ? 2 : 1);
	if (!wait_for_completion_timeout(&dev->cut_done,
					 NVMEV_CUT_TIMEOUT_S * HZ)) {
		pr_err("%s: power cut: the dispatcher did not answer in %d s\n",
		       dev->name, NVMEV_CUT_TIMEOUT_S);
		WRITE_ONCE(dev->cut_req, 0);
		return -ETIMEDOUT;
	}
	/* The nvme driver finds the function gone and lets go. */
	nvmev_pci_remove_bus(dev);
	return 0;
}

/* Power on after a cut: a fresh controller on the bus, the same data. */
int nvmev_power_restore(struct nvmev_dev *dev)
{
	nvmev_ctrl_init_regs(dev);
	nvmev_pci_reset_cfg(dev);
	smp_wmb();	/* registers and config space before "present" */
	WRITE_ONCE(dev->gone, false);
	return nvmev_pci_add_bus(dev);
}
