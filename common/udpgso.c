// SPDX-License-Identifier: MIT
/* udpgso.c - tunnel sending with UDP segmentation offload: a UDP socket per outer source port. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/udp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "be.h"
#include "log.h"
#include "udpgso.h"
#include "udpio.h"

#ifndef UDP_SEGMENT
#define UDP_SEGMENT 103
#endif

/* One pending message: a raw packet, or a run of packets for one UDP_SEGMENT send. */
struct udpgso_msg {
	unsigned first, count;   /* packets of the burst it carries */
};

/* Messages queued for one socket, flushed with one sendmmsg. */
struct udpgso_out {
	int fd;                  /* -1: nothing queued */
	bool gso;
	unsigned n, niov;
	struct udpgso_msg m[BURST_MAX];
	struct mmsghdr mh[BURST_MAX];
	struct sockaddr_in to[BURST_MAX];
	struct iovec iov[BURST_MAX];
	union {
		char buf[CMSG_SPACE(sizeof(uint16_t))];
		struct cmsghdr align;
	} ctl[BURST_MAX];
};

static int udpgso_socket(uint32_t local, int sndbuf, uint16_t *port, bool probe)
{
	struct sockaddr_in sin = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(local) };
	socklen_t sl = sizeof(sin);
	int fd, err, v, small = 1;

	fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	/* The kernel has UDP_SEGMENT if it takes a size; 0 again: only sends that ask. */
	v = 1400;
	if (probe && (setsockopt(fd, SOL_UDP, UDP_SEGMENT, &v, sizeof(v)) < 0 ||
		      setsockopt(fd, SOL_UDP, UDP_SEGMENT, &(int){ 0 }, sizeof(int)) < 0))
		goto fail;
	/* As the raw socket's packets: no DF, TTL 64. */
	v = IP_PMTUDISC_DONT;
	if (setsockopt(fd, IPPROTO_IP, IP_MTU_DISCOVER, &v, sizeof(v)) < 0)
		goto fail;
	v = 64;
	if (setsockopt(fd, IPPROTO_IP, IP_TTL, &v, sizeof(v)) < 0)
		goto fail;
	if (sndbuf > 0)
		(void)setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &sndbuf, sizeof(sndbuf));
	/* Nothing is sent to these ports; bound what a stray datagram can hold. */
	(void)setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &small, sizeof(small));
	if (bind(fd, (struct sockaddr *)&sin, sizeof(sin)) < 0 ||
	    getsockname(fd, (struct sockaddr *)&sin, &sl) < 0)
		goto fail;
	*port = ntohs(sin.sin_port);
	return fd;
fail:
	err = errno;
	close(fd);
	return -err;
}

static void udpgso_close_udp(struct udpgso *g)
{
	for (unsigned i = 0; i < g->n; i++)
		close(g->fd[i]);
	g->n = 0;
}

/* udpgso_open() - the raw socket, and the UDP sockets when the kernel has UDP_SEGMENT. */
int udpgso_open(struct udpgso *g, int raw, uint32_t local, int sndbuf, int *why)
{
	memset(g, 0, sizeof(*g));
	g->raw = raw;
	*why = 0;
	if (raw < 0)
		return -EBADF;
	g->out = calloc(1, sizeof(*g->out));
	if (!g->out)
		return -ENOMEM;
	g->out->fd = -1;
	for (unsigned i = 0; i < UDPGSO_SOCKS; i++) {
		int fd = udpgso_socket(local, sndbuf, &g->port[i], i == 0);

		if (fd < 0) {
			*why = fd;
			udpgso_close_udp(g);
			return 0;
		}
		g->fd[i] = fd;
		g->n = i + 1;
	}
	return (int)g->n;
}

/* udpgso_start() - udpgso_open(), logging a missing UDP_SEGMENT and exiting on failure. */
void udpgso_start(struct udpgso *g, int raw, uint32_t local, int sndbuf)
{
	int why, n = udpgso_open(g, raw, local, sndbuf, &why);

	if (n < 0)
		fatalx("tunnel sockets: %s", strerror(-n));
	if (n == 0)
		log_info("tunnel: no UDP segmentation offload (%s); one send a datagram",
			 strerror(-why));
}

/* udpgso_close() - close the UDP sockets and free what udpgso_open() took. */
void udpgso_close(struct udpgso *g)
{
	udpgso_close_udp(g);
	free(g->out);
	g->out = NULL;
}

/* udpgso_sport() - a flow's outer source port: one of the sockets', or from the hash alone. */
uint16_t udpgso_sport(const struct udpgso *g, uint32_t h)
{
	/* The high bits: edges_pick() and the rule hash use the low ones. */
	if (!g || !g->n)
		return (uint16_t)(49152 + (h >> 18));
	return g->port[(h >> 18) % g->n];
}

/* The socket of a packet's source port, or -1 (not one of ours: send it raw). */
static int udpgso_fd_of(const struct udpgso *g, const struct pktbuf *b)
{
	uint16_t sport = be16(b->data + 20);

	for (unsigned i = 0; i < g->n; i++)
		if (g->port[i] == sport)
			return g->fd[i];
	return -1;
}

/* Whether b can follow a (the first of a run) in one UDP_SEGMENT send. */
static bool udpgso_same_way(const struct pktbuf *a, const struct pktbuf *b)
{
	/* Destination address and both ports: bytes 16-19 and 20-23 of the outer headers. */
	return b->len > UDPIO_OUTER_LEN && b->len <= a->len && memcmp(a->data + 16, b->data + 16, 8) == 0;
}

