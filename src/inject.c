// SPDX-License-Identifier: GPL-2.0
/*
 * nvmev: fault injection on a namespace's I/O (the model is pure/fault.c).
 *
 * configfs (configfs.c) sets a namespace's faults and media error ranges,
 * also while I/O runs.  On the dispatcher, nvmev_fault_io() asks the model
 * about every command the command set has accepted: it may fail it with a
 * media or random error (Error Information log entry, SMART media errors
 * for media statuses), delay its completion (spike, stall), or mark it
 * lost, so that its completion is held back until the host aborts it or
 * resets the controller (dispatch.c keeps the lost commands).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/slab.h>
#include <linux/mm.h>

#include "nvmev.h"

int nvmev_fault_init(struct nvmev_ns *ns)
{
	ns->fault = kvzalloc(sizeof(*ns->fault), GFP_KERNEL);
	if (!ns->fault)
		return -ENOMEM;
	fault_init(ns->fault);
	spin_lock_init(&ns->fault_lock);
	ns->fault_on = false;
	return 0;
}

void nvmev_fault_exit(struct nvmev_ns *ns)
{
	kvfree(ns->fault);
	ns->fault = NULL;
}

/* The kind of command, as the model counts them. */
static enum fault_op fault_op_of(struct nvmev_ns *ns, u8 opcode)
{
	if (ns->kind == &nvmev_kv_kind)
		return opcode == nvme_cmd_read ? FAULT_READ :
		       opcode == nvme_cmd_write ? FAULT_WRITE :
		       opcode == nvme_cmd_flush ? FAULT_FLUSH : FAULT_OTHER;
	switch (opcode) {
	case nvme_cmd_read:
	case nvme_cmd_compare:
	case nvme_cmd_verify:
		return FAULT_READ;
	case nvme_cmd_write:
	case nvme_cmd_write_zeroes:
	case nvme_cmd_write_uncor:
	case nvme_cmd_zone_append:
		return FAULT_WRITE;
	case nvme_cmd_flush:
		return FAULT_FLUSH;
	default:
		return FAULT_OTHER;
	}
}

/*
 * Apply the namespace's faults to @io, which its command set accepted.
 * Returns the status to fail it with, or 0.  Runs on the dispatcher.
 */
u16 nvmev_fault_io(struct nvmev_ns *ns, struct nvmev_io *io, u64 now)
{
	enum fault_op op = fault_op_of(ns, io->cmd.common.opcode);
	struct fault_verdict v;
	u64 nlb = 0;

	/*
	 * Media ranges are LBAs: every read and write of the NVM and zoned
	 * sets names its blocks in CDW10-12 (Write Zeroes and Verify move no
	 * data); a key-value command covers none.
	 */
	if (ns->kind != &nvmev_kv_kind && (op == FAULT_READ || op == FAULT_WRITE))
		nlb = nvmev_cmd_nlb(&io->cmd);
	spin_lock(&ns->fault_lock);
	fault_decide(ns->fault, op, io->slba, nlb, now, &v);
	spin_unlock(&ns->fault_lock);
	if (v.status) {
		if (v.status == FAULT_SC_READ_ERROR ||
		    v.status == FAULT_SC_WRITE_FAULT)
			atomic64_inc(&ns->dev->stats.media_errors);
		/* A bad range stays bad: retrying will not help. */
		return v.media ? v.status | NVME_STATUS_DNR : v.status;
	}
	io->deadline += v.delay_ns;
	io->lost = v.lost;
	return 0;
}

static void fault_update_on(struct nvmev_ns *ns)
{
	WRITE_ONCE(ns->fault_on, fault_active(ns->fault));
}

/* Replace the namespace's fault settings ("key=value,..."). */
int nvmev_fault_set(struct nvmev_ns *ns, const char *s, const char **why)
{
	int ret;

	spin_lock(&ns->fault_lock);
	ret = fault_parse(ns->fault, s, why);
	fault_update_on(ns);
	spin_unlock(&ns->fault_lock);
	return ret;
}

/* One media range command on reads or writes ("+A-B", "-A-B", "clear"). */
int nvmev_fault_range(struct nvmev_ns *ns, enum fault_op op, const char *s,
		      const char **why)
{
	int ret;

	spin_lock(&ns->fault_lock);
	ns->fault->nr_lbas = ns->capacity >> ns->lba_shift;
	ret = fault_range_cmd(ns->fault, op, s, why);
	fault_update_on(ns);
	spin_unlock(&ns->fault_lock);
	return ret;
}

/* The media ranges of @op, one "FIRST-LAST" a line, into a page. */
ssize_t nvmev_fault_show_ranges(struct nvmev_ns *ns, enum fault_op op,
				char *page)
{
	const struct lba_ranges *r = &ns->fault->bad[op];
	ssize_t n = 0;
	u32 i;

	spin_lock(&ns->fault_lock);
	for (i = 0; i < r->nr && n < PAGE_SIZE - 48; i++)
		n += scnprintf(page + n, PAGE_SIZE - n, "%llu-%llu\n",
			       r->r[i].start, r->r[i].start + r->r[i].len - 1);
	spin_unlock(&ns->fault_lock);
	return n;
}

/* What the faults have done so far, "name value" a line. */
ssize_t nvmev_fault_show_stats(struct nvmev_ns *ns, char *page)
{
	static const char * const names[FAULT_NR_OPS] = {
		"read", "write", "flush", "other",
	};
	struct fault_stats st;
	ssize_t n = 0;
	int i;

	spin_lock(&ns->fault_lock);
	st = ns->fault->st;
	spin_unlock(&ns->fault_lock);
	for (i = 0; i < FAULT_NR_OPS; i++)
		n += scnprintf(page + n, PAGE_SIZE - n, "media_%s %llu\n",
			       names[i], st.media[i]);
	for (i = 0; i < FAULT_NR_OPS; i++)
		n += scnprintf(page + n, PAGE_SIZE - n, "random_%s %llu\n",
			       names[i], st.random[i]);
	n += scnprintf(page + n, PAGE_SIZE - n,
		       "spikes %llu\nstalled %llu\nlost %llu\n",
		       st.spikes, st.stalled, st.lost);
	return n;
}
