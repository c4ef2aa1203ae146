// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of the KV kind's model (src/pure/kv_model.c): the commands
 * and their status codes, List's buffer, space accounting and garbage
 * collection, recovery from the store, and timing on a virtual clock.
 *
 * The store is a byte array in memory behind struct kv_store_ops.  As the
 * kernel glue does, a test copies each value to where kv_store() put it
 * and reads min(vlen, hbs) bytes back from where kv_retrieve() finds it.
 * Dropped bytes are poisoned, so a value read from a reclaimed segment
 * shows; the store also fails the test if the model reads or writes past
 * the capacity, or if GC copies from or drops a segment marked busy.
 *
 * Values are a pseudo-random pattern of a seed: a test keeps (size, seed)
 * per key and checks every byte it reads back.
 */
#include "kv_model.h"
#include "test.h"

#define US	1000ULL
#define MS	1000000ULL
#define KIB	1024ULL
#define MIB	(1024ULL * KIB)
#define POISON	0xa5

/* ---- The store ------------------------------------------------------------ */

struct store {
	u8 *b;
	u64 cap;
	u64 seg_bytes;
	u32 nr_segs;
	bool *busy;		/* per segment: an I/O in flight (the test sets it) */
	bool fail_write;	/* ops->write fails with -ENOSPC */
	u64 reads, writes, copies, drops;
};

static bool st_in(const struct store *s, u64 off, u64 len)
{
	return off <= s->cap && len <= s->cap - off;
}

static int st_read(void *ctx, u64 off, void *buf, u32 len)
{
	struct store *s = ctx;

	s->reads++;
	if (!st_in(s, off, len)) {
		CHECK(!"store read past the capacity");
		return -EIO;
	}
	memcpy(buf, s->b + off, len);
	return 0;
}

static int st_write(void *ctx, u64 off, const void *buf, u32 len)
{
	struct store *s = ctx;

	s->writes++;
	if (!st_in(s, off, len)) {
		CHECK(!"store write past the capacity");
		return -EIO;
	}
	if (s->fail_write)
		return -ENOSPC;
	memcpy(s->b + off, buf, len);
	return 0;
}

static int st_copy(void *ctx, u64 dst, u64 src, u32 len)
{
	struct store *s = ctx;

	s->copies++;
	if (!st_in(s, dst, len) || !st_in(s, src, len)) {
		CHECK(!"store copy past the capacity");
		return -EIO;
	}
	/* GC never moves data out of a segment an I/O still uses. */
	if (len && s->busy[src / s->seg_bytes])
		CHECK(!"GC copied from a busy segment");
	memmove(s->b + dst, s->b + src, len);
	return 0;
}

static void st_drop(void *ctx, u64 off, u64 len)
{
	struct store *s = ctx;
	u64 seg;

	s->drops++;
	if (!st_in(s, off, len)) {
		CHECK(!"store drop past the capacity");
		return;
	}
	for (seg = off / s->seg_bytes; len && seg <= (off + len - 1) / s->seg_bytes; seg++)
		if (s->busy[seg])
			CHECK(!"GC dropped a busy segment");
	memset(s->b + off, POISON, len);
}

static bool st_busy(void *ctx, u32 seg)
{
	struct store *s = ctx;

	if (seg >= s->nr_segs) {
		CHECK(!"busy() asked about a segment past the last");
		return false;
	}
	return s->busy[seg];
}

static const struct kv_store_ops ops_drop = {
	.read = st_read, .write = st_write, .copy = st_copy,
	.drop = st_drop, .busy = st_busy,
};

/* drop may be NULL: the bytes stay (memmap backing). */
static const struct kv_store_ops ops_keep = {
	.read = st_read, .write = st_write, .copy = st_copy,
	.drop = NULL, .busy = st_busy,
};

/* ---- Values, keys, the model under test ------------------------------------ */

/* The value of seed: xorshift64 bytes; a prefix of a longer one. */
static void pattern(u8 *b, u32 len, u64 seed)
{
	u64 x = (seed + 1) * 0x9e3779b97f4a7c15ULL;
	u32 i, n;

	if (!x)
		x = 1;
	for (i = 0; i < len; i += 8) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		n = len - i < 8 ? len - i : 8;
		memcpy(b + i, &x, n);
	}
}

static u64 rng = 1;

static u64 rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

struct env {
	struct kv_params p;
	struct kv_model m;
	struct store st;
	const struct kv_store_ops *ops;
	u8 *want, *got;		/* max_value bytes each */
	bool up;
};

/* Checks p for cap bytes and sets the model up on a zeroed store. */
static bool env_init(struct env *e, const struct kv_params *p, u64 cap,
		     const struct kv_store_ops *ops)
{
	const char *why = NULL;
	int ret;

	memset(e, 0, sizeof(*e));
	e->p = *p;
	e->ops = ops;
	ret = kv_params_check(&e->p, cap, &why);
	if (ret) {
		printf("    kv_params_check: %d (%s)\n", ret, why ? why : "?");
		CHECK(0);
		return false;
	}
	e->st.cap = cap;
	e->st.seg_bytes = e->p.seg_bytes;
	e->st.nr_segs = (u32)(cap / e->p.seg_bytes);
	e->st.b = calloc(1, cap);
	e->st.busy = calloc(e->st.nr_segs, sizeof(bool));
	e->want = malloc(e->p.max_value + 8);
	e->got = malloc(e->p.max_value + 8);
	if (!e->st.b || !e->st.busy || !e->want || !e->got) {
		CHECK(!"out of memory");
		return false;
	}
	ret = kv_init(&e->m, &e->p, cap, ops, &e->st);
	CHECK_EQ(ret, 0);
	if (ret)
		return false;
	e->up = true;
	CHECK_EQ(e->m.nr_segs, e->st.nr_segs);
	/* Nothing is read or written. */
	CHECK_EQ(e->st.reads + e->st.writes + e->st.copies + e->st.drops, 0);
	return true;
}

static void env_free(struct env *e)
{
	if (e->up)
		kv_free(&e->m);
	e->up = false;
	free(e->st.b);
	free(e->st.busy);
	free(e->want);
	free(e->got);
}

/* A reload: the model forgotten, a fresh one on the same bytes, recovered. */
static long env_reload(struct env *e)
{
	if (e->up)
		kv_free(&e->m);
	e->up = false;
	memset(&e->m, 0x5a, sizeof(e->m));
	if (kv_init(&e->m, &e->p, e->st.cap, e->ops, &e->st)) {
		CHECK(!"kv_init on reload");
		return -1;
	}
	e->up = true;
	return kv_recover(&e->m);
}

static bool consistent(struct env *e)
{
	const char *why = NULL;

	if (kv_check_consistency(&e->m, &why)) {
		printf("    inconsistent: %s\n", why ? why : "(no reason)");
		CHECK(0);
		return false;
	}
	return true;
}

static void no_busy(struct env *e)
{
	memset(e->st.busy, 0, e->st.nr_segs * sizeof(bool));
}

/*
 * kv_store(), then the value bytes copied where it says (as the kernel
 * glue does).  Checks the location: the value follows a header in a
 * record of kv_rec_bytes() that starts on KV_ALIGN inside one segment.
 */
static u16 put(struct env *e, u64 now, const u8 *key, u32 klen, u32 vlen,
	       u64 seed, u32 opts, bool sync, u64 *done)
{
	struct kv_loc loc = { 0 };
	u64 t = 0, rec;
	u16 sc;

	sc = kv_store(&e->m, now, key, klen, vlen, opts, sync, &loc, &t);
	if (sc)
		return sc;
	rec = loc.off - KV_HDR_BYTES;
	CHECK_EQ(loc.vlen, vlen);
	CHECK_EQ(loc.off % KV_ALIGN, KV_HDR_BYTES);
	CHECK_EQ(loc.seg, rec / e->p.seg_bytes);
	CHECK_EQ((rec + kv_rec_bytes(vlen) - 1) / e->p.seg_bytes, loc.seg);
	CHECK(t >= now);
	if (loc.off < KV_HDR_BYTES || !st_in(&e->st, rec, kv_rec_bytes(vlen))) {
		CHECK(!"record outside the store");
		return sc;
	}
	pattern(e->want, vlen, seed);
	CHECK_EQ(st_write(&e->st, loc.off, e->want, vlen), 0);
	if (done)
		*done = t;
	return 0;
}

/*
 * kv_retrieve() of up to hbs bytes, then min(vlen, hbs) bytes read from
 * where it says; they must be the value of (vlen, seed).  KV_SC_NO_KEY
 * and the other refusals are returned as they are.
 */
static u16 get(struct env *e, u64 now, const u8 *key, u32 klen, u32 hbs,
	       u32 vlen, u64 seed, u64 *done)
{
	struct kv_loc loc = { 0 };
	u64 t = 0;
	u32 n, i;
	u16 sc;

	sc = kv_retrieve(&e->m, now, key, klen, hbs, 0, &loc, &t);
	if (sc)
		return sc;
	CHECK_EQ(loc.vlen, vlen);
	CHECK(t >= now);
	CHECK_EQ(loc.off % KV_ALIGN, KV_HDR_BYTES);
	CHECK_EQ(loc.seg, (loc.off - KV_HDR_BYTES) / e->p.seg_bytes);
	n = loc.vlen < hbs ? loc.vlen : hbs;
	if (n > e->p.max_value || !st_in(&e->st, loc.off, n)) {
		CHECK(!"value outside the store");
		return sc;
	}
	CHECK_EQ(st_read(&e->st, loc.off, e->got, n), 0);
	pattern(e->want, n < vlen ? n : vlen, seed);
	for (i = 0; i < n && i < vlen; i++) {
		if (e->got[i] != e->want[i]) {
			printf("    value of a %u-byte key (%u bytes) differs at byte %u: 0x%02x, want 0x%02x\n",
			       klen, vlen, i, e->got[i], e->want[i]);
			CHECK(0);
			break;
		}
	}
	if (done)
		*done = t;
	return 0;
}