/* How many packets from bufs[i] make one send (1: send it raw). */
static unsigned udpgso_run(const struct pktbuf *const *bufs, unsigned i, unsigned n)
{
	const struct pktbuf *a = bufs[i];
	uint32_t seg = a->len - UDPIO_OUTER_LEN, total = seg;
	unsigned k = 1;

	if (a->len <= UDPIO_OUTER_LEN || a->data[0] != 0x45 || a->data[9] != IPPROTO_UDP)
		return 1;
	while (i + k < n && k < UDPGSO_MAX_SEGS && udpgso_same_way(a, bufs[i + k]) &&
	       total + bufs[i + k]->len - UDPIO_OUTER_LEN <= UDPGSO_MAX_BYTES) {
		uint32_t len = bufs[i + k]->len;

		total += len - UDPIO_OUTER_LEN;
		k++;
		if (len < a->len)
			break;  /* a shorter one ends a run */
	}
	return k;
}

static void udpgso_count(struct pktbuf **bufs, const struct udpgso_msg *m,
			 const struct burst_ctr *c)
{
	for (unsigned j = 0; j < m->count; j++) {
		(*c->pkts)++;
		*c->bytes += bufs[m->first + j]->len;
	}
}

/* Send what o holds; a GSO send the kernel refuses goes out raw instead. */
static void udpgso_flush(struct udpgso *g, struct udpgso_out *o, struct pktbuf **bufs,
			 const struct burst_ctr *c)
{
	unsigned done = 0;

	while (done < o->n) {
		int sent = sendmmsg(o->fd, o->mh + done, o->n - done, MSG_DONTWAIT);
		const struct udpgso_msg *m;

		for (int j = 0; j < sent; j++) {
			m = &o->m[done + (unsigned)j];
			udpgso_count(bufs, m, c);
			if (o->gso) {
				g->sends++;
				g->segs += m->count;
			}
		}
		if (sent > 0) {
			done += (unsigned)sent;
			continue;
		}
		m = &o->m[done];
		if (sent < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == ENOBUFS)) {
			/* The socket is full: what is left of the burst is dropped. */
			for (; done < o->n; done++)
				*c->drops += o->m[done].count;
			break;
		}
		if (o->gso) {
			/* Refused (EINVAL: a segment over the route's MTU; EIO: no checksum offload). */
			int ok = udpio_send(g->raw, bufs + m->first, m->count);
			struct udpgso_msg part = { m->first, (unsigned)ok };

			g->fallbacks++;
			udpgso_count(bufs, &part, c);
			*c->drops += m->count - (unsigned)ok;
		} else {
			/* One failing packet (no route, say) must not stall the rest. */
			*c->drops += m->count;
		}
		done++;
	}
	o->n = o->niov = 0;
	o->fd = -1;
}

/* Queue packets [first, first + count) as one message for fd. */
static void udpgso_queue(struct udpgso *g, struct udpgso_out *o, struct pktbuf **bufs, int fd,
			 unsigned first, unsigned count, const struct burst_ctr *c)
{
	const struct pktbuf *a = bufs[first];
	bool gso = fd != g->raw;
	struct msghdr *mh;
	unsigned skip = gso ? UDPIO_OUTER_LEN : 0;

	if (o->fd != fd || o->n == BURST_MAX || o->niov + count > BURST_MAX)
		udpgso_flush(g, o, bufs, c);
	o->fd = fd;
	o->gso = gso;
	o->m[o->n] = (struct udpgso_msg){ first, count };
	mh = &o->mh[o->n].msg_hdr;
	memset(mh, 0, sizeof(*mh));
	o->to[o->n] = (struct sockaddr_in){ .sin_family = AF_INET,
					    .sin_addr.s_addr = htonl(a->peer) };
	if (gso)
		o->to[o->n].sin_port = htons(be16(a->data + 22));
	mh->msg_name = &o->to[o->n];
	mh->msg_namelen = sizeof(o->to[o->n]);
	mh->msg_iov = &o->iov[o->niov];
	mh->msg_iovlen = count;
	for (unsigned j = 0; j < count; j++) {
		o->iov[o->niov].iov_base = bufs[first + j]->data + skip;
		o->iov[o->niov++].iov_len = bufs[first + j]->len - skip;
	}
	if (gso) {
		uint16_t size = (uint16_t)(a->len - UDPIO_OUTER_LEN);
		struct cmsghdr *cm;

		mh->msg_control = o->ctl[o->n].buf;
		mh->msg_controllen = sizeof(o->ctl[o->n].buf);
		cm = CMSG_FIRSTHDR(mh);
		cm->cmsg_level = SOL_UDP;
		cm->cmsg_type = UDP_SEGMENT;
		cm->cmsg_len = CMSG_LEN(sizeof(size));
		memcpy(CMSG_DATA(cm), &size, sizeof(size));
	}
	o->n++;
}

/* udpgso_send() - runs as UDP_SEGMENT sends, the rest raw, all in burst order. */
void udpgso_send(struct udpgso *g, struct pktbuf **bufs, unsigned n, const struct burst_ctr *c)
{
	struct udpgso_out *o = g->out;
	unsigned i = 0;

	while (i < n) {
		unsigned k = g->n ? udpgso_run((const struct pktbuf *const *)bufs, i, n) : 1;
		int fd = k > 1 ? udpgso_fd_of(g, bufs[i]) : g->raw;

		if (fd < 0) {
			fd = g->raw;
			k = 1;
		}
		udpgso_queue(g, o, bufs, fd, i, k, c);
		i += k;
	}
	udpgso_flush(g, o, bufs, c);
}
