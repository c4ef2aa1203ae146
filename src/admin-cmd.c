// SPDX-License-Identifier: GPL-2.0
/*
 * nvmev: the admin command set.
 *
 * Admin commands run on the dispatcher thread and most complete at once.
 * Those that may take long (Format NVM, creating a namespace in memmap
 * mode) do their work in the device's admin workqueue and complete from
 * there.  Every field is decoded from the command's dwords (cdw10..cdw15),
 * so the code does not depend on how a kernel version names them.  What
 * belongs to a command set (CNS 00h's format fields, CNS 05h/06h, the I/O
 * part of the effects log) comes from the namespace's struct nvmev_cmd_set.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/slab.h>
#include <linux/ktime.h>
#include <linux/timekeeping.h>
#include <linux/delay.h>

#include "nvmev.h"

#define NVMEV_TEMP_K		313	/* reported composite temperature */
#define NVMEV_WCTEMP_K		343
#define NVMEV_CCTEMP_K		358
#define NVMEV_AER_INFO_TEMP	0x01	/* SMART event: temperature threshold */
#define NVMEV_FEAT_IOCS_PROFILE	0x19	/* I/O Command Set Profile */
#define NVMEV_CSI_NONE		0xff	/* CNS without a CSI */
#define NVMEV_FEAT_CS_FIRST	0x20	/* command set specific features */
#define NVMEV_LOG_LBA_STATUS	0x0e	/* LBA Status Information log */
#define NVMEV_LBA_STATUS_LOG_MAX SZ_64K
#define NVMEV_ATYPE_UNTRACKED	0x10	/* Get LBA Status action types */
#define NVMEV_ATYPE_TRACKED	0x11
#define NVMEV_OACS_GET_LBA_STATUS (1 << 9)

struct admin_ctx {
	struct nvmev_dev *dev;
	const struct nvme_command *cmd;
	u64 result;
};

#define cdw nvmev_cdw

static void pad_copy(char *dst, const char *src, size_t len)
{
	size_t n = strnlen(src, len);

	memcpy(dst, src, n);
	memset(dst + n, ' ', len - n);
}

/*
 * Stable identifiers: the UUID (and so the subsystem NQN) from the seed,
 * which is 0 for the load-time device and the name's hash for a configfs
 * one; serial and model as configured.
 */
void nvmev_identity_init(struct nvmev_dev *dev)
{
	nvmev_make_uuid(dev->uuid, 0x6e766d65 ^ (dev->cfg.id_seed * 0x9e3779b9));
	strscpy(dev->serial, dev->cfg.serial, sizeof(dev->serial));
	strscpy(dev->model_name, dev->cfg.model[0] ? dev->cfg.model :
		"nvmev NVM", sizeof(dev->model_name));
}

void nvmev_admin_reset(struct nvmev_dev *dev)
{
	dev->nr_aer = 0;
	dev->aen_pending = 0;
	dev->aen_masked = 0;
	dev->nr_io_sq_granted = 0;
	dev->nr_io_cq_granted = 0;
	dev->feat_arbitration = 0;
	pwr_reset(&dev->pwr, ktime_get_ns());
	dev->pwr_busy = false;
	dev->feat_temp_thresh[0] = NVMEV_WCTEMP_K;
	dev->feat_temp_thresh[1] = 0;
	dev->feat_err_recovery = 0;
	dev->feat_vwc = 1;
	dev->feat_irq_coalesce = 0;
	dev->feat_async_event = 0;
	dev->timestamp_set = false;
}

struct admin_backlog {
	struct list_head node;
	u16 cid;
	u16 status;
	u64 result;
};

/*
 * Post an admin completion.  The host never has more admin commands out
 * than its CQ holds, but if the CQ is full anyway the completion waits in
 * a backlog that the dispatcher retries; it is never dropped.
 */
void nvmev_admin_complete(struct nvmev_dev *dev, u16 cid, u16 status,
			  u64 result)
{
	struct nvmev_cq *cq;
	struct admin_backlog *b;

	spin_lock(&dev->admin_lock);
	cq = dev->cqs[0];
	if (!cq || !READ_ONCE(dev->ready)) {
		spin_unlock(&dev->admin_lock);
		return;
	}
	if (!list_empty(&dev->admin_backlog) ||
	    !nvmev_cq_post(dev, cq, 0, dev->sqs[0] ? dev->sqs[0]->head : 0,
			   cid, status, result)) {
		b = kmalloc(sizeof(*b), GFP_ATOMIC);
		if (b) {
			b->cid = cid;
			b->status = status;
			b->result = result;
			list_add_tail(&b->node, &dev->admin_backlog);
		}
		spin_unlock(&dev->admin_lock);
		return;
	}
	spin_unlock(&dev->admin_lock);
	if (cq->irq_enabled)
		nvmev_raise_irq(dev, cq->vector);
}

/* Dispatcher: post what waits in the backlog, as room allows. */
void nvmev_admin_backlog(struct nvmev_dev *dev)
{
	struct admin_backlog *b, *tmp;
	struct nvmev_cq *cq;
	bool posted = false;

	spin_lock(&dev->admin_lock);
	cq = dev->cqs[0];
	list_for_each_entry_safe(b, tmp, &dev->admin_backlog, node) {
		if (cq && dev->ready &&
		    !nvmev_cq_post(dev, cq, 0, dev->sqs[0] ? dev->sqs[0]->head : 0,
				   b->cid, b->status, b->result))
			break;
		posted |= cq && dev->ready;
		list_del(&b->node);
		kfree(b);
	}
	spin_unlock(&dev->admin_lock);
	if (posted && cq->irq_enabled)
		nvmev_raise_irq(dev, cq->vector);
}

/*
 * Complete a held Async Event Request with @result, or keep it pending.
 * An event type stays masked once reported until the host reads the log
 * page it names (the spec's rule), so a burst of changes is one event.
 */
void nvmev_aen_queue(struct nvmev_dev *dev, u32 result)
{
	u32 type = BIT(result & 0x7);

	if (dev->aen_masked & type)
		return;
	if (!dev->nr_aer) {
		dev->aen_pending = result;
		return;
	}
	dev->aen_masked |= type;
	dev->nr_aer--;
	nvmev_admin_complete(dev, dev->aer_cids[dev->nr_aer], NVME_SC_SUCCESS,
			     result);
}

/* A namespace was attached or detached: log it and tell the host. */
static void ns_attr_changed(struct nvmev_dev *dev, u32 nsid)
{
	nvmev_ns_changed(dev, nsid);
	if (dev->feat_async_event & NVME_AEN_CFG_NS_ATTR)
		nvmev_aen_queue(dev, NVME_AER_NOTICE |
				NVME_AER_NOTICE_NS_CHANGED << 8 |
				NVME_LOG_CHANGED_NS << 16);
}

static u8 temperature_warning(struct nvmev_dev *dev)
{
	if (dev->feat_temp_thresh[0] < NVMEV_TEMP_K ||
	    dev->feat_temp_thresh[1] > NVMEV_TEMP_K)
		return NVME_SMART_CRIT_TEMPERATURE;
	return 0;
}

static u16 send_buf(struct admin_ctx *c, void *buf, size_t len)
{
	return nvmev_xfer(c->dev, c->cmd, len, buf, true);
}

/* Store @val little-endian in a @len-byte field (the 128-bit ones). */
static void put_le(u8 *dst, u64 val, int len)
{
	int i;

	for (i = 0; i < len; i++, val >>= 8)
		dst[i] = i < 8 ? val & 0xff : 0;
}

