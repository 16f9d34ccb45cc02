// SPDX-License-Identifier: MIT
/* edges.c - edge liveness from keepalive replies, and the per-flow edge pick. */
#include <stdlib.h>
#include <string.h>

#include "edges.h"

/* Replies to probes older than this many sequence numbers are ignored. */
#define EDGES_SEQ_WINDOW 64

static void edges_relist(struct edges *es)
{
	es->nlive = 0;
	for (size_t i = 0; i < es->n; i++)
		if (es->e[i].up)
			es->live[es->nlive++] = (uint32_t)i;
}

/* edges_init() - one entry per configured edge, all in use. */
int edges_init(struct edges *es, const struct host_conf *c, uint32_t now_ms)
{
	memset(es, 0, sizeof(*es));
	es->e = calloc(c->nedges ? c->nedges : 1, sizeof(*es->e));
	es->live = calloc(c->nedges ? c->nedges : 1, sizeof(*es->live));
	if (!es->e || !es->live) {
		edges_free(es);
		return -1;
	}
	es->n = c->nedges;
	es->interval_ms = c->probe_interval_ms;
	es->down_ms = c->probe_down_ms;
	for (size_t i = 0; i < es->n; i++)
		es->e[i] = (struct edge_live){ .addr = c->edges[i].addr, .up = true,
					       .logged_up = true,
					       .last_reply_ms = now_ms, .changed_ms = now_ms };
	edges_relist(es);
	return 0;
}

/* edges_free() - release the arrays; es may be zeroed or half built. */
void edges_free(struct edges *es)
{
	free(es->e);
	free(es->live);
	memset(es, 0, sizeof(*es));
}

/* edges_carry() - keep state and counters of edges that stay, by address. */
void edges_carry(struct edges *es, const struct edges *old)
{
	es->seq = old->seq;
	for (size_t i = 0; i < es->n; i++)
		for (size_t j = 0; j < old->n; j++)
			if (old->e[j].addr == es->e[i].addr)
				es->e[i] = old->e[j];
	if (!es->interval_ms)        /* probing turned off: everything in use */
		for (size_t i = 0; i < es->n; i++)
			es->e[i].up = true;
	edges_relist(es);
}

/* edges_pick() - the flow's own edge while it lives, else a live one by the same hash. */
uint32_t edges_pick(const struct edges *es, uint32_t h)
{
	const struct edge_live *e = &es->e[h % es->n];

	if (e->up || !es->nlive)
		return e->addr;
	return es->e[es->live[h % es->nlive]].addr;
}

/* edges_sent() - count a probe to edge i and number it. */
uint32_t edges_sent(struct edges *es, size_t i)
{
	es->e[i].sent++;
	return ++es->seq;
}

/* edges_reply() - a fresh reply from a configured edge puts it (back) in use. */
int edges_reply(struct edges *es, uint32_t addr, const struct probe *p, uint32_t now_ms)
{
	struct edge_live *e = NULL;

	for (size_t i = 0; i < es->n && !e; i++)
		if (es->e[i].addr == addr)
			e = &es->e[i];
	/* Only answers to one of our last probes: a replayed old reply proves nothing. */
	if (!e || p->kind != PROBE_REPLY || es->seq - p->seq >= EDGES_SEQ_WINDOW)
		return -1;
	e->replies++;
	e->last_reply_ms = now_ms;
	e->rtt_ms = now_ms - p->stamp_ms;
	if (e->up)
		return 0;
	e->up = true;
	e->changed_ms = now_ms;
	edges_relist(es);
	return 1;
}

/* edges_tick() - an edge silent for down_ms goes out of use. */
unsigned edges_tick(struct edges *es, uint32_t now_ms)
{
	unsigned downs = 0;

	if (!es->interval_ms)
		return 0;
	for (size_t i = 0; i < es->n; i++) {
		struct edge_live *e = &es->e[i];

		if (e->up && now_ms - e->last_reply_ms > es->down_ms) {
			e->up = false;
			e->changed_ms = now_ms;
			e->downs++;
			downs++;
		}
	}
	if (downs)
		edges_relist(es);
	return downs;
}
