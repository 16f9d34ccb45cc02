/* SPDX-License-Identifier: MIT */
/* vnet.h - frames read from a tap or TUN with a virtio-net header: checksum completion, TSO split. */
#ifndef SPAT_VNET_H
#define SPAT_VNET_H

#include <stdbool.h>
#include <stdint.h>

#include "pktbuf.h"

/*
 * Theory of operation: a tap opened with IFF_VNET_HDR and offloads
 * (TUNSETOFFLOAD: checksum, TSO over IPv4) lets the guest's kernel hand us
 * one frame of up to 64 KB where it would have sent 45 MTU-sized ones, and
 * leave the TCP/UDP checksum to be done (VIRTIO_NET_HDR_F_NEEDS_CSUM).
 * Every read then starts with a 10-byte struct virtio_net_hdr.  The rest of
 * the daemon wants ordinary, complete packets, so a frame is read into one
 * scratch area (vnet_rx), parsed by vnet_start(), and handed out by
 * vnet_next() as ordinary frames in pool buffers: a TSO frame as its MSS-sized
 * TCP segments (what the guest's NIC would have put on the wire: IP ids
 * counting up, sequence numbers advancing, FIN/PSH on the last segment
 * only, CWR on the first only, every checksum complete), any other frame
 * as it is with its checksum completed when it was left partial.  Each
 * segment carries its frame's serial and its index in it (pktbuf.frame,
 * .seg), so that a caller may decide the first and reuse that decision for
 * the rest: their headers are the first's but for length, IP id, sequence
 * number, flags and checksums.  A TUN device hands out bare IPv4 packets
 * the same way (vnet_rx.bare_ip).
 */

#define VNET_HDR_LEN 10                  /* struct virtio_net_hdr */
#define VNET_FRAME_MAX (65535 + 14)      /* an IPv4 packet of 64 KB in Ethernet */

/* A frame read from a tap, and where its splitting has got to. */
struct vnet_rx {
	uint32_t len;            /* frame bytes after the virtio header; 0: nothing pending */
	uint32_t off;            /* offset in the frame of the next segment's payload */
	uint32_t seg;            /* segments handed out so far */
	uint32_t frame;          /* serial of the pending TSO frame, never 0: marks its segments */
	uint16_t gso_size;       /* payload bytes a segment (TSO), 0: not split */
	uint16_t l3, l4, hlen;   /* offsets of IPv4 and TCP/UDP headers; header bytes */
	uint16_t csum_at;        /* offset of a checksum to complete, 0: none */
	uint16_t csum_start;     /* where that checksum's sum starts */
	bool bare_ip;            /* set by the owner: frames are IPv4 packets (TUN), not Ethernet */
	uint64_t tso_frames;     /* TSO frames accepted for splitting, ever */
	uint8_t buf[VNET_HDR_LEN + VNET_FRAME_MAX];
};

/*
 * vnet_start() - parse the n bytes read into rx->buf (header and frame).
 * 0 when the frame is pending for vnet_next(); -1 when it is malformed or
 * asks for an offload we did not offer (the caller counts a drop).
 */
int vnet_start(struct vnet_rx *rx, uint32_t n);
/*
 * vnet_next() - copy the next packet of the pending frame into b (reset,
 * at its headroom).  1 when b holds one, 0 when the frame is done (b
 * untouched), -1 when a segment does not fit a buffer (the rest of the
 * frame is dropped; the caller counts it).
 */
int vnet_next(struct vnet_rx *rx, struct pktbuf *b);
/* vnet_discard() - forget the pending frame (its remaining packets are dropped). */
static inline void vnet_discard(struct vnet_rx *rx)
{
	rx->len = 0;
}
/* vnet_pending() - true while vnet_next() has packets to give. */
static inline bool vnet_pending(const struct vnet_rx *rx)
{
	return rx->len != 0;
}

#endif
