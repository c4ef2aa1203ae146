// SPDX-License-Identifier: GPL-2.0
/*
 * nvmev: data transfer between host memory and the device.
 *
 * Every transfer, admin or I/O, follows the command's PRP entries exactly
 * (pure/prp.c walks them): data lands at PRP1's offset and goes on through
 * PRP2 or the PRP list, never past what the host described.  Host memory is
 * reached through the kernel's map of RAM, a page at a time.  Only memory
 * a host may hand to a device is touched: a page must have a struct page,
 * must not lie in nvmev's own reservation (BAR or memmap storage), and a
 * page the device writes must not be reserved (kernel image, firmware
 * tables).  Anything else fails the command with Data Transfer Error.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/mm.h>
#include <linux/highmem.h>

#include "nvmev.h"
#include "pure/prp.h"

/* May the device read (or, with @write, write) this host page? */
static bool host_page_ok(struct nvmev_dev *dev, u64 addr, bool write)
{
	unsigned long pfn = addr >> PAGE_SHIFT;

	if (!pfn_valid(pfn))
		return false;
	if (addr >= nvmev_host.res.start && addr <= nvmev_host.res.end)
		return false;
	return !write || !PageReserved(pfn_to_page(pfn));
}

/* Queue memory: every page of [addr, addr + len) writable by the device. */
bool nvmev_host_range_ok(struct nvmev_dev *dev, u64 addr, u64 len)
{
	u64 a;

	if (!len || addr + len < addr)
		return false;
	for (a = addr & PAGE_MASK; a < addr + len; a += PAGE_SIZE)
		if (!host_page_ok(dev, a, true))
			return false;
	return true;
}

/* Copy between host physical memory and @buf. */
static int host_copy(struct nvmev_dev *dev, u64 addr, void *buf, u32 len,
		     bool to_host)
{
	while (len) {
		unsigned long pfn = addr >> PAGE_SHIFT;
		u32 off = offset_in_page(addr);
		u32 n = min_t(u32, len, PAGE_SIZE - off);
		void *p;

		if (!host_page_ok(dev, addr, to_host))
			return -EFAULT;
		p = kmap_local_page(pfn_to_page(pfn));
		if (to_host)
			memcpy(p + off, buf, n);
		else
			memcpy(buf, p + off, n);
		kunmap_local(p);
		addr += n;
		buf += n;
		len -= n;
	}
	return 0;
}

static int prp_list_read(void *ctx, u64 addr, void *buf, u32 len)
{
	return host_copy(ctx, addr, buf, len, false);
}

static u16 prp_status_to_nvme(enum prp_status st)
{
	switch (st) {
	case PRP_OK:
		return NVME_SC_SUCCESS;
	case PRP_BAD_OFFSET:
		return NVME_SC_PRP_INVALID_OFFSET | NVME_STATUS_DNR;
	case PRP_TOO_LONG:
		return NVME_SC_INVALID_FIELD | NVME_STATUS_DNR;
	default:
		return NVME_SC_DATA_XFER_ERROR;
	}
}

struct xfer_ctx {
	struct nvmev_dev *dev;
	struct nvmev_store *st;	/* store transfers */
	void *buf;		/* buffer transfers */
	u64 offset;		/* store transfers: byte offset in the store */
	u64 valid;		/* reads: bytes from offset that hold data */
	u64 done;
	bool to_host;
	u16 status;		/* set by an emit callback that fails */
};

static u16 walk(struct nvmev_dev *dev, const struct nvme_command *cmd,
		u64 len, prp_emit_t emit, struct xfer_ctx *x)
{
	u64 max = (u64)SZ_4K << dev->cfg.mdts;
	enum prp_status st;

	/* PSDT: SGLs are not offered (Identify SGLS = 0). */
	if (cmd->common.flags & 0xc0)
		return NVME_SC_INVALID_FIELD | NVME_STATUS_DNR;
	st = prp_walk(le64_to_cpu(cmd->common.dptr.prp1),
		      le64_to_cpu(cmd->common.dptr.prp2), len,
		      1U << dev->page_shift, max, prp_list_read, dev,
		      emit, x);
	if (st != PRP_OK && x->status)
		return x->status;
	return prp_status_to_nvme(st);
}

