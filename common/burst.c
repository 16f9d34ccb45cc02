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

/* Whether this read may stop after one frame: sparse traffic, and no burst just seen. */
static bool burst_sparse(const struct burst_pace *pc)
{
	return pc && pc->lone >= BURST_LONE && pc->stopped + 1 != *pc->turn;
}

/*
 * Note what a read found: frames read, whether it stopped early (sparse),
 * whether it ended on an empty fd (rather than a full burst or an error).
 */
static void burst_paced(struct burst_pace *pc, unsigned frames, bool sparse, bool empty)
{
	if (!pc)
		return;
	if (sparse) {
		if (frames)
			pc->stopped = *pc->turn;
	} else if (!empty || frames > 1) {
		pc->lone = 0;
	} else if (frames == 1 && pc->lone < BURST_LONE) {
		pc->lone++;
	}
}

/* Read's outcome: 0 for an empty fd (EAGAIN, EINTR, nothing), else -errno. */
static int burst_read_err(ssize_t got)
{
	int err = got < 0 ? errno : 0;

	return err && err != EAGAIN && err != EINTR ? -err : 0;
}

/* burst_read() - drain up to n packets (or one, while sparse) from a TUN/TAP fd into b. */
int burst_read(struct pktpool *pp, int fd, struct burst *b, unsigned n, struct burst_pace *pc)
{
	bool sparse = burst_sparse(pc);
	unsigned frames = 0;

	if (n > BURST_MAX)
		n = BURST_MAX;
	while (b->n < n && !(sparse && frames)) {
		struct pktbuf *p = pktpool_get(pp);
		ssize_t got;
		int err;

		if (!p)
			break;
		got = read(fd, p->data, pktbuf_room(p));
		if (got <= 0) {
			pktpool_put(pp, p);
			err = burst_read_err(got);
			burst_paced(pc, frames, sparse, !err);
			return err;
		}
		p->len = (uint32_t)got;
		b->pkt[b->n++] = p;
		frames++;
	}
	burst_paced(pc, frames, sparse, false);
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
		    bool more, uint64_t *drops, struct burst_pace *pc)
{
	bool sparse = more && burst_sparse(pc);
	unsigned frames = 0;

	if (n > BURST_MAX)
		n = BURST_MAX;
	burst_drain_vnet(pp, rx, b, n, drops);
	while (more && b->n < n && !vnet_pending(rx) && !(sparse && frames)) {
		ssize_t got = read(fd, rx->buf, sizeof(rx->buf));

		if (got <= 0) {
			int err = burst_read_err(got);

			burst_paced(pc, frames, sparse, !err);
			return err;
		}
		frames++;
		if (vnet_start(rx, (uint32_t)got) < 0) {
			(*drops)++;
			continue;
		}
		burst_drain_vnet(pp, rx, b, n, drops);
	}
	if (more)
		burst_paced(pc, frames, sparse, false);
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
