// SPDX-License-Identifier: GPL-2.0
/*
 * nvmev: the dispatcher and worker threads.
 *
 * The dispatcher watches the controller registers and the submission queue
 * doorbells.  A doorbell is a plain memory write, so the only way to see it
 * is to look:
 *
 *  - while commands are in flight, or for poll_idle_us after the last one,
 *    the dispatcher polls without sleeping, so a new command is picked up
 *    within a loop iteration;
 *  - after that, while the host runs APST (or has put the device in a
 *    non-operational power state), it looks once per the exit latency of
 *    the power state it is in: every 16 us in PS0-2, at most every 10 ms
 *    in PS3 and 90 ms in PS4 (pure/power.c), so the first command after a
 *    pause waits at most what the state advertises;
 *  - with APST off it sleeps between looks, each sleep an eighth of the
 *    time the device has been idle, up to sleep_max_us.  The first command
 *    after a pause of T therefore waits at most about min(T / 8,
 *    sleep_max_us) longer than under load, and an idle device settles at
 *    one look per sleep_max_us.
 *
 * Workers move the data of each I/O at once, then hold the completion until
 * the timing model's deadline: they sleep on an hrtimer when it is further
 * away than spin_ns and spin for the last stretch.  A worker with nothing
 * to do sleeps on its wait queue and costs nothing.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kthread.h>
#include <linux/cpuhotplug.h>
#include <linux/cpumask.h>
#include <linux/slab.h>
#include <linux/mm.h>
#include <linux/sched.h>
#include <linux/ktime.h>
#include <linux/hrtimer.h>
#include <linux/delay.h>
#include <linux/seq_file.h>

#include "nvmev.h"

#define SQ_BUDGET	64	/* commands taken from one SQ per round */
#define NVMEV_MIN_SLEEP_NS	(16 * NSEC_PER_USEC)

static int process_sq(struct nvmev_dev *dev, struct nvmev_sq *sq)
{
	u32 tail = nvmev_sq_tail(dev, sq);
	int n = 0;

	if (unlikely(tail >= sq->size)) {
		pr_err_ratelimited("%s: SQ %u doorbell %u beyond queue size %u, ignored\n",
				   dev->name, sq->qid, tail, sq->size);
		return 0;
	}
	/* The doorbell was written after the entries: read them after it. */
	dma_rmb();
	while (sq->head != tail && n < SQ_BUDGET) {
		struct nvme_command cmd = sq->ring[sq->head];

		sq->head = sq->head + 1 == sq->size ? 0 : sq->head + 1;
		if (sq->qid == 0)
			nvmev_admin_process(dev, sq, &cmd, sq->head);
		else
			nvmev_io_submit(dev, sq, &cmd);
		n++;
		/* An admin command may have torn down this very queue. */
		if (READ_ONCE(dev->sqs[sq->qid]) != sq)
			break;
	}
	return n;
}

#define TAKEN_ADMIN	BIT(0)
#define TAKEN_IO	BIT(1)

/* What this look took: TAKEN_ADMIN, TAKEN_IO. */
static int process_sqs(struct nvmev_dev *dev)
{
	int qid, taken = 0;

	for (qid = 0; qid <= NVMEV_MAX_QID && dev->ready; qid++) {
		struct nvmev_sq *sq = READ_ONCE(dev->sqs[qid]);

		if (sq && process_sq(dev, sq))
			taken |= qid ? TAKEN_IO : TAKEN_ADMIN;
	}
	return taken;
}

/*
 * Power states (pure/power.c).  The model is the dispatcher's: I/O wakes a
 * non-operational state and stops the idle time, the device's last
 * completion starts it again.  While the host runs APST, or has put the
 * device in a non-operational state, the dispatcher looks at the doorbells
 * at least once per the state's exit latency, and polls without pause in
 * an operational state, whose exit latency is 0.  Otherwise (APST off in
 * PS0-2) the idle backoff of poll_idle_us and sleep_max_us applies.
 */
static bool pwr_managed(struct nvmev_dev *dev)
{
	return dev->pwr.apste || dev->pwr.desc[dev->pwr.ps].nonop;
}