static void put128(u8 *dst, u64 val)
{
	put_le(dst, val, 16);
}

static void fill_id_ctrl(struct nvmev_dev *dev, struct nvme_id_ctrl *id)
{
	u16 oncs = NVME_CTRL_ONCS_TIMESTAMP;
	int i;

	for (i = 0; i < nvmev_nr_cmd_sets; i++)
		oncs |= nvmev_cmd_sets[i]->oncs;
	id->vid = cpu_to_le16(NVMEV_VENDOR_ID);
	id->ssvid = cpu_to_le16(NVMEV_VENDOR_ID);
	pad_copy(id->sn, dev->serial, sizeof(id->sn));
	pad_copy(id->mn, dev->model_name, sizeof(id->mn));
	pad_copy(id->fr, NVMEV_FW_REV, sizeof(id->fr));
	id->rab = 6;
	id->ieee[0] = 0x02;
	id->mdts = dev->cfg.mdts;
	id->cntlid = cpu_to_le16(NVMEV_CNTLID);
	id->ver = cpu_to_le32(NVME_VS(2, 0, 0));
	id->rtd3r = cpu_to_le32(1000);
	id->rtd3e = cpu_to_le32(1000);
	id->oaes = cpu_to_le32(NVME_AEN_CFG_NS_ATTR);
	id->cntrltype = 1;			/* I/O controller */
	id->oacs = cpu_to_le16(1 << 1 |		/* Format NVM */
			       NVME_CTRL_OACS_NS_MNGT_SUPP |
			       NVMEV_OACS_GET_LBA_STATUS);
	id->acl = 3;
	id->aerl = NVMEV_NR_AER - 1;
	id->frmw = 0x3;				/* one slot, read-only */
	id->lpa = 0x6;				/* effects log, extended data */
	id->elpe = NVMEV_ERR_LOG_ENTRIES - 1;
	id->npss = pwr_default_nr_states - 1;
	id->apsta = 1;				/* APST supported */
	id->wctemp = cpu_to_le16(NVMEV_WCTEMP_K);
	id->cctemp = cpu_to_le16(NVMEV_CCTEMP_K);
	put128(id->tnvmcap, dev->cfg.total_capacity);
	put128(id->unvmcap, nvmev_ns_unallocated(dev));
	id->sqes = 0x66;
	id->cqes = 0x44;
	id->maxcmd = cpu_to_le16(NVMEV_MQES + 1);
	id->nn = cpu_to_le32(NVMEV_MAX_NS);
	id->mnan = cpu_to_le32(NVMEV_MAX_NS);
	id->oncs = cpu_to_le16(oncs);
	id->fuses = 0;				/* no fused operations */
	/* OCFS (bytes 535:534): Copy source range format 0. */
	*(__le16 *)((u8 *)id + 534) = cpu_to_le16(1);
	id->vwc = NVME_CTRL_VWC_PRESENT;
	id->awun = 0;
	id->awupf = 0;
	id->sgls = 0;
	snprintf(id->subnqn, sizeof(id->subnqn),
		 "nqn.2014-08.org.nvmexpress:uuid:%pUb", dev->uuid);
	for (i = 0; i < pwr_default_nr_states; i++) {
		const struct pwr_desc *d = &pwr_default_desc[i];
		struct nvme_id_power_state *ps = &id->psd[i];

		ps->max_power = cpu_to_le16(d->max_power_cw);
		ps->flags = d->nonop ? NVME_PS_FLAGS_NON_OP_STATE : 0;
		ps->entry_lat = cpu_to_le32(d->enlat_us);
		ps->exit_lat = cpu_to_le32(d->exlat_us);
		/* Relative ranks: the deeper, the slower. */
		ps->read_tput = i;
		ps->read_lat = i;
		ps->write_tput = i;
		ps->write_lat = i;
	}
}

/* CNS 00h/11h: the command-set independent part, then the kind's. */
static void fill_id_ns(struct nvmev_ns *ns, struct nvme_id_ns *id)
{
	u64 nlb = nvmev_nr_lbas(ns);

	id->nsze = cpu_to_le64(nlb);
	id->ncap = cpu_to_le64(nlb);
	id->nuse = cpu_to_le64(nlb);
	memcpy(id->nguid, ns->nguid, sizeof(id->nguid));
	memcpy(id->eui64, ns->eui64, sizeof(id->eui64));
	ns->ops->id_ns(ns, id);
}

static void ns_desc_list(struct nvmev_ns *ns, u8 *buf)
{
	struct nvme_ns_id_desc *d;
	u8 *p = buf;

	d = (void *)p;
	d->nidt = NVME_NIDT_EUI64;
	d->nidl = NVME_NIDT_EUI64_LEN;
	memcpy(p + sizeof(*d), ns->eui64, 8);
	p += sizeof(*d) + 8;

	d = (void *)p;
	d->nidt = NVME_NIDT_NGUID;
	d->nidl = NVME_NIDT_NGUID_LEN;
	memcpy(p + sizeof(*d), ns->nguid, 16);
	p += sizeof(*d) + 16;

	d = (void *)p;
	d->nidt = NVME_NIDT_UUID;
	d->nidl = NVME_NIDT_UUID_LEN;
	memcpy(p + sizeof(*d), ns->uuid, 16);
	p += sizeof(*d) + 16;

	d = (void *)p;
	d->nidt = NVME_NIDT_CSI;
	d->nidl = NVME_NIDT_CSI_LEN;
	p[sizeof(*d)] = ns->ops->csi;
}

/* A valid NSID for a namespace-specific CNS: 1..NN. */
static bool nsid_valid(u32 nsid)
{
	return nsid >= 1 && nsid <= NVMEV_MAX_NS;
}

/* NSIDs above @after, active ones or (@allocated) all, of @csi or any. */
static void ns_list(struct nvmev_dev *dev, __le32 *list, u32 after,
		    bool allocated, u8 csi)
{
	u32 nsid;
	int n = 0;

	for (nsid = after + 1; nsid <= NVMEV_MAX_NS; nsid++) {
		struct nvmev_ns *ns = dev->ns[nsid];

		if (!ns || (!allocated && !ns->attached))
			continue;
		if (csi != NVMEV_CSI_NONE && ns->ops->csi != csi)
			continue;
		list[n++] = cpu_to_le32(nsid);
	}
}

/* Identify Namespace for NSID FFFFFFFFh: what every namespace shares. */
static void fill_id_ns_common(struct nvme_id_ns *id)
{
	id->nlbaf = 1;
	id->dlfeat = 0x9;
	id->lbaf[0].ds = 9;
	id->lbaf[1].ds = 12;
}