static u32 get32le(const u8 *b)
{
	return b[0] | b[1] << 8 | b[2] << 16 | (u32)b[3] << 24;
}

static int kcmp(const u8 *a, u32 alen, const u8 *b, u32 blen)
{
	int c = memcmp(a, b, alen < blen ? alen : blen);

	if (c)
		return c;
	return alen < blen ? -1 : alen > blen;
}

struct key {
	u8 b[KV_KEY_MAX];
	u8 len;
};

/*
 * Checks the format of a List buffer of hbs bytes that kv_list() said
 * holds nr keys: the count, each entry a 16-bit length and the key,
 * padded to 4 bytes with zeroes, the rest of the buffer zero.  Copies up
 * to max keys to out; returns the count.
 */
static u32 parse_list(const u8 *buf, u32 hbs, u32 nr, struct key *out,
		      u32 max)
{
	u32 cnt = get32le(buf), pos = 4, i, j, len, ent;

	CHECK_EQ(cnt, nr);
	for (i = 0; i < cnt; i++) {
		if (pos + 2 > hbs) {
			CHECK(!"list entry past the buffer");
			return i;
		}
		len = buf[pos] | buf[pos + 1] << 8;
		ent = (2 + len + 3) & ~3U;
		if (len < 1 || len > KV_KEY_MAX || pos + ent > hbs) {
			printf("    list entry %u: length %u at %u of %u\n", i, len,
			       pos, hbs);
			CHECK(0);
			return i;
		}
		if (i < max) {
			memcpy(out[i].b, buf + pos + 2, len);
			out[i].len = len;
		}
		for (j = pos + 2 + len; j < pos + ent; j++)
			if (buf[j]) {
				CHECK(!"list padding not zero");
				break;
			}
		pos += ent;
	}
	for (j = pos; j < hbs; j++)
		if (buf[j]) {
			printf("    list buffer byte %u of %u past the entries: 0x%02x\n",
			       j, hbs, buf[j]);
			CHECK(0);
			break;
		}
	return cnt;
}

/* ---- The reference: what the store should hold --------------------------- */

struct ref {
	u8 key[KV_KEY_MAX];
	u8 klen;
	bool live;
	u32 vlen;
	u64 seed;
};

struct refs {
	struct ref *r;
	u32 n;
	u32 nr_live;
	u64 live_bytes;
};

/* A byte for a key: 0x00 and 0xff often, to catch signed compares. */
static u8 key_byte(void)
{
	u32 r = rnd() % 8;

	return r == 0 ? 0x00 : r == 1 ? 0xff : r == 2 ? 0x80 : (u8)rnd();
}

/* n distinct random keys of 1..16 bytes, none stored. */
static void refs_make(struct refs *rf, u32 n)
{
	u32 i, j, k;

	rf->r = calloc(n, sizeof(*rf->r));
	rf->n = n;
	rf->nr_live = 0;
	rf->live_bytes = 0;
	if (!rf->r) {
		CHECK(!"out of memory");
		rf->n = 0;
		return;
	}
	for (i = 0; i < n; i++) {
		struct ref *r = &rf->r[i];

		do {
			r->klen = 1 + rnd() % KV_KEY_MAX;
			for (k = 0; k < r->klen; k++)
				r->key[k] = key_byte();
			for (j = 0; j < i; j++)
				if (!kcmp(r->key, r->klen, rf->r[j].key,
					  rf->r[j].klen))
					break;
		} while (j < i);
	}
}

static void ref_set(struct refs *rf, struct ref *r, u32 vlen, u64 seed)
{
	if (r->live) {
		rf->live_bytes -= kv_rec_bytes(r->vlen);
	} else {
		rf->nr_live++;
		r->live = true;
	}
	r->vlen = vlen;
	r->seed = seed;
	rf->live_bytes += kv_rec_bytes(vlen);
}

static void ref_kill(struct refs *rf, struct ref *r)
{
	if (!r->live)
		return;
	r->live = false;
	rf->nr_live--;
	rf->live_bytes -= kv_rec_bytes(r->vlen);
}

static int ref_order(const void *a, const void *b)
{
	const struct ref *x = a, *y = b;

	return kcmp(x->key, x->klen, y->key, y->klen);
}

/*
 * Every key of the reference: present ones with their values, absent ones
 * refused; the key count and live bytes; then List, a page at a time,
 * gives exactly the live keys in order.
 */
static void refs_verify(struct env *e, struct refs *rf, u64 now)
{
	struct ref *sorted;
	struct key got[64];
	u8 buf[512], start[KV_KEY_MAX];
	u32 i, nr, cnt, k, pos = 0, slen = 0, skip;
	u64 t;
	u16 sc;

	CHECK_EQ(e->m.nr_keys, rf->nr_live);
	CHECK_EQ(e->m.live_bytes, rf->live_bytes);
	for (i = 0; i < rf->n && !test_failed(); i++) {
		struct ref *r = &rf->r[i];

		sc = get(e, now, r->key, r->klen, e->p.max_value, r->vlen,
			 r->seed, NULL);
		CHECK_EQ(sc, r->live ? 0 : KV_SC_NO_KEY);
		CHECK_EQ(kv_exist(&e->m, now, r->key, r->klen, &t),
			 r->live ? 0 : KV_SC_NO_KEY);
	}
	sorted = calloc(rf->nr_live + 1, sizeof(*sorted));
	if (!sorted) {
		CHECK(!"out of memory");
		return;
	}
	for (i = 0, k = 0; i < rf->n; i++)
		if (rf->r[i].live)
			sorted[k++] = rf->r[i];
	qsort(sorted, k, sizeof(*sorted), ref_order);
	/* Pages of List: each starts at the last key seen (inclusive). */
	for (;;) {
		sc = kv_list(&e->m, now, start, slen, buf, sizeof(buf), &nr, &t);
		CHECK_EQ(sc, 0);
		if (sc)
			break;
		cnt = parse_list(buf, sizeof(buf), nr, got, ARRAY_SIZE(got));
		skip = slen ? 1 : 0;	/* the start key, seen already */
		if (cnt <= skip)
			break;
		for (i = skip; i < cnt && i < ARRAY_SIZE(got); i++, pos++) {
			if (pos >= k || kcmp(got[i].b, got[i].len, sorted[pos].key,
					     sorted[pos].klen)) {
				printf("    List entry %u is not the key expected\n",
				       pos);
				CHECK(0);
				goto out;
			}
		}
		memcpy(start, got[cnt - 1].b, got[cnt - 1].len);
		slen = got[cnt - 1].len;
	}
	CHECK_EQ(pos, k);
out:
	free(sorted);
}

/* A value size: mostly small, some of pages, a few up to max. */
static u32 rand_vlen(u32 max)
{
	u32 r = rnd() % 100, v;

	if (r < 8)
		v = rnd() % 2;
	else if (r < 50)
		v = rnd() % 256;
	else if (r < 80)
		v = rnd() % 8192;
	else if (r < 97)
		v = rnd() % 65536;
	else
		v = max - rnd() % 64;
	return v > max ? max : v;
}

struct wl_stats {
	u64 stores, refused_capacity, not_ready;
};

/*
 * ops random commands on the keys of rf: Store (sometimes with options,
 * sometimes sync), Delete, Retrieve (sometimes of a prefix), Exist, List
 * from a random key; with busy, segments are marked busy and cleared at
 * random (a Store may then answer Not Ready).  Every answer is checked
 * against the reference; the model's consistency every check_every
 * commands.  *now advances.
 */
static void workload(struct env *e, struct refs *rf, u32 ops, bool busy,
		     u32 check_every, u64 *now, struct wl_stats *ws)
{
	u64 t, seed, after;
	u32 i, r, vlen, opts, hbs, nr, j;
	struct key first;
	u8 buf[64];
	u16 sc, want;

	for (i = 0; i < ops && !test_failed(); i++) {
		struct ref *k = &rf->r[rnd() % rf->n];
		bool any_busy = false;

		*now += 1 + rnd() % (20 * US);
		for (j = 0; busy && j < e->st.nr_segs; j++)
			any_busy |= e->st.busy[j];
		r = rnd() % 100;
		if (r < 40) {
			vlen = rand_vlen(e->p.max_value);
			seed = rnd();
			opts = 0;
			if (r < 4)
				opts = KV_STORE_IF_EXISTS;
			else if (r < 8)
				opts = KV_STORE_IF_ABSENT;
			sc = put(e, *now, k->key, k->klen, vlen, seed, opts,
				 rnd() % 10 == 0, &t);
			after = rf->live_bytes + kv_rec_bytes(vlen) -
				(k->live ? kv_rec_bytes(k->vlen) : 0);
			if ((opts & KV_STORE_IF_EXISTS) && !k->live)
				want = KV_SC_NO_KEY;
			else if ((opts & KV_STORE_IF_ABSENT) && k->live)
				want = KV_SC_KEY_EXISTS;
			else if (!k->live && rf->nr_live >= e->m.max_keys)
				want = KV_SC_CAPACITY;
			else if (after > e->m.usable)
				want = KV_SC_CAPACITY;
			else
				want = 0;
			if (want == 0 && sc == KV_SC_NOT_READY && any_busy) {
				ws->not_ready++;
				continue;
			}
			if (sc != want) {
				printf("    op %u: store of %u bytes (%s key, live %llu after %llu of %llu usable, %u keys): status 0x%x, want 0x%x\n",
				       i, vlen, k->live ? "present" : "absent",
				       (unsigned long long)rf->live_bytes,
				       (unsigned long long)after,
				       (unsigned long long)e->m.usable,
				       rf->nr_live, sc, want);
				CHECK(0);
				break;
			}
			if (!sc) {
				ref_set(rf, k, vlen, seed);
				ws->stores++;
			} else if (sc == KV_SC_CAPACITY) {
				ws->refused_capacity++;
			}
		} else if (r < 50) {
			sc = kv_delete(&e->m, *now, k->key, k->klen, &t);
			CHECK_EQ(sc, 0);
			CHECK(t >= *now);
			ref_kill(rf, k);
		} else if (r < 85) {
			hbs = rnd() % 4 ? e->p.max_value : rnd() % 5000;
			sc = get(e, *now, k->key, k->klen, hbs, k->vlen, k->seed,
				 NULL);
			CHECK_EQ(sc, k->live ? 0 : KV_SC_NO_KEY);
		} else if (r < 90) {
			CHECK_EQ(kv_exist(&e->m, *now, k->key, k->klen, &t),
				 k->live ? 0 : KV_SC_NO_KEY);
			CHECK(t >= *now);
		} else if (r < 93) {
			/* The first key listed is the least live key >= k. */
			struct ref *best = NULL;

			sc = kv_list(&e->m, *now, k->key, k->klen, buf,
				     sizeof(buf), &nr, &t);
			CHECK_EQ(sc, 0);
			CHECK(t >= *now);
			for (j = 0; j < rf->n; j++) {
				struct ref *c = &rf->r[j];

				if (c->live && kcmp(c->key, c->klen, k->key,
						    k->klen) >= 0 &&
				    (!best || kcmp(c->key, c->klen, best->key,
						   best->klen) < 0))
					best = c;
			}
			if (parse_list(buf, sizeof(buf), nr, &first, 1) && best)
				CHECK(!kcmp(first.b, first.len, best->key,
					    best->klen));
			else
				CHECK(!best && !nr);
		} else if (busy && r < 97) {
			e->st.busy[rnd() % e->st.nr_segs] ^= 1;
		} else if (busy) {
			no_busy(e);
		}
		if (check_every && (i + 1) % check_every == 0) {
			CHECK_EQ(e->m.nr_keys, rf->nr_live);
			CHECK_EQ(e->m.live_bytes, rf->live_bytes);
			if (!consistent(e))
				break;
		}
	}
}

