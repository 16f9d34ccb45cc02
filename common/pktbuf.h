/* SPDX-License-Identifier: MIT */
/* pktbuf.h - preallocated packet buffers with headroom, and bursts of them. */
#ifndef SPAT_PKTBUF_H
#define SPAT_PKTBUF_H

#include <stddef.h>
#include <stdint.h>

/*
 * Theory of operation: every packet lives in a fixed-size buffer from one
 * pool allocated at start-up; nothing on the data path mallocs.  A packet
 * is received at PKTBUF_HEADROOM into its buffer so that encapsulation
 * (Ethernet, Geneve, outer IPv4/UDP) is prepended in place, and
 * decapsulation just moves data forward.  A burst is an array of pointers
 * into the pool, filled by one batched receive and flushed by one batched
 * send, so a packet is never copied between stages.
 */
#define PKTBUF_HEADROOM 128
#define PKTBUF_SIZE 2048
#define PKTBUF_MTU (PKTBUF_SIZE - PKTBUF_HEADROOM)
#define BURST_MAX 128

struct pktbuf {
	uint8_t *data;           /* first byte of the packet */
	uint32_t len;
	uint32_t peer;           /* IPv4 peer (host order): sender on rx, target on tx */
	uint16_t peer_port;
	uint16_t out;            /* caller-defined verdict/target index */
	uint32_t frame;          /* TSO frame it was split from (vnet.c), 0: none */
	uint32_t seg;            /* its index in that frame: 0 the first */
	uint8_t buf[PKTBUF_SIZE];
};

struct pktpool {
	struct pktbuf *bufs;
	struct pktbuf **free;
	size_t nfree, n;
};

/* pktpool_init() - allocate n buffers; 0 or -1 on ENOMEM. */
int pktpool_init(struct pktpool *pp, size_t n);
void pktpool_destroy(struct pktpool *pp);

/*
 * The operations below run for every packet, several times: they are
 * inline, as a call each cost more than their few stores.
 */

/* pktbuf_reset() - empty the buffer, data at the headroom. */
static inline void pktbuf_reset(struct pktbuf *b)
{
	b->data = b->buf + PKTBUF_HEADROOM;
	b->len = 0;
	b->peer = 0;
	b->peer_port = 0;
	b->out = 0;
	b->frame = 0;
	b->seg = 0;
}

/* pktpool_get() - a buffer reset to empty at the headroom, or NULL if none. */
static inline struct pktbuf *pktpool_get(struct pktpool *pp)
{
	struct pktbuf *b;

	if (!pp->nfree)
		return NULL;
	b = pp->free[--pp->nfree];
	pktbuf_reset(b);
	return b;
}

/* pktpool_put() - give a buffer back. */
static inline void pktpool_put(struct pktpool *pp, struct pktbuf *b)
{
	pp->free[pp->nfree++] = b;
}

/* pktbuf_push() - grow the packet n bytes at the front; NULL if no headroom. */
static inline uint8_t *pktbuf_push(struct pktbuf *b, size_t n)
{
	if ((size_t)(b->data - b->buf) < n)
		return NULL;
	b->data -= n;
	b->len += (uint32_t)n;
	return b->data;
}

/* pktbuf_pull() - drop n bytes from the front; NULL if shorter than n. */
static inline uint8_t *pktbuf_pull(struct pktbuf *b, size_t n)
{
	if (b->len < n)
		return NULL;
	b->data += n;
	b->len -= (uint32_t)n;
	return b->data;
}

/* pktbuf_room() - bytes that can be received at data (to the buffer end). */
static inline size_t pktbuf_room(const struct pktbuf *b)
{
	return (size_t)(b->buf + PKTBUF_SIZE - b->data);
}

/* A burst: up to BURST_MAX packets taken from a pool for one I/O round. */
struct burst {
	struct pktbuf *pkt[BURST_MAX];
	unsigned n;
};

#endif