static int emit_buf(void *ctx, u64 addr, u32 len)
{
	struct xfer_ctx *x = ctx;
	int ret;

	ret = host_copy(x->dev, addr, x->buf + x->done, len, x->to_host);
	x->done += len;
	return ret;
}

/* Move @len bytes between @buf and the host memory named by @cmd. */
u16 nvmev_xfer(struct nvmev_dev *dev, const struct nvme_command *cmd,
	       u64 len, void *buf, bool to_host)
{
	struct xfer_ctx x = { .dev = dev, .buf = buf, .to_host = to_host };

	return walk(dev, cmd, len, emit_buf, &x);
}

static int emit_store(void *ctx, u64 addr, u32 len)
{
	struct xfer_ctx *x = ctx;
	struct nvmev_store *st = x->st;

	while (len) {
		u64 n = len;
		void *p;
		int ret;

		if (x->to_host && x->done >= x->valid) {
			p = NULL;
		} else {
			if (x->to_host)
				n = min_t(u64, n, x->valid - x->done);
			p = nvmev_store_map(st, x->offset + x->done, &n,
					    !x->to_host, &x->status);
		}
		if (x->status)
			return -ENOSPC;
		if (p) {
			ret = host_copy(x->dev, addr, p, n, x->to_host);
			nvmev_store_unmap(st, p);
		} else {
			/* Never written: reads as zeroes. */
			ret = host_copy(x->dev, addr, page_address(ZERO_PAGE(0)),
					min_t(u64, n, PAGE_SIZE), true);
			n = min_t(u64, n, PAGE_SIZE);
		}
		if (ret)
			return ret;
		addr += n;
		len -= n;
		x->done += n;
	}
	return 0;
}

/* Move @len bytes between the store at @offset and the host. */
u16 nvmev_xfer_store(struct nvmev_ns *ns, const struct nvme_command *cmd,
		     u64 offset, u64 len, bool to_host)
{
	struct xfer_ctx x = { .dev = ns->dev, .st = &ns->store,
			      .offset = offset, .to_host = to_host,
			      .valid = len };

	return walk(ns->dev, cmd, len, emit_store, &x);
}

/*
 * Read @len bytes of the store at @offset to the host, of which only the
 * first @valid hold data: the rest reads as zeroes whatever the store
 * holds (a zone past its data).
 */
u16 nvmev_read_store(struct nvmev_ns *ns, const struct nvme_command *cmd,
		     u64 offset, u64 len, u64 valid)
{
	struct xfer_ctx x = { .dev = ns->dev, .st = &ns->store,
			      .offset = offset, .to_host = true,
			      .valid = valid };

	return walk(ns->dev, cmd, len, emit_store, &x);
}

static int emit_compare(void *ctx, u64 addr, u32 len)
{
	struct xfer_ctx *x = ctx;
	struct nvmev_store *st = x->st;
	u8 *tmp = x->buf;

	while (len) {
		u64 n = min_t(u32, len, PAGE_SIZE);
		void *p;
		int ret;

		ret = host_copy(x->dev, addr, tmp, n, false);
		if (ret)
			return ret;
		p = nvmev_store_map(st, x->offset + x->done, &n, false,
				    &x->status);
		if (x->status)
			return -EIO;
		if (p) {
			ret = memcmp(p, tmp, n);
			nvmev_store_unmap(st, p);
		} else {
			ret = memchr_inv(tmp, 0, n) != NULL;
		}
		if (ret) {
			x->status = NVME_SC_COMPARE_FAILED | NVME_STATUS_DNR;
			return -EILSEQ;
		}
		addr += n;
		len -= n;
		x->done += n;
	}
	return 0;
}

/* Compare the host's data with the store; NVME_SC_COMPARE_FAILED if not equal. */
u16 nvmev_compare_store(struct nvmev_ns *ns, const struct nvme_command *cmd,
			u64 offset, u64 len)
{
	struct xfer_ctx x = { .dev = ns->dev, .st = &ns->store,
			      .offset = offset };
	u16 status;

	x.buf = kmalloc(PAGE_SIZE, GFP_KERNEL);
	if (!x.buf)
		return NVME_SC_INTERNAL;
	status = walk(ns->dev, cmd, len, emit_compare, &x);
	kfree(x.buf);
	return status;
}
