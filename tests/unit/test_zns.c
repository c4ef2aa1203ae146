// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of the ZNS kind's model (src/pure/zns_model.c): the zone
 * state machine, resources, status codes, reports and timing on a virtual
 * clock.
 */
#include "zns_model.h"
#include "test.h"

#define US	1000ULL
#define MS	1000000ULL
#define MIB	(1ULL << 20)

/* 16 zones of 4 MiB (4 KiB blocks: 1024 LBAs), 3 open, 4 active. */
static struct zns_params small(void)
{
	struct zns_params p;

	zns_default_params(&p);
	p.zone_bytes = 4 * MIB;
	p.zcap_bytes = 4 * MIB;
	p.max_open = 3;
	p.max_active = 4;
	p.dies_per_zone = 4;
	return p;
}

static void setup(struct zns_model *m, struct zns_params p)
{
	const char *why = NULL;

	CHECK_EQ(zns_params_check(&p, 64 * MIB, 12, &why), 0);
	CHECK_EQ(zns_init(m, &p, 64 * MIB, 12), 0);
}

static void consistent(struct zns_model *m)
{
	const char *why = "";

	if (zns_check_consistency(m, &why)) {
		printf("    consistency: %s\n", why);
		CHECK(0);
	}
}

#define ZL	1024ULL		/* LBAs of a zone */

static u8 zs(struct zns_model *m, u32 zone)
{
	return m->zones[zone].state;
}

static void defaults_and_check(void)
{
	struct zns_params p;
	const char *why = NULL;

	zns_default_params(&p);
	CHECK_EQ(zns_params_check(&p, 10ULL << 30, 9, &why), 0);
	CHECK_EQ(p.zone_bytes, 64 * MIB);
	CHECK_EQ(p.max_open, 14);
	/* Each bad setting is refused with a reason. */
	p.zone_bytes = 48 * MIB;
	CHECK_EQ(zns_params_check(&p, 480 * MIB, 9, &why), -EINVAL);
	CHECK(why && strstr(why, "power of two"));
	zns_default_params(&p);
	CHECK_EQ(zns_params_check(&p, 100 * MIB, 9, &why), -EINVAL);
	CHECK(why && strstr(why, "whole number of zones"));
	p.zcap_bytes = 128 * MIB;
	CHECK_EQ(zns_params_check(&p, 640 * MIB, 9, &why), -EINVAL);
	CHECK(why && strstr(why, "zcap_mib"));
	zns_default_params(&p);
	p.max_open = 20;
	CHECK_EQ(zns_params_check(&p, 640 * MIB, 9, &why), -EINVAL);
	CHECK(why && strstr(why, "max_open"));
	p.max_open = 14;
	p.max_active = 10;
	CHECK_EQ(zns_params_check(&p, 64 * 64 * MIB, 9, &why), -EINVAL);
	CHECK(why && strstr(why, "max_open above max_active"));
	zns_default_params(&p);
	p.zasl_bytes = 6144;
	CHECK_EQ(zns_params_check(&p, 64 * 64 * MIB, 9, &why), -EINVAL);
	CHECK(why && strstr(why, "zasl"));
	zns_default_params(&p);
	p.dies_per_zone = 33;
	CHECK_EQ(zns_params_check(&p, 64 * 64 * MIB, 9, &why), -EINVAL);
	CHECK(why && strstr(why, "dies_per_zone"));
	zns_default_params(&p);
}

