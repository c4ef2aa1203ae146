// SPDX-License-Identifier: GPL-2.0
/*
 * nvmev: module parameters, their checks, and the life of a device.
 *
 * Loading the module creates one device from the parameters below.  Every
 * parameter is checked before anything is touched; a bad one fails the load
 * with a single message that says what to change.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/slab.h>
#include <linux/ioport.h>
#include <linux/cpumask.h>
#include <linux/mm.h>
#include <linux/ktime.h>
#include <linux/debugfs.h>
#include <linux/seq_file.h>
#include <linux/ctype.h>

#include "nvmev.h"

LIST_HEAD(nvmev_devices);
struct nvmev_host nvmev_host;
static DEFINE_MUTEX(nvmev_lock);	/* the device list */
static bool nvmev_loaded;	/* past module init: parameter writes apply at once */

static char *memmap_start;
module_param(memmap_start, charp, 0444);
MODULE_PARM_DESC(memmap_start,
		 "Physical start of the memmap= reservation, e.g. 4G (required)");

static char *memmap_size;
module_param(memmap_size, charp, 0444);
MODULE_PARM_DESC(memmap_size,
		 "Size of the reservation, e.g. 2M (BARs only) or 1G (memmap backing)");

static char *backing = "auto";
module_param(backing, charp, 0444);
MODULE_PARM_DESC(backing,
		 "Where data lives: ram (kernel memory, allocated on first write), memmap (the reservation), or auto (default: ram if capacity is given, else memmap)");

static char *capacity;
module_param(capacity, charp, 0444);
MODULE_PARM_DESC(capacity,
		 "Namespace size, e.g. 8G. RAM backing only; memmap backing uses memmap_size - 1M");

static char *total_capacity;
module_param(total_capacity, charp, 0444);
MODULE_PARM_DESC(total_capacity,
		 "RAM backing: total NVM capacity (TNVMCAP) that namespaces are carved from with nvme create-ns, e.g. 16G (default: capacity)");

static char *backing_max;
module_param(backing_max, charp, 0444);
MODULE_PARM_DESC(backing_max,
		 "RAM backing: most memory the data may take (default: capacity, at most half of RAM); writes past it fail with Capacity Exceeded");

static char *cpus;
module_param(cpus, charp, 0444);
MODULE_PARM_DESC(cpus,
		 "CPUs to pin to: dispatcher first, then one per worker, e.g. 2,3 (default: one worker, not pinned)");

static char *dispatcher = "";
module_param(dispatcher, charp, 0444);
MODULE_PARM_DESC(dispatcher,
		 "Share a dispatcher thread: the group name (1-15 of a-z, 0-9, _, -) that configfs devices may name too; default empty: the device has its own");

static char *kind = "nvm";
module_param(kind, charp, 0444);
MODULE_PARM_DESC(kind,
		 "Kind of namespace 1 and, unless new_ns_kind= says otherwise, of namespaces made by nvme create-ns: nvm (Optane-like, default), ssd (NAND SSD: FTL, write buffer, GC), zns (zoned namespace, CSI 02h) or kv (key-value namespace, CSI 01h)");

static char *profile = "970pro";
module_param(profile, charp, 0444);
MODULE_PARM_DESC(profile,
		 "SSD kind: 970pro (default; Samsung 970 PRO-like MLC, NVMeVirt's figures) or tlc-dc (PCIe 4.0 TLC datacenter drive)");

static char *ssd;
module_param(ssd, charp, 0444);
MODULE_PARM_DESC(ssd,
		 "SSD kind: settings over the profile, key=value,...; keys channels luns planes pages_per_block page_kib oneshot cell_bits read0_us..read3_us prog_us erase_us channel_mbs host_mbs fw_read_us fw_write_us fw_write_4k_us wb_kib write_cache op_pct gc_fg_lines gc_bg_lines gc_bg_idle_us gc_policy (greedy|cost-benefit) pe_cycles (docs/ssd.md)");

static char *zns;
module_param(zns, charp, 0444);
MODULE_PARM_DESC(zns,
		 "ZNS kind: settings over the ZN540-like defaults, key=value,...; zone keys zone_mib (power of two, default 64) zcap_mib (zone capacity, default the zone size) max_open max_active (default 14; 0 = no limit) zasl_kib (zone append limit, default 64) dies_per_zone (default 32), and every ssd= key for the flash (docs/zns.md)");

static char *kv;
module_param(kv, charp, 0444);
MODULE_PARM_DESC(kv,
		 "KV kind: settings, key=value,...; max_value_kib (default 1024 or the MDTS if less; at most MDTS) max_keys (default 0: one per 512 bytes of capacity) seg_mib (log segment, default 16) index_ns (default 1500) list_key_ns (default 100), and every ssd= key for the flash, over profile= and ssd= (docs/kv.md)");

static bool memmap_keep;
module_param(memmap_keep, bool, 0444);
MODULE_PARM_DESC(memmap_keep,
		 "memmap backing: keep namespace 1's data from an earlier load instead of zeroing it (the kv kind finds its keys again); default N");

