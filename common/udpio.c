// SPDX-License-Identifier: MIT
/* udpio.c - batched tunnel I/O: recvmmsg on the Geneve socket, sendmmsg on a raw socket. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "udpio.h"

static void udpio_bufsz(int fd, int opt, int size)
{
	/* Best effort: rmem_max/wmem_max may cap it; that is not fatal. */
	if (size > 0)
		(void)setsockopt(fd, SOL_SOCKET, opt, &size, sizeof(size));
}

/* udpio_listen() - non-blocking UDP socket bound to addr:port, or -errno. */
int udpio_listen(uint32_t addr, uint16_t port, int rcvbuf)
{
	struct sockaddr_in sin = { .sin_family = AF_INET };
	int fd, err;

	fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	udpio_bufsz(fd, SO_RCVBUF, rcvbuf);
	sin.sin_addr.s_addr = htonl(addr);
	sin.sin_port = htons(port);
	if (bind(fd, (struct sockaddr *)&sin, sizeof(sin)) < 0) {
		err = errno;
		close(fd);
		return -err;
	}
	return fd;
}

/* udpio_raw() - non-blocking raw IPv4 socket for sending built packets, or -errno. */
int udpio_raw(int sndbuf)
{
	int fd, one = 1, err;

	fd = socket(AF_INET, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, IPPROTO_RAW);
	if (fd < 0)
		return -errno;
	if (setsockopt(fd, IPPROTO_IP, IP_HDRINCL, &one, sizeof(one)) < 0) {
		err = errno;
		close(fd);
		return -err;
	}
	udpio_bufsz(fd, SO_SNDBUF, sndbuf);
	return fd;
}

/* udpio_recv() - receive up to n datagrams with one recvmmsg. */
int udpio_recv(int fd, struct pktbuf **bufs, unsigned n)
{
	struct mmsghdr msg[BURST_MAX];
	struct iovec iov[BURST_MAX];
	struct sockaddr_in from[BURST_MAX];
	int got;

	if (n > BURST_MAX)
		n = BURST_MAX;
	for (unsigned i = 0; i < n; i++) {
		iov[i].iov_base = bufs[i]->data;
		iov[i].iov_len = pktbuf_room(bufs[i]);
		memset(&msg[i].msg_hdr, 0, sizeof(msg[i].msg_hdr));
		msg[i].msg_hdr.msg_iov = &iov[i];
		msg[i].msg_hdr.msg_iovlen = 1;
		msg[i].msg_hdr.msg_name = &from[i];
		msg[i].msg_hdr.msg_namelen = sizeof(from[i]);
	}
	got = recvmmsg(fd, msg, n, MSG_DONTWAIT, NULL);
	if (got < 0)
		return (errno == EAGAIN || errno == EWOULDBLOCK) ? 0 : -errno;
	for (int i = 0; i < got; i++) {
		bufs[i]->len = msg[i].msg_len;
		/* A truncated datagram is longer than our buffers: mark it for a drop. */
		if (msg[i].msg_hdr.msg_flags & MSG_TRUNC)
			bufs[i]->len = 0;
		bufs[i]->peer = ntohl(from[i].sin_addr.s_addr);
		bufs[i]->peer_port = ntohs(from[i].sin_port);
	}
	return got;
}

/* udpio_encap() - prepend outer IPv4 and UDP headers (UDP checksum 0). */
int udpio_encap(struct pktbuf *b, uint32_t src, uint32_t dst, uint16_t sport, uint16_t dport)
{
	uint8_t *h = pktbuf_push(b, UDPIO_OUTER_LEN);
	uint16_t tot, ulen, w;
	uint32_t a;

	if (!h)
		return -1;
	tot = (uint16_t)b->len;
	ulen = (uint16_t)(b->len - 20);
	h[0] = 0x45;                         /* version 4, IHL 5 */
	h[1] = 0;                            /* DSCP/ECN */
	w = htons(tot);
	memcpy(h + 2, &w, 2);
	memset(h + 4, 0, 4);                 /* id 0 (kernel fills), no DF, offset 0 */
	h[8] = 64;                           /* TTL */
	h[9] = IPPROTO_UDP;
	memset(h + 10, 0, 2);                /* header checksum: kernel fills it */
	a = htonl(src);
	memcpy(h + 12, &a, 4);
	a = htonl(dst);
	memcpy(h + 16, &a, 4);
	w = htons(sport);
	memcpy(h + 20, &w, 2);
	w = htons(dport);
	memcpy(h + 22, &w, 2);
	w = htons(ulen);
	memcpy(h + 24, &w, 2);
	memset(h + 26, 0, 2);                /* UDP checksum 0: allowed over IPv4 */
	b->peer = dst;
	b->peer_port = dport;
	return 0;
}

/* udpio_send() - send n built packets with sendmmsg; returns how many went. */
int udpio_send(int fd, struct pktbuf **bufs, unsigned n)
{
	struct mmsghdr msg[BURST_MAX];
	struct iovec iov[BURST_MAX];
	struct sockaddr_in to[BURST_MAX];
	unsigned done = 0, ok = 0;

	while (done < n) {
		unsigned k = n - done > BURST_MAX ? BURST_MAX : n - done;
		int sent;

		for (unsigned i = 0; i < k; i++) {
			struct pktbuf *b = bufs[done + i];

			memset(&to[i], 0, sizeof(to[i]));
			to[i].sin_family = AF_INET;
			to[i].sin_addr.s_addr = htonl(b->peer);
			iov[i].iov_base = b->data;
			iov[i].iov_len = b->len;
			memset(&msg[i].msg_hdr, 0, sizeof(msg[i].msg_hdr));
			msg[i].msg_hdr.msg_iov = &iov[i];
			msg[i].msg_hdr.msg_iovlen = 1;
			msg[i].msg_hdr.msg_name = &to[i];
			msg[i].msg_hdr.msg_namelen = sizeof(to[i]);
		}
		sent = sendmmsg(fd, msg, k, MSG_DONTWAIT);
		if (sent <= 0) {
			/* One failing packet (e.g. no route) must not stall the rest. */
			if (sent < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != ENOBUFS) {
				done++;
				continue;
			}
			break;
		}
		done += (unsigned)sent;
		ok += (unsigned)sent;
	}
	return (int)ok;
}
