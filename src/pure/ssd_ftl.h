/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The conventional NAND SSD: a page-mapped FTL with a DRAM write buffer
 * and garbage collection, timed on the NAND array of nand.h.
 *
 * The FTL holds metadata and time only: the namespace's data stays in the
 * store, indexed by LBA, so the FTL never copies data.  Time is in ns on a
 * clock the caller supplies; no lock is taken, the caller serialises calls
 * on one struct ssd_ftl, and times passed in never go backwards.
 *
 * Layout.  The mapping unit is a 4 KiB logical page (LPN).  A line is a
 * superblock: block b of every plane of every die; lines are written, GC'd
 * and erased whole.  A line holds units_per_line program units, each the
 * pages one program of one die writes (planes * oneshot_pages flash
 * pages).  Unit u of a line lies on die u % nr_dies (channel-first
 * striping) at word line u / nr_dies, so consecutive units go to different
 * channels, then different dies.  Physical page numbers (PPN) count 4 KiB
 * pages: ppn = line * pages_per_line + unit * pages_per_unit + index.
 *
 * Writes.  The host data crosses the host link (host_mbs, one channel per
 * direction), then firmware takes fw_write_ns plus fw_write_4k_ns per
 * 4 KiB, then each page takes a 4 KiB slot of the write buffer and is
 * appended to the open program unit of the user write pointer.  A full
 * unit is programmed at the time its last page was buffered; its slots are
 * freed when the program ends.  A page that finds the buffer full waits
 * for the earliest program to end, so a write larger than the buffer still
 * completes (in pieces) and a buffer that NAND cannot drain fast enough
 * throttles the host.  With the volatile write cache on, a write completes
 * once all its pages are buffered; with FUA or the cache off, the open
 * unit is padded and programmed, and the write completes when every unit
 * holding its pages is programmed.  Flush pads and programs the open unit
 * and completes when every program that holds buffered data has ended.
 *
 * Reads.  Firmware takes fw_read_ns; pages mapped to the same flash page
 * are read with one sense; pages never written (or trimmed) and pages still
 * in an open unit (in DRAM) take no NAND time; then the data crosses the
 * host link.
 *
 * Garbage collection.  A victim is a full line: the one with the fewest
 * valid pages (greedy), or the best (1 - u) / 2u * age (cost-benefit).
 * GC works a victim one chunk at a time (a stripe: one program unit's
 * worth of pages per die): it reads the chunk's valid pages (one sense per
 * flash page, every die at once), appends them to the GC write pointer's
 * line, programmed unit by unit; after the last chunk every die erases its
 * block of the victim, which goes back to the free pool.  These
 * operations take die and channel time like host I/O.
 *  - Foreground: at or below gc_fg_lines free lines, or while a victim is
 *    under way, every host page written earns GC work at the time of its
 *    write: 2 * ppl / (ppl - vpc) pages of the victim examined per host
 *    page, twice the pace at which reclaiming keeps up with the host.  So
 *    GC runs alongside host writes, in bounded steps, and a host write
 *    waits for it through busy dies and a full write buffer.  Should the
 *    user write pointer need a line while only one is free (kept for the
 *    GC pointer), GC finishes victims first.
 *  - Background: when a command arrives while fewer than gc_bg_lines
 *    lines are free (or a victim is under way), GC works chunks in the
 *    idle time before it: each starts gc_bg_idle_ns after the array went
 *    idle, as long as that start is before the command's arrival (at most
 *    SSD_BG_GC_MAX chunks per command).  A chunk that started in idle
 *    time may still hold dies when the command arrives, as on a drive that
 *    is caught in the middle of its background GC.
 * The configuration check makes the user capacity fit in the lines minus
 * the free-line reserve, so a victim with an invalid page always exists
 * and GC can never run out of free lines, whatever the workload.
 *
 * Memory: 4 bytes per logical page (L2P) plus 4 bytes per physical page
 * (P2L), plus 24 bytes per line and 8 per flash page of one stripe,
 * allocated once with pure_zalloc().
 */
#ifndef NVMEV_PURE_SSD_FTL_H
#define NVMEV_PURE_SSD_FTL_H

#include "shim.h"
#include "nand.h"
#include "wbuf.h"

#define SSD_PAGE_BYTES		4096U
#define SSD_NONE		U32_MAX	/* unmapped LPN, invalid PPN, no line */
#define SSD_MAX_HOST_MBS	100000U
#define SSD_MAX_FW_NS		10000000ULL	/* 10 ms */
#define SSD_MIN_LINES		8
/* Each table stays below 2 GiB, the most one kvmalloc() may ask for. */
#define SSD_MAX_PPNS		(1U << 29)
#define SSD_BG_GC_MAX		64	/* background GC chunks per command */