/* ---- Parameters ------------------------------------------------------------ */

/* 512 KiB segments, 64 KiB values, a small 2 x 2 array. */
static struct kv_params small(void)
{
	struct kv_params p;
	const char *why = NULL;

	kv_default_params(&p);
	CHECK_EQ(kv_params_parse(&p, "channels=2,luns=2", &why), 0);
	p.seg_bytes = 512 * KIB;
	p.max_value = 64 * KIB;
	return p;
}

/* A key of len bytes: tag, then 0x00/0xff/counting bytes. */
static void mkkey(u8 *k, u32 len, u8 tag)
{
	u32 i;

	k[0] = tag;
	for (i = 1; i < len; i++)
		k[i] = i % 3 == 1 ? 0x00 : i % 3 == 2 ? 0xff : (u8)(len * 16 + i);
}

/* A 16-byte key numbered i. */
static void numkey(u8 *k, u32 i)
{
	memset(k, 'k', KV_KEY_MAX);
	k[12] = i >> 24;
	k[13] = i >> 16;
	k[14] = i >> 8;
	k[15] = i;
}

/* ---- Tests ------------------------------------------------------------------- */

static void defaults_and_params(void)
{
	struct kv_params p;
	const char *why = NULL;

	kv_default_params(&p);
	CHECK_EQ(p.max_value, 1 * MIB);
	CHECK_EQ(p.max_keys, 0);
	CHECK_EQ(p.seg_bytes, 16 * MIB);
	CHECK_EQ(p.index_ns, 1500);
	CHECK_EQ(kv_params_check(&p, 1024 * MIB, &why), 0);
	CHECK(p.flash.nand.blocks_per_plane >= SSD_MIN_LINES);	/* ssd_fit() */
	CHECK_EQ(kv_max_keys(&p, 1024 * MIB), 1024 * MIB / KV_AUTO_KEY_BYTES);
	CHECK(kv_mem_bytes(&p, 1024 * MIB) >=
	      (u64)kv_max_keys(&p, 1024 * MIB) * KV_NODE_BYTES);
	CHECK_EQ(sizeof(struct kv_node), KV_NODE_BYTES);

	/* The kv= keys of the header, then ssd= keys for the flash. */
	CHECK_EQ(kv_params_parse(&p, "max_value_kib=64,max_keys=1000,seg_mib=2,list_key_ns=50", &why), 0);
	CHECK_EQ(p.max_value, 64 * KIB);
	CHECK_EQ(p.max_keys, 1000);
	CHECK_EQ(p.seg_bytes, 2 * MIB);
	CHECK_EQ(p.list_key_ns, 50);
	CHECK_EQ(kv_max_keys(&p, 1024 * MIB), 1000);
	/* kv_model.h's comment says index_us; module, docs and code: index_ns. */
	CHECK_EQ(kv_params_parse(&p, "index_ns=3000", &why), 0);
	CHECK_EQ(p.index_ns, 3 * US);
	CHECK_EQ(kv_params_parse(&p, "channels=4,read0_us=40,write_cache=0", &why), 0);
	CHECK_EQ(p.flash.nand.nr_channels, 4);
	CHECK_EQ(p.flash.nand.read_ns[0], 40 * US);
	CHECK_EQ(p.flash.write_cache, false);
	why = NULL;
	CHECK_EQ(kv_params_parse(&p, "no_such_key=1", &why), -EINVAL);
	CHECK(why != NULL);
	CHECK_EQ(kv_params_parse(&p, "max_keys=x", &why), -EINVAL);
	CHECK_EQ(kv_params_parse(&p, "seg_mib=", &why), -EINVAL);

	/* Segments: at least KV_MIN_SEGS, each at least 2 records of max. */
	kv_default_params(&p);
	p.seg_bytes = 2 * MIB;
	CHECK_EQ(kv_params_check(&p, 16 * MIB, &why), -EINVAL);	/* 2 x (1 MiB + 64) */
	p.max_value = 1 * MIB - 64;	/* a record of exactly 1 MiB */
	CHECK_EQ(kv_params_check(&p, 16 * MIB, &why), 0);
	CHECK_EQ(kv_params_check(&p, 14 * MIB, &why), -EINVAL);	/* 7 segments */
	kv_default_params(&p);
	p.max_value = 0;
	CHECK_EQ(kv_params_check(&p, 1024 * MIB, &why), -EINVAL);
	p.max_value = KV_MAX_VALUE + 1;
	p.seg_bytes = 512 * MIB;
	CHECK_EQ(kv_params_check(&p, 8192 * MIB, &why), -EINVAL);
	kv_default_params(&p);
	CHECK_EQ(kv_params_check(&p, 64 * MIB, &why), -EINVAL);	/* 4 segments */
	CHECK(why != NULL);
}

/* Keys of 1..16 bytes with 0x00 and 0xff bytes, values of edge sizes. */
static void round_trips(void)
{
	static const u32 sizes[] = { 0, 1, 47, 48, 4095, 4096, 64 * KIB, 0 };
	struct kv_params p;
	struct env e;
	u8 key[KV_KEY_MAX];
	u64 now = 1 * MS, live = 0, t;
	u32 s, len, nsz = ARRAY_SIZE(sizes);
	u32 sz[ARRAY_SIZE(sizes)];

	kv_default_params(&p);
	p.max_value = 256 * KIB;
	p.seg_bytes = 2 * MIB;
	memcpy(sz, sizes, sizeof(sz));
	sz[nsz - 1] = p.max_value;
	if (!env_init(&e, &p, 32 * MIB, &ops_drop))
		goto out;
	for (s = 0; s < nsz; s++) {
		for (len = 1; len <= KV_KEY_MAX; len++) {
			mkkey(key, len, (u8)(s * 0x24));	/* 0x00 first */
			CHECK_EQ(put(&e, now, key, len, sz[s], s * 100 + len, 0,
				     false, &t), 0);
			live += kv_rec_bytes(sz[s]);
			now += 10 * US;
		}
	}
	CHECK_EQ(e.m.nr_keys, nsz * KV_KEY_MAX);
	CHECK_EQ(e.m.live_bytes, live);
	consistent(&e);
	now = kv_flush(&e.m, now) + 1 * MS;
	for (s = 0; s < nsz; s++) {
		for (len = 1; len <= KV_KEY_MAX; len++) {
			mkkey(key, len, (u8)(s * 0x24));
			/* The whole value, then a 10-byte prefix. */
			CHECK_EQ(get(&e, now, key, len, p.max_value, sz[s],
				     s * 100 + len, &t), 0);
			CHECK_EQ(get(&e, now, key, len, 10, sz[s],
				     s * 100 + len, &t), 0);
			/* hbs exactly the value, and one byte short of it. */
			CHECK_EQ(get(&e, now, key, len, sz[s], sz[s],
				     s * 100 + len, &t), 0);
			if (sz[s])
				CHECK_EQ(get(&e, now, key, len, sz[s] - 1, sz[s],
					     s * 100 + len, &t), 0);
			CHECK_EQ(kv_exist(&e.m, now, key, len, &t), 0);
			now += 10 * US;
		}
	}
	/* A prefix of a stored key, or a longer key, is another key. */
	mkkey(key, 16, 0);
	CHECK_EQ(kv_exist(&e.m, now, key, 16, &t), 0);
	key[15] ^= 1;
	CHECK_EQ(kv_exist(&e.m, now, key, 16, &t), KV_SC_NO_KEY);
	mkkey(key, 6, 0x24);	/* 24 00 ff 63 00 ff; the 5-byte one has 53 */
	CHECK_EQ(kv_retrieve(&e.m, now, key, 6, 100, 0,
			     &(struct kv_loc){ 0 }, &t), 0);
	CHECK_EQ(kv_retrieve(&e.m, now, key, 5, 100, 0,
			     &(struct kv_loc){ 0 }, &t), KV_SC_NO_KEY);
	key[5] = 0xfe;
	CHECK_EQ(kv_retrieve(&e.m, now, key, 6, 100, 0,
			     &(struct kv_loc){ 0 }, &t), KV_SC_NO_KEY);
	mkkey(key, 5, 0x24);
	CHECK_EQ(kv_exist(&e.m, now, key, 5, &t), 0);
	/* Retrieve RAW is accepted and changes nothing. */
	mkkey(key, 3, 0x48);
	{
		struct kv_loc loc = { 0 };

		CHECK_EQ(kv_retrieve(&e.m, now, key, 3, 4096, KV_RETRIEVE_RAW,
				     &loc, &t), 0);
		CHECK_EQ(loc.vlen, sz[2]);
	}
	consistent(&e);
out:
	env_free(&e);
}

