// SPDX-License-Identifier: GPL-2.0
/*
 * nvmev: where a namespace's data lives.
 *
 * RAM mode: pages come from kernel memory on the first write to them and
 * are kept in an xarray, as null_blk's memory_backed mode does.  A page
 * never written reads as zeroes and costs nothing.  The number of pages is
 * capped (backing_max); past the cap a write fails with Capacity Exceeded
 * and the host stays healthy.
 *
 * The cap (backing_max) holds for the whole device: every namespace counts
 * its pages in one device-wide counter.
 *
 * memmap mode: the data lives in the memmap= reservation after the BAR
 * area, mapped write-back once per device; each namespace owns a
 * contiguous part of it (ns.c places them).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/mm.h>
#include <linux/io.h>
#include <linux/xarray.h>
#include <linux/sched.h>

#include "nvmev.h"

static struct page *store_get_page(struct nvmev_store *st, pgoff_t idx)
{
	struct page *page;

	rcu_read_lock();
again:
	page = xa_load(&st->pages, idx);
	if (page) {
		if (!get_page_unless_zero(page))
			goto again;
		if (xa_load(&st->pages, idx) != page) {
			put_page(page);
			goto again;
		}
	}
	rcu_read_unlock();
	return page;
}

static struct page *store_alloc_page(struct nvmev_store *st, pgoff_t idx,
				     u16 *status)
{
	struct page *page, *old;

	if (atomic64_inc_return(st->nr_pages) > st->max_pages) {
		atomic64_dec(st->nr_pages);
		*status = NVME_SC_CAP_EXCEEDED | NVME_STATUS_DNR;
		return NULL;
	}
	page = alloc_page(GFP_NOIO | __GFP_ZERO | __GFP_NOWARN);
	if (!page) {
		atomic64_dec(st->nr_pages);
		*status = NVME_SC_CAP_EXCEEDED | NVME_STATUS_DNR;
		return NULL;
	}
	get_page(page);		/* the caller's reference */
	old = xa_cmpxchg(&st->pages, idx, NULL, page, GFP_NOIO);
	if (old) {
		/* Lost a race with another writer, or no memory for the node. */
		put_page(page);
		put_page(page);
		atomic64_dec(st->nr_pages);
		if (xa_is_err(old)) {
			*status = NVME_SC_CAP_EXCEEDED | NVME_STATUS_DNR;
			return NULL;
		}
		return store_get_page(st, idx);
	}
	return page;
}

/*
 * Map the store at @offset.  *len is cut to what is contiguous.  Returns
 * NULL with *status 0 for a RAM page never written when @alloc is false.
 */
void *nvmev_store_map(struct nvmev_store *st, u64 offset, u64 *len,
		      bool alloc, u16 *status)
{
	pgoff_t idx = offset >> PAGE_SHIFT;
	u32 off = offset_in_page(offset);
	struct page *page;

	if (st->kind == NVMEV_BACKING_MEMMAP)
		return st->memmap + offset;

	*len = min_t(u64, *len, PAGE_SIZE - off);
	page = store_get_page(st, idx);
	if (!page && alloc)
		page = store_alloc_page(st, idx, status);
	if (!page)
		return NULL;
	return page_address(page) + off;
}

void nvmev_store_unmap(struct nvmev_store *st, void *addr)
{
	if (st->kind == NVMEV_BACKING_RAM)
		put_page(virt_to_page(addr));
}

static void store_drop_page(struct nvmev_store *st, pgoff_t idx)
{
	struct page *page = xa_erase(&st->pages, idx);

	if (page) {
		atomic64_dec(st->nr_pages);
		put_page(page);
	}
}

/* RAM backing: free the page holding byte @offset, if it has one. */
void nvmev_store_drop_page(struct nvmev_store *st, u64 offset)
{
	if (st->kind == NVMEV_BACKING_RAM)
		store_drop_page(st, offset >> PAGE_SHIFT);
}

/* Make [offset, offset + len) read as zeroes, freeing whole RAM pages. */
void nvmev_store_zero(struct nvmev_store *st, u64 offset, u64 len)
{
	if (st->kind == NVMEV_BACKING_MEMMAP) {
		while (len) {
			u64 n = min_t(u64, len, SZ_1M);

			memset(st->memmap + offset, 0, n);
			offset += n;
			len -= n;
			cond_resched();
		}
		return;
	}
	while (len) {
		u32 off = offset_in_page(offset);
		u64 n = min_t(u64, len, PAGE_SIZE - off);

		if (n == PAGE_SIZE) {
			store_drop_page(st, offset >> PAGE_SHIFT);
		} else {
			struct page *page = store_get_page(st, offset >> PAGE_SHIFT);

			if (page) {
				memset(page_address(page) + off, 0, n);
				put_page(page);
			}
		}
		offset += n;
		len -= n;
		if (!(offset & (SZ_16M - 1)))
			cond_resched();
	}
}

