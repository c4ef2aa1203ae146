/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The KV kind's model: a key-value store laid out as a log in the
 * namespace's store, with an ordered index in memory and its timing on the
 * conventional SSD model of ssd_ftl.h.
 *
 * Keys are 1..KV_KEY_MAX bytes, ordered byte by byte, a key before every
 * longer key it begins.  Each stored value is one record in the store: a
 * KV_HDR_BYTES header (key, value size, sequence number, the epoch of its
 * segment, a checksum that covers the header and the record's offset),
 * then the value, the whole rounded up to KV_ALIGN bytes.  The index (an
 * AVL tree) holds, for every live key, the offset and value size of its
 * record: KV_NODE_BYTES of memory per key, carved from chunks of
 * KV_CHUNK_NODES nodes as keys arrive and reused after deletes, so the
 * index never takes more than max_keys nodes' worth plus one chunk.
 *
 * The log.  The store is cut in segments of seg_bytes.  Records are
 * appended at the head segment; a record never spans two segments, so
 * the head moves to a free segment when the next record does not fit.
 * An overwrite appends a new record and marks the old one dead; a delete
 * marks it dead (one header word in the store).  Each segment counts the
 * bytes of its live records.  When fewer than KV_SEG_RESERVE segments are
 * free, garbage collection takes the closed segment with the fewest live
 * bytes (greedy; segments an I/O in flight still reads or writes are
 * skipped), appends its live records at the head and frees it: its bytes
 * go back to the store (ops->drop) and its 4 KiB pages are trimmed from
 * the FTL.  A Store is refused with Capacity Exceeded when the live
 * records would pass the usable capacity, (nr_segs - 4) * (seg_bytes -
 * max_rec): below that bound a victim with room to reclaim always exists,
 * so GC always makes progress.
 *
 * Recovery.  The records describe themselves: kv_recover() rebuilds the
 * index from a store an earlier load filled (memmap backing kept across a
 * reload).  It walks each segment from its start while headers check and
 * carry the epoch of the segment's first record; a segment is opened with
 * a new epoch, so records of its earlier use are never taken for new ones.
 * A freed segment starts with a free marker that holds the epoch and
 * sequence counters, so they keep growing across a format and reloads.
 *
 * Timing, on the SSD model (its host link, firmware times, write buffer,
 * NAND array and garbage collection): every command takes index_ns of
 * index work.  A Store's record pages are written to the FTL once they
 * are whole (small records share pages, as a drive packs small values in
 * its buffer); with sync (volatile write cache off) the last, partial
 * page is written too.  A Retrieve reads the pages of the header and the
 * bytes it returns (pages still in the buffer take no flash time).
 * Delete and Exist take index_ns only; List takes list_key_ns more per key
 * it returns.  GC reads each moved record and writes it again; the Store
 * that needed the space waits for that work.
 *
 * Status values are the NVMe ones; the caller serialises calls on one
 * struct kv_model.  Store access goes through struct kv_store_ops.
 */
#ifndef NVMEV_PURE_KV_MODEL_H
#define NVMEV_PURE_KV_MODEL_H

#include "shim.h"
#include "ssd_ftl.h"

#define KV_KEY_MAX		16	/* KV Key Max Length, bytes */
#define KV_HDR_BYTES		48	/* record header in the store */
#define KV_ALIGN		64	/* records start and end on this */
#define KV_NODE_BYTES		40	/* index memory per key */
#define KV_CHUNK_NODES		4096	/* index nodes per allocation */
#define KV_SEG_RESERVE		2	/* free segments GC keeps */
#define KV_MIN_SEGS		8
#define KV_NONE			U32_MAX
#define KV_MAX_VALUE		(64U << 20)	/* kv=max_value_kib limit */

/* Status values (generic command status, KV command set specific). */
#define KV_SC_INVALID_FIELD	0x002
#define KV_SC_INTERNAL		0x006
#define KV_SC_CAPACITY		0x081	/* Capacity Exceeded */
#define KV_SC_NOT_READY		0x082	/* Namespace Not Ready: retry */
#define KV_SC_VALUE_SIZE	0x085	/* Invalid Value Size */
#define KV_SC_KEY_SIZE		0x086	/* Invalid Key Size */
#define KV_SC_NO_KEY		0x087	/* KV Key Does Not Exist */
#define KV_SC_KEY_EXISTS	0x089	/* Key Exists */

/* Store options (CDW11 bits 15:8, shifted down). */
#define KV_STORE_IF_EXISTS	(1 << 0)	/* only if the key exists */
#define KV_STORE_IF_ABSENT	(1 << 1)	/* only if it does not */
#define KV_RETRIEVE_RAW		(1 << 0)	/* no decompression: no effect */

struct kv_params {
	struct ssd_params flash;	/* the SSD behind the log */
	u32 max_value;		/* bytes: KV Value Max Length */
	u32 max_keys;		/* Max Num Keys; 0: capacity / KV_AUTO_KEY_BYTES */
	u64 seg_bytes;		/* log segment, >= 2 * the largest record */
	u64 index_ns;		/* index lookup or update, every command */
	u64 list_key_ns;	/* per key a List returns */
};

#define KV_AUTO_KEY_BYTES	512	/* max_keys 0: a key per 512 bytes */

/* Store access, supplied by the caller. */
struct kv_store_ops {
	/* Each returns 0 or a negative errno (-ENOSPC: no memory for it). */
	int (*read)(void *ctx, u64 off, void *buf, u32 len);
	int (*write)(void *ctx, u64 off, const void *buf, u32 len);
	int (*copy)(void *ctx, u64 dst, u64 src, u32 len);
	/* The bytes hold nothing now; may be NULL. */
	void (*drop)(void *ctx, u64 off, u64 len);
	/* An I/O in flight still moves data of this segment. */
	bool (*busy)(void *ctx, u32 seg);
};

struct kv_node {
	u8 key[KV_KEY_MAX];
	u8 klen;
	u8 height;		/* AVL height, a leaf is 1 */
	u16 rsvd;
	u32 left, right;	/* node numbers, KV_NONE for none */
	u32 vlen;		/* value bytes */
	u64 off;		/* record offset in the store */
};

enum kv_seg_state {
	KV_SEG_FREE = 0,
	KV_SEG_OPEN,		/* the head: records are appended */
	KV_SEG_CLOSED,
};

struct kv_seg {
	u64 used;		/* bytes of records appended */
	u64 live;		/* of which live records */
	u32 epoch;		/* in the headers of its records */
	u32 state;		/* enum kv_seg_state */
	u32 next;		/* free list */
	u32 rsvd;
};

struct kv_stats {
	u64 stores, retrieves, deletes, exists, lists;
	u64 overwrites;		/* stores that replaced a value */
	u64 gc_segments;	/* segments reclaimed */
	u64 gc_records;		/* live records GC moved */
	u64 gc_bytes;		/* their bytes */
	u64 gc_blocked;		/* stores refused: every victim busy */
};

struct kv_model {
	struct kv_params p;
	struct ssd_ftl ftl;
	const struct kv_store_ops *ops;
	void *ctx;
	u64 capacity;		/* store bytes */
	u32 max_keys;		/* in force (never 0) */
	u32 max_rec;		/* bytes of the largest record */
	u64 usable;		/* live record bytes allowed */
	u64 live_bytes;		/* live record bytes */
	bool ednek;		/* Delete of a missing key: error (feature 20h) */
	/* index */
	struct kv_node **chunks;
	u32 nr_chunks;		/* allocated */
	u32 max_chunks;
	u32 nr_carved;		/* nodes ever handed out of the chunks */
	u32 free_node;		/* list of deleted nodes, through left */
	u32 root;
	u32 nr_keys;
	/* log */
	struct kv_seg *segs;
	u32 nr_segs;
	u32 free_head, nr_free;
	u32 head;		/* open segment, or KV_NONE */
	u64 booked;		/* store bytes of the head written to the FTL */
	u32 next_epoch;
	u64 next_seq;
	struct kv_stats stats;
};

/* Where a Store put its value, or a Retrieve finds it. */
struct kv_loc {
	u64 off;		/* store offset of the value's first byte */
	u32 vlen;		/* the value's full size */
	u32 seg;		/* segment, for ops->busy() bookkeeping */
};

/* Defaults: 1 MiB values, auto max_keys, 16 MiB segments, 1.5 us index. */
void kv_default_params(struct kv_params *p);

/*
 * kv= settings over *p, "key=value,...": max_value_kib, max_keys, seg_mib,
 * index_ns, list_key_ns, and every ssd= key for the flash.  0 or -EINVAL
 * with *why.
 */
int kv_params_parse(struct kv_params *p, const char *s, const char **why);

/*
 * Checks p for a store of capacity bytes (flash settings through
 * ssd_fit(), which sizes p->flash for it), at least KV_MIN_SEGS segments,
 * a segment of at least 2 records of max_value, max_value 1..KV_MAX_VALUE.
 * 0 or -EINVAL with *why.
 */
int kv_params_check(struct kv_params *p, u64 capacity, const char **why);

/* max_keys in force for capacity. */
u32 kv_max_keys(const struct kv_params *p, u64 capacity);

/* Most memory kv_init() and a full index take (p fitted by kv_params_check). */
u64 kv_mem_bytes(const struct kv_params *p, u64 capacity);

/*
 * An empty store of capacity bytes (every segment free), for p checked by
 * kv_params_check().  0 or -ENOMEM.  Nothing is read or written.
 */
int kv_init(struct kv_model *m, const struct kv_params *p, u64 capacity,
	    const struct kv_store_ops *ops, void *ctx);
void kv_free(struct kv_model *m);

/*
 * Rebuilds the index from the records in the store (after kv_init()).
 * Returns the keys found, or a negative errno (-ENOMEM; -ENOSPC: more keys
 * than max_keys).  A key found in two live records keeps the newer; the
 * older is marked dead.
 */
long kv_recover(struct kv_model *m);

/* Forget every key; every segment free (ops->drop on what held data). */
void kv_format(struct kv_model *m);

/* Controller reset: the SSD model idle; keys kept. */
void kv_reset_timing(struct kv_model *m);

/*
 * Store vlen bytes under key (klen bytes) with opts (KV_STORE_*).  On
 * success the header is written, *loc tells where the caller copies the
 * value, and *done is the completion time.  The old value of the key, if
 * any, is dead.  Refusals: KV_SC_KEY_SIZE, KV_SC_VALUE_SIZE,
 * KV_SC_INVALID_FIELD (unknown or contradicting options), KV_SC_NO_KEY
 * (IF_EXISTS), KV_SC_KEY_EXISTS (IF_ABSENT), KV_SC_CAPACITY (no room, or
 * max_keys reached, or the store has no memory), KV_SC_NOT_READY (GC
 * needed a segment I/O in flight holds: retry), KV_SC_INTERNAL (no memory
 * for the index).
 */
u16 kv_store(struct kv_model *m, u64 now, const u8 *key, u32 klen, u32 vlen,
	     u32 opts, bool sync, struct kv_loc *loc, u64 *done);

/*
 * Find key for a Retrieve of up to hbs bytes: *loc is the value (the
 * caller copies min(vlen, hbs) bytes), *done the completion time.
 * KV_SC_KEY_SIZE, KV_SC_INVALID_FIELD (opts), KV_SC_NO_KEY.
 */
u16 kv_retrieve(struct kv_model *m, u64 now, const u8 *key, u32 klen,
		u32 hbs, u32 opts, struct kv_loc *loc, u64 *done);

/* Delete: a missing key is KV_SC_NO_KEY if m->ednek, else success. */
u16 kv_delete(struct kv_model *m, u64 now, const u8 *key, u32 klen,
	      u64 *done);

/* Exist: success or KV_SC_NO_KEY. */
u16 kv_exist(struct kv_model *m, u64 now, const u8 *key, u32 klen,
	     u64 *done);

/*
 * List: the keys at or after key (klen 0: from the first), in order, in
 * buf of hbs bytes (>= 4): a 32-bit little-endian count, then per key a
 * 16-bit little-endian length and the key bytes, each entry padded to 4
 * bytes; as many whole entries as fit.  The rest of buf is zeroed.
 * KV_SC_KEY_SIZE (klen > 16), KV_SC_INVALID_FIELD (hbs < 4).
 */
u16 kv_list(struct kv_model *m, u64 now, const u8 *key, u32 klen, u8 *buf,
	    u32 hbs, u32 *nr, u64 *done);

/*
 * Take back a Store whose value never arrived (voff: its loc.off): the
 * key dies if it still names that record.
 */
void kv_undo_store(struct kv_model *m, u64 voff);

/* Flush: the buffered pages programmed. */
u64 kv_flush(struct kv_model *m, u64 now);

/* Index and log agree with each other and with the store (tests). */
int kv_check_consistency(struct kv_model *m, const char **why);

/* Record bytes a value of vlen takes in the store. */
static inline u64 kv_rec_bytes(u32 vlen)
{
	return ((u64)KV_HDR_BYTES + vlen + KV_ALIGN - 1) & ~(u64)(KV_ALIGN - 1);
}

#endif /* NVMEV_PURE_KV_MODEL_H */
