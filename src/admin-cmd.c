// SPDX-License-Identifier: GPL-2.0
/*
 * nvmev: the admin command set.
 *
 * Admin commands run on the dispatcher thread and complete at once.  Every
 * field is decoded from the command's dwords (cdw10..cdw15), so the code does
 * not depend on how a kernel version names them.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/slab.h>
#include <linux/ktime.h>
#include <linux/timekeeping.h>
#include <linux/delay.h>

#include "nvmev.h"

#define NVMEV_ERR_LOG_ENTRIES	64
#define NVMEV_TEMP_K		313	/* reported composite temperature */
#define NVMEV_WCTEMP_K		343
#define NVMEV_CCTEMP_K		358
#define NVMEV_AER_INFO_TEMP	0x01	/* SMART event: temperature threshold */

struct admin_ctx {
	struct nvmev_dev *dev;
	const struct nvme_command *cmd;
	u32 result;
};

static u32 cdw(const struct nvme_command *cmd, int n)
{
	const __le32 *d = (const __le32 *)cmd;

	return le32_to_cpu(d[n]);
}

static void pad_copy(char *dst, const char *src, size_t len)
{
	size_t n = strnlen(src, len);

	memcpy(dst, src, n);
	memset(dst + n, ' ', len - n);
}

/* Stable identifiers made from the instance number. */
void nvmev_identity_init(struct nvmev_dev *dev)
{
	u32 seed = 0x6e766d65 ^ (dev->cfg.instance * 0x9e3779b9);
	int i;

	for (i = 0; i < 16; i++) {
		seed = seed * 1103515245 + 12345;
		dev->uuid[i] = seed >> 16;
	}
	dev->uuid[6] = (dev->uuid[6] & 0x0f) | 0x40;	/* version 4 layout */
	dev->uuid[8] = (dev->uuid[8] & 0x3f) | 0x80;	/* RFC 4122 variant */
	memcpy(dev->nguid, dev->uuid, 16);
	dev->nguid[0] ^= 0xa5;
	dev->eui64[0] = 0x02;		/* locally administered */
	memcpy(dev->eui64 + 1, dev->uuid + 9, 7);
	snprintf(dev->serial, sizeof(dev->serial), "NVMEV%04d",
		 dev->cfg.instance);
	snprintf(dev->model_name, sizeof(dev->model_name), "nvmev NVM");
}

void nvmev_admin_reset(struct nvmev_dev *dev)
{
	dev->nr_aer = 0;
	dev->aen_pending = 0;
	dev->nr_io_sq_granted = 0;
	dev->nr_io_cq_granted = 0;
	dev->feat_arbitration = 0;
	dev->feat_power_mgmt = 0;
	dev->feat_temp_thresh[0] = NVMEV_WCTEMP_K;
	dev->feat_temp_thresh[1] = 0;
	dev->feat_err_recovery = 0;
	dev->feat_vwc = 1;
	dev->feat_irq_coalesce = 0;
	dev->feat_async_event = 0;
	dev->timestamp_set = false;
}

static void admin_complete(struct nvmev_dev *dev, u16 sq_head, u16 cid,
			   u16 status, u32 result)
{
	struct nvmev_cq *cq = dev->cqs[0];
	int tries;

	if (!cq)
		return;
	for (tries = 0; tries < 1000; tries++) {
		if (nvmev_cq_post(dev, cq, 0, sq_head, cid, status, result))
			break;
		udelay(1);
	}
	if (cq->irq_enabled)
		nvmev_raise_irq(dev, cq->vector);
}

