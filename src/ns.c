// SPDX-License-Identifier: GPL-2.0
/*
 * nvmev: namespaces.
 *
 * A controller holds up to NVMEV_MAX_NS namespaces, each with its own
 * command set (kind), LBA format, store and timing model.  The table
 * dev->ns[] changes only on the dispatcher thread, which is also the only
 * thread that looks namespaces up for new commands; so a command is either
 * submitted before a namespace goes or refused after.  Work that may take
 * long (erasing a memmap part, waiting for a namespace's I/O to drain,
 * freeing a large RAM store) runs in the device's ordered admin workqueue,
 * never on the dispatcher.
 *
 * Capacity: namespaces are carved from TNVMCAP (total_capacity=).  In
 * memmap mode each namespace owns a contiguous part of the reservation,
 * placed first-fit; in RAM mode every namespace has its own sparse pages
 * under one device-wide cap (backing_max=).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/slab.h>
#include <linux/vmalloc.h>
#include <linux/delay.h>
#include <linux/sort.h>
#include <linux/mm.h>

#include "nvmev.h"

#define NVMEV_UNC_INITIAL	16	/* Write Uncorrectable ranges, grows */

/* Every command set (kind) nvmev has; Identify and lookups walk this. */
const struct nvmev_cmd_set *const nvmev_cmd_sets[] = {
	&nvmev_nvm_cmd_set,
	&nvmev_zns_cmd_set,
	&nvmev_kv_cmd_set,
};
const int nvmev_nr_cmd_sets = ARRAY_SIZE(nvmev_cmd_sets);

const struct nvmev_cmd_set *nvmev_cmd_set_by_csi(u8 csi)
{
	int i;

	for (i = 0; i < nvmev_nr_cmd_sets; i++)
		if (nvmev_cmd_sets[i]->csi == csi)
			return nvmev_cmd_sets[i];
	return NULL;
}

/* Every device kind; kind= and new_ns_kind= name one of these. */
const struct nvmev_kind *const nvmev_kinds[] = {
	&nvmev_nvm_kind,
	&nvmev_ssd_kind,
	&nvmev_zns_kind,
	&nvmev_kv_kind,
};
const int nvmev_nr_kinds = ARRAY_SIZE(nvmev_kinds);

const struct nvmev_kind *nvmev_kind_by_name(const char *name)
{
	int i;

	for (i = 0; i < nvmev_nr_kinds; i++)
		if (sysfs_streq(nvmev_kinds[i]->name, name))
			return nvmev_kinds[i];
	return NULL;
}

/*
 * The kind of a namespace that Namespace Management creates with @csi:
 * new_ns_kind= if it speaks that command set, else the first that does.
 */
const struct nvmev_kind *nvmev_kind_for_csi(struct nvmev_dev *dev, u8 csi)
{
	const struct nvmev_kind *k = READ_ONCE(dev->new_ns_kind);
	int i;

	if (k && k->cs->csi == csi)
		return k;
	for (i = 0; i < nvmev_nr_kinds; i++)
		if (nvmev_kinds[i]->cs->csi == csi)
			return nvmev_kinds[i];
	return NULL;
}

/*
 * A kind's model tables of @mem bytes for a namespace of @bytes may take
 * at most a quarter of RAM; -ENOSPC says why, naming @what and @tables.
 */
int nvmev_kind_mem_check(const char *what, u64 bytes, u64 mem,
			 const char *tables)
{
	if (mem <= ((u64)totalram_pages() << (PAGE_SHIFT - 2)))
		return 0;
	pr_err("%s of %llu MiB: its %s would take %llu MiB, more than a quarter of RAM\n",
	       what, bytes >> 20, tables, mem >> 20);
	return -ENOSPC;
}

/* Bytes of TNVMCAP not given to any namespace. */
u64 nvmev_ns_unallocated(struct nvmev_dev *dev)
{
	u64 used = 0;
	int i;

	for (i = 1; i <= NVMEV_MAX_NS; i++)
		if (dev->ns[i])
			used += dev->ns[i]->capacity;
	return dev->cfg.total_capacity - used;
}

static int cmp_u64(const void *a, const void *b)
{
	u64 x = *(const u64 *)a, y = *(const u64 *)b;

	return x < y ? -1 : x > y;
}

/* memmap mode: the lowest offset with @size free bytes, or U64_MAX. */
static u64 memmap_place(struct nvmev_dev *dev, u64 size)
{
	u64 start[NVMEV_MAX_NS], pos = 0;
	int i, n = 0;

	for (i = 1; i <= NVMEV_MAX_NS; i++)
		if (dev->ns[i])
			start[n++] = dev->ns[i]->memmap_offset << 8 | i;
	/* Sort by offset; the low byte only breaks ties. */
	sort(start, n, sizeof(start[0]), cmp_u64, NULL);
	for (i = 0; i < n; i++) {
		struct nvmev_ns *o = dev->ns[start[i] & 0xff];

		if (o->memmap_offset - pos >= size)
			return pos;
		pos = max_t(u64, pos, o->memmap_offset + o->capacity);
	}
	return dev->memmap_area - pos >= size ? pos : U64_MAX;
}