static u16 admin_identify(struct admin_ctx *c)
{
	const struct nvme_command *cmd = c->cmd;
	struct nvmev_dev *dev = c->dev;
	u8 cns = cdw(cmd, 10) & 0xff;
	u16 cntid = cdw(cmd, 10) >> 16;
	u8 csi = cdw(cmd, 11) >> 24;
	u32 nsid = le32_to_cpu(cmd->common.nsid);
	struct nvmev_ns *ns = nsid_valid(nsid) ? dev->ns[nsid] : NULL;
	struct nvmev_ns *active = nvmev_ns_active(dev, nsid);
	const struct nvmev_cmd_set *cs;
	u16 status = NVME_SC_SUCCESS;
	void *buf;
	int i;

	buf = kzalloc(NVME_IDENTIFY_DATA_SIZE, GFP_KERNEL);
	if (!buf)
		return NVME_SC_INTERNAL;

	switch (cns) {
	case NVME_ID_CNS_CTRL:
		fill_id_ctrl(dev, buf);
		break;
	case NVME_ID_CNS_NS:
	case NVME_ID_CNS_NS_PRESENT:
		/* An inactive (or, for 00h, unattached) NSID reads zeroes. */
		if (nsid == NVME_NSID_ALL && cns == NVME_ID_CNS_NS)
			fill_id_ns_common(buf);
		else if (!nsid_valid(nsid))
			status = NVME_SC_INVALID_NS | NVME_STATUS_DNR;
		else if ((cns == NVME_ID_CNS_NS ? active : ns) &&
			 !ns->ops->id_ns)
			/* A command set without this structure (KV). */
			status = NVME_SC_INVALID_IO_CMD_SET | NVME_STATUS_DNR;
		else if (cns == NVME_ID_CNS_NS ? active : ns)
			fill_id_ns(ns, buf);
		break;
	case NVME_ID_CNS_NS_ACTIVE_LIST:
	case NVME_ID_CNS_NS_PRESENT_LIST:
	case NVMEV_CNS_CS_NS_ACTIVE:
	case NVMEV_CNS_CS_NS_ALLOC_LIST:
		if (nsid >= 0xfffffffe)
			status = NVME_SC_INVALID_NS | NVME_STATUS_DNR;
		else if (cns == NVMEV_CNS_CS_NS_ACTIVE ||
			 cns == NVMEV_CNS_CS_NS_ALLOC_LIST) {
			if (!nvmev_cmd_set_by_csi(csi))
				status = NVME_SC_INVALID_FIELD | NVME_STATUS_DNR;
			else
				ns_list(dev, buf, nsid,
					cns == NVMEV_CNS_CS_NS_ALLOC_LIST, csi);
		} else {
			ns_list(dev, buf, nsid,
				cns == NVME_ID_CNS_NS_PRESENT_LIST,
				NVMEV_CSI_NONE);
		}
		break;
	case NVME_ID_CNS_NS_DESC_LIST:
		if (!active)
			status = NVME_SC_INVALID_NS | NVME_STATUS_DNR;
		else
			ns_desc_list(active, buf);
		break;
	case NVME_ID_CNS_CS_NS:
	case NVMEV_CNS_CS_NS_ALLOC:
		cs = nvmev_cmd_set_by_csi(csi);
		if (!nsid_valid(nsid))
			status = NVME_SC_INVALID_NS | NVME_STATUS_DNR;
		else if (!cs)
			status = NVME_SC_INVALID_FIELD | NVME_STATUS_DNR;
		else if (cns == NVME_ID_CNS_CS_NS ? active : ns)
			/* A namespace of another command set: Invalid Field. */
			status = ns->ops != cs ?
				 NVME_SC_INVALID_FIELD | NVME_STATUS_DNR :
				 cs->id_ns_cs(ns, buf);
		break;
	case NVME_ID_CNS_CS_CTRL:
		cs = nvmev_cmd_set_by_csi(csi);
		if (!cs)
			status = NVME_SC_INVALID_FIELD | NVME_STATUS_DNR;
		else
			status = cs->id_ctrl_cs(dev, buf);
		break;
	case NVME_ID_CNS_NS_CS_INDEP:
		if (!nsid_valid(nsid)) {
			status = NVME_SC_INVALID_NS | NVME_STATUS_DNR;
		} else if (active) {
			struct nvme_id_ns_cs_indep *id = buf;

			id->nstat = NVMEV_NSTAT_READY;
		}
		break;
	case NVME_ID_CNS_CTRL_NS_LIST:
	case NVME_ID_CNS_CTRL_LIST: {
		__le16 *list = buf;

		/* One controller, ours; 12h lists it if the NSID is attached. */
		if (cns == NVME_ID_CNS_CTRL_NS_LIST && !nsid_valid(nsid))
			status = NVME_SC_INVALID_NS | NVME_STATUS_DNR;
		else if (cntid <= NVMEV_CNTLID &&
			 (cns == NVME_ID_CNS_CTRL_LIST || (ns && ns->attached))) {
			list[0] = cpu_to_le16(1);
			list[1] = cpu_to_le16(NVMEV_CNTLID);
		}
		break;
	}
	case NVMEV_CNS_IOCS: {
		__le64 *vec = buf;
		u64 v = 0;

		/* Combination 0: every command set we have. */
		for (i = 0; i < nvmev_nr_cmd_sets; i++)
			v |= BIT_ULL(nvmev_cmd_sets[i]->csi);
		/* Ours, or (0, FFFFh) the controller processing the command. */
		if (cntid != NVMEV_CNTLID && cntid && cntid != 0xffff)
			status = NVME_SC_INVALID_FIELD | NVME_STATUS_DNR;
		vec[0] = cpu_to_le64(v);
		break;
	}
	default:
		status = NVME_SC_INVALID_FIELD | NVME_STATUS_DNR;
	}
	if (!status)
		status = send_buf(c, buf, NVME_IDENTIFY_DATA_SIZE);
	kfree(buf);
	return status;
}

static u64 timestamp_now(struct nvmev_dev *dev)
{
	return div_u64(ktime_get_ns(), NSEC_PER_MSEC) + dev->timestamp_base;
}

/* The active namespace of a command set with its own features, or NULL. */
static struct nvmev_ns *feature_ns(struct admin_ctx *c)
{
	struct nvmev_ns *ns = nvmev_ns_active(c->dev,
					      le32_to_cpu(c->cmd->common.nsid));

	return ns && ns->ops->get_feature ? ns : NULL;
}

/* Get Features of a command set's feature (FID 20h and up). */
static u16 cs_get_feature(struct admin_ctx *c, u8 fid, u8 sel)
{
	struct nvmev_ns *ns = feature_ns(c);
	u32 r = 0;
	u16 status;

	if (!ns)
		return NVME_SC_INVALID_FIELD | NVME_STATUS_DNR;
	status = ns->ops->get_feature(ns, fid, &r);
	if (!status && sel == 3)
		r = 1 << 2 | 1 << 1;	/* changeable, namespace specific */
	c->result = r;
	return status;
}

