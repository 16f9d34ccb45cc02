// SPDX-License-Identifier: MIT
/* test_udpgro.c - unit tests for receiving coalesced tunnel datagrams (UDP_GRO) one per buffer. */
#include <arpa/inet.h>
#include <check.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/udp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "udpgro.h"
#include "udpio.h"

#ifndef UDP_SEGMENT
#define UDP_SEGMENT 103
#endif

#define LO 0x7f000001u
#define NBUF 200

static struct pktpool pool;
static struct pktbuf *bufs[NBUF];
static struct udpgro gro;
static int lfd = -1, tx = -1;
static uint16_t lport, txport;

/* A UDP socket bound to 127.0.0.1, any port; its port in *port. */
static int lo_socket(uint16_t *port)
{
	struct sockaddr_in sin = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(LO) };
	socklen_t sl = sizeof(sin);
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);

	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(bind(fd, (struct sockaddr *)&sin, sizeof(sin)), 0);
	ck_assert_int_eq(getsockname(fd, (struct sockaddr *)&sin, &sl), 0);
	*port = ntohs(sin.sin_port);
	return fd;
}

static void setup(void)
{
	int big = 4 << 20;

	ck_assert_int_eq(pktpool_init(&pool, NBUF), 0);
	for (int i = 0; i < NBUF; i++)
		bufs[i] = pktpool_get(&pool);
	lfd = lo_socket(&lport);
	(void)setsockopt(lfd, SOL_SOCKET, SO_RCVBUF, &big, sizeof(big));
	tx = lo_socket(&txport);
}

static void teardown(void)
{
	udpgro_free(&gro);
	for (int i = 0; i < NBUF; i++)
		pktpool_put(&pool, bufs[i]);
	pktpool_destroy(&pool);
	close(lfd);
	close(tx);
	lfd = tx = -1;
}

/*
 * One send of n datagrams: n - 1 of seg bytes and a last of last bytes,
 * datagram i filled with 'a' + i; as one UDP_SEGMENT send when n > 1.
 */
static void send_run(unsigned n, uint16_t seg, uint16_t last)
{
	static uint8_t data[65536];
	struct sockaddr_in to = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(LO),
				  .sin_port = htons(lport) };
	size_t total = (size_t)(n - 1) * seg + last;
	union {
		char buf[CMSG_SPACE(sizeof(uint16_t))];
		struct cmsghdr align;
	} ctl;
	struct iovec iov = { data, total };
	struct msghdr mh = { .msg_name = &to, .msg_namelen = sizeof(to), .msg_iov = &iov,
			     .msg_iovlen = 1 };
	struct cmsghdr *cm;

	ck_assert_uint_le(total, sizeof(data));
	for (unsigned i = 0; i < n; i++)
		memset(data + (size_t)i * seg, 'a' + (int)i, i + 1 < n ? seg : last);
	if (n > 1) {
		mh.msg_control = ctl.buf;
		mh.msg_controllen = sizeof(ctl.buf);
		cm = CMSG_FIRSTHDR(&mh);
		cm->cmsg_level = SOL_UDP;
		cm->cmsg_type = UDP_SEGMENT;
		cm->cmsg_len = CMSG_LEN(sizeof(seg));
		memcpy(CMSG_DATA(cm), &seg, sizeof(seg));
	}
	ck_assert_int_eq(sendmsg(tx, &mh, 0), (ssize_t)total);
}

static void wait_readable(void)
{
	struct pollfd p = { .fd = lfd, .events = POLLIN };

	ck_assert_int_eq(poll(&p, 1, 1000), 1);
}

static int is_all(const uint8_t *p, int c, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (p[i] != (uint8_t)c)
			return 0;
	return 1;
}

