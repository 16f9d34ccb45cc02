/* SPDX-License-Identifier: MIT */
/* pktbuf.h - preallocated packet buffers with headroom, and bursts of them. */
#ifndef SPAT_PKTBUF_H
#define SPAT_PKTBUF_H

#include <stdbool.h>
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
 *
 * A buffer may also be lent data that lies elsewhere (udpgro.c hands out
 * the datagrams of a coalesced run where the kernel put them): the packet
 * may be read, rewritten in place and shortened as usual, and the first
 * pktbuf_push() copies it into the buffer at the headroom (pktbuf_own()),
 * so code that prepends headers never writes outside the packet.  Lent
 * data lives only until its lender receives again (see udpgro.h).
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
	bool lent;               /* data lies outside buf, lent (udpgro.c) */
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
/* pktpool_get() - a buffer reset to empty at the headroom, or NULL if none. */
struct pktbuf *pktpool_get(struct pktpool *pp);
void pktpool_put(struct pktpool *pp, struct pktbuf *b);

/* pktbuf_reset() - empty the buffer, data at the headroom. */
void pktbuf_reset(struct pktbuf *b);
/*
 * pktbuf_own() - copy lent data into the buffer at the headroom (nothing to
 * do when it is there already); -1 if it is longer than PKTBUF_MTU.
 */
int pktbuf_own(struct pktbuf *b);
/* pktbuf_push() - grow the packet n bytes at the front (owning lent data first); NULL if no headroom. */
uint8_t *pktbuf_push(struct pktbuf *b, size_t n);
/* pktbuf_pull() - drop n bytes from the front; NULL if shorter than n. */
uint8_t *pktbuf_pull(struct pktbuf *b, size_t n);
/* pktbuf_room() - bytes that can be received at data (to the buffer end; lent: its length). */
size_t pktbuf_room(const struct pktbuf *b);

/* A burst: up to BURST_MAX packets taken from a pool for one I/O round. */
struct burst {
	struct pktbuf *pkt[BURST_MAX];
	unsigned n;
};

#endif
