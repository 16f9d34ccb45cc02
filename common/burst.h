/* SPDX-License-Identifier: MIT */
/* burst.h - the I/O steps of a burst shared by both daemons: fill, read, send, write, release. */
#ifndef SPAT_BURST_H
#define SPAT_BURST_H

#include <stdint.h>

#include "pktbuf.h"

/* Where a burst's sends and writes are counted (the daemon's own counters). */
struct burst_ctr {
	uint64_t *pkts, *bytes, *drops;
};

/* burst_fill() - take up to n empty buffers from pp into b (for a batched receive). */
void burst_fill(struct pktpool *pp, struct burst *b, unsigned n);
/*
 * burst_read() - read up to n packets from a TUN/TAP fd into b, one read()
 * each, until the fd is drained.  Returns 0, or -errno of a read error
 * other than EAGAIN/EINTR (the caller logs it).
 */
int burst_read(struct pktpool *pp, int fd, struct burst *b, unsigned n);
/* burst_put() - give every buffer of b back to pp and empty b. */
void burst_put(struct pktpool *pp, struct burst *b);
/* burst_send() - send b's built packets on the raw socket fd with sendmmsg; count. */
void burst_send(int fd, struct burst *b, const struct burst_ctr *c);
/* burst_write() - write one packet to a TUN/TAP fd; count it or its drop. */
void burst_write(int fd, const struct pktbuf *p, const struct burst_ctr *c);

#endif
