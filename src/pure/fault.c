// SPDX-License-Identifier: GPL-2.0
/*
 * nvmev: fault injection decisions (see fault.h).  No kernel calls.
 */
#include "fault.h"
#include "ssd_ftl.h"	/* pure_kv_parse(), pure_parse_u64() */

#define NS_PER_US	1000ULL
#define NS_PER_MS	1000000ULL

/* The status each kind of command answers when it fails at random. */
static const u16 random_status[FAULT_NR_OPS] = {
	[FAULT_READ] = FAULT_SC_READ_ERROR,
	[FAULT_WRITE] = FAULT_SC_WRITE_FAULT,
	[FAULT_FLUSH] = FAULT_SC_INTERNAL,
	[FAULT_OTHER] = FAULT_SC_INTERNAL,
};

static void seed(struct fault *f)
{
	/* xorshift64* must not start at 0; mix the seed so 0 is fine too. */
	f->rng = f->cfg.seed * 0x9e3779b97f4a7c15ULL + 0x2545f4914f6cdd1dULL;
	if (!f->rng)
		f->rng = 1;
}

/* One draw: true with probability ppm / 1e6. */
static bool draw(struct fault *f, u32 ppm)
{
	u64 x = f->rng;

	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	f->rng = x;
	return (x * 0x2545f4914f6cdd1dULL >> 32) % FAULT_PPM < ppm;
}

void fault_init(struct fault *f)
{
	memset(f, 0, sizeof(*f));
	lba_ranges_init(&f->bad[FAULT_READ], f->buf[FAULT_READ],
			FAULT_MAX_RANGES);
	lba_ranges_init(&f->bad[FAULT_WRITE], f->buf[FAULT_WRITE],
			FAULT_MAX_RANGES);
	seed(f);
}

/* One setting: a u32 probability in ppm, or a u64 scaled to its field. */
struct fault_key {
	const char *name;
	size_t off;		/* in struct fault_cfg */
	bool ppm;
	u64 scale;		/* u64 fields: to ns */
	u64 max;		/* in the key's own unit */
};

#define PPM_KEY(n, fld) \
	{ n, offsetof(struct fault_cfg, fld), true, 1, FAULT_PPM }
#define U64_KEY(n, fld, sc, mx) \
	{ n, offsetof(struct fault_cfg, fld), false, sc, mx }

static const struct fault_key keys[] = {
	U64_KEY("seed", seed, 1, U64_MAX),
	PPM_KEY("read_ppm", err_ppm[FAULT_READ]),
	PPM_KEY("write_ppm", err_ppm[FAULT_WRITE]),
	PPM_KEY("flush_ppm", err_ppm[FAULT_FLUSH]),
	PPM_KEY("other_ppm", err_ppm[FAULT_OTHER]),
	PPM_KEY("spike_ppm", spike_ppm),
	U64_KEY("spike_us", spike_ns, NS_PER_US, 60ULL * 1000 * 1000),
	U64_KEY("stall_period_ms", stall_period_ns, NS_PER_MS, 3600ULL * 1000),
	U64_KEY("stall_ms", stall_ns, NS_PER_MS, 60ULL * 1000),
	PPM_KEY("lost_ppm", lost_ppm),
};

static int fault_set(void *ctx, const char *s, size_t len, const char **why)
{
	const char *eq = memchr(s, '=', len);
	const struct fault_key *k;
	u8 *c = ctx;
	u64 v;
	u32 i;

	if (!eq) {
		*why = "a setting is key=value";
		return -EINVAL;
	}
	for (i = 0; i < ARRAY_SIZE(keys); i++) {
		k = &keys[i];
		if (strlen(k->name) != (size_t)(eq - s) ||
		    memcmp(k->name, s, eq - s))
			continue;
		if (!pure_parse_u64(eq + 1, len - (eq + 1 - s), &v)) {
			*why = "a value is a decimal number";
			return -EINVAL;
		}
		if (v > k->max) {
			*why = k->ppm ? "a probability is at most 1000000 ppm" :
					"a time is too large";
			return -EINVAL;
		}
		if (k->ppm)
			*(u32 *)(c + k->off) = (u32)v;
		else
			*(u64 *)(c + k->off) = v * k->scale;
		return 0;
	}
	*why = "unknown key (seed, read_ppm, write_ppm, flush_ppm, other_ppm, spike_ppm, spike_us, stall_period_ms, stall_ms, lost_ppm)";
	return -EINVAL;
}

