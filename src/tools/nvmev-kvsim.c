// SPDX-License-Identifier: GPL-2.0
/*
 * nvmev-kvsim: the KV kind's model (src/pure/kv_model.c on the SSD model
 * of ssd_ftl.c, the same code the module runs) on a virtual clock, for
 * the figures the benchmark compares the module with.  See --help.
 *
 * Q closed-loop clients each issue their next command when their last
 * one completes; the model is called in the order the commands arrive.
 * Values are not kept: the store remembers what the model writes itself
 * (record headers and their dead marks, which GC and --check read back),
 * and nothing of the values, so the capacity costs no memory.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <stdarg.h>
#include <getopt.h>

#include "kv_model.h"

#define PROG		"nvmev-kvsim"
#define KIB		1024ULL
#define MIB		(1024ULL * KIB)
#define GIB		(1024ULL * MIB)
#define MAX_QD		65536U
#define MAX_KEYS	(1ULL << 28)
#define MAX_OPS		(1ULL << 32)

static void usage(FILE *f)
{
	fprintf(f,
"Usage: " PROG " [--kv KEY=VALUE,...] [--capacity SIZE] [--keys N]\n"
"                   [--value-size SIZE] [--key-size N] [--qd N]\n"
"                   [--read-pct PCT] [--ops N] [--seed N] [--check] [--help]\n"
"\n"
"Runs the KV kind's model (src/pure/kv_model.c on the SSD model, the code\n"
"the module runs) on a virtual clock with no host overhead, and predicts\n"
"three phases on a fresh namespace:\n"
"  put    --keys keys (default 100000) stored once each, in key order, with\n"
"         values of --value-size bytes (default 4096)\n"
"  get    every key retrieved once (the whole value), in random order\n"
"  mixed  --ops commands (default: --keys) on random keys: --read-pct %%\n"
"         (default 50) Retrieves, the rest Stores that replace the value\n"
"--qd N clients (default 1) each issue their next command when their last\n"
"one completes.  Each phase starts with the device idle (buffered data\n"
"flushed); ops/s count a phase's commands over the time from its start to\n"
"its last completion.  Keys are --key-size bytes (1..16, default 16): the\n"
"key's number, big endian, after 'k' bytes.\n"
"\n"
"Options:\n"
"  --kv K=V[,K=V..]   the module's kv= settings (docs/kv.md: max_value_kib,\n"
"                     max_keys, seg_mib, index_ns, list_key_ns, and every\n"
"                     ssd= key); may be given more than once\n"
"  --capacity SIZE    namespace capacity (default 1G); suffixes K, M, G, T\n"
"  --check            check the model's consistency at the end\n"
"  --seed N           PRNG seed (default 1)\n"
"  --help             this text\n"
"\n"
"Output: the settings, a table (ops/s, mean, p50 and p99 latency in us),\n"
"then one key=value per line for scripts: put_ops_s, put_lat_us,\n"
"put_p99_us, the same for get and mixed, mixed_get_lat_us,\n"
"mixed_put_lat_us, gc_segments, gc_records, nand_write_pages,\n"
"ftl_write_pages, keys, value_size, qd.  MB = 10^6 bytes.\n"
"Exit status: 0 done, 1 run-time failure, 2 bad option or configuration.\n");
}

/* ---- Errors -------------------------------------------------------------- */

static void __attribute__((noreturn, format(printf, 2, 3)))
die(int status, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: ", PROG);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\n");
	exit(status);
}

/* An integer with an optional binary suffix K, M, G or T; -1 if not. */
static int parse_size(const char *s, u64 *out)
{
	unsigned long long v;
	u64 mult = 1;
	char *end;

	if (!s || *s < '0' || *s > '9')
		return -1;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno)
		return -1;
	switch (*end) {
	case 'k': case 'K':
		mult = KIB;
		break;
	case 'm': case 'M':
		mult = MIB;
		break;
	case 'g': case 'G':
		mult = GIB;
		break;
	case 't': case 'T':
		mult = 1024 * GIB;
		break;
	}
	if (mult > 1) {
		end++;
		if (!strcmp(end, "iB") || !strcmp(end, "B"))
			end += strlen(end);
	}
	if (*end || (v && mult > U64_MAX / v))
		return -1;
	*out = v * mult;
	return 0;
}

static u64 opt_size(const char *opt, const char *arg, u64 lo, u64 hi)
{
	u64 v;

	if (parse_size(arg, &v) || v < lo || v > hi)
		die(2, "%s: '%s' is not a size in %llu..%llu (e.g. 4096, 4K, 1G)",
		    opt, arg, (unsigned long long)lo, (unsigned long long)hi);
	return v;
}