void nvmev_pwr_show(struct nvmev_dev *dev, struct seq_file *m)
{
	const struct pwr *p = &dev->pwr;
	u64 now = ktime_get_ns();
	u32 i;

	seq_printf(m, "power_state %u\n", READ_ONCE(p->ps));
	seq_printf(m, "apst_enabled %u\n", READ_ONCE(p->apste));
	seq_printf(m, "power_wakeups %llu\n", READ_ONCE(p->st.wakeups));
	for (i = 0; i < p->nr_states; i++) {
		u64 t = READ_ONCE(p->st.time_ns[i]);

		if (i == READ_ONCE(p->ps))
			t += now - READ_ONCE(p->entered);
		seq_printf(m, "ps%u_entries %llu\n", i,
			   READ_ONCE(p->st.entries[i]));
		seq_printf(m, "ps%u_time_ms %llu\n", i,
			   div_u64(t, NSEC_PER_MSEC));
	}
	/* Looks planned in each state, and how late they came. */
	for (i = 0; i < p->nr_states; i++) {
		u64 n = READ_ONCE(p->st.looks[i]);

		seq_printf(m, "ps%u_looks %llu\n", i, n);
		seq_printf(m, "ps%u_look_late_mean_ns %llu\n", i,
			   n ? div64_u64(READ_ONCE(p->st.look_late_ns[i]), n) : 0);
		seq_printf(m, "ps%u_look_late_max_ns %llu\n", i,
			   READ_ONCE(p->st.look_late_max_ns[i]));
	}
}

/*
 * One look at @dev: its registers, its admin backlog and its SQs.  Returns
 * how long the device lets its dispatcher sleep, 0 to look again at once.
 */
static u64 dispatch_dev(struct nvmev_dev *dev)
{
	bool busy;
	int taken = 0;
	u64 now, idle;

	/* Was this look on time for the state the last sleep was planned in? */
	if (dev->pwr.look_due)
		pwr_looked(&dev->pwr, ktime_get_ns());
	busy = nvmev_ctrl_poll_regs(dev);
	if (unlikely(!list_empty(&dev->admin_backlog))) {
		nvmev_admin_backlog(dev);
		busy = true;
	}
	if (dev->ready)
		taken = process_sqs(dev);
	busy |= taken;
	now = ktime_get_ns();
	if ((taken & TAKEN_IO) && !dev->pwr_busy) {
		pwr_cmd_start(&dev->pwr, true, now);
		dev->pwr_busy = true;
	}
	if (busy || atomic_read(&dev->inflight)) {
		dev->disp_last = now;
		return 0;
	}
	if (dev->pwr_busy) {
		pwr_cmd_done(&dev->pwr, now);
		dev->pwr_busy = false;
	}
	idle = now - dev->disp_last;
	/* After any command, admin ones too: poll for poll_idle_us. */
	if (idle < (u64)dev->cfg.poll_idle_us * NSEC_PER_USEC)
		return 0;
	if (pwr_managed(dev)) {
		u64 bound = pwr_tick(&dev->pwr, now);

		/* An operational state (exit latency 0): look every 16 us. */
		if (!bound)
			bound = NVMEV_MIN_SLEEP_NS;
		pwr_plan_look(&dev->pwr, now + bound);
		return bound;
	}
	/*
	 * Sleep an eighth of the time the device has been idle: the next
	 * command waits at most that long, and an idle device wakes less
	 * and less often, down to once per sleep_max_us.
	 */
	return clamp_t(u64, idle >> 3, NVMEV_MIN_SLEEP_NS,
		       (u64)dev->cfg.sleep_max_us * NSEC_PER_USEC);
}

static int nvmev_dispatcher_fn(void *arg)
{
	struct nvmev_disp *d = arg;

	while (!kthread_should_stop()) {
		u64 sleep = NSEC_PER_SEC;
		struct nvmev_dev *dev;
		ktime_t t;

		/* Each device on its own terms: the shortest sleep wins. */
		mutex_lock(&d->lock);
		list_for_each_entry(dev, &d->devs, disp_node)
			sleep = min(sleep, dispatch_dev(dev));
		mutex_unlock(&d->lock);
		if (!sleep) {
			cond_resched();
			cpu_relax();
			continue;
		}
		/* Wake by @sleep at the latest: the slack comes off it. */
		t = ns_to_ktime(sleep - sleep / 5);
		set_current_state(TASK_INTERRUPTIBLE);
		schedule_hrtimeout_range(&t, sleep / 5, HRTIMER_MODE_REL);
	}
	return 0;
}

