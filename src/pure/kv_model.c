// SPDX-License-Identifier: GPL-2.0
/*
 * The KV kind's model: the index, the log of records in the store, its
 * garbage collection and recovery, and the timing on the SSD model.
 * kv_model.h describes the layout and the rules.
 */
#include "kv_model.h"

#define KV_MAGIC_LIVE		0x4b56564eU	/* "NVVK" */
#define KV_MAGIC_DEAD		0x4456564eU	/* "NVVD" */
#define KV_MAGIC_FREE		0x4656564eU	/* "NVVF": a free segment's start */
#define KV_MAX_DEPTH		64	/* AVL height bound for 2^32 keys is 46 */

/* ---- Settings ------------------------------------------------------------ */

void kv_default_params(struct kv_params *p)
{
	memset(p, 0, sizeof(*p));
	ssd_profile_get("970pro", &p->flash);
	p->max_value = 1U << 20;
	p->max_keys = 0;
	p->seg_bytes = 16ULL << 20;
	p->index_ns = 1500;
	p->list_key_ns = 100;
}

enum kv_key_type { KV_K_KIB, KV_K_MIB, KV_K_U32, KV_K_NS };

static const struct {
	const char *key;
	u32 type;
	size_t off;
	u64 max;
} kv_keys[] = {
	{ "max_value_kib", KV_K_KIB, offsetof(struct kv_params, max_value), KV_MAX_VALUE >> 10 },
	{ "max_keys",	KV_K_U32, offsetof(struct kv_params, max_keys), U32_MAX },
	{ "seg_mib",	KV_K_MIB, offsetof(struct kv_params, seg_bytes), 4096 },
	{ "index_ns",	KV_K_NS, offsetof(struct kv_params, index_ns), 10000000 },
	{ "list_key_ns", KV_K_NS, offsetof(struct kv_params, list_key_ns), 1000000 },
};

static int kv_param_set(void *ctx, const char *s, size_t len, const char **why)
{
	struct kv_params *p = ctx;
	const char *eq = memchr(s, '=', len);
	size_t klen = eq ? (size_t)(eq - s) : len, i;
	u64 v;

	for (i = 0; i < ARRAY_SIZE(kv_keys); i++)
		if (strlen(kv_keys[i].key) == klen &&
		    !memcmp(s, kv_keys[i].key, klen))
			break;
	if (i == ARRAY_SIZE(kv_keys))
		return ssd_param_set(&p->flash, s, len, why);
	if (!eq || !pure_parse_u64(eq + 1, len - klen - 1, &v)) {
		*why = "value not a whole decimal number";
		return -EINVAL;
	}
	if (v > kv_keys[i].max) {
		*why = "value out of range";
		return -EINVAL;
	}
	switch (kv_keys[i].type) {
	case KV_K_KIB:
		*(u32 *)((u8 *)p + kv_keys[i].off) = (u32)v << 10;
		break;
	case KV_K_MIB:
		*(u64 *)((u8 *)p + kv_keys[i].off) = v << 20;
		break;
	case KV_K_U32:
		*(u32 *)((u8 *)p + kv_keys[i].off) = (u32)v;
		break;
	case KV_K_NS:
		*(u64 *)((u8 *)p + kv_keys[i].off) = v;
		break;
	}
	return 0;
}

int kv_params_parse(struct kv_params *p, const char *s, const char **why)
{
	return pure_kv_parse(s, kv_param_set, p, why);
}

u32 kv_max_keys(const struct kv_params *p, u64 capacity)
{
	u64 n = capacity / KV_AUTO_KEY_BYTES;

	if (p->max_keys)
		return p->max_keys;
	return n > U32_MAX - KV_CHUNK_NODES ? U32_MAX - KV_CHUNK_NODES :
	       (n ? (u32)n : 1);
}

static u64 kv_nr_segs(const struct kv_params *p, u64 capacity)
{
	return p->seg_bytes ? capacity / p->seg_bytes : 0;
}

int kv_params_check(struct kv_params *p, u64 capacity, const char **why)
{
	u64 rec = kv_rec_bytes(p->max_value);

	if (!p->max_value || p->max_value > KV_MAX_VALUE) {
		*why = "max_value_kib must be 1..65536";
		return -EINVAL;
	}
	if (!p->seg_bytes || p->seg_bytes < 2 * rec) {
		*why = "seg_mib must hold 2 values of max_value_kib";
		return -EINVAL;
	}
	if (kv_nr_segs(p, capacity) < KV_MIN_SEGS) {
		*why = "capacity must hold 8 segments of seg_mib";
		return -EINVAL;
	}
	if (kv_nr_segs(p, capacity) > (1U << 24)) {
		*why = "more than 2^24 segments: raise seg_mib";
		return -EINVAL;
	}
	if (p->max_keys > U32_MAX - KV_CHUNK_NODES) {
		*why = "max_keys too large";
		return -EINVAL;
	}
	return ssd_fit(&p->flash, capacity & ~(u64)(SSD_PAGE_BYTES - 1), why);
}

