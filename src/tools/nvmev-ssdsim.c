// SPDX-License-Identifier: GPL-2.0
/*
 * nvmev-ssdsim: runs the conventional SSD model of nvmev (src/pure/ssd_ftl.c
 * on src/pure/nand.c, the same code the module uses) in user space, on a
 * virtual clock, so that an SSD profile can be tuned before the module is
 * loaded.  See docs/ssdsim.md.
 *
 * A closed-loop host keeps --qd commands outstanding: the next command is
 * submitted at the earliest completion among the outstanding ones.  Every
 * --interval of simulated time (or of data) a row shows throughput, IOPS,
 * latency percentiles and the FTL's state; a summary follows the run.
 *
 * Latency percentiles of a row are exact (the interval's latencies are
 * kept and selected); those of the summary come from a log-linear
 * histogram whose buckets are at most 1/1024 of their values wide (see
 * struct lat_hist).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <stdarg.h>
#include <getopt.h>
#include <math.h>
#include <time.h>

#include "ssd_ftl.h"

#define PROG		"nvmev-ssdsim"
#define KIB		1024ULL
#define MIB		(1024ULL * KIB)
#define GIB		(1024ULL * MIB)
#define NS_PER_S	1000000000ULL
#define FILL_BS		(128 * KIB)
#define MAX_QD		65536U
#define MAX_BS		(64 * MIB)

/* ------------------------------------------------------------------ */
/* Errors */

/* One line on stderr, then exit with status. */
static void __attribute__((noreturn))
die_v(int status, const char *fmt, va_list ap)
{
	fprintf(stderr, "%s: ", PROG);
	vfprintf(stderr, fmt, ap);
	fprintf(stderr, "\n");
	exit(status);
}

/* A usage or configuration error: exit status 2. */
static void __attribute__((noreturn, format(printf, 1, 2)))
usage_error(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	die_v(2, fmt, ap);
}

/* A run-time failure (memory, consistency): exit status 1. */
static void __attribute__((noreturn, format(printf, 1, 2)))
fatal(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	die_v(1, fmt, ap);
}

/* ------------------------------------------------------------------ */
/* Argument parsing */

/*
 * A size: an integer with an optional binary suffix K, M, G or T (also
 * KiB, KB, ...).  Returns 0 or -1.
 */
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
		end++;
		break;
	case 'm': case 'M':
		mult = MIB;
		end++;
		break;
	case 'g': case 'G':
		mult = GIB;
		end++;
		break;
	case 't': case 'T':
		mult = 1024 * GIB;
		end++;
		break;
	}
	if (mult > 1 && (!strcmp(end, "iB") || !strcmp(end, "B")))
		end += strlen(end);
	else if (mult == 1 && !strcmp(end, "B"))
		end++;
	if (*end || (v && mult > U64_MAX / v))
		return -1;
	*out = v * mult;
	return 0;
}

static u64 opt_size(const char *opt, const char *arg)
{
	u64 v;

	if (parse_size(arg, &v))
		usage_error("%s: bad size '%s' (use e.g. 4096, 4K, 16M, 1G)",
			    opt, arg);
	return v;
}

static double opt_double(const char *opt, const char *arg, double lo,
			 double hi)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(arg, &end);
	if (errno || end == arg || *end || !(v >= lo && v <= hi))
		usage_error("%s: '%s' is not a number in %g..%g", opt, arg,
			    lo, hi);
	return v;
}

static u64 opt_u64(const char *opt, const char *arg, u64 lo, u64 hi)
{
	unsigned long long v;
	char *end;

	errno = 0;
	v = strtoull(arg, &end, 10);
	if (errno || end == arg || *end || *arg == '-' || v < lo || v > hi)
		usage_error("%s: '%s' is not an integer in %llu..%llu", opt,
			    arg, (unsigned long long)lo,
			    (unsigned long long)hi);
	return v;
}

/* Microseconds (may be fractional) to ns. */
static u64 opt_us(const char *opt, const char *arg)
{
	return (u64)llround(opt_double(opt, arg, 0, 1e9) * 1000.0);
}

/* ------------------------------------------------------------------ */
/* Options */

enum workload {
	WL_SEQFILL,
	WL_RANDWRITE,
	WL_HOTCOLD,
	WL_ZIPF,
	WL_TRIMMIX,
	WL_RANDREAD,
};

static const char *const wl_names[] = {
	"seqfill", "randwrite", "hotcold", "zipf", "trimmix", "randread",
};

enum {
	OPT_PROFILE = 256,
	OPT_CAPACITY,
	OPT_CHANNELS,
	OPT_LUNS,
	OPT_PLANES,
	OPT_PAGES_PER_BLOCK,
	OPT_PAGE_SIZE,
	OPT_ONESHOT,
	OPT_CELL_BITS,
	OPT_TREAD,
	OPT_TPROG,
	OPT_TERASE,
	OPT_CHANNEL_MBS,
	OPT_HOST_MBS,
	OPT_FW_READ,
	OPT_FW_WRITE,
	OPT_FW_WRITE_4K,
	OPT_OP,
	OPT_WB,
	OPT_NO_WRITE_CACHE,
	OPT_GC_POLICY,
	OPT_GC_FG,
	OPT_GC_BG,
	OPT_GC_BG_IDLE,
	OPT_PE_CYCLES,
	OPT_SSD,
	OPT_WORKLOAD,
	OPT_FILL,
	OPT_UTIL,
	OPT_AMOUNT,
	OPT_CAP_MULT,
	OPT_TIME,
	OPT_QD,
	OPT_BS,
	OPT_SEED,
	OPT_HOT,
	OPT_THETA,
	OPT_TRIM_PCT,
	OPT_FUA,
	OPT_CALL_TIMES,
	OPT_INTERVAL,
	OPT_CSV,
	OPT_CHECK,
	OPT_DRY_RUN,
	OPT_LIST,
	OPT_HELP,
};