void nvmev_worker_queue(struct nvmev_dev *dev, struct nvmev_io *io)
{
	struct nvmev_worker *w;

	w = &dev->workers[io->sq->qid % dev->cfg.nr_workers];
	spin_lock(&w->lock);
	list_add_tail(&io->node, &w->incoming);
	spin_unlock(&w->lock);
	wake_up(&w->wq);
}

static void io_release(struct nvmev_dev *dev, struct nvmev_io *io)
{
	struct nvmev_sq *sq = io->sq;

	if (io->ns && io->ns->ops->release)
		io->ns->ops->release(io->ns, io);
	if (io->ns)
		atomic_dec(&io->ns->inflight);
	kvfree(io->priv);	/* a command set's, if execute() never ran */
	kmem_cache_free(nvmev_io_cache, io);
	/* After this the queue may be freed by nvmev_sq_delete(). */
	atomic_dec(&sq->inflight);
	atomic_dec(&dev->inflight);
}

/* Insert by deadline; most arrive in order, so search from the tail. */
static void pending_insert(struct nvmev_worker *w, struct nvmev_io *io)
{
	struct nvmev_io *pos;

	list_for_each_entry_reverse(pos, &w->pending, node) {
		if (pos->deadline <= io->deadline) {
			list_add(&io->node, &pos->node);
			return;
		}
	}
	list_add(&io->node, &w->pending);
}

/*
 * Post the completion of @io.  The SQ head reported is the queue's head
 * now, not when the command was fetched: completions leave in deadline
 * order, so a fetch-time head could go backwards.
 */
static bool post_io(struct nvmev_dev *dev, struct nvmev_io *io, u16 status)
{
	struct nvmev_sq *sq = io->sq;

	return nvmev_cq_post(dev, sq->cq, sq->qid, READ_ONCE(sq->head),
			     io->cmd.common.command_id, status, io->result);
}

/*
 * A held command of a deleted SQ: completed as aborted when the host
 * deleted the queue (if its CQ has room), dropped on a controller reset.
 */
static void finish_deleted(struct nvmev_dev *dev, struct nvmev_io *io)
{
	struct nvmev_cq *cq = io->sq->cq;

	smp_rmb();	/* deleted, then abort_held (nvmev_sq_delete) */
	if (READ_ONCE(io->sq->abort_held) &&
	    post_io(dev, io, NVME_SC_ABORT_QUEUE)) {
		atomic64_inc(&dev->stats.aborted_sq_del);
		if (cq->irq_enabled)
			nvmev_raise_irq(dev, cq->vector);
	}
	io_release(dev, io);
}

static void drop_deleted(struct nvmev_dev *dev, struct nvmev_worker *w)
{
	struct nvmev_io *io, *tmp;

	list_for_each_entry_safe(io, tmp, &w->pending, node) {
		if (READ_ONCE(io->sq->deleted)) {
			list_del(&io->node);
			finish_deleted(dev, io);
		}
	}
}

/* How late against its model deadline a completion was posted. */
static void account_lateness(struct nvmev_dev *dev, u64 now, u64 deadline)
{
	u64 late = now - deadline;

	atomic64_inc(&dev->stats.posted);
	atomic64_add(late, &dev->stats.late_ns);
	if (late > READ_ONCE(dev->stats.late_max_ns))
		WRITE_ONCE(dev->stats.late_max_ns, late);
}

/*
 * A lost completion (fault injection) waits on dev->lost, off the
 * workers, until the host aborts the command (nvmev_lost_abort()) or
 * deletes its queue (nvmev_lost_requeue()).  It no longer keeps the
 * device busy: the dispatcher may idle meanwhile, as a drive would.
 */
