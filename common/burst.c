// SPDX-License-Identifier: MIT
/* burst.c - the I/O steps of a burst shared by both daemons: fill, read, send, write, release. */
#include <errno.h>
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