enum ssd_gc_policy {
	SSD_GC_GREEDY = 0,	/* fewest valid pages */
	SSD_GC_COST_BENEFIT,	/* (1 - u) / 2u * age */
};

struct ssd_params {
	struct nand_params nand;	/* the flash array */
	u32 host_mbs;		/* host link (PCIe) per direction, MB/s; 0 = unlimited */
	u64 fw_read_ns;		/* firmware time of a read command */
	u64 fw_write_ns;	/* firmware time of a write command */
	u64 fw_write_4k_ns;	/* firmware time per 4 KiB written into the buffer */
	u64 wb_bytes;		/* write buffer size: >= 2 program units */
	bool write_cache;	/* volatile write cache: writes complete when buffered */
	u32 op_pct;		/* spare capacity, % of the user capacity (7 = 107/100) */
	u32 gc_fg_lines;	/* foreground GC at or below this many free lines, >= 2 */
	u32 gc_bg_lines;	/* background GC below this many free lines */
	u64 gc_bg_idle_ns;	/* idle time before background GC starts */
	u32 gc_policy;		/* enum ssd_gc_policy */
	u32 pe_cycles;		/* rated program/erase cycles of a block */
};

struct ssd_stats {
	u64 host_read_pages;	/* 4 KiB pages the host read */
	u64 host_write_pages;	/* 4 KiB pages the host wrote */
	u64 trim_pages;		/* mapped pages trimmed (deallocated) */
	u64 nand_read_pages;	/* 4 KiB pages read from NAND (host and GC) */
	u64 nand_write_pages;	/* 4 KiB pages programmed (host, GC, padding) */
	u64 gc_write_pages;	/* of which pages GC moved */
	u64 pad_pages;		/* of which padding (flush, FUA, cache off) */
	u64 gc_fg_lines;	/* lines reclaimed by foreground GC */
	u64 gc_bg_lines;	/* lines reclaimed by background GC */
	u64 wb_waits;		/* pages that waited for buffer room */
	u64 line_erases;	/* lines erased */
	u64 no_space;		/* pages left unmapped, no free line: a bug if not 0 */
};

struct ssd_line {
	u32 vpc;		/* valid pages */
	u32 erase_count;	/* erases of its blocks (they wear together) */
	u64 mtime;		/* last time a page was written or invalidated */
	u32 next;		/* free-pool link */
	u32 state;		/* SSD_LINE_* (ssd_ftl.c) */
};

struct ssd_wp {
	u32 line;		/* line being filled, or SSD_NONE */
	u32 unit;		/* open unit in the line */
	u32 idx;		/* pages already in the open unit */
	u64 ready;		/* when all pages of the open unit are at hand */
	u64 prog_end;		/* latest program end issued by this pointer */
};

struct ssd_ftl {
	struct ssd_params p;	/* configuration in force */
	struct nand_model nand;	/* the array's timing */
	u64 nr_lpns;		/* logical pages (user capacity / 4 KiB) */
	u32 nr_lines;		/* lines (= blocks per plane) */
	u32 nr_dies;
	u32 pages_per_unit;	/* 4 KiB pages of one program unit */
	u32 units_per_line;
	u32 pages_per_line;
	u32 pages_per_fpage;	/* 4 KiB pages of a flash page */
	u32 *l2p;		/* LPN -> PPN, SSD_NONE if unmapped */
	u32 *p2l;		/* PPN -> LPN, SSD_NONE if not valid */
	struct ssd_line *lines;
	u32 free_head, free_tail, free_count;	/* FIFO of free lines */
	struct ssd_wp user, gc;
	u64 host_rd_free;	/* host link, device to host */
	u64 host_wr_free;	/* host link, host to device */
	struct wbuf wb;		/* write buffer, a 4 KiB page a slot */
	u32 chunk_pages;	/* GC works a stripe at a time: a unit per die */
	u32 chunks_per_line;
	u32 gc_victim;		/* line being reclaimed, or SSD_NONE */
	u32 gc_pos;		/* its next page to examine */
	u32 gc_pace;		/* pages to examine per host page written */
	u64 gc_credit;		/* pages earned by host writes, not worked yet */
	u64 *gc_ready;		/* when each flash page of the chunk is read */
	struct ssd_stats stats;
};

/* Names of the built-in profiles, NULL-terminated. */
extern const char *const ssd_profile_names[];

