// SPDX-License-Identifier: GPL-2.0
/*
 * The conventional NAND SSD's page-mapped FTL; see ssd_ftl.h for the rules.
 */
#include "ssd_ftl.h"

enum {
	SSD_LINE_FREE = 0,	/* erased, in the free pool */
	SSD_LINE_OPEN,		/* being written by a write pointer */
	SSD_LINE_FULL,		/* written out: a GC candidate */
};

/* ---- Geometry ---------------------------------------------------------- */

static u32 geo_pages_per_unit(const struct nand_params *n)
{
	return nand_unit_bytes(n) / SSD_PAGE_BYTES;
}

static u64 geo_pages_per_line(const struct nand_params *n)
{
	return (u64)n->nr_channels * n->luns_per_channel * n->planes_per_lun *
	       n->pages_per_block * (n->page_bytes / SSD_PAGE_BYTES);
}

/*
 * Lines for the user capacity plus op_pct spare, plus the lines that are
 * never full of data in steady state: the free-line reserve of foreground
 * GC and the two open lines (user and GC write pointers).
 */
static u64 geo_lines_needed(const struct ssd_params *p, u64 user_pages)
{
	u64 ppl = geo_pages_per_line(&p->nand);
	u64 phys = div64_u64(user_pages * (100 + p->op_pct) + 99, 100);
	u64 lines = div64_u64(phys + ppl - 1, ppl) + p->gc_fg_lines + 3;

	return max_t(u64, lines, SSD_MIN_LINES);
}

/* Where physical page ppn lies: its die and flash page in the block. */
static void geo_locate(const struct ssd_ftl *s, u32 ppn, u32 *die, u32 *pib)
{
	u32 in_line = ppn % s->pages_per_line;
	u32 unit = in_line / s->pages_per_unit;
	u32 k = (in_line % s->pages_per_unit) / s->pages_per_fpage;
	u32 oneshot = s->p.nand.oneshot_pages;

	*die = unit % s->nr_dies;
	*pib = (unit / s->nr_dies) * oneshot + k % oneshot;
}

int ssd_fit(struct ssd_params *p, u64 user_bytes, const char **why)
{
	struct nand_params *n = &p->nand;
	u64 lines, user_pages = user_bytes / SSD_PAGE_BYTES;

	n->blocks_per_plane = 1;
	if (nand_params_check(n, why))
		return -EINVAL;
	if (!user_pages || user_bytes % SSD_PAGE_BYTES) {
		if (why)
			*why = "capacity not a non-zero multiple of 4 KiB";
		return -EINVAL;
	}
	for (;;) {
		lines = geo_lines_needed(p, user_pages);
		if (lines >= 64 || n->pages_per_block % 2 ||
		    (n->pages_per_block / 2) % n->oneshot_pages ||
		    (n->pages_per_block / 2) % n->cell_bits)
			break;
		n->pages_per_block /= 2;
	}
	if (lines > U32_MAX) {
		if (why)
			*why = "too many lines: capacity too large for the geometry";
		return -EINVAL;
	}
	n->blocks_per_plane = lines;
	return ssd_params_check(p, user_bytes, why);
}