/* The List buffer: order, start key, format, truncation. */
static void list_order_and_format(void)
{
	static const struct key keys[] = {	/* in List order */
		{ { 0x00 }, 1 },
		{ { 0x00, 0x00 }, 2 },
		{ { 0x00, 0x01 }, 2 },
		{ { 0x01 }, 1 },
		{ { 'a' }, 1 },
		{ { 'a', 'b' }, 2 },
		{ { 'a', 'b', 'c' }, 3 },
		{ { 'a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j', 'k', 'l',
		    'm', 'n', 'o', 'p' }, 16 },
		{ { 'b' }, 1 },
		{ { 0x7f }, 1 },
		{ { 0x80 }, 1 },
		{ { 0xff }, 1 },
		{ { 0xff, 0x00 }, 2 },
		{ { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
		    0xff, 0xff, 0xff, 0xff, 0xff, 0xff }, 16 },
	};
	static const u32 order[] = { 7, 0, 12, 3, 10, 5, 1, 13, 8, 2, 11, 6, 4, 9 };
	struct key got[ARRAY_SIZE(keys)];
	u32 i, nr, n = ARRAY_SIZE(keys), ent, hbs;
	u8 buf[1024];
	struct env e;
	u64 now = 1 * MS, t;
	struct kv_params p = small();

	if (!env_init(&e, &p, 8 * MIB, &ops_drop))
		goto out;
	/* An empty index lists nothing. */
	memset(buf, 0xee, sizeof(buf));
	CHECK_EQ(kv_list(&e.m, now, NULL, 0, buf, sizeof(buf), &nr, &t), 0);
	CHECK_EQ(nr, 0);
	parse_list(buf, sizeof(buf), nr, got, n);
	for (i = 0; i < n; i++)
		CHECK_EQ(put(&e, now, keys[order[i]].b, keys[order[i]].len,
			     100 + order[i], order[i], 0, false, &t), 0);

	/* From the first (klen 0): every key, bytewise, prefix first. */
	memset(buf, 0xee, sizeof(buf));
	now += 1 * MS;
	CHECK_EQ(kv_list(&e.m, now, NULL, 0, buf, sizeof(buf), &nr, &t), 0);
	CHECK_EQ(nr, n);
	CHECK_EQ(t, now + e.p.index_ns + n * e.p.list_key_ns);
	CHECK_EQ(parse_list(buf, sizeof(buf), nr, got, n), n);
	for (i = 0; i < n && i < nr; i++)
		CHECK(!kcmp(got[i].b, got[i].len, keys[i].b, keys[i].len));
	/* The exact bytes of the first entries: 01 00 00 pad, 02 00 00 00. */
	CHECK_EQ(get32le(buf), n);
	CHECK_EQ(get32le(buf + 4), 0x00000001);
	CHECK_EQ(get32le(buf + 8), 0x00000002);
	CHECK_EQ(get32le(buf + 12), 0x01000002);
	CHECK_EQ(get32le(buf + 16), 0x00010001);
	/* "abc": 03 00 'a' 'b' 'c' and three bytes of padding at 28..35. */
	CHECK_EQ(buf[28], 3);
	CHECK_EQ(buf[29], 0);
	CHECK(!memcmp(buf + 30, "abc", 3));
	CHECK_EQ(buf[33] | buf[34] | buf[35], 0);
	CHECK_EQ(buf[36], 16);

	/* The start key is inclusive; an absent one starts at the next. */
	CHECK_EQ(kv_list(&e.m, now, keys[5].b, keys[5].len, buf, sizeof(buf),
			 &nr, &t), 0);
	CHECK_EQ(nr, n - 5);
	parse_list(buf, sizeof(buf), nr, got, n);
	CHECK(!kcmp(got[0].b, got[0].len, keys[5].b, keys[5].len));
	CHECK_EQ(kv_list(&e.m, now, (const u8 *)"aa", 2, buf, sizeof(buf),
			 &nr, &t), 0);
	CHECK_EQ(nr, n - 5);
	parse_list(buf, sizeof(buf), nr, got, n);
	CHECK(!kcmp(got[0].b, got[0].len, keys[5].b, keys[5].len));
	CHECK_EQ(kv_list(&e.m, now, (const u8 *)"\x00", 1, buf, sizeof(buf),
			 &nr, &t), 0);
	CHECK_EQ(nr, n);
	CHECK_EQ(kv_list(&e.m, now, (const u8 *)"\xff\x00\x00", 3, buf,
			 sizeof(buf), &nr, &t), 0);
	CHECK_EQ(nr, 1);
	parse_list(buf, sizeof(buf), nr, got, n);
	CHECK_EQ(got[0].len, 16);
	/* Past the last key: nothing, the buffer all zero but the count. */
	CHECK_EQ(kv_delete(&e.m, now, keys[13].b, keys[13].len, &t), 0);
	memset(buf, 0xee, sizeof(buf));
	CHECK_EQ(kv_list(&e.m, now, keys[13].b, keys[13].len, buf, sizeof(buf),
			 &nr, &t), 0);
	CHECK_EQ(nr, 0);
	parse_list(buf, sizeof(buf), nr, got, n);
	CHECK_EQ(put(&e, now, keys[13].b, keys[13].len, 7, 7, 0, false, &t), 0);

	/* Truncation: whole entries only (sizes 4 x 6, 8, 20, 4, ...). */
	for (hbs = 4; hbs <= 80; hbs++) {
		u32 want = 0, pos = 4;

		for (i = 0; i < n; i++) {
			ent = (2 + keys[i].len + 3) & ~3U;
			if (pos + ent > hbs)
				break;
			pos += ent;
			want++;
		}
		memset(buf, 0xee, sizeof(buf));
		CHECK_EQ(kv_list(&e.m, now, NULL, 0, buf, hbs, &nr, &t), 0);
		CHECK_EQ(nr, want);
		CHECK_EQ(parse_list(buf, hbs, nr, got, n), want);
		for (i = hbs; i < hbs + 8; i++)
			CHECK_EQ(buf[i], 0xee);		/* nothing past hbs */
		CHECK_EQ(t, now + e.p.index_ns + want * e.p.list_key_ns);
	}
	/* 55 bytes: 4 + 6 x 4 + 8 = 36, the 20-byte entry does not fit. */
	CHECK_EQ(kv_list(&e.m, now, NULL, 0, buf, 55, &nr, &t), 0);
	CHECK_EQ(nr, 7);
	CHECK_EQ(kv_list(&e.m, now, NULL, 0, buf, 56, &nr, &t), 0);
	CHECK_EQ(nr, 8);
	/* Refusals: a buffer below 4 bytes, a key above 16. */
	CHECK_EQ(kv_list(&e.m, now, NULL, 0, buf, 3, &nr, &t), KV_SC_INVALID_FIELD);
	CHECK_EQ(kv_list(&e.m, now, NULL, 0, buf, 0, &nr, &t), KV_SC_INVALID_FIELD);
	CHECK_EQ(kv_list(&e.m, now, buf, 17, buf, sizeof(buf), &nr, &t),
		 KV_SC_KEY_SIZE);
	consistent(&e);
out:
	env_free(&e);
}