static void parse_keys(void)
{
	struct zns_params p;
	const char *why = NULL;

	zns_default_params(&p);
	CHECK_EQ(zns_params_parse(&p, "zone_mib=16,max_open=4,max_active=6,zasl_kib=32,prog_us=900,channels=4", &why), 0);
	CHECK_EQ(p.zone_bytes, 16 * MIB);
	CHECK_EQ(p.zcap_bytes, 16 * MIB);	/* follows a full capacity */
	CHECK_EQ(p.max_open, 4);
	CHECK_EQ(p.max_active, 6);
	CHECK_EQ(p.zasl_bytes, 32 << 10);
	CHECK_EQ(p.flash.nand.prog_ns, 900 * US);
	CHECK_EQ(p.flash.nand.nr_channels, 4);
	CHECK_EQ(zns_params_parse(&p, "zcap_mib=12", &why), 0);
	CHECK_EQ(zns_params_parse(&p, "zone_mib=32", &why), 0);
	CHECK_EQ(p.zcap_bytes, 12 * MIB);	/* a set capacity stays */
	CHECK_EQ(zns_params_parse(&p, "zone_size=3", &why), -EINVAL);
	CHECK(why && strstr(why, "unknown key"));
	CHECK_EQ(zns_params_parse(&p, "max_open=x", &why), -EINVAL);
	CHECK_EQ(zns_params_parse(&p, "max_open=", &why), -EINVAL);
	CHECK(zns_param_key(0) && !zns_param_key(6));
}

static void sequential_write_fills_zone(void)
{
	struct zns_model m;
	u64 lba, i;

	setup(&m, small());
	CHECK_EQ(zs(&m, 0), ZNS_ZS_EMPTY);
	for (i = 0; i < ZL; i += 32) {
		CHECK_EQ(zns_write(&m, i, 32, false, &lba), ZNS_SC_OK);
		CHECK_EQ(lba, i);
	}
	CHECK_EQ(zs(&m, 0), ZNS_ZS_FULL);
	CHECK_EQ(m.nr_open, 0);
	CHECK_EQ(m.nr_active, 0);
	CHECK_EQ(zns_write(&m, 0, 1, false, &lba), ZNS_SC_FULL);
	CHECK_EQ(zns_write(&m, 0, 1, true, &lba), ZNS_SC_FULL);
	consistent(&m);
	zns_free(&m);
}

static void write_errors(void)
{
	struct zns_model m;
	u64 lba;

	setup(&m, small());
	/* Not at the write pointer. */
	CHECK_EQ(zns_write(&m, 8, 8, false, &lba), ZNS_SC_INVALID_WRITE);
	CHECK_EQ(zs(&m, 0), ZNS_ZS_EMPTY);
	/* Across the zone boundary. */
	CHECK_EQ(zns_write(&m, 0, ZL + 1, false, &lba), ZNS_SC_BOUNDARY);
	CHECK_EQ(zns_write(&m, 0, ZL - 8, false, &lba), ZNS_SC_OK);
	CHECK_EQ(zns_write(&m, ZL - 8, 16, false, &lba), ZNS_SC_BOUNDARY);
	/* Past the namespace. */
	CHECK_EQ(zns_write(&m, 16 * ZL, 1, false, &lba), ZNS_SC_LBA_RANGE);
	CHECK_EQ(zns_write(&m, 16 * ZL - 1, 2, false, &lba), ZNS_SC_LBA_RANGE);
	/* Append: zone start only, at most ZASL (64 KiB = 16 blocks). */
	CHECK_EQ(zns_write(&m, ZL + 1, 1, true, &lba), ZNS_SC_INVALID_FIELD);
	CHECK_EQ(zns_write(&m, ZL, 17, true, &lba), ZNS_SC_INVALID_FIELD);
	CHECK_EQ(zns_write(&m, ZL, 16, true, &lba), ZNS_SC_OK);
	CHECK_EQ(lba, ZL);
	CHECK_EQ(zns_write(&m, ZL, 16, true, &lba), ZNS_SC_OK);
	CHECK_EQ(lba, ZL + 16);
	CHECK_EQ(zs(&m, 1), ZNS_ZS_IOPEN);
	consistent(&m);
	zns_free(&m);
}

static void zone_capacity_below_size(void)
{
	struct zns_params p = small();
	struct zns_model m;
	u64 lba;

	p.zcap_bytes = 3 * MIB;		/* 768 blocks of 1024 */
	setup(&m, p);
	CHECK_EQ(zns_write(&m, 0, 768, false, &lba), ZNS_SC_OK);
	CHECK_EQ(zs(&m, 0), ZNS_ZS_FULL);
	CHECK_EQ(zns_write(&m, ZL, 769, false, &lba), ZNS_SC_BOUNDARY);
	/* Reads of the gap past the capacity return zeroes. */
	CHECK_EQ(zns_read_check(&m, 800, 8), ZNS_SC_OK);
	CHECK_EQ(zns_data_bytes(&m, 800, 8), 0);
	CHECK_EQ(zns_data_bytes(&m, 760, 16), 8 * 4096);
	consistent(&m);
	zns_free(&m);
}