int ssd_params_check(const struct ssd_params *p, u64 user_bytes,
		     const char **why)
{
	const char *reason = NULL;
	u64 ppl, user_pages = user_bytes / SSD_PAGE_BYTES;
	u64 lines = p->nand.blocks_per_plane;

	if (nand_params_check(&p->nand, why))
		return -EINVAL;
	ppl = geo_pages_per_line(&p->nand);
	if (!user_pages || user_bytes % SSD_PAGE_BYTES)
		reason = "capacity not a non-zero multiple of 4 KiB";
	else if (user_pages >= SSD_MAX_PPNS)
		reason = "capacity of 2 TiB or more";
	else if (p->host_mbs > SSD_MAX_HOST_MBS)
		reason = "host bandwidth above 100000 MB/s";
	else if (p->fw_read_ns > SSD_MAX_FW_NS || p->fw_write_ns > SSD_MAX_FW_NS ||
		 p->fw_write_4k_ns > SSD_MAX_FW_NS)
		reason = "firmware time above 10 ms";
	else if (p->wb_bytes < 2ULL * nand_unit_bytes(&p->nand))
		reason = "write buffer smaller than two program units";
	else if (p->wb_bytes > (1ULL << 30))
		reason = "write buffer above 1 GiB";
	else if (p->op_pct > 400)
		reason = "over-provisioning above 400%";
	else if (p->gc_fg_lines < 2)
		reason = "foreground GC threshold below 2 free lines";
	else if (p->gc_bg_lines && p->gc_bg_lines <= p->gc_fg_lines)
		reason = "background GC threshold not above the foreground one";
	else if (p->gc_bg_idle_ns > 10000000000ULL)
		reason = "background GC idle time above 10 s";
	else if (p->gc_policy > SSD_GC_COST_BENEFIT)
		reason = "unknown GC policy";
	else if (!p->pe_cycles)
		reason = "rated P/E cycles is 0";
	else if (ppl > (1U << 24))
		reason = "more than 2^24 pages (64 GiB) per line";
	else if (lines * ppl >= SSD_MAX_PPNS)
		reason = "2^29 or more physical pages (2 TiB of flash)";
	else if (lines < SSD_MIN_LINES || lines < p->gc_fg_lines + 4ULL ||
		 user_pages > (lines - p->gc_fg_lines - 3) * ppl)
		reason = "capacity does not fit the lines left after the GC reserve";

	if (why)
		*why = reason;
	return reason ? -EINVAL : 0;
}

u64 ssd_mem_bytes(const struct ssd_params *p, u64 user_bytes)
{
	u64 lines = p->nand.blocks_per_plane;

	return user_bytes / SSD_PAGE_BYTES * sizeof(u32) +
	       lines * geo_pages_per_line(&p->nand) * sizeof(u32) +
	       (u64)p->nand.nr_channels * p->nand.luns_per_channel *
	       p->nand.planes_per_lun * p->nand.oneshot_pages * sizeof(u64) +
	       lines * sizeof(struct ssd_line) +
	       wbuf_mem_bytes(p->wb_bytes / SSD_PAGE_BYTES);
}

/* ---- Free pool --------------------------------------------------------- */

static void pool_push(struct ssd_ftl *s, u32 line)
{
	s->lines[line].state = SSD_LINE_FREE;
	s->lines[line].next = SSD_NONE;
	if (s->free_tail == SSD_NONE)
		s->free_head = line;
	else
		s->lines[s->free_tail].next = line;
	s->free_tail = line;
	s->free_count++;
}

static u32 pool_pop(struct ssd_ftl *s)
{
	u32 line = s->free_head;

	if (line == SSD_NONE)
		return SSD_NONE;
	s->free_head = s->lines[line].next;
	if (s->free_head == SSD_NONE)
		s->free_tail = SSD_NONE;
	s->free_count--;
	s->lines[line].state = SSD_LINE_OPEN;
	s->lines[line].next = SSD_NONE;
	return line;
}

/* ---- Write buffer (wbuf.c) ---------------------------------------------- */

/* Takes one slot at t or later, counting the waits. */
static u64 wb_take(struct ssd_ftl *s, u64 t)
{
	u64 had = wbuf_take(&s->wb, t);

	if (had > t)
		s->stats.wb_waits++;
	return had;
}

/* ---- Mapping ----------------------------------------------------------- */

static void unmap_lpn(struct ssd_ftl *s, u64 lpn, u64 t)
{
	u32 ppn = s->l2p[lpn];
	struct ssd_line *l;

	if (ppn == SSD_NONE)
		return;
	l = &s->lines[ppn / s->pages_per_line];
	s->p2l[ppn] = SSD_NONE;
	l->vpc--;
	l->mtime = t;
	s->l2p[lpn] = SSD_NONE;
}