static void store_options_and_sizes(void)
{
	struct kv_params p = small();
	u8 key[KV_KEY_MAX + 1] = "optionskey";
	u8 other[KV_KEY_MAX] = "absentkey";
	struct kv_loc loc;
	struct env e;
	u64 now = 1 * MS, t, live;
	u32 bit;

	if (!env_init(&e, &p, 8 * MIB, &ops_drop))
		goto out;
	/* IF_EXISTS on a missing key; IF_ABSENT on a missing key stores. */
	CHECK_EQ(put(&e, now, key, 10, 100, 1, KV_STORE_IF_EXISTS, false, &t),
		 KV_SC_NO_KEY);
	CHECK_EQ(e.m.nr_keys, 0);
	CHECK_EQ(put(&e, now, key, 10, 100, 1, KV_STORE_IF_ABSENT, false, &t), 0);
	live = e.m.live_bytes;
	CHECK_EQ(live, kv_rec_bytes(100));
	/* IF_ABSENT on a present key; IF_EXISTS on it replaces the value. */
	CHECK_EQ(put(&e, now, key, 10, 200, 2, KV_STORE_IF_ABSENT, false, &t),
		 KV_SC_KEY_EXISTS);
	CHECK_EQ(get(&e, now, key, 10, 4096, 100, 1, &t), 0);
	CHECK_EQ(put(&e, now, key, 10, 300, 3, KV_STORE_IF_EXISTS, false, &t), 0);
	CHECK_EQ(get(&e, now, key, 10, 4096, 300, 3, &t), 0);
	CHECK_EQ(e.m.stats.overwrites, 1);
	live = e.m.live_bytes;
	/* Both bits, or any unknown bit: Invalid Field, nothing changed. */
	CHECK_EQ(kv_store(&e.m, now, key, 10, 5, KV_STORE_IF_EXISTS |
			  KV_STORE_IF_ABSENT, false, &loc, &t), KV_SC_INVALID_FIELD);
	CHECK_EQ(kv_store(&e.m, now, other, 9, 5, KV_STORE_IF_EXISTS |
			  KV_STORE_IF_ABSENT, false, &loc, &t), KV_SC_INVALID_FIELD);
	for (bit = 2; bit < 32; bit++) {
		CHECK_EQ(kv_store(&e.m, now, key, 10, 5, 1U << bit, false, &loc,
				  &t), KV_SC_INVALID_FIELD);
		CHECK_EQ(kv_store(&e.m, now, other, 9, 5, 1U << bit, false, &loc,
				  &t), KV_SC_INVALID_FIELD);
	}
	/* Key sizes 0 and 17, everywhere. */
	CHECK_EQ(kv_store(&e.m, now, key, 0, 5, 0, false, &loc, &t), KV_SC_KEY_SIZE);
	CHECK_EQ(kv_store(&e.m, now, key, 17, 5, 0, false, &loc, &t), KV_SC_KEY_SIZE);
	CHECK_EQ(kv_retrieve(&e.m, now, key, 0, 5, 0, &loc, &t), KV_SC_KEY_SIZE);
	CHECK_EQ(kv_retrieve(&e.m, now, key, 17, 5, 0, &loc, &t), KV_SC_KEY_SIZE);
	CHECK_EQ(kv_delete(&e.m, now, key, 0, &t), KV_SC_KEY_SIZE);
	CHECK_EQ(kv_delete(&e.m, now, key, 17, &t), KV_SC_KEY_SIZE);
	CHECK_EQ(kv_exist(&e.m, now, key, 0, &t), KV_SC_KEY_SIZE);
	CHECK_EQ(kv_exist(&e.m, now, key, 17, &t), KV_SC_KEY_SIZE);
	/* Retrieve options other than RAW. */
	CHECK_EQ(kv_retrieve(&e.m, now, key, 10, 5, 2, &loc, &t),
		 KV_SC_INVALID_FIELD);
	/* Value sizes: max_value stores, one more byte does not. */
	CHECK_EQ(kv_store(&e.m, now, other, 9, p.max_value + 1, 0, false, &loc,
			  &t), KV_SC_VALUE_SIZE);
	CHECK_EQ(kv_store(&e.m, now, key, 10, p.max_value + 1, 0, false, &loc,
			  &t), KV_SC_VALUE_SIZE);
	CHECK_EQ(kv_store(&e.m, now, key, 10, U32_MAX, 0, false, &loc, &t),
		 KV_SC_VALUE_SIZE);
	CHECK_EQ(e.m.nr_keys, 1);
	CHECK_EQ(e.m.live_bytes, live);
	CHECK_EQ(get(&e, now, key, 10, 4096, 300, 3, &t), 0);
	CHECK_EQ(put(&e, now, other, 9, p.max_value, 9, 0, false, &t), 0);
	CHECK_EQ(get(&e, now, other, 9, p.max_value, p.max_value, 9, &t), 0);
	consistent(&e);
out:
	env_free(&e);
}

static void delete_and_exist(void)
{
	struct kv_params p = small();
	u8 key[] = "deleteme";
	struct env e;
	u64 now = 1 * MS, t;

	if (!env_init(&e, &p, 8 * MIB, &ops_drop))
		goto out;
	CHECK_EQ(e.m.ednek, false);
	CHECK_EQ(kv_exist(&e.m, now, key, 8, &t), KV_SC_NO_KEY);
	CHECK_EQ(kv_delete(&e.m, now, key, 8, &t), 0);	/* missing: fine */
	CHECK_EQ(put(&e, now, key, 8, 5000, 1, 0, false, &t), 0);
	CHECK_EQ(kv_exist(&e.m, now, key, 8, &t), 0);
	CHECK_EQ(kv_exist(&e.m, now, key, 7, &t), KV_SC_NO_KEY);
	CHECK_EQ(kv_delete(&e.m, now, key, 7, &t), 0);	/* a prefix: missing */
	CHECK_EQ(e.m.nr_keys, 1);
	CHECK_EQ(kv_delete(&e.m, now, key, 8, &t), 0);
	CHECK_EQ(e.m.nr_keys, 0);
	CHECK_EQ(e.m.live_bytes, 0);
	CHECK_EQ(kv_exist(&e.m, now, key, 8, &t), KV_SC_NO_KEY);
	CHECK_EQ(get(&e, now, key, 8, 100, 0, 0, &t), KV_SC_NO_KEY);
	CHECK_EQ(kv_delete(&e.m, now, key, 8, &t), 0);
	/* Error on Delete of a missing key (feature 20h). */
	e.m.ednek = true;
	CHECK_EQ(kv_delete(&e.m, now, key, 8, &t), KV_SC_NO_KEY);
	CHECK_EQ(put(&e, now, key, 8, 77, 2, 0, false, &t), 0);
	CHECK_EQ(kv_delete(&e.m, now, key, 8, &t), 0);
	CHECK_EQ(kv_delete(&e.m, now, key, 8, &t), KV_SC_NO_KEY);
	/* Stored again: the new value, not the deleted one. */
	CHECK_EQ(put(&e, now, key, 8, 33, 3, 0, false, &t), 0);
	CHECK_EQ(get(&e, now, key, 8, 100, 33, 3, &t), 0);
	consistent(&e);
out:
	env_free(&e);
}

/* live_bytes and the segments' live bytes follow stores and deletes. */
static void space_accounting(void)
{
	struct kv_params p = small();
	u8 a[] = "alpha", b[] = "bravo";
	struct env e;
	u64 now = 1 * MS, t, sum;
	u32 s;

	if (!env_init(&e, &p, 8 * MIB, &ops_drop))
		goto out;
	CHECK_EQ(e.m.max_rec, kv_rec_bytes(p.max_value));
	CHECK_EQ(e.m.usable, (u64)(e.m.nr_segs - 4) * (p.seg_bytes - e.m.max_rec));
	CHECK_EQ(kv_rec_bytes(0), 64);
	CHECK_EQ(kv_rec_bytes(16), 64);
	CHECK_EQ(kv_rec_bytes(17), 128);
	CHECK_EQ(put(&e, now, a, 5, 1000, 1, 0, false, &t), 0);
	CHECK_EQ(e.m.live_bytes, kv_rec_bytes(1000));
	CHECK_EQ(put(&e, now, b, 5, 0, 2, 0, false, &t), 0);
	CHECK_EQ(e.m.live_bytes, kv_rec_bytes(1000) + kv_rec_bytes(0));
	CHECK_EQ(put(&e, now, a, 5, 5000, 3, 0, false, &t), 0);
	CHECK_EQ(e.m.live_bytes, kv_rec_bytes(5000) + kv_rec_bytes(0));
	CHECK_EQ(e.m.stats.overwrites, 1);
	CHECK_EQ(e.m.nr_keys, 2);
	for (s = 0, sum = 0; s < e.m.nr_segs; s++)
		sum += e.m.segs[s].live;
	CHECK_EQ(sum, e.m.live_bytes);
	/* The log holds the dead record too. */
	CHECK_EQ(e.m.segs[e.m.head].used,
		 kv_rec_bytes(1000) + kv_rec_bytes(0) + kv_rec_bytes(5000));
	CHECK_EQ(kv_delete(&e.m, now, a, 5, &t), 0);
	CHECK_EQ(e.m.live_bytes, kv_rec_bytes(0));
	CHECK_EQ(kv_delete(&e.m, now, b, 5, &t), 0);
	CHECK_EQ(e.m.live_bytes, 0);
	for (s = 0, sum = 0; s < e.m.nr_segs; s++)
		sum += e.m.segs[s].live;
	CHECK_EQ(sum, 0);
	consistent(&e);
out:
	env_free(&e);
}

/*
 * Distinct keys of 16 KiB fill the usable space exactly, then Capacity
 * Exceeded; delete half, and as many again store (GC reclaims).
 */
static void capacity_then_gc(void)
{
	struct kv_params p = small();
	u32 vlen = 16 * KIB, i, n_ok, n2, nr;
	u64 rb = kv_rec_bytes(vlen), now = 1 * MS, t, gc_reads = 0;
	u8 key[KV_KEY_MAX];
	struct env e;

	if (!env_init(&e, &p, 8 * MIB, &ops_drop))
		goto out;
	n_ok = (u32)(e.m.usable / rb);
	for (i = 0; i < n_ok; i++) {
		numkey(key, i);
		if (put(&e, now, key, KV_KEY_MAX, vlen, i, 0, false, &t)) {
			printf("    store %u of %u refused\n", i, n_ok);
			CHECK(0);
			break;
		}
		now += 100 * US;
	}
	CHECK_EQ(e.m.live_bytes, (u64)n_ok * rb);
	numkey(key, n_ok);
	CHECK_EQ(put(&e, now, key, KV_KEY_MAX, vlen, n_ok, 0, false, &t),
		 KV_SC_CAPACITY);
	/* A smaller value still fits in what is left. */
	if (e.m.usable - e.m.live_bytes >= 64)
		CHECK_EQ(put(&e, now, key, KV_KEY_MAX, 0, n_ok, 0, false, &t), 0);
	CHECK_EQ(kv_delete(&e.m, now, key, KV_KEY_MAX, &t), 0);
	/* Replacing a value by one as large fits: the old one goes. */
	numkey(key, 0);
	CHECK_EQ(put(&e, now, key, KV_KEY_MAX, vlen, 0, 0, false, &t), 0);
	consistent(&e);
	/* Delete the even keys; store new keys until full again. */
	for (i = 0; i < n_ok; i += 2) {
		numkey(key, i);
		CHECK_EQ(kv_delete(&e.m, now, key, KV_KEY_MAX, &t), 0);
	}
	nr = n_ok - (n_ok + 1) / 2;
	CHECK_EQ(e.m.nr_keys, nr);
	n2 = (u32)((e.m.usable - e.m.live_bytes) / rb);
	CHECK_EQ(n2, (n_ok + 1) / 2);
	for (i = 0; i < n2; i++) {
		u64 before = e.m.stats.gc_records;

		numkey(key, 100000 + i);
		now += 1 * MS;
		if (put(&e, now, key, KV_KEY_MAX, vlen, 100000 + i, 0, false, &t)) {
			printf("    store %u of %u after the deletes refused\n", i, n2);
			CHECK(0);
			break;
		}
		/* A Store that made GC move records waits for their reads. */
		if (e.m.stats.gc_records > before) {
			gc_reads++;
			CHECK(t >= now + p.index_ns + p.flash.nand.read_ns[0]);
		}
	}
	numkey(key, 200000);
	CHECK_EQ(put(&e, now, key, KV_KEY_MAX, vlen, 1, 0, false, &t),
		 KV_SC_CAPACITY);
	CHECK(e.m.stats.gc_segments > 0);
	CHECK(e.m.stats.gc_records > 0);
	CHECK(gc_reads > 0);
	CHECK_EQ(e.m.nr_keys, nr + n2);
	/* Every value intact after GC moved it. */
	for (i = 1; i < n_ok; i += 2) {
		numkey(key, i);
		CHECK_EQ(get(&e, now, key, KV_KEY_MAX, vlen, vlen, i, &t), 0);
	}
	for (i = 0; i < n2; i++) {
		numkey(key, 100000 + i);
		CHECK_EQ(get(&e, now, key, KV_KEY_MAX, vlen, vlen, 100000 + i, &t), 0);
	}
	consistent(&e);
out:
	env_free(&e);
}