static void implicit_open_and_close(void)
{
	struct zns_model m;
	u64 lba;

	setup(&m, small());
	/* Three implicitly opened zones: the open limit. */
	CHECK_EQ(zns_write(&m, 0, 1, false, &lba), 0);
	CHECK_EQ(zns_write(&m, ZL, 1, false, &lba), 0);
	CHECK_EQ(zns_write(&m, 2 * ZL, 1, false, &lba), 0);
	CHECK_EQ(m.nr_open, 3);
	/* A fourth closes the one opened first (zone 0). */
	CHECK_EQ(zns_write(&m, 3 * ZL, 1, false, &lba), 0);
	CHECK_EQ(zs(&m, 0), ZNS_ZS_CLOSED);
	CHECK_EQ(zs(&m, 3), ZNS_ZS_IOPEN);
	CHECK_EQ(m.nr_open, 3);
	CHECK_EQ(m.nr_active, 4);
	CHECK_EQ(m.stats.implicit_closes, 1);
	/* A fifth zone needs an active resource: none left. */
	CHECK_EQ(zns_write(&m, 4 * ZL, 1, false, &lba), ZNS_SC_TOO_MANY_ACTIVE);
	CHECK_EQ(zs(&m, 4), ZNS_ZS_EMPTY);
	/* Writing the closed zone 0 again reopens it, closing zone 1. */
	CHECK_EQ(zns_write(&m, 1, 1, false, &lba), 0);
	CHECK_EQ(zs(&m, 0), ZNS_ZS_IOPEN);
	CHECK_EQ(zs(&m, 1), ZNS_ZS_CLOSED);
	consistent(&m);
	zns_free(&m);
}

static void explicit_open_limits(void)
{
	struct zns_model m;
	u64 lba, t, from, to;

	setup(&m, small());
	CHECK_EQ(zns_manage(&m, 0, 0, ZNS_ACT_OPEN, false, &t, &from, &to), 0);
	CHECK_EQ(zns_manage(&m, 0, ZL, ZNS_ACT_OPEN, false, &t, &from, &to), 0);
	CHECK_EQ(zns_manage(&m, 0, 2 * ZL, ZNS_ACT_OPEN, false, &t, &from, &to), 0);
	CHECK_EQ(zs(&m, 2), ZNS_ZS_EOPEN);
	/* Explicitly opened zones are never closed for room. */
	CHECK_EQ(zns_manage(&m, 0, 3 * ZL, ZNS_ACT_OPEN, false, &t, &from, &to),
		 ZNS_SC_TOO_MANY_OPEN);
	CHECK_EQ(zns_write(&m, 3 * ZL, 1, false, &lba), ZNS_SC_TOO_MANY_OPEN);
	/* Re-opening an open zone is fine. */
	CHECK_EQ(zns_manage(&m, 0, 0, ZNS_ACT_OPEN, false, &t, &from, &to), 0);
	/* Closing an explicitly opened zone with no data empties it. */
	CHECK_EQ(zns_manage(&m, 0, 0, ZNS_ACT_CLOSE, false, &t, &from, &to), 0);
	CHECK_EQ(zs(&m, 0), ZNS_ZS_EMPTY);
	CHECK_EQ(zns_write(&m, ZL, 8, false, &lba), 0);
	CHECK_EQ(zs(&m, 1), ZNS_ZS_EOPEN);	/* a write keeps it explicit */
	CHECK_EQ(zns_manage(&m, 0, ZL, ZNS_ACT_CLOSE, false, &t, &from, &to), 0);
	CHECK_EQ(zs(&m, 1), ZNS_ZS_CLOSED);
	CHECK_EQ(m.nr_active, 2);
	/* Not a zone start; past the end; unknown action. */
	CHECK_EQ(zns_manage(&m, 0, 5, ZNS_ACT_OPEN, false, &t, &from, &to),
		 ZNS_SC_INVALID_FIELD);
	CHECK_EQ(zns_manage(&m, 0, 16 * ZL, ZNS_ACT_OPEN, false, &t, &from, &to),
		 ZNS_SC_LBA_RANGE);
	CHECK_EQ(zns_manage(&m, 0, 0, 9, false, &t, &from, &to),
		 ZNS_SC_INVALID_FIELD);
	consistent(&m);
	zns_free(&m);
}

