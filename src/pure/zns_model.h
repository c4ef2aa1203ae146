/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The ZNS kind's model: the zones of a zoned namespace (state machine,
 * write pointers, open and active resources) and their timing on the
 * NAND array of nand.h, with the write buffer of wbuf.h.
 *
 * Zones.  nr_zones zones of zone_lbas logical blocks each, all of type
 * Sequential Write Required, each writable up to cap_lbas (the zone
 * capacity, the same for every zone).  A zone's state is one of the ZS
 * values of the ZNS specification; the rules of section "Zone State
 * Machine" apply:
 *  - a write (Write, Write Zeroes, Zone Append) to an Empty or Closed zone
 *    opens it implicitly; it needs an active resource (Empty) and an open
 *    resource (both).  If every open resource is taken, the implicitly
 *    opened zone that was opened first is closed to free one; if none is
 *    implicitly opened, the write fails with Too Many Open Zones;
 *  - Open, Close, Finish, Reset and Offline (Zone Management Send) move
 *    zones as the specification's table says; any other transition fails
 *    with Invalid Zone State Transition.  Closing an open zone that holds
 *    no data makes it Empty again;
 *  - a zone whose write pointer reaches its capacity becomes Full and
 *    gives back its resources.
 * max_open and max_active are 0 for "no limit".
 *
 * Status values are the NVMe ones (SCT << 8 | SC) so the kernel glue
 * passes them through.
 *
 * Timing.  Zone z is striped over dies_per_zone dies, starting at die
 * (z * dies_per_zone) mod nr_dies: program unit u of the zone (the pages
 * one program of a die writes) goes to the zone's die u mod dies_per_zone.
 * A write crosses the host link, takes firmware time, then each 4 KiB page
 * takes a write-buffer slot and joins the zone's open unit; a full unit (or
 * the last of a zone's capacity) is programmed at once.  The write
 * completes when buffered, or (FUA, cache off) when its data is
 * programmed: the open unit's data is then programmed as it is, and stays
 * in the buffer to be programmed again with the rest of its unit.  A read
 * senses each flash page it touches that is programmed; data past the
 * write pointer or still in the open unit takes no flash time.  Reset
 * erases the zone's blocks on each of its dies (nothing if the zone holds
 * no data); Finish programs the open unit.  Zone management takes
 * fw_write_ns of firmware time besides.
 *
 * No lock is taken; the caller serialises calls on one struct zns_model.
 */
#ifndef NVMEV_PURE_ZNS_MODEL_H
#define NVMEV_PURE_ZNS_MODEL_H

#include "shim.h"
#include "nand.h"
#include "wbuf.h"
#include "ssd_ftl.h"

/* Zone states (ZS) and types (ZT) of the ZNS command set. */
enum zns_zone_state {
	ZNS_ZS_EMPTY	= 0x1,
	ZNS_ZS_IOPEN	= 0x2,	/* implicitly opened */
	ZNS_ZS_EOPEN	= 0x3,	/* explicitly opened */
	ZNS_ZS_CLOSED	= 0x4,
	ZNS_ZS_RONLY	= 0xd,
	ZNS_ZS_FULL	= 0xe,
	ZNS_ZS_OFFLINE	= 0xf,
};
#define ZNS_ZT_SWR		0x2	/* sequential write required */

/* Zone Send Actions (ZSA). */
enum zns_action {
	ZNS_ACT_CLOSE	= 0x1,
	ZNS_ACT_FINISH	= 0x2,
	ZNS_ACT_OPEN	= 0x3,
	ZNS_ACT_RESET	= 0x4,
	ZNS_ACT_OFFLINE	= 0x5,
};

/* Status values: SCT << 8 | SC, as in the NVMe specifications. */
#define ZNS_SC_OK			0x000
#define ZNS_SC_INVALID_FIELD		0x002
#define ZNS_SC_LBA_RANGE		0x080
#define ZNS_SC_BOUNDARY			0x1b8
#define ZNS_SC_FULL			0x1b9
#define ZNS_SC_READ_ONLY		0x1ba
#define ZNS_SC_OFFLINE			0x1bb
#define ZNS_SC_INVALID_WRITE		0x1bc
#define ZNS_SC_TOO_MANY_ACTIVE		0x1bd
#define ZNS_SC_TOO_MANY_OPEN		0x1be
#define ZNS_SC_INVALID_TRANSITION	0x1bf

#define ZNS_MAX_ZONES		(1U << 20)

struct zns_params {
	struct ssd_params flash;	/* array, host link, firmware, buffer */
	u64 zone_bytes;		/* zone size: a power of two, >= 1 MiB */
	u64 zcap_bytes;		/* zone capacity: 4 KiB multiple, <= zone_bytes */
	u32 max_open;		/* open resources, 0 = no limit */
	u32 max_active;		/* active resources, 0 = no limit */
	u32 zasl_bytes;		/* largest Zone Append: power of two >= 4 KiB */
	u32 dies_per_zone;	/* dies a zone is striped over */
};

struct zns_zone {
	u64 wp;			/* write pointer, an LBA */
	u64 data_end;		/* LBAs from the start below this hold data */
	u64 ready;		/* when the open unit's data is all at hand */
	u64 opened;		/* open order, for the implicit close */
	u32 resets;		/* erases of its blocks */
	u8 state;		/* enum zns_zone_state */
	u8 za;			/* zone attributes */
};

struct zns_stats {
	u64 host_write_pages;	/* 4 KiB pages written by the host */
	u64 appends;		/* Zone Append commands accepted */
	u64 host_read_pages;
	u64 nand_read_pages;	/* 4 KiB pages sensed */
	u64 program_units;	/* programs issued (incl. FUA and Finish) */
	u64 resets;		/* zones reset that held data */
	u64 finishes;
	u64 implicit_closes;	/* zones closed to free an open resource */
	u64 wb_waits;		/* pages that waited for buffer room */
};

