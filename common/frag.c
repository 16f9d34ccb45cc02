// SPDX-License-Identifier: MIT
/* frag.c - fragment steering cache: open-addressed decisions plus a small hold area. */
#include <stdlib.h>
#include <string.h>

#include "frag.h"
#include "hash.h"

#define FRAG_PROBE 8             /* slots looked at per key: bounded work per packet */

struct frag_slot {
	struct frag_key k;
	uint64_t val;
	uint32_t expires;        /* ms; 0 = free */
};

struct frag_held {
	struct frag_key k;
	uint32_t expires;        /* ms; 0 = free */
	struct pktbuf *b;
};

struct frag_cache {
	struct frag_slot *slots;
	uint32_t mask;
	uint32_t timeout;
	struct frag_held *held;
	uint32_t nheld, maxheld;
	struct pktbuf *bufs;     /* maxheld buffers for held copies */
	struct pktbuf **free;
	uint32_t nfree;
	struct frag_stats st;
};

static bool frag_key_eq(const struct frag_key *a, const struct frag_key *b)
{
	return a->src == b->src && a->dst == b->dst && a->ctx == b->ctx && a->tag == b->tag &&
	       a->id == b->id && a->proto == b->proto;
}

static uint32_t frag_hash(const struct frag_key *k)
{
	return hash_u32x3(k->src, k->dst, (uint32_t)k->id << 16 ^ k->proto << 8 ^ k->ctx,
			  k->tag ^ 0xf4a9u);
}

/* Timestamps wrap after 49 days of uptime; compare by signed difference. */
static bool frag_live(uint32_t expires, uint32_t now)
{
	return expires && (int32_t)(expires - now) > 0;
}

/* frag_new() - preallocate the decision table, the hold area and its buffers. */
struct frag_cache *frag_new(uint32_t entries, uint32_t hold, uint32_t timeout_ms)
{
	struct frag_cache *fc = calloc(1, sizeof(*fc));
	uint32_t n = 16;

	while (n < entries && n < (1u << 24))
		n <<= 1;
	if (!fc)
		return NULL;
	fc->slots = calloc(n, sizeof(*fc->slots));
	fc->held = calloc(hold + 1, sizeof(*fc->held));
	fc->bufs = calloc(hold + 1, sizeof(*fc->bufs));
	fc->free = calloc(hold + 1, sizeof(*fc->free));
	if (!fc->slots || !fc->held || !fc->bufs || !fc->free) {
		frag_free(fc);
		return NULL;
	}
	fc->mask = n - 1;
	fc->timeout = timeout_ms ? timeout_ms : 1;
	fc->maxheld = hold;
	for (uint32_t i = 0; i < hold; i++)
		fc->free[fc->nfree++] = &fc->bufs[i];
	return fc;
}

/* frag_free() - release everything; NULL is fine. */
void frag_free(struct frag_cache *fc)
{
	if (!fc)
		return;
	free(fc->slots);
	free(fc->held);
	free(fc->bufs);
	free(fc->free);
	free(fc);
}

/* frag_learn() - record a decision; a full probe window evicts the soonest to expire. */
void frag_learn(struct frag_cache *fc, const struct frag_key *k, uint64_t val, uint32_t now_ms)
{
	uint32_t h = frag_hash(k), victim = h & fc->mask;

	for (uint32_t i = 0; i < FRAG_PROBE; i++) {
		struct frag_slot *s = &fc->slots[(h + i) & fc->mask];

		if (!frag_live(s->expires, now_ms) || frag_key_eq(&s->k, k)) {
			victim = (h + i) & fc->mask;
			goto store;
		}
		if ((int32_t)(s->expires - fc->slots[victim].expires) < 0)
			victim = (h + i) & fc->mask;
	}
	fc->st.evicted++;
store:
	fc->slots[victim] = (struct frag_slot){ .k = *k, .val = val,
						.expires = (now_ms + fc->timeout) | 1 };
	fc->st.learned++;
}

/* frag_lookup() - find a live decision for k. */
bool frag_lookup(struct frag_cache *fc, const struct frag_key *k, uint32_t now_ms, uint64_t *val)
{
	uint32_t h = frag_hash(k);

	for (uint32_t i = 0; i < FRAG_PROBE; i++) {
		const struct frag_slot *s = &fc->slots[(h + i) & fc->mask];

		if (frag_live(s->expires, now_ms) && frag_key_eq(&s->k, k)) {
			*val = s->val;
			fc->st.hits++;
			return true;
		}
	}
	return false;
}

/* frag_hold() - copy b into the hold area under k. */
bool frag_hold(struct frag_cache *fc, const struct frag_key *k, const struct pktbuf *b,
	       uint32_t now_ms)
{
	struct pktbuf *c;

	if (!fc->nfree || b->len > PKTBUF_MTU) {
		fc->st.hold_full++;
		return false;
	}
	c = fc->free[--fc->nfree];
	pktbuf_reset(c);
	memcpy(c->data, b->data, b->len);
	c->len = b->len;
	c->peer = b->peer;
	c->peer_port = b->peer_port;
	c->out = b->out;
	fc->held[fc->nheld++] = (struct frag_held){ .k = *k, .b = c,
						    .expires = (now_ms + fc->timeout) | 1 };
	fc->st.held++;
	return true;
}

static void frag_unhold(struct frag_cache *fc, uint32_t i)
{
	fc->held[i] = fc->held[--fc->nheld];
}

/* frag_release() - hand back one held fragment of k, oldest order not kept. */
struct pktbuf *frag_release(struct frag_cache *fc, const struct frag_key *k)
{
	for (uint32_t i = 0; i < fc->nheld; i++) {
		if (frag_key_eq(&fc->held[i].k, k)) {
			struct pktbuf *b = fc->held[i].b;

			frag_unhold(fc, i);
			fc->st.released++;
			return b;
		}
	}
	return NULL;
}

/* frag_put() - return a buffer from frag_release(). */
void frag_put(struct frag_cache *fc, struct pktbuf *b)
{
	fc->free[fc->nfree++] = b;
}

/* frag_expire() - drop held fragments whose first never came. */
uint32_t frag_expire(struct frag_cache *fc, uint32_t now_ms)
{
	uint32_t n = 0;

	for (uint32_t i = 0; i < fc->nheld;) {
		if (frag_live(fc->held[i].expires, now_ms)) {
			i++;
			continue;
		}
		frag_put(fc, fc->held[i].b);
		frag_unhold(fc, i);
		fc->st.hold_timeout++;
		n++;
	}
	return n;
}

/* frag_clear() - forget all decisions and held fragments. */
void frag_clear(struct frag_cache *fc)
{
	memset(fc->slots, 0, (fc->mask + 1) * sizeof(*fc->slots));
	while (fc->nheld)
		frag_put(fc, fc->held[--fc->nheld].b);
}

/* frag_used() - live decisions now (a scan: for metrics, not the data path). */
uint32_t frag_used(const struct frag_cache *fc, uint32_t now_ms)
{
	uint32_t n = 0;

	for (uint32_t i = 0; i <= fc->mask; i++)
		n += frag_live(fc->slots[i].expires, now_ms);
	return n;
}

/* frag_held() - fragments held now. */
uint32_t frag_held(const struct frag_cache *fc)
{
	return fc->nheld;
}

/* frag_stats() - the cache's counters. */
const struct frag_stats *frag_stats(const struct frag_cache *fc)
{
	return &fc->st;
}
