// SPDX-License-Identifier: MIT
/* test_udpgso.c - unit tests for UDP segmentation offload sends and their raw fallback. */
#include <arpa/inet.h>
#include <check.h>
#include <errno.h>
#include <net/if.h>
#include <netinet/in.h>
#include <poll.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "udpgro.h"
#include "udpgso.h"
#include "udpio.h"

#define LO 0x7f000001u
#define NBUF 200

static struct pktpool pool, rxpool;
static struct pktbuf *out[NBUF], *in[NBUF];
static struct udpgso gso;
static struct udpgro gro;
static int raw = -1, lfd = -1, pfd = -1;  /* raw; GRO receiver; plain receiver */
static uint16_t lport, pport;
static uint64_t pkts, bytes, drops;
static const struct burst_ctr ctr = { &pkts, &bytes, &drops };

static int lo_socket(uint16_t *port)
{
	struct sockaddr_in sin = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(LO) };
	socklen_t sl = sizeof(sin);
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0), big = 4 << 20;

	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(bind(fd, (struct sockaddr *)&sin, sizeof(sin)), 0);
	ck_assert_int_eq(getsockname(fd, (struct sockaddr *)&sin, &sl), 0);
	(void)setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &big, sizeof(big));
	*port = ntohs(sin.sin_port);
	return fd;
}

/* Sockets and pools; the caller's test is skipped when raw sockets are not ours. */
static int open_all(void)
{
	int why, r;

	ck_assert_int_eq(pktpool_init(&pool, NBUF), 0);
	ck_assert_int_eq(pktpool_init(&rxpool, NBUF), 0);
	for (int i = 0; i < NBUF; i++) {
		out[i] = pktpool_get(&pool);
		in[i] = pktpool_get(&rxpool);
	}
	pkts = bytes = drops = 0;
	lfd = lo_socket(&lport);
	pfd = lo_socket(&pport);
	ck_assert_int_ge(udpgro_init(&gro, lfd), 0);
	raw = udpio_raw(1 << 20);
	if (raw == -EPERM || raw == -EACCES) {
		printf("test_udpgso: raw sockets need CAP_NET_RAW: test skipped\n");
		return 0;
	}
	ck_assert_msg(raw >= 0, "udpio_raw: %s", strerror(-raw));
	r = udpgso_open(&gso, raw, LO, 1 << 20, &why);
	ck_assert_int_ge(r, 0);
	if (r == 0) {
		printf("test_udpgso: no UDP_SEGMENT (%s): test skipped\n", strerror(-why));
		udpgso_close(&gso);
		return 0;
	}
	ck_assert_int_eq(r, UDPGSO_SOCKS);
	return 1;
}

static void close_all(void)
{
	udpgso_close(&gso);
	udpgro_free(&gro);
	for (int i = 0; i < NBUF; i++) {
		pktpool_put(&pool, out[i]);
		pktpool_put(&rxpool, in[i]);
	}
	pktpool_destroy(&pool);
	pktpool_destroy(&rxpool);
	close(raw);
	close(lfd);
	close(pfd);
	raw = lfd = pfd = -1;
}

/* out[i]: len bytes of c, outer 127.0.0.1:sport -> 127.0.0.1:dport. */
static void build(unsigned i, int c, size_t len, uint16_t sport, uint16_t dport)
{
	struct pktbuf *b = out[i];

	pktbuf_reset(b);
	memset(b->data, c, len);
	b->len = (uint32_t)len;
	ck_assert_int_eq(udpio_encap(b, LO, LO, sport, dport), 0);
}

static int is_all(const uint8_t *p, int c, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (p[i] != (uint8_t)c)
			return 0;
	return 1;
}

