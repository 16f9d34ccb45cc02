// SPDX-License-Identifier: MIT
/* vnet.c - tap or TUN frames with a virtio-net header: complete partial checksums, split TSO frames. */
#include <arpa/inet.h>
#include <linux/virtio_net.h>
#include <string.h>

#include "be.h"
#include "csum.h"
#include "eth.h"
#include "vnet.h"

_Static_assert(sizeof(struct virtio_net_hdr) == VNET_HDR_LEN, "virtio_net_hdr is 10 bytes");

#define TCP_FIN 0x01
#define TCP_PSH 0x08
#define TCP_CWR 0x80

/* Bytes in front of the IPv4 header: an Ethernet header, or none on a TUN. */
static uint32_t vnet_l2(const struct vnet_rx *rx)
{
	return rx->bare_ip ? 0 : ETH_HLEN_;
}

/* Where the IPv4 and TCP headers of a TSO frame are; -1 unless it is plain (Ethernet/)IPv4/TCP. */
static int vnet_tso_parse(struct vnet_rx *rx, const uint8_t *f, uint32_t len)
{
	uint32_t l2 = vnet_l2(rx), ihl, doff;

	if (len < l2 + 20 || (l2 && be16(f + 12) != ETHT_IPV4))
		return -1;
	ihl = (f[l2] & 0x0fu) * 4;
	if ((f[l2] >> 4) != 4 || ihl < 20 || f[l2 + 9] != 6 ||
	    (be16(f + l2 + 6) & 0x3fff) || len < l2 + ihl + 20)
		return -1;           /* not IPv4/TCP, or a fragment */
	doff = (uint32_t)(f[l2 + ihl + 12] >> 4) * 4;
	if (doff < 20 || len <= l2 + ihl + doff)
		return -1;           /* no payload to split */
	rx->l3 = (uint16_t)l2;
	rx->l4 = (uint16_t)(l2 + ihl);
	rx->hlen = (uint16_t)(l2 + ihl + doff);
	return 0;
}

/* vnet_start() - parse the n bytes read into rx->buf; 0: pending, -1: drop it. */
int vnet_start(struct vnet_rx *rx, uint32_t n)
{
	const uint8_t *f = rx->buf + VNET_HDR_LEN;
	struct virtio_net_hdr h;
	uint32_t len;

	rx->len = 0;
	if (n < VNET_HDR_LEN + (rx->bare_ip ? 20 : ETH_HLEN_) || n > sizeof(rx->buf))
		return -1;
	memcpy(&h, rx->buf, sizeof(h));
	len = n - VNET_HDR_LEN;
	rx->csum_at = 0;
	rx->gso_size = 0;
	if (h.flags & VIRTIO_NET_HDR_F_NEEDS_CSUM) {
		/* Native byte order: the tap was not switched to little/big endian. */
		if (h.csum_start < vnet_l2(rx) + 20 || (uint32_t)h.csum_start + h.csum_offset + 2 > len)
			return -1;
		rx->csum_start = h.csum_start;
		rx->csum_at = (uint16_t)(h.csum_start + h.csum_offset);
	}
	switch (h.gso_type) {
	case VIRTIO_NET_HDR_GSO_NONE:
		break;
	case VIRTIO_NET_HDR_GSO_TCPV4:
		/* Only TSO over IPv4 was offered (no ECN, UDP or IPv6 segmentation). */
		if (!h.gso_size || vnet_tso_parse(rx, f, len))
			return -1;
		rx->gso_size = h.gso_size;
		rx->off = rx->hlen;
		rx->seg = 0;
		rx->frame = rx->frame + 1 ? rx->frame + 1 : 1;
		rx->tso_frames++;
		break;
	default:
		return -1;
	}
	rx->len = len;
	return 0;
}

/* Copy a frame that is not split, completing its partial checksum. */
static int vnet_whole(struct vnet_rx *rx, struct pktbuf *b)
{
	const uint8_t *f = rx->buf + VNET_HDR_LEN;
	uint32_t len = rx->len;
	uint16_t c;

	rx->len = 0;
	if (len > pktbuf_room(b))
		return -1;
	memcpy(b->data, f, len);
	b->len = len;
	if (rx->csum_at) {
		/* The field holds the pseudo-header sum: summing over it completes it. */
		c = csum_fold(csum_partial(b->data + rx->csum_start, len - rx->csum_start, 0));
		if (!c && rx->csum_at == rx->csum_start + 6)
			c = 0xffff;      /* UDP: 0 would mean "no checksum" (RFC 768) */
		memcpy(b->data + rx->csum_at, &c, 2);
	}
	return 1;
}

/* The next TCP segment of a TSO frame, with its own IP length, id and checksums. */
static int vnet_segment(struct vnet_rx *rx, struct pktbuf *b)
{
	const uint8_t *f = rx->buf + VNET_HDR_LEN;
	uint32_t seglen = rx->len - rx->off, seq, sum, src, dst;
	uint8_t *ip, *tcp;
	uint16_t c, l4len;

	if (seglen > rx->gso_size)
		seglen = rx->gso_size;
	if (rx->hlen + seglen > pktbuf_room(b) || rx->hlen - rx->l3 + seglen > 65535) {
		rx->len = 0;
		return -1;
	}
	memcpy(b->data, f, rx->hlen);
	memcpy(b->data + rx->hlen, f + rx->off, seglen);
	b->len = rx->hlen + seglen;
	ip = b->data + rx->l3;
	tcp = b->data + rx->l4;
	be16_put(ip + 2, (uint16_t)(rx->hlen - rx->l3 + seglen));
	be16_put(ip + 4, (uint16_t)(be16(f + rx->l3 + 4) + rx->seg));
	memset(ip + 10, 0, 2);
	c = csum_fold(csum_partial(ip, rx->l4 - rx->l3, 0));
	memcpy(ip + 10, &c, 2);
	memcpy(&seq, tcp + 4, 4);
	seq = htonl(ntohl(seq) + (rx->off - rx->hlen));
	memcpy(tcp + 4, &seq, 4);
	b->frame = rx->frame;
	b->seg = rx->seg;
	rx->off += seglen;
	rx->seg++;
	if (rx->off < rx->len)
		tcp[13] &= (uint8_t)~(TCP_FIN | TCP_PSH);
	if (rx->seg > 1)
		tcp[13] &= (uint8_t)~TCP_CWR;
	l4len = (uint16_t)(b->len - rx->l4);
	memset(tcp + 16, 0, 2);
	memcpy(&src, ip + 12, 4);
	memcpy(&dst, ip + 16, 4);
	sum = csum_ip4_pseudo(src, dst, 6, htons(l4len));
	c = csum_fold(csum_partial(tcp, l4len, sum));
	memcpy(tcp + 16, &c, 2);
	if (rx->off >= rx->len)
		rx->len = 0;
	return 1;
}

/* vnet_next() - the next packet of the pending frame into b: 1, 0 when done, -1 on a drop. */
int vnet_next(struct vnet_rx *rx, struct pktbuf *b)
{
	if (!rx->len)
		return 0;
	return rx->gso_size ? vnet_segment(rx, b) : vnet_whole(rx, b);
}