int fault_cfg_parse(struct fault_cfg *c, const char *s, const char **why)
{
	int ret;

	memset(c, 0, sizeof(*c));
	ret = pure_kv_parse(s, fault_set, c, why);
	if (ret)
		return ret;
	if (c->stall_ns && c->stall_ns >= c->stall_period_ns) {
		if (why)
			*why = "stall_ms needs a longer stall_period_ms";
		return -EINVAL;
	}
	return 0;
}

int fault_parse(struct fault *f, const char *s, const char **why)
{
	struct fault_cfg c;
	int ret;

	ret = fault_cfg_parse(&c, s, why);
	if (ret)
		return ret;
	f->cfg = c;
	seed(f);
	return 0;
}

/* "N" or "N-M" (M >= N) at s[0..len) into [*start, *start + *nlb). */
static bool parse_span(const char *s, size_t len, u64 *start, u64 *nlb)
{
	const char *dash = memchr(s, '-', len);
	u64 a, b;

	if (!dash) {
		if (!pure_parse_u64(s, len, &a) || a == U64_MAX)
			return false;
		*start = a;
		*nlb = 1;
		return true;
	}
	if (!pure_parse_u64(s, dash - s, &a) ||
	    !pure_parse_u64(dash + 1, len - (dash + 1 - s), &b) ||
	    b < a || b == U64_MAX)
		return false;
	*start = a;
	*nlb = b - a + 1;
	return true;
}

int fault_range_cmd(struct fault *f, enum fault_op op, const char *s,
		    const char **why)
{
	struct lba_ranges *r;
	size_t len;
	u64 start, nlb;
	int ret;

	if (op != FAULT_READ && op != FAULT_WRITE) {
		*why = "media ranges are for reads or writes";
		return -EINVAL;
	}
	r = &f->bad[op];
	len = strcspn(s, "\n");
	if (len == 5 && !memcmp(s, "clear", 5)) {
		r->nr = 0;
		return 0;
	}
	if (len < 2 || (s[0] != '+' && s[0] != '-') ||
	    !parse_span(s + 1, len - 1, &start, &nlb)) {
		*why = "use +LBA, +FIRST-LAST, -LBA, -FIRST-LAST or clear";
		return -EINVAL;
	}
	if (s[0] == '+' && f->nr_lbas &&
	    (start >= f->nr_lbas || nlb > f->nr_lbas - start)) {
		*why = "the range ends past the namespace";
		return -EINVAL;
	}
	ret = s[0] == '+' ? lba_ranges_add(r, start, nlb) :
			    lba_ranges_remove(r, start, nlb);
	if (ret == -ENOSPC)
		*why = "too many separate ranges";
	else if (ret)
		*why = "the range wraps";
	return ret;
}

bool fault_active(const struct fault *f)
{
	const struct fault_cfg *c = &f->cfg;
	u32 i;

	for (i = 0; i < FAULT_NR_OPS; i++)
		if (c->err_ppm[i])
			return true;
	return f->bad[FAULT_READ].nr || f->bad[FAULT_WRITE].nr ||
	       c->spike_ppm || c->stall_period_ns || c->lost_ppm;
}

void fault_decide(struct fault *f, enum fault_op op, u64 slba, u64 nlb,
		  u64 now, struct fault_verdict *v)
{
	const struct fault_cfg *c = &f->cfg;

	memset(v, 0, sizeof(*v));
	if ((op == FAULT_READ || op == FAULT_WRITE) &&
	    lba_ranges_overlaps(&f->bad[op], slba, nlb)) {
		v->status = op == FAULT_READ ? FAULT_SC_READ_ERROR :
					       FAULT_SC_WRITE_FAULT;
		v->media = true;
		f->st.media[op]++;
	}
	if (c->err_ppm[op] && draw(f, c->err_ppm[op]) && !v->status) {
		v->status = random_status[op];
		f->st.random[op]++;
	}
	if (c->lost_ppm && draw(f, c->lost_ppm)) {
		v->lost = true;
		f->st.lost++;
	}
	if (c->spike_ppm && draw(f, c->spike_ppm)) {
		v->delay_ns += c->spike_ns;
		f->st.spikes++;
	}
	if (c->stall_period_ns) {
		u64 in = now % c->stall_period_ns;

		if (in < c->stall_ns) {
			v->delay_ns += c->stall_ns - in;
			f->st.stalled++;
		}
	}
}
