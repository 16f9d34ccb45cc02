/* SPDX-License-Identifier: MIT */
/* udpgso.h - tunnel sending with UDP segmentation offload: a UDP socket per outer source port. */
#ifndef SPAT_UDPGSO_H
#define SPAT_UDPGSO_H

#include <stdint.h>

#include "burst.h"
#include "pktbuf.h"

/*
 * Theory of operation: the raw socket (udpio_raw()) costs one trip through
 * the kernel's IP, bridge and UDP code per datagram.  With UDP_SEGMENT
 * (Linux 4.18), one send of up to 64 KB is cut into equal datagrams only
 * where it has to be (the NIC, or not at all on veth, where a receiver with
 * UDP_GRO takes it whole), the way a TSO frame travels.  A UDP socket
 * sends from one source port only, and the outer source port carries the
 * flow's hash for ECMP (RFC 8926 s3.3), so udpgso keeps a set of UDP
 * sockets bound to the local address and kernel-chosen ports, and a flow
 * hash picks one of them: udpgso_sport() is the source port of a flow,
 * whichever socket a packet leaves by.
 *
 * udpgso_send() takes a burst of packets built by udpio_encap() (outer
 * IPv4 and UDP headers in front, which the raw socket sends as they are
 * and a UDP socket does not need) and sends each run of consecutive
 * packets to the same edge from the same source port, all of one size but
 * the last, as one UDP_SEGMENT send on that port's socket; every other
 * packet through the raw socket, in one sendmmsg.  Packets leave in burst
 * order, so a flow is never reordered.  When the kernel has no UDP_SEGMENT,
 * or refuses one send (a route whose MTU is smaller than a segment), the
 * packets go through the raw socket as before.
 *
 * The GSO sends carry a UDP checksum (UDP_SEGMENT needs one; the device
 * completes it) and, as the raw socket's packets, no DF bit: the tunnel's
 * MTU is hostd's concern (tunmtu.c), not the kernel's path MTU discovery.
 */

#define UDPGSO_SOCKS 64          /* outer source ports a host sends from */
#define UDPGSO_MAX_SEGS 64       /* datagrams per send (UDP_MAX_SEGMENTS of Linux < 6.3) */
#define UDPGSO_MAX_BYTES 65000   /* UDP payload bytes per send: one IPv4 datagram's worth */

struct udpgso_out;

struct udpgso {
	struct udpgso_out *out;           /* messages being gathered for one sendmmsg */
	int raw;                          /* the raw socket (not owned) */
	int fd[UDPGSO_SOCKS];             /* UDP sockets, bound to local:port[i] */
	uint16_t port[UDPGSO_SOCKS];
	unsigned n;                       /* sockets open: 0 when there is no UDP_SEGMENT */
	uint64_t sends, segs, fallbacks;  /* GSO sends, datagrams in them, sends given to raw */
};

/*
 * udpgso_open() - set g up to send through raw and, when the kernel has
 * UDP_SEGMENT, through UDPGSO_SOCKS UDP sockets bound to local (host
 * order) with sndbuf bytes of buffer.  Returns the number of UDP sockets
 * (0: raw only, and *why says why: -errno), or -errno (raw is bad, or no
 * memory).  udpgso_close() undoes it.
 */
int udpgso_open(struct udpgso *g, int raw, uint32_t local, int sndbuf, int *why);
/*
 * udpgso_start() - udpgso_open() for a daemon: logs when the kernel has no
 * UDP_SEGMENT (raw sends only) and exits on any other failure.
 */
void udpgso_start(struct udpgso *g, int raw, uint32_t local, int sndbuf);
/* udpgso_close() - close the UDP sockets (not the raw socket). */
void udpgso_close(struct udpgso *g);

/* udpgso_sport() - the outer source port of a flow with hash h. */
uint16_t udpgso_sport(const struct udpgso *g, uint32_t h);

/*
 * udpgso_send() - send the n packets of bufs (built by udpio_encap(), with
 * a source port from udpgso_sport()) in order; count every packet in c:
 * sent (pkts, and bytes of the whole outer packet) or dropped.
 */
void udpgso_send(struct udpgso *g, struct pktbuf **bufs, unsigned n, const struct burst_ctr *c);

#endif