/* Complete a held Async Event Request with @result, or keep it pending. */
void nvmev_aen_queue(struct nvmev_dev *dev, u32 result)
{
	if (!dev->nr_aer) {
		dev->aen_pending = result;
		return;
	}
	dev->nr_aer--;
	admin_complete(dev, dev->sqs[0] ? dev->sqs[0]->head : 0,
		       dev->aer_cids[dev->nr_aer], NVME_SC_SUCCESS, result);
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

static void fill_id_ctrl(struct nvmev_dev *dev, struct nvme_id_ctrl *id)
{
	id->vid = cpu_to_le16(NVMEV_VENDOR_ID);
	id->ssvid = cpu_to_le16(NVMEV_VENDOR_ID);
	pad_copy(id->sn, dev->serial, sizeof(id->sn));
	pad_copy(id->mn, dev->model_name, sizeof(id->mn));
	pad_copy(id->fr, NVMEV_FW_REV, sizeof(id->fr));
	id->rab = 6;
	id->ieee[0] = 0x02;
	id->mdts = dev->cfg.mdts;
	id->cntlid = cpu_to_le16(1);
	id->ver = cpu_to_le32(NVME_VS(2, 0, 0));
	id->rtd3r = cpu_to_le32(1000);
	id->rtd3e = cpu_to_le32(1000);
	id->cntrltype = 1;			/* I/O controller */
	id->oacs = cpu_to_le16(1 << 1);		/* Format NVM */
	id->acl = 3;
	id->aerl = NVMEV_NR_AER - 1;
	id->frmw = 0x3;				/* one slot, read-only */
	id->lpa = 0x6;				/* effects log, extended data */
	id->elpe = NVMEV_ERR_LOG_ENTRIES - 1;
	id->npss = 0;
	id->wctemp = cpu_to_le16(NVMEV_WCTEMP_K);
	id->cctemp = cpu_to_le16(NVMEV_CCTEMP_K);
	id->sqes = 0x66;
	id->cqes = 0x44;
	id->maxcmd = cpu_to_le16(NVMEV_MQES + 1);
	id->nn = cpu_to_le32(1);
	id->oncs = cpu_to_le16(NVME_CTRL_ONCS_COMPARE | NVME_CTRL_ONCS_DSM |
			       NVME_CTRL_ONCS_WRITE_ZEROES |
			       NVME_CTRL_ONCS_TIMESTAMP);
	id->vwc = NVME_CTRL_VWC_PRESENT;
	id->awun = 0;
	id->awupf = 0;
	id->sgls = 0;
	snprintf(id->subnqn, sizeof(id->subnqn),
		 "nqn.2014-08.org.nvmexpress:uuid:%pUb", dev->uuid);
	id->psd[0].max_power = cpu_to_le16(700);	/* 7 W, in 0.01 W */
	id->psd[0].entry_lat = cpu_to_le32(10);
	id->psd[0].exit_lat = cpu_to_le32(10);
}

static void fill_id_ns(struct nvmev_dev *dev, struct nvme_id_ns *id)
{
	u64 nlb = nvmev_nr_lbas(dev);

	id->nsze = cpu_to_le64(nlb);
	id->ncap = cpu_to_le64(nlb);
	id->nuse = cpu_to_le64(nlb);
	id->nsfeat = 0;
	id->nlbaf = 1;				/* two formats, 0's based */
	id->flbas = dev->cfg.lba_shift == 12 ? 1 : 0;
	id->dlfeat = 0x9;	/* deallocated reads zeroes; WZ may deallocate */
	id->lbaf[0].ds = 9;
	id->lbaf[1].ds = 12;
	memcpy(id->nguid, dev->nguid, sizeof(id->nguid));
	memcpy(id->eui64, dev->eui64, sizeof(id->eui64));
}

static u16 ns_desc_list(struct nvmev_dev *dev, u8 *buf)
{
	struct nvme_ns_id_desc *d;
	u8 *p = buf;

	d = (void *)p;
	d->nidt = NVME_NIDT_EUI64;
	d->nidl = NVME_NIDT_EUI64_LEN;
	memcpy(p + sizeof(*d), dev->eui64, 8);
	p += sizeof(*d) + 8;

	d = (void *)p;
	d->nidt = NVME_NIDT_NGUID;
	d->nidl = NVME_NIDT_NGUID_LEN;
	memcpy(p + sizeof(*d), dev->nguid, 16);
	p += sizeof(*d) + 16;

	d = (void *)p;
	d->nidt = NVME_NIDT_UUID;
	d->nidl = NVME_NIDT_UUID_LEN;
	memcpy(p + sizeof(*d), dev->uuid, 16);
	p += sizeof(*d) + 16;

	d = (void *)p;
	d->nidt = NVME_NIDT_CSI;
	d->nidl = NVME_NIDT_CSI_LEN;
	p[sizeof(*d)] = NVME_CSI_NVM;
	return 0;
}

static bool nsid_ok(u32 nsid)
{
	return nsid == 1;
}

static u16 admin_identify(struct admin_ctx *c)
{
	const struct nvme_command *cmd = c->cmd;
	struct nvmev_dev *dev = c->dev;
	u8 cns = cdw(cmd, 10) & 0xff;
	u8 csi = cdw(cmd, 11) >> 24;
	u32 nsid = le32_to_cpu(cmd->common.nsid);
	u16 status = NVME_SC_SUCCESS;
	void *buf;

	buf = kzalloc(NVME_IDENTIFY_DATA_SIZE, GFP_KERNEL);
	if (!buf)
		return NVME_SC_INTERNAL;

	switch (cns) {
	case NVME_ID_CNS_CTRL:
		fill_id_ctrl(dev, buf);
		break;
	case NVME_ID_CNS_NS:
		if (nsid == NVME_NSID_ALL || !nsid_ok(nsid))
			status = NVME_SC_INVALID_NS | NVME_STATUS_DNR;
		else
			fill_id_ns(dev, buf);
		break;
	case NVME_ID_CNS_NS_ACTIVE_LIST:
		if (nsid >= 0xfffffffe)
			status = NVME_SC_INVALID_NS | NVME_STATUS_DNR;
		else if (nsid < 1)
			*(__le32 *)buf = cpu_to_le32(1);
		break;
	case NVME_ID_CNS_NS_DESC_LIST:
		if (!nsid_ok(nsid))
			status = NVME_SC_INVALID_NS | NVME_STATUS_DNR;
		else
			status = ns_desc_list(dev, buf);
		break;
	case NVME_ID_CNS_CS_NS:
		if (!nsid_ok(nsid))
			status = NVME_SC_INVALID_NS | NVME_STATUS_DNR;
		else if (csi != NVME_CSI_NVM)
			status = NVME_SC_INVALID_FIELD | NVME_STATUS_DNR;
		break;	/* NVM command set specific: all zero */
	case NVME_ID_CNS_CS_CTRL:
		if (csi != NVME_CSI_NVM)
			status = NVME_SC_INVALID_FIELD | NVME_STATUS_DNR;
		break;	/* no extra limits beyond MDTS */
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

static u16 admin_get_features(struct admin_ctx *c)
{
	struct nvmev_dev *dev = c->dev;
	u32 cdw10 = cdw(c->cmd, 10), cdw11 = cdw(c->cmd, 11);
	u8 fid = cdw10 & 0xff, sel = (cdw10 >> 8) & 0x7;
	u32 *r = &c->result;

	if (sel == 3) {			/* supported capabilities */
		switch (fid) {
		case NVME_FEAT_ARBITRATION ... NVME_FEAT_ASYNC_EVENT:
		case NVME_FEAT_TIMESTAMP:
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
		*r = dev->feat_power_mgmt;
		break;
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

	switch (fid) {
	case NVME_FEAT_ARBITRATION:
		dev->feat_arbitration = cdw11;
		break;
	case NVME_FEAT_POWER_MGMT:
		if ((cdw11 & 0x1f) > 0)		/* only power state 0 */
			return NVME_SC_INVALID_FIELD | NVME_STATUS_DNR;
		dev->feat_power_mgmt = cdw11 & 0xff;
		break;
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

/* Store @val little-endian in a @len-byte field (SMART's 128-bit ones). */
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

static void fill_smart(struct nvmev_dev *dev, struct nvme_smart_log *s)
{
	struct nvmev_stats *st = &dev->stats;
	u64 secs = div_u64(ktime_get_ns() - dev->load_time_ns, NSEC_PER_SEC);
	u8 spare = 100;

	if (dev->store.kind == NVMEV_BACKING_RAM && dev->store.max_pages)
		spare = 100 - div64_u64(100 * atomic64_read(&dev->store.nr_pages),
					dev->store.max_pages);
	s->avail_spare = spare;
	s->spare_thresh = 10;
	s->critical_warning = temperature_warning(dev);
	if (spare < s->spare_thresh)
		s->critical_warning |= NVME_SMART_CRIT_SPARE;
	put_le(s->temperature, NVMEV_TEMP_K, 2);
	s->percent_used = 0;
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
	put128(s->num_err_log_entries, 0);
	s->temp_sensor[0] = cpu_to_le16(NVMEV_TEMP_K);
}

static void fill_effects(struct nvme_effects_log *e)
{
	u32 csupp = NVME_CMD_EFFECTS_CSUPP;
	u32 lbcc = csupp | NVME_CMD_EFFECTS_LBCC;

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
	e->acs[nvme_admin_format_nvm] = cpu_to_le32(lbcc |
						   NVME_CMD_EFFECTS_NCC);
	e->iocs[nvme_cmd_flush] = cpu_to_le32(csupp);
	e->iocs[nvme_cmd_write] = cpu_to_le32(lbcc);
	e->iocs[nvme_cmd_read] = cpu_to_le32(csupp);
	e->iocs[nvme_cmd_compare] = cpu_to_le32(csupp);
	e->iocs[nvme_cmd_write_zeroes] = cpu_to_le32(lbcc);
	e->iocs[nvme_cmd_dsm] = cpu_to_le32(lbcc);
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
	size_t size;
	u16 status;
	u8 *log, *out;

	switch (lid) {
	case NVME_LOG_ERROR:
		size = NVMEV_ERR_LOG_ENTRIES * 64;
		break;
	case NVME_LOG_SMART:
		size = sizeof(struct nvme_smart_log);
		if (nsid != 0 && nsid != NVME_NSID_ALL && !nsid_ok(nsid))
			return NVME_SC_INVALID_NS | NVME_STATUS_DNR;
		break;
	case NVME_LOG_FW_SLOT:
		size = sizeof(struct nvme_fw_slot_info_log);
		break;
	case NVME_LOG_CMD_EFFECTS:
		size = sizeof(struct nvme_effects_log);
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
	case NVME_LOG_SMART:
		fill_smart(dev, (void *)log);
		break;
	case NVME_LOG_FW_SLOT: {
		struct nvme_fw_slot_info_log *fw = (void *)log;

		fw->afi = 1;
		memcpy(&fw->frs[0], "0.1     ", 8);
		break;
	}
	case NVME_LOG_CMD_EFFECTS:
		fill_effects((void *)log);
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
	if (ret)
		return NVME_SC_DATA_XFER_ERROR;
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
	if (ret)
		return NVME_SC_DATA_XFER_ERROR;
	return NVME_SC_SUCCESS;
}

static u16 admin_delete_sq(struct admin_ctx *c)
{
	u16 qid = cdw(c->cmd, 10) & 0xffff;

	if (!qid || qid > NVMEV_MAX_QID || !c->dev->sqs[qid])
		return NVME_SC_QID_INVALID | NVME_STATUS_DNR;
	nvmev_sq_delete(c->dev, qid);
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

static u16 admin_format(struct admin_ctx *c)
{
	struct nvmev_dev *dev = c->dev;
	u32 cdw10 = cdw(c->cmd, 10);
	u32 nsid = le32_to_cpu(c->cmd->common.nsid);
	u32 lbaf = (cdw10 & 0xf) | ((cdw10 >> 12) & 0x3) << 4;
	u32 mset = (cdw10 >> 4) & 1, pi = (cdw10 >> 5) & 7;
	u32 ses = (cdw10 >> 9) & 7;

	if (nsid != NVME_NSID_ALL && !nsid_ok(nsid))
		return NVME_SC_INVALID_NS | NVME_STATUS_DNR;
	if (lbaf > 1 || mset || pi)
		return NVME_SC_INVALID_FORMAT | NVME_STATUS_DNR;
	if (ses > 1)
		return NVME_SC_INVALID_FIELD | NVME_STATUS_DNR;
	nvmev_store_erase_all(&dev->store);
	dev->cfg.lba_shift = lbaf ? 12 : 9;
	return NVME_SC_SUCCESS;
}

static u16 admin_abort(struct admin_ctx *c)
{
	/* Commands finish within their modelled time: report "not aborted". */
	c->result = 1;
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
};

/* Run one admin command and post its completion. */
void nvmev_admin_process(struct nvmev_dev *dev, struct nvmev_sq *sq,
			 const struct nvme_command *cmd, u16 sq_head)
{
	struct admin_ctx c = { .dev = dev, .cmd = cmd };
	u8 opc = cmd->common.opcode;
	u16 status = NVME_SC_INVALID_OPCODE | NVME_STATUS_DNR;

	if (opc < ARRAY_SIZE(admin_handlers) && admin_handlers[opc])
		status = admin_handlers[opc](&c);
	if (status != NVMEV_AER_HELD)
		admin_complete(dev, sq_head, cmd->common.command_id, status,
			       c.result);
}
