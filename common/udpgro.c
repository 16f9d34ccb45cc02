// SPDX-License-Identifier: MIT
/* udpgro.c - receiving tunnel datagrams the kernel coalesced (UDP_GRO), one per packet buffer. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/udp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>

#include "log.h"
#include "udpgro.h"
#include "udpio.h"

#ifndef UDP_GRO
#define UDP_GRO 104
#endif

#define UDPGRO_BYTES ((size_t)UDPGRO_SLOTS * UDPGRO_SLOT)

/* udpgro_init() - UDP_GRO on, and the areas (mapped: pages are used only when touched). */
int udpgro_init(struct udpgro *r, int fd)
{
	int one = 1;
	void *a;

	memset(r, 0, sizeof(*r));
	if (setsockopt(fd, SOL_UDP, UDP_GRO, &one, sizeof(one)) < 0)
		return 0;
	a = mmap(NULL, UDPGRO_BYTES, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (a == MAP_FAILED) {
		(void)setsockopt(fd, SOL_UDP, UDP_GRO, &(int){ 0 }, sizeof(int));
		return -ENOMEM;
	}
	r->area = a;
	return 1;
}

/* udpgro_start() - udpgro_init(), logging a missing UDP_GRO and exiting without memory. */
void udpgro_start(struct udpgro *r, int fd)
{
	int n = udpgro_init(r, fd);

	if (n < 0)
		fatalx("out of memory for the tunnel receive areas");
	if (n == 0)
		log_info("tunnel: no UDP receive offload (UDP_GRO); one receive a datagram");
}

/* udpgro_free() - give the areas back. */
void udpgro_free(struct udpgro *r)
{
	if (r->area)
		munmap(r->area, UDPGRO_BYTES);
	r->area = NULL;
	r->nrun = r->cur = 0;
}

/* The datagram size of a run: the UDP_GRO control message, or 0 (not coalesced). */
static uint16_t udpgro_seg(struct msghdr *mh)
{
	for (struct cmsghdr *c = CMSG_FIRSTHDR(mh); c; c = CMSG_NXTHDR(mh, c))
		if (c->cmsg_level == SOL_UDP && c->cmsg_type == UDP_GRO &&
		    c->cmsg_len >= CMSG_LEN(sizeof(int))) {
			int v;

			memcpy(&v, CMSG_DATA(c), sizeof(v));
			return v > 0 && v < 65536 ? (uint16_t)v : 0;
		}
	return 0;
}

/* One recvmmsg into the areas; the runs become pending. */
static int udpgro_fill(struct udpgro *r, int fd)
{
	struct mmsghdr msg[UDPGRO_SLOTS];
	struct iovec iov[UDPGRO_SLOTS];
	struct sockaddr_in from[UDPGRO_SLOTS];
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} ctl[UDPGRO_SLOTS];
	int got;

	for (unsigned i = 0; i < UDPGRO_SLOTS; i++) {
		iov[i].iov_base = r->area + (size_t)i * UDPGRO_SLOT;
		iov[i].iov_len = UDPGRO_SLOT;
		memset(&msg[i].msg_hdr, 0, sizeof(msg[i].msg_hdr));
		msg[i].msg_hdr.msg_iov = &iov[i];
		msg[i].msg_hdr.msg_iovlen = 1;
		msg[i].msg_hdr.msg_name = &from[i];
		msg[i].msg_hdr.msg_namelen = sizeof(from[i]);
		msg[i].msg_hdr.msg_control = ctl[i].buf;
		msg[i].msg_hdr.msg_controllen = sizeof(ctl[i].buf);
	}
	got = recvmmsg(fd, msg, UDPGRO_SLOTS, MSG_DONTWAIT, NULL);
	if (got < 0)
		return (errno == EAGAIN || errno == EWOULDBLOCK) ? 0 : -errno;
	for (int i = 0; i < got; i++) {
		struct udpgro_run *u = &r->run[i];

		u->len = msg[i].msg_len;
		u->off = 0;
		u->peer = ntohl(from[i].sin_addr.s_addr);
		u->peer_port = ntohs(from[i].sin_port);
		u->seg = udpgro_seg(&msg[i].msg_hdr);
		/* Cut short: no telling where its datagrams were; one truncated drop. */
		if (msg[i].msg_hdr.msg_flags & MSG_TRUNC)
			u->len = u->seg = 0;
	}
	r->nrun = (unsigned)got;
	r->cur = 0;
	return got;
}

/* Hand the next datagram of the current run to b: lent, or copied into it. */
static void udpgro_take(struct udpgro *r, struct pktbuf *b)
{
	struct udpgro_run *u = &r->run[r->cur];
	uint8_t *src = r->area + (size_t)r->cur * UDPGRO_SLOT + u->off;
	uint32_t len;

	pktbuf_reset(b);
	b->peer = u->peer;
	b->peer_port = u->peer_port;
	len = u->seg && u->seg < u->len - u->off ? u->seg : u->len - u->off;
	/* Lent or not, no larger than a buffer: pktbuf_own() must be able to copy it. */
	b->len = len <= pktbuf_room(b) ? len : 0;  /* 0: a truncated drop */
	if (b->len && r->lend) {
		b->data = src;
		b->lent = true;
	} else if (b->len) {
		memcpy(b->data, src, len);
	}
	u->off += len;
	if (u->off >= u->len) {
		r->cur++;
		if (r->cur == r->nrun)
			r->nrun = r->cur = 0;
	}
}

/* udpgro_recv() - pending datagrams first; one recvmmsg when there are none. */
int udpgro_recv(struct udpgro *r, int fd, struct pktbuf **bufs, unsigned n)
{
	unsigned k = 0;

	if (!r->area)
		return udpio_recv(fd, bufs, n);
	if (!n)
		return 0;
	if (!udpgro_pending(r)) {
		int got = udpgro_fill(r, fd);

		if (got <= 0)
			return got;
	}
	while (k < n && udpgro_pending(r))
		udpgro_take(r, bufs[k++]);
	return (int)k;
}

/* udpgro_discard() - forget the pending runs, counting their datagrams. */
unsigned udpgro_discard(struct udpgro *r)
{
	unsigned n = 0;

	for (; r->cur < r->nrun; r->cur++) {
		const struct udpgro_run *u = &r->run[r->cur];
		uint32_t left = u->len - u->off;

		n += u->seg ? (left + u->seg - 1) / u->seg : 1;
	}
	r->nrun = r->cur = 0;
	return n;
}
