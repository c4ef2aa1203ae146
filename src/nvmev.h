/* SPDX-License-Identifier: GPL-2.0 */
/*
 * nvmev: a software-defined virtual NVMe controller.
 *
 * This header holds the structures shared by the kernel glue files:
 * the per-device configuration, the controller and its queues, and the
 * entry points each file offers to the others.  Pure logic (timing models,
 * PRP walking) lives in pure/ and knows nothing of these structures.
 */
#ifndef NVMEV_H
#define NVMEV_H

#include <linux/types.h>
#include <linux/nvme.h>
#include <linux/pci.h>
#include <linux/spinlock.h>
#include <linux/mutex.h>
#include <linux/xarray.h>
#include <linux/srcu.h>
#include <linux/wait.h>
#include <linux/list.h>
#include <linux/completion.h>

#include "pure/nvm_timing.h"
#include "pure/ssd_ftl.h"
#include "pure/zns_model.h"
#include "pure/kv_model.h"
#include "pure/lba_ranges.h"
#include "pure/fault.h"
#include "pure/power.h"

#define NVMEV_VENDOR_ID		0xcafe	/* not a registered vendor; private domain only */
#define NVMEV_DEVICE_ID		0x0001
#ifndef NVMEV_VERSION		/* -D from src/Kbuild, read from ../VERSION */
#define NVMEV_VERSION		"unknown"
#endif
#define NVMEV_FW_REV		"0.1"

/* BAR0 layout: registers, doorbells, MSI-X table and PBA. */
#define NVMEV_BAR_SIZE		0x4000
#define NVMEV_DB_OFFSET		0x1000
#define NVMEV_MSIX_TABLE	0x2000
#define NVMEV_MSIX_PBA		0x3000
/*
 * The first MiB of the reservation holds the BARs: one 16 KiB slot per
 * device, so up to 64 devices share one small reservation.  In memmap mode
 * the data of the load-time device follows.
 */
#define NVMEV_BAR_AREA		SZ_1M
#define NVMEV_MAX_DEVICES	(NVMEV_BAR_AREA / NVMEV_BAR_SIZE)
#define NVMEV_NAME_LEN		16	/* device names, with the NUL */

#define NVMEV_MAX_IO_QUEUES	64
#define NVMEV_MAX_QID		NVMEV_MAX_IO_QUEUES	/* qid 0 is admin */
#define NVMEV_MAX_VECTORS	(NVMEV_MAX_IO_QUEUES + 1)
#define NVMEV_MQES		1023	/* max queue entries, 0's based */
#define NVMEV_MAX_WORKERS	32
#define NVMEV_NR_AER		4	/* Async Event Request limit, 0's based + 1 */

#define NVMEV_MAX_NS		16	/* NN and MNAN: namespaces per controller */
#define NVMEV_CNTLID		1	/* our one controller */
#define NVMEV_ERR_LOG_ENTRIES	64
#define NVMEV_CHANGED_NS_MAX	1024	/* entries of the Changed Namespace List log */

/* Opcodes, CNS values and fields that older <linux/nvme.h> lack. */
#define NVMEV_CMD_COPY		0x19
#define NVMEV_CNS_IOCS		0x1c	/* Identify I/O Command Set data structure */
#define NVMEV_CNS_CS_NS_ACTIVE	0x07	/* active namespace list of a CSI */
#define NVMEV_CNS_CS_NS_ALLOC	0x1b	/* allocated namespace, CSI specific */
#define NVMEV_CNS_CS_NS_ALLOC_LIST 0x1a
#define NVMEV_ONCS_VERIFY	(1 << 7)
#define NVMEV_NSTAT_READY	(1 << 0)

/*
 * Limits of the NVM command set, advertised in Identify CNS 06h and
 * enforced: one DSM or Write Zeroes command never makes a worker touch more
 * than NVMEV_DEALLOC_MAX bytes of the store, so a discard of a whole large
 * namespace is split by the host and cannot stall a queue.
 */
#define NVMEV_DEALLOC_MAX	SZ_16M	/* DMSL, DMRSL and WZSL, in bytes */
#define NVMEV_UNC_MAX		SZ_16M	/* WUSL: Write Uncorrectable, bytes */
#define NVMEV_VERIFY_MAX	SZ_16M	/* VSL: Verify, bytes */