/* Check bufs[from..] hold datagram first.. of a run sent by send_run(). */
static void check_run(unsigned from, unsigned first, unsigned count, unsigned n, uint16_t seg,
		      uint16_t last)
{
	for (unsigned i = 0; i < count; i++) {
		const struct pktbuf *b = bufs[from + i];
		unsigned d = first + i;
		uint32_t len = d + 1 < n ? seg : last;

		ck_assert_uint_eq(b->len, len);
		if (gro.lend) {
			/* Lent where it lies: in the receive areas. */
			ck_assert_uint_eq(b->lent, 1);
			ck_assert(b->data >= gro.area &&
				  b->data + len <= gro.area + (size_t)UDPGRO_SLOTS * UDPGRO_SLOT);
		} else {
			ck_assert_uint_eq(b->lent, 0);
			ck_assert_ptr_eq(b->data, b->buf + PKTBUF_HEADROOM);
		}
		ck_assert_msg(is_all(b->data, 'a' + (int)d, len), "datagram %u", d);
		ck_assert_uint_eq(b->peer, LO);
		ck_assert_uint_eq(b->peer_port, txport);
	}
}

/* Receive want datagrams into bufs[from..], waiting for the socket when nothing is pending. */
static void recv_into(unsigned from, unsigned want)
{
	unsigned got = 0;

	for (int round = 0; got < want; round++) {
		int r;

		ck_assert_msg(round < 20, "%u of %u datagrams came", got, want);
		if (!udpgro_pending(&gro))
			wait_readable();
		r = udpgro_recv(&gro, lfd, bufs + from + got, want - got);
		ck_assert_int_ge(r, 0);
		got += (unsigned)r;
	}
}

/* Without a kernel UDP_GRO there is nothing to test but the fallback. */
static int gro_or_skip(void)
{
	int r = udpgro_init(&gro, lfd);

	ck_assert_int_ge(r, 0);
	if (r == 0)
		printf("test_udpgro: the kernel has no UDP_GRO: coalescing tests skipped\n");
	return r;
}

/* A coalesced run comes out one datagram per buffer, the shorter last one included. */
START_TEST(run_split)
{
	if (!gro_or_skip())
		return;
	ck_assert_int_eq(udpgro_recv(&gro, lfd, bufs, 8), 0);
	send_run(10, 1400, 333);
	wait_readable();
	ck_assert_int_eq(udpgro_recv(&gro, lfd, bufs, NBUF), 10);
	check_run(0, 0, 10, 10, 1400, 333);
	ck_assert(!udpgro_pending(&gro));
	ck_assert_int_eq(udpgro_recv(&gro, lfd, bufs, 8), 0);
}
END_TEST

/* What does not fit the caller's burst waits, in order, for the next call. */
START_TEST(run_pending)
{
	if (!gro_or_skip())
		return;
	send_run(40, 1000, 1000);
	send_run(3, 200, 50);
	wait_readable();
	ck_assert_int_eq(udpgro_recv(&gro, lfd, bufs, 16), 16);
	ck_assert(udpgro_pending(&gro));
	check_run(0, 0, 16, 40, 1000, 1000);
	ck_assert_int_eq(udpgro_recv(&gro, lfd, bufs, 16), 16);
	check_run(0, 16, 16, 40, 1000, 1000);
	/* The rest of the first run, then the second, however the kernel delivered them. */
	recv_into(0, 11);
	check_run(0, 32, 8, 40, 1000, 1000);
	check_run(8, 0, 3, 3, 200, 50);
	ck_assert(!udpgro_pending(&gro));
	ck_assert_int_eq(udpgro_recv(&gro, lfd, bufs, 16), 0);
	ck_assert_int_eq(udpgro_recv(&gro, lfd, bufs, 0), 0);
}
END_TEST

/* Discarding counts the datagrams left, whole and partly handed out runs alike. */
START_TEST(run_discard)
{
	if (!gro_or_skip())
		return;
	ck_assert_uint_eq(udpgro_discard(&gro), 0);
	send_run(20, 500, 120);
	wait_readable();
	ck_assert_int_eq(udpgro_recv(&gro, lfd, bufs, 5), 5);
	ck_assert_uint_eq(udpgro_discard(&gro), 15);
	ck_assert(!udpgro_pending(&gro));
	ck_assert_uint_eq(udpgro_discard(&gro), 0);
	ck_assert_int_eq(udpgro_recv(&gro, lfd, bufs, 5), 0);
}
END_TEST