static u32 kv_max_chunks(const struct kv_params *p, u64 capacity)
{
	return (kv_max_keys(p, capacity) + KV_CHUNK_NODES - 1) / KV_CHUNK_NODES;
}

u64 kv_mem_bytes(const struct kv_params *p, u64 capacity)
{
	u64 chunks = kv_max_chunks(p, capacity);

	return ssd_mem_bytes(&p->flash, capacity & ~(u64)(SSD_PAGE_BYTES - 1)) +
	       kv_nr_segs(p, capacity) * sizeof(struct kv_seg) +
	       chunks * (sizeof(struct kv_node *) +
			 (u64)KV_CHUNK_NODES * sizeof(struct kv_node));
}

/* ---- Record headers ------------------------------------------------------ */

struct kv_hdr {
	u32 magic;
	u32 epoch;
	u32 vlen;
	u8 klen;
	u64 seq;
	u8 key[KV_KEY_MAX];
};

static void put32(u8 *b, u32 v)
{
	b[0] = v;
	b[1] = v >> 8;
	b[2] = v >> 16;
	b[3] = v >> 24;
}

static u32 get32(const u8 *b)
{
	return b[0] | b[1] << 8 | b[2] << 16 | (u32)b[3] << 24;
}

/* FNV-1a over bytes 8..47 of the header and the record's offset. */
static u32 hdr_sum(const u8 *b, u64 off)
{
	u32 h = 2166136261U;
	int i;

	for (i = 8; i < KV_HDR_BYTES; i++)
		h = (h ^ b[i]) * 16777619U;
	for (i = 0; i < 8; i++)
		h = (h ^ (u8)(off >> (8 * i))) * 16777619U;
	return h;
}

/*
 * Layout: magic @0, checksum @4, epoch @8, value size @12, sequence @16,
 * key length @24, zero @25..31, key @32..47; little endian.
 */
static void hdr_encode(u8 *b, const struct kv_hdr *h, u64 off)
{
	memset(b, 0, KV_HDR_BYTES);
	put32(b + 8, h->epoch);
	put32(b + 12, h->vlen);
	put32(b + 16, (u32)h->seq);
	put32(b + 20, (u32)(h->seq >> 32));
	b[24] = h->klen;
	memcpy(b + 32, h->key, h->klen);
	put32(b + 4, hdr_sum(b, off));
	put32(b, h->magic);
}

static bool hdr_decode(const u8 *b, u64 off, u32 max_value, struct kv_hdr *h)
{
	int i;

	h->magic = get32(b);
	if (h->magic != KV_MAGIC_LIVE && h->magic != KV_MAGIC_DEAD &&
	    h->magic != KV_MAGIC_FREE)
		return false;
	if (get32(b + 4) != hdr_sum(b, off))
		return false;
	h->epoch = get32(b + 8);
	h->vlen = get32(b + 12);
	h->seq = get32(b + 16) | (u64)get32(b + 20) << 32;
	h->klen = b[24];
	for (i = 25; i < 32; i++)
		if (b[i])
			return false;
	if (h->magic == KV_MAGIC_FREE)
		return !h->klen && !h->vlen;
	if (!h->klen || h->klen > KV_KEY_MAX || h->vlen > max_value)
		return false;
	memset(h->key, 0, sizeof(h->key));
	memcpy(h->key, b + 32, h->klen);
	return true;
}

/* ---- The index: an AVL tree of nodes in chunks --------------------------- */

static struct kv_node *node(const struct kv_model *m, u32 id)
{
	return &m->chunks[id / KV_CHUNK_NODES][id % KV_CHUNK_NODES];
}

static int key_cmp(const u8 *a, u32 alen, const u8 *b, u32 blen)
{
	int c = memcmp(a, b, alen < blen ? alen : blen);

	if (c)
		return c;
	return alen < blen ? -1 : alen > blen;
}

static int node_cmp(const struct kv_model *m, u32 id, const u8 *key, u32 klen)
{
	const struct kv_node *n = node(m, id);

	return key_cmp(key, klen, n->key, n->klen);
}

static u32 node_alloc(struct kv_model *m)
{
	u32 id;

	if (m->free_node != KV_NONE) {
		id = m->free_node;
		m->free_node = node(m, id)->left;
		return id;
	}
	if (m->nr_carved % KV_CHUNK_NODES == 0) {
		u32 c = m->nr_carved / KV_CHUNK_NODES;

		if (c >= m->max_chunks)
			return KV_NONE;
		if (c == m->nr_chunks) {
			m->chunks[c] = pure_zalloc(KV_CHUNK_NODES *
						   sizeof(struct kv_node));
			if (!m->chunks[c])
				return KV_NONE;
			m->nr_chunks++;
		}
	}
	return m->nr_carved++;
}

static void node_put(struct kv_model *m, u32 id)
{
	struct kv_node *n = node(m, id);

	memset(n, 0, sizeof(*n));
	n->left = m->free_node;
	m->free_node = id;
}

static u32 height(const struct kv_model *m, u32 id)
{
	return id == KV_NONE ? 0 : node(m, id)->height;
}

