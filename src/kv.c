// SPDX-License-Identifier: GPL-2.0
/*
 * nvmev: the Key Value command set (CSI 01h) and the "kv" kind.
 *
 * A KV namespace takes Store, Retrieve, Delete, Exist, List and Flush.  A
 * key is 1..16 bytes: bytes 0-7 in CDW2-3, bytes 8-15 in CDW14-15, its
 * length in CDW11 bits 7:0 and the options in bits 15:8; CDW10 is the
 * value size (Store) or the host buffer size (Retrieve, List).  The index,
 * the log of records in the namespace's store, its garbage collection and
 * the timing live in pure/kv_model.c; this file decodes commands, moves
 * data and fills the identify structures and the Key Value Configuration
 * feature (FID 20h).
 *
 * parse() runs on the dispatcher under the namespace's KV mutex (GC may
 * allocate store pages, so no spinlock): it changes the index and writes
 * record headers there, in submission order.  execute() runs on a worker
 * and copies the value between the host and the store.  Until the
 * command is released, the segment its data lives in counts as busy, so
 * garbage collection never moves or frees bytes a worker is copying.  A
 * Store whose data never arrived (bad PRP, deleted queue) is taken back.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/slab.h>
#include <linux/mm.h>
#include <linux/ktime.h>
#include <linux/seq_file.h>

#include "nvmev.h"

#define NVMEV_CSI_KV		0x01
#define NVMEV_FEAT_KV_CONFIG	0x20	/* Key Value Configuration */
#define NVMEV_KV_EDNEK		(1 << 0)

enum {
	kv_cmd_flush	= 0x00,
	kv_cmd_store	= 0x01,
	kv_cmd_retrieve	= 0x02,
	kv_cmd_list	= 0x06,
	kv_cmd_delete	= 0x10,
	kv_cmd_exist	= 0x14,
};

/* io->aux of a KV command: busy segment + 1, and whether data arrived. */
#define KV_AUX_SEG(a)		((u32)((a) & 0xffffffff))
#define KV_AUX_DATA		BIT_ULL(32)

struct nvmev_kv {
	struct kv_model m;
	struct mutex lock;		/* protects m */
	struct nvmev_ns *ns;
	atomic_t *busy;			/* per segment: commands moving its data */
};

/* The model's status values are the NVMe ones. */
static_assert(KV_SC_CAPACITY == NVME_SC_CAP_EXCEEDED);
static_assert(KV_SC_NOT_READY == NVME_SC_NS_NOT_READY);
static_assert(KV_SC_INVALID_FIELD == NVME_SC_INVALID_FIELD);
static_assert(KV_SC_INTERNAL == NVME_SC_INTERNAL);

static u16 kv_status(u16 st)
{
	/* Namespace Not Ready (GC blocked by I/O in flight) may be retried. */
	if (!st || st == KV_SC_NOT_READY || st == KV_SC_INTERNAL)
		return st;
	return st | NVME_STATUS_DNR;
}

/* ---- Store access for the model ---- */

static int kv_st_read(void *ctx, u64 off, void *buf, u32 len)
{
	struct nvmev_store *st = &((struct nvmev_kv *)ctx)->ns->store;
	u16 status = 0;

	while (len) {
		u64 n = len;
		void *p = nvmev_store_map(st, off, &n, false, &status);

		if (status)
			return -EIO;
		if (p) {
			memcpy(buf, p, n);
			nvmev_store_unmap(st, p);
		} else {
			memset(buf, 0, n);
		}
		buf += n;
		off += n;
		len -= n;
	}
	return 0;
}

static int kv_st_write(void *ctx, u64 off, const void *buf, u32 len)
{
	struct nvmev_store *st = &((struct nvmev_kv *)ctx)->ns->store;
	u16 status = 0;

	while (len) {
		u64 n = len;
		void *p = nvmev_store_map(st, off, &n, true, &status);

		if (!p)
			return -ENOSPC;
		memcpy(p, buf, n);
		nvmev_store_unmap(st, p);
		buf += n;
		off += n;
		len -= n;
	}
	return 0;
}

static int kv_st_copy(void *ctx, u64 dst, u64 src, u32 len)
{
	struct nvmev_store *st = &((struct nvmev_kv *)ctx)->ns->store;

	return nvmev_store_copy(st, dst, src, len) ? -ENOSPC : 0;
}