static u16 admin_get_features(struct admin_ctx *c)
{
	struct nvmev_dev *dev = c->dev;
	u32 cdw10 = cdw(c->cmd, 10), cdw11 = cdw(c->cmd, 11);
	u8 fid = cdw10 & 0xff, sel = (cdw10 >> 8) & 0x7;
	u64 *r = &c->result;

	if (fid >= NVMEV_FEAT_CS_FIRST && fid < NVME_FEAT_SW_PROGRESS && sel <= 3)
		return cs_get_feature(c, fid, sel);

	if (sel == 3) {			/* supported capabilities */
		switch (fid) {
		case NVME_FEAT_ARBITRATION ... NVME_FEAT_ASYNC_EVENT:
		case NVME_FEAT_AUTO_PST:
		case NVME_FEAT_TIMESTAMP:
		case NVMEV_FEAT_IOCS_PROFILE:
			if (fid == NVME_FEAT_LBA_RANGE)
				break;
			*r = 1 << 2;	/* changeable, not saveable */
			return NVME_SC_SUCCESS;
		}
		return NVME_SC_INVALID_FIELD | NVME_STATUS_DNR;
	}
	if (sel > 3)
		return NVME_SC_INVALID_FIELD | NVME_STATUS_DNR;

	switch (fid) {
	case NVME_FEAT_ARBITRATION:
		*r = dev->feat_arbitration;
		break;
	case NVME_FEAT_POWER_MGMT:
		*r = dev->pwr.ps;		/* workload hint 0 */
		break;
	case NVME_FEAT_AUTO_PST: {
		__le64 *t = kcalloc(PWR_APST_ENTRIES, sizeof(*t), GFP_KERNEL);
		u16 status;
		int i;

		if (!t)
			return NVME_SC_INTERNAL;
		for (i = 0; i < PWR_APST_ENTRIES; i++)
			t[i] = cpu_to_le64(dev->pwr.apst[i]);
		*r = dev->pwr.apste;
		status = send_buf(c, t, PWR_APST_ENTRIES * sizeof(*t));
		kfree(t);
		return status;
	}
	case NVME_FEAT_TEMP_THRESH:
		if (((cdw11 >> 16) & 0xf) != 0 || ((cdw11 >> 20) & 0x3) > 1)
			return NVME_SC_INVALID_FIELD | NVME_STATUS_DNR;
		*r = dev->feat_temp_thresh[(cdw11 >> 20) & 1];
		break;
	case NVME_FEAT_ERR_RECOVERY:
		*r = dev->feat_err_recovery;
		break;
	case NVME_FEAT_VOLATILE_WC:
		*r = dev->feat_vwc;
		break;
	case NVME_FEAT_NUM_QUEUES:
		*r = (dev->cfg.io_queues - 1) << 16 | (dev->cfg.io_queues - 1);
		if (dev->nr_io_sq_granted)
			*r = (dev->nr_io_cq_granted - 1) << 16 |
			     (dev->nr_io_sq_granted - 1);
		break;
	case NVME_FEAT_IRQ_COALESCE:
		*r = dev->feat_irq_coalesce;
		break;
	case NVME_FEAT_IRQ_CONFIG:
		if ((cdw11 & 0xffff) > dev->cfg.io_queues)
			return NVME_SC_INVALID_FIELD | NVME_STATUS_DNR;
		*r = cdw11 & 0xffff;
		break;
	case NVME_FEAT_WRITE_ATOMIC:
		*r = 0;
		break;
	case NVME_FEAT_ASYNC_EVENT:
		*r = dev->feat_async_event;
		break;
	case NVMEV_FEAT_IOCS_PROFILE:
		*r = 0;			/* combination 0 of CNS 1Ch */
		break;
	case NVME_FEAT_TIMESTAMP: {
		__le64 ts = cpu_to_le64((timestamp_now(dev) & GENMASK_ULL(47, 0)) |
					(u64)(dev->timestamp_set ? 1 : 0) << 49);

		return send_buf(c, &ts, sizeof(ts));
	}
	default:
		return NVME_SC_INVALID_FIELD | NVME_STATUS_DNR;
	}
	return NVME_SC_SUCCESS;
}

static u16 admin_set_features(struct admin_ctx *c)
{
	struct nvmev_dev *dev = c->dev;
	u32 cdw10 = cdw(c->cmd, 10), cdw11 = cdw(c->cmd, 11);
	u8 fid = cdw10 & 0xff;

	if (cdw10 & BIT(31))
		return NVME_SC_FEATURE_NOT_SAVEABLE | NVME_STATUS_DNR;
	if (fid >= NVMEV_FEAT_CS_FIRST && fid < NVME_FEAT_SW_PROGRESS) {
		struct nvmev_ns *ns = feature_ns(c);

		if (!ns)
			return NVME_SC_INVALID_FIELD | NVME_STATUS_DNR;
		return ns->ops->set_feature(ns, fid, cdw11);
	}

	switch (fid) {
	case NVME_FEAT_ARBITRATION:
		dev->feat_arbitration = cdw11;
		break;
	case NVME_FEAT_POWER_MGMT:
		/* Workload hints (bits 7:5) are not offered. */
		if (cdw11 & 0xe0 ||
		    pwr_set_state(&dev->pwr, cdw11 & 0x1f, ktime_get_ns()))
			return NVME_SC_INVALID_FIELD | NVME_STATUS_DNR;
		break;
	case NVME_FEAT_AUTO_PST: {
		u64 *t = kcalloc(PWR_APST_ENTRIES, sizeof(*t), GFP_KERNEL);
		u16 status;
		int i;

		if (!t)
			return NVME_SC_INTERNAL;
		status = nvmev_xfer(dev, c->cmd, PWR_APST_ENTRIES * sizeof(*t),
				    t, false);
		for (i = 0; i < PWR_APST_ENTRIES; i++)
			t[i] = le64_to_cpu((__force __le64)t[i]);
		if (!status &&
		    pwr_set_apst(&dev->pwr, cdw11 & 1, t, ktime_get_ns()))
			status = NVME_SC_INVALID_FIELD | NVME_STATUS_DNR;
		kfree(t);
		if (status)
			return status;
		break;
	}
	case NVME_FEAT_TEMP_THRESH: {
		u8 before = temperature_warning(dev);

		if (((cdw11 >> 16) & 0xf) != 0 || ((cdw11 >> 20) & 0x3) > 1)
			return NVME_SC_INVALID_FIELD | NVME_STATUS_DNR;
		dev->feat_temp_thresh[(cdw11 >> 20) & 1] = cdw11 & 0xffff;
		/* Crossing a threshold is a SMART / health event. */
		if (!before && temperature_warning(dev) &&
		    (dev->feat_async_event & NVME_SMART_CRIT_TEMPERATURE))
			nvmev_aen_queue(dev, NVME_AER_SMART |
					NVMEV_AER_INFO_TEMP << 8 |
					NVME_LOG_SMART << 16);
		break;
	}
	case NVME_FEAT_ERR_RECOVERY:
		dev->feat_err_recovery = cdw11 & 0xffff;
		break;
	case NVME_FEAT_VOLATILE_WC:
		dev->feat_vwc = cdw11 & 1;
		if (!dev->feat_vwc)
			nvmev_vwc_commit_all(dev);
		break;
	case NVME_FEAT_NUM_QUEUES: {
		u32 nsq = (cdw11 & 0xffff) + 1, ncq = (cdw11 >> 16) + 1;

		if (nsq > 0xffff || ncq > 0xffff)
			return NVME_SC_INVALID_FIELD | NVME_STATUS_DNR;
		/*
		 * Allocate every queue the controller has, as the spec allows
		 * (the host uses at most what it asked for).  QIDs above the
		 * host's own stay free for tools such as nvme admin-passthru.
		 */
		dev->nr_io_sq_granted = dev->cfg.io_queues;
		dev->nr_io_cq_granted = dev->cfg.io_queues;
		c->result = (dev->nr_io_cq_granted - 1) << 16 |
			    (dev->nr_io_sq_granted - 1);
		break;
	}
	case NVME_FEAT_IRQ_COALESCE:
		dev->feat_irq_coalesce = cdw11 & 0xffff;
		break;
	case NVME_FEAT_IRQ_CONFIG:
		if ((cdw11 & 0xffff) > dev->cfg.io_queues)
			return NVME_SC_INVALID_FIELD | NVME_STATUS_DNR;
		break;
	case NVME_FEAT_WRITE_ATOMIC:
		break;
	case NVME_FEAT_ASYNC_EVENT:
		dev->feat_async_event = cdw11;
		break;
	case NVMEV_FEAT_IOCS_PROFILE:
		if (cdw11 & 0x1ff)	/* only combination 0 */
			return NVME_SC_INVALID_FIELD | NVME_STATUS_DNR;
		break;
	case NVME_FEAT_TIMESTAMP: {
		__le64 ts = 0;
		u16 status = nvmev_xfer(dev, c->cmd, 8, &ts, false);

		if (status)
			return status;
		dev->timestamp_base = (le64_to_cpu(ts) & GENMASK_ULL(47, 0)) -
				      div_u64(ktime_get_ns(), NSEC_PER_MSEC);
		dev->timestamp_set = true;
		break;
	}
	default:
		return NVME_SC_INVALID_FIELD | NVME_STATUS_DNR;
	}
	return NVME_SC_SUCCESS;
}

