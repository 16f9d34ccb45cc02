// SPDX-License-Identifier: MIT
/* pktbuf.c - the preallocated packet buffer pool and headroom operations. */
#include <stdlib.h>
#include <string.h>

#include "pktbuf.h"

/* pktpool_init() - allocate n buffers and put them all on the free list. */
int pktpool_init(struct pktpool *pp, size_t n)
{
	pp->bufs = calloc(n, sizeof(*pp->bufs));
	pp->free = calloc(n, sizeof(*pp->free));
	if (!pp->bufs || !pp->free) {
		pktpool_destroy(pp);
		return -1;
	}
	for (size_t i = 0; i < n; i++)
		pp->free[i] = &pp->bufs[i];
	pp->n = pp->nfree = n;
	return 0;
}

/* pktpool_destroy() - free the pool's memory. */
void pktpool_destroy(struct pktpool *pp)
{
	free(pp->bufs);
	free(pp->free);
	pp->bufs = NULL;
	pp->free = NULL;
	pp->n = pp->nfree = 0;
}

/* pktpool_get() - take a reset buffer, or NULL when the pool is empty. */
struct pktbuf *pktpool_get(struct pktpool *pp)
{
	struct pktbuf *b;

	if (!pp->nfree)
		return NULL;
	b = pp->free[--pp->nfree];
	pktbuf_reset(b);
	return b;
}

/* pktpool_put() - give a buffer back. */
void pktpool_put(struct pktpool *pp, struct pktbuf *b)
{
	pp->free[pp->nfree++] = b;
}

/* pktbuf_reset() - empty the buffer, data at the headroom. */
void pktbuf_reset(struct pktbuf *b)
{
	b->data = b->buf + PKTBUF_HEADROOM;
	b->len = 0;
	b->peer = 0;
	b->peer_port = 0;
	b->out = 0;
	b->frame = 0;
	b->seg = 0;
	b->lent = false;
}

/* pktbuf_own() - bring lent data home: later pushes need the headroom. */
int pktbuf_own(struct pktbuf *b)
{
	if (!b->lent)
		return 0;
	if (b->len > PKTBUF_MTU)
		return -1;
	memcpy(b->buf + PKTBUF_HEADROOM, b->data, b->len);
	b->data = b->buf + PKTBUF_HEADROOM;
	b->lent = false;
	return 0;
}

/* pktbuf_push() - grow the packet n bytes at the front; NULL if no headroom. */
uint8_t *pktbuf_push(struct pktbuf *b, size_t n)
{
	if (pktbuf_own(b) < 0)
		return NULL;
	if ((size_t)(b->data - b->buf) < n)
		return NULL;
	b->data -= n;
	b->len += (uint32_t)n;
	return b->data;
}

/* pktbuf_pull() - drop n bytes from the front; NULL if shorter than n. */
uint8_t *pktbuf_pull(struct pktbuf *b, size_t n)
{
	if (b->len < n)
		return NULL;
	b->data += n;
	b->len -= (uint32_t)n;
	return b->data;
}

/* pktbuf_room() - bytes that can be received at data (to the buffer end). */
size_t pktbuf_room(const struct pktbuf *b)
{
	if (b->lent)
		return b->len;   /* what lies beyond is not ours */
	return (size_t)(b->buf + PKTBUF_SIZE - b->data);
}