static const struct option long_opts[] = {
	{ "profile",		required_argument, NULL, OPT_PROFILE },
	{ "capacity",		required_argument, NULL, OPT_CAPACITY },
	{ "channels",		required_argument, NULL, OPT_CHANNELS },
	{ "luns",		required_argument, NULL, OPT_LUNS },
	{ "planes",		required_argument, NULL, OPT_PLANES },
	{ "pages-per-block",	required_argument, NULL, OPT_PAGES_PER_BLOCK },
	{ "page-size",		required_argument, NULL, OPT_PAGE_SIZE },
	{ "oneshot",		required_argument, NULL, OPT_ONESHOT },
	{ "cell-bits",		required_argument, NULL, OPT_CELL_BITS },
	{ "tread-us",		required_argument, NULL, OPT_TREAD },
	{ "tprog-us",		required_argument, NULL, OPT_TPROG },
	{ "terase-us",		required_argument, NULL, OPT_TERASE },
	{ "channel-mbs",	required_argument, NULL, OPT_CHANNEL_MBS },
	{ "host-mbs",		required_argument, NULL, OPT_HOST_MBS },
	{ "fw-read-us",		required_argument, NULL, OPT_FW_READ },
	{ "fw-write-us",	required_argument, NULL, OPT_FW_WRITE },
	{ "fw-write-4k-us",	required_argument, NULL, OPT_FW_WRITE_4K },
	{ "op",			required_argument, NULL, OPT_OP },
	{ "wb",			required_argument, NULL, OPT_WB },
	{ "no-write-cache",	no_argument,	   NULL, OPT_NO_WRITE_CACHE },
	{ "gc-policy",		required_argument, NULL, OPT_GC_POLICY },
	{ "gc-fg-lines",	required_argument, NULL, OPT_GC_FG },
	{ "gc-bg-lines",	required_argument, NULL, OPT_GC_BG },
	{ "gc-bg-idle-us",	required_argument, NULL, OPT_GC_BG_IDLE },
	{ "pe-cycles",		required_argument, NULL, OPT_PE_CYCLES },
	{ "ssd",		required_argument, NULL, OPT_SSD },
	{ "workload",		required_argument, NULL, OPT_WORKLOAD },
	{ "fill",		no_argument,	   NULL, OPT_FILL },
	{ "util",		required_argument, NULL, OPT_UTIL },
	{ "amount",		required_argument, NULL, OPT_AMOUNT },
	{ "capacity-multiple",	required_argument, NULL, OPT_CAP_MULT },
	{ "time",		required_argument, NULL, OPT_TIME },
	{ "qd",			required_argument, NULL, OPT_QD },
	{ "bs",			required_argument, NULL, OPT_BS },
	{ "seed",		required_argument, NULL, OPT_SEED },
	{ "hot",		required_argument, NULL, OPT_HOT },
	{ "theta",		required_argument, NULL, OPT_THETA },
	{ "trim-pct",		required_argument, NULL, OPT_TRIM_PCT },
	{ "fua",		no_argument,	   NULL, OPT_FUA },
	{ "call-times",		no_argument,	   NULL, OPT_CALL_TIMES },
	{ "interval",		required_argument, NULL, OPT_INTERVAL },
	{ "csv",		no_argument,	   NULL, OPT_CSV },
	{ "check",		no_argument,	   NULL, OPT_CHECK },
	{ "dry-run",		no_argument,	   NULL, OPT_DRY_RUN },
	{ "list-profiles",	no_argument,	   NULL, OPT_LIST },
	{ "help",		no_argument,	   NULL, OPT_HELP },
	{ NULL, 0, NULL, 0 },
};

/* A geometry or timing override, applied to the profile once it is known. */
struct override {
	int opt;
	const char *arg;
};

struct opts {
	const char *profile;
	u64 capacity;
	struct override ov[64];
	unsigned int nr_ov;
	enum workload wl;
	bool fill;
	double util;		/* % of the LBA space random workloads touch */
	u64 amount;		/* bytes to submit; 0 = from cap_mult */
	double cap_mult;	/* amount as a multiple of the capacity */
	bool amount_set;	/* --amount or --capacity-multiple given */
	double time_s;		/* simulated time limit of the workload; 0 = none */
	u32 qd;
	u64 bs;			/* 0 = the workload's default */
	u64 seed;
	double hot_access;	/* hotcold: % of the writes that go ... */
	double hot_space;	/* ... to this % of the space */
	double theta;		/* zipf exponent */
	double trim_pct;	/* trimmix: % of the commands that are TRIMs */
	bool fua;
	u64 interval_ns;	/* a row every interval_ns of simulated time ... */
	u64 interval_bytes;	/* ... or every interval_bytes of data */
	bool csv;
	bool check;
	bool call_times;	/* time every model call (costs two clock reads) */
	bool dry_run;
};

static void usage(FILE *f)
{
	unsigned int i;

	fprintf(f,
"Usage: " PROG " [OPTIONS]\n"
"\n"
"Runs nvmev's conventional SSD model (page-mapped FTL, write buffer, GC,\n"
"TRIM on a NAND timing model: src/pure/ssd_ftl.c, nand.c) in user space on\n"
"a virtual clock, to tune a profile before loading the module.\n"
"\n"
"Device:\n"
"  --profile NAME        built-in profile (default: the first):");
	for (i = 0; ssd_profile_names[i]; i++)
		fprintf(f, " %s", ssd_profile_names[i]);
	fputs("\n"
"  --capacity SIZE       user capacity (default 1G); suffixes K, M, G, T\n"
"  --channels N          NAND channels\n"
"  --luns N              dies (LUNs) per channel\n"
"  --planes N            planes per die\n"
"  --pages-per-block N   flash pages per block (ssd_fit may halve it for\n"
"                        small capacities)\n"
"  --page-size SIZE      flash page size (a multiple of 4K)\n"
"  --oneshot N           flash pages one program writes\n"
"  --cell-bits N         1 SLC, 2 MLC, 3 TLC, 4 QLC\n"
"  --tread-us US[,US..]  tR per page type, LSB first (one value: all)\n"
"  --tprog-us US         tPROG of one (one-shot) program\n"
"  --terase-us US        tBERS of one block erase\n"
"  --channel-mbs N       channel bandwidth, MB/s\n"
"  --host-mbs N          host link per direction, MB/s (0 = unlimited)\n"
"  --fw-read-us US       firmware time of a read\n"
"  --fw-write-us US      firmware time of a write\n"
"  --fw-write-4k-us US   firmware time per 4 KiB written\n"
"  --op PCT              spare capacity, % of the user capacity\n"
"  --wb SIZE             write buffer size\n"
"  --no-write-cache      writes complete when programmed\n"
"  --gc-policy P         greedy or cost-benefit\n"
"  --gc-fg-lines N       foreground GC at or below N free lines\n"
"  --gc-bg-lines N       background GC below N free lines (0 = never)\n"
"  --gc-bg-idle-us US    idle time before background GC\n"
"  --pe-cycles N         rated P/E cycles (for the percent used)\n"
"  --ssd K=V[,K=V..]     settings in the module's ssd= syntax (docs/ssd.md)\n"
"  Device options apply in the order given, over the profile.\n"
"\n"
"Workload:\n"
"  --workload W          seqfill (default), randwrite, hotcold, zipf,\n"
"                        trimmix, randread\n"
"  --fill                write the workload's LBA range sequentially first\n"
"                        (randread always does)\n"
"  --util PCT            % of the LBA space random workloads touch (100)\n"
"  --amount SIZE         data to write (read for randread); default: the\n"
"                        capacity\n"
"  --capacity-multiple X the amount as X times the capacity\n"
"  --time SEC            stop the workload after SEC simulated seconds\n"
"  --qd N                commands outstanding (default 1)\n"
"  --bs SIZE             command size (seqfill 128K, others 4K)\n"
"  --seed N              PRNG seed (default 1)\n"
"  --hot A:S             hotcold: A% of the writes go to S% of the range\n"
"                        (default 80:20)\n"
"  --theta T             zipf exponent, 0 < T < 1 (default 0.99)\n"
"  --trim-pct PCT        trimmix: % of the commands that are TRIMs (20)\n"
"  --fua                 writes with FUA\n"
"\n"
"Output:\n"
"  --interval I          a row every I of simulated time (1, 0.5s, 200ms,\n"
"                        50us; default 1 s) or of data (256M, 1G)\n"
"  --csv                 rows as CSV on stdout (the rest goes to stderr)\n"
"  --check               check the FTL's consistency at the end\n"
"  --call-times          time each model call in CPU time and report the\n"
"                        longest (what the module's dispatcher would hold\n"
"                        the namespace lock for); slows the run\n"
"  --dry-run             print the configuration and exit\n"
"  --list-profiles       list the built-in profiles\n"
"  --help                this text\n"
"\n"
"Exit status: 0 done, 1 run-time failure, 2 bad option or configuration.\n",
	      f);
}

