// SPDX-License-Identifier: GPL-2.0
/*
 * The ZNS kind's zones and timing; see zns_model.h.
 */
#include "zns_model.h"
#include "xfer_ns.h"

/*
 * ZN540-like flash: NVMeVirt's WD ZN540 figures (TLC, 8 x 4 dies, 32 KiB
 * pages programmed three at a time, MiB/s bandwidths converted to MB/s)
 * with a block erase where NVMeVirt has none.  The zones are small by
 * default (64 MiB, so tests get many) with the ZN540's 14 open and active
 * resources; see docs/zns.md.
 */
void zns_default_params(struct zns_params *p)
{
	memset(p, 0, sizeof(*p));
	p->flash.nand = (struct nand_params) {
		.nr_channels = 8, .luns_per_channel = 4, .planes_per_lun = 1,
		.blocks_per_plane = 1, .pages_per_block = 768,
		.page_bytes = 32768, .oneshot_pages = 3, .cell_bits = 3,
		.read_ns = { 50000, 50000, 50000 }, .prog_ns = 561000,
		.erase_ns = 3500000, .channel_mbs = 471,
	};
	p->flash.host_mbs = 3198;
	p->flash.fw_read_ns = 20000;
	p->flash.fw_write_ns = 5600;
	p->flash.fw_write_4k_ns = 600;
	p->flash.wb_bytes = 8 << 20;
	p->flash.write_cache = true;
	p->flash.pe_cycles = 3000;
	p->zone_bytes = 64ULL << 20;
	p->zcap_bytes = 64ULL << 20;
	p->max_open = 14;
	p->max_active = 14;
	p->zasl_bytes = 64 << 10;
	p->dies_per_zone = 32;
}

enum zns_key_type { ZNS_K_MIB, ZNS_K_KIB, ZNS_K_U32 };

static const struct {
	const char *key;
	u32 type;
	size_t off;
} zns_keys[] = {
	{ "zone_mib",		ZNS_K_MIB, offsetof(struct zns_params, zone_bytes) },
	{ "zcap_mib",		ZNS_K_MIB, offsetof(struct zns_params, zcap_bytes) },
	{ "max_open",		ZNS_K_U32, offsetof(struct zns_params, max_open) },
	{ "max_active",		ZNS_K_U32, offsetof(struct zns_params, max_active) },
	{ "zasl_kib",		ZNS_K_KIB, offsetof(struct zns_params, zasl_bytes) },
	{ "dies_per_zone",	ZNS_K_U32, offsetof(struct zns_params, dies_per_zone) },
};

const char *zns_param_key(u32 i)
{
	return i < ARRAY_SIZE(zns_keys) ? zns_keys[i].key : NULL;
}

static int zns_param_set(void *ctx, const char *s, size_t len,
			 const char **why)
{
	struct zns_params *p = ctx;
	const char *eq = memchr(s, '=', len);
	size_t klen = eq ? (size_t)(eq - s) : len, i;
	bool zcap_follows = false;
	u64 v;

	for (i = 0; i < ARRAY_SIZE(zns_keys); i++)
		if (strlen(zns_keys[i].key) == klen &&
		    !memcmp(s, zns_keys[i].key, klen))
			break;
	if (i == ARRAY_SIZE(zns_keys))
		return ssd_param_set(&p->flash, s, len, why);
	if (!eq || !pure_parse_u64(eq + 1, len - klen - 1, &v)) {
		*why = "value not a whole decimal number";
		return -EINVAL;
	}
	switch (zns_keys[i].type) {
	case ZNS_K_MIB:
		if (v > (1ULL << 24))
			goto range;
		zcap_follows = zns_keys[i].off == offsetof(struct zns_params, zone_bytes) &&
			       p->zcap_bytes == p->zone_bytes;
		*(u64 *)((u8 *)p + zns_keys[i].off) = v << 20;
		/* A zone size change carries a full capacity along. */
		if (zcap_follows)
			p->zcap_bytes = p->zone_bytes;
		break;
	case ZNS_K_KIB:
		if (v > (U32_MAX >> 10))
			goto range;
		*(u32 *)((u8 *)p + zns_keys[i].off) = (u32)v << 10;
		break;
	case ZNS_K_U32:
		if (v > U32_MAX)
			goto range;
		*(u32 *)((u8 *)p + zns_keys[i].off) = (u32)v;
		break;
	}
	return 0;
range:
	*why = "value out of range";
	return -EINVAL;
}

