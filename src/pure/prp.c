// SPDX-License-Identifier: GPL-2.0
/*
 * Walker for NVMe PRP data pointers; see prp.h for the rules.
 */
#include "prp.h"

#define PRP_ENTRY_SIZE	8

/* The piece built up so far, not yet emitted (len == 0: none). */
struct prp_out {
	prp_emit_t emit;
	void *ctx;
	u64 addr;
	u64 len;
};

static int prp_flush(struct prp_out *o)
{
	u32 len = (u32)o->len;

	if (!len)
		return 0;
	o->len = 0;
	return o->emit(o->ctx, o->addr, len);
}

/*
 * Appends a piece of at most one page.  It joins the pending piece when
 * it starts where that one ends, without wrapping and within U32_MAX;
 * otherwise the pending piece is emitted first.
 */
static int prp_add(struct prp_out *o, u64 addr, u64 len)
{
	int ret;

	if (o->len && addr == o->addr + o->len && addr > o->addr &&
	    o->len + len <= U32_MAX) {
		o->len += len;
		return 0;
	}
	ret = prp_flush(o);
	if (ret)
		return ret;
	o->addr = addr;
	o->len = len;
	return 0;
}

/* A list entry is a little-endian u64, whatever the CPU's byte order. */
static u64 prp_get_entry(const u8 *p)
{
	u64 v = 0;
	int i;

	for (i = PRP_ENTRY_SIZE - 1; i >= 0; i--)
		v = (v << 8) | p[i];
	return v;
}

/*
 * Walks the PRP list that starts at list and describes the last rest
 * bytes of the transfer (more than one page).
 */
static enum prp_status prp_walk_list(struct prp_out *o, u64 list, u64 rest,
				     u32 page_size, prp_read_t rd, void *rctx)
{
	u8 batch[PRP_LIST_BATCH * PRP_ENTRY_SIZE];
	u64 mask = page_size - 1;
	u64 ents = div_u64(rest, page_size) + !!(rest & mask);

	while (ents) {
		/* Slots from the current one to the end of this list page. */
		u64 slots = (page_size - (list & mask)) / PRP_ENTRY_SIZE;
		bool chain = ents > slots;
		u64 n = chain ? slots : ents;
		u64 next = 0;
		u64 i = 0;

		while (i < n) {
			u32 cnt = min_t(u64, n - i, PRP_LIST_BATCH);
			u32 j;

			if (rd(rctx, list + i * PRP_ENTRY_SIZE, batch,
			       cnt * PRP_ENTRY_SIZE))
				return PRP_XFER_ERROR;
			for (j = 0; j < cnt; j++, i++) {
				u64 e = prp_get_entry(batch + j * PRP_ENTRY_SIZE);
				u64 piece;

				if (e & mask)
					return PRP_BAD_OFFSET;
				if (chain && i == n - 1) {
					next = e;
					continue;
				}
				piece = min_t(u64, rest, page_size);
				if (prp_add(o, e, piece))
					return PRP_XFER_ERROR;
				rest -= piece;
				ents--;
			}
		}
		list = next;
	}
	return PRP_OK;
}

enum prp_status prp_walk(u64 prp1, u64 prp2, u64 len, u32 page_size,
			 u64 max_len, prp_read_t rd, void *rctx,
			 prp_emit_t emit, void *ectx)
{
	struct prp_out out = { .emit = emit, .ctx = ectx };
	enum prp_status st = PRP_OK;
	u64 mask = (u64)page_size - 1;
	u64 first, rest;

	if (page_size < PRP_MIN_PAGE_SIZE || page_size > PRP_MAX_PAGE_SIZE ||
	    (page_size & (page_size - 1)))
		return PRP_BAD_ARGS;
	if (max_len && len > max_len)
		return PRP_TOO_LONG;
	if (!len)
		return PRP_OK;
	if (prp1 & 3)
		return PRP_BAD_OFFSET;

	first = min_t(u64, len, page_size - (prp1 & mask));
	rest = len - first;
	if (rest && rest <= page_size && (prp2 & mask))
		return PRP_BAD_OFFSET;
	/* A list pointer must be dword aligned and leave room for a slot. */
	if (rest > page_size &&
	    ((prp2 & 3) || page_size - (prp2 & mask) < PRP_ENTRY_SIZE))
		return PRP_BAD_OFFSET;

	prp_add(&out, prp1, first);	/* nothing pending: cannot fail */
	if (rest > page_size)
		st = prp_walk_list(&out, prp2, rest, page_size, rd, rctx);
	else if (rest && prp_add(&out, prp2, rest))
		st = PRP_XFER_ERROR;
	if (st != PRP_OK)
		return st;
	if (prp_flush(&out))
		return PRP_XFER_ERROR;
	return PRP_OK;
}
