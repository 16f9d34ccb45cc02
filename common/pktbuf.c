// SPDX-License-Identifier: MIT
/* pktbuf.c - the preallocated packet buffer pool (the per-packet operations are inline in pktbuf.h). */
#include <stdlib.h>

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