enum nvmev_backing {
	NVMEV_BACKING_RAM,	/* sparse pages from kernel memory */
	NVMEV_BACKING_MEMMAP,	/* the memmap= reservation itself */
};

/* One device's settings, fixed at creation. */
/* The settings of the kinds' models: a device's, or a namespace's own. */
struct nvmev_kind_params {
	struct ssd_params ssd;		/* SSD kind: profile and ssd= settings */
	struct zns_params zns;		/* ZNS kind: zns= settings */
	struct kv_params kv;		/* KV kind: kv= settings */
};

/* A namespace to make: by the device at attach, or by nvme create-ns. */
struct nvmev_ns_spec {
	u32 nsid;			/* 0: the lowest free */
	const struct nvmev_kind *kind;
	u64 capacity;			/* bytes */
	u32 lba_shift;			/* 9 or 12 */
	const struct nvmev_kind_params *kp;	/* copied into the namespace */
};

struct nvmev_config {
	u64 memmap_start;		/* physical start of the reservation */
	u64 memmap_size;		/* bytes reserved */
	enum nvmev_backing backing;	/* where data lives */
	u64 capacity;			/* namespace 1 size in bytes */
	u64 total_capacity;		/* TNVMCAP: namespaces are carved from it */
	u64 backing_max;		/* RAM mode: cap on backing memory, bytes */
	u32 lba_shift;			/* namespace 1: 9 or 12 */
	u32 mdts;			/* log2 of max transfer in 4 KiB pages */
	u32 io_queues;			/* I/O queue pairs offered */
	int dispatcher_cpu;		/* -1: not pinned */
	char dispatcher[NVMEV_NAME_LEN];	/* shared dispatcher; "": its own */
	int nr_workers;			/* worker threads */
	int worker_cpu[NVMEV_MAX_WORKERS]; /* -1: not pinned */
	u32 poll_idle_us;		/* busy-poll window after the last command */
	u32 sleep_max_us;		/* longest idle sleep of the dispatcher */
	u32 spin_ns;			/* workers spin, not sleep, this close to a deadline */
	struct nvm_timing timing;	/* NVM timing model of new namespaces */
	const struct nvmev_kind *kind;	/* kind of namespace 1 */
	struct nvmev_kind_params kp;	/* the kinds' settings */
	/*
	 * Namespaces of configfs directories, made at attach instead of
	 * namespace 1; read only while nvmev_dev_create() runs.
	 */
	const struct nvmev_ns_spec *ns_specs;
	int nr_ns_specs;
	bool memmap_keep;		/* memmap: keep the data of an earlier load */
	char name[NVMEV_NAME_LEN];	/* debugfs, threads, messages */
	u32 id_seed;			/* seeds the UUIDs, NGUIDs and EUI-64s */
	char serial[21];		/* Identify SN; the /dev/nvmev/ link name */
	char model[41];			/* Identify MN */
};

/* The memmap= reservation, shared by every device (main.c). */
struct nvmev_host {
	struct resource res;		/* the whole reservation */
	u64 bar_base;			/* first BAR slot */
	int nr_slots;			/* BAR slots in the first MiB */
	DECLARE_BITMAP(slots, NVMEV_MAX_DEVICES);	/* slots in use */
	struct mutex lock;		/* slots and the device list */
};

/*
 * A dispatcher thread (dispatch.c).  A device has one of its own, or shares
 * one with every device that names the same group (dispatcher=); the thread
 * then looks at each device's registers and doorbells in turn.
 */
struct nvmev_disp {
	struct list_head node;		/* all dispatchers */
	char group[NVMEV_NAME_LEN];	/* "": a device's own */
	int cpu;			/* -1: not pinned */
	struct task_struct *task;
	struct mutex lock;		/* devs; the thread holds it for a pass */
	struct list_head devs;		/* nvmev_dev.disp_node */
	int nr_devs;
};

struct nvmev_dev;
struct nvmev_ns;
struct nvmev_kind;
struct nvmev_kv;
struct seq_file;

/* A completion queue, in host memory. */
struct nvmev_cq {
	u16 qid;
	u16 size;			/* entries */
	u16 tail;			/* next slot we write */
	u16 head;			/* last head the host reported */
	u16 vector;			/* MSI-X vector */
	bool irq_enabled;
	bool phase;
	struct nvme_completion *ring;	/* mapped host memory */
	spinlock_t lock;		/* posting from several threads */
	int nr_sqs;			/* SQs bound to this CQ */
};