/* A UUID (version 4 layout) that depends only on @seed: stable names. */
void nvmev_make_uuid(u8 *uuid, u32 seed)
{
	int i;

	for (i = 0; i < 16; i++) {
		seed = seed * 1103515245 + 12345;
		uuid[i] = seed >> 16;
	}
	uuid[6] = (uuid[6] & 0x0f) | 0x40;	/* version 4 layout */
	uuid[8] = (uuid[8] & 0x3f) | 0x80;	/* RFC 4122 variant */
}

/* Stable identifiers from the device's seed, NSID and generation. */
static void ns_identity_init(struct nvmev_ns *ns)
{
	nvmev_make_uuid(ns->uuid, 0x6e736964 ^
			(ns->dev->cfg.id_seed * 0x9e3779b9) ^
			(ns->nsid * 0x85ebca6b) ^ (ns->generation * 0xc2b2ae35));
	memcpy(ns->nguid, ns->uuid, 16);
	ns->nguid[0] ^= 0xa5;
	ns->eui64[0] = 0x02;		/* locally administered */
	memcpy(ns->eui64 + 1, ns->uuid + 9, 7);
}

static void ns_free(struct nvmev_ns *ns)
{
	nvmev_vwc_commit(ns);
	if (ns->kind->exit)
		ns->kind->exit(ns);
	nvmev_store_exit(ns);
	kvfree(ns->unc_buf);
	nvmev_fault_exit(ns);
	kfree(ns);
}

/*
 * Allocate a namespace (not attached).  Runs on the dispatcher, or at load
 * time before the threads start.  In memmap mode the namespace starts
 * NVMEV_NS_BUSY: the caller erases its part (nvmev_store_erase_all()) and
 * then makes it live.
 */
struct nvmev_ns *nvmev_ns_create(struct nvmev_dev *dev,
				 const struct nvmev_ns_spec *spec, u16 *status)
{
	const struct nvmev_kind *kind = spec->kind;
	u64 capacity = spec->capacity;
	struct nvmev_ns *ns;
	u32 nsid = spec->nsid;
	int ret;

	if (!nsid)
		for (nsid = 1; nsid <= NVMEV_MAX_NS; nsid++)
			if (!dev->ns[nsid])
				break;
	if (nsid > NVMEV_MAX_NS || dev->ns[nsid]) {
		*status = NVME_SC_NS_ID_UNAVAILABLE | NVME_STATUS_DNR;
		return NULL;
	}
	if (!capacity || capacity > nvmev_ns_unallocated(dev)) {
		*status = NVME_SC_NS_INSUFFICIENT_CAP | NVME_STATUS_DNR;
		return NULL;
	}
	ns = kzalloc(sizeof(*ns), GFP_KERNEL);
	if (!ns)
		goto nomem;
	ns->unc_buf = kvcalloc(NVMEV_UNC_INITIAL, sizeof(*ns->unc_buf),
			       GFP_KERNEL);
	if (!ns->unc_buf || nvmev_fault_init(ns)) {
		kvfree(ns->unc_buf);
		nvmev_fault_exit(ns);
		kfree(ns);
		goto nomem;
	}
	lba_ranges_init(&ns->unc, ns->unc_buf, NVMEV_UNC_INITIAL);
	spin_lock_init(&ns->unc_lock);
	nvmev_vwc_init(ns);
	ns->dev = dev;
	ns->nsid = nsid;
	ns->generation = ++dev->ns_generation;
	ns->kind = kind;
	ns->ops = kind->cs;
	ns->capacity = capacity;
	ns->lba_shift = spec->lba_shift;
	ns->kp = *spec->kp;
	ns->state = NVMEV_NS_LIVE;
	atomic_set(&ns->inflight, 0);
	spin_lock_init(&ns->model_lock);
	nvm_model_init(&ns->model, &dev->cfg.timing);
	ns_identity_init(ns);
	if (dev->cfg.backing == NVMEV_BACKING_MEMMAP) {
		ns->memmap_offset = memmap_place(dev, capacity);
		if (ns->memmap_offset == U64_MAX) {
			/* Free bytes exist, but not in one piece. */
			kvfree(ns->unc_buf);
			nvmev_fault_exit(ns);
			kfree(ns);
			*status = NVME_SC_NS_INSUFFICIENT_CAP | NVME_STATUS_DNR;
			return NULL;
		}
	}
	if (nvmev_store_init(ns)) {
		kvfree(ns->unc_buf);
		nvmev_fault_exit(ns);
		kfree(ns);
		goto nomem;
	}
	ret = kind->init ? kind->init(ns) : 0;
	if (ret) {
		nvmev_store_exit(ns);
		kvfree(ns->unc_buf);
		nvmev_fault_exit(ns);
		kfree(ns);
		if (ret == -ENOMEM)
			goto nomem;
		/* The kind cannot model a namespace this large. */
		*status = NVME_SC_NS_INSUFFICIENT_CAP | NVME_STATUS_DNR;
		return NULL;
	}
	if (dev->cfg.backing == NVMEV_BACKING_MEMMAP)
		ns->state = NVMEV_NS_BUSY;
	/* Publish the namespace only once it is fully set up. */
	smp_store_release(&dev->ns[nsid], ns);
	*status = NVME_SC_SUCCESS;
	return ns;
nomem:
	*status = NVME_SC_INTERNAL;
	return NULL;
}