static void map_lpn(struct ssd_ftl *s, u64 lpn, u32 ppn, u64 t)
{
	struct ssd_line *l = &s->lines[ppn / s->pages_per_line];

	s->l2p[lpn] = ppn;
	s->p2l[ppn] = (u32)lpn;
	l->vpc++;
	l->mtime = t;
}

/* ---- Write pointers ----------------------------------------------------- */

static u32 wp_base(const struct ssd_ftl *s, const struct ssd_wp *wp)
{
	return wp->line * s->pages_per_line + wp->unit * s->pages_per_unit;
}

/* Is ppn in a unit not yet programmed (its data is in DRAM)? */
static bool in_open_unit(const struct ssd_ftl *s, u32 ppn)
{
	const struct ssd_wp *wps[2] = { &s->user, &s->gc };
	u32 i, base;

	for (i = 0; i < 2; i++) {
		if (wps[i]->line == SSD_NONE)
			continue;
		base = wp_base(s, wps[i]);
		if (ppn >= base && ppn < base + s->pages_per_unit)
			return true;
	}
	return false;
}

/*
 * Programs the open unit of wp, padded if not full, no earlier than t.
 * The user pointer's buffered pages free their slots at the program end.
 */
static u64 wp_program(struct ssd_ftl *s, struct ssd_wp *wp, u64 t)
{
	u32 die = wp->unit % s->nr_dies;
	u64 end;

	end = nand_program(&s->nand, die, s->pages_per_unit * SSD_PAGE_BYTES,
			   max_t(u64, t, wp->ready));
	s->stats.nand_write_pages += s->pages_per_unit;
	s->stats.pad_pages += s->pages_per_unit - wp->idx;
	if (wp == &s->user)
		wbuf_push(&s->wb, end, wp->idx);
	wp->prog_end = max_t(u64, wp->prog_end, end);
	wp->idx = 0;
	wp->ready = 0;
	if (++wp->unit == s->units_per_line) {
		s->lines[wp->line].state = SSD_LINE_FULL;
		wp->line = SSD_NONE;
	}
	return end;
}

static bool gc_chunk(struct ssd_ftl *s, u64 t, bool fg);

/*
 * The user write pointer needs a line.  It takes one only while another
 * stays free for the GC pointer; below that, GC finishes victims at t
 * (the paced GC of ssd_write() normally keeps ahead of this).
 */
static void gc_make_room(struct ssd_ftl *s, u64 t)
{
	/* Each victim gains a page at least: a safety net, never reached. */
	u64 guard = (u64)(s->nr_lines + 2) * (s->chunks_per_line + 1);

	while (s->free_count < 2 && guard--)
		if (!gc_chunk(s, t, true))
			break;
}

/*
 * Places lpn, whose data is at hand at t, on wp's open unit.  Returns the
 * program end if that filled the unit, else 0.
 */
static u64 wp_place(struct ssd_ftl *s, struct ssd_wp *wp, u64 lpn, u64 t)
{
	if (wp->line == SSD_NONE) {
		if (wp == &s->user)
			gc_make_room(s, t);
		wp->line = pool_pop(s);
		if (wp->line == SSD_NONE) {
			/* Ruled out by ssd_params_check(); stay safe anyway. */
			s->stats.no_space++;
			if (wp == &s->user)
				wbuf_untake(&s->wb, 1);
			return 0;
		}
		wp->unit = 0;
		wp->idx = 0;
		wp->ready = 0;
	}
	map_lpn(s, lpn, wp_base(s, wp) + wp->idx, t);
	wp->idx++;
	wp->ready = max_t(u64, wp->ready, t);
	if (wp->idx == s->pages_per_unit)
		return wp_program(s, wp, t);
	return 0;
}

/* ---- Garbage collection -------------------------------------------------- */

