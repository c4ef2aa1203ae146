/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A flash drive's DRAM write buffer, shared by the flash-based kinds
 * (ssd_ftl.c, zns_model.c): a number of slots, each taken by one page of
 * written data until the program that holds the page ends.
 *
 * Programs in flight are kept in a min-heap of (end time, slots).  A page
 * that finds every slot taken waits for the earliest program to end; so a
 * write larger than the buffer still completes, at the pace of the flash.
 * The caller serialises calls and never passes a time earlier than one it
 * passed before.
 */
#ifndef NVMEV_PURE_WBUF_H
#define NVMEV_PURE_WBUF_H

#include "shim.h"

struct wbuf_event {
	u64 t;			/* program end: slots free then */
	u32 slots;		/* slots freed */
};

struct wbuf {
	u32 slots;		/* size in slots */
	u32 used;		/* slots taken */
	struct wbuf_event *ev;	/* min-heap by t */
	u32 nr_ev, max_ev;
};

/* Bytes wbuf_init() allocates for a buffer of slots. */
u64 wbuf_mem_bytes(u32 slots);

/* An empty buffer of slots (>= 1).  Returns 0 or -ENOMEM. */
int wbuf_init(struct wbuf *b, u32 slots);
void wbuf_free(struct wbuf *b);

/* No program in flight; used slots are kept (pages not yet programmed). */
void wbuf_reset(struct wbuf *b, u32 used);

/* Frees the slots of every program that has ended by now. */
void wbuf_reap(struct wbuf *b, u64 now);

/* Takes one slot at t or later; returns the time it is had. */
u64 wbuf_take(struct wbuf *b, u64 t);

/* Gives back slots taken but never programmed. */
void wbuf_untake(struct wbuf *b, u32 slots);

/* A program holding slots pages ends at t: they are freed then. */
void wbuf_push(struct wbuf *b, u64 t, u32 slots);

/* When the last program in flight ends (t if none ends later). */
u64 wbuf_drained_at(const struct wbuf *b, u64 t);

#endif /* NVMEV_PURE_WBUF_H */