/* SMART Percentage Used: the most worn namespace's. */
static u8 percent_used(struct nvmev_dev *dev)
{
	struct nvmev_ns *ns;
	u8 pct = 0;
	int i;

	for (i = 1; i <= NVMEV_MAX_NS; i++) {
		ns = dev->ns[i];
		if (ns && ns->kind->percent_used)
			pct = max(pct, ns->kind->percent_used(ns));
	}
	return pct;
}

static void fill_smart(struct nvmev_dev *dev, struct nvme_smart_log *s)
{
	struct nvmev_stats *st = &dev->stats;
	u64 secs = div_u64(ktime_get_ns() - dev->load_time_ns, NSEC_PER_SEC);
	u8 spare = 100;

	if (dev->cfg.backing == NVMEV_BACKING_RAM && dev->cfg.backing_max)
		spare = 100 - div64_u64(100 * atomic64_read(&dev->backing_pages),
					dev->cfg.backing_max >> PAGE_SHIFT);
	s->avail_spare = spare;
	s->spare_thresh = 10;
	s->critical_warning = temperature_warning(dev);
	if (spare < s->spare_thresh)
		s->critical_warning |= NVME_SMART_CRIT_SPARE;
	put_le(s->temperature, NVMEV_TEMP_K, 2);
	s->percent_used = percent_used(dev);
	/* Data units are thousands of 512-byte units, rounded up. */
	put128(s->data_units_read,
	       DIV_ROUND_UP_ULL(atomic64_read(&st->units_read), 1000));
	put128(s->data_units_written,
	       DIV_ROUND_UP_ULL(atomic64_read(&st->units_written), 1000));
	put128(s->host_reads, atomic64_read(&st->host_reads));
	put128(s->host_writes, atomic64_read(&st->host_writes));
	put128(s->ctrl_busy_time, 0);
	put128(s->power_cycles, 1);
	put128(s->power_on_hours, secs / 3600);
	put128(s->unsafe_shutdowns, 0);
	put128(s->media_errors, atomic64_read(&st->media_errors));
	put128(s->num_err_log_entries, READ_ONCE(dev->err_count));
	s->temp_sensor[0] = cpu_to_le16(NVMEV_TEMP_K);
}

static void fill_effects(const struct nvmev_cmd_set *cs,
			 struct nvme_effects_log *e)
{
	u32 csupp = NVME_CMD_EFFECTS_CSUPP;
	u32 lbcc = csupp | NVME_CMD_EFFECTS_LBCC;
	u32 nsmgmt = csupp | NVME_CMD_EFFECTS_NIC | NVME_CMD_EFFECTS_NCC;

	e->acs[nvme_admin_delete_sq] = cpu_to_le32(csupp);
	e->acs[nvme_admin_create_sq] = cpu_to_le32(csupp);
	e->acs[nvme_admin_get_log_page] = cpu_to_le32(csupp);
	e->acs[nvme_admin_delete_cq] = cpu_to_le32(csupp);
	e->acs[nvme_admin_create_cq] = cpu_to_le32(csupp);
	e->acs[nvme_admin_identify] = cpu_to_le32(csupp);
	e->acs[nvme_admin_abort_cmd] = cpu_to_le32(csupp);
	e->acs[nvme_admin_set_features] = cpu_to_le32(csupp);
	e->acs[nvme_admin_get_features] = cpu_to_le32(csupp);
	e->acs[nvme_admin_async_event] = cpu_to_le32(csupp);
	e->acs[nvme_admin_ns_mgmt] = cpu_to_le32(nsmgmt);
	e->acs[nvme_admin_ns_attach] = cpu_to_le32(nsmgmt);
	e->acs[nvme_admin_get_lba_status] = cpu_to_le32(csupp);
	e->acs[nvme_admin_format_nvm] = cpu_to_le32(lbcc |
						   NVME_CMD_EFFECTS_NCC);
	cs->effects(e);
}

/*
 * LBA Status Information log: for each namespace with LBAs marked by
 * Write Uncorrectable, one element whose descriptors list them (the host
 * may then Get LBA Status on them, or rewrite them).
 */
static void fill_lba_status_log(struct nvmev_dev *dev, u8 *log, size_t size)
{
	size_t pos = 16;
	u32 nsid, nr_el = 0;
	u64 total = 0;

	for (nsid = 1; nsid <= NVMEV_MAX_NS; nsid++) {
		struct nvmev_ns *ns = nvmev_ns_active(dev, nsid);
		size_t el = pos;
		u64 from = 0, start, len;
		u32 nr = 0;

		if (!ns || !READ_ONCE(ns->unc.nr) || pos + 16 > size)
			continue;
		pos += 16;
		spin_lock(&ns->unc_lock);
		while (pos + 16 <= size &&
		       lba_ranges_next(&ns->unc, from, &start, &len)) {
			len = min_t(u64, len, U32_MAX);
			*(__le64 *)(log + pos) = cpu_to_le64(start);
			*(__le32 *)(log + pos + 8) = cpu_to_le32(len);
			pos += 16;
			total += len;
			from = start + len;
			nr++;
		}
		spin_unlock(&ns->unc_lock);
		*(__le32 *)(log + el) = cpu_to_le32(nsid);
		*(__le32 *)(log + el + 4) = cpu_to_le32(nr);
		log[el + 8] = NVMEV_ATYPE_TRACKED;
		nr_el++;
	}
	*(__le32 *)log = cpu_to_le32(pos);			/* LSLPLEN */
	*(__le32 *)(log + 4) = cpu_to_le32(nr_el);		/* NLSLNE */
	*(__le32 *)(log + 8) = cpu_to_le32(min_t(u64, total, U32_MAX));
}

/*
 * Get LBA Status: the LBAs of [SLBA, SLBA + RL) that are known to be
 * unrecoverable (marked by Write Uncorrectable), as LBA Status
 * Descriptors; both action types report the same tracked set.
 */
static u16 admin_get_lba_status(struct admin_ctx *c)
{
	struct nvmev_dev *dev = c->dev;
	u32 nsid = le32_to_cpu(c->cmd->common.nsid);
	struct nvmev_ns *ns = nvmev_ns_active(dev, nsid);
	u64 slba = cdw(c->cmd, 10) | (u64)cdw(c->cmd, 11) << 32;
	u64 len = ((u64)cdw(c->cmd, 12) + 1) * 4;
	u32 rl = cdw(c->cmd, 13) & 0xffff;
	u8 atype = cdw(c->cmd, 13) >> 24;
	u64 end, from, start, n, pos = 8;
	u32 nlsd = 0;
	u8 *buf, cmpc;
	u16 status;

	if (!ns)
		return NVME_SC_INVALID_NS | NVME_STATUS_DNR;
	if (atype != NVMEV_ATYPE_UNTRACKED && atype != NVMEV_ATYPE_TRACKED)
		return NVME_SC_INVALID_FIELD | NVME_STATUS_DNR;
	if (slba >= nvmev_nr_lbas(ns))
		return NVME_SC_LBA_RANGE | NVME_STATUS_DNR;
	if (len < 8 || len > ((u64)SZ_4K << dev->cfg.mdts))
		return NVME_SC_INVALID_FIELD | NVME_STATUS_DNR;
	end = rl ? min_t(u64, slba + rl, nvmev_nr_lbas(ns)) : nvmev_nr_lbas(ns);
	buf = kzalloc(len, GFP_KERNEL);
	if (!buf)
		return NVME_SC_INTERNAL;
	cmpc = 2;		/* the whole range was looked at */
	from = slba;
	spin_lock(&ns->unc_lock);
	while (lba_ranges_next(&ns->unc, from, &start, &n) && start < end) {
		if (pos + 16 > len) {
			cmpc = 1;	/* stopped at MNDW */
			break;
		}
		n = min3(n, end - start, (u64)U32_MAX);
		*(__le64 *)(buf + pos) = cpu_to_le64(start);
		*(__le32 *)(buf + pos + 8) = cpu_to_le32(n);
		pos += 16;
		nlsd++;
		from = start + n;
	}
	spin_unlock(&ns->unc_lock);
	*(__le32 *)buf = cpu_to_le32(nlsd);
	buf[4] = cmpc;
	status = send_buf(c, buf, len);
	kfree(buf);
	return status;
}

