// SPDX-License-Identifier: GPL-2.0
/*
 * nvmev: the "ssd" kind, a conventional NAND SSD.
 *
 * Its namespaces speak the NVM command set (io-cmd-nvm.c); this file gives
 * them their timing: the page-mapped FTL, write buffer, garbage collection
 * and NAND array of pure/ssd_ftl.c and pure/nand.c.  The FTL keeps metadata
 * only; the data stays in the namespace's store.  Each namespace sizes its
 * own array from the device's SSD parameters (profile= and ssd=) and its
 * capacity, so namespaces of any size can live side by side.
 *
 * The model runs under the namespace's model lock, called from the
 * dispatcher (reads, writes, flushes, Write Zeroes) and from workers
 * (Dataset Management).  Logical blocks map to 4 KiB FTL pages; a write of
 * part of a page is a write of that page, a deallocation unmaps only the
 * pages it covers whole.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/slab.h>
#include <linux/mm.h>
#include <linux/seq_file.h>
#include <linux/ktime.h>

#include "nvmev.h"

/* 4 KiB FTL pages holding [slba, slba + nlb), rounded out or in. */
static void ssd_pages(struct nvmev_ns *ns, u64 slba, u64 nlb, bool whole,
		      u64 *lpn, u64 *n)
{
	u64 start = slba << ns->lba_shift, end = (slba + nlb) << ns->lba_shift;

	if (whole) {
		start = round_up(start, SSD_PAGE_BYTES);
		end = round_down(end, SSD_PAGE_BYTES);
	} else {
		start = round_down(start, SSD_PAGE_BYTES);
		end = round_up(end, SSD_PAGE_BYTES);
	}
	*lpn = start / SSD_PAGE_BYTES;
	*n = end > start ? (end - start) / SSD_PAGE_BYTES : 0;
}

/*
 * Fits the device's SSD parameters to a namespace of @bytes.  -EINVAL if
 * they do not fit, -ENOSPC if the FTL tables would take more than a
 * quarter of RAM; either says why, naming @what.
 */
static int ssd_fit_ns(const struct nvmev_kind_params *kp, u64 bytes,
		      const char *what, struct ssd_params *p)
{
	const char *why;

	*p = kp->ssd;
	bytes = round_up(bytes, SSD_PAGE_BYTES);
	if (ssd_fit(p, bytes, &why)) {
		pr_err("%s of %llu MiB: SSD parameters refused: %s\n", what,
		       bytes >> 20, why);
		return -EINVAL;
	}
	return nvmev_kind_mem_check(what, bytes, ssd_mem_bytes(p, bytes),
				    "FTL tables");
}

static int ssd_kind_check(const struct nvmev_config *cfg,
			  const struct nvmev_kind_params *kp, u64 bytes,
			  const char *what)
{
	struct ssd_params p;

	return ssd_fit_ns(kp, bytes, what, &p);
}

static int ssd_kind_init(struct nvmev_ns *ns)
{
	u64 bytes = round_up(ns->capacity, SSD_PAGE_BYTES);
	struct ssd_params p;
	char what[32];
	int ret;

	snprintf(what, sizeof(what), "%s namespace %u", ns->dev->name,
		 ns->nsid);
	ret = ssd_fit_ns(&ns->kp, bytes, what, &p);
	if (ret)
		return ret;
	ns->ssd = kzalloc(sizeof(*ns->ssd), GFP_KERNEL);
	if (!ns->ssd)
		return -ENOMEM;
	ret = ssd_init(ns->ssd, &p, bytes);
	if (ret) {
		pr_err("%s: no memory for the FTL (%llu KiB)\n", what,
		       ssd_mem_bytes(&p, bytes) >> 10);
		kfree(ns->ssd);
		ns->ssd = NULL;
		return ret;
	}
	pr_info("%s: namespace %u: SSD, %u channels x %u dies, %u lines of %u MiB, %u KiB of FTL tables\n",
		ns->dev->name, ns->nsid, p.nand.nr_channels,
		p.nand.luns_per_channel, ns->ssd->nr_lines,
		(u32)(((u64)ns->ssd->pages_per_line * SSD_PAGE_BYTES) >> 20),
		(u32)(ssd_mem_bytes(&p, bytes) >> 10));
	return 0;
}

static void ssd_kind_exit(struct nvmev_ns *ns)
{
	if (!ns->ssd)
		return;
	ssd_free(ns->ssd);
	kfree(ns->ssd);
	ns->ssd = NULL;
}

static void ssd_kind_reset(struct nvmev_ns *ns)
{
	spin_lock(&ns->model_lock);
	ssd_reset_timing(ns->ssd);
	spin_unlock(&ns->model_lock);
}