/* The kind given to namespaces that nvme create-ns makes from now on. */
static int new_ns_kind_set(const char *val, const struct kernel_param *kp)
{
	const struct nvmev_kind *k = nvmev_kind_by_name(val);
	struct nvmev_dev *dev;

	if (!k) {
		/* At load time the kernel itself names the bad parameter. */
		if (nvmev_loaded)
			pr_err("new_ns_kind=%s: use one of %s\n", val,
			       NVMEV_KIND_NAMES);
		return -EINVAL;
	}
	*(const struct nvmev_kind **)kp->arg = k;
	mutex_lock(&nvmev_lock);
	list_for_each_entry(dev, &nvmev_devices, node)
		WRITE_ONCE(dev->new_ns_kind, k);
	mutex_unlock(&nvmev_lock);
	return 0;
}

static int new_ns_kind_get(char *buf, const struct kernel_param *kp)
{
	const struct nvmev_kind *k = *(const struct nvmev_kind **)kp->arg;

	return sysfs_emit(buf, "%s\n", k ? k->name : kind);
}

static const struct kernel_param_ops new_ns_kind_ops = {
	.set = new_ns_kind_set,
	.get = new_ns_kind_get,
};

static const struct nvmev_kind *new_ns_kind;
module_param_cb(new_ns_kind, &new_ns_kind_ops, &new_ns_kind, 0644);
MODULE_PARM_DESC(new_ns_kind,
		 "Kind of the namespaces nvme create-ns makes with CSI 00h: nvm or ssd (default: kind=; with kind=zns, nvm); create-ns --csi=2 makes zns namespaces; writable at run time");

static unsigned int lba_size = 512;
module_param(lba_size, uint, 0444);
MODULE_PARM_DESC(lba_size, "Logical block size of namespace 1: 512 (default) or 4096");

static unsigned int mdts = 8;
module_param(mdts, uint, 0444);
MODULE_PARM_DESC(mdts,
		 "Max data transfer, log2 of 4 KiB pages: 1..10 (default 8 = 1 MiB)");

static unsigned int io_queues = 32;
module_param(io_queues, uint, 0444);
MODULE_PARM_DESC(io_queues, "Most I/O queue pairs offered: 1..64 (default 32)");

static unsigned int poll_idle_us = 1000;
module_param(poll_idle_us, uint, 0444);
MODULE_PARM_DESC(poll_idle_us,
		 "Dispatcher keeps polling this long after the last command, in us (default 1000)");

static unsigned int sleep_max_us = 100000;
module_param(sleep_max_us, uint, 0444);
MODULE_PARM_DESC(sleep_max_us,
		 "Longest idle sleep of the dispatcher, in us: 16..1000000 (default 100000); it sleeps 1/8 of the idle time so far, up to this");

static unsigned int spin_ns = 20000;
module_param(spin_ns, uint, 0444);
MODULE_PARM_DESC(spin_ns,
		 "Workers spin instead of sleeping this close to a deadline, in ns (default 20000)");

/*
 * Timing defaults: an Optane P4800X-class device.  Its datasheet gives
 * 10 us typical read and write latency (4 KiB, QD1), 2400 MB/s sequential
 * read, 2000 MB/s sequential write and up to 550K/500K random 4 KiB IOPS.
 * Media latency plus the 4 KiB transfer adds up to about 10 us.
 */
static struct nvm_timing timing = {
	.read_lat_ns	= 8300,
	.write_lat_ns	= 8000,
	.read_bw_mbs	= 2400,
	.write_bw_mbs	= 2000,
	.nr_units	= 6,
};

/* New NVM timing for the namespaces of @dev, and for those made later. */
static void nvmev_set_timing(struct nvmev_dev *dev, const struct nvm_timing *t)
{
	int i;

	mutex_lock(&dev->ns_lock);	/* no namespace is freed meanwhile */
	dev->cfg.timing = *t;
	for (i = 1; i <= NVMEV_MAX_NS; i++) {
		struct nvmev_ns *ns = READ_ONCE(dev->ns[i]);

		if (!ns)
			continue;
		spin_lock(&ns->model_lock);
		nvm_model_init(&ns->model, t);
		spin_unlock(&ns->model_lock);
	}
	mutex_unlock(&dev->ns_lock);
}

/* Timing parameters may change at run time: check, then apply. */
static int timing_set(const char *val, const struct kernel_param *kp)
{
	struct nvm_timing t = timing;
	struct nvmev_dev *dev;
	const char *why;
	size_t off = (u8 *)kp->arg - (u8 *)&timing;
	int ret;

	if (off == offsetof(struct nvm_timing, read_lat_ns) ||
	    off == offsetof(struct nvm_timing, write_lat_ns))
		ret = kstrtou64(val, 0, (u64 *)((u8 *)&t + off));
	else
		ret = kstrtou32(val, 0, (u32 *)((u8 *)&t + off));
	if (ret) {
		/* At load time the kernel itself names the bad parameter. */
		if (nvmev_loaded)
			pr_err("%s: '%s' is not a number\n", kp->name, val);
		return ret;
	}
	if (!nvmev_loaded) {
		/* At load: nvmev_init() checks all of them, with one message. */
		timing = t;
		return 0;
	}
	if (nvm_timing_check(&t, &why)) {
		pr_err("%s=%s refused: %s\n", kp->name, val, why);
		return -EINVAL;
	}
	mutex_lock(&nvmev_lock);
	timing = t;
	list_for_each_entry(dev, &nvmev_devices, node)
		nvmev_set_timing(dev, &t);
	mutex_unlock(&nvmev_lock);
	return 0;
}