/* Time (1, 0.5s, 200ms, 50us, 10ns) or data (256M, 1G) for --interval. */
static void parse_interval(struct opts *o, const char *arg)
{
	double v, mult = 1e9;
	char *end;

	errno = 0;
	v = strtod(arg, &end);
	if (errno || end == arg || !(v > 0))
		goto bad;
	if (!*end || !strcmp(end, "s"))
		mult = 1e9;
	else if (!strcmp(end, "ms"))
		mult = 1e6;
	else if (!strcmp(end, "us"))
		mult = 1e3;
	else if (!strcmp(end, "ns"))
		mult = 1;
	else if (!parse_size(arg, &o->interval_bytes) && o->interval_bytes) {
		o->interval_ns = 0;
		return;
	} else {
		goto bad;
	}
	if (v * mult < 1 || v * mult > 1e15)
		goto bad;
	o->interval_ns = (u64)llround(v * mult);
	o->interval_bytes = 0;
	return;
bad:
	usage_error("--interval: bad value '%s' (use e.g. 1, 200ms, 256M)", arg);
}

static void parse_args(struct opts *o, int argc, char **argv)
{
	const char *name;
	char *end;
	int c, i;

	memset(o, 0, sizeof(*o));
	o->profile = ssd_profile_names[0];
	o->capacity = GIB;
	o->wl = WL_SEQFILL;
	o->util = 100;
	o->cap_mult = 1;
	o->qd = 1;
	o->seed = 1;
	o->hot_access = 80;
	o->hot_space = 20;
	o->theta = 0.99;
	o->trim_pct = 20;
	o->interval_ns = NS_PER_S;

	opterr = 0;
	while ((c = getopt_long(argc, argv, "h", long_opts, NULL)) != -1) {
		name = optind > 1 ? argv[optind - 1] : "?";
		switch (c) {
		case OPT_PROFILE:
			o->profile = optarg;
			break;
		case OPT_CAPACITY:
			o->capacity = opt_size("--capacity", optarg);
			break;
		case OPT_CHANNELS ... OPT_SSD:
			if (o->nr_ov == ARRAY_SIZE(o->ov))
				usage_error("too many device options");
			o->ov[o->nr_ov].opt = c;
			o->ov[o->nr_ov].arg = optarg;
			o->nr_ov++;
			break;
		case OPT_WORKLOAD:
			for (i = 0; i < (int)ARRAY_SIZE(wl_names); i++)
				if (!strcmp(optarg, wl_names[i]))
					break;
			if (i == (int)ARRAY_SIZE(wl_names))
				usage_error("--workload: unknown workload '%s' (seqfill, randwrite, hotcold, zipf, trimmix, randread)",
					    optarg);
			o->wl = i;
			break;
		case OPT_FILL:
			o->fill = true;
			break;
		case OPT_UTIL:
			o->util = opt_double("--util", optarg, 0.001, 100);
			break;
		case OPT_AMOUNT:
			o->amount = opt_size("--amount", optarg);
			if (!o->amount)
				usage_error("--amount: must not be 0");
			o->amount_set = true;
			break;
		case OPT_CAP_MULT:
			o->cap_mult = opt_double("--capacity-multiple", optarg,
						 0.0001, 1e6);
			o->amount = 0;
			o->amount_set = true;
			break;
		case OPT_TIME:
			o->time_s = opt_double("--time", optarg, 1e-9, 1e6);
			break;
		case OPT_QD:
			o->qd = opt_u64("--qd", optarg, 1, MAX_QD);
			break;
		case OPT_BS:
			o->bs = opt_size("--bs", optarg);
			if (!o->bs || o->bs % SSD_PAGE_BYTES || o->bs > MAX_BS)
				usage_error("--bs: must be a multiple of 4K up to 64M, not '%s'",
					    optarg);
			break;
		case OPT_SEED:
			o->seed = opt_u64("--seed", optarg, 0, U64_MAX);
			break;
		case OPT_HOT:
			errno = 0;
			o->hot_access = strtod(optarg, &end);
			if (errno || end == optarg || *end != ':')
				usage_error("--hot: expected A:S (e.g. 80:20), not '%s'",
					    optarg);
			o->hot_space = opt_double("--hot", end + 1, 0.001, 99.999);
			if (!(o->hot_access >= 0 && o->hot_access <= 100))
				usage_error("--hot: the access share must be in 0..100");
			break;
		case OPT_THETA:
			o->theta = opt_double("--theta", optarg, 0.001, 0.999);
			break;
		case OPT_TRIM_PCT:
			o->trim_pct = opt_double("--trim-pct", optarg, 0, 99);
			break;
		case OPT_FUA:
			o->fua = true;
			break;
		case OPT_INTERVAL:
			parse_interval(o, optarg);
			break;
		case OPT_CSV:
			o->csv = true;
			break;
		case OPT_CHECK:
			o->check = true;
			break;
		case OPT_CALL_TIMES:
			o->call_times = true;
			break;
		case OPT_DRY_RUN:
			o->dry_run = true;
			break;
		case OPT_LIST:
			o->profile = NULL;
			return;
		case 'h':
		case OPT_HELP:
			usage(stdout);
			exit(0);
		case ':':
			usage_error("option '%s' needs a value (try --help)", name);
		default:
			if (optopt && optopt < 256)
				usage_error("unknown option '-%c' (try --help)", optopt);
			if (optopt)
				usage_error("option '%s' needs a value (try --help)",
					    name);
			usage_error("unknown option '%s' (try --help)", name);
		}
	}
	if (optind < argc)
		usage_error("unexpected argument '%s' (try --help)", argv[optind]);
	if (!o->capacity || o->capacity % SSD_PAGE_BYTES)
		usage_error("--capacity: must be a non-zero multiple of 4K");
}