static void fix_height(struct kv_model *m, u32 id)
{
	struct kv_node *n = node(m, id);
	u32 l = height(m, n->left), r = height(m, n->right);

	n->height = 1 + (l > r ? l : r);
}

static u32 rotate_right(struct kv_model *m, u32 id)
{
	struct kv_node *n = node(m, id);
	u32 l = n->left;

	n->left = node(m, l)->right;
	node(m, l)->right = id;
	fix_height(m, id);
	fix_height(m, l);
	return l;
}

static u32 rotate_left(struct kv_model *m, u32 id)
{
	struct kv_node *n = node(m, id);
	u32 r = n->right;

	n->right = node(m, r)->left;
	node(m, r)->left = id;
	fix_height(m, id);
	fix_height(m, r);
	return r;
}

/* Restore the AVL balance at id; returns the subtree's new root. */
static u32 rebalance(struct kv_model *m, u32 id)
{
	struct kv_node *n = node(m, id);
	int bf;

	fix_height(m, id);
	bf = (int)height(m, n->left) - (int)height(m, n->right);
	if (bf > 1) {
		struct kv_node *l = node(m, n->left);

		if (height(m, l->left) < height(m, l->right))
			n->left = rotate_left(m, n->left);
		return rotate_right(m, id);
	}
	if (bf < -1) {
		struct kv_node *r = node(m, n->right);

		if (height(m, r->right) < height(m, r->left))
			n->right = rotate_right(m, n->right);
		return rotate_left(m, id);
	}
	return id;
}

/* Rebalance the path (path[0] the root) bottom-up; dir[i]: went right. */
static void fix_path(struct kv_model *m, u32 *path, bool *dir, int depth)
{
	int i;

	for (i = depth - 1; i >= 0; i--) {
		u32 top = rebalance(m, path[i]);

		if (!i)
			m->root = top;
		else if (dir[i - 1])
			node(m, path[i - 1])->right = top;
		else
			node(m, path[i - 1])->left = top;
	}
}

static u32 find(const struct kv_model *m, const u8 *key, u32 klen)
{
	u32 id = m->root;

	while (id != KV_NONE) {
		int c = node_cmp(m, id, key, klen);

		if (!c)
			return id;
		id = c < 0 ? node(m, id)->left : node(m, id)->right;
	}
	return KV_NONE;
}

/* Link the fresh node nid (its key set) into the tree; the key is new. */
static void insert(struct kv_model *m, u32 nid)
{
	u32 path[KV_MAX_DEPTH], id = m->root;
	bool dir[KV_MAX_DEPTH];
	struct kv_node *n = node(m, nid);
	int depth = 0;

	n->left = KV_NONE;
	n->right = KV_NONE;
	n->height = 1;
	while (id != KV_NONE) {
		path[depth] = id;
		dir[depth] = node_cmp(m, id, n->key, n->klen) > 0;
		id = dir[depth] ? node(m, id)->right : node(m, id)->left;
		depth++;
	}
	if (!depth)
		m->root = nid;
	else if (dir[depth - 1])
		node(m, path[depth - 1])->right = nid;
	else
		node(m, path[depth - 1])->left = nid;
	fix_path(m, path, dir, depth);
	m->nr_keys++;
}

/* Unlink and free the node of key, which exists. */
static void erase(struct kv_model *m, const u8 *key, u32 klen)
{
	u32 path[KV_MAX_DEPTH], id = m->root, victim, child;
	bool dir[KV_MAX_DEPTH];
	struct kv_node *n;
	int depth = 0, c;

	while ((c = node_cmp(m, id, key, klen))) {
		path[depth] = id;
		dir[depth] = c > 0;
		id = c > 0 ? node(m, id)->right : node(m, id)->left;
		depth++;
	}
	n = node(m, id);
	victim = id;
	if (n->left != KV_NONE && n->right != KV_NONE) {
		/* Take the successor's place: move its entry here. */
		path[depth] = id;
		dir[depth] = true;
		depth++;
		victim = n->right;
		while (node(m, victim)->left != KV_NONE) {
			path[depth] = victim;
			dir[depth] = false;
			depth++;
			victim = node(m, victim)->left;
		}
		memcpy(n->key, node(m, victim)->key, KV_KEY_MAX);
		n->klen = node(m, victim)->klen;
		n->vlen = node(m, victim)->vlen;
		n->off = node(m, victim)->off;
	}
	child = node(m, victim)->left != KV_NONE ? node(m, victim)->left :
						  node(m, victim)->right;
	if (!depth)
		m->root = child;
	else if (dir[depth - 1])
		node(m, path[depth - 1])->right = child;
	else
		node(m, path[depth - 1])->left = child;
	node_put(m, victim);
	fix_path(m, path, dir, depth);
	m->nr_keys--;
}

/* ---- The log ------------------------------------------------------------- */

static u64 seg_start(const struct kv_model *m, u32 s)
{
	return (u64)s * m->p.seg_bytes;
}

static u32 seg_of(const struct kv_model *m, u64 off)
{
	return (u32)div64_u64(off, m->p.seg_bytes);
}

