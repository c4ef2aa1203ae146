// SPDX-License-Identifier: GPL-2.0
/*
 * SSD parameters: the built-in profiles and the "key=value,..." syntax
 * that sets them one by one (module parameter ssd=, nvmev-ssdsim).
 */
#include "ssd_ftl.h"

/*
 * NAND figures: "970pro" takes NVMeVirt's Samsung 970 PRO numbers (MLC,
 * 8 x 2 dies, 32 KiB pages, 185 us program, MiB/s bandwidths converted to
 * MB/s) and adds the block erase NVMeVirt leaves at 0.  "tlc-dc" is a
 * PCIe 4.0 TLC datacenter drive built from typical datasheet ranges.  See
 * docs/ssd.md for the sources and the derived figures.
 */
static const struct {
	const char *name;
	struct ssd_params p;
} ssd_profiles[] = {
	{ "970pro", {
		.nand = {
			.nr_channels = 8, .luns_per_channel = 2,
			.planes_per_lun = 1, .pages_per_block = 256,
			.page_bytes = 32768, .oneshot_pages = 1, .cell_bits = 2,
			.read_ns = { 30013, 42013 }, .prog_ns = 185000,
			.erase_ns = 3000000, .channel_mbs = 838,
		},
		.host_mbs = 3523, .fw_read_ns = 21500, .fw_write_ns = 4000,
		.fw_write_4k_ns = 460, .wb_bytes = 1 << 20, .write_cache = true,
		.op_pct = 7, .gc_fg_lines = 2, .gc_bg_lines = 6,
		.gc_bg_idle_ns = 10000000, .gc_policy = SSD_GC_GREEDY,
		.pe_cycles = 3000,
	} },
	{ "tlc-dc", {
		.nand = {
			.nr_channels = 8, .luns_per_channel = 4,
			.planes_per_lun = 2, .pages_per_block = 768,
			.page_bytes = 16384, .oneshot_pages = 3, .cell_bits = 3,
			.read_ns = { 45000, 55000, 65000 }, .prog_ns = 700000,
			.erase_ns = 3500000, .channel_mbs = 1200,
		},
		.host_mbs = 7000, .fw_read_ns = 8000, .fw_write_ns = 3000,
		.fw_write_4k_ns = 300, .wb_bytes = 8 << 20, .write_cache = true,
		.op_pct = 20, .gc_fg_lines = 2, .gc_bg_lines = 6,
		.gc_bg_idle_ns = 5000000, .gc_policy = SSD_GC_GREEDY,
		.pe_cycles = 5000,
	} },
};

const char *const ssd_profile_names[] = { "970pro", "tlc-dc", NULL };

int ssd_profile_get(const char *name, struct ssd_params *p)
{
	u32 i;

	for (i = 0; i < ARRAY_SIZE(ssd_profiles); i++) {
		if (!strcmp(name, ssd_profiles[i].name)) {
			*p = ssd_profiles[i].p;
			return 0;
		}
	}
	return -ENOENT;
}

/* How each key of the "key=value" syntax reaches struct ssd_params. */
enum ssd_key_type { SSD_K_U32, SSD_K_U64, SSD_K_BOOL, SSD_K_US, SSD_K_KIB };

#define SSD_NAND(f)	offsetof(struct ssd_params, nand.f)
#define SSD_P(f)	offsetof(struct ssd_params, f)

static const struct {
	const char *key;
	u32 type;
	size_t off;
} ssd_keys[] = {
	{ "channels",		SSD_K_U32,  SSD_NAND(nr_channels) },
	{ "luns",		SSD_K_U32,  SSD_NAND(luns_per_channel) },
	{ "planes",		SSD_K_U32,  SSD_NAND(planes_per_lun) },
	{ "pages_per_block",	SSD_K_U32,  SSD_NAND(pages_per_block) },
	{ "page_kib",		SSD_K_KIB,  SSD_NAND(page_bytes) },
	{ "oneshot",		SSD_K_U32,  SSD_NAND(oneshot_pages) },
	{ "cell_bits",		SSD_K_U32,  SSD_NAND(cell_bits) },
	{ "read0_us",		SSD_K_US,   SSD_NAND(read_ns[0]) },
	{ "read1_us",		SSD_K_US,   SSD_NAND(read_ns[1]) },
	{ "read2_us",		SSD_K_US,   SSD_NAND(read_ns[2]) },
	{ "read3_us",		SSD_K_US,   SSD_NAND(read_ns[3]) },
	{ "prog_us",		SSD_K_US,   SSD_NAND(prog_ns) },
	{ "erase_us",		SSD_K_US,   SSD_NAND(erase_ns) },
	{ "channel_mbs",	SSD_K_U32,  SSD_NAND(channel_mbs) },
	{ "host_mbs",		SSD_K_U32,  SSD_P(host_mbs) },
	{ "fw_read_us",		SSD_K_US,   SSD_P(fw_read_ns) },
	{ "fw_write_us",	SSD_K_US,   SSD_P(fw_write_ns) },
	{ "fw_write_4k_us",	SSD_K_US,   SSD_P(fw_write_4k_ns) },
	{ "wb_kib",		SSD_K_KIB,  SSD_P(wb_bytes) },
	{ "write_cache",	SSD_K_BOOL, SSD_P(write_cache) },
	{ "op_pct",		SSD_K_U32,  SSD_P(op_pct) },
	{ "gc_fg_lines",	SSD_K_U32,  SSD_P(gc_fg_lines) },
	{ "gc_bg_lines",	SSD_K_U32,  SSD_P(gc_bg_lines) },
	{ "gc_bg_idle_us",	SSD_K_US,   SSD_P(gc_bg_idle_ns) },
	{ "gc_policy",		SSD_K_U32,  SSD_P(gc_policy) },
	{ "pe_cycles",		SSD_K_U32,  SSD_P(pe_cycles) },
};