static u32 pick_victim(const struct ssd_ftl *s, u64 now)
{
	u32 i, best = SSD_NONE, ppl = s->pages_per_line;
	u64 age, score, best_score = 0;
	const struct ssd_line *l;

	for (i = 0; i < s->nr_lines; i++) {
		l = &s->lines[i];
		if (l->state != SSD_LINE_FULL || l->vpc >= ppl)
			continue;
		if (s->p.gc_policy == SSD_GC_GREEDY) {
			if (best == SSD_NONE || l->vpc < s->lines[best].vpc)
				best = i;
			continue;
		}
		/* Cost-benefit: (1 - u) / 2u * age, u = vpc / ppl, age in us. */
		if (!l->vpc)
			return i;
		age = now > l->mtime ? (now - l->mtime) >> 10 : 0;
		age = min_t(u64, age, 1ULL << 38);
		score = div64_u64((u64)(ppl - l->vpc) * (age + 1), 2ULL * l->vpc);
		if (best == SSD_NONE || score > best_score) {
			best = i;
			best_score = score;
		}
	}
	return best;
}

/*
 * Works one chunk (one program unit per die: a stripe) of the victim line,
 * picking a victim first if none is in progress: reads the chunk's valid
 * pages (one sense per flash page, all of them before any is moved, so the
 * senses run on every die at once), appends them to the GC pointer, and
 * after the last chunk erases the line's blocks and frees it.  Returns
 * false if there is no victim to work on.
 */
static bool gc_chunk(struct ssd_ftl *s, u64 t, bool fg)
{
	u32 v = s->gc_victim, i, j, cnt, die, pib, room, lpn, end;
	u32 base, fp = s->pages_per_fpage, ppl = s->pages_per_line;

	if (v == SSD_NONE) {
		v = pick_victim(s, t);
		if (v == SSD_NONE)
			return false;
		/* Its valid pages may need one more line for the GC pointer. */
		room = s->gc.line == SSD_NONE ? 0 :
		       (s->units_per_line - s->gc.unit) * s->pages_per_unit -
		       s->gc.idx;
		if (s->lines[v].vpc > room && !s->free_count)
			return false;
		s->gc_victim = v;
		s->gc_pos = 0;
		/*
		 * Examine 2 * ppl / (ppl - vpc) pages per host page: twice
		 * the pace that frees space as fast as the host fills it.
		 */
		s->gc_pace = 2 * div_u64(ppl + ppl - s->lines[v].vpc - 1,
					 ppl - s->lines[v].vpc);
	}
	base = v * ppl;
	end = min_t(u32, s->gc_pos + s->chunk_pages, ppl);
	for (i = s->gc_pos; i < end; i += fp) {
		for (cnt = 0, j = 0; j < fp; j++)
			cnt += s->p2l[base + i + j] != SSD_NONE;
		if (!cnt)
			continue;
		geo_locate(s, base + i, &die, &pib);
		s->gc_ready[(i - s->gc_pos) / fp] =
			nand_read(&s->nand, die, pib, cnt * SSD_PAGE_BYTES, t);
		s->stats.nand_read_pages += cnt;
	}
	for (i = s->gc_pos; i < end; i++) {
		lpn = s->p2l[base + i];
		if (lpn == SSD_NONE)
			continue;
		unmap_lpn(s, lpn, t);
		wp_place(s, &s->gc, lpn, s->gc_ready[(i - s->gc_pos) / fp]);
		s->stats.gc_write_pages++;
	}
	s->gc_pos = end;
	if (end < ppl)
		return true;
	for (die = 0; die < s->nr_dies; die++)
		nand_erase(&s->nand, die, t);
	s->lines[v].erase_count++;
	s->lines[v].mtime = t;
	pool_push(s, v);
	s->gc_victim = SSD_NONE;
	s->stats.line_erases++;
	if (fg)
		s->stats.gc_fg_lines++;
	else
		s->stats.gc_bg_lines++;
	return true;
}