/* RAM backing: a free segment's pages go back to the kernel. */
static void kv_st_drop(void *ctx, u64 off, u64 len)
{
	struct nvmev_store *st = &((struct nvmev_kv *)ctx)->ns->store;
	u64 end = off + len;
	u32 n = 0;

	if (st->kind != NVMEV_BACKING_RAM)
		return;
	for (off = round_up(off, PAGE_SIZE); off + PAGE_SIZE <= end;
	     off += PAGE_SIZE) {
		nvmev_store_drop_page(st, off);
		if (!(++n % 4096))
			cond_resched();
	}
}

static bool kv_st_busy(void *ctx, u32 seg)
{
	return atomic_read(&((struct nvmev_kv *)ctx)->busy[seg]) > 0;
}

static const struct kv_store_ops kv_store_ops = {
	.read	= kv_st_read,
	.write	= kv_st_write,
	.copy	= kv_st_copy,
	.drop	= kv_st_drop,
	.busy	= kv_st_busy,
};

/* ---- Commands ---- */

/* Little-endian bytes of @v at @dst. */
static void kv_put(u8 *dst, u64 v, int len)
{
	int i;

	for (i = 0; i < len; i++)
		dst[i] = v >> (8 * i);
}

/* The key: bytes 0-7 in CDW2-3, bytes 8-15 in CDW14-15. */
static void kv_cmd_key(const struct nvme_command *cmd, u8 *key)
{
	static const int dw[4] = { 2, 3, 14, 15 };
	int i;

	for (i = 0; i < 4; i++)
		kv_put(key + 4 * i, nvmev_cdw(cmd, dw[i]), 4);
}

static void kv_hold(struct nvmev_kv *kv, struct nvmev_io *io, u32 seg)
{
	atomic_inc(&kv->busy[seg]);
	io->aux = (u64)seg + 1;
}

static u16 kv_parse(struct nvmev_ns *ns, struct nvmev_io *io, u64 now)
{
	const struct nvme_command *cmd = &io->cmd;
	struct nvmev_kv *kv = ns->kv;
	u64 max = (u64)SZ_4K << ns->dev->cfg.mdts;
	u32 cdw10 = nvmev_cdw(cmd, 10), cdw11 = nvmev_cdw(cmd, 11);
	u32 klen = cdw11 & 0xff, opts = (cdw11 >> 8) & 0xff, nr;
	struct kv_loc loc;
	u8 key[KV_KEY_MAX];
	void *buf = NULL;
	u16 st;

	kv_cmd_key(cmd, key);
	switch (cmd->common.opcode) {
	case kv_cmd_store: {
		bool sync = !READ_ONCE(ns->dev->feat_vwc);

		mutex_lock(&kv->lock);
		st = kv_store(&kv->m, now, key, klen, cdw10, opts, sync, &loc,
			      &io->deadline);
		if (!st) {
			io->offset = loc.off;
			io->bytes = loc.vlen;
			kv_hold(kv, io, loc.seg);
		}
		mutex_unlock(&kv->lock);
		return kv_status(st);
	}
	case kv_cmd_retrieve:
		if (cdw10 > max)
			return NVME_SC_INVALID_FIELD | NVME_STATUS_DNR;
		mutex_lock(&kv->lock);
		st = kv_retrieve(&kv->m, now, key, klen, cdw10, opts, &loc,
				 &io->deadline);
		if (!st) {
			io->offset = loc.off;
			io->bytes = min(loc.vlen, cdw10);
			io->result = loc.vlen;	/* the full size, CQE DW0 */
			kv_hold(kv, io, loc.seg);
		}
		mutex_unlock(&kv->lock);
		return kv_status(st);
	case kv_cmd_list:
		if (cdw10 > max || cdw10 < 4 || opts)
			return NVME_SC_INVALID_FIELD | NVME_STATUS_DNR;
		buf = kvmalloc(cdw10, GFP_KERNEL);
		if (!buf)
			return NVME_SC_INTERNAL;
		mutex_lock(&kv->lock);
		st = kv_list(&kv->m, now, key, klen, buf, cdw10, &nr,
			     &io->deadline);
		mutex_unlock(&kv->lock);
		if (st) {
			kvfree(buf);
			return kv_status(st);
		}
		io->priv = buf;
		io->bytes = cdw10;
		io->result = nr;
		return NVME_SC_SUCCESS;
	case kv_cmd_delete:
	case kv_cmd_exist:
		if (opts)
			return NVME_SC_INVALID_FIELD | NVME_STATUS_DNR;
		mutex_lock(&kv->lock);
		if (cmd->common.opcode == kv_cmd_delete)
			st = kv_delete(&kv->m, now, key, klen, &io->deadline);
		else
			st = kv_exist(&kv->m, now, key, klen, &io->deadline);
		mutex_unlock(&kv->lock);
		return kv_status(st);
	case kv_cmd_flush:
		mutex_lock(&kv->lock);
		io->deadline = kv_flush(&kv->m, now);
		mutex_unlock(&kv->lock);
		return NVME_SC_SUCCESS;
	}
	return NVME_SC_INVALID_OPCODE | NVME_STATUS_DNR;
}

