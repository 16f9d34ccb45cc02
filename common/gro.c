// SPDX-License-Identifier: MIT
/* gro.c - coalesce runs of one TCP flow's segments into one GSO write to a TUN or tap. */
#include <arpa/inet.h>
#include <linux/virtio_net.h>
#include <string.h>
#include <sys/uio.h>
#include <unistd.h>

#include "be.h"
#include "burst.h"
#include "csum.h"
#include "eth.h"
#include "gro.h"

#define GRO_MAX_SEGS 44          /* what the kernel's own GRO stops at: about 64 KB */
#define TCP_ACK 0x10
#define TCP_PSH 0x08


/*
 * TCP payload bytes of p if it is a candidate (IPv4 without options after
 * l2 bytes of Ethernet or none, TCP, no fragment), else 0.
 */
static uint32_t gro_payload(const struct pktbuf *p, uint32_t l2)
{
	const uint8_t *ip = p->data + l2;
	uint32_t doff;

	if (p->len < l2 + 40 || (l2 && be16(p->data + 12) != ETHT_IPV4))
		return 0;
	if (ip[0] != 0x45 || ip[9] != 6 || (be16(ip + 6) & 0x3fff) || be16(ip + 2) != p->len - l2)
		return 0;
	doff = (uint32_t)(ip[32] >> 4) * 4;
	if (doff < 20 || l2 + 20 + doff >= p->len)
		return 0;
	/* ACK, maybe PSH; nothing that ends, starts or signals (FIN, SYN, RST, URG, ECE, CWR). */
	if ((ip[33] & (uint8_t)~TCP_PSH) != TCP_ACK)
		return 0;
	return p->len - l2 - 20 - doff;
}

/* Whether q continues the run ending with last (same flow and headers, next in sequence). */
static bool gro_follows(const struct pktbuf *last, uint32_t last_pay, const struct pktbuf *q,
			uint32_t l2)
{
	const uint8_t *a = last->data + l2, *b = q->data + l2;
	uint32_t hl = last->len - last_pay - l2;

	if (q->len <= l2 + hl || (a[33] & TCP_PSH) || memcmp(last->data, q->data, l2))
		return false;
	/* TOS, flags/fragment, TTL, protocol, addresses; ports; ack and doff; window, urgent, options. */
	if (a[1] != b[1] || memcmp(a + 6, b + 6, 4) || memcmp(a + 12, b + 12, 8) ||
	    memcmp(a + 20, b + 20, 4) || memcmp(a + 28, b + 28, 5) || memcmp(a + 34, b + 34, 2) ||
	    memcmp(a + 38, b + 38, 2) || memcmp(a + 40, b + 40, hl - 40))
		return false;
	return be32(b + 24) == be32(a + 24) + last_pay;
}

/*
 * Write pkts[0..k) (a run, k >= 2) as one GSO packet: its header, built in
 * g, then each segment's payload where it lies, gathered by one writev.
 */
static unsigned gro_run(int fd, struct pktbuf **pkts, unsigned k, uint32_t mss, uint32_t l2,
			struct gro_buf *g, const struct burst_ctr *c)
{
	struct virtio_net_hdr h = { .flags = VIRTIO_NET_HDR_F_NEEDS_CSUM,
				    .gso_type = VIRTIO_NET_HDR_GSO_TCPV4,
				    .csum_start = (uint16_t)(l2 + 20), .csum_offset = 16 };
	struct iovec iov[GRO_MAX_SEGS + 1];
	uint8_t *ip = g->buf + VNET_HDR_LEN + l2;
	uint32_t hl = pkts[0]->len - mss, len = hl - l2, bytes = 0, src, dst;
	uint16_t v;

	memcpy(g->buf + VNET_HDR_LEN, pkts[0]->data, hl);
	iov[0] = (struct iovec){ g->buf, VNET_HDR_LEN + hl };
	for (unsigned i = 0; i < k; i++) {
		iov[i + 1] = (struct iovec){ pkts[i]->data + hl, pkts[i]->len - hl };
		len += pkts[i]->len - hl;
		bytes += pkts[i]->len;
	}
	ip[33] = pkts[k - 1]->data[l2 + 33];   /* PSH of the last segment, if any */
	h.hdr_len = (uint16_t)hl;
	h.gso_size = (uint16_t)mss;
	v = htons((uint16_t)len);
	memcpy(ip + 2, &v, 2);
	memset(ip + 10, 0, 2);
	v = csum_fold(csum_partial(ip, 20, 0));
	memcpy(ip + 10, &v, 2);
	/* Partial checksum: the pseudo header's sum, uncomplemented; the kernel adds the rest. */
	memcpy(&src, ip + 12, 4);
	memcpy(&dst, ip + 16, 4);
	v = (uint16_t)~csum_fold(csum_ip4_pseudo(src, dst, 6, htons((uint16_t)(len - 20))));
	memcpy(ip + 36, &v, 2);
	memcpy(g->buf, &h, sizeof(h));
	if (writev(fd, iov, (int)k + 1) == (ssize_t)(VNET_HDR_LEN + l2 + len)) {
		*c->pkts += k;
		*c->bytes += bytes;
		return 1;
	}
	*c->drops += k;
	return 0;
}

/*
 * Write pkts in order, runs of one TCP flow as one GSO packet each; l2:
 * Ethernet or none.  The number of GSO packets written.
 */
static unsigned gro_write_l2(int fd, struct pktbuf **pkts, unsigned n, uint32_t l2,
			     struct gro_buf *g, const struct burst_ctr *c)
{
	unsigned i = 0, k, runs = 0;
	uint32_t mss, pay, total;

	while (i < n) {
		mss = gro_payload(pkts[i], l2);
		k = 1;
		if (mss) {
			pay = mss;
			total = pkts[i]->len - l2;
			while (i + k < n && k < GRO_MAX_SEGS &&
			       gro_follows(pkts[i + k - 1], pay, pkts[i + k], l2)) {
				pay = gro_payload(pkts[i + k], l2);
				if (!pay || pay > mss || total + pay > 65535)
					break;
				total += pay;
				k++;
				if (pay < mss)
					break;       /* a short segment ends a run */
			}
		}
		if (k == 1)
			burst_write_vnet(fd, pkts[i], c);    /* as it is */
		else
			runs += gro_run(fd, pkts + i, k, mss, l2, g, c);
		i += k;
	}
	return runs;
}

/* gro_write() - write bare IPv4 packets to a TUN, runs of one TCP flow as one GSO packet each. */
unsigned gro_write(int fd, struct pktbuf **pkts, unsigned n, struct gro_buf *g,
		   const struct burst_ctr *c)
{
	return gro_write_l2(fd, pkts, n, 0, g, c);
}

/* gro_write_eth() - gro_write() for Ethernet frames to a tap. */
unsigned gro_write_eth(int fd, struct pktbuf **pkts, unsigned n, struct gro_buf *g,
		       const struct burst_ctr *c)
{
	return gro_write_l2(fd, pkts, n, ETH_HLEN_, g, c);
}