/*
 * Copies the profile called name into *p and returns 0, or returns
 * -ENOENT.  blocks_per_plane is left to ssd_fit().
 */
int ssd_profile_get(const char *name, struct ssd_params *p);

/* Key i of the "key=value,..." syntax, or NULL past the last. */
const char *ssd_param_key(u32 i);

/*
 * Applies "key=value,key=value" settings (docs/ssd.md lists the keys:
 * times in us, sizes in KiB, gc_policy greedy or cost-benefit) over *p.
 * Returns 0, or -EINVAL with *why; *p may then be partly changed.
 */
int ssd_params_parse(struct ssd_params *p, const char *s, const char **why);

/*
 * The "key=value,key=value" syntax: calls set() on each non-empty item (up
 * to a comma, or a newline that ends the list) until one fails; returns 0,
 * or -EINVAL with *why from set().  Shared by the ssd= and zns= parsers.
 */
typedef int (*pure_kv_set_t)(void *ctx, const char *s, size_t len,
			     const char **why);
int pure_kv_parse(const char *s, pure_kv_set_t set, void *ctx,
		  const char **why);

/* Decimal digits s[0..len) into *v; false on anything else or overflow. */
bool pure_parse_u64(const char *s, size_t len, u64 *v);

/* One "key=value" of len bytes at s (no comma), as ssd_params_parse(). */
int ssd_param_set(struct ssd_params *p, const char *s, size_t len,
		  const char **why);

/*
 * Sizes the array for user_bytes (a multiple of 4 KiB): sets
 * nand.blocks_per_plane to the lines needed for the user capacity plus
 * op_pct spare, plus gc_fg_lines + 3 lines that hold no data in steady
 * state (the free-line reserve and the open lines), at least
 * SSD_MIN_LINES.  If that leaves fewer than 64 lines, pages_per_block is
 * halved (down to one program unit's worth) to get smaller lines, so that
 * small namespaces still GC in fine steps.  Returns 0 or -EINVAL with *why.
 */
int ssd_fit(struct ssd_params *p, u64 user_bytes, const char **why);

/*
 * Validates p for user_bytes: the NAND array (nand_params_check), host
 * bandwidth, firmware times, the buffer (>= 2 program units, <= 1 GiB),
 * GC thresholds (2 <= gc_fg_lines < gc_bg_lines unless gc_bg_lines is 0),
 * the policy, pe_cycles >= 1, at most 2^24 pages per line, fewer than
 * SSD_MAX_PPNS physical pages (2 TiB), and that the
 * user capacity fits: user pages <= (lines - gc_fg_lines - 3) * pages per
 * line.  Returns 0 or -EINVAL with *why set to a short static reason.
 */
int ssd_params_check(const struct ssd_params *p, u64 user_bytes,
		     const char **why);

/* Bytes ssd_init() allocates for p and user_bytes. */
u64 ssd_mem_bytes(const struct ssd_params *p, u64 user_bytes);

/*
 * Sets up an empty (all unmapped, all lines free) FTL for a checked p.
 * Returns 0 or -ENOMEM.  ssd_free() releases it.
 */
int ssd_init(struct ssd_ftl *s, const struct ssd_params *p, u64 user_bytes);
void ssd_free(struct ssd_ftl *s);

/*
 * Commands on logical pages [lpn, lpn + n) arriving at now; each returns
 * its completion time.  Pages past the capacity are the caller's to refuse.
 */
u64 ssd_read(struct ssd_ftl *s, u64 now, u64 lpn, u32 n);
u64 ssd_write(struct ssd_ftl *s, u64 now, u64 lpn, u32 n, bool fua);
u64 ssd_trim(struct ssd_ftl *s, u64 now, u64 lpn, u64 n);
u64 ssd_flush(struct ssd_ftl *s, u64 now);

/* Controller reset: array, host link and buffer idle; mapping kept. */
void ssd_reset_timing(struct ssd_ftl *s);

/* Lines in the free pool. */
u32 ssd_free_lines(const struct ssd_ftl *s);

/* Wear: mean and highest erase count of the lines, and SMART % used. */
void ssd_wear(const struct ssd_ftl *s, u64 *mean_x100, u32 *max);
u32 ssd_percent_used(const struct ssd_ftl *s);

/*
 * Full consistency check (for tests): L2P and P2L agree, every line's
 * valid count matches, the free pool holds exactly the free lines.
 * Returns 0 or -EIO with *why.
 */
int ssd_check_consistency(const struct ssd_ftl *s, const char **why);

#endif /* NVMEV_PURE_SSD_FTL_H */