/* Receive want datagrams from fd (through gro when r is set) into in[]. */
static void recv_all(int fd, struct udpgro *r, int want)
{
	int got = 0;

	for (int round = 0; got < want; round++) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		int n;

		ck_assert_msg(round < 50, "%d of %d datagrams came", got, want);
		if (!r || !udpgro_pending(r))
			ck_assert_int_eq(poll(&p, 1, 1000), 1);
		n = r ? udpgro_recv(r, fd, in + got, (unsigned)(want - got))
		      : udpio_recv(fd, in + got, (unsigned)(want - got));
		ck_assert_int_ge(n, 0);
		got += n;
	}
	ck_assert_int_eq(r ? udpgro_recv(r, fd, in, 1) : udpio_recv(fd, in, 1), 0);
}

/* in[k] is out[i]'s payload, from source port sport. */
static void check_got(unsigned k, int c, uint32_t len, uint16_t sport)
{
	ck_assert_uint_eq(in[k]->len, len);
	ck_assert_msg(is_all(in[k]->data, c, len), "datagram %u", k);
	ck_assert_uint_eq(in[k]->peer_port, sport);
}

START_TEST(open_ports)
{
	int why;

	if (!open_all())
		goto out;
	for (unsigned i = 0; i < UDPGSO_SOCKS; i++) {
		ck_assert_uint_ne(gso.port[i], 0);
		for (unsigned j = 0; j < i; j++)
			ck_assert_uint_ne(gso.port[i], gso.port[j]);
	}
	/* Flows map onto the sockets' ports by the hash's high bits. */
	for (uint32_t h = 0; h < 64; h++) {
		uint16_t p = udpgso_sport(&gso, h << 18 | 0x3ffff);

		ck_assert_uint_eq(p, gso.port[h % UDPGSO_SOCKS]);
	}
	ck_assert_uint_eq(udpgso_sport(NULL, 5u << 18), 49157);
	udpgso_close(&gso);
	ck_assert_uint_eq(udpgso_sport(&gso, 5u << 18), 49157);
	ck_assert_int_eq(udpgso_open(&gso, -1, LO, 0, &why), -EBADF);
out:
	close_all();
}
END_TEST

/*
 * A burst of runs and strays: each run of one way and one size (a shorter
 * last one included) is one send; the rest go raw; all arrive, in order.
 */
START_TEST(send_mixed)
{
	uint16_t s1, s2;
	uint64_t want_bytes = 0;

	if (!open_all())
		goto out;
	s1 = udpgso_sport(&gso, 1u << 18);
	s2 = udpgso_sport(&gso, 2u << 18);
	for (unsigned i = 0; i < 10; i++)
		build(i, 'a' + (int)i, 1000, s1, lport);   /* a run of 10 ... */
	build(10, 'k', 300, s1, lport);                    /* ... and its short last one */
	build(11, 'l', 1000, s1, lport);                   /* alone: the next goes elsewhere */
	build(12, 'm', 800, s2, pport);                    /* a run of 2 to the plain socket */
	build(13, 'n', 800, s2, pport);
	build(14, 'o', 60, 40000, lport);                  /* not one of our ports: raw */
	build(15, 'p', 500, s1, lport);                    /* larger than the one before: new run */
	build(16, 'q', 900, s1, lport);
	for (unsigned i = 0; i < 17; i++)
		want_bytes += out[i]->len;
	udpgso_send(&gso, out, 17, &ctr);
	ck_assert_uint_eq(pkts, 17);
	ck_assert_uint_eq(bytes, want_bytes);
	ck_assert_uint_eq(drops, 0);
	ck_assert_uint_eq(gso.sends, 2);
	ck_assert_uint_eq(gso.segs, 13);
	ck_assert_uint_eq(gso.fallbacks, 0);

	recv_all(lfd, &gro, 15);
	for (unsigned i = 0; i < 10; i++)
		check_got(i, 'a' + (int)i, 1000, s1);
	check_got(10, 'k', 300, s1);
	check_got(11, 'l', 1000, s1);
	check_got(12, 'o', 60, 40000);
	check_got(13, 'p', 500, s1);
	check_got(14, 'q', 900, s1);
	/* The plain socket gets the run cut into its datagrams. */
	recv_all(pfd, NULL, 2);
	check_got(0, 'm', 800, s2);
	check_got(1, 'n', 800, s2);
out:
	close_all();
}
END_TEST