static u64 ssd_kind_rw(struct nvmev_ns *ns, u64 now, u64 slba, u64 nlb,
		       u32 flags)
{
	struct ssd_ftl *s = ns->ssd;
	u64 lpn, n, t;
	bool fua;

	ssd_pages(ns, slba, nlb, false, &lpn, &n);
	/* The volatile write cache off (Set Features 06h) acts as FUA. */
	fua = (flags & NVMEV_T_FUA) || !READ_ONCE(ns->dev->feat_vwc);
	spin_lock(&ns->model_lock);
	if (!(flags & NVMEV_T_WRITE))
		t = ssd_read(s, now, lpn, n);
	else if (flags & NVMEV_T_NODATA)
		t = now + s->p.fw_write_ns;	/* Write Uncorrectable: metadata */
	else
		t = ssd_write(s, now, lpn, n, fua);
	spin_unlock(&ns->model_lock);
	return t;
}

static u64 ssd_kind_flush(struct nvmev_ns *ns, u64 now)
{
	u64 t;

	spin_lock(&ns->model_lock);
	t = ssd_flush(ns->ssd, now);
	spin_unlock(&ns->model_lock);
	return t;
}

static u64 ssd_kind_dealloc(struct nvmev_ns *ns, u64 now, u64 slba, u64 nlb)
{
	u64 lpn, n, t;

	ssd_pages(ns, slba, nlb, true, &lpn, &n);
	spin_lock(&ns->model_lock);
	t = ssd_trim(ns->ssd, now, lpn, n);
	spin_unlock(&ns->model_lock);
	return t;
}

/* Format NVM: the FTL unmaps every page. */
static void ssd_kind_format(struct nvmev_ns *ns)
{
	ssd_kind_dealloc(ns, ktime_get_ns(), 0, nvmev_nr_lbas(ns));
}

static u8 ssd_kind_percent_used(struct nvmev_ns *ns)
{
	u32 pct;

	spin_lock(&ns->model_lock);
	pct = ssd_percent_used(ns->ssd);
	spin_unlock(&ns->model_lock);
	return pct;
}

/* debugfs: the FTL's counters, "nsN_" before each name. */
static void ssd_kind_show(struct nvmev_ns *ns, struct seq_file *m)
{
	struct ssd_stats st;
	u64 mean_x100;
	u32 max, free;

	spin_lock(&ns->model_lock);
	st = ns->ssd->stats;
	ssd_wear(ns->ssd, &mean_x100, &max);
	free = ssd_free_lines(ns->ssd);
	spin_unlock(&ns->model_lock);

	seq_printf(m, "ns%u_host_write_pages %llu\n", ns->nsid,
		   st.host_write_pages);
	seq_printf(m, "ns%u_nand_write_pages %llu\n", ns->nsid,
		   st.nand_write_pages);
	seq_printf(m, "ns%u_gc_write_pages %llu\n", ns->nsid,
		   st.gc_write_pages);
	seq_printf(m, "ns%u_pad_pages %llu\n", ns->nsid, st.pad_pages);
	seq_printf(m, "ns%u_waf_x1000 %llu\n", ns->nsid,
		   st.host_write_pages ?
		   div64_u64(st.nand_write_pages * 1000, st.host_write_pages) : 0);
	seq_printf(m, "ns%u_host_read_pages %llu\n", ns->nsid,
		   st.host_read_pages);
	seq_printf(m, "ns%u_nand_read_pages %llu\n", ns->nsid,
		   st.nand_read_pages);
	seq_printf(m, "ns%u_trim_pages %llu\n", ns->nsid, st.trim_pages);
	seq_printf(m, "ns%u_gc_fg_lines %llu\n", ns->nsid, st.gc_fg_lines);
	seq_printf(m, "ns%u_gc_bg_lines %llu\n", ns->nsid, st.gc_bg_lines);
	seq_printf(m, "ns%u_line_erases %llu\n", ns->nsid, st.line_erases);
	seq_printf(m, "ns%u_wb_waits %llu\n", ns->nsid, st.wb_waits);
	seq_printf(m, "ns%u_free_lines %u\n", ns->nsid, free);
	seq_printf(m, "ns%u_lines %u\n", ns->nsid, ns->ssd->nr_lines);
	seq_printf(m, "ns%u_erase_mean_x100 %llu\n", ns->nsid, mean_x100);
	seq_printf(m, "ns%u_erase_max %u\n", ns->nsid, max);
	seq_printf(m, "ns%u_no_space %llu\n", ns->nsid, st.no_space);
}

const struct nvmev_kind nvmev_ssd_kind = {
	.name		= "ssd",
	.cs		= &nvmev_nvm_cmd_set,
	.check		= ssd_kind_check,
	.init		= ssd_kind_init,
	.exit		= ssd_kind_exit,
	.reset		= ssd_kind_reset,
	.time_rw	= ssd_kind_rw,
	.time_flush	= ssd_kind_flush,
	.time_dealloc	= ssd_kind_dealloc,
	.format		= ssd_kind_format,
	.percent_used	= ssd_kind_percent_used,
	.show		= ssd_kind_show,
};
