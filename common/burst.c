// SPDX-License-Identifier: MIT
/* burst.c - the I/O steps of a burst shared by both daemons: fill, read, send, write, release. */
#include <errno.h>
#include <sys/uio.h>
#include <unistd.h>

#include "burst.h"
#include "udpio.h"

/* burst_fill() - take up to n empty buffers from pp into b. */
void burst_fill(struct pktpool *pp, struct burst *b, unsigned n)
{
	struct pktbuf *p;

	if (n > BURST_MAX)
		n = BURST_MAX;
	while (b->n < n && (p = pktpool_get(pp)))
		b->pkt[b->n++] = p;
}

/* burst_read() - drain up to n packets from a TUN/TAP fd into b. */
int burst_read(struct pktpool *pp, int fd, struct burst *b, unsigned n)
{
	if (n > BURST_MAX)
		n = BURST_MAX;
	while (b->n < n) {
		struct pktbuf *p = pktpool_get(pp);
		ssize_t got;

		if (!p)
			break;
		got = read(fd, p->data, pktbuf_room(p));
		if (got <= 0) {
			int err = got < 0 ? errno : 0;

			pktpool_put(pp, p);
			return err && err != EAGAIN && err != EINTR ? -err : 0;
		}
		p->len = (uint32_t)got;
		b->pkt[b->n++] = p;
	}
	return 0;
}

/* Hand out the pending frame's packets into b while there is room; count what cannot go. */
static void burst_drain_vnet(struct pktpool *pp, struct vnet_rx *rx, struct burst *b, unsigned n,
			     uint64_t *drops)
{
	while (b->n < n && vnet_pending(rx)) {
		struct pktbuf *p = pktpool_get(pp);
		int r;

		if (!p)
			return;
		r = vnet_next(rx, p);
		if (r == 1) {
			b->pkt[b->n++] = p;
			continue;
		}
		pktpool_put(pp, p);
		if (r < 0)
			(*drops)++;
	}
}

/* burst_read_vnet() - packets of the pending frame, then (if more) frames read from fd, into b. */
int burst_read_vnet(struct pktpool *pp, int fd, struct vnet_rx *rx, struct burst *b, unsigned n,
		    bool more, uint64_t *drops)
{
	if (n > BURST_MAX)
		n = BURST_MAX;
	burst_drain_vnet(pp, rx, b, n, drops);
	while (more && b->n < n && !vnet_pending(rx)) {
		ssize_t got = read(fd, rx->buf, sizeof(rx->buf));

		if (got <= 0) {
			int err = got < 0 ? errno : 0;

			return err && err != EAGAIN && err != EINTR ? -err : 0;
		}
		if (vnet_start(rx, (uint32_t)got) < 0) {
			(*drops)++;
			continue;
		}
		burst_drain_vnet(pp, rx, b, n, drops);
	}
	return 0;
}

/* burst_put() - give b's buffers back. */
void burst_put(struct pktpool *pp, struct burst *b)
{
	for (unsigned i = 0; i < b->n; i++)
		pktpool_put(pp, b->pkt[i]);
	b->n = 0;
}

/* burst_send() - one sendmmsg round for b; what the kernel refused is a counted drop. */
void burst_send(int fd, struct burst *b, const struct burst_ctr *c)
{
	int sent = b->n ? udpio_send(fd, b->pkt, b->n) : 0;

	for (int i = 0; i < sent; i++) {
		(*c->pkts)++;
		*c->bytes += b->pkt[i]->len;
	}
	*c->drops += b->n - (unsigned)sent;
}

/* burst_write() - one packet to a TUN/TAP fd. */
void burst_write(int fd, const struct pktbuf *p, const struct burst_ctr *c)
{
	if (write(fd, p->data, p->len) == (ssize_t)p->len) {
		(*c->pkts)++;
		*c->bytes += p->len;
	} else {
		(*c->drops)++;
	}
}

/* burst_write_vnet() - one packet to a tap opened with IFF_VNET_HDR: an all-zero header first. */
void burst_write_vnet(int fd, const struct pktbuf *p, const struct burst_ctr *c)
{
	static const uint8_t hdr[VNET_HDR_LEN];  /* complete packet: no GSO, checksum done */
	struct iovec iov[2] = {
		{ .iov_base = (void *)hdr, .iov_len = sizeof(hdr) },
		{ .iov_base = p->data, .iov_len = p->len },
	};

	if (writev(fd, iov, 2) == (ssize_t)(sizeof(hdr) + p->len)) {
		(*c->pkts)++;
		*c->bytes += p->len;
	} else {
		(*c->drops)++;
	}
}