static void free_push(struct kv_model *m, u32 s)
{
	struct kv_seg *g = &m->segs[s];

	g->state = KV_SEG_FREE;
	g->used = 0;
	g->live = 0;
	g->next = m->free_head;
	m->free_head = s;
	m->nr_free++;
}

/* FTL pages [from, to) of the store written at t; the completion time. */
static u64 book(struct kv_model *m, u64 t, u64 from, u64 to, bool sync)
{
	u64 lpn = from / SSD_PAGE_BYTES;
	u64 end = (to + SSD_PAGE_BYTES - 1) / SSD_PAGE_BYTES;

	if (end <= lpn)
		return ssd_write(&m->ftl, t, lpn, 0, sync);
	return ssd_write(&m->ftl, t, lpn, (u32)(end - lpn), sync);
}

/* Close the head: its last, partial page goes to flash as it is. */
static u64 close_head(struct kv_model *m, u64 t)
{
	struct kv_seg *g;
	u64 end;

	if (m->head == KV_NONE)
		return t;
	g = &m->segs[m->head];
	end = seg_start(m, m->head) + g->used;
	if (m->booked < end)
		t = book(m, t, m->booked, end, false);
	g->state = KV_SEG_CLOSED;
	m->head = KV_NONE;
	return t;
}

/*
 * Room for rb bytes at the head, opening a free segment if it must.
 * Returns the record's store offset, or U64_MAX with no free segment.
 */
static u64 append(struct kv_model *m, u64 rb, u64 *t)
{
	struct kv_seg *g;
	u64 off;

	if (m->head != KV_NONE &&
	    m->segs[m->head].used + rb > m->p.seg_bytes)
		*t = close_head(m, *t);
	if (m->head == KV_NONE) {
		if (m->free_head == KV_NONE)
			return U64_MAX;
		m->head = m->free_head;
		g = &m->segs[m->head];
		m->free_head = g->next;
		m->nr_free--;
		g->state = KV_SEG_OPEN;
		g->used = 0;
		g->live = 0;
		g->epoch = m->next_epoch++;
		m->booked = seg_start(m, m->head);
	}
	g = &m->segs[m->head];
	off = seg_start(m, m->head) + g->used;
	g->used += rb;
	return off;
}

/*
 * The head's pages up to store offset end go to the FTL once whole; with
 * sync the last, partial page too (it is written again once whole).
 */
static u64 book_head(struct kv_model *m, u64 t, u64 end, bool sync)
{
	u64 whole = end & ~(u64)(SSD_PAGE_BYTES - 1);
	u64 from = m->booked;

	if (whole > m->booked)
		m->booked = whole;
	return book(m, t, from, sync ? end : m->booked, sync);
}

/* Take back the record append() just placed (its store write failed). */
static void unappend(struct kv_model *m, u64 rb)
{
	m->segs[m->head].used -= rb;
}

static int write_hdr(struct kv_model *m, u64 off, const struct kv_hdr *h)
{
	u8 b[KV_HDR_BYTES];

	hdr_encode(b, h, off);
	return m->ops->write(m->ctx, off, b, KV_HDR_BYTES);
}

static int read_hdr(struct kv_model *m, u64 off, struct kv_hdr *h)
{
	u8 b[KV_HDR_BYTES];

	if (m->ops->read(m->ctx, off, b, KV_HDR_BYTES))
		return -EIO;
	return hdr_decode(b, off, m->p.max_value, h) ? 0 : -EINVAL;
}

static void mark_dead(struct kv_model *m, u64 off)
{
	u8 b[4];

	put32(b, KV_MAGIC_DEAD);
	m->ops->write(m->ctx, off, b, sizeof(b));
}

/*
 * A segment back to the pool: a free marker replaces its first record (so
 * recovery stops there, and learns the epoch and sequence numbers to go on
 * from, whatever the rest of the segment still holds); its bytes dropped.
 */
static void seg_release(struct kv_model *m, u32 s, u64 t)
{
	u64 start = seg_start(m, s), used = m->segs[s].used;
	struct kv_hdr h;

	if (used) {
		memset(&h, 0, sizeof(h));
		h.magic = KV_MAGIC_FREE;
		h.epoch = m->next_epoch;
		h.seq = m->next_seq;
		write_hdr(m, start, &h);
		if (m->ops->drop)
			m->ops->drop(m->ctx, start, used);
		ssd_trim(&m->ftl, t, start / SSD_PAGE_BYTES,
			 (used + SSD_PAGE_BYTES - 1) / SSD_PAGE_BYTES);
	}
	free_push(m, s);
}

/* The closed, idle segment with the fewest live bytes, or KV_NONE. */
static u32 gc_victim(struct kv_model *m, bool *busy)
{
	u32 s, best = KV_NONE;

	*busy = false;
	for (s = 0; s < m->nr_segs; s++) {
		const struct kv_seg *g = &m->segs[s];

		if (g->state != KV_SEG_CLOSED || g->live == m->p.seg_bytes)
			continue;
		if (m->ops->busy && m->ops->busy(m->ctx, s)) {
			*busy = true;
			continue;
		}
		if (best == KV_NONE || g->live < m->segs[best].live)
			best = s;
	}
	return best;
}