/* Applies the device options to the profile's parameters. */
static void apply_overrides(const struct opts *o, struct ssd_params *p)
{
	const struct override *v;
	const char *a, *why;
	unsigned int i, k;
	char *end;
	double d;
	u64 x;

	for (i = 0; i < o->nr_ov; i++) {
		v = &o->ov[i];
		a = v->arg;
		switch (v->opt) {
		case OPT_CHANNELS:
			p->nand.nr_channels = opt_u64("--channels", a, 1, U32_MAX);
			break;
		case OPT_LUNS:
			p->nand.luns_per_channel = opt_u64("--luns", a, 1, U32_MAX);
			break;
		case OPT_PLANES:
			p->nand.planes_per_lun = opt_u64("--planes", a, 1, U32_MAX);
			break;
		case OPT_PAGES_PER_BLOCK:
			p->nand.pages_per_block = opt_u64("--pages-per-block", a,
							  1, U32_MAX);
			break;
		case OPT_PAGE_SIZE:
			x = opt_size("--page-size", a);
			if (x > U32_MAX)
				usage_error("--page-size: too large");
			p->nand.page_bytes = x;
			break;
		case OPT_ONESHOT:
			p->nand.oneshot_pages = opt_u64("--oneshot", a, 1, U32_MAX);
			break;
		case OPT_CELL_BITS:
			p->nand.cell_bits = opt_u64("--cell-bits", a, 1,
						    NAND_MAX_CELL_BITS);
			break;
		case OPT_TREAD:
			/* Up to cell-bits values; the last one repeats. */
			for (k = 0; k < NAND_MAX_CELL_BITS; k++) {
				d = strtod(a, &end);
				if (end == a || (*end && *end != ',') ||
				    !(d >= 0 && d <= 1e9) ||
				    (*end == ',' && k == NAND_MAX_CELL_BITS - 1))
					usage_error("--tread-us: bad value '%s' (e.g. 50 or 40,60,80)",
						    v->arg);
				p->nand.read_ns[k] = (u64)llround(d * 1000);
				if (!*end)
					break;
				a = end + 1;
			}
			while (++k < NAND_MAX_CELL_BITS)
				p->nand.read_ns[k] = p->nand.read_ns[k - 1];
			break;
		case OPT_TPROG:
			p->nand.prog_ns = opt_us("--tprog-us", a);
			break;
		case OPT_TERASE:
			p->nand.erase_ns = opt_us("--terase-us", a);
			break;
		case OPT_CHANNEL_MBS:
			p->nand.channel_mbs = opt_u64("--channel-mbs", a, 0, U32_MAX);
			break;
		case OPT_HOST_MBS:
			p->host_mbs = opt_u64("--host-mbs", a, 0, U32_MAX);
			break;
		case OPT_FW_READ:
			p->fw_read_ns = opt_us("--fw-read-us", a);
			break;
		case OPT_FW_WRITE:
			p->fw_write_ns = opt_us("--fw-write-us", a);
			break;
		case OPT_FW_WRITE_4K:
			p->fw_write_4k_ns = opt_us("--fw-write-4k-us", a);
			break;
		case OPT_OP:
			p->op_pct = opt_u64("--op", a, 0, 1000);
			break;
		case OPT_WB:
			p->wb_bytes = opt_size("--wb", a);
			break;
		case OPT_NO_WRITE_CACHE:
			p->write_cache = false;
			break;
		case OPT_GC_POLICY:
			if (!strcmp(a, "greedy"))
				p->gc_policy = SSD_GC_GREEDY;
			else if (!strcmp(a, "cost-benefit") || !strcmp(a, "cb"))
				p->gc_policy = SSD_GC_COST_BENEFIT;
			else
				usage_error("--gc-policy: '%s' is not greedy or cost-benefit",
					    a);
			break;
		case OPT_GC_FG:
			p->gc_fg_lines = opt_u64("--gc-fg-lines", a, 0, U32_MAX);
			break;
		case OPT_GC_BG:
			p->gc_bg_lines = opt_u64("--gc-bg-lines", a, 0, U32_MAX);
			break;
		case OPT_GC_BG_IDLE:
			p->gc_bg_idle_ns = opt_us("--gc-bg-idle-us", a);
			break;
		case OPT_PE_CYCLES:
			p->pe_cycles = opt_u64("--pe-cycles", a, 0, U32_MAX);
			break;
		case OPT_SSD:
			if (ssd_params_parse(p, a, &why))
				usage_error("--ssd: %s in '%s'", why ? why : "bad setting",
					    a);
			break;
		default:
			usage_error("internal error: option %d", v->opt);
		}
	}
}

/* ------------------------------------------------------------------ */
/* Deterministic PRNG: xoshiro256** seeded by splitmix64 */

struct rng {
	u64 s[4];
};