/*
 * Foreground GC alongside host writes: at or below gc_fg_lines free lines
 * (or with a victim under way), each host page earns gc_pace pages of GC
 * work, done a chunk at a time at the host page's time t.
 */
static void gc_paced(struct ssd_ftl *s, u64 t)
{
	if (s->gc_victim == SSD_NONE && s->free_count > s->p.gc_fg_lines) {
		s->gc_credit = 0;
		return;
	}
	if (s->gc_victim == SSD_NONE && !gc_chunk(s, t, true))
		return;		/* nothing to reclaim */
	s->gc_credit += s->gc_pace;
	while (s->gc_credit >= s->chunk_pages && s->gc_victim != SSD_NONE) {
		s->gc_credit -= s->chunk_pages;
		gc_chunk(s, t, true);
	}
	if (s->gc_victim == SSD_NONE)
		s->gc_credit = 0;
}

/* Background GC in the idle time before now (see ssd_ftl.h). */
static void gc_background(struct ssd_ftl *s, u64 now)
{
	u32 k;
	u64 start;

	for (k = 0; k < SSD_BG_GC_MAX; k++) {
		if (s->gc_victim == SSD_NONE &&
		    s->free_count >= s->p.gc_bg_lines)
			break;
		start = nand_idle_at(&s->nand) + s->p.gc_bg_idle_ns;
		if (start >= now || !gc_chunk(s, start, false))
			break;
	}
}

/* ---- Set-up ------------------------------------------------------------ */

static void wp_clear(struct ssd_wp *wp)
{
	wp->line = SSD_NONE;
	wp->unit = 0;
	wp->idx = 0;
	wp->ready = 0;
	wp->prog_end = 0;
}

int ssd_init(struct ssd_ftl *s, const struct ssd_params *p, u64 user_bytes)
{
	u64 i, nr_ppns;

	memset(s, 0, sizeof(*s));
	s->p = *p;
	nand_init(&s->nand, &p->nand);
	s->nr_lpns = user_bytes / SSD_PAGE_BYTES;
	s->nr_lines = p->nand.blocks_per_plane;
	s->nr_dies = s->nand.nr_dies;
	s->pages_per_fpage = p->nand.page_bytes / SSD_PAGE_BYTES;
	s->pages_per_unit = geo_pages_per_unit(&p->nand);
	s->units_per_line = s->nr_dies * (p->nand.pages_per_block / p->nand.oneshot_pages);
	s->pages_per_line = s->units_per_line * s->pages_per_unit;
	nr_ppns = (u64)s->nr_lines * s->pages_per_line;

	s->l2p = pure_zalloc(s->nr_lpns * sizeof(u32));
	s->p2l = pure_zalloc(nr_ppns * sizeof(u32));
	s->lines = pure_zalloc((u64)s->nr_lines * sizeof(struct ssd_line));
	s->chunk_pages = s->nr_dies * s->pages_per_unit;
	s->chunks_per_line = s->units_per_line / s->nr_dies;
	s->gc_victim = SSD_NONE;
	s->gc_ready = pure_zalloc((u64)s->chunk_pages / s->pages_per_fpage *
				  sizeof(u64));
	if (wbuf_init(&s->wb, p->wb_bytes / SSD_PAGE_BYTES) || !s->l2p ||
	    !s->p2l || !s->lines || !s->gc_ready) {
		ssd_free(s);
		return -ENOMEM;
	}
	memset(s->l2p, 0xff, s->nr_lpns * sizeof(u32));
	memset(s->p2l, 0xff, nr_ppns * sizeof(u32));
	s->free_head = SSD_NONE;
	s->free_tail = SSD_NONE;
	for (i = 0; i < s->nr_lines; i++)
		pool_push(s, i);
	wp_clear(&s->user);
	wp_clear(&s->gc);
	return 0;
}