void nvmev_store_erase_all(struct nvmev_store *st)
{
	if (st->kind == NVMEV_BACKING_MEMMAP) {
		u64 off;

		for (off = 0; off < st->capacity; off += SZ_16M) {
			memset(st->memmap + off, 0,
			       min_t(u64, SZ_16M, st->capacity - off));
			cond_resched();
		}
	} else {
		struct page *page;
		unsigned long idx;

		xa_for_each(&st->pages, idx, page) {
			store_drop_page(st, idx);
			cond_resched();
		}
	}
}

/* memmap mode: claim and map the data area of the reservation, once. */
int nvmev_memmap_init(struct nvmev_dev *dev)
{
	const struct nvmev_config *cfg = &dev->cfg;
	u64 size = cfg->total_capacity;

	if (cfg->backing != NVMEV_BACKING_MEMMAP)
		return 0;
	dev->store_res = (struct resource) {
		.name	= "nvmev storage",
		.start	= cfg->memmap_start + NVMEV_BAR_AREA,
		.end	= cfg->memmap_start + NVMEV_BAR_AREA + size - 1,
		.flags	= IORESOURCE_MEM | IORESOURCE_BUSY,
	};
	/* Insert, not request: the e820 "Reserved" entry may lie in between. */
	if (insert_resource(&nvmev_host.res, &dev->store_res)) {
		pr_err("cannot claim %pR for storage\n", &dev->store_res);
		return -EBUSY;
	}
	dev->memmap_base = memremap(dev->store_res.start, size, MEMREMAP_WB);
	if (!dev->memmap_base) {
		pr_err("cannot map %pR\n", &dev->store_res);
		release_resource(&dev->store_res);
		return -ENOMEM;
	}
	dev->memmap_area = size;
	/* This also proves the range is memory. */
	*(u64 *)(dev->memmap_base + size - 8) = 0x6e766d6576ULL;
	if (*(u64 *)(dev->memmap_base + size - 8) != 0x6e766d6576ULL) {
		pr_err("%pR does not hold memory; check memmap=\n",
		       &dev->store_res);
		nvmev_memmap_exit(dev);
		return -EIO;
	}
	*(u64 *)(dev->memmap_base + size - 8) = 0;
	return 0;
}

void nvmev_memmap_exit(struct nvmev_dev *dev)
{
	if (dev->memmap_base) {
		memunmap(dev->memmap_base);
		dev->memmap_base = NULL;
		release_resource(&dev->store_res);
	}
}

/*
 * Set up a namespace's store.  In RAM mode it reads as zeroes at once; a
 * memmap part must be erased by the caller (nvmev_store_erase_all(), which
 * may take long) before the namespace takes I/O.
 */
int nvmev_store_init(struct nvmev_ns *ns)
{
	struct nvmev_dev *dev = ns->dev;
	struct nvmev_store *st = &ns->store;

	st->kind = dev->cfg.backing;
	st->capacity = ns->capacity;
	if (st->kind == NVMEV_BACKING_RAM) {
		xa_init(&st->pages);
		st->nr_pages = &dev->backing_pages;
		st->max_pages = dev->cfg.backing_max >> PAGE_SHIFT;
		return 0;
	}
	if (!dev->memmap_base ||
	    ns->memmap_offset + ns->capacity > dev->memmap_area)
		return -EINVAL;
	st->memmap = dev->memmap_base + ns->memmap_offset;
	return 0;
}

void nvmev_store_exit(struct nvmev_ns *ns)
{
	struct nvmev_store *st = &ns->store;

	if (st->kind == NVMEV_BACKING_RAM) {
		nvmev_store_erase_all(st);
		xa_destroy(&st->pages);
	}
	st->memmap = NULL;
}

/*
 * Copy @len bytes inside the store, from @src to @dst (Copy command).
 * Never-written RAM pages copy as zeroes.  Ranges that overlap copy in
 * ascending order, a piece at a time.
 */
u16 nvmev_store_copy(struct nvmev_store *st, u64 dst, u64 src, u64 len)
{
	u16 status = 0;

	while (len) {
		u64 ns = len, nd = len, n;
		void *s, *d;

		s = nvmev_store_map(st, src, &ns, false, &status);
		if (status)
			return status;
		d = nvmev_store_map(st, dst, &nd, true, &status);
		if (!d) {
			if (s)
				nvmev_store_unmap(st, s);
			return status ? status : NVME_SC_INTERNAL;
		}
		n = min(ns, nd);
		if (s) {
			memmove(d, s, n);
			nvmev_store_unmap(st, s);
		} else {
			memset(d, 0, n);
		}
		nvmev_store_unmap(st, d);
		src += n;
		dst += n;
		len -= n;
		if (!(dst & (SZ_1M - 1)))
			cond_resched();
	}
	return 0;
}
