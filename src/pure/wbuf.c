// SPDX-License-Identifier: GPL-2.0
/*
 * The write buffer of the flash-based kinds; see wbuf.h.
 */
#include "wbuf.h"

u64 wbuf_mem_bytes(u32 slots)
{
	/* Each event holds a slot at least, plus one spare. */
	return ((u64)slots + 1) * sizeof(struct wbuf_event);
}

int wbuf_init(struct wbuf *b, u32 slots)
{
	b->slots = slots ? slots : 1;
	b->used = 0;
	b->nr_ev = 0;
	b->max_ev = b->slots + 1;
	b->ev = pure_zalloc(wbuf_mem_bytes(b->slots));
	return b->ev ? 0 : -ENOMEM;
}

void wbuf_free(struct wbuf *b)
{
	pure_free(b->ev);
	b->ev = NULL;
	b->nr_ev = 0;
}

void wbuf_reset(struct wbuf *b, u32 used)
{
	b->nr_ev = 0;
	b->used = min_t(u32, used, b->slots);
}

static void ev_swap(struct wbuf_event *a, struct wbuf_event *b)
{
	struct wbuf_event t = *a;

	*a = *b;
	*b = t;
}

void wbuf_push(struct wbuf *b, u64 t, u32 slots)
{
	struct wbuf_event *h = b->ev;
	u32 i;

	if (!slots)
		return;
	if (b->nr_ev == b->max_ev) {
		/* Cannot happen (each event holds a slot); merge into the root. */
		h[0].t = max_t(u64, h[0].t, t);
		h[0].slots += slots;
		return;
	}
	i = b->nr_ev++;
	h[i].t = t;
	h[i].slots = slots;
	while (i && h[(i - 1) / 2].t > h[i].t) {
		ev_swap(&h[(i - 1) / 2], &h[i]);
		i = (i - 1) / 2;
	}
}

/* Removes the earliest program and frees its slots; returns its end. */
static u64 wbuf_pop(struct wbuf *b)
{
	struct wbuf_event *h = b->ev, top = h[0];
	u32 i = 0, l, m;

	h[0] = h[--b->nr_ev];
	for (;;) {
		l = 2 * i + 1;
		m = i;
		if (l < b->nr_ev && h[l].t < h[m].t)
			m = l;
		if (l + 1 < b->nr_ev && h[l + 1].t < h[m].t)
			m = l + 1;
		if (m == i)
			break;
		ev_swap(&h[i], &h[m]);
		i = m;
	}
	b->used -= min_t(u32, b->used, top.slots);
	return top.t;
}

void wbuf_reap(struct wbuf *b, u64 now)
{
	while (b->nr_ev && b->ev[0].t <= now)
		wbuf_pop(b);
}

u64 wbuf_take(struct wbuf *b, u64 t)
{
	while (b->used >= b->slots && b->nr_ev)
		t = max_t(u64, t, wbuf_pop(b));
	b->used++;
	return t;
}

void wbuf_untake(struct wbuf *b, u32 slots)
{
	b->used -= min_t(u32, b->used, slots);
}

u64 wbuf_drained_at(const struct wbuf *b, u64 t)
{
	u32 i;

	for (i = 0; i < b->nr_ev; i++)
		t = max_t(u64, t, b->ev[i].t);
	return t;
}