static void lost_hold(struct nvmev_dev *dev, struct nvmev_io *io)
{
	spin_lock(&dev->lost_lock);
	list_add_tail(&io->node, &dev->lost);
	spin_unlock(&dev->lost_lock);
	atomic64_inc(&dev->stats.lost);
	atomic_dec(&dev->inflight);
}

/* Back to a worker, to be completed now (or dropped with its queue). */
static void lost_release(struct nvmev_dev *dev, struct nvmev_io *io)
{
	io->lost = false;
	io->deadline = ktime_get_ns();
	atomic_inc(&dev->inflight);
	nvmev_worker_queue(dev, io);
}

/*
 * Abort: a held command completes with "Command Abort Requested".
 * Returns false when no lost command has that SQ and command identifier.
 */
bool nvmev_lost_abort(struct nvmev_dev *dev, u16 sqid, u16 cid)
{
	struct nvmev_io *io, *found = NULL;

	spin_lock(&dev->lost_lock);
	list_for_each_entry(io, &dev->lost, node) {
		if (io->sq->qid == sqid && io->cmd.common.command_id == cid) {
			list_del(&io->node);
			found = io;
			break;
		}
	}
	spin_unlock(&dev->lost_lock);
	if (!found)
		return false;
	found->status = NVME_SC_ABORT_REQ;
	atomic64_inc(&dev->stats.aborted);
	lost_release(dev, found);
	return true;
}

/* @sq is being deleted: its lost commands go with it (finish_deleted()). */
void nvmev_lost_requeue(struct nvmev_dev *dev, struct nvmev_sq *sq)
{
	struct nvmev_io *io, *tmp;
	LIST_HEAD(mine);

	spin_lock(&dev->lost_lock);
	list_for_each_entry_safe(io, tmp, &dev->lost, node)
		if (io->sq == sq)
			list_move_tail(&io->node, &mine);
	spin_unlock(&dev->lost_lock);
	list_for_each_entry_safe(io, tmp, &mine, node) {
		list_del(&io->node);
		lost_release(dev, io);
	}
}

#define NVMEV_FATAL_RETRY_NS	NSEC_PER_MSEC
#define NVMEV_FULL_CQS		8	/* full CQs one pass skips past */
#define NVMEV_CQ_RETRY_NS	(50 * NSEC_PER_USEC)

static bool cq_listed(struct nvmev_cq **list, int n, struct nvmev_cq *cq)
{
	int i;

	for (i = 0; i < n; i++)
		if (list[i] == cq)
			return true;
	return false;
}

/*
 * Post every completion that is due.  Returns the next deadline, or 0 when
 * nothing is pending.  One interrupt per completion queue touched.  A
 * completion whose CQ is full stays pending, in order, until the host
 * makes room; the completions of other CQs go on meanwhile.
 */
static u64 complete_due(struct nvmev_dev *dev, struct nvmev_worker *w)
{
	struct nvmev_cq *full[NVMEV_FULL_CQS], *irq_cq = NULL;
	struct nvmev_io *io, *tmp;
	u64 now = ktime_get_ns(), next = 0;
	int nfull = 0;

	/* Controller Fatal Status: nothing completes until the reset. */
	if (unlikely(READ_ONCE(dev->fatal)))
		return list_empty(&w->pending) ? 0 : now + NVMEV_FATAL_RETRY_NS;

	list_for_each_entry_safe(io, tmp, &w->pending, node) {
		struct nvmev_sq *sq = io->sq;
		struct nvmev_cq *cq = sq->cq;

		if (io->deadline > now) {
			next = io->deadline;
			break;
		}
		if (READ_ONCE(sq->deleted)) {
			list_del(&io->node);
			finish_deleted(dev, io);
			continue;
		}
		if (unlikely(io->lost)) {
			list_del(&io->node);
			lost_hold(dev, io);
			continue;
		}
		if (cq_listed(full, nfull, cq))
			continue;
		if (!post_io(dev, io, io->status)) {
			if (!io->cq_waited) {
				io->cq_waited = true;
				atomic64_inc(&dev->stats.cq_full_waits);
			}
			if (nfull == NVMEV_FULL_CQS)
				break;
			full[nfull++] = cq;
			continue;
		}
		if (io->ns)
			account_lateness(dev, now, io->deadline);
		if (irq_cq && irq_cq != cq && irq_cq->irq_enabled)
			nvmev_raise_irq(dev, irq_cq->vector);
		irq_cq = cq;
		list_del(&io->node);
		io_release(dev, io);
	}
	if (irq_cq && irq_cq->irq_enabled)
		nvmev_raise_irq(dev, irq_cq->vector);
	if (nfull && (!next || next > now + NVMEV_CQ_RETRY_NS))
		next = now + NVMEV_CQ_RETRY_NS;
	return next;
}

