/* SPDX-License-Identifier: MIT */
/* tunmtu.h - what to do with a packet too big for the tunnel: ICMP back, or fragments. */
#ifndef SPAT_TUNMTU_H
#define SPAT_TUNMTU_H

#include <stdint.h>

#include "icmpgen.h"
#include "ipfrag.h"
#include "pkt.h"
#include "pktbuf.h"

/* Outer IPv4 (20), UDP (8) and the Geneve base header (8): we send no options. */
#define TUNMTU_OVERHEAD 36
#define TUNMTU_DEFAULT 1500      /* fabric MTU assumed when none is configured or found */
/* Extra fragments one burst may produce; flushed after the burst. */
#define TUNMTU_FRAGS (2 * BURST_MAX)

/* Fate of a packet too big for the tunnel; the daemons map each to a counter. */
enum tunmtu_verdict {
	TUNMTU_ICMP = 0,         /* DF: b now holds the ICMP "fragmentation needed" */
	TUNMTU_SPLIT,            /* no DF: b holds the first fragment, the rest in frag[] */
	TUNMTU_NO_ICMP,          /* DF, but no ICMP may be sent about it (RFC 1122) */
	TUNMTU_RATE,             /* DF, but the ICMP rate limit was reached */
	TUNMTU_BAD,              /* cannot be fragmented (bad header or options) */
	TUNMTU_NOBUF,            /* no buffer left for the fragments */
};

/*
 * Per data path state: the largest inner packet, the ICMP rate limit, the
 * pool fragments come from, and the fragments cut in this burst (the
 * caller sends them after the burst and calls tunmtu_put()).
 */
struct tunmtu {
	uint16_t inner_max;      /* 0 (not initialised, as in unit tests): no limit */
	struct icmpgen_limit icmp;
	struct pktpool *pool;    /* NULL: nothing is fragmented (TUNMTU_NOBUF) */
	struct pktbuf *frag[TUNMTU_FRAGS];
	unsigned nfrag;
};

/* tunmtu_init() - for a fabric of mtu bytes (0: TUNMTU_DEFAULT) and rate ICMP a second. */
void tunmtu_init(struct tunmtu *m, uint32_t mtu, uint32_t rate, struct pktpool *pool,
		 uint32_t now_ms);
/*
 * tunmtu_fit() - b holds pi's packet, longer than m->inner_max.  With DF,
 * turn it into an ICMP "fragmentation needed" from icmp_src (host order)
 * with next-hop MTU inner_max; without, cut it so every piece fits:
 * b keeps the first, the others are appended to m->frag[] from
 * *first on (*first is set to where they start).
 */
enum tunmtu_verdict tunmtu_fit(struct tunmtu *m, struct pktbuf *b, const struct pkt_ip4 *pi,
			       uint32_t icmp_src, uint32_t now_ms, unsigned *first);
/* tunmtu_put() - give the burst's fragments back to the pool. */
void tunmtu_put(struct tunmtu *m);

#endif