static void kv_execute(struct nvmev_ns *ns, struct nvmev_io *io)
{
	const struct nvme_command *cmd = &io->cmd;
	struct nvmev_stats *st = &ns->dev->stats;

	switch (cmd->common.opcode) {
	case kv_cmd_store:
		io->status = nvmev_xfer_store(ns, cmd, io->offset, io->bytes,
					      false);
		if (!io->status)
			io->aux |= KV_AUX_DATA;
		atomic64_add(DIV_ROUND_UP(io->bytes, 512), &st->units_written);
		atomic64_inc(&st->host_writes);
		break;
	case kv_cmd_retrieve:
		io->status = nvmev_xfer_store(ns, cmd, io->offset, io->bytes,
					      true);
		atomic64_add(DIV_ROUND_UP(io->bytes, 512), &st->units_read);
		atomic64_inc(&st->host_reads);
		break;
	case kv_cmd_list:
		io->status = nvmev_xfer(ns->dev, cmd, io->bytes, io->priv, true);
		kvfree(io->priv);
		io->priv = NULL;
		break;
	}
}

/*
 * Every command ends here, executed or not: its segment is idle again,
 * and a Store whose value never arrived is taken back.
 */
static void kv_release(struct nvmev_ns *ns, struct nvmev_io *io)
{
	struct nvmev_kv *kv = ns->kv;
	u32 seg = KV_AUX_SEG(io->aux);

	if (!seg)
		return;
	if (io->cmd.common.opcode == kv_cmd_store && !(io->aux & KV_AUX_DATA)) {
		mutex_lock(&kv->lock);
		kv_undo_store(&kv->m, io->offset);
		mutex_unlock(&kv->lock);
	}
	atomic_dec(&kv->busy[seg - 1]);
}

/* Identify Namespace CNS 05h, CSI 01h: the KV Identify Namespace. */
static u16 kv_id_ns_cs(struct nvmev_ns *ns, void *buf)
{
	struct nvmev_kv *kv = ns->kv;
	u8 *id = buf;

	mutex_lock(&kv->lock);
	kv_put(id + 0, ns->capacity, 8);	/* NSZE, bytes */
	kv_put(id + 16, kv->m.live_bytes, 8);	/* NUSE, bytes */
	id[25] = 0;					/* NKVF, 0's based */
	/* KV format 0: key and value limits, the most keys. */
	kv_put(id + 72, KV_KEY_MAX, 2);
	kv_put(id + 76, kv->m.p.max_value, 4);
	kv_put(id + 80, kv->m.max_keys, 4);
	memcpy(id + 48, ns->nguid, 16);
	memcpy(id + 64, ns->eui64, 8);
	mutex_unlock(&kv->lock);
	return NVME_SC_SUCCESS;
}

/* CNS 06h, CSI 01h: nothing the controller reports beyond the defaults. */
static u16 kv_id_ctrl_cs(struct nvmev_dev *dev, void *buf)
{
	return NVME_SC_SUCCESS;
}

static void kv_effects(struct nvme_effects_log *e)
{
	u32 csupp = NVME_CMD_EFFECTS_CSUPP;
	u32 lbcc = csupp | NVME_CMD_EFFECTS_LBCC;

	e->iocs[kv_cmd_flush] = cpu_to_le32(csupp);
	e->iocs[kv_cmd_store] = cpu_to_le32(lbcc);
	e->iocs[kv_cmd_retrieve] = cpu_to_le32(csupp);
	e->iocs[kv_cmd_list] = cpu_to_le32(csupp);
	e->iocs[kv_cmd_delete] = cpu_to_le32(lbcc);
	e->iocs[kv_cmd_exist] = cpu_to_le32(csupp);
}

