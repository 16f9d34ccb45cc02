/* SPDX-License-Identifier: MIT */
/* gro.h - write a burst of IPv4 packets to a TUN or tap with a virtio-net header, coalescing TCP runs. */
#ifndef SPAT_GRO_H
#define SPAT_GRO_H

#include "burst.h"
#include "eth.h"
#include "pktbuf.h"
#include "vnet.h"

/*
 * Theory of operation: a TUN opened with IFF_VNET_HDR accepts a write of
 * one TCP packet of up to 64 KB marked for segmentation (GSO), which the
 * kernel forwards as one unit and cuts into MSS-sized segments only where
 * it has to.  gro_write() looks for runs of packets in a burst that a NIC's
 * receive offload would merge: the same TCP flow, in sequence, same IP and
 * TCP header fields (options included), plain ACK (PSH only on the last),
 * every segment of the first one's size but the last; and writes each run
 * as one such packet (the run's header built in a scratch area, the
 * payloads gathered from their buffers by one writev) instead of one write
 * a segment.  Anything else is written as it is, with an all-zero header.
 * A tap takes Ethernet frames the same way (gro_write_eth()): the frames of
 * a run must also carry the same Ethernet header.
 */

/* Scratch space gro_write() needs: a virtio-net header, Ethernet, IPv4 (no options) and TCP headers. */
struct gro_buf {
	uint8_t buf[VNET_HDR_LEN + ETH_HLEN_ + 20 + 60];
};

/*
 * gro_write() - write the n bare IPv4 packets of pkts, in order, to fd (a
 * TUN with a virtio-net header); c counts each packet (pkts) and its bytes,
 * or its drop, as if it had been written alone.  Returns how many GSO
 * packets (coalesced runs) were written.
 */
unsigned gro_write(int fd, struct pktbuf **pkts, unsigned n, struct gro_buf *g,
		   const struct burst_ctr *c);
/* gro_write_eth() - gro_write() for Ethernet/IPv4 frames to a tap with a virtio-net header. */
unsigned gro_write_eth(int fd, struct pktbuf **pkts, unsigned n, struct gro_buf *g,
		       const struct burst_ctr *c);

#endif