static void transitions_table(void)
{
	struct zns_model m;
	u64 lba, t, from, to;

	setup(&m, small());
	/* Close of an empty zone, offline of anything not read-only. */
	CHECK_EQ(zns_manage(&m, 0, 0, ZNS_ACT_CLOSE, false, &t, &from, &to),
		 ZNS_SC_INVALID_TRANSITION);
	CHECK_EQ(zns_manage(&m, 0, 0, ZNS_ACT_OFFLINE, false, &t, &from, &to),
		 ZNS_SC_INVALID_TRANSITION);
	/* Reset of an empty zone: nothing to do, no data to drop. */
	CHECK_EQ(zns_manage(&m, 0, 0, ZNS_ACT_RESET, false, &t, &from, &to), 0);
	CHECK_EQ(m.stats.resets, 0);
	CHECK_EQ(zns_manage(&m, 0, 7 * ZL, ZNS_ACT_RESET, false, &t, &from, &to), 0);
	CHECK_EQ(from, 7 * ZL);
	CHECK_EQ(to, 7 * ZL);
	CHECK_EQ(zns_data_bytes(&m, 7 * ZL, 8), 0);
	/* Finish: partly written zone becomes full. */
	CHECK_EQ(zns_write(&m, 0, 100, false, &lba), 0);
	CHECK_EQ(zns_manage(&m, 0, 0, ZNS_ACT_FINISH, false, &t, &from, &to), 0);
	CHECK_EQ(zs(&m, 0), ZNS_ZS_FULL);
	CHECK_EQ(m.zones[0].wp, ZL);
	CHECK_EQ(zns_data_bytes(&m, 90, 20), 10 * 4096);
	CHECK_EQ(zns_manage(&m, 0, 0, ZNS_ACT_FINISH, false, &t, &from, &to), 0);
	CHECK_EQ(zns_manage(&m, 0, 0, ZNS_ACT_OPEN, false, &t, &from, &to),
		 ZNS_SC_INVALID_TRANSITION);
	CHECK_EQ(zns_manage(&m, 0, 0, ZNS_ACT_CLOSE, false, &t, &from, &to),
		 ZNS_SC_INVALID_TRANSITION);
	/* Reset gives the data back: from, to name what the store drops. */
	CHECK_EQ(zns_manage(&m, 0, 0, ZNS_ACT_RESET, false, &t, &from, &to), 0);
	CHECK_EQ(from, 0);
	CHECK_EQ(to, 100);
	CHECK_EQ(zs(&m, 0), ZNS_ZS_EMPTY);
	CHECK_EQ(zns_data_bytes(&m, 0, 8), 0);
	/* Read-only and offline zones (made by the device). */
	m.zones[5].state = ZNS_ZS_RONLY;
	CHECK_EQ(zns_write(&m, 5 * ZL, 1, false, &lba), ZNS_SC_READ_ONLY);
	CHECK_EQ(zns_manage(&m, 0, 5 * ZL, ZNS_ACT_RESET, false, &t, &from, &to),
		 ZNS_SC_INVALID_TRANSITION);
	CHECK_EQ(zns_manage(&m, 0, 5 * ZL, ZNS_ACT_OFFLINE, false, &t, &from, &to), 0);
	CHECK_EQ(zs(&m, 5), ZNS_ZS_OFFLINE);
	CHECK_EQ(zns_write(&m, 5 * ZL, 1, false, &lba), ZNS_SC_OFFLINE);
	CHECK_EQ(zns_read_check(&m, 5 * ZL, 1), ZNS_SC_OFFLINE);
	CHECK_EQ(zns_read_check(&m, ZL - 1, 2), ZNS_SC_BOUNDARY);
	consistent(&m);
	zns_free(&m);
}

