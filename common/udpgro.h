/* SPDX-License-Identifier: MIT */
/* udpgro.h - receiving tunnel datagrams the kernel coalesced (UDP_GRO), one per packet buffer. */
#ifndef SPAT_UDPGRO_H
#define SPAT_UDPGRO_H

#include <stdbool.h>
#include <stdint.h>

#include "pktbuf.h"

/*
 * Theory of operation: with UDP_GRO set on a socket (Linux 5.0), the kernel
 * hands over a run of datagrams of one sender and source port as one
 * buffer of up to 64 KB, every datagram the same size but the last, with
 * that size in a control message: one trip through the stack and one
 * receive for up to 64 datagrams instead of one each.  Senders using
 * UDP_SEGMENT (udpgso.c) reach us that way over veth without being cut,
 * and a NIC's GRO builds such runs too.  The rest of the daemon wants one
 * datagram a packet buffer, so udpgro receives into areas of 64 KB
 * (UDPGRO_SLOTS of them, one recvmmsg) and copies each datagram out into
 * a buffer; what does not fit the caller's burst stays pending for the
 * next call.  Without UDP_GRO it is udpio_recv(), straight into the
 * buffers.
 *
 * A caller that sets lend gets no copies: each buffer is lent its datagram
 * where it lies in the area (pktbuf.lent), which saves a copy of every
 * byte received.  Lent data stays valid until the udpgro_recv() call that
 * receives again, the first one made when nothing is pending; so every
 * buffer of a burst must be written out, dropped, or made to own its data
 * (pktbuf_own(), which any pktbuf_push() does first) before the next burst
 * is received.  Keeping a buffer longer (a held fragment) means copying it.
 */

#define UDPGRO_SLOTS 32          /* datagrams (or coalesced runs) per recvmmsg */
#define UDPGRO_SLOT 65536        /* the largest run: an IPv4 datagram's worth */

/* A run received and how far it has been handed out. */
struct udpgro_run {
	uint32_t len, off;       /* bytes received; offset of the next datagram */
	uint32_t peer;           /* sender (host order) */
	uint16_t peer_port;
	uint16_t seg;            /* datagram size in the run (0: one datagram) */
};

struct udpgro {
	uint8_t *area;           /* UDPGRO_SLOTS areas of UDPGRO_SLOT bytes; NULL: no UDP_GRO */
	struct udpgro_run run[UDPGRO_SLOTS];
	unsigned nrun, cur;      /* runs received; the one being handed out */
	bool lend;               /* set by the caller: lend datagrams in place, no copy */
};

/*
 * udpgro_init() - turn UDP_GRO on for fd and take the receive areas.
 * Returns 1 (on), 0 (the kernel has no UDP_GRO: plain receives), or
 * -ENOMEM.  udpgro_free() undoes it.
 */
int udpgro_init(struct udpgro *r, int fd);
/*
 * udpgro_start() - udpgro_init() for a daemon: logs when the kernel has no
 * UDP_GRO (plain receives) and exits when there is no memory.
 */
void udpgro_start(struct udpgro *r, int fd);
void udpgro_free(struct udpgro *r);

/*
 * udpgro_recv() - fill up to n of bufs with one datagram each (reset; the
 * datagram copied in at their headroom, or lent when lend is set; peer and
 * peer_port set): first what is pending, then, when nothing is, one
 * recvmmsg.  A datagram too big for a buffer, or a run too big for an
 * area, leaves a buffer with len 0 (the caller drops it as truncated).
 * Returns the count (0 when nothing is waiting) or -errno.
 */
int udpgro_recv(struct udpgro *r, int fd, struct pktbuf **bufs, unsigned n);

/* udpgro_discard() - drop what is pending; returns how many datagrams that was. */
unsigned udpgro_discard(struct udpgro *r);

/* udpgro_pending() - true while received datagrams wait for udpgro_recv(). */
static inline bool udpgro_pending(const struct udpgro *r)
{
	return r->cur < r->nrun;
}

#endif