static int timing_get(char *buf, const struct kernel_param *kp)
{
	size_t off = (u8 *)kp->arg - (u8 *)&timing;

	if (off == offsetof(struct nvm_timing, read_lat_ns) ||
	    off == offsetof(struct nvm_timing, write_lat_ns))
		return sysfs_emit(buf, "%llu\n", *(u64 *)kp->arg);
	return sysfs_emit(buf, "%u\n", *(u32 *)kp->arg);
}

static const struct kernel_param_ops timing_ops = {
	.set = timing_set,
	.get = timing_get,
};

module_param_cb(read_lat_ns, &timing_ops, &timing.read_lat_ns, 0644);
MODULE_PARM_DESC(read_lat_ns,
		 "NVM kind: media latency of a read, ns, 0..10000000000 (default 8300); writable at run time");
module_param_cb(write_lat_ns, &timing_ops, &timing.write_lat_ns, 0644);
MODULE_PARM_DESC(write_lat_ns,
		 "NVM kind: media latency of a write, ns, 0..10000000000 (default 8000); writable at run time");
module_param_cb(read_bw_mbs, &timing_ops, &timing.read_bw_mbs, 0644);
MODULE_PARM_DESC(read_bw_mbs,
		 "NVM kind: read bandwidth, MB/s, 0 = unlimited (default 2400); writable at run time");
module_param_cb(write_bw_mbs, &timing_ops, &timing.write_bw_mbs, 0644);
MODULE_PARM_DESC(write_bw_mbs,
		 "NVM kind: write bandwidth, MB/s, 0 = unlimited (default 2000); writable at run time");
module_param_cb(nr_units, &timing_ops, &timing.nr_units, 0644);
MODULE_PARM_DESC(nr_units,
		 "NVM kind: parallel media units, 1..64 (default 6); writable at run time");

#define NVMEV_MAX_CAPACITY	(1ULL << 50)	/* 1 PiB */

static int parse_size(const char *name, const char *val, u64 *out)
{
	char *end;

	*out = memparse(val, &end);
	if (end == val || *end) {
		pr_err("%s=%s is not a size (use e.g. 4G, 512M, 0x100000000)\n",
		       name, val);
		return -EINVAL;
	}
	return 0;
}

int nvmev_parse_cpus(const char *cpus, struct nvmev_config *cfg)
{
	int list[NVMEV_MAX_WORKERS + 1];
	char *buf, *p, *tok;
	int n = 0, i, j, ret = 0;

	cfg->dispatcher_cpu = -1;
	cfg->nr_workers = 1;
	cfg->worker_cpu[0] = -1;
	if (!cpus || !*cpus)
		return 0;

	buf = kstrdup(cpus, GFP_KERNEL);
	if (!buf)
		return -ENOMEM;
	p = buf;
	while ((tok = strsep(&p, ","))) {
		unsigned int cpu;

		if (n == ARRAY_SIZE(list)) {
			pr_err("cpus=%s: at most %d CPUs (dispatcher + %d workers)\n",
			       cpus, NVMEV_MAX_WORKERS + 1, NVMEV_MAX_WORKERS);
			ret = -EINVAL;
			goto out;
		}
		if (kstrtouint(tok, 10, &cpu)) {
			pr_err("cpus=%s: '%s' is not a CPU number\n", cpus, tok);
			ret = -EINVAL;
			goto out;
		}
		if (cpu >= nr_cpu_ids || !cpu_online(cpu)) {
			pr_err("cpus=%s: CPU %u does not exist or is offline\n",
			       cpus, cpu);
			ret = -EINVAL;
			goto out;
		}
		for (j = 0; j < n; j++) {
			if (list[j] == cpu) {
				pr_err("cpus=%s: CPU %u is listed twice\n",
				       cpus, cpu);
				ret = -EINVAL;
				goto out;
			}
		}
		list[n++] = cpu;
	}
	if (n < 2) {
		pr_err("cpus=%s: give at least two CPUs, a dispatcher and a worker\n",
		       cpus);
		ret = -EINVAL;
		goto out;
	}
	cfg->dispatcher_cpu = list[0];
	cfg->nr_workers = n - 1;
	for (i = 1; i < n; i++)
		cfg->worker_cpu[i - 1] = list[i];
out:
	kfree(buf);
	return ret;
}

static int reserved_cb(struct resource *res, void *arg)
{
	*(u64 *)arg += resource_size(res);
	return 0;
}

/* The range must be memory the kernel does not use: a memmap= reservation. */
static int check_reservation(u64 start, u64 size)
{
	u64 end = start + size - 1, covered = 0;

	if (region_intersects(start, size, IORESOURCE_SYSTEM_RAM,
			      IORES_DESC_NONE) != REGION_DISJOINT) {
		pr_err("%#llx-%#llx is System RAM in use by the kernel; reserve it first: boot with memmap=%lluM$%#llx\n",
		       start, end, size >> 20, start);
		return -EINVAL;
	}
	walk_iomem_res_desc(IORES_DESC_RESERVED, IORESOURCE_MEM, start, end,
			    &covered, reserved_cb);
	if (covered < size) {
		pr_err("%#llx-%#llx is not reserved memory; boot with memmap=%lluM$%#llx\n",
		       start, end, size >> 20, start);
		return -EINVAL;
	}
	return 0;
}