int zns_params_parse(struct zns_params *p, const char *s, const char **why)
{
	return pure_kv_parse(s, zns_param_set, p, why);
}

static bool is_pow2(u64 v)
{
	return v && !(v & (v - 1));
}

int zns_params_check(const struct zns_params *p, u64 bytes, u32 lba_shift,
		     const char **why)
{
	const struct ssd_params *f = &p->flash;
	u64 dies = (u64)f->nand.nr_channels * f->nand.luns_per_channel;
	u64 zones = p->zone_bytes ? bytes / p->zone_bytes : 0;
	const char *reason = NULL;

	if (nand_params_check(&f->nand, &reason))
		;
	else if (f->host_mbs > SSD_MAX_HOST_MBS)
		reason = "host_mbs above 100000";
	else if (f->fw_read_ns > SSD_MAX_FW_NS || f->fw_write_ns > SSD_MAX_FW_NS ||
		 f->fw_write_4k_ns > SSD_MAX_FW_NS)
		reason = "a firmware time above 10 ms";
	else if (f->wb_bytes < 2ULL * nand_unit_bytes(&f->nand) ||
		 f->wb_bytes > (1ULL << 30))
		reason = "write buffer not between 2 program units and 1 GiB";
	else if (!f->pe_cycles)
		reason = "pe_cycles is 0";
	else if (!is_pow2(p->zone_bytes) || p->zone_bytes < (1ULL << 20))
		reason = "zone size (zone_mib) not a power of two of at least 1 MiB";
	else if (!p->zcap_bytes || p->zcap_bytes > p->zone_bytes ||
		 p->zcap_bytes % 4096)
		reason = "zone capacity (zcap_mib) not between 1 MiB and the zone size";
	else if (!bytes || bytes % p->zone_bytes)
		reason = "capacity not a whole number of zones";
	else if (zones > ZNS_MAX_ZONES)
		reason = "more than 1048576 zones";
	else if (p->max_open > zones || p->max_active > zones)
		reason = "max_open or max_active above the number of zones";
	else if (p->max_open && p->max_active && p->max_open > p->max_active)
		reason = "max_open above max_active";
	else if (!is_pow2(p->zasl_bytes) || p->zasl_bytes < 4096)
		reason = "zone append size limit (zasl_kib) not a power of two of at least 4 KiB";
	else if (!p->dies_per_zone || p->dies_per_zone > dies)
		reason = "dies_per_zone not between 1 and the dies of the array";
	else if (lba_shift < 9 || lba_shift > 12)
		reason = "block size not 512 to 4096 bytes";

	if (why)
		*why = reason;
	return reason ? -EINVAL : 0;
}

u64 zns_mem_bytes(const struct zns_params *p, u64 bytes)
{
	return bytes / p->zone_bytes * sizeof(struct zns_zone) +
	       wbuf_mem_bytes(p->flash.wb_bytes / SSD_PAGE_BYTES);
}