/* Wait until no worker holds an I/O of @ns (they finish by their deadline). */
void nvmev_ns_quiesce(struct nvmev_ns *ns)
{
	while (atomic_read(&ns->inflight))
		usleep_range(20, 100);
}

struct ns_free_work {
	struct work_struct work;
	struct nvmev_ns *ns;
};

static void ns_free_fn(struct work_struct *work)
{
	struct ns_free_work *w = container_of(work, struct ns_free_work, work);
	struct nvmev_dev *dev = w->ns->dev;

	nvmev_ns_quiesce(w->ns);
	mutex_lock(&dev->ns_lock);
	ns_free(w->ns);
	mutex_unlock(&dev->ns_lock);
	kfree(w);
}

/*
 * Delete a namespace: on the dispatcher, it leaves the table at once (new
 * commands for its NSID fail); its held I/O drains and its memory goes in
 * the admin workqueue.
 */
void nvmev_ns_delete(struct nvmev_ns *ns)
{
	struct nvmev_dev *dev = ns->dev;
	struct ns_free_work *w;

	WRITE_ONCE(ns->attached, false);
	WRITE_ONCE(dev->ns[ns->nsid], NULL);
	w = kmalloc(sizeof(*w), GFP_KERNEL);
	if (!w || !dev->admin_wq) {
		kfree(w);
		nvmev_ns_quiesce(ns);
		mutex_lock(&dev->ns_lock);
		ns_free(ns);
		mutex_unlock(&dev->ns_lock);
		return;
	}
	INIT_WORK(&w->work, ns_free_fn);
	w->ns = ns;
	queue_work(dev->admin_wq, &w->work);
}

/* Unload: the threads are stopped, nothing is in flight. */
void nvmev_ns_delete_all(struct nvmev_dev *dev)
{
	int i;

	if (dev->admin_wq)
		flush_workqueue(dev->admin_wq);
	for (i = 1; i <= NVMEV_MAX_NS; i++) {
		struct nvmev_ns *ns = dev->ns[i];

		if (ns) {
			mutex_lock(&dev->ns_lock);
			dev->ns[i] = NULL;
			ns_free(ns);
			mutex_unlock(&dev->ns_lock);
		}
	}
}

/* Note @nsid in the Changed Namespace List log. */
void nvmev_ns_changed(struct nvmev_dev *dev, u32 nsid)
{
	int i;

	for (i = 0; i < dev->nr_changed_ns; i++)
		if (dev->changed_ns[i] == nsid)
			return;
	if (dev->nr_changed_ns < ARRAY_SIZE(dev->changed_ns))
		dev->changed_ns[dev->nr_changed_ns++] = nsid;
	else
		dev->changed_ns_overflow = true;
}

/* Controller reset: every namespace's timing state goes idle. */
void nvmev_ns_reset_timing(struct nvmev_dev *dev)
{
	int i;

	for (i = 1; i <= NVMEV_MAX_NS; i++) {
		struct nvmev_ns *ns = dev->ns[i];

		if (ns && ns->kind->reset)
			ns->kind->reset(ns);
	}
}

bool nvmev_ns_unc_overlaps(struct nvmev_ns *ns, u64 slba, u64 nlb)
{
	bool hit;

	if (likely(!READ_ONCE(ns->unc.nr)))
		return false;
	spin_lock(&ns->unc_lock);
	hit = lba_ranges_overlaps(&ns->unc, slba, nlb);
	spin_unlock(&ns->unc_lock);
	return hit;
}

/*
 * Mark (Write Uncorrectable) or clear (a write of any kind) LBAs.  Runs on
 * workers, which may sleep: the range buffer grows outside the lock.
 * Returns 0 or -ENOMEM.
 */
int nvmev_ns_unc_update(struct nvmev_ns *ns, u64 slba, u64 nlb, bool mark)
{
	struct lba_range *buf;
	u32 max;
	int ret;

	if (!mark && likely(!READ_ONCE(ns->unc.nr)))
		return 0;
	for (;;) {
		spin_lock(&ns->unc_lock);
		if (lba_ranges_has_room(&ns->unc)) {
			ret = mark ? lba_ranges_add(&ns->unc, slba, nlb) :
				     lba_ranges_remove(&ns->unc, slba, nlb);
			spin_unlock(&ns->unc_lock);
			return ret == -ENOSPC ? -ENOMEM : ret;
		}
		max = ns->unc.max * 2;
		spin_unlock(&ns->unc_lock);

		buf = kvcalloc(max, sizeof(*buf), GFP_KERNEL);
		if (!buf)
			return -ENOMEM;
		spin_lock(&ns->unc_lock);
		if (ns->unc.max < max) {
			lba_ranges_move(&ns->unc, buf, max);
			swap(buf, ns->unc_buf);
		}
		spin_unlock(&ns->unc_lock);
		kvfree(buf);
	}
}