static u16 admin_get_log_page(struct admin_ctx *c)
{
	struct nvmev_dev *dev = c->dev;
	const struct nvme_command *cmd = c->cmd;
	u8 lid = cdw(cmd, 10) & 0xff;
	u64 numd = ((cdw(cmd, 10) >> 16) | (u64)(cdw(cmd, 11) & 0xffff) << 16) + 1;
	u64 len = numd * 4;
	u64 off = cdw(cmd, 12) | (u64)cdw(cmd, 13) << 32;
	u32 nsid = le32_to_cpu(cmd->common.nsid);
	bool rae = cdw(cmd, 10) & BIT(15);	/* retain asynchronous event */
	u8 csi = cdw(cmd, 14) >> 24;
	const struct nvmev_cmd_set *cs = NULL;
	size_t size;
	u16 status;
	u8 *log, *out;
	int i;

	switch (lid) {
	case NVME_LOG_ERROR:
		size = NVMEV_ERR_LOG_ENTRIES * 64;
		break;
	case NVME_LOG_SMART:
		size = sizeof(struct nvme_smart_log);
		if (nsid != 0 && nsid != NVME_NSID_ALL && !nsid_valid(nsid))
			return NVME_SC_INVALID_NS | NVME_STATUS_DNR;
		break;
	case NVME_LOG_CHANGED_NS:
		size = NVMEV_CHANGED_NS_MAX * 4;
		break;
	case NVMEV_LOG_LBA_STATUS:
		size = NVMEV_LBA_STATUS_LOG_MAX;
		break;
	case NVME_LOG_FW_SLOT:
		size = sizeof(struct nvme_fw_slot_info_log);
		break;
	case NVME_LOG_CMD_EFFECTS:
		size = sizeof(struct nvme_effects_log);
		cs = nvmev_cmd_set_by_csi(csi);
		if (!cs)
			return NVME_SC_INVALID_FIELD | NVME_STATUS_DNR;
		break;
	default:
		return NVME_SC_INVALID_LOG_PAGE | NVME_STATUS_DNR;
	}
	if (off & 3 || off >= size || len > ((u64)SZ_4K << dev->cfg.mdts))
		return NVME_SC_INVALID_FIELD | NVME_STATUS_DNR;

	log = kzalloc(size, GFP_KERNEL);
	out = kzalloc(len, GFP_KERNEL);
	if (!log || !out) {
		status = NVME_SC_INTERNAL;
		goto out;
	}
	switch (lid) {
	case NVME_LOG_ERROR:
		/* Newest first; entries never used read as zeroes. */
		spin_lock(&dev->err_lock);
		for (i = 0; i < NVMEV_ERR_LOG_ENTRIES && i < dev->err_count; i++)
			memcpy(log + i * 64,
			       dev->err_log[(dev->err_count - 1 - i) %
					    NVMEV_ERR_LOG_ENTRIES], 64);
		spin_unlock(&dev->err_lock);
		break;
	case NVME_LOG_SMART:
		fill_smart(dev, (void *)log);
		if (!rae)
			dev->aen_masked &= ~BIT(NVME_AER_SMART);
		break;
	case NVMEV_LOG_LBA_STATUS:
		fill_lba_status_log(dev, log, size);
		break;
	case NVME_LOG_CHANGED_NS: {
		__le32 *list = (__le32 *)log;

		if (dev->changed_ns_overflow)
			list[0] = cpu_to_le32(0xffffffff);
		else
			for (i = 0; i < dev->nr_changed_ns; i++)
				list[i] = cpu_to_le32(dev->changed_ns[i]);
		if (!rae) {
			dev->nr_changed_ns = 0;
			dev->changed_ns_overflow = false;
			dev->aen_masked &= ~BIT(NVME_AER_NOTICE);
		}
		break;
	}
	case NVME_LOG_FW_SLOT: {
		struct nvme_fw_slot_info_log *fw = (void *)log;

		fw->afi = 1;
		memcpy(&fw->frs[0], "0.1     ", 8);
		break;
	}
	case NVME_LOG_CMD_EFFECTS:
		fill_effects(cs, (void *)log);
		break;
	}
	/* Bytes past the end of the log read as zeroes. */
	memcpy(out, log + off, min_t(u64, len, size - off));
	status = send_buf(c, out, len);
out:
	kfree(log);
	kfree(out);
	return status;
}

static bool io_qid_ok(struct nvmev_dev *dev, u16 qid, u32 granted)
{
	return qid >= 1 && qid <= min_t(u32, granted ? granted :
					dev->cfg.io_queues, NVMEV_MAX_QID);
}

static u16 admin_create_cq(struct admin_ctx *c)
{
	struct nvmev_dev *dev = c->dev;
	u16 qid = cdw(c->cmd, 10) & 0xffff;
	u32 qsize = (cdw(c->cmd, 10) >> 16) + 1;
	u16 flags = cdw(c->cmd, 11) & 0xffff, iv = cdw(c->cmd, 11) >> 16;
	u64 prp1 = le64_to_cpu(c->cmd->common.dptr.prp1);
	int ret;

	if (!io_qid_ok(dev, qid, dev->nr_io_cq_granted) || dev->cqs[qid])
		return NVME_SC_QID_INVALID | NVME_STATUS_DNR;
	if (qsize < 2 || qsize > NVMEV_MQES + 1)
		return NVME_SC_QUEUE_SIZE | NVME_STATUS_DNR;
	if (!(flags & NVME_QUEUE_PHYS_CONTIG))
		return NVME_SC_INVALID_FIELD | NVME_STATUS_DNR;
	if ((flags & NVME_CQ_IRQ_ENABLED) && iv > dev->cfg.io_queues)
		return NVME_SC_INVALID_VECTOR | NVME_STATUS_DNR;
	if (prp1 & ((1ULL << dev->page_shift) - 1))
		return NVME_SC_PRP_INVALID_OFFSET | NVME_STATUS_DNR;
	ret = nvmev_cq_create(dev, qid, prp1, qsize, iv,
			      flags & NVME_CQ_IRQ_ENABLED);
	if (ret == -EFAULT)	/* not memory the host may give a device */
		return NVME_SC_INVALID_FIELD | NVME_STATUS_DNR;
	if (ret)
		return NVME_SC_INTERNAL;
	return NVME_SC_SUCCESS;
}