/* A submission queue, in host memory. */
struct nvmev_sq {
	u16 qid;
	u16 size;
	u16 head;			/* next entry we fetch */
	u16 cqid;
	struct nvme_command *ring;	/* mapped host memory */
	struct nvmev_cq *cq;
	atomic_t inflight;		/* commands held by workers */
	bool deleted;			/* workers stop holding its commands */
	bool abort_held;		/* ... and complete them as aborted (Delete SQ) */
};

/* One I/O on its way from the dispatcher through a worker to the CQ. */
struct nvmev_io {
	struct nvmev_sq *sq;
	struct nvmev_ns *ns;		/* NULL for a command refused at once */
	struct nvme_command cmd;
	u16 status;			/* NVMe status, without the phase bit */
	bool done;			/* executed, or refused: nothing to run */
	bool cq_waited;			/* found its CQ full at least once */
	bool lost;			/* fault: its completion is never posted */
	u64 result;			/* completion dwords 0 and 1 */
	u64 deadline;			/* ns, when the model says it completes */
	u64 slba;			/* first LBA, from the command */
	u64 offset;			/* byte offset in the store, fixed at submit */
	u64 bytes;			/* data bytes */
	u64 aux;			/* command set's own: ZNS, bytes of a read holding data */
	void *priv;			/* command set's own, freed by its execute() */
	struct list_head node;
};

struct nvmev_worker {
	struct nvmev_dev *dev;
	struct task_struct *task;
	spinlock_t lock;		/* protects incoming */
	struct list_head incoming;	/* from the dispatcher */
	struct list_head pending;	/* sorted by deadline, worker-private */
	wait_queue_head_t wq;
};

/* Counters for the SMART / health log and debugfs. */
struct nvmev_stats {
	atomic64_t units_read;		/* 512-byte units, counted in thousands by the log */
	atomic64_t units_written;
	atomic64_t host_reads;
	atomic64_t host_writes;
	atomic64_t media_errors;
	atomic64_t posted;		/* I/O completions posted */
	atomic64_t late_ns;		/* sum of (posted - deadline), incl. waits for CQ room */
	u64 late_max_ns;		/* worst single lateness */
	atomic64_t cq_full_waits;	/* completions that waited for CQ room */
	atomic64_t aborted_sq_del;	/* completed as "aborted due to SQ deletion" */
	atomic64_t inline_done;		/* completed by the dispatcher itself */
	atomic64_t lost;		/* fault: completions held back */
	atomic64_t aborted;		/* lost commands the host aborted */
};

/* The data store of one namespace. */
struct nvmev_store {
	enum nvmev_backing kind;
	u64 capacity;
	void *memmap;			/* memmap mode: this namespace's part */
	struct xarray pages;		/* RAM mode: page index -> struct page */
	atomic64_t *nr_pages;		/* RAM mode: pages of the whole device */
	u64 max_pages;			/* RAM mode: cap, whole device */
};

/*
 * An I/O command set: what a namespace kind does with its commands
 * (in the spirit of nvmet's req->execute).  The core looks up the
 * namespace, then calls parse() on the dispatcher, which checks the
 * command, fills io->slba/offset/bytes and returns the deadline through
 * io->deadline; execute() runs on a worker and moves the data.  Adding a
 * kind adds a file with one of these, never a test of the kind in the core.
 */
struct nvmev_cmd_set {
	const char *name;		/* the kind= name */
	u8 csi;				/* Command Set Identifier */
	u16 (*parse)(struct nvmev_ns *ns, struct nvmev_io *io, u64 now);
	void (*execute)(struct nvmev_ns *ns, struct nvmev_io *io);
	/*
	 * Identify: CNS 00h (common part filled by the core; NULL: the set has
	 * no NVM Identify Namespace), 05h and 06h.
	 */
	void (*id_ns)(struct nvmev_ns *ns, struct nvme_id_ns *id);
	u16 (*id_ns_cs)(struct nvmev_ns *ns, void *buf);
	u16 (*id_ctrl_cs)(struct nvmev_dev *dev, void *buf);
	/* I/O part of the Commands Supported and Effects log for this CSI. */
	void (*effects)(struct nvme_effects_log *e);
	/* ONCS bits this command set needs. */
	u16 oncs;
	/* Namespace Management: NSZE and NCAP count bytes, not blocks (KV). */
	bool nsze_bytes;
	/* Optional: every I/O of the set ends here, executed or not. */
	void (*release)(struct nvmev_ns *ns, struct nvmev_io *io);
	/* Optional: namespace-specific features of the set (Get/Set Features). */
	u16 (*get_feature)(struct nvmev_ns *ns, u8 fid, u32 *result);
	u16 (*set_feature)(struct nvmev_ns *ns, u8 fid, u32 cdw11);
};