/*
 * Execute @io on the dispatcher and post its completion at once.  Returns
 * false when it must still go to a worker: its deadline moved into the
 * future, or its CQ is full (the worker waits for room); @io is executed
 * by then and the worker only completes it.
 */
bool nvmev_io_complete_inline(struct nvmev_dev *dev, struct nvmev_io *io)
{
	struct nvmev_cq *cq = io->sq->cq;
	u64 now;

	nvmev_io_execute(dev, io);
	now = ktime_get_ns();
	if (io->deadline > now || !post_io(dev, io, io->status))
		return false;
	account_lateness(dev, now, io->deadline);
	atomic64_inc(&dev->stats.inline_done);
	if (cq->irq_enabled)
		nvmev_raise_irq(dev, cq->vector);
	io_release(dev, io);
	return true;
}

static bool worker_has_news(struct nvmev_worker *w, u32 seen)
{
	return !list_empty_careful(&w->incoming) || kthread_should_stop() ||
	       READ_ONCE(w->dev->sq_deletions) != seen;
}

/*
 * Sleep until @until (ktime ns) or until news arrives.  No timer slack: the
 * wake-up time is what the deadline accuracy is built on.
 */
static void worker_sleep_until(struct nvmev_worker *w, u32 seen, u64 until)
{
	ktime_t t = ns_to_ktime(until);
	DEFINE_WAIT(wait);

	prepare_to_wait(&w->wq, &wait, TASK_INTERRUPTIBLE);
	if (!worker_has_news(w, seen))
		schedule_hrtimeout_range_clock(&t, 0, HRTIMER_MODE_ABS,
					       CLOCK_MONOTONIC);
	finish_wait(&w->wq, &wait);
}

static int nvmev_worker_fn(void *arg)
{
	struct nvmev_worker *w = arg;
	struct nvmev_dev *dev = w->dev;
	u32 seen = READ_ONCE(dev->sq_deletions);
	struct nvmev_io *io, *tmp;

	while (!kthread_should_stop()) {
		LIST_HEAD(batch);
		u64 next, now;

		spin_lock(&w->lock);
		list_splice_tail_init(&w->incoming, &batch);
		spin_unlock(&w->lock);

		list_for_each_entry_safe(io, tmp, &batch, node) {
			list_del(&io->node);
			if (READ_ONCE(io->sq->deleted)) {
				finish_deleted(dev, io);
				continue;
			}
			nvmev_io_execute(dev, io);
			pending_insert(w, io);
		}
		if (READ_ONCE(dev->sq_deletions) != seen) {
			seen = READ_ONCE(dev->sq_deletions);
			drop_deleted(dev, w);
		}

		next = complete_due(dev, w);
		if (!next) {
			wait_event_interruptible(w->wq, worker_has_news(w, seen));
			continue;
		}
		now = ktime_get_ns();
		if (next > now + dev->cfg.spin_ns)
			worker_sleep_until(w, seen, next - dev->cfg.spin_ns);
		else
			cpu_relax();
		cond_resched();
	}

	/* Stopping: nothing may be left behind. */
	list_splice_tail_init(&w->incoming, &w->pending);
	list_for_each_entry_safe(io, tmp, &w->pending, node) {
		list_del(&io->node);
		io_release(dev, io);
	}
	return 0;
}