/* Feature 20h, Key Value Configuration: EDNEK in bit 0. */
static u16 kv_get_feature(struct nvmev_ns *ns, u8 fid, u32 *result)
{
	if (fid != NVMEV_FEAT_KV_CONFIG)
		return NVME_SC_INVALID_FIELD | NVME_STATUS_DNR;
	*result = READ_ONCE(ns->kv->m.ednek) ? NVMEV_KV_EDNEK : 0;
	return NVME_SC_SUCCESS;
}

static u16 kv_set_feature(struct nvmev_ns *ns, u8 fid, u32 cdw11)
{
	if (fid != NVMEV_FEAT_KV_CONFIG || (cdw11 & ~NVMEV_KV_EDNEK))
		return NVME_SC_INVALID_FIELD | NVME_STATUS_DNR;
	mutex_lock(&ns->kv->lock);
	ns->kv->m.ednek = cdw11 & NVMEV_KV_EDNEK;
	mutex_unlock(&ns->kv->lock);
	return NVME_SC_SUCCESS;
}

const struct nvmev_cmd_set nvmev_kv_cmd_set = {
	.name		= "kv",
	.csi		= NVMEV_CSI_KV,
	.parse		= kv_parse,
	.execute	= kv_execute,
	.release	= kv_release,
	.id_ns		= NULL,		/* no NVM Identify Namespace */
	.id_ns_cs	= kv_id_ns_cs,
	.id_ctrl_cs	= kv_id_ctrl_cs,
	.effects	= kv_effects,
	.get_feature	= kv_get_feature,
	.set_feature	= kv_set_feature,
	.nsze_bytes	= true,
};

/* ---- The "kv" kind ---- */

static int kv_fit(const struct nvmev_config *cfg,
		  const struct nvmev_kind_params *kp, u64 bytes,
		  const char *what, struct kv_params *p)
{
	const char *why;

	*p = kp->kv;
	if (kv_params_check(p, bytes, &why)) {
		pr_err("%s of %llu MiB: KV parameters refused: %s\n", what,
		       bytes >> 20, why);
		return -EINVAL;
	}
	if (p->max_value > ((u64)SZ_4K << cfg->mdts)) {
		pr_err("%s: max_value_kib=%u is above MDTS (%llu KiB): raise mdts= or lower it\n",
		       what, p->max_value >> 10, ((u64)SZ_4K << cfg->mdts) >> 10);
		return -EINVAL;
	}
	return nvmev_kind_mem_check(what, bytes, kv_mem_bytes(p, bytes),
				    "index and FTL tables");
}

static int kv_kind_check(const struct nvmev_config *cfg,
			 const struct nvmev_kind_params *kp, u64 bytes,
			 const char *what)
{
	struct kv_params p;

	return kv_fit(cfg, kp, bytes, what, &p);
}

static int kv_kind_init(struct nvmev_ns *ns)
{
	struct nvmev_kv *kv;
	struct kv_params p;
	char what[32];
	long keys = 0;
	int ret;

	snprintf(what, sizeof(what), "%s namespace %u", ns->dev->name,
		 ns->nsid);
	ret = kv_fit(&ns->dev->cfg, &ns->kp, ns->capacity, what, &p);
	if (ret)
		return ret;
	kv = kzalloc(sizeof(*kv), GFP_KERNEL);
	if (!kv)
		return -ENOMEM;
	mutex_init(&kv->lock);
	kv->ns = ns;
	ret = kv_init(&kv->m, &p, ns->capacity, &kv_store_ops, kv);
	if (ret)
		goto free;
	kv->busy = kvcalloc(kv->m.nr_segs, sizeof(*kv->busy), GFP_KERNEL);
	ret = -ENOMEM;
	if (!kv->busy)
		goto model;
	ns->kv = kv;
	/* A memmap store kept from an earlier load: find its keys. */
	if (ns->store.kind == NVMEV_BACKING_MEMMAP && ns->dev->cfg.memmap_keep) {
		keys = kv_recover(&kv->m);
		if (keys < 0) {
			pr_err("%s: the records kept in the reservation need more than max_keys or memory (%ld)\n",
			       what, keys);
			ret = keys;
			ns->kv = NULL;
			kvfree(kv->busy);
			goto model;
		}
	}
	pr_info("%s: namespace %u: KV, %u segments of %llu MiB, values up to %u KiB, up to %u keys (%u bytes of index each), %ld keys kept\n",
		ns->dev->name, ns->nsid, kv->m.nr_segs, p.seg_bytes >> 20,
		p.max_value >> 10, kv->m.max_keys, KV_NODE_BYTES, keys);
	return 0;
model:
	kv_free(&kv->m);
free:
	kfree(kv);
	return ret;
}