/* Send n packets of len bytes from port s in one burst: want_sends UDP_SEGMENT sends carry them. */
static void send_one_way(unsigned n, uint32_t len, uint16_t s, uint64_t want_sends)
{
	uint64_t pkts0 = pkts, sends0 = gso.sends, segs0 = gso.segs;

	for (unsigned i = 0; i < n; i++)
		build(i, 'A' + (int)(i % 50), len, s, lport);
	udpgso_send(&gso, out, n, &ctr);
	ck_assert_uint_eq(pkts - pkts0, n);
	ck_assert_uint_eq(drops, 0);
	ck_assert_uint_eq(gso.sends - sends0, want_sends);
	ck_assert_uint_eq(gso.segs - segs0, n);
	recv_all(lfd, &gro, (int)n);
	for (unsigned i = 0; i < n; i++)
		check_got(i, 'A' + (int)(i % 50), len, s);
}

/* A long run is cut at 64 KB or 64 segments a send; an empty burst sends nothing. */
START_TEST(send_limits)
{
	uint16_t s = 0;

	if (!open_all())
		goto out;
	s = udpgso_sport(&gso, 7u << 18);
	/* 65,000 bytes hold 46 datagrams of 1,400: runs of 46 and 24. */
	send_one_way(70, 1400, s, 2);
	/* Small packets: 64 segments a send at most (runs of 64, 64 and 2). */
	send_one_way(130, 100, s, 3);

	/* Nothing to send: nothing happens. */
	udpgso_send(&gso, out, 0, &ctr);
	ck_assert_uint_eq(pkts, 200);
out:
	close_all();
}
END_TEST

/* Bring lo up with the given MTU (in a namespace of our own). */
static void lo_up(int mtu)
{
	struct ifreq ifr = { 0 };
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	ck_assert_int_ge(fd, 0);
	strcpy(ifr.ifr_name, "lo");
	ifr.ifr_mtu = mtu;
	ck_assert_int_eq(ioctl(fd, SIOCSIFMTU, &ifr), 0);
	ck_assert_int_eq(ioctl(fd, SIOCGIFFLAGS, &ifr), 0);
	ifr.ifr_flags |= IFF_UP;
	ck_assert_int_eq(ioctl(fd, SIOCSIFFLAGS, &ifr), 0);
	close(fd);
}

/*
 * A send the kernel refuses (segments over the route's MTU) is tried raw and
 * counted; it does not stall the packets after it.  Check runs each test in
 * a child of its own, so the namespace goes with it.
 */
START_TEST(send_refused)
{
	uint16_t s = 0;

	if (unshare(CLONE_NEWNET) < 0) {
		printf("test_udpgso: unshare(CLONE_NEWNET): %s: test skipped\n", strerror(errno));
		return;
	}
	lo_up(1000);
	if (!open_all())
		goto out;
	s = udpgso_sport(&gso, 3u << 18);
	build(0, 'x', 1200, s, lport);   /* over the MTU, and no DF: the kernel says EINVAL */
	build(1, 'y', 1200, s, lport);
	build(2, 'z', 1200, s, pport);   /* a single one: raw, where it is too big too */
	build(3, 'u', 500, s, lport);    /* a run that fits */
	build(4, 'v', 500, s, lport);
	udpgso_send(&gso, out, 5, &ctr);
	ck_assert_uint_eq(gso.fallbacks, 1);
	ck_assert_uint_eq(gso.sends, 1);
	ck_assert_uint_eq(gso.segs, 2);
	ck_assert_uint_eq(pkts + drops, 5);
	ck_assert_uint_eq(pkts, 2);
	recv_all(lfd, &gro, 2);
	check_got(0, 'u', 500, s);
	check_got(1, 'v', 500, s);
out:
	close_all();
}
END_TEST

static Suite *udpgso_suite(void)
{
	Suite *s = suite_create("udpgso");
	TCase *tc = tcase_create("core");

	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, open_ports);
	tcase_add_test(tc, send_mixed);
	tcase_add_test(tc, send_limits);
	tcase_add_test(tc, send_refused);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(udpgso_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
