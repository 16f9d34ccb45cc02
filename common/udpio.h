/* SPDX-License-Identifier: MIT */
/* udpio.h - batched tunnel I/O: recvmmsg on a UDP socket, sendmmsg of built IPv4/UDP. */
#ifndef SPAT_UDPIO_H
#define SPAT_UDPIO_H

#include <stddef.h>
#include <stdint.h>

#include "pktbuf.h"

#define UDPIO_OUTER_LEN 28       /* IPv4 (20) + UDP (8) */

/*
 * Receiving: a plain UDP socket bound to the Geneve port.  Sending: a raw
 * IPv4 socket (IP_HDRINCL), because the outer UDP source port must be a
 * hash of the inner flow (RFC 8926 s3.3) and a bound UDP socket cannot vary
 * it per packet.  The outer UDP checksum is 0, as RFC 8926 allows on IPv4.
 */

/* udpio_listen() - non-blocking UDP socket bound to addr:port (host order), or -errno. */
int udpio_listen(uint32_t addr, uint16_t port, int rcvbuf);
/* udpio_raw() - non-blocking raw IPv4 sending socket, or -errno. */
int udpio_raw(int sndbuf);

/*
 * udpio_recv() - receive up to n datagrams into bufs (taken from their
 * headroom), with peer/peer_port set.  Returns the count (0 when nothing is
 * waiting) or -errno.
 */
int udpio_recv(int fd, struct pktbuf **bufs, unsigned n);

/*
 * udpio_encap() - prepend outer IPv4 and UDP headers to b (which already
 * carries the Geneve header): src -> dst (host order), ports sport -> dport.
 * Returns 0, or -1 if the headroom is short.  Sets b->peer = dst.
 */
int udpio_encap(struct pktbuf *b, uint32_t src, uint32_t dst, uint16_t sport, uint16_t dport);

/*
 * udpio_send() - send n built packets (udpio_encap()) on the raw socket with
 * one sendmmsg per BURST_MAX.  Returns the number the kernel took; packets
 * past that were dropped (the caller counts them).
 */
int udpio_send(int fd, struct pktbuf **bufs, unsigned n);

#endif