/* Flags of nvmev_kind.time_rw(). */
#define NVMEV_T_WRITE		(1 << 0)	/* host to device */
#define NVMEV_T_FUA		(1 << 1)	/* complete on media */
#define NVMEV_T_NODATA		(1 << 2)	/* no data moves (Verify, Write Uncorrectable) */

/*
 * A device kind: the command set its namespaces speak and the timing model
 * behind them.  The NVM command set (io-cmd-nvm.c) serves the "nvm" kind
 * (Optane-like, pure/nvm_timing.c) and the "ssd" kind (NAND SSD, ssd.c,
 * pure/ssd_ftl.c); it asks the kind when each command completes.  Each
 * time_*() hook takes the namespace's model lock itself.
 */
struct nvmev_kind {
	const char *name;			/* kind= */
	const struct nvmev_cmd_set *cs;		/* the commands it serves */
	/* Can the kind model a namespace of @bytes?  Says why not (pr_err). */
	int (*check)(const struct nvmev_config *cfg,
		     const struct nvmev_kind_params *kp, u64 bytes,
		     const char *what);
	int (*init)(struct nvmev_ns *ns);	/* model set-up; may sleep */
	void (*exit)(struct nvmev_ns *ns);
	void (*reset)(struct nvmev_ns *ns);	/* controller reset: model idle */
	u64 (*time_rw)(struct nvmev_ns *ns, u64 now, u64 slba, u64 nlb,
		       u32 flags);
	u64 (*time_flush)(struct nvmev_ns *ns, u64 now);
	/* DSM deallocate and Write Zeroes: the blocks hold no data now. */
	u64 (*time_dealloc)(struct nvmev_ns *ns, u64 now, u64 slba, u64 nlb);
	/* Format NVM: the data is erased, lba_shift may be new. */
	void (*format)(struct nvmev_ns *ns);
	u8 (*percent_used)(struct nvmev_ns *ns);	/* SMART, 0..255 */
	void (*show)(struct nvmev_ns *ns, struct seq_file *m);	/* debugfs */
};

enum nvmev_ns_state {
	NVMEV_NS_LIVE,			/* takes I/O when attached */
	NVMEV_NS_BUSY,			/* format or delete running: I/O refused */
};

struct nvmev_ns {
	struct nvmev_dev *dev;
	u32 nsid;
	u32 generation;			/* makes the identifiers of a reused NSID new */
	const struct nvmev_kind *kind;
	const struct nvmev_cmd_set *ops;	/* kind->cs */
	u32 lba_shift;			/* LBA data size, log2 */
	u64 capacity;			/* bytes */
	u64 memmap_offset;		/* memmap mode: where its part starts */
	bool attached;			/* to our controller: NSID active */
	enum nvmev_ns_state state;
	atomic_t inflight;		/* I/Os of this namespace in workers */
	struct nvmev_store store;
	struct nvm_model model;		/* NVM kind timing */
	struct ssd_ftl *ssd;		/* SSD kind: FTL and NAND timing */
	struct zns_model *zns;		/* ZNS kind: zones and NAND timing */
	struct nvmev_kv *kv;		/* KV kind: index, log, timing (kv.c) */
	struct nvmev_kind_params kp;	/* its kind's settings */
	spinlock_t model_lock;		/* protects model, ssd and zns */
	/* LBAs marked by Write Uncorrectable: reads fail until rewritten. */
	spinlock_t unc_lock;
	struct lba_ranges unc;
	struct lba_range *unc_buf;
	/* Fault injection (configfs); fault_on lets I/O skip the lock. */
	spinlock_t fault_lock;
	struct fault *fault;
	bool fault_on;
	/* Volatile write cache: what unflushed writes overwrote (powercut.c). */
	spinlock_t vwc_lock;
	struct list_head vwc_log;
	u64 vwc_bytes;			/* bytes the log holds */
	u8 uuid[16];
	u8 nguid[16];
	u8 eui64[8];
};

