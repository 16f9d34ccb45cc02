// SPDX-License-Identifier: MIT
/* test_udpio.c - unit tests for batched UDP receive, outer IPv4/UDP encapsulation and raw sends. */
#include <arpa/inet.h>
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "udpio.h"

#define LO 0x7f000001u
#define NBUF (BURST_MAX + 16)

static struct pktpool pool;
static struct pktbuf *bufs[NBUF];
static int lfd = -1;             /* udpio_listen() socket on 127.0.0.1:lport */
static uint16_t lport;
static int tx = -1;              /* plain UDP sender on 127.0.0.1:txport */
static uint16_t txport;

static void get_bufs(void)
{
	for (int i = 0; i < NBUF; i++) {
		bufs[i] = pktpool_get(&pool);
		ck_assert_ptr_nonnull(bufs[i]);
	}
}

static void put_bufs(void)
{
	for (int i = 0; i < NBUF; i++)
		if (bufs[i])
			pktpool_put(&pool, bufs[i]);
	memset(bufs, 0, sizeof(bufs));
}

static void setup(void)
{
	struct sockaddr_in sin = { .sin_family = AF_INET };
	socklen_t sl = sizeof(sin);

	ck_assert_int_eq(pktpool_init(&pool, NBUF), 0);
	get_bufs();
	srand((unsigned)getpid() ^ (unsigned)time(NULL));
	for (int i = 0; i < 50 && lfd < 0; i++) {
		lport = (uint16_t)(20000 + rand() % 40001);
		lfd = udpio_listen(LO, lport, 1 << 20);
		ck_assert_msg(lfd >= 0 || lfd == -EADDRINUSE, "udpio_listen: %s", strerror(-lfd));
	}
	ck_assert_int_ge(lfd, 0);

	tx = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	ck_assert_int_ge(tx, 0);
	sin.sin_addr.s_addr = htonl(LO);
	ck_assert_int_eq(bind(tx, (struct sockaddr *)&sin, sizeof(sin)), 0);
	ck_assert_int_eq(getsockname(tx, (struct sockaddr *)&sin, &sl), 0);
	txport = ntohs(sin.sin_port);
}

static void teardown(void)
{
	put_bufs();
	pktpool_destroy(&pool);
	close(lfd);
	close(tx);
	lfd = tx = -1;
}

/* Send len bytes of pattern c from the plain sender to the listening socket. */
static void send_dgram(char c, size_t len)
{
	struct sockaddr_in to = { .sin_family = AF_INET };
	static char data[4096];

	ck_assert_uint_le(len, sizeof(data));
	memset(data, c, len);
	to.sin_addr.s_addr = htonl(LO);
	to.sin_port = htons(lport);
	ck_assert_int_eq(sendto(tx, data, len, 0, (struct sockaddr *)&to, sizeof(to)),
			 (ssize_t)len);
}

/* Wait (1 s at most) until the listening socket is readable. */
static void wait_readable(void)
{
	struct pollfd p = { .fd = lfd, .events = POLLIN };

	ck_assert_int_eq(poll(&p, 1, 1000), 1);
}

/* Receive until want datagrams came, a few rounds at most; returns the count. */
static int recv_all(int want)
{
	int got = 0;

	for (int round = 0; round < 20 && got < want; round++) {
		int r;

		wait_readable();
		r = udpio_recv(lfd, bufs + got, (unsigned)(want - got));
		ck_assert_int_ge(r, 0);
		got += r;
	}
	return got;
}

static int is_all(const uint8_t *p, char c, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (p[i] != (uint8_t)c)
			return 0;
	return 1;
}