int zns_init(struct zns_model *m, const struct zns_params *p, u64 bytes,
	     u32 lba_shift)
{
	struct nand_params np = p->flash.nand;
	u64 units, per_die;
	u32 i;

	memset(m, 0, sizeof(*m));
	m->p = *p;
	m->lba_shift = lba_shift;
	m->nr_zones = (u32)(bytes / p->zone_bytes);
	m->zone_lbas = p->zone_bytes >> lba_shift;
	m->cap_lbas = p->zcap_bytes >> lba_shift;
	m->dies_per_zone = p->dies_per_zone;
	m->unit_bytes = nand_unit_bytes(&np);
	m->units_per_block = np.pages_per_block / np.oneshot_pages;
	/* Program units of one zone on each of its dies, then blocks. */
	units = (p->zcap_bytes + m->unit_bytes - 1) / m->unit_bytes;
	per_die = (units + m->dies_per_zone - 1) / m->dies_per_zone;
	m->erases_per_die = (u32)((per_die + m->units_per_block - 1) /
				  m->units_per_block);
	/* Enough blocks for every zone (the model times; it stores no map). */
	np.blocks_per_plane = (u32)min_t(u64, U32_MAX,
		((u64)m->nr_zones * m->dies_per_zone * m->erases_per_die +
		 np.nr_channels * np.luns_per_channel - 1) /
		(np.nr_channels * np.luns_per_channel));
	m->p.flash.nand.blocks_per_plane = np.blocks_per_plane;
	nand_init(&m->nand, &np);
	m->zones = pure_zalloc((u64)m->nr_zones * sizeof(*m->zones));
	if (!m->zones || wbuf_init(&m->wb, p->flash.wb_bytes / SSD_PAGE_BYTES)) {
		zns_free(m);
		return -ENOMEM;
	}
	for (i = 0; i < m->nr_zones; i++) {
		m->zones[i].state = ZNS_ZS_EMPTY;
		m->zones[i].wp = zns_zslba(m, i);
		m->zones[i].data_end = m->zones[i].wp;
	}
	return 0;
}

void zns_free(struct zns_model *m)
{
	pure_free(m->zones);
	m->zones = NULL;
	wbuf_free(&m->wb);
}

/* Pages of the zone's open unit that sit in the buffer. */
static u32 open_unit_pages(const struct zns_model *m, const struct zns_zone *z,
			   u32 zone)
{
	u64 bytes = (z->wp - zns_zslba(m, zone)) << m->lba_shift;

	return (u32)((bytes % m->unit_bytes + SSD_PAGE_BYTES - 1) / SSD_PAGE_BYTES);
}

void zns_reset_timing(struct zns_model *m)
{
	u32 i, used = 0;

	nand_reset_timing(&m->nand);
	m->host_rd_free = 0;
	m->host_wr_free = 0;
	for (i = 0; i < m->nr_zones; i++) {
		m->zones[i].ready = 0;
		if (m->zones[i].state == ZNS_ZS_IOPEN ||
		    m->zones[i].state == ZNS_ZS_EOPEN ||
		    m->zones[i].state == ZNS_ZS_CLOSED)
			used += open_unit_pages(m, &m->zones[i], i);
	}
	wbuf_reset(&m->wb, used);
}

void zns_format(struct zns_model *m, u32 lba_shift)
{
	u32 i;

	m->lba_shift = lba_shift;
	m->zone_lbas = m->p.zone_bytes >> lba_shift;
	m->cap_lbas = m->p.zcap_bytes >> lba_shift;
	m->nr_open = 0;
	m->nr_active = 0;
	for (i = 0; i < m->nr_zones; i++) {
		struct zns_zone *z = &m->zones[i];

		z->state = ZNS_ZS_EMPTY;
		z->wp = zns_zslba(m, i);
		z->data_end = z->wp;
		z->ready = 0;
		z->za = 0;
	}
	wbuf_reset(&m->wb, 0);
}

/* ---- Zone state machine ------------------------------------------------ */

static bool is_open(u8 zs)
{
	return zs == ZNS_ZS_IOPEN || zs == ZNS_ZS_EOPEN;
}

static bool is_active(u8 zs)
{
	return is_open(zs) || zs == ZNS_ZS_CLOSED;
}