/*
 * The SSD kind's parameters: the profile, then ssd= over it.  Checked
 * whatever the kind, on a 1 GiB namespace (one made later may be an SSD);
 * namespace 1's own kind then checks its capacity.
 */
static int build_ssd_config(const struct nvmev_params *prm,
			    struct nvmev_config *cfg)
{
	const char *profile = prm->profile, *ssd = prm->ssd;
	struct ssd_params p;
	const char *why;

	if (ssd_profile_get(profile, &cfg->kp.ssd)) {
		pr_err("profile=%s: use one of 970pro, tlc-dc\n", profile);
		return -EINVAL;
	}
	if (ssd && ssd_params_parse(&cfg->kp.ssd, ssd, &why)) {
		pr_err("ssd=%s refused: %s\n", ssd, why);
		return -EINVAL;
	}
	p = cfg->kp.ssd;
	if (ssd_fit(&p, SZ_1G, &why)) {
		pr_err("SSD parameters (profile=%s%s%s) refused: %s\n", profile,
		       ssd ? " ssd=" : "", ssd ? ssd : "", why);
		return -EINVAL;
	}
	return 0;
}

/*
 * The ZNS kind's parameters: the defaults, then zns= over them.  Checked
 * whatever the kind, on as many zones as the limits need (a namespace
 * made later may be zoned); namespace 1's kind checks its capacity.
 */
static int build_zns_config(const struct nvmev_params *prm,
			    struct nvmev_config *cfg)
{
	const char *zns = prm->zns;
	struct zns_params *p = &cfg->kp.zns;
	const char *why;
	u64 zones;

	zns_default_params(p);
	if (zns && zns_params_parse(p, zns, &why)) {
		pr_err("zns=%s refused: %s\n", zns, why);
		return -EINVAL;
	}
	zones = max3(1U, p->max_open, p->max_active);
	why = "zone size is 0";
	if (!p->zone_bytes || zones > U64_MAX / p->zone_bytes ||
	    zns_params_check(p, zones * p->zone_bytes, 12, &why)) {
		pr_err("ZNS parameters%s%s refused: %s\n", zns ? " zns=" : "",
		       zns ? zns : "", why);
		return -EINVAL;
	}
	return 0;
}

/*
 * The KV kind's parameters: the defaults over the SSD kind's flash
 * (profile= and ssd=; values up to 1 MiB or the MDTS), then kv= over them.  Checked whatever the kind on
 * the smallest namespace they allow; namespace 1's kind checks its own.
 */
static int build_kv_config(const struct nvmev_params *prm,
			   struct nvmev_config *cfg)
{
	const char *kv = prm->kv;
	struct kv_params *p = &cfg->kp.kv, t;
	const char *why;

	kv_default_params(p);
	p->flash = cfg->kp.ssd;
	/* Values up to 1 MiB by default, or the MDTS if that is less. */
	p->max_value = min_t(u64, p->max_value, (u64)SZ_4K << cfg->mdts);
	if (kv && kv_params_parse(p, kv, &why)) {
		pr_err("kv=%s refused: %s\n", kv, why);
		return -EINVAL;
	}
	t = *p;
	if (kv_params_check(&t, KV_MIN_SEGS * max_t(u64, p->seg_bytes, SZ_1M),
			    &why)) {
		pr_err("KV parameters%s%s refused: %s\n", kv ? " kv=" : "",
		       kv ? kv : "", why);
		return -EINVAL;
	}
	if (p->max_value > ((u64)SZ_4K << cfg->mdts)) {
		pr_err("kv: max_value_kib=%u is above MDTS (mdts=%u: %llu KiB): raise mdts= or lower max_value_kib\n",
		       p->max_value >> 10, cfg->mdts,
		       ((u64)SZ_4K << cfg->mdts) >> 10);
		return -EINVAL;
	}
	return 0;
}

/*
 * Check a device's settings and turn them into its config.  The memmap=
 * reservation itself is checked once, at load (nvmev_host_init()).
 */