START_TEST(listen_socket)
{
	int fl = fcntl(lfd, F_GETFL);
	struct sockaddr_in sin;
	socklen_t sl = sizeof(sin);
	int fd;

	ck_assert_int_ne(fl, -1);
	ck_assert(fl & O_NONBLOCK);
	ck_assert(fcntl(lfd, F_GETFD) & FD_CLOEXEC);
	ck_assert_int_eq(getsockname(lfd, (struct sockaddr *)&sin, &sl), 0);
	ck_assert_uint_eq(ntohl(sin.sin_addr.s_addr), LO);
	ck_assert_uint_eq(ntohs(sin.sin_port), lport);

	/* The port is taken now; an address we do not have cannot be bound. */
	ck_assert_int_eq(udpio_listen(LO, lport, 0), -EADDRINUSE);
	fd = udpio_listen(0xc0000201u, lport, 0);              /* 192.0.2.1 */
	ck_assert_int_eq(fd, -EADDRNOTAVAIL);
}
END_TEST

START_TEST(recv_batch)
{
	static const size_t lens[3] = { 1, 100, PKTBUF_MTU };

	/* Nothing waiting: 0, not an error. */
	ck_assert_int_eq(udpio_recv(lfd, bufs, 8), 0);
	for (int i = 0; i < 3; i++)
		send_dgram((char)('a' + i), lens[i]);
	ck_assert_int_eq(recv_all(3), 3);
	for (int i = 0; i < 3; i++) {
		ck_assert_uint_eq(bufs[i]->len, lens[i]);
		ck_assert_ptr_eq(bufs[i]->data, bufs[i]->buf + PKTBUF_HEADROOM);
		ck_assert(is_all(bufs[i]->data, (char)('a' + i), lens[i]));
		ck_assert_uint_eq(bufs[i]->peer, LO);
		ck_assert_uint_eq(bufs[i]->peer_port, txport);
	}
	ck_assert_int_eq(udpio_recv(lfd, bufs, 8), 0);
}
END_TEST

/* No more than n per call, and no more than BURST_MAX whatever n is. */
START_TEST(recv_limits)
{
	int got;

	for (int i = 0; i < 5; i++)
		send_dgram('x', 10);
	wait_readable();
	ck_assert_int_eq(udpio_recv(lfd, bufs, 2), 2);
	ck_assert_int_eq(recv_all(3), 3);
	ck_assert_int_eq(udpio_recv(lfd, bufs, 0), 0);

	for (int i = 0; i < BURST_MAX + 6; i++)
		send_dgram('y', 20);
	wait_readable();
	got = udpio_recv(lfd, bufs, NBUF);
	ck_assert_int_eq(got, BURST_MAX);
	for (int i = 0; i < got; i++)
		ck_assert_uint_eq(bufs[i]->len, 20);
	ck_assert_int_eq(recv_all(6), 6);
	ck_assert_int_eq(udpio_recv(lfd, bufs, 8), 0);
}
END_TEST

/* A datagram longer than the buffer's room is marked for a drop (len 0). */
START_TEST(recv_truncated)
{
	send_dgram('t', PKTBUF_MTU + 1);
	send_dgram('u', 33);
	ck_assert_int_eq(recv_all(2), 2);
	ck_assert_uint_eq(bufs[0]->len, 0);
	ck_assert_uint_eq(bufs[0]->peer_port, txport);
	ck_assert_uint_eq(bufs[1]->len, 33);
	ck_assert(is_all(bufs[1]->data, 'u', 33));
}
END_TEST

START_TEST(recv_bad_fd)
{
	ck_assert_int_eq(udpio_recv(-1, bufs, 1), -EBADF);
}
END_TEST

static uint16_t be16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static uint32_t be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