static struct task_struct *nvmev_start_thread(int (*fn)(void *), void *arg,
					int cpu, const char *name)
{
	struct task_struct *t;

	t = kthread_create(fn, arg, "%s", name);
	if (IS_ERR(t))
		return t;
	if (cpu >= 0)
		kthread_bind(t, cpu);
	wake_up_process(t);
	return t;
}

/*
 * CPU hotplug.  Threads pinned with kthread_bind() would be moved off a
 * dying CPU by the scheduler's last-resort fallback and stay unpinned.
 * Instead, move them ourselves to the other online CPUs before the CPU
 * goes, and pin them again when it comes back.
 */
static enum cpuhp_state nvmev_cpuhp_state = CPUHP_INVALID;

static void nvmev_repin(struct nvmev_dev *dev, unsigned int cpu, bool online)
{
	struct cpumask *others = NULL;
	int i;

	if (!online) {
		others = kmalloc(cpumask_size(), GFP_KERNEL);
		if (!others)
			return;	/* the scheduler's fallback moves them */
		cpumask_andnot(others, cpu_online_mask, cpumask_of(cpu));
	}
	for (i = -1; i < dev->cfg.nr_workers; i++) {
		struct task_struct *t = i < 0 ? dev->disp->task :
					dev->workers[i].task;
		int want = i < 0 ? dev->disp->cpu : dev->cfg.worker_cpu[i];

		if (!t || want != cpu)
			continue;
		if (online)
			set_cpus_allowed_ptr(t, cpumask_of(cpu));
		else
			set_cpus_allowed_ptr(t, others);
	}
	kfree(others);
}

static int nvmev_cpu_online(unsigned int cpu, struct hlist_node *node)
{
	nvmev_repin(hlist_entry(node, struct nvmev_dev, cpuhp_node), cpu, true);
	return 0;
}

static int nvmev_cpu_offline(unsigned int cpu, struct hlist_node *node)
{
	nvmev_repin(hlist_entry(node, struct nvmev_dev, cpuhp_node), cpu, false);
	return 0;
}

int nvmev_cpuhp_init(void)
{
	int ret = cpuhp_setup_state_multi(CPUHP_AP_ONLINE_DYN, "nvmev:online",
					  nvmev_cpu_online, nvmev_cpu_offline);

	if (ret < 0)
		return ret;
	nvmev_cpuhp_state = ret;
	return 0;
}

void nvmev_cpuhp_exit(void)
{
	if (nvmev_cpuhp_state != CPUHP_INVALID)
		cpuhp_remove_multi_state(nvmev_cpuhp_state);
	nvmev_cpuhp_state = CPUHP_INVALID;
}

/* The dispatchers; a shared one lives while a device uses it. */
static LIST_HEAD(nvmev_disps);
static DEFINE_MUTEX(nvmev_disps_lock);

static struct nvmev_disp *disp_find(const char *group)
{
	struct nvmev_disp *d;

	if (!*group)
		return NULL;
	list_for_each_entry(d, &nvmev_disps, node)
		if (!strcmp(d->group, group))
			return d;
	return NULL;
}

static struct nvmev_disp *disp_new(struct nvmev_dev *dev)
{
	const char *group = dev->cfg.dispatcher;
	struct nvmev_disp *d;
	char name[TASK_COMM_LEN];

	d = kzalloc(sizeof(*d), GFP_KERNEL);
	if (!d)
		return ERR_PTR(-ENOMEM);
	strscpy(d->group, group, sizeof(d->group));
	d->cpu = dev->cfg.dispatcher_cpu;
	mutex_init(&d->lock);
	INIT_LIST_HEAD(&d->devs);
	if (*group)
		snprintf(name, sizeof(name), "nvmev_%s", group);
	else
		strscpy(name, dev->name, sizeof(name));
	d->task = nvmev_start_thread(nvmev_dispatcher_fn, d, d->cpu, name);
	if (IS_ERR(d->task)) {
		int ret = PTR_ERR(d->task);

		kfree(d);
		return ERR_PTR(ret);
	}
	list_add_tail(&d->node, &nvmev_disps);
	return d;
}

/*
 * Hand @dev to its dispatcher: its own, or its group's (made by the first
 * device of the group).  A device of a group either leaves the dispatcher
 * CPU to the group or names the group's.
 */