int nvmev_build_config(const struct nvmev_params *p, struct nvmev_config *cfg)
{
	const char *kind = p->kind, *backing = p->backing;
	const char *capacity = p->capacity, *total_capacity = p->total_capacity;
	const char *backing_max = p->backing_max;
	unsigned int lba_size = p->lba_size, mdts = p->mdts;
	u64 cap = 0, bmax = 0;
	int ret;

	memset(cfg, 0, sizeof(*cfg));
	cfg->kind = nvmev_kind_by_name(kind);
	if (!cfg->kind) {
		pr_err("kind=%s is not a device kind (supported: %s)\n", kind,
		       NVMEV_KIND_NAMES);
		return -EINVAL;
	}
	cfg->memmap_start = nvmev_host.res.start;
	cfg->memmap_size = resource_size(&nvmev_host.res);
	ret = 0;
	if (capacity)
		ret = parse_size("capacity", capacity, &cap);
	if (!ret && backing_max)
		ret = parse_size("backing_max", backing_max, &bmax);
	if (!ret && total_capacity)
		ret = parse_size("total_capacity", total_capacity,
				 &cfg->total_capacity);
	if (ret)
		return ret;

	if (!strcmp(backing, "ram")) {
		cfg->backing = NVMEV_BACKING_RAM;
	} else if (!strcmp(backing, "memmap")) {
		cfg->backing = NVMEV_BACKING_MEMMAP;
	} else if (!strcmp(backing, "auto")) {
		cfg->backing = capacity ? NVMEV_BACKING_RAM :
					  NVMEV_BACKING_MEMMAP;
	} else {
		pr_err("backing=%s: use ram, memmap or auto\n", backing);
		return -EINVAL;
	}
	if (p->memmap_keep && cfg->backing != NVMEV_BACKING_MEMMAP) {
		pr_err("memmap_keep=1 keeps the data of memmap backing: load without capacity= (or with backing=memmap)\n");
		return -EINVAL;
	}
	cfg->memmap_keep = p->memmap_keep;

	if (lba_size != 512 && lba_size != 4096) {
		pr_err("lba_size=%u: use 512 or 4096\n", lba_size);
		return -EINVAL;
	}
	cfg->lba_shift = ilog2(lba_size);

	if (cfg->backing == NVMEV_BACKING_MEMMAP) {
		if (capacity) {
			pr_err("capacity= is for RAM backing; with memmap backing the size is memmap_size - 1M\n");
			return -EINVAL;
		}
		if (cfg->memmap_size < NVMEV_BAR_AREA + SZ_1M) {
			pr_err("memmap_size=%lluK: memmap backing needs at least 2M (1M for the BARs, the rest for data)\n",
			       cfg->memmap_size >> 10);
			return -EINVAL;
		}
		if (total_capacity) {
			pr_err("total_capacity= is for RAM backing; with memmap backing it is memmap_size - 1M\n");
			return -EINVAL;
		}
		cfg->capacity = round_down(cfg->memmap_size - NVMEV_BAR_AREA,
					   SZ_4K);
		cfg->total_capacity = cfg->capacity;
	} else {
		if (!capacity) {
			pr_err("backing=ram needs capacity=, e.g. capacity=8G\n");
			return -EINVAL;
		}
		if (!cap || cap > NVMEV_MAX_CAPACITY || cap % SZ_4K) {
			pr_err("capacity=%s: use a multiple of 4K from 4K to 1P\n",
			       capacity);
			return -EINVAL;
		}
		cfg->capacity = cap;
		if (!total_capacity)
			cfg->total_capacity = cap;
		if (cfg->total_capacity < cap ||
		    cfg->total_capacity > NVMEV_MAX_CAPACITY ||
		    cfg->total_capacity % SZ_4K) {
			pr_err("total_capacity=%s: use a multiple of 4K from capacity (%s) to 1P\n",
			       total_capacity, capacity);
			return -EINVAL;
		}
		if (!backing_max)
			bmax = min_t(u64, cap,
				     (u64)totalram_pages() << (PAGE_SHIFT - 1));
		if (!bmax || bmax > ((u64)totalram_pages() << PAGE_SHIFT)) {
			pr_err("backing_max=%s: use a size from 4K up to the RAM size\n",
			       backing_max);
			return -EINVAL;
		}
		cfg->backing_max = bmax;
	}

	if (mdts < 1 || mdts > 10) {
		pr_err("mdts=%u: use 1..10 (2^mdts 4 KiB pages)\n", mdts);
		return -EINVAL;
	}
	cfg->mdts = mdts;
	if (p->io_queues < 1 || p->io_queues > NVMEV_MAX_IO_QUEUES) {
		pr_err("io_queues=%u: use 1..%d\n", p->io_queues,
		       NVMEV_MAX_IO_QUEUES);
		return -EINVAL;
	}
	cfg->io_queues = p->io_queues;
	if (p->sleep_max_us < 16 || p->sleep_max_us > USEC_PER_SEC) {
		pr_err("sleep_max_us=%u: use 16..1000000\n", p->sleep_max_us);
		return -EINVAL;
	}
	cfg->poll_idle_us = p->poll_idle_us;
	cfg->sleep_max_us = p->sleep_max_us;
	cfg->spin_ns = p->spin_ns;
	cfg->timing = timing;
	{
		const char *why;

		if (nvm_timing_check(&cfg->timing, &why)) {
			pr_err("timing parameters refused: %s\n", why);
			return -EINVAL;
		}
	}
	ret = build_zns_config(p, cfg);
	if (ret)
		return ret;
	ret = build_ssd_config(p, cfg);
	if (ret)
		return ret;
	ret = build_kv_config(p, cfg);
	if (ret)
		return ret;
	/* Every kind's settings are known: can namespace 1's kind model it? */
	if (!p->own_namespaces && cfg->kind->check &&
	    cfg->kind->check(cfg, &cfg->kp, cfg->capacity,
			     p->what ? p->what : "namespace 1"))
		return -EINVAL;

	if (p->dispatcher && *p->dispatcher) {
		if (!nvmev_name_ok(p->dispatcher)) {
			pr_err("dispatcher=%s: name a group with 1 to %d of a-z, 0-9, '_', '-'\n",
			       p->dispatcher, NVMEV_NAME_LEN - 1);
			return -EINVAL;
		}
		strscpy(cfg->dispatcher, p->dispatcher, sizeof(cfg->dispatcher));
	}
	return nvmev_parse_cpus(p->cpus, cfg);
}