START_TEST(encap_header)
{
	struct pktbuf *b = bufs[0];
	uint8_t *h;

	memset(b->data, 0xab, 30);
	b->len = 30;
	ck_assert_int_eq(udpio_encap(b, 0xc6120001u, 0xc6130002u, 49152, 6081), 0);
	h = b->data;
	ck_assert_ptr_eq(h, b->buf + PKTBUF_HEADROOM - UDPIO_OUTER_LEN);
	ck_assert_uint_eq(b->len, 30 + UDPIO_OUTER_LEN);
	ck_assert_uint_eq(h[0], 0x45);                  /* version 4, IHL 5 */
	ck_assert_uint_eq(h[1], 0);
	ck_assert_uint_eq(be16(h + 2), 58);             /* total length */
	ck_assert_uint_eq(be16(h + 4), 0);              /* id */
	ck_assert_uint_eq(be16(h + 6), 0);              /* flags, fragment offset */
	ck_assert_uint_eq(h[8], 64);                    /* TTL */
	ck_assert_uint_eq(h[9], 17);                    /* UDP */
	ck_assert_uint_eq(be16(h + 10), 0);
	ck_assert_uint_eq(be32(h + 12), 0xc6120001u);   /* 198.18.0.1 */
	ck_assert_uint_eq(be32(h + 16), 0xc6130002u);   /* 198.19.0.2 */
	ck_assert_uint_eq(be16(h + 20), 49152);
	ck_assert_uint_eq(be16(h + 22), 6081);
	ck_assert_uint_eq(be16(h + 24), 38);            /* UDP length */
	ck_assert_uint_eq(be16(h + 26), 0);             /* UDP checksum */
	ck_assert(is_all(h + UDPIO_OUTER_LEN, (char)0xab, 30));
	ck_assert_uint_eq(b->peer, 0xc6130002u);
	ck_assert_uint_eq(b->peer_port, 6081);

	/* An empty payload: lengths of the bare headers. */
	b = bufs[1];
	ck_assert_int_eq(udpio_encap(b, LO, LO, 1, 65535), 0);
	ck_assert_uint_eq(be16(b->data + 2), 28);
	ck_assert_uint_eq(be16(b->data + 24), 8);
	ck_assert_uint_eq(be16(b->data + 20), 1);
	ck_assert_uint_eq(be16(b->data + 22), 65535);

	/* The largest packet a buffer can hold. */
	b = bufs[2];
	b->len = PKTBUF_MTU;
	ck_assert_int_eq(udpio_encap(b, LO, LO, 1, 2), 0);
	ck_assert_uint_eq(be16(b->data + 2), PKTBUF_MTU + 28);
	ck_assert_uint_eq(be16(b->data + 24), PKTBUF_MTU + 8);
}
END_TEST

/* Short headroom: -1 and the buffer is unchanged. */
START_TEST(encap_no_headroom)
{
	struct pktbuf *b = bufs[0];
	uint8_t *data;

	b->len = 10;
	ck_assert_ptr_nonnull(pktbuf_push(b, PKTBUF_HEADROOM - UDPIO_OUTER_LEN + 1));
	data = b->data;
	ck_assert_int_eq(udpio_encap(b, LO, LO, 1000, 2000), -1);
	ck_assert_ptr_eq(b->data, data);
	ck_assert_uint_eq(b->len, 10 + PKTBUF_HEADROOM - UDPIO_OUTER_LEN + 1);
	ck_assert_uint_eq(b->peer, 0);
	ck_assert_uint_eq(b->peer_port, 0);

	/* Exactly enough headroom still works. */
	b = bufs[1];
	ck_assert_ptr_nonnull(pktbuf_push(b, PKTBUF_HEADROOM - UDPIO_OUTER_LEN));
	ck_assert_int_eq(udpio_encap(b, LO, LO, 1000, 2000), 0);
	ck_assert_ptr_eq(b->data, b->buf);
}
END_TEST

/* The raw socket, or -1 after a note when we may not open one. */
static int raw_or_skip(void)
{
	int fd = udpio_raw(1 << 20);

	if (fd == -EPERM || fd == -EACCES) {
		printf("test_udpio: raw sockets need CAP_NET_RAW: raw send test skipped\n");
		return -1;
	}
	ck_assert_msg(fd >= 0, "udpio_raw: %s", strerror(-fd));
	ck_assert(fcntl(fd, F_GETFL) & O_NONBLOCK);
	return fd;
}

/* Build in buf: payload of len bytes of c, outer 127.0.0.1:sport -> 127.0.0.1:lport. */
static void build(struct pktbuf *b, char c, size_t len, uint16_t sport)
{
	pktbuf_reset(b);
	memset(b->data, c, len);
	b->len = (uint32_t)len;
	ck_assert_int_eq(udpio_encap(b, LO, LO, sport, lport), 0);
}

