// SPDX-License-Identifier: GPL-2.0
/*
 * nvmev-znssim: the ZNS kind's model (src/pure/zns_model.c, the same code
 * the module runs) on a virtual clock, for the figures the benchmark
 * compares the module with.  See --help.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <getopt.h>

#include "zns_model.h"

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: nvmev-znssim [--zns KEY=VALUE,...] [--zones N] [--bs BYTES]\n"
		"                    [--streams N] [--lba-size 512|4096] [--help]\n"
		"\n"
		"Runs the ZNS kind's model (src/pure/zns_model.c, the code the module\n"
		"runs) on a virtual clock with no host overhead, and prints what it\n"
		"predicts as key=value lines:\n"
		"  write_mb_s      sequential writes of --bs bytes (default 131072) over\n"
		"                  --zones zones (default 4), one zone after the other,\n"
		"                  each write issued when the one before completes\n"
		"                  (one write in flight per zone, as the kernel's zone\n"
		"                  write locking allows)\n"
		"  append_mb_s     Zone Appends of ZASL bytes to one empty zone from\n"
		"                  --streams streams (default 4), each issuing its next\n"
		"                  append when its last completes, until the zone is full\n"
		"  reset_full_us   Zone Management Send Reset of a full zone, the array\n"
		"                  idle\n"
		"  reset_empty_us  the same for an empty zone\n"
		"--zns takes the module's zns= settings (docs/zns.md); MB = 10^6 bytes.\n");
}

static struct zns_model m;

/* A fresh model of that many zones. */
static void fresh(const struct zns_params *p, u32 zones, u32 shift)
{
	zns_free(&m);
	if (zns_init(&m, p, (u64)zones * p->zone_bytes, shift)) {
		fprintf(stderr, "nvmev-znssim: out of memory\n");
		exit(1);
	}
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "zns", required_argument, NULL, 'z' },
		{ "zones", required_argument, NULL, 'n' },
		{ "bs", required_argument, NULL, 'b' },
		{ "streams", required_argument, NULL, 's' },
		{ "lba-size", required_argument, NULL, 'l' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	u64 bs = 131072, now, t, done, lba, from, to, bytes, start, *next;
	u32 zones = 4, streams = 4, shift = 9, z, i, nlb;
	const char *why = NULL;
	struct zns_params p;
	int c;

	zns_default_params(&p);
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'z':
			if (zns_params_parse(&p, optarg, &why)) {
				fprintf(stderr, "nvmev-znssim: --zns %s: %s\n", optarg, why);
				return 2;
			}
			break;
		case 'n':
			zones = (u32)strtoul(optarg, NULL, 0);
			break;
		case 'b':
			bs = strtoull(optarg, NULL, 0);
			break;
		case 's':
			streams = (u32)strtoul(optarg, NULL, 0);
			break;
		case 'l':
			shift = strcmp(optarg, "4096") ? 9 : 12;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (!zones || !streams || !bs || bs % (1U << shift) || streams > 1024) {
		fprintf(stderr, "nvmev-znssim: --zones, --streams and --bs must be positive (--bs a multiple of the block size, --streams up to 1024)\n");
		return 2;
	}
	/* The limits must fit the zones simulated: at most one zone open here. */
	p.max_open = p.max_active = 0;
	if (zns_params_check(&p, (u64)(zones + 1) * p.zone_bytes, shift, &why)) {
		fprintf(stderr, "nvmev-znssim: settings refused: %s\n", why);
		return 2;
	}

	/* Sequential writes, one in flight. */
	fresh(&p, zones + 1, shift);
	nlb = (u32)(bs >> shift);
	now = 0;
	bytes = 0;
	for (z = 0; z < zones; z++) {
		for (lba = zns_zslba(&m, z); lba < zns_zslba(&m, z) + m.cap_lbas;) {
			u32 n = (u32)min_t(u64, nlb, zns_zslba(&m, z) + m.cap_lbas - lba);

			if (zns_write(&m, lba, n, false, &from)) {
				fprintf(stderr, "nvmev-znssim: write refused\n");
				return 1;
			}
			now = zns_time_write(&m, now, from, n, false);
			bytes += (u64)n << shift;
			lba += n;
		}
	}
	printf("write_mb_s=%.1f\n", bytes * 1e3 / (double)now);

	/* Appends from several streams into one zone. */
	fresh(&p, 2, shift);
	next = calloc(streams, sizeof(*next));
	if (!next)
		return 1;
	nlb = p.zasl_bytes >> shift;
	bytes = 0;
	done = 0;
	for (;;) {
		u32 s = 0;

		/* The stream whose last append completed first goes next. */
		for (i = 1; i < streams; i++)
			if (next[i] < next[s])
				s = i;
		if (zns_write(&m, 0, nlb, true, &lba))
			break;		/* the zone is full */
		t = zns_time_write(&m, next[s], lba, nlb, false);
		next[s] = t;
		done = max_t(u64, done, t);
		bytes += (u64)nlb << shift;
	}
	printf("append_mb_s=%.1f\n", bytes * 1e3 / (double)done);
	free(next);

	/* Resets: a full zone and an empty one, the array idle. */
	now = zns_time_flush(&m, done) + 1000000000ULL;
	if (zns_manage(&m, now, 0, ZNS_ACT_RESET, false, &t, &from, &to))
		return 1;
	printf("reset_full_us=%.1f\n", (t - now) / 1e3);
	start = t + 1000000000ULL;
	if (zns_manage(&m, start, zns_zslba(&m, 1), ZNS_ACT_RESET, false, &t,
		       &from, &to))
		return 1;
	printf("reset_empty_us=%.1f\n", (t - start) / 1e3);
	printf("zone_mib=%llu zcap_mib=%llu dies_per_zone=%u zasl_kib=%u\n",
	       (unsigned long long)(p.zone_bytes >> 20),
	       (unsigned long long)(p.zcap_bytes >> 20), p.dies_per_zone,
	       p.zasl_bytes >> 10);
	zns_free(&m);
	return 0;
}