static u64 splitmix64(u64 *x)
{
	u64 z = (*x += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static void rng_seed(struct rng *r, u64 seed)
{
	int i;

	for (i = 0; i < 4; i++)
		r->s[i] = splitmix64(&seed);
}

static inline u64 rotl64(u64 x, int k)
{
	return (x << k) | (x >> (64 - k));
}

static u64 rng_next(struct rng *r)
{
	u64 *s = r->s;
	u64 result = rotl64(s[1] * 5, 7) * 9;
	u64 t = s[1] << 17;

	s[2] ^= s[0];
	s[3] ^= s[1];
	s[1] ^= s[2];
	s[0] ^= s[3];
	s[2] ^= t;
	s[3] = rotl64(s[3], 45);
	return result;
}

/* Uniform in [0, n), n >= 1, without bias (Lemire). */
static u64 rng_below(struct rng *r, u64 n)
{
	unsigned __int128 m = (unsigned __int128)rng_next(r) * n;
	u64 lo = (u64)m, t;

	if (lo < n) {
		t = -n % n;
		while (lo < t) {
			m = (unsigned __int128)rng_next(r) * n;
			lo = (u64)m;
		}
	}
	return (u64)(m >> 64);
}

/* Uniform in [0, 1). */
static double rng_double(struct rng *r)
{
	return (double)(rng_next(r) >> 11) * 0x1.0p-53;
}

/* ------------------------------------------------------------------ */
/*
 * Zipf over [0, n) (Gray et al., "Quickly generating billion-record
 * synthetic databases", as in YCSB), ranks scattered over the range by the
 * bijection r -> (a * r + b) mod n, gcd(a, n) = 1, so that hot blocks are
 * not all at the start of the range.
 */
struct zipf {
	u64 n;
	double theta, alpha, zetan, eta, half_pow;
	u64 a, b;
};

static u64 gcd64(u64 a, u64 b)
{
	while (b) {
		u64 t = a % b;

		a = b;
		b = t;
	}
	return a;
}

/*
 * sum_{i=1..n} i^-theta: exact up to 2^20 terms, then Euler-Maclaurin for
 * the tail (its error is far below double precision of the sum there).
 */
static double zeta(u64 n, double theta)
{
	const u64 m_max = 1ULL << 20;
	u64 i, m = n < m_max ? n : m_max;
	double sum = 0, fm, fn, dm, dn, x;

	for (i = 1; i <= m; i++)
		sum += pow((double)i, -theta);
	if (n == m)
		return sum;
	x = (double)m;
	fm = pow(x, -theta);
	dm = -theta * pow(x, -theta - 1);
	fn = pow((double)n, -theta);
	dn = -theta * pow((double)n, -theta - 1);
	sum += (pow((double)n, 1 - theta) - pow(x, 1 - theta)) / (1 - theta);
	sum += (fn - fm) / 2 + (dn - dm) / 12;
	return sum;
}

static void zipf_init(struct zipf *z, u64 n, double theta, struct rng *r)
{
	double zeta2 = 1 + pow(2, -theta);

	z->n = n;
	z->theta = theta;
	z->alpha = 1 / (1 - theta);
	z->zetan = zeta(n, theta);
	z->eta = 0;
	if (n > 2)
		z->eta = (1 - pow(2.0 / (double)n, 1 - theta)) /
			 (1 - zeta2 / z->zetan);
	z->half_pow = pow(0.5, theta);
	z->a = 1;
	z->b = 0;
	if (n > 2) {
		z->a = (rng_below(r, n - 1) + 1) | 1;
		while (gcd64(z->a, n) != 1)
			z->a = z->a + 2 < n ? z->a + 2 : 1;
		z->b = rng_below(r, n);
	}
}

static u64 zipf_next(struct zipf *z, struct rng *r)
{
	double u = rng_double(r), uz = u * z->zetan;
	u64 rank;

	if (z->n < 2 || uz < 1)
		rank = 0;
	else if (uz < 1 + z->half_pow)
		rank = 1;
	else
		rank = (u64)((double)z->n *
			     pow(z->eta * u - z->eta + 1, z->alpha));
	if (rank >= z->n)
		rank = z->n - 1;
	return (u64)(((unsigned __int128)z->a * rank + z->b) % z->n);
}

/* ------------------------------------------------------------------ */
/* Latency statistics */

/*
 * Log-linear histogram of ns values: exact below 2048, then 1024 buckets
 * per power of two (a bucket is at most 1/1024 of its values wide).  Each
 * bucket also sums its values' offsets from its low end, so a percentile
 * is reported as the mean of the values in its bucket: exact when they are
 * all equal (frequent on a virtual clock), within 0.1% otherwise.
 */
#define HIST_SUB_BITS	11
#define HIST_SUB	(1U << HIST_SUB_BITS)
#define HIST_HALF	(HIST_SUB / 2)
#define HIST_BUCKETS	(HIST_SUB + (64 - HIST_SUB_BITS) * HIST_HALF)

struct lat_hist {
	u64 count[HIST_BUCKETS];
	u64 off[HIST_BUCKETS];	/* sum of (value - bucket low) */
	u64 n, sum, min, max;
};

static u32 hist_index(u64 v)
{
	u32 msb, shift;

	if (v < HIST_SUB)
		return (u32)v;
	msb = 63 - __builtin_clzll(v);
	shift = msb - HIST_SUB_BITS + 1;
	return HIST_SUB + (shift - 1) * HIST_HALF +
	       (u32)((v >> shift) - HIST_HALF);
}

/* The lowest value of bucket i. */
static u64 hist_low(u32 i)
{
	u32 shift;

	if (i < HIST_SUB)
		return i;
	i -= HIST_SUB;
	shift = i / HIST_HALF + 1;
	return (u64)(i % HIST_HALF + HIST_HALF) << shift;
}

static void hist_add(struct lat_hist *h, u64 v)
{
	u32 i = hist_index(v);

	h->count[i]++;
	h->off[i] += v - hist_low(i);
	if (!h->n || v < h->min)
		h->min = v;
	if (v > h->max)
		h->max = v;
	h->n++;
	h->sum += v;
}

/* Nearest rank of the per-mille pm (1-based): ceil(n * pm / 1000). */
static u64 rank_of(u64 n, u32 pm)
{
	u64 r = (n * pm + 999) / 1000;

	return r ? r : 1;
}

/* Percentile pm (per mille) in ns, as the mean of its bucket's values. */
static double hist_pct(const struct lat_hist *h, u32 pm)
{
	u64 r, seen = 0;
	u32 i;

	if (!h->n)
		return 0;
	r = rank_of(h->n, pm);
	for (i = 0; i < HIST_BUCKETS - 1; i++) {
		seen += h->count[i];
		if (seen >= r)
			break;
	}
	if (!h->count[i])
		return (double)h->max;
	return (double)hist_low(i) + (double)h->off[i] / (double)h->count[i];
}

/*
 * The k-th smallest (0-based) of a[0..n), n >= 1, reordering a: quickselect
 * with a three-way partition, as latencies often repeat.
 */
static u64 select_kth(u64 *a, size_t n, size_t k)
{
	size_t lo = 0, hi = n, lt, gt, i;
	u64 pivot, x, y, z, t;

	while (hi - lo > 1) {
		x = a[lo];
		y = a[lo + (hi - lo) / 2];
		z = a[hi - 1];
		pivot = x < y ? (y < z ? y : (x < z ? z : x)) :
				(x < z ? x : (y < z ? z : y));
		/* [lo, lt) < pivot, [lt, gt) == pivot, [gt, hi) > pivot */
		lt = lo;
		i = lo;
		gt = hi;
		while (i < gt) {
			if (a[i] < pivot) {
				t = a[lt];
				a[lt++] = a[i];
				a[i++] = t;
			} else if (a[i] > pivot) {
				t = a[--gt];
				a[gt] = a[i];
				a[i] = t;
			} else {
				i++;
			}
		}
		if (k < lt)
			hi = lt;
		else if (k >= gt)
			lo = gt;
		else
			return pivot;
	}
	return a[k];
}

/* ------------------------------------------------------------------ */
/* The simulation */

enum io_kind {
	IO_READ,
	IO_WRITE,
	IO_TRIM,
};

struct io {
	u64 done;		/* completion time */
	u64 sub;		/* submission time */
	u64 seq;		/* submission order, breaks ties */
	u32 kind;		/* enum io_kind */
	u32 pages;
};

/* Totals of one phase (the fill, the workload). */
struct phase {
	const char *name;
	u64 t0, t1;		/* first submission, last completion */
	u64 ios, bytes, trims, trim_pages;
	u64 host0, nand0;	/* FTL counters at the start */
	struct lat_hist lat;
};

/* The command generator of a phase. */
struct gen {
	enum workload wl;	/* WL_SEQFILL for the fill */
	u64 region;		/* LPNs touched: [0, region) */
	u32 bs_pages;
	u64 nblk;		/* region / bs_pages */
	u64 next;		/* sequential: next LPN */
	u64 left;		/* data pages still to submit */
	u64 t_end;		/* no submission at or after (0: none) */
	u64 hot_blk;		/* hotcold: blocks of the hot part */
	double hot_p;
	double trim_p;
	struct zipf zipf;
};

/* CPU time of this thread: what one model call would hold a CPU for. */
static double cpu_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static double wall_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

struct sim {
	const struct opts *o;
	struct ssd_params p;
	struct ssd_ftl ftl;
	struct rng rng;
	u64 now;		/* submission clock */
	u64 seq;
	struct io *heap;	/* outstanding commands, min-heap by done */
	u32 nheap;
	FILE *out;		/* rows */
	FILE *info;		/* configuration and summary */
	struct phase *ph;	/* current phase */

	/* The interval being accumulated. */
	u64 iv_t0, iv_t1;	/* start; end (time intervals) */
	u64 iv_ios, iv_bytes, iv_lat_sum;
	u64 *iv_lat;
	size_t iv_n, iv_cap;
	u64 iv_host0, iv_nand0, iv_gc0;
	u64 rows;
	double call_max;	/* most CPU time of one model call, s */
	u64 calls_over_1ms;	/* model calls that took over 1 ms of CPU */
};

static bool io_before(const struct io *a, const struct io *b)
{
	return a->done < b->done || (a->done == b->done && a->seq < b->seq);
}

static void heap_push(struct sim *s, const struct io *io)
{
	u32 i = s->nheap++, up;

	while (i) {
		up = (i - 1) / 2;
		if (!io_before(io, &s->heap[up]))
			break;
		s->heap[i] = s->heap[up];
		i = up;
	}
	s->heap[i] = *io;
}

static struct io heap_pop(struct sim *s)
{
	struct io top = s->heap[0], last = s->heap[--s->nheap];
	u32 i = 0, c;

	for (;;) {
		c = 2 * i + 1;
		if (c >= s->nheap)
			break;
		if (c + 1 < s->nheap && io_before(&s->heap[c + 1], &s->heap[c]))
			c++;
		if (!io_before(&s->heap[c], &last))
			break;
		s->heap[i] = s->heap[c];
		i = c;
	}
	if (s->nheap)
		s->heap[i] = last;
	return top;
}

static u64 gc_lines(const struct ssd_ftl *f)
{
	return f->stats.gc_fg_lines + f->stats.gc_bg_lines;
}

static double waf(u64 nand, u64 host)
{
	return host ? (double)nand / (double)host : 0;
}

static void iv_start(struct sim *s, u64 t0)
{
	s->iv_t0 = t0;
	s->iv_t1 = s->o->interval_ns ? t0 + s->o->interval_ns : 0;
	s->iv_ios = 0;
	s->iv_bytes = 0;
	s->iv_lat_sum = 0;
	s->iv_n = 0;
	s->iv_host0 = s->ftl.stats.host_write_pages;
	s->iv_nand0 = s->ftl.stats.nand_write_pages;
	s->iv_gc0 = gc_lines(&s->ftl);
}

static void print_header(struct sim *s)
{
	if (s->o->csv)
		fprintf(s->out, "time_s,phase,mbs,iops,lat_mean_us,lat_p50_us,lat_p99_us,lat_p999_us,lat_max_us,waf,waf_interval,free_lines,gc_lines\n");
	else
		fprintf(s->out, "%9s %-9s %8s %8s %8s %8s %8s %8s %9s %6s %6s %5s %4s\n",
			"time_s", "phase", "MB/s", "IOPS", "mean_us", "p50_us",
			"p99_us", "p99.9_us", "max_us", "WAF", "WAFi", "free",
			"gc");
}

/* Prints the interval [iv_t0, t1) as a row. */
static void emit_row(struct sim *s, u64 t1)
{
	const struct ssd_stats *st = &s->ftl.stats;
	double dur = (double)(t1 - s->iv_t0) / 1e9;
	double mbs = 0, iops = 0, mean = 0, p50 = 0, p99 = 0, p999 = 0, max = 0;
	double w, wi;

	if (dur > 0) {
		mbs = (double)s->iv_bytes / dur / 1e6;
		iops = (double)s->iv_ios / dur;
	}
	if (s->iv_n) {
		mean = (double)s->iv_lat_sum / (double)s->iv_n / 1e3;
		p50 = select_kth(s->iv_lat, s->iv_n,
				 rank_of(s->iv_n, 500) - 1) / 1e3;
		p99 = select_kth(s->iv_lat, s->iv_n,
				 rank_of(s->iv_n, 990) - 1) / 1e3;
		p999 = select_kth(s->iv_lat, s->iv_n,
				  rank_of(s->iv_n, 999) - 1) / 1e3;
		max = select_kth(s->iv_lat, s->iv_n, s->iv_n - 1) / 1e3;
	}
	w = waf(st->nand_write_pages, st->host_write_pages);
	wi = waf(st->nand_write_pages - s->iv_nand0,
		 st->host_write_pages - s->iv_host0);
	if (s->o->csv)
		fprintf(s->out, "%.6f,%s,%.3f,%.1f,%.3f,%.3f,%.3f,%.3f,%.3f,%.4f,%.4f,%u,%llu\n",
			(double)t1 / 1e9, s->ph->name, mbs, iops, mean, p50,
			p99, p999, max, w, wi, ssd_free_lines(&s->ftl),
			(unsigned long long)(gc_lines(&s->ftl) - s->iv_gc0));
	else
		fprintf(s->out, "%9.3f %-9s %8.1f %8.0f %8.1f %8.1f %8.1f %8.1f %9.1f %6.3f %6.3f %5u %4llu\n",
			(double)t1 / 1e9, s->ph->name, mbs, iops, mean, p50,
			p99, p999, max, w, wi, ssd_free_lines(&s->ftl),
			(unsigned long long)(gc_lines(&s->ftl) - s->iv_gc0));
	s->rows++;
	iv_start(s, t1);
}

/* Accounts a completed command (rows are emitted by completion time). */
static void retire(struct sim *s, const struct io *io)
{
	u64 lat = io->done - io->sub;

	if (s->o->interval_ns)
		while (io->done >= s->iv_t1)
			emit_row(s, s->iv_t1);
	if (io->done > s->ph->t1)
		s->ph->t1 = io->done;
	if (io->kind == IO_TRIM)
		return;
	s->ph->ios++;
	s->ph->bytes += (u64)io->pages * SSD_PAGE_BYTES;
	hist_add(&s->ph->lat, lat);
	s->iv_ios++;
	s->iv_bytes += (u64)io->pages * SSD_PAGE_BYTES;
	s->iv_lat_sum += lat;
	if (s->iv_n == s->iv_cap) {
		s->iv_cap = s->iv_cap ? 2 * s->iv_cap : 4096;
		s->iv_lat = realloc(s->iv_lat, s->iv_cap * sizeof(*s->iv_lat));
		if (!s->iv_lat)
			fatal("out of memory");
	}
	s->iv_lat[s->iv_n++] = lat;
	if (s->o->interval_bytes && s->iv_bytes >= s->o->interval_bytes)
		emit_row(s, io->done);
}

/* The next block of the workload's range. */
static u64 gen_block(struct sim *s, struct gen *g)
{
	switch (g->wl) {
	case WL_HOTCOLD:
		if (rng_double(&s->rng) < g->hot_p)
			return rng_below(&s->rng, g->hot_blk);
		return g->hot_blk + rng_below(&s->rng, g->nblk - g->hot_blk);
	case WL_ZIPF:
		return zipf_next(&g->zipf, &s->rng);
	default:
		return rng_below(&s->rng, g->nblk);
	}
}

/* The next command of the phase; false when the phase is over. */
static bool gen_next(struct sim *s, struct gen *g, struct io *io)
{
	u64 lpn, n;
	double t0;

	if (!g->left || (g->t_end && s->now >= g->t_end))
		return false;
	io->kind = g->wl == WL_RANDREAD ? IO_READ : IO_WRITE;
	if (g->wl == WL_TRIMMIX && rng_double(&s->rng) < g->trim_p)
		io->kind = IO_TRIM;
	if (g->wl == WL_SEQFILL) {
		lpn = g->next;
		n = g->region - lpn < g->bs_pages ? g->region - lpn : g->bs_pages;
		g->next = lpn + n == g->region ? 0 : lpn + n;
	} else {
		lpn = gen_block(s, g) * g->bs_pages;
		n = g->bs_pages;
	}
	if (io->kind != IO_TRIM) {
		if (n > g->left)
			n = g->left;
		g->left -= n;
	}
	io->pages = (u32)n;
	io->sub = s->now;
	io->seq = s->seq++;
	t0 = s->o->call_times ? cpu_now() : 0;
	switch (io->kind) {
	case IO_READ:
		io->done = ssd_read(&s->ftl, s->now, lpn, io->pages);
		break;
	case IO_WRITE:
		io->done = ssd_write(&s->ftl, s->now, lpn, io->pages, s->o->fua);
		break;
	default:
		io->done = ssd_trim(&s->ftl, s->now, lpn, io->pages);
		s->ph->trims++;
		s->ph->trim_pages += io->pages;
		break;
	}
	if (s->o->call_times) {
		t0 = cpu_now() - t0;
		if (t0 > s->call_max)
			s->call_max = t0;
		if (t0 > 1e-3)
			s->calls_over_1ms++;
	}
	if (io->done < io->sub)
		fatal("the model completed a command before its submission (%llu < %llu ns)",
		      (unsigned long long)io->done,
		      (unsigned long long)io->sub);
	return true;
}

static void run_phase(struct sim *s, struct phase *ph, const char *name,
		      struct gen *g)
{
	struct io io, old;

	memset(ph, 0, sizeof(*ph));
	ph->name = name;
	s->ph = ph;
	ph->t0 = s->now;
	ph->t1 = s->now;
	ph->host0 = s->ftl.stats.host_write_pages;
	ph->nand0 = s->ftl.stats.nand_write_pages;
	iv_start(s, s->now);
	for (;;) {
		if (s->nheap == s->o->qd) {
			old = heap_pop(s);
			retire(s, &old);
			if (old.done > s->now)
				s->now = old.done;
		}
		if (!gen_next(s, g, &io))
			break;
		heap_push(s, &io);
	}
	while (s->nheap) {
		old = heap_pop(s);
		retire(s, &old);
		if (old.done > s->now)
			s->now = old.done;
	}
	if (s->iv_ios || ph->t1 > s->iv_t0)
		emit_row(s, ph->t1);
}

/* ------------------------------------------------------------------ */
/* Reports */

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

static void print_config(struct sim *s, const struct gen *g, u64 amount)
{
	const struct ssd_params *p = &s->p;
	const struct nand_params *n = &p->nand;
	static const char *const cells[] = { "?", "SLC", "MLC", "TLC", "QLC" };
	u64 unit = nand_unit_bytes(n);
	u64 line = (u64)unit * (n->pages_per_block / n->oneshot_pages) *
		   n->nr_channels * n->luns_per_channel;
	char b1[32], b2[32], b3[32], b4[32];
	FILE *f = s->info;
	u32 i;

	fprintf(f, "profile %s, user capacity %s (%llu LPNs), model memory %s\n",
		s->o->profile, size_str(s->o->capacity, b1, sizeof(b1)),
		(unsigned long long)(s->o->capacity / SSD_PAGE_BYTES),
		size_str(ssd_mem_bytes(p, s->o->capacity), b2, sizeof(b2)));
	fprintf(f, "nand: %u ch x %u LUNs x %u planes, %u lines (blocks/plane) of %u pages x %s, %s, one-shot %u\n",
		n->nr_channels, n->luns_per_channel, n->planes_per_lun,
		n->blocks_per_plane, n->pages_per_block,
		size_str(n->page_bytes, b1, sizeof(b1)),
		n->cell_bits <= 4 ? cells[n->cell_bits] : "?",
		n->oneshot_pages);
	fprintf(f, "      unit %s, line %s, raw %s; tR",
		size_str(unit, b1, sizeof(b1)), size_str(line, b2, sizeof(b2)),
		size_str(line * n->blocks_per_plane, b3, sizeof(b3)));
	for (i = 0; i < n->cell_bits; i++)
		fprintf(f, "%s%.1f", i ? "/" : " ", n->read_ns[i] / 1e3);
	fprintf(f, " us, tPROG %.1f us, tBERS %.1f us, channel %u MB/s\n",
		n->prog_ns / 1e3, n->erase_ns / 1e3, n->channel_mbs);
	fprintf(f, "ftl:  write buffer %s (cache %s), OP %u%%, GC %s fg<=%u bg<%u after %.0f us idle, pe %u\n",
		size_str(p->wb_bytes, b1, sizeof(b1)),
		p->write_cache ? "on" : "off", p->op_pct,
		p->gc_policy == SSD_GC_GREEDY ? "greedy" : "cost-benefit",
		p->gc_fg_lines, p->gc_bg_lines, p->gc_bg_idle_ns / 1e3,
		p->pe_cycles);
	fprintf(f, "      host link %u MB/s, firmware read %.1f us, write %.1f us + %.2f us/4K\n",
		p->host_mbs, p->fw_read_ns / 1e3, p->fw_write_ns / 1e3,
		p->fw_write_4k_ns / 1e3);
	fprintf(f, "workload: %s, bs %s, qd %u, range %s (util %g%%), amount %s",
		wl_names[s->o->wl], size_str((u64)g->bs_pages * SSD_PAGE_BYTES,
					      b1, sizeof(b1)),
		s->o->qd, size_str(g->region * SSD_PAGE_BYTES, b2, sizeof(b2)),
		s->o->wl == WL_SEQFILL ? 100.0 : s->o->util,
		amount ? size_str(amount, b3, sizeof(b3)) : "unlimited");
	if (s->o->time_s)
		fprintf(f, ", at most %g s", s->o->time_s);
	if (s->o->wl == WL_HOTCOLD)
		fprintf(f, ", %g%% of writes to %g%%", s->o->hot_access,
			s->o->hot_space);
	if (s->o->wl == WL_ZIPF)
		fprintf(f, ", theta %g", s->o->theta);
	if (s->o->wl == WL_TRIMMIX)
		fprintf(f, ", %g%% TRIMs", s->o->trim_pct);
	if (s->o->fill || s->o->wl == WL_RANDREAD)
		fprintf(f, ", after a fill");
	fprintf(f, ", seed %llu", (unsigned long long)s->o->seed);
	if (s->o->interval_ns)
		fprintf(f, ", rows every %g s\n", s->o->interval_ns / 1e9);
	else
		fprintf(f, ", rows every %s\n",
			size_str(s->o->interval_bytes, b4, sizeof(b4)));
}

static void print_phase(struct sim *s, const struct phase *ph)
{
	double dur = (double)(ph->t1 - ph->t0) / 1e9;
	const struct lat_hist *h = &ph->lat;
	FILE *f = s->info;
	char b[32];

	fprintf(f, "%-9s %s in %llu commands, %.3f s: %.1f MB/s, %.0f IOPS\n",
		ph->name, size_str(ph->bytes, b, sizeof(b)),
		(unsigned long long)ph->ios, dur,
		dur > 0 ? ph->bytes / dur / 1e6 : 0,
		dur > 0 ? ph->ios / dur : 0);
	if (ph->trims)
		fprintf(f, "          %llu TRIMs covering %llu pages\n",
			(unsigned long long)ph->trims,
			(unsigned long long)ph->trim_pages);
	fprintf(f, "          latency us: mean %.1f min %.1f p50 %.1f p99 %.1f p99.9 %.1f max %.1f\n",
		h->n ? (double)h->sum / h->n / 1e3 : 0, h->min / 1e3,
		hist_pct(h, 500) / 1e3, hist_pct(h, 990) / 1e3,
		hist_pct(h, 999) / 1e3, h->max / 1e3);
}

static void print_summary(struct sim *s, const struct phase *fill,
			  const struct phase *work, double wall)
{
	const struct ssd_stats *st = &s->ftl.stats;
	const struct nand_stats *nst = &s->ftl.nand.stats;
	FILE *f = s->info;
	double elapsed, tr;
	u64 mean_x100;
	u32 max, i;

	fprintf(f, "--- summary\n");
	if (fill)
		print_phase(s, fill);
	print_phase(s, work);
	fprintf(f, "WAF: %.4f whole run", waf(st->nand_write_pages,
						    st->host_write_pages));
	if (st->host_write_pages > work->host0)
		fprintf(f, ", %.4f %s only", waf(st->nand_write_pages -
						  work->nand0,
						  st->host_write_pages -
						  work->host0), work->name);
	fprintf(f, "\n");
	fprintf(f, "pages: host write %llu read %llu trim %llu; nand write %llu (gc %llu, pad %llu) read %llu; buffer waits %llu\n",
		(unsigned long long)st->host_write_pages,
		(unsigned long long)st->host_read_pages,
		(unsigned long long)st->trim_pages,
		(unsigned long long)st->nand_write_pages,
		(unsigned long long)st->gc_write_pages,
		(unsigned long long)st->pad_pages,
		(unsigned long long)st->nand_read_pages,
		(unsigned long long)st->wb_waits);
	fprintf(f, "gc: lines reclaimed %llu foreground, %llu background; line erases %llu; free lines %u of %u\n",
		(unsigned long long)st->gc_fg_lines,
		(unsigned long long)st->gc_bg_lines,
		(unsigned long long)st->line_erases, ssd_free_lines(&s->ftl),
		s->ftl.nr_lines);
	elapsed = (double)s->now * s->ftl.nr_dies;
	for (i = 0, tr = 0; i < s->p.nand.cell_bits; i++)
		tr += s->p.nand.read_ns[i];
	tr /= s->p.nand.cell_bits;
	fprintf(f, "nand: %llu programs, %llu reads, %llu erases; die time in program %.1f%%, erase %.1f%%, sense ~%.1f%% (at the mean tR)\n",
		(unsigned long long)nst->programs,
		(unsigned long long)nst->reads,
		(unsigned long long)nst->erases,
		elapsed ? 100.0 * nst->programs * s->p.nand.prog_ns / elapsed : 0,
		elapsed ? 100.0 * nst->erases * s->p.nand.erase_ns / elapsed : 0,
		elapsed ? 100.0 * nst->reads * tr / elapsed : 0);
	ssd_wear(&s->ftl, &mean_x100, &max);
	fprintf(f, "wear: erase count mean %llu.%02llu max %u, percent used %u%% (of %u P/E cycles)\n",
		(unsigned long long)(mean_x100 / 100),
		(unsigned long long)(mean_x100 % 100), max,
		ssd_percent_used(&s->ftl), s->p.pe_cycles);
	/* Wall times vary from run to run: they stay on this one line. */
	fprintf(f, "speed: %.3f s simulated in %.3f s wall = %.1fx",
		s->now / 1e9, wall, wall > 0 ? s->now / 1e9 / wall : 0);
	if (s->o->call_times)
		fprintf(f, "; model calls: longest %.3f ms of CPU, %llu over 1 ms",
			s->call_max * 1e3, (unsigned long long)s->calls_over_1ms);
	fprintf(f, "\n");
}

static void list_profiles(void)
{
	struct ssd_params p;
	unsigned int i;

	printf("%-16s %3s %4s %6s %6s %5s %4s %8s %8s %8s %6s\n", "profile",
	       "ch", "luns", "planes", "page", "pages", "bits", "tR_us",
	       "tPROG_us", "tBERS_us", "wb_MiB");
	for (i = 0; ssd_profile_names[i]; i++) {
		if (ssd_profile_get(ssd_profile_names[i], &p))
			continue;
		printf("%-16s %3u %4u %6u %5uK %5u %4u %8.1f %8.1f %8.1f %6.1f\n",
		       ssd_profile_names[i], p.nand.nr_channels,
		       p.nand.luns_per_channel, p.nand.planes_per_lun,
		       p.nand.page_bytes / 1024, p.nand.pages_per_block,
		       p.nand.cell_bits, p.nand.read_ns[0] / 1e3,
		       p.nand.prog_ns / 1e3, p.nand.erase_ns / 1e3,
		       (double)p.wb_bytes / MIB);
	}
}


int main(int argc, char **argv)
{
	static struct sim sim;
	static struct phase fill_ph, work_ph;
	struct sim *s = &sim;
	struct opts o;
	struct gen g;
	const char *why = NULL;
	u64 amount, region, bs;
	double wall0, hot_blk;
	char buf[32];
	bool fill;

	parse_args(&o, argc, argv);
	if (!o.profile) {
		list_profiles();
		return 0;
	}
	s->o = &o;
	s->out = stdout;
	s->info = o.csv ? stderr : stdout;

	/* The device. */
	if (ssd_profile_get(o.profile, &s->p))
		usage_error("--profile: unknown profile '%s' (see --list-profiles)",
			    o.profile);
	apply_overrides(&o, &s->p);
	if (ssd_fit(&s->p, o.capacity, &why) ||
	    ssd_params_check(&s->p, o.capacity, &why))
		usage_error("bad configuration for %s: %s",
			    size_str(o.capacity, buf, sizeof(buf)),
			    why ? why : "?");

	/* The workload's range and size. */
	bs = o.bs ? o.bs : o.wl == WL_SEQFILL ? FILL_BS : 4 * KIB;
	region = o.capacity / SSD_PAGE_BYTES;
	if (o.wl != WL_SEQFILL)
		region = (u64)((double)region * o.util / 100.0);
	memset(&g, 0, sizeof(g));
	g.wl = o.wl;
	g.bs_pages = bs / SSD_PAGE_BYTES;
	g.nblk = region / g.bs_pages;
	if (!g.nblk)
		usage_error("the workload's range (%llu bytes) is smaller than one command (--bs %llu)",
			    (unsigned long long)region * SSD_PAGE_BYTES,
			    (unsigned long long)bs);
	if (o.wl != WL_SEQFILL)
		region = g.nblk * g.bs_pages;
	g.region = region;
	amount = o.amount ? o.amount :
		 (u64)llround((double)o.capacity * o.cap_mult);
	amount = (amount + SSD_PAGE_BYTES - 1) / SSD_PAGE_BYTES * SSD_PAGE_BYTES;
	/* With --time alone, the time limit ends the workload. */
	g.left = o.time_s && !o.amount_set ? U64_MAX : amount / SSD_PAGE_BYTES;
	g.trim_p = o.trim_pct / 100;
	g.hot_p = o.hot_access / 100;
	hot_blk = round((double)g.nblk * o.hot_space / 100);
	g.hot_blk = hot_blk < 1 ? 1 : (u64)hot_blk;
	if (g.hot_blk >= g.nblk)
		g.hot_blk = g.nblk - 1;
	if (o.wl == WL_HOTCOLD && g.nblk < 2)
		usage_error("hotcold needs a range of at least two blocks");

	print_config(s, &g, g.left == U64_MAX ? 0 : amount);
	if (o.dry_run)
		return 0;
	if (ssd_init(&s->ftl, &s->p, o.capacity))
		fatal("cannot allocate the model's %s",
		      size_str(ssd_mem_bytes(&s->p, o.capacity), buf,
			       sizeof(buf)));
	s->heap = calloc(o.qd, sizeof(*s->heap));
	if (!s->heap)
		fatal("out of memory");
	rng_seed(&s->rng, o.seed);
	if (o.wl == WL_ZIPF)
		zipf_init(&g.zipf, g.nblk, o.theta, &s->rng);

	if (!o.csv)
		fprintf(s->out, "\n");
	print_header(s);
	wall0 = wall_now();
	fill = o.fill || o.wl == WL_RANDREAD;
	if (fill) {
		struct gen fg;

		memset(&fg, 0, sizeof(fg));
		fg.wl = WL_SEQFILL;
		fg.region = region;
		fg.bs_pages = FILL_BS / SSD_PAGE_BYTES;
		fg.left = region;
		run_phase(s, &fill_ph, "fill", &fg);
	}
	if (o.time_s)
		g.t_end = s->now + (u64)llround(o.time_s * 1e9);
	run_phase(s, &work_ph, wl_names[o.wl], &g);
	if (!o.csv)
		fprintf(s->out, "\n");
	print_summary(s, fill ? &fill_ph : NULL, &work_ph,
		      wall_now() - wall0);
	if (o.check) {
		if (ssd_check_consistency(&s->ftl, &why))
			fatal("consistency: FAILED: %s", why ? why : "?");
		fprintf(s->info, "consistency: ok\n");
	}
	ssd_free(&s->ftl);
	free(s->heap);
	free(s->iv_lat);
	return 0;
}
