/* SPDX-License-Identifier: MIT */
/* ipfrag.h - cut an IPv4 packet into fragments that fit a smaller MTU (RFC 791). */
#ifndef SPAT_IPFRAG_H
#define SPAT_IPFRAG_H

#include "pktbuf.h"

#define IPFRAG_MAX 8             /* extra pieces: enough for a 1920-byte packet at an MTU of 276+ */

/* Why ipfrag_split() did not cut a packet. */
enum ipfrag_err {
	IPFRAG_BAD = -1,         /* not IPv4, DF set, bad header or options, MTU below 68 */
	IPFRAG_NOBUF = -2,       /* the pool ran dry or more than n pieces were needed */
};

/*
 * ipfrag_split() - cut b's IPv4 packet (b->len is its total length, DF
 * clear) into fragments of at most mtu bytes.  b keeps the first, with every
 * option; the others, each with the options RFC 791 says to copy, go into
 * buffers taken from pool and stored in out[0..n).  A fragment cut again
 * keeps its offset and its MF on the last piece.  Returns the number of
 * out[] buffers used (0: it fits already), or an ipfrag_err with b unchanged
 * and nothing taken from pool.
 */
int ipfrag_split(struct pktbuf *b, unsigned mtu, struct pktpool *pool, struct pktbuf **out,
		 unsigned n);

#endif