/* max_keys: new keys refused at the limit, overwrites still fine. */
static void max_keys_limit(void)
{
	struct kv_params p = small();
	u8 key[KV_KEY_MAX];
	struct env e;
	u64 now = 1 * MS, t;
	u32 i;

	p.max_keys = 10;
	if (!env_init(&e, &p, 8 * MIB, &ops_drop))
		goto out;
	CHECK_EQ(e.m.max_keys, 10);
	for (i = 0; i < 10; i++) {
		numkey(key, i);
		CHECK_EQ(put(&e, now, key, KV_KEY_MAX, 10, i, 0, false, &t), 0);
	}
	numkey(key, 10);
	CHECK_EQ(put(&e, now, key, KV_KEY_MAX, 10, 10, 0, false, &t), KV_SC_CAPACITY);
	CHECK_EQ(e.m.nr_keys, 10);
	numkey(key, 3);
	CHECK_EQ(put(&e, now, key, KV_KEY_MAX, 20, 33, 0, false, &t), 0);
	CHECK_EQ(kv_delete(&e.m, now, key, KV_KEY_MAX, &t), 0);
	numkey(key, 10);
	CHECK_EQ(put(&e, now, key, KV_KEY_MAX, 10, 10, 0, false, &t), 0);
	CHECK_EQ(get(&e, now, key, KV_KEY_MAX, 10, 10, 10, &t), 0);
	consistent(&e);
out:
	env_free(&e);
}

/* Index nodes are reused after deletes: no more than max_keys + a chunk. */
static void index_nodes_reused(void)
{
	struct kv_params p = small();
	u8 key[KV_KEY_MAX];
	struct env e;
	u64 now = 1 * MS, t;
	u32 i, round, n = 5000;

	p.max_keys = n;
	if (!env_init(&e, &p, 8 * MIB, &ops_drop))
		goto out;
	for (round = 0; round < 3 && !test_failed(); round++) {
		for (i = 0; i < n; i++) {
			numkey(key, round * n + i);
			if (put(&e, now, key, KV_KEY_MAX, 0, i, 0, false, &t)) {
				CHECK(!"store refused");
				break;
			}
		}
		CHECK_EQ(e.m.nr_keys, n);
		CHECK(e.m.nr_carved <= n);
		CHECK((u64)e.m.nr_chunks * KV_CHUNK_NODES <= n + KV_CHUNK_NODES);
		consistent(&e);
		for (i = 0; i < n; i++) {
			numkey(key, round * n + i);
			CHECK_EQ(kv_delete(&e.m, now, key, KV_KEY_MAX, &t), 0);
		}
		CHECK_EQ(e.m.nr_keys, 0);
	}
	consistent(&e);
out:
	env_free(&e);
}

/*
 * Every closed segment busy: GC cannot run, Stores answer Not Ready and
 * change nothing; once the segments are idle the Store goes through.
 */
static void gc_blocked_by_busy(void)
{
	struct kv_params p = small();
	u32 vlen = 60 * KIB, i, k = 0, s, seed = 0;
	u64 now = 1 * MS, t, seeds[4] = { 0 };
	u8 key[4][KV_KEY_MAX];
	struct env e;
	u16 sc = 0;

	if (!env_init(&e, &p, 8 * MIB, &ops_drop))
		goto out;
	for (k = 0; k < 4; k++) {
		numkey(key[k], k);
		CHECK_EQ(put(&e, now, key[k], KV_KEY_MAX, vlen, ++seed, 0, false, &t), 0);
		seeds[k] = seed;
	}
	for (i = 0; i < 1000; i++) {
		for (s = 0; s < e.m.nr_segs; s++)
			e.st.busy[s] = e.m.segs[s].state == KV_SEG_CLOSED;
		k = i % 4;
		now += 100 * US;
		sc = put(&e, now, key[k], KV_KEY_MAX, vlen, seed + 1, 0, false, &t);
		if (sc)
			break;
		seeds[k] = ++seed;
	}
	CHECK_EQ(sc, KV_SC_NOT_READY);
	CHECK(e.m.stats.gc_blocked > 0);
	CHECK_EQ(e.m.stats.gc_segments, 0);
	CHECK_EQ(e.m.nr_keys, 4);
	CHECK_EQ(e.m.live_bytes, 4 * kv_rec_bytes(vlen));
	for (i = 0; i < 4; i++)
		CHECK_EQ(get(&e, now, key[i], KV_KEY_MAX, vlen, vlen, seeds[i], &t), 0);
	consistent(&e);
	/* Other commands are not held up. */
	CHECK_EQ(kv_exist(&e.m, now, key[0], KV_KEY_MAX, &t), 0);
	/* Idle again: the same Store goes through. */
	no_busy(&e);
	CHECK_EQ(put(&e, now, key[k], KV_KEY_MAX, vlen, seed + 1, 0, false, &t), 0);
	seeds[k] = ++seed;
	CHECK(e.m.stats.gc_segments > 0);
	/* Half the closed segments busy: GC works around them. */
	for (i = 0; i < 300; i++) {
		u32 nb = 0;

		for (s = 0; s < e.m.nr_segs; s++) {
			e.st.busy[s] = e.m.segs[s].state == KV_SEG_CLOSED &&
				       (s + i / 50) % 2;
			nb += e.st.busy[s];
		}
		k = i % 4;
		now += 100 * US;
		sc = put(&e, now, key[k], KV_KEY_MAX, vlen, seed + 1, 0, false, &t);
		if (sc == KV_SC_NOT_READY)
			continue;
		CHECK_EQ(sc, 0);
		if (sc)
			break;
		seeds[k] = ++seed;
	}
	no_busy(&e);
	for (i = 0; i < 4; i++)
		CHECK_EQ(get(&e, now, key[i], KV_KEY_MAX, vlen, vlen, seeds[i], &t), 0);
	consistent(&e);
out:
	env_free(&e);
}

/* A store with no memory: the Store is refused, the old value stays. */
static void store_without_memory(void)
{
	struct kv_params p = small();
	u8 key[] = "nomem", other[] = "other";
	struct env e;
	u64 now = 1 * MS, t;

	if (!env_init(&e, &p, 8 * MIB, &ops_drop))
		goto out;
	CHECK_EQ(put(&e, now, key, 5, 3000, 1, 0, false, &t), 0);
	e.st.fail_write = true;
	CHECK_EQ(put(&e, now, key, 5, 4000, 2, 0, false, &t), KV_SC_CAPACITY);
	CHECK_EQ(put(&e, now, other, 5, 4000, 3, 0, false, &t), KV_SC_CAPACITY);
	e.st.fail_write = false;
	CHECK_EQ(e.m.nr_keys, 1);
	CHECK_EQ(e.m.live_bytes, kv_rec_bytes(3000));
	CHECK_EQ(get(&e, now, key, 5, 9000, 3000, 1, &t), 0);
	CHECK_EQ(get(&e, now, other, 5, 9000, 0, 0, &t), KV_SC_NO_KEY);
	consistent(&e);
	CHECK_EQ(put(&e, now, other, 5, 4000, 3, 0, false, &t), 0);
	CHECK_EQ(get(&e, now, other, 5, 9000, 4000, 3, &t), 0);
	consistent(&e);
	CHECK_EQ(env_reload(&e), 2);
	CHECK_EQ(get(&e, now, key, 5, 9000, 3000, 1, &t), 0);
	consistent(&e);
out:
	env_free(&e);
}

/* 200k random commands against the reference, with busy segments. */
static void random_workload(void)
{
	struct kv_params p = small();
	struct wl_stats ws = { 0 };
	struct refs rf = { 0 };
	struct env e;
	u64 now = 1 * MS;

	rng = 0x1234567;
	if (!env_init(&e, &p, 16 * MIB, &ops_drop))
		goto out;
	refs_make(&rf, 1500);
	workload(&e, &rf, 200000, true, 2000, &now, &ws);
	no_busy(&e);
	if (!test_failed())
		refs_verify(&e, &rf, now);
	consistent(&e);
	CHECK(ws.stores > 50000);
	CHECK(e.m.stats.gc_segments > 100);
	CHECK(e.m.stats.gc_records > 0);
out:
	free(rf.r);
	env_free(&e);
}