/* Moves zone to state, keeping the resource counts right. */
static void set_state(struct zns_model *m, u32 zone, u8 zs)
{
	struct zns_zone *z = &m->zones[zone];

	if (is_open(z->state))
		m->nr_open--;
	if (is_active(z->state))
		m->nr_active--;
	if (is_open(zs)) {
		m->nr_open++;
		if (!is_open(z->state))
			z->opened = ++m->open_seq;
	}
	if (is_active(zs))
		m->nr_active++;
	z->state = zs;
}

/* Closes the implicitly opened zone opened first (not except). */
static bool implicit_close(struct zns_model *m, u32 except)
{
	u32 i, best = U32_MAX;

	for (i = 0; i < m->nr_zones; i++)
		if (i != except && m->zones[i].state == ZNS_ZS_IOPEN &&
		    (best == U32_MAX || m->zones[i].opened < m->zones[best].opened))
			best = i;
	if (best == U32_MAX)
		return false;
	set_state(m, best, ZNS_ZS_CLOSED);
	m->stats.implicit_closes++;
	return true;
}

/*
 * Resources to open zone (Empty or Closed): an active one if Empty, an
 * open one; an implicitly opened zone is closed to free an open one.
 */
static u16 open_resources(struct zns_model *m, u32 zone)
{
	u8 zs = m->zones[zone].state;

	if (is_open(zs))
		return ZNS_SC_OK;
	if (zs == ZNS_ZS_EMPTY && m->p.max_active &&
	    m->nr_active >= m->p.max_active)
		return ZNS_SC_TOO_MANY_ACTIVE;
	if (m->p.max_open && m->nr_open >= m->p.max_open &&
	    !implicit_close(m, zone))
		return ZNS_SC_TOO_MANY_OPEN;
	return ZNS_SC_OK;
}

/* A zone that became Full, or was finished or reset: buffer and flash. */
static u64 program_open_unit(struct zns_model *m, u32 zone, u64 t, bool keep);

u16 zns_write(struct zns_model *m, u64 slba, u64 nlb, bool append, u64 *lba)
{
	u64 n = (u64)m->nr_zones * m->zone_lbas, start, end;
	struct zns_zone *z;
	u32 zone;
	u16 st;

	if (slba >= n || !nlb || nlb > n - slba)
		return ZNS_SC_LBA_RANGE;
	zone = zns_zone_of(m, slba);
	z = &m->zones[zone];
	start = zns_zslba(m, zone);
	if (append) {
		if (slba != start)
			return ZNS_SC_INVALID_FIELD;
		if ((nlb << m->lba_shift) > m->p.zasl_bytes)
			return ZNS_SC_INVALID_FIELD;
	}
	switch (z->state) {
	case ZNS_ZS_FULL:
		return ZNS_SC_FULL;
	case ZNS_ZS_RONLY:
		return ZNS_SC_READ_ONLY;
	case ZNS_ZS_OFFLINE:
		return ZNS_SC_OFFLINE;
	}
	if (!append && slba != z->wp)
		return ZNS_SC_INVALID_WRITE;
	end = start + m->cap_lbas;
	if (nlb > end - z->wp)
		return ZNS_SC_BOUNDARY;
	st = open_resources(m, zone);
	if (st)
		return st;
	if (!is_open(z->state))
		set_state(m, zone, ZNS_ZS_IOPEN);
	*lba = z->wp;
	if (append)
		m->stats.appends++;
	z->wp += nlb;
	z->data_end = z->wp;
	if (z->wp == end)
		set_state(m, zone, ZNS_ZS_FULL);
	return ZNS_SC_OK;
}