/*
 * Move segment v's live records to the head and free it.  Time runs
 * from *t.  0, or a KV_SC_ status if the store fails.
 */
static u16 gc_segment(struct kv_model *m, u32 v, u64 *t)
{
	u64 base = seg_start(m, v), pos = 0, end = m->segs[v].used;
	u64 done = *t;

	while (pos < end) {
		u64 old = base + pos, rb, dst, r;
		struct kv_hdr h;
		u32 id;

		if (read_hdr(m, old, &h))
			return KV_SC_INTERNAL;	/* a bug: keep the segment */
		rb = kv_rec_bytes(h.vlen);
		pos += rb;
		if (h.magic != KV_MAGIC_LIVE)
			continue;
		id = find(m, h.key, h.klen);
		if (id == KV_NONE || node(m, id)->off != old)
			continue;
		dst = append(m, rb, &done);
		if (dst == U64_MAX)
			return KV_SC_CAPACITY;
		h.epoch = m->segs[m->head].epoch;
		if ((h.vlen && m->ops->copy(m->ctx, dst + KV_HDR_BYTES,
					    old + KV_HDR_BYTES, h.vlen)) ||
		    write_hdr(m, dst, &h)) {
			unappend(m, rb);
			return KV_SC_CAPACITY;
		}
		node(m, id)->off = dst;
		m->segs[m->head].live += rb;
		m->segs[v].live -= rb;
		r = ssd_read(&m->ftl, done, old / SSD_PAGE_BYTES,
			     (u32)((old + rb + SSD_PAGE_BYTES - 1) /
				   SSD_PAGE_BYTES - old / SSD_PAGE_BYTES));
		r = book_head(m, r, dst + rb, false);
		if (r > done)
			done = r;
		m->stats.gc_records++;
		m->stats.gc_bytes += rb;
	}
	seg_release(m, v, done);
	m->stats.gc_segments++;
	*t = done;
	return 0;
}

/* Keep KV_SEG_RESERVE segments free, plus one if the head needs one. */
static u16 make_room(struct kv_model *m, u64 rb, u64 *t)
{
	bool busy;
	u32 v;
	u16 st;

	for (;;) {
		u32 need = KV_SEG_RESERVE;

		if (m->head == KV_NONE ||
		    m->segs[m->head].used + rb > m->p.seg_bytes)
			need++;
		if (m->nr_free >= need)
			return 0;
		v = gc_victim(m, &busy);
		if (v == KV_NONE) {
			if (busy) {
				m->stats.gc_blocked++;
				return KV_SC_NOT_READY;
			}
			if (m->nr_free)
				return 0;	/* nothing to gain: use the reserve */
			return KV_SC_CAPACITY;
		}
		st = gc_segment(m, v, t);
		if (st)
			return st;
	}
}

/* ---- Set-up -------------------------------------------------------------- */

int kv_init(struct kv_model *m, const struct kv_params *p, u64 capacity,
	    const struct kv_store_ops *ops, void *ctx)
{
	u32 s;

	memset(m, 0, sizeof(*m));
	m->p = *p;
	m->ops = ops;
	m->ctx = ctx;
	m->capacity = capacity;
	m->max_keys = kv_max_keys(p, capacity);
	m->max_rec = (u32)kv_rec_bytes(p->max_value);
	m->nr_segs = (u32)kv_nr_segs(p, capacity);
	m->usable = (u64)(m->nr_segs - 4) * (p->seg_bytes - m->max_rec);
	m->max_chunks = kv_max_chunks(p, capacity);
	m->root = KV_NONE;
	m->free_node = KV_NONE;
	m->head = KV_NONE;
	m->free_head = KV_NONE;
	m->next_epoch = 1;
	m->next_seq = 1;
	m->chunks = pure_zalloc(m->max_chunks * sizeof(*m->chunks));
	m->segs = pure_zalloc(m->nr_segs * sizeof(*m->segs));
	if (!m->chunks || !m->segs ||
	    ssd_init(&m->ftl, &p->flash,
		     capacity & ~(u64)(SSD_PAGE_BYTES - 1))) {
		pure_free(m->chunks);
		pure_free(m->segs);
		m->chunks = NULL;
		m->segs = NULL;
		return -ENOMEM;
	}
	for (s = m->nr_segs; s-- > 0;)
		free_push(m, s);
	return 0;
}

void kv_free(struct kv_model *m)
{
	u32 i;

	if (!m->segs)
		return;
	for (i = 0; i < m->nr_chunks; i++)
		pure_free(m->chunks[i]);
	pure_free(m->chunks);
	pure_free(m->segs);
	ssd_free(&m->ftl);
	m->chunks = NULL;
	m->segs = NULL;
}

/* Forget every key; keep the chunks for the keys to come. */
static void index_clear(struct kv_model *m)
{
	u32 i;

	for (i = 0; i < m->nr_chunks; i++)
		memset(m->chunks[i], 0, KV_CHUNK_NODES * sizeof(struct kv_node));
	m->nr_carved = 0;
	m->free_node = KV_NONE;
	m->root = KV_NONE;
	m->nr_keys = 0;
	m->live_bytes = 0;
}

