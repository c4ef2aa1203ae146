// SPDX-License-Identifier: GPL-2.0
/*
 * nvmev: where the namespace's data lives.
 *
 * RAM mode: pages come from kernel memory on the first write to them and
 * are kept in an xarray, as null_blk's memory_backed mode does.  A page
 * never written reads as zeroes and costs nothing.  The number of pages is
 * capped (backing_max); past the cap a write fails with Capacity Exceeded
 * and the host stays healthy.
 *
 * memmap mode: the data lives in the memmap= reservation after the BAR
 * area, mapped write-back, as upstream NVMeVirt does.
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

	if (atomic64_inc_return(&st->nr_pages) > st->max_pages) {
		atomic64_dec(&st->nr_pages);
		*status = NVME_SC_CAP_EXCEEDED;
		return NULL;
	}
	page = alloc_page(GFP_NOIO | __GFP_ZERO | __GFP_NOWARN);
	if (!page) {
		atomic64_dec(&st->nr_pages);
		*status = NVME_SC_CAP_EXCEEDED;
		return NULL;
	}
	get_page(page);		/* the caller's reference */
	old = xa_cmpxchg(&st->pages, idx, NULL, page, GFP_NOIO);
	if (old) {
		/* Lost a race with another writer, or no memory for the node. */
		put_page(page);
		put_page(page);
		atomic64_dec(&st->nr_pages);
		if (xa_is_err(old)) {
			*status = NVME_SC_CAP_EXCEEDED;
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
		atomic64_dec(&st->nr_pages);
		put_page(page);
	}
}

/* Make [offset, offset + len) read as zeroes, freeing whole RAM pages. */
void nvmev_store_zero(struct nvmev_store *st, u64 offset, u64 len)
{
	if (st->kind == NVMEV_BACKING_MEMMAP) {
		memset(st->memmap + offset, 0, len);
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

int nvmev_store_init(struct nvmev_dev *dev)
{
	struct nvmev_store *st = &dev->store;
	const struct nvmev_config *cfg = &dev->cfg;

	st->kind = cfg->backing;
	st->capacity = cfg->capacity;
	if (st->kind == NVMEV_BACKING_RAM) {
		xa_init(&st->pages);
		atomic64_set(&st->nr_pages, 0);
		st->max_pages = cfg->backing_max >> PAGE_SHIFT;
		return 0;
	}

	dev->store_res = (struct resource) {
		.name	= "nvmev storage",
		.start	= cfg->memmap_start + NVMEV_BAR_AREA,
		.end	= cfg->memmap_start + NVMEV_BAR_AREA + st->capacity - 1,
		.flags	= IORESOURCE_MEM | IORESOURCE_BUSY,
	};
	/* Insert, not request: the e820 "Reserved" entry may lie in between. */
	if (insert_resource(&dev->res, &dev->store_res)) {
		pr_err("cannot claim %pR for storage\n", &dev->store_res);
		return -EBUSY;
	}
	st->memmap = memremap(dev->store_res.start, st->capacity,
			      MEMREMAP_WB);
	if (!st->memmap) {
		pr_err("cannot map %pR\n", &dev->store_res);
		release_resource(&dev->store_res);
		return -ENOMEM;
	}
	/* A fresh namespace reads as zeroes; this also proves it is memory. */
	nvmev_store_erase_all(st);
	*(u64 *)(st->memmap + st->capacity - 8) = 0x6e766d6576ULL;
	if (*(u64 *)(st->memmap + st->capacity - 8) != 0x6e766d6576ULL) {
		pr_err("%pR does not hold memory; check memmap=\n",
		       &dev->store_res);
		nvmev_store_exit(dev);
		return -EIO;
	}
	*(u64 *)(st->memmap + st->capacity - 8) = 0;
	return 0;
}

void nvmev_store_exit(struct nvmev_dev *dev)
{
	struct nvmev_store *st = &dev->store;

	if (st->kind == NVMEV_BACKING_RAM) {
		nvmev_store_erase_all(st);
		xa_destroy(&st->pages);
		return;
	}
	if (st->memmap) {
		memunmap(st->memmap);
		st->memmap = NULL;
		release_resource(&dev->store_res);
	}
}