struct nvmev_dev {
	struct nvmev_config cfg;
	struct list_head node;
	char name[NVMEV_NAME_LEN];	/* "nvmev0", or the configfs name */

	/* PCI side (pci.c) */
	int bar_slot;			/* of nvmev_host, -1: none */
	struct resource bar_window;	/* host bridge window == BAR0 */
	struct resource store_res;	/* memmap storage */
	struct pci_sysdata sysdata;
	struct notifier_block pci_nb;	/* claims BAR0 when the function is (re)scanned */
	struct pci_bus *bus;
	struct pci_dev *pdev;
	u8 cfg_space[PCI_CFG_SPACE_EXP_SIZE];
	u8 cfg_wmask[PCI_CFG_SPACE_EXP_SIZE];
	u64 bar_size_mask;
	spinlock_t cfg_lock;
	struct irq_domain *irq_domain;
	unsigned int vec_virq[NVMEV_MAX_VECTORS];
	struct srcu_struct irq_srcu;

	/* Controller (ctrl.c) */
	void __iomem *bar;		/* BAR0, as the host sees it */
	u32 cc;				/* last CC value acted on */
	bool ready;
	u32 page_shift;			/* CC.MPS + 12 */
	struct nvmev_sq *sqs[NVMEV_MAX_QID + 1];
	struct nvmev_cq *cqs[NVMEV_MAX_QID + 1];
	u32 nr_io_sq_granted;		/* from Set Features (Number of Queues) */
	u32 nr_io_cq_granted;
	struct list_head admin_backlog;	/* admin completions waiting for CQ room */

	/* Async events (admin-cmd.c) */
	u16 aer_cids[NVMEV_NR_AER];
	int nr_aer;
	u32 aen_pending;		/* results waiting for an AER */
	u32 aen_masked;			/* event types sent, log not read yet */

	/* Features and identity */
	u32 feat_arbitration;
	struct pwr pwr;			/* power state and APST (dispatcher only) */
	bool pwr_busy;			/* I/O in flight, as the power model knows */
	u32 feat_temp_thresh[2];	/* over, under */
	u32 feat_err_recovery;
	u32 feat_vwc;
	u32 feat_irq_coalesce;
	u32 feat_async_event;
	u64 timestamp_base;		/* host timestamp - ktime at set */
	bool timestamp_set;		/* the host has set the timestamp */
	u64 load_time_ns;
	u8 uuid[16];
	char serial[21];
	char model_name[41];

	/* Namespaces (ns.c).  Changed only on the dispatcher (admin path). */
	struct nvmev_ns *ns[NVMEV_MAX_NS + 1];	/* by NSID; [0] unused */
	u32 ns_generation;		/* namespaces ever created */
	const struct nvmev_kind *new_ns_kind;	/* of namespaces made by create-ns */
	atomic64_t backing_pages;	/* RAM mode: pages of all namespaces */
	u8 *memmap_base;		/* memmap mode: the mapped data area */
	u64 memmap_area;		/* its size */
	u32 changed_ns[NVMEV_MAX_NS];	/* Changed Namespace List log */
	int nr_changed_ns;
	bool changed_ns_overflow;
	struct workqueue_struct *admin_wq;	/* long admin work, off the dispatcher */
	struct mutex ns_lock;		/* held while a namespace is freed */
	spinlock_t admin_lock;		/* admin CQ posting and its backlog */

	/* Error Information log (io-cmd.c) */
	spinlock_t err_lock;
	u64 err_count;			/* errors ever logged */
	u8 err_log[NVMEV_ERR_LOG_ENTRIES][64];	/* ring, newest at err_count - 1 */

	struct nvmev_stats stats;
	spinlock_t lost_lock;		/* protects lost */
	struct list_head lost;		/* fault: I/Os whose completion is held back */
	bool fatal_req;			/* configfs asks for CSTS.CFS */
	bool fatal;			/* CSTS.CFS set, or power cut: nothing completes */
	u64 vwc_max;			/* volatile write cache bytes; 0: none */
	int cut_req;			/* configfs asks for a power cut: 1, 2 torn */
	struct completion cut_done;	/* the dispatcher has cut the power */
	bool gone;			/* power cut: off the bus, registers dead */

