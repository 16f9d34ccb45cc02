// SPDX-License-Identifier: MIT
/* test_burst.c - the shared burst I/O steps: fill, read, write, send, put, with counters. */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "burst.h"
#include "udpio.h"

static struct pktpool pool;
static int sv[2];

static void setup(void)
{
	ck_assert_int_eq(pktpool_init(&pool, 8), 0);
	/* A datagram socketpair behaves like a TUN fd: one read() is one packet. */
	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK, 0, sv), 0);
}

static void teardown(void)
{
	close(sv[0]);
	close(sv[1]);
	pktpool_destroy(&pool);
}

START_TEST(fill_and_put)
{
	struct burst b = { .n = 0 };

	burst_fill(&pool, &b, 5);
	ck_assert_uint_eq(b.n, 5);
	burst_fill(&pool, &b, 100);               /* the pool has 8 */
	ck_assert_uint_eq(b.n, 8);
	ck_assert_uint_eq(pool.nfree, 0);
	burst_put(&pool, &b);
	ck_assert_uint_eq(b.n, 0);
	ck_assert_uint_eq(pool.nfree, 8);
}
END_TEST

START_TEST(read_drains_up_to_n)
{
	struct burst b = { .n = 0 };

	for (int i = 0; i < 5; i++)
		ck_assert_int_eq(write(sv[1], "packet-x", 6 + (size_t)i % 3), 6 + i % 3);
	ck_assert_int_eq(burst_read(&pool, sv[0], &b, 3, NULL), 0);
	ck_assert_uint_eq(b.n, 3);
	ck_assert_uint_eq(b.pkt[0]->len, 6);
	ck_assert_uint_eq(b.pkt[1]->len, 7);
	ck_assert_mem_eq(b.pkt[2]->data, "packet-x", 8);
	ck_assert_int_eq(burst_read(&pool, sv[0], &b, 8, NULL), 0);   /* the other two, then EAGAIN */
	ck_assert_uint_eq(b.n, 5);
	ck_assert_uint_eq(pool.nfree, 3);                       /* the probe buffer came back */
	burst_put(&pool, &b);
	ck_assert_int_eq(burst_read(&pool, -1, &b, 8, NULL), -EBADF);
	ck_assert_uint_eq(b.n, 0);
	ck_assert_uint_eq(pool.nfree, 8);
}
END_TEST

/* Queue k datagrams of 50 bytes: a virtio-net header (all zero) and a 40-byte "packet". */
static void queue(int k)
{
	uint8_t d[VNET_HDR_LEN + 40] = { 0 };

	for (int i = 0; i < k; i++)
		ck_assert_int_eq(write(sv[1], d, sizeof(d)), (ssize_t)sizeof(d));
}

/* One loop turn's read of the fd with pacing; returns the packets read, b emptied. */
static unsigned paced(uint64_t *turn, struct burst_pace *pc, struct vnet_rx *rx)
{
	struct burst b = { .n = 0 };
	uint64_t drops = 0;
	unsigned n;

	++*turn;
	if (rx)
		ck_assert_int_eq(burst_read_vnet(&pool, sv[0], rx, &b, 8, true, &drops, pc), 0);
	else
		ck_assert_int_eq(burst_read(&pool, sv[0], &b, 8, pc), 0);
	ck_assert_uint_eq(drops, 0);
	n = b.n;
	burst_put(&pool, &b);
	return n;
}