/* A datagram larger than a buffer is marked for a truncated drop (len 0); the rest go on. */
START_TEST(too_big)
{
	if (!gro_or_skip())
		return;
	send_run(1, 0, PKTBUF_MTU + 1);
	send_run(1, 0, 77);
	recv_into(0, 2);
	ck_assert_uint_eq(bufs[0]->len, 0);
	ck_assert_uint_eq(bufs[0]->peer_port, txport);
	ck_assert_uint_eq(bufs[1]->len, 77);
	ck_assert(is_all(bufs[1]->data, 'a', 77));
}
END_TEST

/*
 * Lending: the datagrams are handed out where they lie, the earlier ones
 * stay put while the rest of their runs are handed out, and a push
 * copies one into its buffer.
 */
START_TEST(lend_runs)
{
	if (!gro_or_skip())
		return;
	gro.lend = true;
	send_run(40, 1000, 1000);
	send_run(3, 200, 50);
	wait_readable();
	ck_assert_int_eq(udpgro_recv(&gro, lfd, bufs, 16), 16);
	ck_assert(udpgro_pending(&gro));
	ck_assert_int_eq(udpgro_recv(&gro, lfd, bufs + 16, 16), 16);
	check_run(0, 0, 32, 40, 1000, 1000);
	recv_into(32, 11);
	check_run(32, 32, 8, 40, 1000, 1000);
	check_run(40, 0, 3, 3, 200, 50);
	ck_assert_ptr_nonnull(pktbuf_push(bufs[5], 8));
	ck_assert_uint_eq(bufs[5]->lent, 0);
	ck_assert_ptr_eq(bufs[5]->data, bufs[5]->buf + PKTBUF_HEADROOM - 8);
	ck_assert_uint_eq(bufs[5]->len, 1008);
	ck_assert(is_all(bufs[5]->data + 8, 'a' + 5, 1000));
	/* Too big for a buffer: not lent, a truncated drop as without lending. */
	send_run(1, 0, PKTBUF_MTU + 1);
	send_run(1, 0, 77);
	recv_into(0, 2);
	ck_assert_uint_eq(bufs[0]->len, 0);
	ck_assert_uint_eq(bufs[0]->lent, 0);
	ck_assert_uint_eq(bufs[1]->lent, 1);
	ck_assert(is_all(bufs[1]->data, 'a', 77));
	for (int i = 0; i < NBUF; i++)
		pktbuf_reset(bufs[i]);   /* the areas go away in teardown */
}
END_TEST

/* Not initialised (a kernel without UDP_GRO): plain batched receives. */
START_TEST(fallback_plain)
{
	memset(&gro, 0, sizeof(gro));
	send_run(1, 0, 64);
	send_run(1, 0, 65);
	recv_into(0, 2);
	ck_assert_uint_eq(bufs[0]->len, 64);
	ck_assert_uint_eq(bufs[1]->len, 65);
	ck_assert(!udpgro_pending(&gro));
	ck_assert_int_eq(udpgro_recv(&gro, -1, bufs, 1), -EBADF);
}
END_TEST

START_TEST(bad_fd)
{
	ck_assert_int_eq(udpgro_init(&gro, -1), 0);
	ck_assert_ptr_null(gro.area);
	if (!gro_or_skip())
		return;
	ck_assert_int_eq(udpgro_recv(&gro, -1, bufs, 4), -EBADF);
	ck_assert(!udpgro_pending(&gro));
}
END_TEST

static Suite *udpgro_suite(void)
{
	Suite *s = suite_create("udpgro");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, run_split);
	tcase_add_test(tc, run_pending);
	tcase_add_test(tc, run_discard);
	tcase_add_test(tc, too_big);
	tcase_add_test(tc, lend_runs);
	tcase_add_test(tc, fallback_plain);
	tcase_add_test(tc, bad_fd);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(udpgro_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
