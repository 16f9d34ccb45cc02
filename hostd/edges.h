/* SPDX-License-Identifier: MIT */
/* edges.h - which edges hostd tunnels to: keepalive state, and the pick for each flow. */
#ifndef SPAT_EDGES_H
#define SPAT_EDGES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "host_conf.h"
#include "probe.h"

/*
 * Theory of operation: hostd probes every configured edge each
 * interval_ms with a Geneve OAM request (probe.h); edged answers.  An edge
 * that has not answered for down_ms is out of use, and back in use with
 * its next answer.  Return traffic picks the edge by flow hash over all
 * configured edges, so a flow keeps its edge while that edge lives; a flow
 * whose edge is out of use is spread by the same hash over the live ones.
 * With every edge down (or probing off) the plain hash choice stands:
 * sending somewhere beats dropping everything.  No I/O here: main.c sends
 * the probes and feeds the replies in.
 */
struct edge_live {
	uint32_t addr;
	bool up;
	bool logged_up;          /* the state the daemon last logged */
	uint32_t last_reply_ms;  /* svc_now_ms() of the last reply (or start) */
	uint32_t changed_ms;     /* when up last changed (or start) */
	uint32_t rtt_ms;         /* of the last reply */
	uint64_t sent, replies, downs;
};

struct edges {
	struct edge_live *e;
	size_t n;
	uint32_t *live;          /* indices of edges in use, ascending */
	size_t nlive;
	uint32_t interval_ms;    /* 0: no probing, every edge always in use */
	uint32_t down_ms;
	uint32_t seq;            /* of the last probe sent */
};

/* edges_init() - every edge of c in use as of now_ms; 0, or -1 out of memory. */
int edges_init(struct edges *es, const struct host_conf *c, uint32_t now_ms);
void edges_free(struct edges *es);
/* edges_carry() - after a reload: take over old's state for edges still configured. */
void edges_carry(struct edges *es, const struct edges *old);
/* edges_pick() - the edge address for flow hash h. */
uint32_t edges_pick(const struct edges *es, uint32_t h);
/*
 * edges_sent() - note a probe sent to edge i (for counters); returns the
 * sequence number to put in it.
 */
uint32_t edges_sent(struct edges *es, size_t i);
/*
 * edges_reply() - a probe reply p from addr at now_ms.  Returns 1 if the
 * edge came back into use, 0 if it was in use, -1 if addr is not an edge
 * or p is not an answer to a probe we sent.
 */
int edges_reply(struct edges *es, uint32_t addr, const struct probe *p, uint32_t now_ms);
/* edges_tick() - take edges silent for down_ms out of use; returns how many. */
unsigned edges_tick(struct edges *es, uint32_t now_ms);

#endif