	struct dentry *debugfs;		/* /sys/kernel/debug/nvmev/<name> */

	/* Threads (dispatch.c) */
	struct nvmev_disp *disp;	/* the dispatcher looking at this device */
	struct list_head disp_node;	/* in disp->devs */
	u64 disp_last;			/* last time the device had work, ns */
	struct hlist_node cpuhp_node;	/* CPU hotplug: re-pin the threads */
	bool cpuhp_added;
	struct nvmev_worker workers[NVMEV_MAX_WORKERS];
	atomic_t inflight;		/* I/Os handed to workers, not yet completed */
	u32 sq_deletions;		/* bumped when an SQ goes: workers look */
};

/* main.c */
extern struct list_head nvmev_devices;
extern struct nvmev_host nvmev_host;
void nvmev_debugfs_add(struct nvmev_dev *dev);
void nvmev_debugfs_remove(struct nvmev_dev *dev);

/*
 * A device's settings as given, by module parameters or configfs: strings
 * as the user wrote them, checked and turned into a config by
 * nvmev_build_config().
 */
struct nvmev_params {
	const char *kind;		/* nvm, ssd, zns, kv */
	const char *backing;		/* ram, memmap, auto */
	const char *capacity;		/* namespace 1, e.g. 8G */
	const char *total_capacity;	/* TNVMCAP, RAM backing */
	const char *backing_max;	/* cap on backing memory */
	const char *cpus;		/* dispatcher, workers */
	const char *dispatcher;		/* shared dispatcher group */
	const char *profile;		/* SSD profile */
	const char *ssd;		/* ssd= key=value list */
	const char *zns;		/* zns= */
	const char *kv;			/* kv= */
	unsigned int lba_size;		/* 512 or 4096 */
	unsigned int mdts;		/* 1..10 */
	unsigned int io_queues;		/* 1..64 */
	unsigned int poll_idle_us;	/* dispatcher busy-poll window */
	unsigned int sleep_max_us;	/* dispatcher's longest sleep */
	unsigned int spin_ns;		/* workers spin this close */
	bool memmap_keep;		/* memmap: keep earlier data */
	/* Namespaces come from configfs directories: no namespace 1 check. */
	bool own_namespaces;
	const char *what;		/* names namespace 1 in messages */
};

int nvmev_build_config(const struct nvmev_params *p, struct nvmev_config *cfg);
int nvmev_parse_cpus(const char *cpus, struct nvmev_config *cfg);
bool nvmev_name_ok(const char *name);
int nvmev_dev_create(const struct nvmev_config *cfg, struct nvmev_dev **out);
void nvmev_dev_destroy(struct nvmev_dev *dev);

/* configfs.c: devices made at run time */
int nvmev_configfs_init(void);
void nvmev_configfs_exit(void);

/* dispatch.c: power states */
void nvmev_pwr_show(struct nvmev_dev *dev, struct seq_file *m);

/* pci.c */
int nvmev_pci_create(struct nvmev_dev *dev);
int nvmev_pci_add_bus(struct nvmev_dev *dev);
void nvmev_pci_remove_bus(struct nvmev_dev *dev);
void nvmev_pci_reset_cfg(struct nvmev_dev *dev);
void nvmev_pci_destroy(struct nvmev_dev *dev);
void nvmev_raise_irq(struct nvmev_dev *dev, u16 vector);

/* ctrl.c: registers and queues */
void nvmev_ctrl_init_regs(struct nvmev_dev *dev);
bool nvmev_ctrl_poll_regs(struct nvmev_dev *dev);
void nvmev_ctrl_reset(struct nvmev_dev *dev);
int nvmev_cq_create(struct nvmev_dev *dev, u16 qid, u64 dma, u16 size,
		    u16 vector, bool ien);
void nvmev_cq_delete(struct nvmev_dev *dev, u16 qid);
int nvmev_sq_create(struct nvmev_dev *dev, u16 qid, u64 dma, u16 size,
		    u16 cqid);
void nvmev_sq_delete(struct nvmev_dev *dev, u16 qid, bool abort_held);
bool nvmev_cq_post(struct nvmev_dev *dev, struct nvmev_cq *cq, u16 sqid,
		   u16 sq_head, u16 cid, u16 status, u64 result);