static void select_all(void)
{
	struct zns_model m;
	u64 lba, t, from, to;
	u32 i;

	setup(&m, small());
	for (i = 0; i < 4; i++)
		CHECK_EQ(zns_write(&m, i * ZL, 8, false, &lba), 0);
	CHECK_EQ(zns_write(&m, 8 * ZL, ZL, false, &lba), ZNS_SC_TOO_MANY_ACTIVE);
	CHECK_EQ(zns_manage(&m, 0, 0, ZNS_ACT_CLOSE, true, &t, &from, &to), 0);
	CHECK_EQ(m.nr_open, 0);
	CHECK_EQ(m.nr_active, 4);
	/* Open all: four closed zones, three open resources. */
	CHECK_EQ(zns_manage(&m, 0, 0, ZNS_ACT_OPEN, true, &t, &from, &to),
		 ZNS_SC_TOO_MANY_OPEN);
	CHECK_EQ(zs(&m, 0), ZNS_ZS_CLOSED);
	CHECK_EQ(zns_manage(&m, 0, 0, ZNS_ACT_FINISH, true, &t, &from, &to), 0);
	for (i = 0; i < 4; i++)
		CHECK_EQ(zs(&m, i), ZNS_ZS_FULL);
	CHECK_EQ(m.nr_active, 0);
	CHECK_EQ(zns_manage(&m, 0, 0, ZNS_ACT_RESET, true, &t, &from, &to), 0);
	for (i = 0; i < 16; i++)
		CHECK_EQ(zs(&m, i), ZNS_ZS_EMPTY);
	CHECK_EQ(m.stats.resets, 4);
	consistent(&m);
	zns_free(&m);
}

static void report_filters(void)
{
	struct zns_model m;
	struct zns_desc d[16];
	u64 lba, t, from, to;
	u32 n;

	setup(&m, small());
	CHECK_EQ(zns_write(&m, 0, ZL, false, &lba), 0);		/* full */
	CHECK_EQ(zns_write(&m, ZL, 10, false, &lba), 0);		/* iopen */
	CHECK_EQ(zns_manage(&m, 0, 2 * ZL, ZNS_ACT_OPEN, false, &t, &from, &to), 0);
	CHECK_EQ(zns_report(&m, 0, 0, d, 16, &n), 16);
	CHECK_EQ(n, 16);
	CHECK_EQ(d[0].zs, ZNS_ZS_FULL);
	CHECK_EQ(d[1].zs, ZNS_ZS_IOPEN);
	CHECK_EQ(d[1].wp, ZL + 10);
	CHECK_EQ(d[1].zslba, ZL);
	CHECK_EQ(d[1].zcap, ZL);
	CHECK_EQ(d[1].zt, ZNS_ZT_SWR);
	CHECK_EQ(d[2].zs, ZNS_ZS_EOPEN);
	/* From the zone holding an LBA; a filter; a short buffer. */
	CHECK_EQ(zns_report(&m, ZL + 5, 0, d, 16, &n), 15);
	CHECK_EQ(d[0].zslba, ZL);
	CHECK_EQ(zns_report(&m, 0, ZNS_ZS_EMPTY, d, 4, &n), 13);
	CHECK_EQ(n, 4);
	CHECK_EQ(d[0].zslba, 3 * ZL);
	CHECK_EQ(zns_report(&m, 0, ZNS_ZS_FULL, d, 16, &n), 1);
	CHECK_EQ(zns_report(&m, 0, ZNS_ZS_OFFLINE, d, 16, &n), 0);
	CHECK_EQ(zns_report(&m, 16 * ZL, 0, d, 16, &n), 0);
	zns_free(&m);
}

