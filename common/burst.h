/* SPDX-License-Identifier: MIT */
/* burst.h - the I/O steps of a burst shared by both daemons: fill, read, send, write, release. */
#ifndef SPAT_BURST_H
#define SPAT_BURST_H

#include <stdbool.h>
#include <stdint.h>

#include "pktbuf.h"
#include "vnet.h"

/* Where a burst's sends and writes are counted (the daemon's own counters). */
struct burst_ctr {
	uint64_t *pkts, *bytes, *drops;
};

/*
 * The pace of one TUN/TAP fd's reads.  Draining a fd ends with a read that
 * finds it empty: a system call per pick-up that, where packets come one at
 * a time (a ping, a request), costs as much as the read that got the packet.
 * Once BURST_LONE drains in a row found one frame each, a read stops after
 * its first frame and leaves any rest to the loop's level-triggered poll; a
 * fd found readable again in the very next loop turn is read in full again.
 */
#define BURST_LONE 2

struct burst_pace {
	const uint64_t *turn;    /* the event loop's turn count (struct evloop) */
	uint64_t stopped;        /* the turn whose read stopped after one frame */
	uint8_t lone;            /* drains in a row that found one frame (up to BURST_LONE) */
};

/* burst_fill() - take up to n empty buffers from pp into b (for a batched receive). */
void burst_fill(struct pktpool *pp, struct burst *b, unsigned n);
/*
 * burst_read() - read up to n packets from a TUN/TAP fd into b, one read()
 * each, until the fd is drained, or only one while pc says traffic is
 * sparse (pc NULL: always drain).  Returns 0, or -errno of a read error
 * other than EAGAIN/EINTR (the caller logs it).
 */
int burst_read(struct pktpool *pp, int fd, struct burst *b, unsigned n, struct burst_pace *pc);
/*
 * burst_read_vnet() - for a tap or TUN with a virtio-net header: first the
 * packets still pending in rx (the rest of a split TSO frame), then, if more, read
 * frames from fd (one read() each, up to 64 KB) and split them, until b has
 * n packets, the fd is drained, a frame is left pending for the next call,
 * or pc says traffic is sparse and one frame was read (pc NULL: never).
 * Frames vnet.c refuses and segments too big for a buffer are added to
 * *drops.  Returns 0, or -errno of a read error other than EAGAIN/EINTR.
 */
int burst_read_vnet(struct pktpool *pp, int fd, struct vnet_rx *rx, struct burst *b, unsigned n,
		    bool more, uint64_t *drops, struct burst_pace *pc);
/* burst_put() - give every buffer of b back to pp and empty b. */
void burst_put(struct pktpool *pp, struct burst *b);
/* burst_send() - send b's built packets on the raw socket fd with sendmmsg; count. */
void burst_send(int fd, struct burst *b, const struct burst_ctr *c);
/* burst_write() - write one packet to a TUN/TAP fd; count it or its drop. */
void burst_write(int fd, const struct pktbuf *p, const struct burst_ctr *c);
/* burst_write_vnet() - burst_write() to a tap with a virtio-net header (all zero: a plain frame). */
void burst_write_vnet(int fd, const struct pktbuf *p, const struct burst_ctr *c);

#endif