void kv_format(struct kv_model *m)
{
	u32 s;

	ssd_reset_timing(&m->ftl);
	m->head = KV_NONE;
	m->free_head = KV_NONE;
	m->nr_free = 0;
	for (s = m->nr_segs; s-- > 0;) {
		if (m->segs[s].used)
			seg_release(m, s, 0);
		else
			free_push(m, s);
	}
	index_clear(m);
}

void kv_reset_timing(struct kv_model *m)
{
	ssd_reset_timing(&m->ftl);
}

long kv_recover(struct kv_model *m)
{
	u32 s, max_epoch = 0, next_epoch = 1;
	u64 max_seq = 0, next_seq = 1, t = 0;

	m->head = KV_NONE;
	m->free_head = KV_NONE;
	m->nr_free = 0;
	index_clear(m);
	for (s = 0; s < m->nr_segs; s++) {
		struct kv_seg *g = &m->segs[s];
		u64 base = seg_start(m, s), pos = 0;
		u32 epoch = 0;

		g->used = 0;
		g->live = 0;
		while (pos + KV_HDR_BYTES <= m->p.seg_bytes) {
			struct kv_hdr h;
			u64 rb;
			u32 id;

			if (read_hdr(m, base + pos, &h))
				break;
			if (h.magic == KV_MAGIC_FREE) {
				/* Counters from before the segment was freed. */
				if (h.epoch > next_epoch)
					next_epoch = h.epoch;
				if (h.seq > next_seq)
					next_seq = h.seq;
				break;
			}
			if (!pos)
				epoch = h.epoch;
			rb = kv_rec_bytes(h.vlen);
			if (h.epoch != epoch || pos + rb > m->p.seg_bytes)
				break;
			pos += rb;
			g->used = pos;
			if (h.seq > max_seq)
				max_seq = h.seq;
			if (h.magic != KV_MAGIC_LIVE)
				continue;
			id = find(m, h.key, h.klen);
			if (id != KV_NONE) {
				/* The same key twice: the newer record wins. */
				struct kv_node *n = node(m, id);
				struct kv_hdr o;
				u64 orb = kv_rec_bytes(n->vlen);

				if (read_hdr(m, n->off, &o) || o.seq > h.seq) {
					mark_dead(m, base + pos - rb);
					continue;
				}
				mark_dead(m, n->off);
				m->segs[seg_of(m, n->off)].live -= orb;
				m->live_bytes -= orb;
				n->off = base + pos - rb;
				n->vlen = h.vlen;
			} else {
				if (m->nr_keys >= m->max_keys)
					return -ENOSPC;
				id = node_alloc(m);
				if (id == KV_NONE)
					return -ENOMEM;
				memcpy(node(m, id)->key, h.key, KV_KEY_MAX);
				node(m, id)->klen = h.klen;
				node(m, id)->vlen = h.vlen;
				node(m, id)->off = base + pos - rb;
				insert(m, id);
			}
			g->live += rb;
			m->live_bytes += rb;
		}
		if (g->used) {
			g->state = KV_SEG_CLOSED;
			g->epoch = epoch;
			if (epoch > max_epoch)
				max_epoch = epoch;
			/* The flash holds it: map its pages, at time 0. */
			t = ssd_write(&m->ftl, t, base / SSD_PAGE_BYTES,
				  (u32)((g->used + SSD_PAGE_BYTES - 1) /
					SSD_PAGE_BYTES), false);
		}
	}
	for (s = m->nr_segs; s-- > 0;)
		if (!m->segs[s].used)
			free_push(m, s);
	m->next_epoch = max_epoch + 1 > next_epoch ? max_epoch + 1 : next_epoch;
	m->next_seq = max_seq + 1 > next_seq ? max_seq + 1 : next_seq;
	ssd_reset_timing(&m->ftl);
	return m->nr_keys;
}

/* ---- Commands ------------------------------------------------------------ */

static bool klen_ok(u32 klen)
{
	return klen >= 1 && klen <= KV_KEY_MAX;
}