/* A store nearly full of live data: GC must still always make room. */
static void random_workload_nearly_full(void)
{
	struct kv_params p = small();
	struct wl_stats ws = { 0 };
	struct refs rf = { 0 };
	struct env e;
	u64 now = 1 * MS;

	rng = 0xabcdef;
	if (!env_init(&e, &p, 8 * MIB, &ops_drop))
		goto out;
	refs_make(&rf, 1200);		/* ~8.6 MB if all live: over usable */
	workload(&e, &rf, 60000, false, 1000, &now, &ws);
	if (!test_failed())
		refs_verify(&e, &rf, now);
	consistent(&e);
	CHECK(ws.refused_capacity > 0);
out:
	free(rf.r);
	env_free(&e);
}

/* Segments of two records of max_value, the least kv_params_check() takes. */
static void random_workload_small_segments(void)
{
	struct kv_params p = small();
	struct wl_stats ws = { 0 };
	struct refs rf = { 0 };
	struct env e;
	u64 now = 1 * MS;

	rng = 0x5eed;
	p.max_value = 60 * KIB;
	p.seg_bytes = 128 * KIB;	/* 2 x 61504 bytes */
	if (!env_init(&e, &p, 4 * MIB, &ops_drop))
		goto out;
	refs_make(&rf, 300);
	workload(&e, &rf, 60000, true, 1000, &now, &ws);
	no_busy(&e);
	if (!test_failed())
		refs_verify(&e, &rf, now);
	consistent(&e);
	CHECK(ws.refused_capacity > 0);
	CHECK(e.m.stats.gc_segments > 100);
	if (!test_failed()) {
		CHECK_EQ(env_reload(&e), rf.nr_live);
		refs_verify(&e, &rf, now);
	}
out:
	free(rf.r);
	env_free(&e);
}

/*
 * Reload and recover: the same keys and values, the model consistent; it
 * goes on storing, and a second reload still finds the newest values.
 */
static void recover_common(const struct kv_store_ops *ops, u64 seed)
{
	struct kv_params p = small();
	struct wl_stats ws = { 0 };
	struct refs rf = { 0 };
	struct env e;
	u64 now = 1 * MS;
	long n;
	int round;

	rng = seed;
	if (!env_init(&e, &p, 16 * MIB, ops))
		goto out;
	refs_make(&rf, 1000);
	for (round = 0; round < 3 && !test_failed(); round++) {
		workload(&e, &rf, 20000, false, 0, &now, &ws);
		if (test_failed())
			break;
		consistent(&e);
		n = env_reload(&e);
		CHECK_EQ(n, rf.nr_live);
		if (!consistent(&e))
			break;
		refs_verify(&e, &rf, now);
	}
	CHECK(e.m.stats.gc_segments == 0);	/* stats restart on a reload */
	/* A last round: the GC of the recovered log. */
	workload(&e, &rf, 20000, false, 5000, &now, &ws);
	CHECK(e.m.stats.gc_segments > 0);
	CHECK(e.m.stats.gc_records > 0);
	if (!test_failed()) {
		CHECK_EQ(env_reload(&e), rf.nr_live);
		refs_verify(&e, &rf, now);
		consistent(&e);
	}
out:
	free(rf.r);
	env_free(&e);
}

static void recover_after_reload(void)
{
	recover_common(&ops_drop, 777);
}

/* drop NULL (memmap backing): stale records stay in the bytes. */
static void recover_without_drop(void)
{
	recover_common(&ops_keep, 888);
}

/* Records GC moved are found where it moved them, once. */
static void recover_after_gc(void)
{
	struct kv_params p = small();
	u8 cold[80][KV_KEY_MAX], hot[] = "hotkey";
	u32 vlen = 8 * KIB, i, c;
	u64 now = 1 * MS, t, seed = 0;
	struct env e;

	if (!env_init(&e, &p, 8 * MIB, &ops_keep))
		goto out;
	/* Cold keys spread over every segment, among hot records. */
	for (i = 0, c = 0; i < 500; i++) {
		now += 100 * US;
		seed = 1000 + i;
		if (put(&e, now, hot, 6, 40 * KIB, seed, 0, false, &t)) {
			CHECK(!"hot store refused");
			break;
		}
		if (i % 6 == 0 && c < ARRAY_SIZE(cold)) {
			numkey(cold[c], c);
			CHECK_EQ(put(&e, now, cold[c], KV_KEY_MAX, vlen, c, 0,
				     false, &t), 0);
			c++;
		}
	}
	CHECK(e.m.stats.gc_records >= 10);
	CHECK_EQ(kv_delete(&e.m, now, cold[3], KV_KEY_MAX, &t), 0);
	CHECK_EQ(env_reload(&e), c);
	consistent(&e);
	for (i = 0; i < c; i++)
		CHECK_EQ(get(&e, now, cold[i], KV_KEY_MAX, vlen, vlen, i, &t),
			 i == 3 ? KV_SC_NO_KEY : 0);
	CHECK_EQ(get(&e, now, hot, 6, 64 * KIB, 40 * KIB, seed, &t), 0);
	CHECK_EQ(e.m.live_bytes, (c - 1) * kv_rec_bytes(vlen) +
		 kv_rec_bytes(40 * KIB));
out:
	env_free(&e);
}

/*
 * Two live records of a key (the Store's mark of the old one dead was
 * lost, as in a power cut): recovery keeps the newer, whichever segment
 * it walks first, also when the newer was written after a reload.
 */
static void recover_keeps_newer(void)
{
	struct kv_params p = small();
	u8 key[] = "twice", fill[] = "filler", magic[4];
	struct kv_loc loc1, loc2;
	struct env e;
	u64 now = 1 * MS, t, r1;
	u32 i;

	if (!env_init(&e, &p, 8 * MIB, &ops_drop))
		goto out;
	/* Filler pushes the head on, so that key's v1 is in segment 2. */
	for (i = 0; e.m.head != 2 && i < 1000; i++)
		CHECK_EQ(put(&e, now, fill, 6, 40 * KIB, i, 0, false, &t), 0);
	CHECK_EQ(kv_store(&e.m, now, key, 5, 1000, 0, false, &loc1, &t), 0);
	pattern(e.st.b + loc1.off, 1000, 1);
	r1 = loc1.off - KV_HDR_BYTES;
	memcpy(magic, e.st.b + r1, sizeof(magic));
	CHECK_EQ(env_reload(&e), 2);
	/* v2 after the reload, in the same segment: mark of v1 lost. */
	CHECK_EQ(kv_store(&e.m, now, key, 5, 2000, 0, false, &loc2, &t), 0);
	pattern(e.st.b + loc2.off, 2000, 2);
	memcpy(e.st.b + r1, magic, sizeof(magic));
	CHECK_EQ(env_reload(&e), 2);
	CHECK_EQ(get(&e, now, key, 5, 4096, 2000, 2, &t), 0);
	consistent(&e);
	/* v3 in a lower segment than v2 (the log wrapped round). */
	for (i = 0; (e.m.head == KV_NONE || e.m.head >= loc2.seg) && i < 5000; i++)
		CHECK_EQ(put(&e, now, fill, 6, 40 * KIB, i, 0, false, &t), 0);
	r1 = loc2.off - KV_HDR_BYTES;
	memcpy(magic, e.st.b + r1, sizeof(magic));
	CHECK_EQ(kv_store(&e.m, now, key, 5, 3000, 0, false, &loc1, &t), 0);
	CHECK(loc1.seg < loc2.seg);
	pattern(e.st.b + loc1.off, 3000, 3);
	memcpy(e.st.b + r1, magic, sizeof(magic));
	CHECK_EQ(env_reload(&e), 2);
	CHECK_EQ(get(&e, now, key, 5, 4096, 3000, 3, &t), 0);
	CHECK_EQ(e.m.live_bytes, kv_rec_bytes(3000) + kv_rec_bytes(40 * KIB));
	consistent(&e);
	/* The older one was marked dead: a second reload agrees. */
	CHECK_EQ(env_reload(&e), 2);
	CHECK_EQ(get(&e, now, key, 5, 4096, 3000, 3, &t), 0);
out:
	env_free(&e);
}

/* Garbage bytes hold no records; a record copied elsewhere is no record. */
static void recover_garbage(void)
{
	struct kv_params p = small();
	struct env e;
	u64 i, now = 1 * MS, t;
	u8 a[] = "akey", b[] = "bkey";
	long n;

	if (!env_init(&e, &p, 8 * MIB, &ops_drop))
		goto out;
	rng = 99;
	for (i = 0; i < e.st.cap; i += 8) {
		u64 x = rnd();

		memcpy(e.st.b + i, &x, 8);
	}
	n = kv_recover(&e.m);
	CHECK_EQ(n, 0);
	consistent(&e);
	CHECK_EQ(put(&e, now, a, 4, 100, 1, 0, false, &t), 0);
	CHECK_EQ(get(&e, now, a, 4, 100, 100, 1, &t), 0);
	/* All poison, all zero. */
	memset(e.st.b, POISON, e.st.cap);
	CHECK_EQ(env_reload(&e), 0);
	consistent(&e);
	memset(e.st.b, 0, e.st.cap);
	CHECK_EQ(env_reload(&e), 0);
	/* A header copied to another place does not check there. */
	CHECK_EQ(put(&e, now, a, 4, 100, 1, 0, false, &t), 0);
	CHECK_EQ(put(&e, now, b, 4, 100, 2, 0, false, &t), 0);
	memcpy(e.st.b + 5 * p.seg_bytes, e.st.b + kv_rec_bytes(100),
	       kv_rec_bytes(100));
	CHECK_EQ(kv_delete(&e.m, now, b, 4, &t), 0);
	CHECK_EQ(env_reload(&e), 1);
	CHECK_EQ(get(&e, now, b, 4, 100, 100, 2, &t), KV_SC_NO_KEY);
	CHECK_EQ(get(&e, now, a, 4, 100, 100, 1, &t), 0);
	consistent(&e);
out:
	env_free(&e);
}

/*
 * Format, reload, store, reload, with drop NULL (memmap backing, whose
 * drop does nothing): the records written before the format must not come
 * back, neither as keys nor as older values of a key stored again.
 */