u16 zns_read_check(const struct zns_model *m, u64 slba, u64 nlb)
{
	u64 n = (u64)m->nr_zones * m->zone_lbas;
	u32 zone;

	if (slba >= n || !nlb || nlb > n - slba)
		return ZNS_SC_LBA_RANGE;
	zone = zns_zone_of(m, slba);
	/* No reads across zone boundaries (OZCS.RAZB is 0). */
	if (zone != zns_zone_of(m, slba + nlb - 1))
		return ZNS_SC_BOUNDARY;
	if (m->zones[zone].state == ZNS_ZS_OFFLINE)
		return ZNS_SC_OFFLINE;
	return ZNS_SC_OK;
}

u64 zns_data_bytes(const struct zns_model *m, u64 slba, u64 nlb)
{
	u64 dend = m->zones[zns_zone_of(m, slba)].data_end;

	if (slba >= dend)
		return 0;
	return (min_t(u64, nlb, dend - slba)) << m->lba_shift;
}

/* ---- Timing ----------------------------------------------------------- */

static u32 unit_die(const struct zns_model *m, u32 zone, u64 unit)
{
	u64 first = (u64)zone * m->dies_per_zone;

	return (u32)((first + unit % m->dies_per_zone) % m->nand.nr_dies);
}

static u64 host_xfer(struct zns_model *m, u64 *link, u64 t, u64 bytes)
{
	if (!m->p.flash.host_mbs)
		return t;
	t = max_t(u64, t, *link) + pure_xfer_ns(bytes, m->p.flash.host_mbs);
	*link = t;
	return t;
}

/* Byte offset of lba in its zone. */
static u64 zone_off(const struct zns_model *m, u64 lba)
{
	return (lba % m->zone_lbas) << m->lba_shift;
}

/*
 * Programs the zone's open unit (the buffered part of it), no earlier than
 * t; returns the program end.  Unless keep, its buffer slots go when the
 * program ends (the unit is complete, or the zone will take no more).
 */
static u64 program_open_unit(struct zns_model *m, u32 zone, u64 t, bool keep)
{
	struct zns_zone *z = &m->zones[zone];
	u64 off = zone_off(m, z->wp), end;
	u32 pages = open_unit_pages(m, z, zone);

	if (!pages)
		return t;
	end = nand_program(&m->nand, unit_die(m, zone, off / m->unit_bytes),
			   m->unit_bytes, max_t(u64, t, z->ready));
	m->stats.program_units++;
	if (!keep)
		wbuf_push(&m->wb, end, pages);
	return end;
}

u64 zns_time_write(struct zns_model *m, u64 now, u64 lba, u64 nlb, bool fua)
{
	u32 zone = zns_zone_of(m, lba);
	struct zns_zone *z = &m->zones[zone];
	u64 off = zone_off(m, lba), bytes = nlb << m->lba_shift;
	u64 cap = m->p.zcap_bytes, first, last, pg, t, prog = 0, had;
	u32 fill = 0;

	wbuf_reap(&m->wb, now);
	t = host_xfer(m, &m->host_wr_free, now, bytes);
	first = off / SSD_PAGE_BYTES;
	last = (off + bytes + SSD_PAGE_BYTES - 1) / SSD_PAGE_BYTES;
	t += m->p.flash.fw_write_ns + (last - first) * m->p.flash.fw_write_4k_ns;
	/* A page already begun by an earlier write holds its slot already. */
	if (off % SSD_PAGE_BYTES)
		first++;
	for (pg = first; pg < last; pg++) {
		u64 pend = (pg + 1) * SSD_PAGE_BYTES;

		had = wbuf_take(&m->wb, t);
		if (had > t)
			m->stats.wb_waits++;
		t = had;
		z->ready = max_t(u64, z->ready, t);
		fill++;
		/* The unit is full, or the zone's capacity ends in it. */
		if (pend % m->unit_bytes == 0 || pend >= cap) {
			u64 e = nand_program(&m->nand,
					     unit_die(m, zone, pg * SSD_PAGE_BYTES / m->unit_bytes),
					     m->unit_bytes, z->ready);
			u32 in_unit = (u32)(((pg * SSD_PAGE_BYTES) % m->unit_bytes) /
					    SSD_PAGE_BYTES + 1);

			m->stats.program_units++;
			wbuf_push(&m->wb, e, in_unit);
			prog = max_t(u64, prog, e);
			z->ready = 0;
			fill = 0;
		}
	}
	m->stats.host_write_pages += last - (off / SSD_PAGE_BYTES);
	if (!(fua || !m->p.flash.write_cache))
		return t;
	if (z->state != ZNS_ZS_FULL && (fill || (off + bytes) % m->unit_bytes))
		prog = max_t(u64, prog, program_open_unit(m, zone, t, true));
	return max_t(u64, t, prog);
}

