/* SPDX-License-Identifier: MIT */
/* frag.h - bounded, time-limited cache that steers IPv4 fragments like their first one. */
#ifndef SPAT_FRAG_H
#define SPAT_FRAG_H

#include <stdbool.h>
#include <stdint.h>

#include "pktbuf.h"

/*
 * Theory of operation (shallow virtual reassembly, as VPP does it): only
 * the first fragment carries ports, so a NAT cannot place the others by
 * themselves.  When the first fragment of a datagram has been placed, the
 * caller records its decision under (source, destination, protocol, IP id,
 * context) with frag_learn(); later fragments of the datagram find it with
 * frag_lookup() and get the same treatment, without reassembly.  Fragments
 * that come before their first are copied into a small hold area
 * (frag_hold()) and handed back by frag_release() once the first has been
 * placed.  Everything is preallocated: a fragment flood can evict entries
 * and fill the hold area, counted, but cannot grow memory or touch
 * unfragmented traffic (RFC 4787 REQ-14).
 */

/*
 * One datagram.  ctx and tag tell apart decisions of different paths: the
 * caller's direction and sender, and the tenant, so that a fragment is only
 * ever placed like a first fragment that came the same way.
 */
struct frag_key {
	uint32_t src, dst;
	uint32_t ctx, tag;
	uint16_t id;
	uint8_t proto;
};

struct frag_stats {
	uint64_t learned;        /* first fragments recorded */
	uint64_t hits;           /* later fragments placed by an entry */
	uint64_t evicted;        /* live entries overwritten to make room */
	uint64_t held;           /* fragments held for their first */
	uint64_t released;       /* held fragments handed back */
	uint64_t hold_full;      /* fragments dropped: hold area full */
	uint64_t hold_timeout;   /* held fragments dropped: first never came */
};

struct frag_cache;

/*
 * frag_new() - a cache of at most entries decisions (rounded up to a power
 * of two) and hold fragments held, each living timeout_ms.  NULL on ENOMEM.
 */
struct frag_cache *frag_new(uint32_t entries, uint32_t hold, uint32_t timeout_ms);
void frag_free(struct frag_cache *fc);
/* frag_learn() - record the decision val for the datagram k at now_ms. */
void frag_learn(struct frag_cache *fc, const struct frag_key *k, uint64_t val, uint32_t now_ms);
/* frag_lookup() - the decision for k if one is live; true and *val when found. */
bool frag_lookup(struct frag_cache *fc, const struct frag_key *k, uint32_t now_ms, uint64_t *val);
/*
 * frag_hold() - keep a copy of b (data, len, peer, peer_port, out) for k.
 * false when the hold area is full (the caller drops b; counted).
 */
bool frag_hold(struct frag_cache *fc, const struct frag_key *k, const struct pktbuf *b,
	       uint32_t now_ms);
/*
 * frag_release() - the next held fragment of k, or NULL.  The caller
 * processes it and gives it back with frag_put() when done with it.
 */
struct pktbuf *frag_release(struct frag_cache *fc, const struct frag_key *k);
void frag_put(struct frag_cache *fc, struct pktbuf *b);
/* frag_expire() - drop held fragments older than the timeout; returns how many. */
uint32_t frag_expire(struct frag_cache *fc, uint32_t now_ms);
/*
 * frag_clear() - forget every decision and held fragment, e.g. when a
 * reload renumbers what the decisions refer to.
 */
void frag_clear(struct frag_cache *fc);
/* frag_used() / frag_held() - live entries and held fragments now, for metrics. */
uint32_t frag_used(const struct frag_cache *fc, uint32_t now_ms);
uint32_t frag_held(const struct frag_cache *fc);
const struct frag_stats *frag_stats(const struct frag_cache *fc);

#endif