u16 kv_store(struct kv_model *m, u64 now, const u8 *key, u32 klen, u32 vlen,
	     u32 opts, bool sync, struct kv_loc *loc, u64 *done)
{
	u64 rb = kv_rec_bytes(vlen), old_rb = 0, off, t = now;
	struct kv_hdr h;
	u32 id, nid = KV_NONE;
	u16 st;

	if (!klen_ok(klen))
		return KV_SC_KEY_SIZE;
	if ((opts & ~(KV_STORE_IF_EXISTS | KV_STORE_IF_ABSENT)) ||
	    opts == (KV_STORE_IF_EXISTS | KV_STORE_IF_ABSENT))
		return KV_SC_INVALID_FIELD;
	if (vlen > m->p.max_value)
		return KV_SC_VALUE_SIZE;
	id = find(m, key, klen);
	if ((opts & KV_STORE_IF_EXISTS) && id == KV_NONE)
		return KV_SC_NO_KEY;
	if ((opts & KV_STORE_IF_ABSENT) && id != KV_NONE)
		return KV_SC_KEY_EXISTS;
	if (id != KV_NONE)
		old_rb = kv_rec_bytes(node(m, id)->vlen);
	else if (m->nr_keys >= m->max_keys)
		return KV_SC_CAPACITY;
	if (m->live_bytes - old_rb + rb > m->usable)
		return KV_SC_CAPACITY;
	if (id == KV_NONE) {
		nid = node_alloc(m);
		if (nid == KV_NONE)
			return KV_SC_INTERNAL;
	}
	st = make_room(m, rb, &t);
	if (st)
		goto fail;
	off = append(m, rb, &t);
	st = KV_SC_CAPACITY;
	if (off == U64_MAX)
		goto fail;
	memset(&h, 0, sizeof(h));
	h.magic = KV_MAGIC_LIVE;
	h.epoch = m->segs[m->head].epoch;
	h.vlen = vlen;
	h.klen = klen;
	h.seq = m->next_seq++;
	memcpy(h.key, key, klen);
	if (write_hdr(m, off, &h)) {
		unappend(m, rb);
		goto fail;
	}
	if (id != KV_NONE) {
		struct kv_node *n = node(m, id);

		mark_dead(m, n->off);
		m->segs[seg_of(m, n->off)].live -= old_rb;
		m->live_bytes -= old_rb;
		n->off = off;
		n->vlen = vlen;
		m->stats.overwrites++;
	} else {
		struct kv_node *n = node(m, nid);

		memcpy(n->key, h.key, KV_KEY_MAX);
		n->klen = klen;
		n->vlen = vlen;
		n->off = off;
		insert(m, nid);
	}
	m->segs[m->head].live += rb;
	m->live_bytes += rb;
	m->stats.stores++;
	loc->off = off + KV_HDR_BYTES;
	loc->vlen = vlen;
	loc->seg = m->head;
	*done = book_head(m, t + m->p.index_ns, off + rb, sync);
	return 0;
fail:
	if (nid != KV_NONE)
		node_put(m, nid);
	return st;
}

u16 kv_retrieve(struct kv_model *m, u64 now, const u8 *key, u32 klen,
		u32 hbs, u32 opts, struct kv_loc *loc, u64 *done)
{
	const struct kv_node *n;
	u64 first, last, bytes;
	u32 id;

	if (!klen_ok(klen))
		return KV_SC_KEY_SIZE;
	if (opts & ~KV_RETRIEVE_RAW)
		return KV_SC_INVALID_FIELD;
	id = find(m, key, klen);
	if (id == KV_NONE)
		return KV_SC_NO_KEY;
	n = node(m, id);
	bytes = KV_HDR_BYTES + (n->vlen < hbs ? n->vlen : hbs);
	first = n->off / SSD_PAGE_BYTES;
	last = (n->off + bytes + SSD_PAGE_BYTES - 1) / SSD_PAGE_BYTES;
	loc->off = n->off + KV_HDR_BYTES;
	loc->vlen = n->vlen;
	loc->seg = seg_of(m, n->off);
	m->stats.retrieves++;
	*done = ssd_read(&m->ftl, now + m->p.index_ns, first,
			 (u32)(last - first));
	return 0;
}

u16 kv_delete(struct kv_model *m, u64 now, const u8 *key, u32 klen,
	      u64 *done)
{
	struct kv_node *n;
	u64 rb;
	u32 id;

	if (!klen_ok(klen))
		return KV_SC_KEY_SIZE;
	*done = now + m->p.index_ns;
	id = find(m, key, klen);
	if (id == KV_NONE)
		return m->ednek ? KV_SC_NO_KEY : 0;
	n = node(m, id);
	rb = kv_rec_bytes(n->vlen);
	mark_dead(m, n->off);
	m->segs[seg_of(m, n->off)].live -= rb;
	m->live_bytes -= rb;
	erase(m, key, klen);
	m->stats.deletes++;
	return 0;
}

void kv_undo_store(struct kv_model *m, u64 voff)
{
	u64 off = voff - KV_HDR_BYTES, rb;
	struct kv_hdr h;
	u32 id;

	if (read_hdr(m, off, &h))
		return;
	id = find(m, h.key, h.klen);
	if (id == KV_NONE || node(m, id)->off != off)
		return;
	rb = kv_rec_bytes(h.vlen);
	mark_dead(m, off);
	m->segs[seg_of(m, off)].live -= rb;
	m->live_bytes -= rb;
	erase(m, h.key, h.klen);
}

u16 kv_exist(struct kv_model *m, u64 now, const u8 *key, u32 klen,
	     u64 *done)
{
	if (!klen_ok(klen))
		return KV_SC_KEY_SIZE;
	*done = now + m->p.index_ns;
	m->stats.exists++;
	return find(m, key, klen) == KV_NONE ? KV_SC_NO_KEY : 0;
}