u16 nvmev_sq_tail(struct nvmev_dev *dev, struct nvmev_sq *sq);
void nvmev_cq_update_head(struct nvmev_dev *dev, struct nvmev_cq *cq);
bool nvmev_host_range_ok(struct nvmev_dev *dev, u64 addr, u64 len);

/* xfer.c: moving data between host memory and buffers */
u16 nvmev_xfer(struct nvmev_dev *dev, const struct nvme_command *cmd,
	       u64 len, void *buf, bool to_host);
u16 nvmev_xfer_store(struct nvmev_ns *ns, const struct nvme_command *cmd,
		     u64 offset, u64 len, bool to_host);
u16 nvmev_read_store(struct nvmev_ns *ns, const struct nvme_command *cmd,
		     u64 offset, u64 len, u64 valid);
u16 nvmev_compare_store(struct nvmev_ns *ns, const struct nvme_command *cmd,
			u64 offset, u64 len);

/* store.c */
int nvmev_memmap_init(struct nvmev_dev *dev);
void nvmev_memmap_exit(struct nvmev_dev *dev);
int nvmev_store_init(struct nvmev_ns *ns);
void nvmev_store_exit(struct nvmev_ns *ns);
/* Map the bytes at offset for access; *len is cut to what is contiguous. */
void *nvmev_store_map(struct nvmev_store *st, u64 offset, u64 *len,
		      bool alloc, u16 *status);
void nvmev_store_unmap(struct nvmev_store *st, void *addr);
void nvmev_store_zero(struct nvmev_store *st, u64 offset, u64 len);
void nvmev_store_drop_page(struct nvmev_store *st, u64 offset);
void nvmev_store_erase_all(struct nvmev_store *st);
u16 nvmev_store_copy(struct nvmev_store *st, u64 dst, u64 src, u64 len);

/* ns.c: the namespace table and namespace management */
extern const struct nvmev_cmd_set nvmev_nvm_cmd_set;
extern const struct nvmev_kind nvmev_nvm_kind;	/* io-cmd-nvm.c */
extern const struct nvmev_kind nvmev_ssd_kind;	/* ssd.c */
extern const struct nvmev_cmd_set nvmev_zns_cmd_set;
extern const struct nvmev_kind nvmev_zns_kind;	/* zns.c */
extern const struct nvmev_cmd_set nvmev_kv_cmd_set;
extern const struct nvmev_kind nvmev_kv_kind;	/* kv.c */
extern const struct nvmev_cmd_set *const nvmev_cmd_sets[];
extern const int nvmev_nr_cmd_sets;
extern const struct nvmev_kind *const nvmev_kinds[];
#define NVMEV_KIND_NAMES	"nvm, ssd, zns, kv"	/* for messages */
extern const int nvmev_nr_kinds;
const struct nvmev_cmd_set *nvmev_cmd_set_by_csi(u8 csi);
const struct nvmev_kind *nvmev_kind_by_name(const char *name);
const struct nvmev_kind *nvmev_kind_for_csi(struct nvmev_dev *dev, u8 csi);
int nvmev_kind_mem_check(const char *what, u64 bytes, u64 mem,
			 const char *tables);
struct nvmev_ns *nvmev_ns_create(struct nvmev_dev *dev,
				 const struct nvmev_ns_spec *spec, u16 *status);
void nvmev_ns_delete(struct nvmev_ns *ns);
void nvmev_ns_delete_all(struct nvmev_dev *dev);
u64 nvmev_ns_unallocated(struct nvmev_dev *dev);
void nvmev_ns_changed(struct nvmev_dev *dev, u32 nsid);
void nvmev_make_uuid(u8 *uuid, u32 seed);
void nvmev_ns_quiesce(struct nvmev_ns *ns);
void nvmev_ns_reset_timing(struct nvmev_dev *dev);
bool nvmev_ns_unc_overlaps(struct nvmev_ns *ns, u64 slba, u64 nlb);
int nvmev_ns_unc_update(struct nvmev_ns *ns, u64 slba, u64 nlb, bool mark);

/* Active namespace: allocated and attached to our controller. */
static inline struct nvmev_ns *nvmev_ns_active(struct nvmev_dev *dev,
					       u32 nsid)
{
	struct nvmev_ns *ns;

	if (!nsid || nsid > NVMEV_MAX_NS)
		return NULL;
	ns = READ_ONCE(dev->ns[nsid]);
	return ns && ns->attached ? ns : NULL;
}