static u64 opt_u64(const char *opt, const char *arg, u64 lo, u64 hi)
{
	unsigned long long v;
	char *end;

	errno = 0;
	v = strtoull(arg, &end, 10);
	if (errno || end == arg || *end || *arg == '-' || v < lo || v > hi)
		die(2, "%s: '%s' is not an integer in %llu..%llu", opt, arg,
		    (unsigned long long)lo, (unsigned long long)hi);
	return v;
}

/* ---- The store: record headers only ----------------------------------- */

/*
 * The first KV_HDR_BYTES bytes of each KV_ALIGN block that the model
 * wrote (a record's header, a dead mark), kept per segment in order of
 * the block; reads of anything else return zeroes.  Copies move value
 * bytes only (GC rewrites the header itself): nothing to keep.
 */
struct hslot {
	u32 blk;			/* KV_ALIGN block in the segment */
	u8 b[KV_HDR_BYTES];
};

struct hseg {
	struct hslot *v;
	u32 n, max;
};

struct hstore {
	struct hseg *segs;
	u32 nr_segs;
	u64 seg_bytes;
};

/* The index of the first slot at or after blk. */
static u32 hs_lower(const struct hseg *g, u32 blk)
{
	u32 lo = 0, hi = g->n, mid;

	if (g->n && g->v[g->n - 1].blk < blk)
		return g->n;		/* appends: the usual case */
	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (g->v[mid].blk < blk)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static struct hslot *hs_slot(struct hseg *g, u32 blk, bool make)
{
	u32 i = hs_lower(g, blk);

	if (i < g->n && g->v[i].blk == blk)
		return &g->v[i];
	if (!make)
		return NULL;
	if (g->n == g->max) {
		u32 max = g->max ? 2 * g->max : 64;
		struct hslot *v = realloc(g->v, (size_t)max * sizeof(*v));

		if (!v)
			return NULL;
		g->v = v;
		g->max = max;
	}
	memmove(&g->v[i + 1], &g->v[i], (size_t)(g->n - i) * sizeof(*g->v));
	g->n++;
	memset(&g->v[i], 0, sizeof(g->v[i]));
	g->v[i].blk = blk;
	return &g->v[i];
}

/*
 * Calls fn on each piece of [off, off + len) that lies in the header part
 * of a block: seg, block, offset in the block, offset in the buffer, length.
 */
static int hs_walk(struct hstore *h, u64 off, u64 len,
		   int (*fn)(struct hstore *, u32, u32, u32, u64, u32, void *),
		   void *arg)
{
	u64 pos = 0;
	int ret;

	while (pos < len) {
		u64 o = off + pos, in = o % h->seg_bytes;
		u32 seg = (u32)(o / h->seg_bytes), at = in % KV_ALIGN;
		u32 n = (u32)min_t(u64, len - pos, KV_ALIGN - at);

		if (seg >= h->nr_segs)
			return -EIO;
		if (at < KV_HDR_BYTES) {
			ret = fn(h, seg, (u32)(in / KV_ALIGN), at, pos,
				 min_t(u32, n, KV_HDR_BYTES - at), arg);
			if (ret)
				return ret;
		}
		pos += n;
	}
	return 0;
}

static int hs_read_piece(struct hstore *h, u32 seg, u32 blk, u32 at, u64 pos,
			 u32 n, void *buf)
{
	struct hslot *s = hs_slot(&h->segs[seg], blk, false);

	if (s)
		memcpy((u8 *)buf + pos, s->b + at, n);
	return 0;
}

static int hs_write_piece(struct hstore *h, u32 seg, u32 blk, u32 at, u64 pos,
			  u32 n, void *buf)
{
	struct hslot *s = hs_slot(&h->segs[seg], blk, true);

	if (!s)
		return -ENOSPC;
	memcpy(s->b + at, (const u8 *)buf + pos, n);
	return 0;
}

static int hs_read(void *ctx, u64 off, void *buf, u32 len)
{
	memset(buf, 0, len);
	return hs_walk(ctx, off, len, hs_read_piece, buf);
}

static int hs_write(void *ctx, u64 off, const void *buf, u32 len)
{
	return hs_walk(ctx, off, len, hs_write_piece, (void *)buf);
}

static int hs_copy(void *ctx, u64 dst, u64 src, u32 len)
{
	(void)ctx;
	(void)dst;
	(void)src;
	(void)len;
	return 0;
}

static void hs_drop(void *ctx, u64 off, u64 len)
{
	struct hstore *h = ctx;
	u64 end = off + len;

	while (off < end) {
		u32 seg = (u32)(off / h->seg_bytes);
		u64 in = off % h->seg_bytes;
		u64 n = min_t(u64, end - off, h->seg_bytes - in);
		struct hseg *g;
		u32 lo, hi;

		if (seg >= h->nr_segs)
			return;
		g = &h->segs[seg];
		lo = hs_lower(g, (u32)((in + KV_ALIGN - 1) / KV_ALIGN));
		hi = hs_lower(g, (u32)((in + n) / KV_ALIGN));
		if (in + n == h->seg_bytes)
			hi = g->n;
		memmove(&g->v[lo], &g->v[hi], (size_t)(g->n - hi) * sizeof(*g->v));
		g->n -= hi - lo;
		off += n;
	}
}

static bool hs_busy(void *ctx, u32 seg)
{
	(void)ctx;
	(void)seg;
	return false;		/* data moves at once: never an I/O in flight */
}

static const struct kv_store_ops hs_ops = {
	.read = hs_read, .write = hs_write, .copy = hs_copy,
	.drop = hs_drop, .busy = hs_busy,
};

/* ---- The run ------------------------------------------------------------- */

static u64 rng_state;

static u64 rnd(void)
{
	/* splitmix64 */
	u64 z = (rng_state += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static u64 rnd_below(u64 n)
{
	return rnd() % n;
}

struct sim {
	struct kv_model m;
	struct kv_params p;
	u64 now;
	u32 qd;
	u32 key_size;
	u32 vlen;
	bool sync;
	u64 *heap;		/* ready times of the clients: a min-heap */
};

static void heap_down(u64 *h, u32 n, u32 i)
{
	u32 l, m;
	u64 t;

	for (;;) {
		l = 2 * i + 1;
		m = i;
		if (l < n && h[l] < h[m])
			m = l;
		if (l + 1 < n && h[l + 1] < h[m])
			m = l + 1;
		if (m == i)
			return;
		t = h[i];
		h[i] = h[m];
		h[m] = t;
		i = m;
	}
}

static void make_key(const struct sim *s, u64 i, u8 *key)
{
	u32 k;

	memset(key, 'k', s->key_size);
	for (k = 0; k < 8 && k < s->key_size; k++)
		key[s->key_size - 1 - k] = (u8)(i >> (8 * k));
}

enum { PH_PUT, PH_GET, PH_MIXED };

struct phase {
	const char *name;
	u64 ops, t0, t1;
	u64 *lat;		/* each command's latency, ns */
	double sum[2];		/* latency sums: Retrieves, Stores */
	u64 cnt[2];
};

static void fatal_status(const char *what, u64 key, u16 sc)
{
	die(1, "%s of key %llu failed with status 0x%03x%s", what,
	    (unsigned long long)key, sc,
	    sc == KV_SC_CAPACITY ? " (Capacity Exceeded: raise --capacity)" : "");
}

/* One command of the phase, issued at now; returns its completion. */
static u64 issue(struct sim *s, struct phase *ph, int kind, u64 i,
		 const u64 *perm, u64 nkeys, u64 read_pct)
{
	u8 key[KV_KEY_MAX];
	struct kv_loc loc;
	bool get;
	u64 k, done = s->now;
	u16 sc;

	switch (kind) {
	case PH_PUT:
		k = i;
		get = false;
		break;
	case PH_GET:
		k = perm[i];
		get = true;
		break;
	default:
		k = rnd_below(nkeys);
		get = rnd_below(100) < read_pct;
		break;
	}
	make_key(s, k, key);
	if (get) {
		sc = kv_retrieve(&s->m, s->now, key, s->key_size, s->vlen, 0,
				 &loc, &done);
		if (sc)
			fatal_status("Retrieve", k, sc);
	} else {
		sc = kv_store(&s->m, s->now, key, s->key_size, s->vlen, 0,
			      s->sync, &loc, &done);
		if (sc)
			fatal_status("Store", k, sc);
	}
	if (done < s->now)
		die(1, "the model completed a command before it arrived (%llu < %llu ns)",
		    (unsigned long long)done, (unsigned long long)s->now);
	ph->sum[!get] += (double)(done - s->now);
	ph->cnt[!get]++;
	return done;
}

static int cmp_u64(const void *a, const void *b)
{
	u64 x = *(const u64 *)a, y = *(const u64 *)b;

	return x < y ? -1 : x > y;
}

/* Runs a phase of ops commands from the idle device at s->now. */
static void run_phase(struct sim *s, struct phase *ph, const char *name,
		      int kind, u64 ops, const u64 *perm, u64 nkeys,
		      u64 read_pct)
{
	u64 i, done;
	u32 c;

	memset(ph, 0, sizeof(*ph));
	ph->name = name;
	ph->ops = ops;
	ph->t0 = s->now;
	ph->t1 = s->now;
	ph->lat = malloc((ops ? ops : 1) * sizeof(*ph->lat));
	if (!ph->lat)
		die(1, "out of memory");
	for (c = 0; c < s->qd; c++)
		s->heap[c] = s->now;
	for (i = 0; i < ops; i++) {
		/* The client whose last command completed first goes next. */
		s->now = s->heap[0];
		done = issue(s, ph, kind, i, perm, nkeys, read_pct);
		ph->lat[i] = done - s->now;
		if (done > ph->t1)
			ph->t1 = done;
		s->heap[0] = done;
		heap_down(s->heap, s->qd, 0);
	}
	qsort(ph->lat, ops, sizeof(*ph->lat), cmp_u64);
	/* The next phase starts with the device idle. */
	s->now = kv_flush(&s->m, ph->t1);
	if (s->now < ph->t1)
		s->now = ph->t1;
}

static double ph_ops_s(const struct phase *ph)
{
	return ph->t1 > ph->t0 ? ph->ops * 1e9 / (double)(ph->t1 - ph->t0) : 0;
}

static double ph_mean_us(const struct phase *ph)
{
	u64 n = ph->cnt[0] + ph->cnt[1];

	return n ? (ph->sum[0] + ph->sum[1]) / n / 1e3 : 0;
}

static double ph_pct_us(const struct phase *ph, double pct)
{
	u64 i;

	if (!ph->ops)
		return 0;
	i = (u64)(pct / 100.0 * (double)(ph->ops - 1) + 0.5);
	return ph->lat[i] / 1e3;
}

static double ph_kind_us(const struct phase *ph, int put)
{
	return ph->cnt[put] ? ph->sum[put] / ph->cnt[put] / 1e3 : 0;
}

static const char *size_str(u64 b, char *buf, size_t len)
{
	if (b >= GIB)
		snprintf(buf, len, "%.2f GiB", (double)b / GIB);
	else if (b >= MIB)
		snprintf(buf, len, "%.2f MiB", (double)b / MIB);
	else if (b >= KIB)
		snprintf(buf, len, "%.2f KiB", (double)b / KIB);
	else
		snprintf(buf, len, "%llu B", (unsigned long long)b);
	return buf;
}

static void print_row(const struct phase *ph, const char *name)
{
	printf("%-8s %10llu %12.1f %10.2f %10.2f %10.2f\n", name,
	       (unsigned long long)ph->ops, ph_ops_s(ph), ph_mean_us(ph),
	       ph_pct_us(ph, 50), ph_pct_us(ph, 99));
}

static void print_kv(const struct phase *ph)
{
	printf("%s_ops_s=%.1f\n", ph->name, ph_ops_s(ph));
	printf("%s_lat_us=%.3f\n", ph->name, ph_mean_us(ph));
	printf("%s_p99_us=%.3f\n", ph->name, ph_pct_us(ph, 99));
}

int main(int argc, char **argv)
{
	enum { O_KV = 256, O_CAP, O_KEYS, O_VSIZE, O_KSIZE, O_QD, O_READ,
	       O_OPS, O_SEED, O_CHECK, O_HELP };
	static const struct option opts[] = {
		{ "kv", required_argument, NULL, O_KV },
		{ "capacity", required_argument, NULL, O_CAP },
		{ "keys", required_argument, NULL, O_KEYS },
		{ "value-size", required_argument, NULL, O_VSIZE },
		{ "key-size", required_argument, NULL, O_KSIZE },
		{ "qd", required_argument, NULL, O_QD },
		{ "read-pct", required_argument, NULL, O_READ },
		{ "ops", required_argument, NULL, O_OPS },
		{ "seed", required_argument, NULL, O_SEED },
		{ "check", no_argument, NULL, O_CHECK },
		{ "help", no_argument, NULL, O_HELP },
		{ NULL, 0, NULL, 0 },
	};
	/* Static: reachable at an exit through die() (no leak reported). */
	static struct phase put, get, mixed;
	static struct hstore hs;
	static struct sim sim;
	static u64 *perm;
	struct sim *s = &sim;
	u64 capacity = GIB, nkeys = 100000, ops = 0, read_pct = 50, seed = 1;
	u64 vsize = 4096, i, j, t, rec;
	bool ops_set = false, check = false;
	const struct nand_params *n;
	const char *why = NULL;
	char b1[32], b2[32], b3[32], b4[32];
	int c;

	kv_default_params(&s->p);
	s->qd = 1;
	s->key_size = KV_KEY_MAX;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case O_KV:
			if (kv_params_parse(&s->p, optarg, &why))
				die(2, "--kv %s: %s", optarg, why ? why : "refused");
			break;
		case O_CAP:
			capacity = opt_size("--capacity", optarg, 1, 1ULL << 50);
			break;
		case O_KEYS:
			nkeys = opt_u64("--keys", optarg, 1, MAX_KEYS);
			break;
		case O_VSIZE:
			vsize = opt_size("--value-size", optarg, 0, KV_MAX_VALUE);
			break;
		case O_KSIZE:
			s->key_size = (u32)opt_u64("--key-size", optarg, 1, KV_KEY_MAX);
			break;
		case O_QD:
			s->qd = (u32)opt_u64("--qd", optarg, 1, MAX_QD);
			break;
		case O_READ:
			read_pct = opt_u64("--read-pct", optarg, 0, 100);
			break;
		case O_OPS:
			ops = opt_u64("--ops", optarg, 0, MAX_OPS);
			ops_set = true;
			break;
		case O_SEED:
			seed = opt_u64("--seed", optarg, 0, U64_MAX);
			break;
		case O_CHECK:
			check = true;
			break;
		case 'h':
		case O_HELP:
			usage(stdout);
			return 0;
		default:
			if (optopt)
				die(2, "option '%s' needs a value (try --help)",
				    argv[optind - 1]);
			die(2, "unknown option '%s' (try --help)", argv[optind - 1]);
		}
	}
	if (optind < argc)
		die(2, "unexpected argument '%s' (try --help)", argv[optind]);
	if (!ops_set)
		ops = nkeys;
	s->vlen = (u32)vsize;
	if (kv_params_check(&s->p, capacity, &why))
		die(2, "settings refused for a capacity of %s: %s",
		    size_str(capacity, b1, sizeof(b1)), why ? why : "?");
	if (s->vlen > s->p.max_value)
		die(2, "--value-size %u is above max_value (%u bytes)", s->vlen,
		    s->p.max_value);
	if (s->key_size < 8 && nkeys > (1ULL << (8 * s->key_size)))
		die(2, "--key-size %u holds %llu keys at most", s->key_size,
		    1ULL << (8 * s->key_size));
	if (nkeys > kv_max_keys(&s->p, capacity))
		die(2, "--keys %llu is above max_keys (%u for this capacity)",
		    (unsigned long long)nkeys, kv_max_keys(&s->p, capacity));
	s->sync = !s->p.flash.write_cache;

	hs.seg_bytes = s->p.seg_bytes;
	hs.nr_segs = (u32)(capacity / s->p.seg_bytes);
	hs.segs = calloc(hs.nr_segs, sizeof(*hs.segs));
	s->heap = calloc(s->qd, sizeof(*s->heap));
	perm = malloc(nkeys * sizeof(*perm));
	if (!hs.segs || !s->heap || !perm)
		die(1, "out of memory");
	if (kv_init(&s->m, &s->p, capacity, &hs_ops, &hs))
		die(1, "cannot allocate the model's %s",
		    size_str(kv_mem_bytes(&s->p, capacity), b1, sizeof(b1)));
	rec = kv_rec_bytes(s->vlen);
	if (nkeys * rec > s->m.usable)
		die(2, "%llu records of %llu bytes do not fit the %llu usable bytes of %s: raise --capacity",
		    (unsigned long long)nkeys, (unsigned long long)rec,
		    (unsigned long long)s->m.usable,
		    size_str(capacity, b1, sizeof(b1)));

	n = &s->p.flash.nand;
	printf("kv: capacity %s, %u segments of %s, usable %s, max value %u KiB, max keys %u, index %.1f us, memory %s\n",
	       size_str(capacity, b1, sizeof(b1)), s->m.nr_segs,
	       size_str(s->p.seg_bytes, b2, sizeof(b2)),
	       size_str(s->m.usable, b3, sizeof(b3)), s->p.max_value >> 10,
	       s->m.max_keys, s->p.index_ns / 1e3,
	       size_str(kv_mem_bytes(&s->p, capacity), b4, sizeof(b4)));
	printf("flash: %u ch x %u LUNs x %u planes, %u KiB pages, tR %.1f us, tPROG %.1f us, channel %u MB/s, host %u MB/s, fw read %.1f us, write %.1f + %.2f us/4K, cache %s\n",
	       n->nr_channels, n->luns_per_channel, n->planes_per_lun,
	       n->page_bytes >> 10, n->read_ns[0] / 1e3, n->prog_ns / 1e3,
	       n->channel_mbs, s->p.flash.host_mbs, s->p.flash.fw_read_ns / 1e3,
	       s->p.flash.fw_write_ns / 1e3, s->p.flash.fw_write_4k_ns / 1e3,
	       s->p.flash.write_cache ? "on" : "off");
	printf("workload: %llu keys of %u bytes, values of %u bytes (records of %llu), qd %u, mixed %llu commands, %llu%% Retrieves, seed %llu\n\n",
	       (unsigned long long)nkeys, s->key_size, s->vlen,
	       (unsigned long long)rec, s->qd, (unsigned long long)ops,
	       (unsigned long long)read_pct, (unsigned long long)seed);

	rng_state = seed;
	for (i = 0; i < nkeys; i++)
		perm[i] = i;
	for (i = nkeys - 1; i > 0; i--) {
		j = rnd_below(i + 1);
		t = perm[i];
		perm[i] = perm[j];
		perm[j] = t;
	}
	s->now = 0;
	run_phase(s, &put, "put", PH_PUT, nkeys, perm, nkeys, 0);
	run_phase(s, &get, "get", PH_GET, nkeys, perm, nkeys, 100);
	run_phase(s, &mixed, "mixed", PH_MIXED, ops, perm, nkeys, read_pct);

	printf("%-8s %10s %12s %10s %10s %10s\n", "phase", "ops", "ops/s",
	       "mean_us", "p50_us", "p99_us");
	print_row(&put, "put");
	print_row(&get, "get");
	print_row(&mixed, "mixed");
	printf("  gets   %10llu %12s %10.2f\n", (unsigned long long)mixed.cnt[0],
	       "", ph_kind_us(&mixed, 0));
	printf("  puts   %10llu %12s %10.2f\n", (unsigned long long)mixed.cnt[1],
	       "", ph_kind_us(&mixed, 1));
	printf("gc: %llu segments reclaimed, %llu records moved (%s); flash: %llu pages written by the log, %llu programmed\n\n",
	       (unsigned long long)s->m.stats.gc_segments,
	       (unsigned long long)s->m.stats.gc_records,
	       size_str(s->m.stats.gc_bytes, b1, sizeof(b1)),
	       (unsigned long long)s->m.ftl.stats.host_write_pages,
	       (unsigned long long)s->m.ftl.stats.nand_write_pages);

	print_kv(&put);
	print_kv(&get);
	print_kv(&mixed);
	printf("mixed_get_lat_us=%.3f\n", ph_kind_us(&mixed, 0));
	printf("mixed_put_lat_us=%.3f\n", ph_kind_us(&mixed, 1));
	printf("gc_segments=%llu\n", (unsigned long long)s->m.stats.gc_segments);
	printf("gc_records=%llu\n", (unsigned long long)s->m.stats.gc_records);
	printf("ftl_write_pages=%llu\n",
	       (unsigned long long)s->m.ftl.stats.host_write_pages);
	printf("nand_write_pages=%llu\n",
	       (unsigned long long)s->m.ftl.stats.nand_write_pages);
	printf("keys=%llu\n", (unsigned long long)nkeys);
	printf("value_size=%u\n", s->vlen);
	printf("qd=%u\n", s->qd);
	if (check) {
		if (kv_check_consistency(&s->m, &why))
			die(1, "consistency: FAILED: %s", why ? why : "?");
		if (s->m.nr_keys != nkeys)
			die(1, "consistency: FAILED: %u keys, want %llu",
			    s->m.nr_keys, (unsigned long long)nkeys);
		printf("consistency: ok\n");
	}
	kv_free(&s->m);
	for (i = 0; i < hs.nr_segs; i++)
		free(hs.segs[i].v);
	free(hs.segs);
	free(s->heap);
	free(perm);
	free(put.lat);
	free(get.lat);
	free(mixed.lat);
	return 0;
}