void ssd_free(struct ssd_ftl *s)
{
	pure_free(s->l2p);
	pure_free(s->p2l);
	pure_free(s->lines);
	pure_free(s->gc_ready);
	wbuf_free(&s->wb);
	s->gc_ready = NULL;
	s->l2p = NULL;
	s->p2l = NULL;
	s->lines = NULL;
}

void ssd_reset_timing(struct ssd_ftl *s)
{
	nand_reset_timing(&s->nand);
	s->host_rd_free = 0;
	s->host_wr_free = 0;
	wbuf_reset(&s->wb, s->user.idx);
	s->user.ready = 0;
	s->user.prog_end = 0;
	s->gc.ready = 0;
	s->gc.prog_end = 0;
}

/* ---- Commands ---------------------------------------------------------- */

static u64 host_xfer(struct ssd_ftl *s, u64 *chan_free, u64 t, u64 pages)
{
	u64 ns = nand_xfer_ns(pages * SSD_PAGE_BYTES, s->p.host_mbs);

	if (!ns)
		return t;
	t = max_t(u64, t, *chan_free) + ns;
	*chan_free = t;
	return t;
}

/* Clamps [lpn, lpn + n) to the capacity. */
static u64 clamp_pages(const struct ssd_ftl *s, u64 lpn, u64 n)
{
	if (lpn >= s->nr_lpns)
		return 0;
	return min_t(u64, n, s->nr_lpns - lpn);
}

/* Pages of one read that share a flash page: one sense for them all. */
struct ssd_read_group {
	u32 fpage;		/* ppn / pages per flash page */
	u32 ppn;		/* one of its pages */
	u32 cnt;
};

#define SSD_READ_GROUPS	16

static u64 read_groups(struct ssd_ftl *s, struct ssd_read_group *g, u32 nr,
		       u64 t0, u64 done)
{
	u32 i, die, pib;

	for (i = 0; i < nr; i++) {
		geo_locate(s, g[i].ppn, &die, &pib);
		done = max_t(u64, done, nand_read(&s->nand, die, pib,
						  g[i].cnt * SSD_PAGE_BYTES, t0));
		s->stats.nand_read_pages += g[i].cnt;
	}
	return done;
}

u64 ssd_read(struct ssd_ftl *s, u64 now, u64 lpn, u32 n)
{
	struct ssd_read_group g[SSD_READ_GROUPS];
	u64 t0 = now + s->p.fw_read_ns, done = t0;
	u32 i, j, nr = 0, ppn, fpage;

	gc_background(s, now);
	n = clamp_pages(s, lpn, n);
	for (i = 0; i < n; i++) {
		ppn = s->l2p[lpn + i];
		if (ppn == SSD_NONE || in_open_unit(s, ppn))
			continue;
		fpage = ppn / s->pages_per_fpage;
		for (j = 0; j < nr && g[j].fpage != fpage; j++)
			;
		if (j < nr) {
			g[j].cnt++;
			continue;
		}
		if (nr == SSD_READ_GROUPS) {
			done = read_groups(s, g, nr, t0, done);
			nr = 0;
		}
		g[nr].fpage = fpage;
		g[nr].ppn = ppn;
		g[nr++].cnt = 1;
	}
	done = read_groups(s, g, nr, t0, done);
	s->stats.host_read_pages += n;
	return host_xfer(s, &s->host_rd_free, done, n);
}

u64 ssd_write(struct ssd_ftl *s, u64 now, u64 lpn, u32 n, bool fua)
{
	bool sync = fua || !s->p.write_cache;
	u64 t, end, prog = 0;
	u32 i;

	gc_background(s, now);
	wbuf_reap(&s->wb, now);
	n = clamp_pages(s, lpn, n);
	t = host_xfer(s, &s->host_wr_free, now, n);
	t += s->p.fw_write_ns + (u64)n * s->p.fw_write_4k_ns;
	for (i = 0; i < n; i++) {
		t = wb_take(s, t);
		gc_paced(s, t);
		unmap_lpn(s, lpn + i, t);
		end = wp_place(s, &s->user, lpn + i, t);
		prog = max_t(u64, prog, end);
	}
	s->stats.host_write_pages += n;
	if (!sync)
		return t;
	if (s->user.line != SSD_NONE && s->user.idx)
		prog = max_t(u64, prog, wp_program(s, &s->user, t));
	return max_t(u64, t, prog);
}