/* Names: 1 to 15 of a-z, 0-9, '_', '-', starting with a letter or digit. */
bool nvmev_name_ok(const char *name)
{
	size_t n = strlen(name), i;

	if (!n || n >= NVMEV_NAME_LEN || !isalnum(name[0]))
		return false;
	for (i = 0; i < n; i++)
		if (!islower(name[i]) && !isdigit(name[i]) &&
		    name[i] != '_' && name[i] != '-')
			return false;
	return true;
}

static struct dentry *nvmev_debugfs_root;

/* Counters for measuring the emulator itself (see docs/timing.md). */
static int nvmev_stats_show(struct seq_file *m, void *unused)
{
	struct nvmev_dev *dev = m->private;
	u64 n = atomic64_read(&dev->stats.posted);
	int i;

	seq_printf(m, "completions_posted %llu\n", n);
	seq_printf(m, "late_mean_ns %llu\n",
		   n ? div64_u64(atomic64_read(&dev->stats.late_ns), n) : 0);
	seq_printf(m, "late_max_ns %llu\n", READ_ONCE(dev->stats.late_max_ns));
	seq_printf(m, "backing_pages %lld\n",
		   atomic64_read(&dev->backing_pages));
	seq_printf(m, "cq_full_waits %lld\n",
		   atomic64_read(&dev->stats.cq_full_waits));
	seq_printf(m, "aborted_sq_deletion %lld\n",
		   atomic64_read(&dev->stats.aborted_sq_del));
	seq_printf(m, "completions_inline %lld\n",
		   atomic64_read(&dev->stats.inline_done));
	seq_printf(m, "error_log_entries %llu\n", READ_ONCE(dev->err_count));
	seq_printf(m, "completions_lost %lld\n",
		   atomic64_read(&dev->stats.lost));
	seq_printf(m, "lost_aborted %lld\n",
		   atomic64_read(&dev->stats.aborted));
	nvmev_pwr_show(dev, m);
	mutex_lock(&dev->ns_lock);	/* no namespace is freed meanwhile */
	for (i = 1; i <= NVMEV_MAX_NS; i++) {
		struct nvmev_ns *ns = READ_ONCE(dev->ns[i]);

		if (ns && ns->kind->show)
			ns->kind->show(ns, m);
	}
	mutex_unlock(&dev->ns_lock);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(nvmev_stats);

void nvmev_debugfs_add(struct nvmev_dev *dev)
{
	dev->debugfs = debugfs_create_dir(dev->name, nvmev_debugfs_root);
	debugfs_create_file("stats", 0444, dev->debugfs, dev,
			    &nvmev_stats_fops);
}

void nvmev_debugfs_remove(struct nvmev_dev *dev)
{
	debugfs_remove_recursive(dev->debugfs);
	dev->debugfs = NULL;
}

/*
 * insert_resource() puts nvmev's range above whatever lies inside it.  The
 * e820 "Reserved" entry of the memmap= reservation itself may be such a
 * child (when the reservation does not merge with a neighbouring reserved
 * range); anything else means the range is in use.
 */
static struct resource *nvmev_res_user(struct resource *res)
{
	struct resource *c;

	for (c = res->child; c; c = c->sibling)
		if ((c->flags & IORESOURCE_BUSY) || c->desc != IORES_DESC_RESERVED)
			return c;
	return NULL;
}

/* Claim the memmap= reservation that every device takes its BAR from. */
static int nvmev_host_init(struct nvmev_host *host)
{
	u64 start, size;
	struct resource *user;
	int ret;

	if (!memmap_start || !memmap_size) {
		pr_err("memmap_start and memmap_size are required: boot with e.g. memmap=2M$4G and load with memmap_start=4G memmap_size=2M capacity=1G\n");
		return -EINVAL;
	}
	ret = parse_size("memmap_start", memmap_start, &start);
	if (!ret)
		ret = parse_size("memmap_size", memmap_size, &size);
	if (ret)
		return ret;
	if (!size) {
		pr_err("memmap_size=%s: the reservation cannot be empty\n",
		       memmap_size);
		return -EINVAL;
	}
	if (!PAGE_ALIGNED(start) || !PAGE_ALIGNED(size)) {
		pr_err("memmap_start=%s memmap_size=%s: both must be multiples of %lu\n",
		       memmap_start, memmap_size, PAGE_SIZE);
		return -EINVAL;
	}
	if (start + size < start) {
		pr_err("memmap_start + memmap_size wraps around\n");
		return -EINVAL;
	}
	host->bar_base = ALIGN(start, NVMEV_BAR_SIZE);
	if (host->bar_base + NVMEV_BAR_SIZE > start + size) {
		pr_err("memmap_size=%s is too small for the BAR: reserve at least %u KiB\n",
		       memmap_size, 2 * NVMEV_BAR_SIZE / 1024);
		return -EINVAL;
	}
	host->nr_slots = (min_t(u64, start + size, start + NVMEV_BAR_AREA) -
			  host->bar_base) / NVMEV_BAR_SIZE;
	ret = check_reservation(start, size);
	if (ret)
		return ret;

	host->res = (struct resource) {
		.name	= "nvmev",
		.start	= start,
		.end	= start + size - 1,
		.flags	= IORESOURCE_MEM,
	};
	ret = insert_resource(&iomem_resource, &host->res);
	user = ret ? NULL : nvmev_res_user(&host->res);
	if (user) {
		pr_err("%pR is already used by %s\n", &host->res, user->name);
		remove_resource(&host->res);
		return -EBUSY;
	}
	if (ret)
		pr_err("%pR overlaps a range in use\n", &host->res);
	return ret;
}

/* One namespace made at attach, attached. */
static int nvmev_ns_init_one(struct nvmev_dev *dev,
			     const struct nvmev_ns_spec *spec)
{
	struct nvmev_ns *ns;
	u16 status;

	ns = nvmev_ns_create(dev, spec, &status);
	if (!ns) {
		pr_err("%s: cannot create namespace %u: status %#x\n",
		       dev->name, spec->nsid, status);
		return -ENOMEM;
	}
	if (ns->state != NVMEV_NS_LIVE) {
		/* memmap_keep: the data (and a KV index rebuilt from it) stays. */
		if (!dev->cfg.memmap_keep)
			nvmev_store_erase_all(&ns->store);
		ns->state = NVMEV_NS_LIVE;
	}
	ns->attached = true;
	return 0;
}

/*
 * The namespaces of configfs directories or, without any, namespace 1
 * from capacity=, lba_size= and kind=.
 */
static int nvmev_ns_init(struct nvmev_dev *dev)
{
	struct nvmev_ns_spec ns1 = {
		.nsid = 1, .kind = dev->cfg.kind,
		.capacity = dev->cfg.capacity, .lba_shift = dev->cfg.lba_shift,
		.kp = &dev->cfg.kp,
	};
	int i, ret;

	if (!dev->cfg.nr_ns_specs)
		return nvmev_ns_init_one(dev, &ns1);
	for (i = 0; i < dev->cfg.nr_ns_specs; i++) {
		ret = nvmev_ns_init_one(dev, &dev->cfg.ns_specs[i]);
		if (ret)
			return ret;
	}
	return 0;
}

static bool nvmev_name_taken(const struct nvmev_config *cfg)
{
	struct nvmev_dev *d;

	list_for_each_entry(d, &nvmev_devices, node) {
		if (!strcmp(d->name, cfg->name)) {
			pr_err("%s: a device of that name exists\n", cfg->name);
			return true;
		}
		if (!strcmp(d->serial, cfg->serial)) {
			pr_err("%s: serial %s is taken by %s (it names the /dev/nvmev/ link)\n",
			       cfg->name, cfg->serial, d->name);
			return true;
		}
	}
	return false;
}

/*
 * Create a device from a checked config and attach it: the host's nvme
 * driver may bind before this returns.  Serialised by nvmev_lock.
 */
int nvmev_dev_create(const struct nvmev_config *cfg, struct nvmev_dev **out)
{
	struct nvmev_dev *dev;
	int ret;

	mutex_lock(&nvmev_lock);
	if (nvmev_name_taken(cfg)) {
		ret = -EEXIST;
		goto out_unlock;
	}
	dev = kzalloc(sizeof(*dev), GFP_KERNEL);
	if (!dev) {
		ret = -ENOMEM;
		goto out_unlock;
	}
	dev->cfg = *cfg;
	dev->bar_slot = -1;
	dev->new_ns_kind = new_ns_kind ? new_ns_kind : cfg->kind;
	strscpy(dev->name, cfg->name, sizeof(dev->name));
	spin_lock_init(&dev->admin_lock);
	spin_lock_init(&dev->err_lock);
	spin_lock_init(&dev->lost_lock);
	INIT_LIST_HEAD(&dev->lost);
	init_completion(&dev->cut_done);
	mutex_init(&dev->ns_lock);
	INIT_LIST_HEAD(&dev->admin_backlog);
	atomic64_set(&dev->backing_pages, 0);
	nvmev_identity_init(dev);
	pwr_init(&dev->pwr, pwr_default_desc, pwr_default_nr_states,
		 ktime_get_ns());
	nvmev_admin_reset(dev);
	dev->load_time_ns = ktime_get_ns();

	dev->admin_wq = alloc_ordered_workqueue("%s_admin", 0, dev->name);
	if (!dev->admin_wq) {
		ret = -ENOMEM;
		goto out_free;
	}
	ret = nvmev_memmap_init(dev);
	if (ret)
		goto out_wq;
	ret = nvmev_ns_init(dev);
	/* The specs belong to the caller. */
	dev->cfg.ns_specs = NULL;
	if (ret)
		goto out_store;
	ret = nvmev_pci_create(dev);
	if (ret)
		goto out_store;
	ret = nvmev_threads_start(dev);
	if (ret) {
		/* A dispatcher CPU that clashes with its group said why. */
		if (ret != -EINVAL)
			pr_err("%s: cannot start threads: %d\n", dev->name,
			       ret);
		goto out_pci;
	}
	ret = nvmev_pci_add_bus(dev);
	if (ret)
		goto out_threads;

	list_add_tail(&dev->node, &nvmev_devices);
	mutex_unlock(&nvmev_lock);
	nvmev_debugfs_add(dev);
	if (cfg->nr_ns_specs)
		pr_info("%s: %d namespaces of configfs, %llu MiB of %llu MiB, RAM backing\n",
			dev->name, cfg->nr_ns_specs, cfg->capacity >> 20,
			cfg->total_capacity >> 20);
	else
		pr_info("%s: namespace 1 %s kind, %llu MiB, %u-byte blocks, %s backing, %llu MiB in all\n",
			dev->name, cfg->kind->name, cfg->capacity >> 20,
			1U << cfg->lba_shift,
			cfg->backing == NVMEV_BACKING_RAM ? "RAM" : "memmap",
			cfg->total_capacity >> 20);
	if (out)
		*out = dev;
	return 0;

out_threads:
	nvmev_threads_stop(dev);
out_pci:
	nvmev_pci_destroy(dev);
out_store:
	nvmev_ns_delete_all(dev);
	nvmev_memmap_exit(dev);
out_wq:
	destroy_workqueue(dev->admin_wq);
out_free:
	kfree(dev);
out_unlock:
	mutex_unlock(&nvmev_lock);
	return ret;
}

/* Detach a device (a surprise removal for the host) and free it. */
void nvmev_dev_destroy(struct nvmev_dev *dev)
{
	mutex_lock(&nvmev_lock);
	list_del(&dev->node);
	mutex_unlock(&nvmev_lock);
	nvmev_debugfs_remove(dev);
	nvmev_pci_remove_bus(dev);	/* the nvme driver lets go first */
	nvmev_threads_stop(dev);
	nvmev_pci_destroy(dev);
	nvmev_ns_delete_all(dev);
	nvmev_memmap_exit(dev);
	destroy_workqueue(dev->admin_wq);
	kfree(dev);
}

static struct nvmev_dev *nvmev_dev0;	/* made from the module parameters */

static int __init nvmev_init(void)
{
	struct nvmev_params p = {
		.kind = kind, .backing = backing, .capacity = capacity,
		.total_capacity = total_capacity, .backing_max = backing_max,
		.cpus = cpus, .dispatcher = dispatcher, .profile = profile, .ssd = ssd, .zns = zns,
		.kv = kv, .lba_size = lba_size, .mdts = mdts,
		.io_queues = io_queues, .poll_idle_us = poll_idle_us,
		.sleep_max_us = sleep_max_us, .spin_ns = spin_ns,
		.memmap_keep = memmap_keep,
	};
	struct nvmev_config cfg;
	int ret;

	mutex_init(&nvmev_host.lock);
	ret = nvmev_host_init(&nvmev_host);
	if (ret)
		return ret;
	ret = nvmev_build_config(&p, &cfg);
	if (ret)
		goto out_host;
	strscpy(cfg.name, "nvmev0", sizeof(cfg.name));
	cfg.id_seed = 0;
	strscpy(cfg.serial, "NVMEV0000", sizeof(cfg.serial));

	ret = -ENOMEM;
	nvmev_io_cache = KMEM_CACHE(nvmev_io, 0);
	if (!nvmev_io_cache)
		goto out_host;
	ret = nvmev_cpuhp_init();
	if (ret) {
		pr_err("cannot register a CPU hotplug state: %d\n", ret);
		goto out_cache;
	}
	nvmev_debugfs_root = debugfs_create_dir(KBUILD_MODNAME, NULL);
	ret = nvmev_dev_create(&cfg, &nvmev_dev0);
	if (ret)
		goto out_debugfs;
	ret = nvmev_configfs_init();
	if (ret) {
		pr_err("cannot register /sys/kernel/config/nvmev: %d\n", ret);
		goto out_dev;
	}
	nvmev_loaded = true;
	return 0;

out_dev:
	nvmev_dev_destroy(nvmev_dev0);
out_debugfs:
	debugfs_remove_recursive(nvmev_debugfs_root);
	nvmev_cpuhp_exit();
out_cache:
	kmem_cache_destroy(nvmev_io_cache);
out_host:
	remove_resource(&nvmev_host.res);
	return ret;
}

static void __exit nvmev_exit(void)
{
	/* configfs devices hold the module: they are all gone by now. */
	nvmev_configfs_exit();
	nvmev_dev_destroy(nvmev_dev0);
	WARN_ON(!list_empty(&nvmev_devices));
	debugfs_remove_recursive(nvmev_debugfs_root);
	nvmev_cpuhp_exit();
	kmem_cache_destroy(nvmev_io_cache);
	remove_resource(&nvmev_host.res);
}

module_init(nvmev_init);
module_exit(nvmev_exit);

MODULE_DESCRIPTION("Software-defined virtual NVMe device");
MODULE_LICENSE("GPL");
MODULE_VERSION(NVMEV_VERSION);