static void timing_write_read_reset(void)
{
	struct zns_params p = small();
	struct zns_model m;
	u64 lba, t, from, to, now = 1 * MS, unit, e;

	p.flash.host_mbs = 0;		/* no link time: exact figures */
	setup(&m, p);
	unit = m.unit_bytes;		/* 96 KiB: 24 pages */
	CHECK_EQ(unit, 96 * 1024);
	/* A 4 KiB write completes once buffered. */
	CHECK_EQ(zns_write(&m, 0, 1, false, &lba), 0);
	t = zns_time_write(&m, now, lba, 1, false);
	CHECK_EQ(t, now + p.flash.fw_write_ns + p.flash.fw_write_4k_ns);
	CHECK_EQ(m.stats.program_units, 0);
	/* Reading it back: still in the buffer, no flash time. */
	CHECK_EQ(zns_time_read(&m, now, 0, 1), now + p.flash.fw_read_ns);
	/* Fill the unit: one program on the zone's first die. */
	CHECK_EQ(zns_write(&m, 1, 23, false, &lba), 0);
	t = zns_time_write(&m, now, lba, 23, false);
	CHECK_EQ(m.stats.program_units, 1);
	e = nand_idle_at(&m.nand);
	CHECK(e >= t + p.flash.nand.prog_ns);
	/* Now a read senses the flash, after the program. */
	CHECK(zns_time_read(&m, now, 0, 1) >= e + 50 * US);
	/* FUA: the open unit is programmed as it is. */
	CHECK_EQ(zns_write(&m, 24, 1, false, &lba), 0);
	t = zns_time_write(&m, e, lba, 1, true);
	CHECK(t >= e + p.flash.nand.prog_ns);
	/* Reset of a zone with data: the erases of its blocks. */
	now = nand_idle_at(&m.nand) + 1 * MS;
	CHECK_EQ(zns_manage(&m, now, 0, ZNS_ACT_RESET, false, &t, &from, &to), 0);
	CHECK_EQ(t, now + p.flash.fw_write_ns + p.flash.nand.erase_ns);
	/* Reset of an empty zone: firmware only. */
	CHECK_EQ(zns_manage(&m, now, ZL, ZNS_ACT_RESET, false, &t, &from, &to), 0);
	CHECK_EQ(t, now + p.flash.fw_write_ns);
	/* The open unit's buffer slots went with the reset. */
	wbuf_reap(&m.wb, t + 1 * MS);
	CHECK_EQ(m.wb.used, 0);
	zns_free(&m);
}

/* Zones spread over the dies: two zones write in parallel. */
static void zones_on_different_dies(void)
{
	struct zns_params p = small();
	struct zns_model m;
	u64 lba, a, b, now = 0;

	p.flash.host_mbs = 0;
	p.dies_per_zone = 1;
	p.flash.wb_bytes = 64 * MIB;
	setup(&m, p);
	/* Zone 0 on die 0, zone 1 on die 1 (another channel). */
	CHECK_EQ(zns_write(&m, 0, 24, false, &lba), 0);
	zns_time_write(&m, now, lba, 24, false);
	CHECK_EQ(zns_write(&m, ZL, 24, false, &lba), 0);
	zns_time_write(&m, now, lba, 24, false);
	a = m.nand.die_free[0];
	b = m.nand.die_free[1];
	CHECK(a && b);
	CHECK(a < b + p.flash.nand.prog_ns / 2 && b < a + p.flash.nand.prog_ns / 2);
	zns_free(&m);
}

/* A write larger than the buffer still completes, at the flash's pace. */
static void buffer_throttles(void)
{
	struct zns_params p = small();
	struct zns_model m;
	u64 lba, t = 0, i;

	p.flash.host_mbs = 0;
	p.flash.wb_bytes = 192 * 1024;	/* two units */
	setup(&m, p);
	for (i = 0; i < ZL; i += 32) {
		CHECK_EQ(zns_write(&m, i, 32, false, &lba), 0);
		t = zns_time_write(&m, t, lba, 32, false);
	}
	CHECK(m.stats.wb_waits > 0);
	/* 43 units over 4 dies: at least 10 programs back to back. */
	CHECK(t >= 10 * p.flash.nand.prog_ns);
	CHECK(m.wb.used <= m.wb.slots);
	zns_free(&m);
}