const char *ssd_param_key(u32 i)
{
	return i < ARRAY_SIZE(ssd_keys) ? ssd_keys[i].key : NULL;
}

bool pure_parse_u64(const char *s, size_t len, u64 *v)
{
	u64 x = 0;
	size_t i;

	if (!len || len > 19)
		return false;
	for (i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		x = x * 10 + (s[i] - '0');
	}
	*v = x;
	return true;
}

static bool ssd_word_is(const char *s, size_t len, const char *word)
{
	return strlen(word) == len && !memcmp(s, word, len);
}

int ssd_param_set(struct ssd_params *p, const char *s, size_t len,
		  const char **why)
{
	const char *eq = memchr(s, '=', len), *val;
	size_t klen, vlen, i;
	u64 v;
	u8 *f;

	if (!eq) {
		*why = "expected key=value";
		return -EINVAL;
	}
	klen = eq - s;
	val = eq + 1;
	vlen = len - klen - 1;
	for (i = 0; i < ARRAY_SIZE(ssd_keys); i++)
		if (ssd_word_is(s, klen, ssd_keys[i].key))
			break;
	if (i == ARRAY_SIZE(ssd_keys)) {
		*why = "unknown key (see modinfo nvmev or docs/ssd.md)";
		return -EINVAL;
	}
	if (ssd_keys[i].off == SSD_P(gc_policy) &&
	    (ssd_word_is(val, vlen, "greedy") ||
	     ssd_word_is(val, vlen, "cost-benefit"))) {
		p->gc_policy = ssd_word_is(val, vlen, "greedy") ?
			       SSD_GC_GREEDY : SSD_GC_COST_BENEFIT;
		return 0;
	}
	if (!pure_parse_u64(val, vlen, &v)) {
		*why = "value not a whole decimal number";
		return -EINVAL;
	}
	f = (u8 *)p + ssd_keys[i].off;
	switch (ssd_keys[i].type) {
	case SSD_K_U32:
		if (v > U32_MAX)
			goto range;
		*(u32 *)f = v;
		break;
	case SSD_K_KIB:
		if (v > (U32_MAX >> 10))
			goto range;
		if (ssd_keys[i].off == SSD_P(wb_bytes))
			*(u64 *)f = v << 10;
		else
			*(u32 *)f = v << 10;
		break;
	case SSD_K_US:
		if (v > U64_MAX / 1000)
			goto range;
		*(u64 *)f = v * 1000;
		break;
	case SSD_K_BOOL:
		if (v > 1)
			goto range;
		*(bool *)f = v;
		break;
	}
	return 0;
range:
	*why = "value out of range";
	return -EINVAL;
}

int pure_kv_parse(const char *s, pure_kv_set_t set, void *ctx,
		  const char **why)
{
	const char *end;
	const char *reason = NULL;
	size_t len;

	while (s && *s && *s != '\n' && !reason) {
		end = strchr(s, ',');
		len = end ? (size_t)(end - s) : strcspn(s, "\n");
		if (len)
			set(ctx, s, len, &reason);
		s = end ? end + 1 : NULL;
	}
	if (why)
		*why = reason;
	return reason ? -EINVAL : 0;
}

static int ssd_param_set_kv(void *p, const char *s, size_t len,
			    const char **why)
{
	return ssd_param_set(p, s, len, why);
}

int ssd_params_parse(struct ssd_params *p, const char *s, const char **why)
{
	return pure_kv_parse(s, ssd_param_set_kv, p, why);
}