/* The pacing rules, for plain and virtio-net reads alike. */
static void check_pace(struct vnet_rx *rx)
{
	uint64_t turn = 0;
	struct burst_pace pc = { .turn = &turn };

	queue(1);
	ck_assert_uint_eq(paced(&turn, &pc, rx), 1);     /* a drain that found one */
	queue(3);
	ck_assert_uint_eq(paced(&turn, &pc, rx), 3);     /* not yet sparse: drained */
	queue(1);
	ck_assert_uint_eq(paced(&turn, &pc, rx), 1);
	queue(1);
	ck_assert_uint_eq(paced(&turn, &pc, rx), 1);
	ck_assert_uint_eq(pc.lone, BURST_LONE);          /* two lone drains in a row: sparse */
	queue(3);
	ck_assert_uint_eq(paced(&turn, &pc, rx), 1);     /* stops after one frame */
	ck_assert_uint_eq(pc.stopped, turn);
	ck_assert_uint_eq(paced(&turn, &pc, rx), 2);     /* readable the next turn: a burst */
	ck_assert_uint_eq(pc.lone, 0);
	queue(1);
	ck_assert_uint_eq(paced(&turn, &pc, rx), 1);
	queue(1);
	ck_assert_uint_eq(paced(&turn, &pc, rx), 1);
	queue(2);
	ck_assert_uint_eq(paced(&turn, &pc, rx), 1);     /* sparse again */
	turn++;                                          /* a turn without this fd */
	ck_assert_uint_eq(paced(&turn, &pc, rx), 1);     /* not a burst: still one */
	ck_assert_uint_eq(paced(&turn, &pc, rx), 0);     /* empty: nothing read, no harm */
	ck_assert_uint_eq(pc.lone, BURST_LONE);
	ck_assert_uint_eq(pool.nfree, 8);
}

START_TEST(read_paced)
{
	check_pace(NULL);
}
END_TEST

START_TEST(read_vnet_paced)
{
	static struct vnet_rx rx = { .bare_ip = true };

	check_pace(&rx);
}
END_TEST

START_TEST(write_counts)
{
	uint64_t pkts = 0, bytes = 0, drops = 0;
	const struct burst_ctr c = { &pkts, &bytes, &drops };
	struct pktbuf *p = pktpool_get(&pool);
	char buf[64];

	memcpy(p->data, "hello", 5);
	p->len = 5;
	burst_write(sv[1], p, &c);
	ck_assert_int_eq(read(sv[0], buf, sizeof(buf)), 5);
	ck_assert_uint_eq(pkts, 1);
	ck_assert_uint_eq(bytes, 5);
	burst_write(-1, p, &c);
	ck_assert_uint_eq(drops, 1);
	pktpool_put(&pool, p);
}
END_TEST

START_TEST(send_counts)
{
	uint64_t pkts = 0, bytes = 0, drops = 0;
	const struct burst_ctr c = { &pkts, &bytes, &drops };
	struct burst b = { .n = 0 };
	int raw = udpio_raw(0), rx;

	if (raw == -EPERM) {
		printf("send_counts: no CAP_NET_RAW, skipped\n");
		return;
	}
	ck_assert_int_ge(raw, 0);
	rx = udpio_listen(0x7F000001u, 0, 0);          /* loopback, any port */
	ck_assert_int_ge(rx, 0);
	burst_fill(&pool, &b, 3);
	for (unsigned i = 0; i < b.n; i++) {
		memcpy(pktbuf_push(b.pkt[i], 4), "data", 4);
		ck_assert_int_eq(udpio_encap(b.pkt[i], 0x7F000001u, 0x7F000001u, 50000, 9), 0);
	}
	burst_send(raw, &b, &c);
	ck_assert_uint_eq(pkts, 3);
	ck_assert_uint_eq(bytes, 3 * (4 + UDPIO_OUTER_LEN));
	ck_assert_uint_eq(drops, 0);
	burst_put(&pool, &b);
	close(rx);
	close(raw);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("burst");
	TCase *tc = tcase_create("core");
	SRunner *sr;
	int failed;

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, fill_and_put);
	tcase_add_test(tc, read_drains_up_to_n);
	tcase_add_test(tc, read_paced);
	tcase_add_test(tc, read_vnet_paced);
	tcase_add_test(tc, write_counts);
	tcase_add_test(tc, send_counts);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