u64 zns_time_read(struct zns_model *m, u64 now, u64 slba, u64 nlb)
{
	u64 bytes = nlb << m->lba_shift, t0 = now + m->p.flash.fw_read_ns;
	u32 fpage = m->p.flash.nand.page_bytes;
	u64 done = t0, lba = slba, end = slba + nlb;

	while (lba < end) {
		u32 zone = zns_zone_of(m, lba);
		const struct zns_zone *z = &m->zones[zone];
		u64 zend = min_t(u64, end, zns_zslba(m, zone) + m->zone_lbas);
		u64 off = zone_off(m, lba);
		u64 stop = (zend - zns_zslba(m, zone)) << m->lba_shift;
		u64 written = (z->data_end - zns_zslba(m, zone)) << m->lba_shift;
		u64 programmed;

		/* Data of a unit not yet complete is still in the buffer. */
		programmed = written - written % m->unit_bytes;
		if (z->state == ZNS_ZS_FULL && z->data_end == z->wp)
			programmed = written;
		stop = min_t(u64, stop, programmed);
		while (off < stop) {
			u64 unit = off / m->unit_bytes;
			u64 in_unit = off % m->unit_bytes;
			u64 n = min_t(u64, stop - off, fpage - off % fpage);
			u32 wl = (u32)((unit / m->dies_per_zone) % m->units_per_block);
			u32 pib = wl * m->p.flash.nand.oneshot_pages +
				  (u32)(in_unit / ((u64)fpage * m->p.flash.nand.planes_per_lun));

			done = max_t(u64, done,
				     nand_read(&m->nand, unit_die(m, zone, unit),
					       pib, (u32)n, t0));
			m->stats.nand_read_pages += (n + SSD_PAGE_BYTES - 1) / SSD_PAGE_BYTES;
			off += n;
		}
		lba = zend;
	}
	m->stats.host_read_pages += (bytes + SSD_PAGE_BYTES - 1) / SSD_PAGE_BYTES;
	return host_xfer(m, &m->host_rd_free, done, bytes);
}

u64 zns_time_flush(struct zns_model *m, u64 now)
{
	u64 t = now;
	u32 i;

	for (i = 0; i < m->nr_zones; i++)
		if (is_active(m->zones[i].state) && open_unit_pages(m, &m->zones[i], i))
			t = max_t(u64, t, program_open_unit(m, i, now, true));
	return wbuf_drained_at(&m->wb, t);
}

u64 zns_time_report(struct zns_model *m, u64 now, u64 bytes)
{
	return host_xfer(m, &m->host_rd_free, now + m->p.flash.fw_read_ns, bytes);
}

/* Erases the blocks of zone on each of its dies. */
static u64 erase_zone(struct zns_model *m, u32 zone, u64 t)
{
	u64 end = t;
	u32 d, b;

	for (d = 0; d < m->dies_per_zone && d < m->nand.nr_dies; d++)
		for (b = 0; b < m->erases_per_die; b++)
			end = max_t(u64, end, nand_erase(&m->nand,
							 unit_die(m, zone, d), t));
	m->zones[zone].resets++;
	m->stats.resets++;
	return end;
}

/* ---- Zone Management Send --------------------------------------------- */