/* admin-cmd.c */
void nvmev_admin_process(struct nvmev_dev *dev, struct nvmev_sq *sq,
			 const struct nvme_command *cmd, u16 sq_head);
void nvmev_admin_complete(struct nvmev_dev *dev, u16 cid, u16 status,
			  u64 result);
void nvmev_admin_backlog(struct nvmev_dev *dev);
void nvmev_aen_queue(struct nvmev_dev *dev, u32 result);
void nvmev_admin_reset(struct nvmev_dev *dev);
void nvmev_identity_init(struct nvmev_dev *dev);

/* io-cmd.c: the command-set independent I/O path */
extern struct kmem_cache *nvmev_io_cache;
void nvmev_io_submit(struct nvmev_dev *dev, struct nvmev_sq *sq,
		     const struct nvme_command *cmd);
void nvmev_io_execute(struct nvmev_dev *dev, struct nvmev_io *io);
void nvmev_error_log(struct nvmev_dev *dev, u16 sqid,
		     const struct nvme_command *cmd, u16 status, u64 lba);

/* inject.c: fault injection on a namespace's I/O */
int nvmev_fault_init(struct nvmev_ns *ns);
void nvmev_fault_exit(struct nvmev_ns *ns);
u16 nvmev_fault_io(struct nvmev_ns *ns, struct nvmev_io *io, u64 now);
int nvmev_fault_set(struct nvmev_ns *ns, const char *s, const char **why);
int nvmev_fault_range(struct nvmev_ns *ns, enum fault_op op, const char *s,
		      const char **why);
ssize_t nvmev_fault_show_ranges(struct nvmev_ns *ns, enum fault_op op,
				char *page);
ssize_t nvmev_fault_show_stats(struct nvmev_ns *ns, char *page);

/* powercut.c: the volatile write cache and power cuts */
void nvmev_vwc_init(struct nvmev_ns *ns);
void nvmev_vwc_commit(struct nvmev_ns *ns);
void nvmev_vwc_commit_all(struct nvmev_dev *dev);
void nvmev_vwc_write(struct nvmev_ns *ns, u64 offset, u64 len, bool fua);
u64 nvmev_vwc_cut(struct nvmev_ns *ns, bool torn);
#define NVMEV_CUT_TIMEOUT_S	30
void nvmev_power_cut_now(struct nvmev_dev *dev);
int nvmev_power_cut(struct nvmev_dev *dev, bool torn);
int nvmev_power_restore(struct nvmev_dev *dev);

/* dispatch.c */
int nvmev_cpuhp_init(void);
void nvmev_cpuhp_exit(void);
int nvmev_threads_start(struct nvmev_dev *dev);
void nvmev_threads_stop(struct nvmev_dev *dev);
void nvmev_worker_queue(struct nvmev_dev *dev, struct nvmev_io *io);
bool nvmev_io_complete_inline(struct nvmev_dev *dev, struct nvmev_io *io);
bool nvmev_lost_abort(struct nvmev_dev *dev, u16 sqid, u16 cid);
void nvmev_lost_requeue(struct nvmev_dev *dev, struct nvmev_sq *sq);

/* Command dwords, whatever a kernel version calls them. */
static inline u32 nvmev_cdw(const struct nvme_command *cmd, int n)
{
	return le32_to_cpu(((const __le32 *)cmd)[n]);
}

/* Starting LBA and number of blocks of an LBA-addressed I/O command. */
static inline u64 nvmev_cmd_slba(const struct nvme_command *cmd)
{
	return nvmev_cdw(cmd, 10) | (u64)nvmev_cdw(cmd, 11) << 32;
}

static inline u32 nvmev_cmd_nlb(const struct nvme_command *cmd)
{
	return (nvmev_cdw(cmd, 12) & 0xffff) + 1;
}

static inline u32 nvmev_lba_size(struct nvmev_ns *ns)
{
	return 1U << ns->lba_shift;
}

static inline u64 nvmev_nr_lbas(struct nvmev_ns *ns)
{
	return ns->capacity >> ns->lba_shift;
}

static inline bool nvmev_lba_range_ok(struct nvmev_ns *ns, u64 slba, u64 nlb)
{
	u64 n = nvmev_nr_lbas(ns);

	return slba < n && nlb <= n - slba;
}

#endif /* NVMEV_H */