static u16 admin_create_sq(struct admin_ctx *c)
{
	struct nvmev_dev *dev = c->dev;
	u16 qid = cdw(c->cmd, 10) & 0xffff;
	u32 qsize = (cdw(c->cmd, 10) >> 16) + 1;
	u16 flags = cdw(c->cmd, 11) & 0xffff, cqid = cdw(c->cmd, 11) >> 16;
	u64 prp1 = le64_to_cpu(c->cmd->common.dptr.prp1);
	int ret;

	if (!io_qid_ok(dev, qid, dev->nr_io_sq_granted) || dev->sqs[qid])
		return NVME_SC_QID_INVALID | NVME_STATUS_DNR;
	if (!cqid || cqid > NVMEV_MAX_QID || !dev->cqs[cqid])
		return NVME_SC_CQ_INVALID | NVME_STATUS_DNR;
	if (qsize < 2 || qsize > NVMEV_MQES + 1)
		return NVME_SC_QUEUE_SIZE | NVME_STATUS_DNR;
	if (!(flags & NVME_QUEUE_PHYS_CONTIG))
		return NVME_SC_INVALID_FIELD | NVME_STATUS_DNR;
	if (prp1 & ((1ULL << dev->page_shift) - 1))
		return NVME_SC_PRP_INVALID_OFFSET | NVME_STATUS_DNR;
	ret = nvmev_sq_create(dev, qid, prp1, qsize, cqid);
	if (ret == -EFAULT)	/* not memory the host may give a device */
		return NVME_SC_INVALID_FIELD | NVME_STATUS_DNR;
	if (ret)
		return NVME_SC_INTERNAL;
	return NVME_SC_SUCCESS;
}

static u16 admin_delete_sq(struct admin_ctx *c)
{
	u16 qid = cdw(c->cmd, 10) & 0xffff;

	if (!qid || qid > NVMEV_MAX_QID || !c->dev->sqs[qid])
		return NVME_SC_QID_INVALID | NVME_STATUS_DNR;
	nvmev_sq_delete(c->dev, qid, true);
	return NVME_SC_SUCCESS;
}

static u16 admin_delete_cq(struct admin_ctx *c)
{
	u16 qid = cdw(c->cmd, 10) & 0xffff;
	struct nvmev_cq *cq;

	if (!qid || qid > NVMEV_MAX_QID || !c->dev->cqs[qid])
		return NVME_SC_QID_INVALID | NVME_STATUS_DNR;
	cq = c->dev->cqs[qid];
	if (cq->nr_sqs)
		return NVME_SC_INVALID_QUEUE | NVME_STATUS_DNR;
	nvmev_cq_delete(c->dev, qid);
	return NVME_SC_SUCCESS;
}

/* Completion comes later, from the admin workqueue. */
#define NVMEV_ADMIN_ASYNC	0xfffe

struct admin_work {
	struct work_struct work;
	struct nvmev_dev *dev;
	u16 cid;
	u32 lba_shift;			/* Format: the new LBA size */
	int nr;
	struct nvmev_ns *ns[NVMEV_MAX_NS];
};

static struct admin_work *admin_work_alloc(struct admin_ctx *c,
					   work_func_t fn)
{
	struct admin_work *w = kzalloc(sizeof(*w), GFP_KERNEL);

	if (!w)
		return NULL;
	INIT_WORK(&w->work, fn);
	w->dev = c->dev;
	w->cid = c->cmd->common.command_id;
	return w;
}

/* Wait for the I/O of each namespace, erase it, make it live again. */
static void admin_erase_fn(struct work_struct *work)
{
	struct admin_work *w = container_of(work, struct admin_work, work);
	struct nvmev_ns *ns;
	int i;

	for (i = 0; i < w->nr; i++) {
		ns = w->ns[i];
		nvmev_ns_quiesce(ns);
		nvmev_store_erase_all(&ns->store);
		spin_lock(&ns->unc_lock);
		ns->unc.nr = 0;
		spin_unlock(&ns->unc_lock);
		if (w->lba_shift)
			ns->lba_shift = w->lba_shift;
		/*
		 * The model forgets every block too (an SSD's FTL unmaps,
		 * zones become empty).
		 */
		nvmev_vwc_commit(ns);
		if (ns->kind->format)
			ns->kind->format(ns);
		/* The dispatcher sees the new format before the namespace. */
		smp_store_release(&ns->state, NVMEV_NS_LIVE);
	}
	nvmev_admin_complete(w->dev, w->cid, NVME_SC_SUCCESS,
			     w->nr == 1 && !w->lba_shift ? w->ns[0]->nsid : 0);
	kfree(w);
}

static u16 admin_queue_erase(struct admin_ctx *c, struct admin_work *w)
{
	int i;

	for (i = 0; i < w->nr; i++)
		w->ns[i]->state = NVMEV_NS_BUSY;  /* new I/O: Namespace Not Ready */
	queue_work(c->dev->admin_wq, &w->work);
	return NVMEV_ADMIN_ASYNC;
}

/*
 * Format NVM.  The namespaces stop taking I/O at once (the host freezes
 * its queues for a Format anyway); the admin workqueue waits for the I/O
 * they hold, erases them and switches the LBA size, so no command checked
 * against the old size runs with the new one and the dispatcher never
 * erases.
 */
static u16 admin_format(struct admin_ctx *c)
{
	struct nvmev_dev *dev = c->dev;
	u32 cdw10 = cdw(c->cmd, 10);
	u32 nsid = le32_to_cpu(c->cmd->common.nsid);
	u32 lbaf = (cdw10 & 0xf) | ((cdw10 >> 12) & 0x3) << 4;
	u32 mset = (cdw10 >> 4) & 1, pi = (cdw10 >> 5) & 7;
	u32 ses = (cdw10 >> 9) & 7;
	struct admin_work *w;
	u32 i;

	if (nsid != NVME_NSID_ALL && !nvmev_ns_active(dev, nsid))
		return NVME_SC_INVALID_NS | NVME_STATUS_DNR;
	if (lbaf > 1 || mset || pi)
		return NVME_SC_INVALID_FORMAT | NVME_STATUS_DNR;
	if (ses > 1)
		return NVME_SC_INVALID_FIELD | NVME_STATUS_DNR;
	w = admin_work_alloc(c, admin_erase_fn);
	if (!w)
		return NVME_SC_INTERNAL;
	w->lba_shift = lbaf ? 12 : 9;
	for (i = 1; i <= NVMEV_MAX_NS; i++) {
		struct nvmev_ns *ns = nvmev_ns_active(dev, i);

		if (ns && (nsid == NVME_NSID_ALL || i == nsid))
			w->ns[w->nr++] = ns;
	}
	return admin_queue_erase(c, w);
}