u64 ssd_trim(struct ssd_ftl *s, u64 now, u64 lpn, u64 n)
{
	u64 i;

	n = clamp_pages(s, lpn, n);
	for (i = 0; i < n; i++) {
		if (s->l2p[lpn + i] != SSD_NONE) {
			unmap_lpn(s, lpn + i, now);
			s->stats.trim_pages++;
		}
	}
	return now + s->p.fw_write_ns;
}

u64 ssd_flush(struct ssd_ftl *s, u64 now)
{
	if (s->user.line != SSD_NONE && s->user.idx)
		wp_program(s, &s->user, now);
	return wbuf_drained_at(&s->wb, now);
}

/* ---- Reporting ----------------------------------------------------------- */

u32 ssd_free_lines(const struct ssd_ftl *s)
{
	return s->free_count;
}

void ssd_wear(const struct ssd_ftl *s, u64 *mean_x100, u32 *max)
{
	u64 sum = 0;
	u32 i, hi = 0;

	for (i = 0; i < s->nr_lines; i++) {
		sum += s->lines[i].erase_count;
		hi = max_t(u32, hi, s->lines[i].erase_count);
	}
	*mean_x100 = div64_u64(sum * 100, s->nr_lines);
	*max = hi;
}

/* SMART Percentage Used: mean erase count against the rating, up to 255. */
u32 ssd_percent_used(const struct ssd_ftl *s)
{
	u64 mean_x100;
	u32 max;

	ssd_wear(s, &mean_x100, &max);
	return min_t(u64, div64_u64(mean_x100, s->p.pe_cycles), 255);
}

int ssd_check_consistency(const struct ssd_ftl *s, const char **why)
{
	u64 nr_ppns = (u64)s->nr_lines * s->pages_per_line, i;
	u32 *vpc, ppn, lpn, n, line, nfree = 0;
	const char *reason = NULL;

	vpc = pure_zalloc((u64)s->nr_lines * sizeof(u32));
	if (!vpc) {
		reason = "out of memory";
		goto out;
	}
	for (i = 0; i < s->nr_lpns && !reason; i++) {
		ppn = s->l2p[i];
		if (ppn != SSD_NONE && (ppn >= nr_ppns || s->p2l[ppn] != i))
			reason = "L2P entry without its P2L entry";
	}
	for (i = 0; i < nr_ppns && !reason; i++) {
		lpn = s->p2l[i];
		if (lpn == SSD_NONE)
			continue;
		if (lpn >= s->nr_lpns || s->l2p[lpn] != i)
			reason = "P2L entry without its L2P entry";
		else
			vpc[i / s->pages_per_line]++;
	}
	for (i = 0; i < s->nr_lines && !reason; i++) {
		if (vpc[i] != s->lines[i].vpc)
			reason = "line valid count wrong";
		else if (s->lines[i].state == SSD_LINE_FREE && vpc[i])
			reason = "free line holds valid pages";
		else if (s->lines[i].state == SSD_LINE_OPEN &&
			 i != s->user.line && i != s->gc.line)
			reason = "open line without a write pointer";
		nfree += s->lines[i].state == SSD_LINE_FREE;
	}
	for (n = 0, line = s->free_head; !reason && line != SSD_NONE;
	     line = s->lines[line].next) {
		if (s->lines[line].state != SSD_LINE_FREE || ++n > s->nr_lines)
			reason = "free pool corrupt";
	}
	if (!reason && (n != s->free_count || nfree != s->free_count))
		reason = "free pool count wrong";
out:
	pure_free(vpc);
	if (why)
		*why = reason;
	return reason ? -EIO : 0;
}