static void kv_kind_exit(struct nvmev_ns *ns)
{
	struct nvmev_kv *kv = ns->kv;

	if (!kv)
		return;
	kv_free(&kv->m);
	kvfree(kv->busy);
	kfree(kv);
	ns->kv = NULL;
}

static void kv_kind_reset(struct nvmev_ns *ns)
{
	mutex_lock(&ns->kv->lock);
	kv_reset_timing(&ns->kv->m);
	mutex_unlock(&ns->kv->lock);
}

/* Format NVM: every key gone. */
static void kv_kind_format(struct nvmev_ns *ns)
{
	mutex_lock(&ns->kv->lock);
	kv_format(&ns->kv->m);
	mutex_unlock(&ns->kv->lock);
}

static u8 kv_kind_percent_used(struct nvmev_ns *ns)
{
	u32 pct;

	mutex_lock(&ns->kv->lock);
	pct = ssd_percent_used(&ns->kv->m.ftl);
	mutex_unlock(&ns->kv->lock);
	return pct;
}

/* debugfs: keys, space and the model's counters. */
static void kv_kind_show(struct nvmev_ns *ns, struct seq_file *m)
{
	struct nvmev_kv *kv = ns->kv;
	struct kv_stats st;
	u64 live, usable, chunks;
	u32 keys, nfree;

	mutex_lock(&kv->lock);
	st = kv->m.stats;
	keys = kv->m.nr_keys;
	live = kv->m.live_bytes;
	usable = kv->m.usable;
	nfree = kv->m.nr_free;
	chunks = kv->m.nr_chunks;
	mutex_unlock(&kv->lock);

	seq_printf(m, "ns%u_kv_keys %u\n", ns->nsid, keys);
	seq_printf(m, "ns%u_kv_live_bytes %llu\n", ns->nsid, live);
	seq_printf(m, "ns%u_kv_usable_bytes %llu\n", ns->nsid, usable);
	seq_printf(m, "ns%u_kv_index_bytes %llu\n", ns->nsid,
		   chunks * KV_CHUNK_NODES * sizeof(struct kv_node));
	seq_printf(m, "ns%u_kv_free_segments %u\n", ns->nsid, nfree);
	seq_printf(m, "ns%u_kv_stores %llu\n", ns->nsid, st.stores);
	seq_printf(m, "ns%u_kv_overwrites %llu\n", ns->nsid, st.overwrites);
	seq_printf(m, "ns%u_kv_retrieves %llu\n", ns->nsid, st.retrieves);
	seq_printf(m, "ns%u_kv_deletes %llu\n", ns->nsid, st.deletes);
	seq_printf(m, "ns%u_kv_lists %llu\n", ns->nsid, st.lists);
	seq_printf(m, "ns%u_kv_gc_segments %llu\n", ns->nsid, st.gc_segments);
	seq_printf(m, "ns%u_kv_gc_records %llu\n", ns->nsid, st.gc_records);
	seq_printf(m, "ns%u_kv_gc_bytes %llu\n", ns->nsid, st.gc_bytes);
	seq_printf(m, "ns%u_kv_gc_blocked %llu\n", ns->nsid, st.gc_blocked);
}

const struct nvmev_kind nvmev_kv_kind = {
	.name		= "kv",
	.cs		= &nvmev_kv_cmd_set,
	.check		= kv_kind_check,
	.init		= kv_kind_init,
	.exit		= kv_kind_exit,
	.reset		= kv_kind_reset,
	.format		= kv_kind_format,
	.percent_used	= kv_kind_percent_used,
	.show		= kv_kind_show,
};