/* One zone, one action; *t moves to when its flash work ends. */
static u16 zone_action(struct zns_model *m, u32 zone, u8 action, u64 *t)
{
	struct zns_zone *z = &m->zones[zone];
	u64 start = zns_zslba(m, zone);
	u16 st;

	switch (action) {
	case ZNS_ACT_OPEN:
		switch (z->state) {
		case ZNS_ZS_EMPTY:
		case ZNS_ZS_CLOSED:
			st = open_resources(m, zone);
			if (st)
				return st;
			fallthrough;
		case ZNS_ZS_IOPEN:
			set_state(m, zone, ZNS_ZS_EOPEN);
			fallthrough;
		case ZNS_ZS_EOPEN:
			return ZNS_SC_OK;
		}
		return ZNS_SC_INVALID_TRANSITION;
	case ZNS_ACT_CLOSE:
		switch (z->state) {
		case ZNS_ZS_IOPEN:
		case ZNS_ZS_EOPEN:
			set_state(m, zone, z->wp == start ? ZNS_ZS_EMPTY :
							    ZNS_ZS_CLOSED);
			fallthrough;
		case ZNS_ZS_CLOSED:
			return ZNS_SC_OK;
		}
		return ZNS_SC_INVALID_TRANSITION;
	case ZNS_ACT_FINISH:
		switch (z->state) {
		case ZNS_ZS_EMPTY:
		case ZNS_ZS_IOPEN:
		case ZNS_ZS_EOPEN:
		case ZNS_ZS_CLOSED:
			*t = max_t(u64, *t, program_open_unit(m, zone, *t, false));
			set_state(m, zone, ZNS_ZS_FULL);
			z->wp = start + m->cap_lbas;
			m->stats.finishes++;
			fallthrough;
		case ZNS_ZS_FULL:
			return ZNS_SC_OK;
		}
		return ZNS_SC_INVALID_TRANSITION;
	case ZNS_ACT_RESET:
		switch (z->state) {
		case ZNS_ZS_IOPEN:
		case ZNS_ZS_EOPEN:
		case ZNS_ZS_CLOSED:
		case ZNS_ZS_FULL:
			/* Buffered data of the open unit is dropped. */
			if (z->state != ZNS_ZS_FULL)
				wbuf_untake(&m->wb, open_unit_pages(m, z, zone));
			if (z->data_end > start)
				*t = max_t(u64, *t, erase_zone(m, zone, *t));
			set_state(m, zone, ZNS_ZS_EMPTY);
			z->wp = start;
			z->data_end = start;
			z->ready = 0;
			fallthrough;
		case ZNS_ZS_EMPTY:
			return ZNS_SC_OK;
		}
		return ZNS_SC_INVALID_TRANSITION;
	case ZNS_ACT_OFFLINE:
		switch (z->state) {
		case ZNS_ZS_RONLY:
			set_state(m, zone, ZNS_ZS_OFFLINE);
			fallthrough;
		case ZNS_ZS_OFFLINE:
			return ZNS_SC_OK;
		}
		return ZNS_SC_INVALID_TRANSITION;
	}
	return ZNS_SC_INVALID_FIELD;
}

/* Does select-all apply action to a zone in state zs? */
static bool all_applies(u8 action, u8 zs)
{
	switch (action) {
	case ZNS_ACT_OPEN:
		return zs == ZNS_ZS_CLOSED;
	case ZNS_ACT_CLOSE:
		return is_open(zs);
	case ZNS_ACT_FINISH:
		return is_active(zs);
	case ZNS_ACT_RESET:
		return is_active(zs) || zs == ZNS_ZS_FULL;
	case ZNS_ACT_OFFLINE:
		return zs == ZNS_ZS_RONLY;
	}
	return false;
}