struct zns_model {
	struct zns_params p;
	struct nand_model nand;
	struct wbuf wb;
	u32 lba_shift;
	u32 nr_zones;
	u64 zone_lbas;
	u64 cap_lbas;
	u32 nr_open, nr_active;
	u64 open_seq;
	u32 unit_bytes;		/* bytes of one program unit */
	u32 units_per_block;	/* program units in one block of a die */
	u32 erases_per_die;	/* blocks of a zone on each of its dies */
	u32 dies_per_zone;
	u64 host_rd_free, host_wr_free;
	struct zns_zone *zones;
	struct zns_stats stats;
};

/* One zone as Zone Management Receive reports it. */
struct zns_desc {
	u8 zt, zs, za;
	u64 zcap, zslba, wp;	/* in LBAs */
};

/* The ZN540-like defaults (zone settings and flash); see docs/zns.md. */
void zns_default_params(struct zns_params *p);

/* Key i of the zone keys of zns_params_parse(), or NULL past the last. */
const char *zns_param_key(u32 i);

/*
 * Applies "key=value,..." over *p: the zone keys (zone_mib, zcap_mib,
 * max_open, max_active, zasl_kib, dies_per_zone) and every key of
 * ssd_params_parse() for the flash.  0 or -EINVAL with *why.
 */
int zns_params_parse(struct zns_params *p, const char *s, const char **why);

/*
 * Validates p for a namespace of bytes with 1 << lba_shift byte blocks:
 * the flash (nand_params_check), host link, firmware times, buffer, zone
 * size a power of two from 1 MiB, capacity a multiple of 4 KiB up to the
 * zone size, bytes a whole number of zones (1..ZNS_MAX_ZONES), limits no
 * more than the zones, max_open <= max_active when both are set, ZASL a
 * power of two from 4 KiB, dies_per_zone 1..dies.  0 or -EINVAL, *why.
 */
int zns_params_check(const struct zns_params *p, u64 bytes, u32 lba_shift,
		     const char **why);

/* Bytes zns_init() allocates. */
u64 zns_mem_bytes(const struct zns_params *p, u64 bytes);

/* Every zone Empty.  0 or -ENOMEM; zns_free() releases. */
int zns_init(struct zns_model *m, const struct zns_params *p, u64 bytes,
	     u32 lba_shift);
void zns_free(struct zns_model *m);

/* Format NVM: every zone Empty, blocks of 1 << lba_shift bytes. */
void zns_format(struct zns_model *m, u32 lba_shift);

/* Controller reset: array, link and buffer idle; zones kept. */
void zns_reset_timing(struct zns_model *m);

/* The zone holding lba (lba must be in range). */
static inline u32 zns_zone_of(const struct zns_model *m, u64 lba)
{
	return (u32)(lba / m->zone_lbas);
}

static inline u64 zns_zslba(const struct zns_model *m, u32 zone)
{
	return (u64)zone * m->zone_lbas;
}

/*
 * A write of nlb blocks at slba (Write, Write Zeroes), or with append a
 * Zone Append to the zone that starts at slba.  Checks the command
 * against the zone, opens the zone if needed and moves its write pointer.
 * *lba gets where the data goes.  Returns a status; nothing changes on
 * failure.
 */
u16 zns_write(struct zns_model *m, u64 slba, u64 nlb, bool append, u64 *lba);

/*
 * Reads of [slba, slba + nlb): LBA Out of Range, Zone Boundary Error
 * across zones (reads across zone boundaries are not offered), Zone Is
 * Offline.
 */
u16 zns_read_check(const struct zns_model *m, u64 slba, u64 nlb);

/*
 * Bytes of [slba, slba + nlb) (in one zone) that hold data, from the
 * start; the rest reads as zeroes.
 */
u64 zns_data_bytes(const struct zns_model *m, u64 slba, u64 nlb);

/*
 * Zone Management Send: action on the zone starting at slba, or (all) on
 * every zone it applies to.  *done gets the completion time, *data_from
 * and *data_to the LBAs whose data a reset drops (nothing if equal; for
 * one zone only).  Returns a status; nothing changes on failure.
 */
u16 zns_manage(struct zns_model *m, u64 now, u64 slba, u8 action, bool all,
	       u64 *done, u64 *data_from, u64 *data_to);

/*
 * Zone Management Receive: descriptors of the zones from the one holding
 * slba on, those in state filter (0: all; 1..7 the ZRASF values), at
 * most max into out.  Returns how many zones match in all.
 */
u64 zns_report(const struct zns_model *m, u64 slba, u8 filter,
	       struct zns_desc *out, u32 max, u32 *filled);

/* Timing of a write placed at lba, after zns_write() accepted it. */
u64 zns_time_write(struct zns_model *m, u64 now, u64 lba, u64 nlb, bool fua);
u64 zns_time_read(struct zns_model *m, u64 now, u64 slba, u64 nlb);
u64 zns_time_flush(struct zns_model *m, u64 now);
/* Zone Management Receive of bytes. */
u64 zns_time_report(struct zns_model *m, u64 now, u64 bytes);

/* SMART Percentage Used: most erases of a zone against pe_cycles. */
u32 zns_percent_used(const struct zns_model *m);

/* Consistency (tests): resource counts match the zone states. */
int zns_check_consistency(const struct zns_model *m, const char **why);

#endif /* NVMEV_PURE_ZNS_MODEL_H */