u16 kv_list(struct kv_model *m, u64 now, const u8 *key, u32 klen, u8 *buf,
	    u32 hbs, u32 *nr, u64 *done)
{
	u32 stack[KV_MAX_DEPTH], id = m->root, n = 0, pos = 4;
	int depth = 0;

	if (klen > KV_KEY_MAX)
		return KV_SC_KEY_SIZE;
	if (hbs < 4)
		return KV_SC_INVALID_FIELD;
	memset(buf, 0, hbs);
	/* The path to the first key >= key: the nodes still to visit. */
	while (id != KV_NONE) {
		if (!klen || node_cmp(m, id, key, klen) <= 0) {
			stack[depth++] = id;
			id = node(m, id)->left;
		} else {
			id = node(m, id)->right;
		}
	}
	while (depth) {
		const struct kv_node *e;
		u32 len;

		id = stack[--depth];
		e = node(m, id);
		len = (2 + e->klen + 3) & ~3U;
		if (pos + len > hbs)
			break;
		buf[pos] = e->klen;
		buf[pos + 1] = 0;
		memcpy(buf + pos + 2, e->key, e->klen);
		pos += len;
		n++;
		for (id = e->right; id != KV_NONE; id = node(m, id)->left)
			stack[depth++] = id;
	}
	put32(buf, n);
	*nr = n;
	m->stats.lists++;
	*done = now + m->p.index_ns + n * m->p.list_key_ns;
	return 0;
}

u64 kv_flush(struct kv_model *m, u64 now)
{
	u64 t = now;

	if (m->head != KV_NONE) {
		u64 end = seg_start(m, m->head) + m->segs[m->head].used;

		if (m->booked < end)
			t = book(m, now, m->booked, end, true);
	}
	t = ssd_flush(&m->ftl, t > now ? t : now);
	return t;
}

/* ---- Consistency (tests) ------------------------------------------------- */

static int check_fail(const char **why, const char *msg)
{
	*why = msg;
	return -EIO;
}

int kv_check_consistency(struct kv_model *m, const char **why)
{
	u32 stack[KV_MAX_DEPTH], id = m->root, s, nfree = 0, keys = 0;
	u64 *live, total = 0;
	const struct kv_node *prev = NULL;
	int depth = 0, ret = 0;

	live = pure_zalloc(m->nr_segs * sizeof(*live));
	if (!live)
		return check_fail(why, "no memory");
	/* In-order walk: order, balance, records. */
	for (;;) {
		while (id != KV_NONE) {
			if (depth == KV_MAX_DEPTH) {
				ret = check_fail(why, "tree too deep");
				goto out;
			}
			stack[depth++] = id;
			id = node(m, id)->left;
		}
		if (!depth)
			break;
		id = stack[--depth];
		{
			const struct kv_node *n = node(m, id);
			int bf = (int)height(m, n->left) - (int)height(m, n->right);
			u32 hl = height(m, n->left), hr = height(m, n->right);
			struct kv_hdr h;
			u32 sg;

			if (bf > 1 || bf < -1 ||
			    n->height != 1 + (hl > hr ? hl : hr)) {
				ret = check_fail(why, "tree out of balance");
				goto out;
			}
			if (prev && key_cmp(prev->key, prev->klen, n->key,
					    n->klen) >= 0) {
				ret = check_fail(why, "keys out of order");
				goto out;
			}
			sg = seg_of(m, n->off);
			if (sg >= m->nr_segs ||
			    m->segs[sg].state == KV_SEG_FREE ||
			    n->off + kv_rec_bytes(n->vlen) >
			    seg_start(m, sg) + m->segs[sg].used) {
				ret = check_fail(why, "record outside the log");
				goto out;
			}
			if (read_hdr(m, n->off, &h) || h.magic != KV_MAGIC_LIVE ||
			    h.vlen != n->vlen || h.klen != n->klen ||
			    memcmp(h.key, n->key, n->klen) ||
			    h.epoch != m->segs[sg].epoch) {
				ret = check_fail(why, "record header does not match the index");
				goto out;
			}
			live[sg] += kv_rec_bytes(n->vlen);
			total += kv_rec_bytes(n->vlen);
			keys++;
			prev = n;
			id = n->right;
		}
	}
	if (keys != m->nr_keys) {
		ret = check_fail(why, "key count");
		goto out;
	}
	if (total != m->live_bytes || total > m->usable) {
		ret = check_fail(why, "live bytes");
		goto out;
	}
	for (s = 0; s < m->nr_segs; s++) {
		const struct kv_seg *g = &m->segs[s];

		if (g->live != live[s] || g->live > g->used ||
		    g->used > m->p.seg_bytes) {
			ret = check_fail(why, "segment live bytes");
			goto out;
		}
		if (g->state == KV_SEG_FREE && g->used) {
			ret = check_fail(why, "free segment holds records");
			goto out;
		}
		if ((g->state == KV_SEG_OPEN) != (s == m->head)) {
			ret = check_fail(why, "head segment");
			goto out;
		}
	}
	for (s = m->free_head; s != KV_NONE; s = m->segs[s].next) {
		if (m->segs[s].state != KV_SEG_FREE || ++nfree > m->nr_segs) {
			ret = check_fail(why, "free list");
			goto out;
		}
	}
	if (nfree != m->nr_free)
		ret = check_fail(why, "free count");
out:
	pure_free(live);
	return ret;
}