u16 zns_manage(struct zns_model *m, u64 now, u64 slba, u8 action, bool all,
	       u64 *done, u64 *data_from, u64 *data_to)
{
	u64 t = now + m->p.flash.fw_write_ns;
	u32 zone, closed = 0;
	u16 st = ZNS_SC_OK;

	*done = t;
	*data_from = 0;
	*data_to = 0;
	if (action < ZNS_ACT_CLOSE || action > ZNS_ACT_OFFLINE)
		return ZNS_SC_INVALID_FIELD;
	if (all) {
		if (action == ZNS_ACT_OPEN) {
			/* Every Closed zone opens, or none does. */
			for (zone = 0; zone < m->nr_zones; zone++)
				closed += m->zones[zone].state == ZNS_ZS_CLOSED;
			if (m->p.max_open && m->nr_open + closed > m->p.max_open)
				return ZNS_SC_TOO_MANY_OPEN;
		}
		for (zone = 0; zone < m->nr_zones; zone++)
			if (all_applies(action, m->zones[zone].state))
				zone_action(m, zone, action, &t);
		*done = t;
		return ZNS_SC_OK;
	}
	if (slba >= (u64)m->nr_zones * m->zone_lbas)
		return ZNS_SC_LBA_RANGE;
	if (slba % m->zone_lbas)
		return ZNS_SC_INVALID_FIELD;
	zone = zns_zone_of(m, slba);
	if (action == ZNS_ACT_RESET) {
		*data_from = slba;
		*data_to = m->zones[zone].data_end;
	}
	st = zone_action(m, zone, action, &t);
	if (st) {
		*data_to = *data_from;
		return st;
	}
	*done = t;
	return ZNS_SC_OK;
}

/* ---- Zone Management Receive ------------------------------------------ */

u64 zns_report(const struct zns_model *m, u64 slba, u8 filter,
	       struct zns_desc *out, u32 max, u32 *filled)
{
	u64 total = 0;
	u32 zone;

	*filled = 0;
	if (slba >= (u64)m->nr_zones * m->zone_lbas)
		return 0;
	for (zone = zns_zone_of(m, slba); zone < m->nr_zones; zone++) {
		const struct zns_zone *z = &m->zones[zone];
		struct zns_desc *d;

		if (filter && z->state != filter)
			continue;
		total++;
		if (*filled >= max)
			continue;
		d = &out[(*filled)++];
		d->zt = ZNS_ZT_SWR;
		d->zs = z->state;
		d->za = z->za;
		d->zcap = m->cap_lbas;
		d->zslba = zns_zslba(m, zone);
		d->wp = z->wp;
	}
	return total;
}

u32 zns_percent_used(const struct zns_model *m)
{
	u32 i, most = 0;
	u64 pct;

	for (i = 0; i < m->nr_zones; i++)
		most = max_t(u32, most, m->zones[i].resets);
	pct = div64_u64((u64)most * 100, m->p.flash.pe_cycles);
	return (u32)min_t(u64, pct, 255);
}

int zns_check_consistency(const struct zns_model *m, const char **why)
{
	u32 i, open = 0, active = 0;

	for (i = 0; i < m->nr_zones; i++) {
		const struct zns_zone *z = &m->zones[i];
		u64 start = zns_zslba(m, i);

		open += is_open(z->state);
		active += is_active(z->state);
		if (z->wp < start || z->wp > start + m->cap_lbas) {
			*why = "write pointer outside its zone";
			return -EIO;
		}
		if (z->data_end < start || z->data_end > z->wp) {
			*why = "data end outside its zone's written part";
			return -EIO;
		}
		if (z->state == ZNS_ZS_EMPTY && z->wp != start) {
			*why = "empty zone with its write pointer moved";
			return -EIO;
		}
	}
	if (open != m->nr_open || active != m->nr_active) {
		*why = "open or active count does not match the zones";
		return -EIO;
	}
	if ((m->p.max_open && open > m->p.max_open) ||
	    (m->p.max_active && active > m->p.max_active)) {
		*why = "more zones open or active than the limits";
		return -EIO;
	}
	return 0;
}