static void recover_after_format_without_drop(void)
{
	struct kv_params p = small();
	u8 a[] = "akey", b[] = "bkey", d[] = "dkey";
	struct env e;
	u64 now = 1 * MS, t;

	if (!env_init(&e, &p, 8 * MIB, &ops_keep))
		goto out;
	CHECK_EQ(put(&e, now, a, 4, 1000, 1, 0, false, &t), 0);
	CHECK_EQ(put(&e, now, b, 4, 1000, 2, 0, false, &t), 0);
	CHECK_EQ(put(&e, now, d, 4, 1000, 3, 0, false, &t), 0);
	kv_format(&e.m);
	CHECK_EQ(env_reload(&e), 0);
	/* b again, where a was: the first record of the first segment. */
	CHECK_EQ(put(&e, now, b, 4, 1000, 4, 0, false, &t), 0);
	CHECK_EQ(env_reload(&e), 1);
	CHECK_EQ(get(&e, now, b, 4, 1000, 1000, 4, &t), 0);
	CHECK_EQ(get(&e, now, d, 4, 1000, 1000, 3, &t), KV_SC_NO_KEY);
	consistent(&e);
out:
	env_free(&e);
}

static void format_forgets_all(void)
{
	struct kv_params p = small();
	struct wl_stats ws = { 0 };
	struct refs rf = { 0 };
	struct env e;
	u64 now = 1 * MS, t;
	u32 i, nr;
	u8 buf[64];

	rng = 4242;
	if (!env_init(&e, &p, 8 * MIB, &ops_drop))
		goto out;
	refs_make(&rf, 300);
	workload(&e, &rf, 5000, false, 0, &now, &ws);
	CHECK(rf.nr_live > 0);
	i = (u32)e.st.drops;
	kv_format(&e.m);
	CHECK(e.st.drops > i);		/* what held data is dropped */
	CHECK_EQ(e.m.nr_keys, 0);
	CHECK_EQ(e.m.live_bytes, 0);
	CHECK_EQ(e.m.nr_free, e.m.nr_segs);
	for (i = 0; i < e.m.nr_segs; i++)
		CHECK_EQ(e.m.segs[i].state, KV_SEG_FREE);
	CHECK_EQ(kv_list(&e.m, now, NULL, 0, buf, sizeof(buf), &nr, &t), 0);
	CHECK_EQ(nr, 0);
	for (i = 0; i < rf.n; i++) {
		CHECK_EQ(kv_exist(&e.m, now, rf.r[i].key, rf.r[i].klen, &t),
			 KV_SC_NO_KEY);
		ref_kill(&rf, &rf.r[i]);
	}
	consistent(&e);
	/* It works as new; a reload finds only what came after. */
	workload(&e, &rf, 5000, false, 1000, &now, &ws);
	refs_verify(&e, &rf, now);
	CHECK_EQ(env_reload(&e), rf.nr_live);
	refs_verify(&e, &rf, now);
	kv_format(&e.m);
	CHECK_EQ(env_reload(&e), 0);
	consistent(&e);
out:
	free(rf.r);
	env_free(&e);
}

/* Index-only commands take index_ns; Stores and Retrieves the SSD's time. */
static void timing(void)
{
	struct kv_params p = small();
	const struct ssd_params *f;
	u8 a[] = "timing", big[] = "bigvalue", key[KV_KEY_MAX];
	u64 now = 10 * MS, t, t2, tr_min, tr_max, lim, t_small, t_large;
	struct env e;
	u32 i, c, nr;
	u8 buf[64];

	if (!env_init(&e, &p, 8 * MIB, &ops_drop))
		goto out;
	f = &e.p.flash;
	tr_min = tr_max = f->nand.read_ns[0];
	for (c = 1; c < f->nand.cell_bits; c++) {
		tr_min = f->nand.read_ns[c] < tr_min ? f->nand.read_ns[c] : tr_min;
		tr_max = f->nand.read_ns[c] > tr_max ? f->nand.read_ns[c] : tr_max;
	}
	/* Exist, Delete, List: index work only. */
	CHECK_EQ(kv_exist(&e.m, now, a, 6, &t), KV_SC_NO_KEY);
	CHECK_EQ(t, now + p.index_ns);
	CHECK_EQ(kv_delete(&e.m, now, a, 6, &t), 0);
	CHECK_EQ(t, now + p.index_ns);
	CHECK_EQ(kv_list(&e.m, now, NULL, 0, buf, sizeof(buf), &nr, &t), 0);
	CHECK_EQ(t, now + p.index_ns);

	/* A small Store with the write cache on: buffered, no flash time. */
	CHECK_EQ(put(&e, now, a, 6, 100, 1, 0, false, &t), 0);
	CHECK(t >= now + p.index_ns);
	CHECK(t <= now + p.index_ns + f->fw_write_ns + f->fw_write_4k_ns +
	      nand_xfer_ns(SSD_PAGE_BYTES, f->host_mbs));
	/* Read back from the buffer: no NAND read. */
	now += 1 * US;
	CHECK_EQ(get(&e, now, a, 6, 4096, 100, 1, &t), 0);
	CHECK(t >= now + p.index_ns);
	CHECK(t < now + p.index_ns + f->fw_read_ns + tr_min);
	/* Exactly: index work, then the SSD's read of one page in DRAM. */
	CHECK_EQ(t, now + p.index_ns + f->fw_read_ns +
		 nand_xfer_ns(SSD_PAGE_BYTES, f->host_mbs));
	CHECK_EQ(kv_exist(&e.m, now, a, 6, &t), 0);
	CHECK_EQ(t, now + p.index_ns);
	CHECK_EQ(kv_list(&e.m, now, NULL, 0, buf, sizeof(buf), &nr, &t), 0);
	CHECK_EQ(t, now + p.index_ns + p.list_key_ns);

	/* Flush programs the partial page. */
	now += 1 * US;
	t = kv_flush(&e.m, now);
	CHECK(t >= now + f->nand.prog_ns);
	CHECK(kv_flush(&e.m, t) >= t);
	/* Now a Retrieve senses the flash. */
	now = t + 1 * MS;
	CHECK_EQ(get(&e, now, a, 6, 4096, 100, 1, &t), 0);
	lim = now + p.index_ns + f->fw_read_ns + tr_min;
	CHECK(t >= lim);
	CHECK(t <= now + p.index_ns + f->fw_read_ns + 2 * tr_max +
	      2 * nand_xfer_ns(f->nand.page_bytes, f->nand.channel_mbs) +
	      nand_xfer_ns(2 * SSD_PAGE_BYTES, f->host_mbs));

	/* Sync (cache off): the Store waits for its page's program. */
	now += 1 * MS;
	CHECK_EQ(put(&e, now, a, 6, 200, 2, 0, true, &t), 0);
	CHECK(t >= now + p.index_ns + f->nand.prog_ns);

	/* A 64 KiB value: a prefix reads fewer pages than the whole. */
	now = kv_flush(&e.m, t) + 1 * MS;
	CHECK_EQ(put(&e, now, big, 8, 64 * KIB, 3, 0, false, &t), 0);
	now = kv_flush(&e.m, t) + 1 * MS;
	CHECK_EQ(get(&e, now, big, 8, 4096, 64 * KIB, 3, &t_small), 0);
	t_small -= now;
	now += 10 * MS;
	CHECK_EQ(get(&e, now, big, 8, 64 * KIB, 64 * KIB, 3, &t_large), 0);
	t_large -= now;
	CHECK(t_large > t_small);
	CHECK(t_large >= p.index_ns + f->fw_read_ns + tr_min +
	      nand_xfer_ns(64 * KIB, f->host_mbs));

	/* Commands at rising times never complete before they arrive. */
	for (i = 0; i < 3000; i++) {
		u16 sc;

		numkey(key, i % 200);
		now += rnd() % (30 * US);
		switch (i % 4) {
		case 0:
			sc = put(&e, now, key, KV_KEY_MAX, (i * 97) % 20000, i,
				 0, i % 8 == 0, &t);
			CHECK_EQ(sc, 0);
			break;
		case 1:
			sc = kv_retrieve(&e.m, now, key, KV_KEY_MAX, 8192, 0,
					 &(struct kv_loc){ 0 }, &t);
			if (sc == KV_SC_NO_KEY)
				t = now;
			break;
		case 2:
			kv_exist(&e.m, now, key, KV_KEY_MAX, &t);
			break;
		default:
			t = kv_flush(&e.m, now);
			break;
		}
		CHECK(t >= now);
	}

	/* Controller reset: the SSD idle at time 0 again, keys kept. */
	kv_reset_timing(&e.m);
	CHECK_EQ(get(&e, 0, big, 8, 64 * KIB, 64 * KIB, 3, &t2), 0);
	CHECK(t2 <= 2 * t_large);
	CHECK_EQ(kv_exist(&e.m, 5, a, 6, &t), 0);
	CHECK_EQ(t, 5 + p.index_ns);
	consistent(&e);
out:
	env_free(&e);
}

static const struct test_case tests[] = {
	TEST(defaults_and_params),
	TEST(round_trips),
	TEST(list_order_and_format),
	TEST(store_options_and_sizes),
	TEST(delete_and_exist),
	TEST(space_accounting),
	TEST(capacity_then_gc),
	TEST(max_keys_limit),
	TEST(index_nodes_reused),
	TEST(gc_blocked_by_busy),
	TEST(store_without_memory),
	TEST(random_workload),
	TEST(random_workload_nearly_full),
	TEST(random_workload_small_segments),
	TEST(recover_after_reload),
	TEST(recover_without_drop),
	TEST(recover_after_gc),
	TEST(recover_keeps_newer),
	TEST(recover_garbage),
	TEST(recover_after_format_without_drop),
	TEST(format_forgets_all),
	TEST(timing),
};

int main(void)
{
	return TEST_RUN("kv", tests);
}