static int disp_join(struct nvmev_dev *dev)
{
	struct nvmev_disp *d;
	int ret = 0;

	mutex_lock(&nvmev_disps_lock);
	d = disp_find(dev->cfg.dispatcher);
	if (d && dev->cfg.dispatcher_cpu >= 0 &&
	    dev->cfg.dispatcher_cpu != d->cpu) {
		if (d->cpu < 0)
			pr_err("%s: dispatcher %s is not pinned, but cpus= puts this device's dispatcher on CPU %d: leave cpus= empty\n",
			       dev->name, d->group, dev->cfg.dispatcher_cpu);
		else
			pr_err("%s: dispatcher %s runs on CPU %d, but cpus= puts this device's dispatcher on CPU %d: name CPU %d first, or leave cpus= empty\n",
			       dev->name, d->group, d->cpu,
			       dev->cfg.dispatcher_cpu, d->cpu);
		ret = -EINVAL;
		goto out;
	}
	if (!d)
		d = disp_new(dev);
	if (IS_ERR(d)) {
		ret = PTR_ERR(d);
		goto out;
	}
	dev->disp_last = ktime_get_ns();
	mutex_lock(&d->lock);
	list_add_tail(&dev->disp_node, &d->devs);
	d->nr_devs++;
	mutex_unlock(&d->lock);
	dev->disp = d;
	/* It may be in a long sleep: have it look at the new device now. */
	wake_up_process(d->task);
out:
	mutex_unlock(&nvmev_disps_lock);
	return ret;
}

/* After this the dispatcher never looks at @dev again. */
static void disp_leave(struct nvmev_dev *dev)
{
	struct nvmev_disp *d = dev->disp;
	bool last;

	mutex_lock(&nvmev_disps_lock);
	mutex_lock(&d->lock);
	list_del(&dev->disp_node);
	last = --d->nr_devs == 0;
	mutex_unlock(&d->lock);
	if (last) {
		list_del(&d->node);
		kthread_stop(d->task);
		kfree(d);
	}
	mutex_unlock(&nvmev_disps_lock);
	dev->disp = NULL;
}

int nvmev_threads_start(struct nvmev_dev *dev)
{
	int i, ret;

	for (i = 0; i < dev->cfg.nr_workers; i++) {
		struct nvmev_worker *w = &dev->workers[i];
		struct task_struct *t;
		char name[TASK_COMM_LEN];

		w->dev = dev;
		spin_lock_init(&w->lock);
		INIT_LIST_HEAD(&w->incoming);
		INIT_LIST_HEAD(&w->pending);
		init_waitqueue_head(&w->wq);
		snprintf(name, sizeof(name), "%s_w%d", dev->name, i);
		t = nvmev_start_thread(nvmev_worker_fn, w, dev->cfg.worker_cpu[i],
				 name);
		if (IS_ERR(t)) {
			nvmev_threads_stop(dev);
			return PTR_ERR(t);
		}
		w->task = t;
	}
	ret = disp_join(dev);
	if (ret) {
		nvmev_threads_stop(dev);
		return ret;
	}
	/*
	 * A CPU of cpus= may have gone offline since the parameters were
	 * checked; the scheduler has moved the thread then, and the online
	 * callback pins it when the CPU returns.
	 */
	if (!cpuhp_state_add_instance(nvmev_cpuhp_state, &dev->cpuhp_node))
		dev->cpuhp_added = true;
	return 0;
}

void nvmev_threads_stop(struct nvmev_dev *dev)
{
	int i;

	if (dev->cpuhp_added) {
		cpuhp_state_remove_instance_nocalls(nvmev_cpuhp_state,
						    &dev->cpuhp_node);
		dev->cpuhp_added = false;
	}
	if (dev->disp)
		disp_leave(dev);
	/* Queues go first, so that workers drop what they hold. */
	nvmev_ctrl_reset(dev);
	for (i = 0; i < dev->cfg.nr_workers; i++) {
		if (dev->workers[i].task) {
			kthread_stop(dev->workers[i].task);
			dev->workers[i].task = NULL;
		}
	}
}