/* Namespace Management: create (SEL 0) or delete (SEL 1). */
static u16 admin_ns_mgmt(struct admin_ctx *c)
{
	struct nvmev_dev *dev = c->dev;
	u32 sel = cdw(c->cmd, 10) & 0xf;
	u8 csi = cdw(c->cmd, 11) >> 24;
	u32 nsid = le32_to_cpu(c->cmd->common.nsid);
	const struct nvmev_kind *kind;
	struct nvmev_ns *ns = NULL;
	struct nvme_id_ns *id;
	struct admin_work *w;
	u64 nsze, ncap;
	u16 status;
	u32 i;

	if (sel == 1) {
		if (nsid != NVME_NSID_ALL && (!nsid_valid(nsid) || !dev->ns[nsid]))
			return NVME_SC_INVALID_NS | NVME_STATUS_DNR;
		for (i = 1; i <= NVMEV_MAX_NS; i++) {
			ns = dev->ns[i];
			if (!ns || (nsid != NVME_NSID_ALL && i != nsid))
				continue;
			if (ns->attached)
				ns_attr_changed(dev, i);
			nvmev_ns_delete(ns);
		}
		return NVME_SC_SUCCESS;
	}
	if (sel != 0)
		return NVME_SC_INVALID_FIELD | NVME_STATUS_DNR;

	kind = nvmev_kind_for_csi(dev, csi);
	if (!kind)
		return NVME_SC_INVALID_FIELD | NVME_STATUS_DNR;
	id = kzalloc(sizeof(*id), GFP_KERNEL);
	if (!id)
		return NVME_SC_INTERNAL;
	status = nvmev_xfer(dev, c->cmd, sizeof(*id), id, false);
	nsze = le64_to_cpu(id->nsze);
	ncap = le64_to_cpu(id->ncap);
	if (status)
		goto out;
	if ((id->flbas & 0xf) > 1 || id->flbas & 0x60) {
		status = NVME_SC_INVALID_FORMAT | NVME_STATUS_DNR;
	} else if (!nsze || ncap > nsze || id->dps || id->nmic) {
		status = NVME_SC_INVALID_FIELD | NVME_STATUS_DNR;
	} else if (ncap < nsze) {
		status = NVME_SC_THIN_PROV_NOT_SUPP | NVME_STATUS_DNR;
	} else {
		u32 shift = (id->flbas & 0xf) ? 12 : 9;

		/* A KV namespace's size is in bytes, whole 4 KiB pages. */
		if (kind->cs->nsze_bytes) {
			nsze = round_down(nsze, SZ_4K) >> 12;
			shift = 12;
		}
		if (!nsze)
			status = NVME_SC_INVALID_FIELD | NVME_STATUS_DNR;
		else if (nsze > (U64_MAX >> shift))
			status = NVME_SC_NS_INSUFFICIENT_CAP | NVME_STATUS_DNR;
		else
			ns = nvmev_ns_create(dev, &(struct nvmev_ns_spec) {
					.kind = kind, .capacity = nsze << shift,
					.lba_shift = shift, .kp = &dev->cfg.kp,
				}, &status);
	}
	if (status)
		goto out;
	c->result = ns->nsid;
	if (ns->state == NVMEV_NS_LIVE)
		goto out;
	/* memmap mode: its part of the reservation is erased first. */
	w = admin_work_alloc(c, admin_erase_fn);
	if (!w) {
		nvmev_ns_delete(ns);
		status = NVME_SC_INTERNAL;
		goto out;
	}
	w->ns[w->nr++] = ns;
	status = admin_queue_erase(c, w);
out:
	kfree(id);
	return status;
}

/* Namespace Attachment: attach (SEL 0) or detach (SEL 1) our controller. */
static u16 admin_ns_attach(struct admin_ctx *c)
{
	struct nvmev_dev *dev = c->dev;
	u32 sel = cdw(c->cmd, 10) & 0xf;
	u32 nsid = le32_to_cpu(c->cmd->common.nsid);
	struct nvmev_ns *ns;
	__le16 *list;
	u16 status;
	u32 i, n;

	if (nsid == NVME_NSID_ALL || sel > 1)
		return NVME_SC_INVALID_FIELD | NVME_STATUS_DNR;
	if (!nsid_valid(nsid) || !dev->ns[nsid])
		return NVME_SC_INVALID_NS | NVME_STATUS_DNR;
	ns = dev->ns[nsid];
	list = kzalloc(SZ_4K, GFP_KERNEL);
	if (!list)
		return NVME_SC_INTERNAL;
	status = nvmev_xfer(dev, c->cmd, SZ_4K, list, false);
	if (status)
		goto out;
	/* The list must name controllers of this subsystem: only ours. */
	n = le16_to_cpu(list[0]);
	for (i = 1; i <= n && i < SZ_4K / 2; i++)
		if (le16_to_cpu(list[i]) != NVMEV_CNTLID)
			break;
	if (!n || n > 2047 || i <= n) {
		status = NVME_SC_CTRL_LIST_INVALID | NVME_STATUS_DNR;
		goto out;
	}
	if (sel == 0 && ns->attached) {
		status = NVME_SC_NS_ALREADY_ATTACHED | NVME_STATUS_DNR;
	} else if (sel == 1 && !ns->attached) {
		status = NVME_SC_NS_NOT_ATTACHED | NVME_STATUS_DNR;
	} else {
		WRITE_ONCE(ns->attached, sel == 0);
		ns_attr_changed(dev, nsid);
	}
out:
	kfree(list);
	return status;
}

/*
 * Abort: commands finish within their modelled time, except those whose
 * completion fault injection holds back; such a one completes with
 * "Command Abort Requested" and DW0 bit 0 says it was aborted.
 */
static u16 admin_abort(struct admin_ctx *c)
{
	u32 cdw10 = nvmev_cdw(c->cmd, 10);
	u16 sqid = cdw10 & 0xffff, cid = cdw10 >> 16;

	c->result = sqid && nvmev_lost_abort(c->dev, sqid, cid) ? 0 : 1;
	return NVME_SC_SUCCESS;
}

/* Async Event Request: held until an event; NVMEV_AER_HELD means no CQE now. */
#define NVMEV_AER_HELD	0xffff

static u16 admin_async_event(struct admin_ctx *c)
{
	struct nvmev_dev *dev = c->dev;

	if (dev->nr_aer >= NVMEV_NR_AER)
		return NVME_SC_ASYNC_LIMIT | NVME_STATUS_DNR;
	dev->aer_cids[dev->nr_aer++] = c->cmd->common.command_id;
	if (dev->aen_pending) {
		u32 r = dev->aen_pending;

		dev->aen_pending = 0;
		nvmev_aen_queue(dev, r);
	}
	return NVMEV_AER_HELD;
}

static u16 (*const admin_handlers[])(struct admin_ctx *c) = {
	[nvme_admin_delete_sq]		= admin_delete_sq,
	[nvme_admin_create_sq]		= admin_create_sq,
	[nvme_admin_get_log_page]	= admin_get_log_page,
	[nvme_admin_delete_cq]		= admin_delete_cq,
	[nvme_admin_create_cq]		= admin_create_cq,
	[nvme_admin_identify]		= admin_identify,
	[nvme_admin_abort_cmd]		= admin_abort,
	[nvme_admin_set_features]	= admin_set_features,
	[nvme_admin_get_features]	= admin_get_features,
	[nvme_admin_async_event]	= admin_async_event,
	[nvme_admin_format_nvm]		= admin_format,
	[nvme_admin_ns_mgmt]		= admin_ns_mgmt,
	[nvme_admin_ns_attach]		= admin_ns_attach,
	[nvme_admin_get_lba_status]	= admin_get_lba_status,
};

/* Run one admin command and post its completion. */
void nvmev_admin_process(struct nvmev_dev *dev, struct nvmev_sq *sq,
			 const struct nvme_command *cmd, u16 sq_head)
{
	struct admin_ctx c = { .dev = dev, .cmd = cmd };
	u8 opc = cmd->common.opcode;
	u16 status = NVME_SC_INVALID_OPCODE | NVME_STATUS_DNR;

	/* No fused operations on the admin queue either. */
	if (cmd->common.flags & 0x3)
		status = NVME_SC_INVALID_FIELD | NVME_STATUS_DNR;
	else if (opc < ARRAY_SIZE(admin_handlers) && admin_handlers[opc])
		status = admin_handlers[opc](&c);
	if (status == NVMEV_AER_HELD || status == NVMEV_ADMIN_ASYNC)
		return;
	if (status)
		nvmev_error_log(dev, 0, cmd, status, 0);
	nvmev_admin_complete(dev, cmd->common.command_id, status, c.result);
}