START_TEST(raw_send)
{
	struct pktbuf *out[NBUF];
	struct pktpool txp;
	int fd = raw_or_skip();

	if (fd < 0)
		return;
	ck_assert_int_eq(pktpool_init(&txp, NBUF), 0);
	for (int i = 0; i < NBUF; i++)
		out[i] = pktpool_get(&txp);

	/* One packet: arrives with its payload and the chosen source port. */
	build(out[0], 'g', 50, 45000);
	ck_assert_int_eq(udpio_send(fd, out, 1), 1);
	ck_assert_int_eq(recv_all(1), 1);
	ck_assert_uint_eq(bufs[0]->len, 50);
	ck_assert(is_all(bufs[0]->data, 'g', 50));
	ck_assert_uint_eq(bufs[0]->peer, LO);
	ck_assert_uint_eq(bufs[0]->peer_port, 45000);

	/* More than BURST_MAX in one call: all go, in order, each with its own port. */
	for (int i = 0; i < BURST_MAX + 6; i++)
		build(out[i], (char)('A' + i % 26), (size_t)(10 + i), (uint16_t)(40000 + i));
	ck_assert_int_eq(udpio_send(fd, out, BURST_MAX + 6), BURST_MAX + 6);
	ck_assert_int_eq(recv_all(BURST_MAX + 6), BURST_MAX + 6);
	for (int i = 0; i < BURST_MAX + 6; i++) {
		ck_assert_uint_eq(bufs[i]->len, (unsigned)(10 + i));
		ck_assert(is_all(bufs[i]->data, (char)('A' + i % 26), (size_t)(10 + i)));
		ck_assert_uint_eq(bufs[i]->peer_port, 40000 + i);
	}
	ck_assert_int_eq(udpio_recv(lfd, bufs, 8), 0);
	ck_assert_int_eq(udpio_send(fd, out, 0), 0);
	pktpool_destroy(&txp);
	close(fd);
}
END_TEST

/* A packet the kernel refuses (shorter than an IPv4 header) does not stall the others. */
START_TEST(raw_send_bad_packet)
{
	struct pktbuf *out[4];
	struct pktpool txp;
	int fd = raw_or_skip();

	if (fd < 0)
		return;
	ck_assert_int_eq(pktpool_init(&txp, 4), 0);
	for (int i = 0; i < 4; i++)
		out[i] = pktpool_get(&txp);
	build(out[0], 'a', 5, 41000);
	build(out[1], 'b', 6, 41001);
	build(out[3], 'd', 8, 41003);
	/* out[2]: 10 bytes, no IPv4 header, to 127.0.0.1. */
	memset(out[2]->data, 0x45, 10);
	out[2]->len = 10;
	out[2]->peer = LO;
	ck_assert_int_eq(udpio_send(fd, out + 2, 1), 0);
	ck_assert_int_eq(udpio_send(fd, out, 4), 3);
	ck_assert_int_eq(recv_all(3), 3);
	ck_assert_uint_eq(bufs[0]->peer_port, 41000);
	ck_assert_uint_eq(bufs[1]->peer_port, 41001);
	ck_assert_uint_eq(bufs[2]->peer_port, 41003);
	ck_assert(is_all(bufs[2]->data, 'd', 8));
	ck_assert_int_eq(udpio_recv(lfd, bufs, 8), 0);
	pktpool_destroy(&txp);
	close(fd);
}
END_TEST

static Suite *udpio_suite(void)
{
	Suite *s = suite_create("udpio");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, listen_socket);
	tcase_add_test(tc, recv_batch);
	tcase_add_test(tc, recv_limits);
	tcase_add_test(tc, recv_truncated);
	tcase_add_test(tc, recv_bad_fd);
	tcase_add_test(tc, encap_header);
	tcase_add_test(tc, encap_no_headroom);
	tcase_add_test(tc, raw_send);
	tcase_add_test(tc, raw_send_bad_packet);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(udpio_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