/*
 * Sustained rate of one zone on one die with a buffer of two units: one
 * program unit per (channel transfer + tPROG), the analytic figure the
 * benchmark's zns section quotes.
 */
static void one_die_rate_is_analytic(void)
{
	struct zns_params p = small();
	struct zns_model m;
	u64 lba, t = 0, i, per_unit;
	double mbs, want;

	p.flash.host_mbs = 0;
	p.flash.fw_write_ns = 0;
	p.flash.fw_write_4k_ns = 0;
	p.dies_per_zone = 1;
	p.flash.wb_bytes = 2 * 96 * 1024;
	setup(&m, p);
	for (i = 0; i < ZL; i += 32) {
		CHECK_EQ(zns_write(&m, i, 32, false, &lba), 0);
		t = zns_time_write(&m, t, lba, 32, false);
	}
	t = zns_time_flush(&m, t);
	per_unit = nand_xfer_ns(m.unit_bytes, p.flash.nand.channel_mbs) +
		   p.flash.nand.prog_ns;
	want = m.unit_bytes * 1e3 / per_unit;
	mbs = 4.0 * MIB * 1e3 / t;
	/* 4 MiB is 42.7 units: the last, partial one costs a whole program. */
	CHECK(mbs > want * 0.97 && mbs <= want * 1.001);
	zns_free(&m);
}

/* Random commands: counts always match the zones, limits hold. */
static void random_ops_consistent(void)
{
	struct zns_model m;
	u64 seed = 12345, lba, t, from, to, now = 0;
	int i;

	setup(&m, small());
	for (i = 0; i < 200000; i++) {
		u32 zone, r;

		seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
		r = (u32)(seed >> 33);
		zone = r % 16;
		now += 1000;
		switch ((r >> 8) % 8) {
		case 0: case 1: case 2:
			if (!zns_write(&m, m.zones[zone].wp, 1 + (r >> 12) % 64,
				       false, &lba))
				zns_time_write(&m, now, lba, 1, (r >> 20) & 1);
			break;
		case 3:
			if (!zns_write(&m, zns_zslba(&m, zone), 1 + (r >> 12) % 16,
				       true, &lba))
				zns_time_write(&m, now, lba, 1, false);
			break;
		default:
			zns_manage(&m, now, zns_zslba(&m, zone), 1 + (r >> 12) % 5,
				   !((r >> 16) % 16), &t, &from, &to);
		}
		if (zns_check_consistency(&m, &(const char *){ NULL })) {
			consistent(&m);
			break;
		}
		CHECK(m.wb.used <= m.wb.slots);
	}
	zns_free(&m);
}

static void percent_used_counts_resets(void)
{
	struct zns_params p = small();
	struct zns_model m;
	u64 lba, t, from, to;
	int i;

	p.flash.pe_cycles = 10;
	setup(&m, p);
	for (i = 0; i < 3; i++) {
		CHECK_EQ(zns_write(&m, 0, 8, false, &lba), 0);
		CHECK_EQ(zns_manage(&m, 0, 0, ZNS_ACT_RESET, false, &t, &from, &to), 0);
	}
	CHECK_EQ(zns_percent_used(&m), 30);
	zns_free(&m);
}

static const struct test_case tests[] = {
	TEST(defaults_and_check),
	TEST(parse_keys),
	TEST(sequential_write_fills_zone),
	TEST(write_errors),
	TEST(zone_capacity_below_size),
	TEST(implicit_open_and_close),
	TEST(explicit_open_limits),
	TEST(transitions_table),
	TEST(select_all),
	TEST(report_filters),
	TEST(timing_write_read_reset),
	TEST(zones_on_different_dies),
	TEST(buffer_throttles),
	TEST(one_die_rate_is_analytic),
	TEST(random_ops_consistent),
	TEST(percent_used_counts_resets),
};

int main(void)
{
	return TEST_RUN("zns", tests);
}
