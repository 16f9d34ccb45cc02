// SPDX-License-Identifier: MIT
/* test_gro.c - coalescing TCP runs into GSO writes: what merges, what does not, the header. */
#include <check.h>
#include <linux/virtio_net.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "gro.h"
#include "testpkt.h"

static struct pktpool pool;
static struct gro_buf *g;
static int sv[2];
static uint64_t pkts, bytes, drops;
static const struct burst_ctr ctr = { &pkts, &bytes, &drops };
static uint8_t out[VNET_HDR_LEN + 65536];

static void setup(void)
{
	int big = 1 << 20;

	ck_assert_int_eq(pktpool_init(&pool, 64), 0);
	g = calloc(1, sizeof(*g));
	ck_assert_ptr_nonnull(g);
	/* A datagram socketpair stands for the TUN: one write is one datagram. */
	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK, 0, sv), 0);
	setsockopt(sv[0], SOL_SOCKET, SO_SNDBUF, &big, sizeof(big));
	setsockopt(sv[1], SOL_SOCKET, SO_RCVBUF, &big, sizeof(big));
	pkts = bytes = drops = 0;
}

static void teardown(void)
{
	close(sv[0]);
	close(sv[1]);
	free(g);
	pktpool_destroy(&pool);
}

/* A TCP segment of flow sport with seq and paylen bytes of payload, flags as given. */
static struct pktbuf *seg(uint16_t sport, uint32_t seq, size_t paylen, uint8_t flags)
{
	static uint8_t pay[2000];
	struct tp_spec s = { .proto = PROTO_TCP, .src = TP_CLIENT, .dst = TP_VM, .sport = sport,
			     .dport = 5201, .tcp_flags = flags, .payload = pay, .paylen = paylen };
	struct pktbuf *p = pktpool_get(&pool);
	uint16_t c;

	for (size_t i = 0; i < paylen; i++)
		pay[i] = (uint8_t)(seq + i);
	p->len = (uint32_t)tp_build(p->data, &s);
	tp_put32(p->data + 24, seq);
	memset(p->data + 36, 0, 2);
	c = tp_full_l4_csum(p->data, p->data + 20, p->len - 20);
	memcpy(p->data + 36, &c, 2);
	return p;
}

/* The next datagram written: its length; its virtio header in *h. */
static ssize_t next(struct virtio_net_hdr *h)
{
	ssize_t n = recv(sv[1], out, sizeof(out), 0);

	ck_assert_int_gt(n, VNET_HDR_LEN);
	memcpy(h, out, sizeof(*h));
	return n - VNET_HDR_LEN;
}

/* Four in-sequence segments, the last shorter with PSH: one GSO packet with all the bytes. */
START_TEST(run_merged)
{
	struct pktbuf *b[4];
	struct virtio_net_hdr h;
	uint8_t *ip = out + VNET_HDR_LEN;
	uint32_t src, dst;
	uint16_t part;
	ssize_t n;

	for (int i = 0; i < 3; i++)
		b[i] = seg(1000, 5000 + (uint32_t)i * 1400, 1400, 0x10);
	b[3] = seg(1000, 5000 + 3 * 1400, 300, 0x18);
	ck_assert_uint_eq(gro_write(sv[0], b, 4, g, &ctr), 1);
	ck_assert_uint_eq(pkts, 4);
	ck_assert_uint_eq(bytes, 3 * 1440 + 340);
	n = next(&h);
	ck_assert_int_eq(n, 40 + 3 * 1400 + 300);
	ck_assert_uint_eq(h.gso_type, VIRTIO_NET_HDR_GSO_TCPV4);
	ck_assert_uint_eq(h.gso_size, 1400);
	ck_assert_uint_eq(h.hdr_len, 40);
	ck_assert_uint_eq(h.flags, VIRTIO_NET_HDR_F_NEEDS_CSUM);
	ck_assert_uint_eq(h.csum_start, 20);
	ck_assert_uint_eq(h.csum_offset, 16);
	ck_assert_uint_eq(tp_get16(ip + 2), n);
	ck_assert_uint_eq(tp_get16(ip + 10), ntohs(tp_full_ip_csum(ip)));
	ck_assert_uint_eq(ip[33], 0x18);
	for (int i = 0; i < 3 * 1400 + 300; i++)
		ck_assert_uint_eq(ip[40 + i], (uint8_t)(5000 + i));
	/* The partial checksum: the pseudo header over the whole TCP length. */
	memcpy(&src, ip + 12, 4);
	memcpy(&dst, ip + 16, 4);
	part = (uint16_t)~csum_fold(csum_ip4_pseudo(src, dst, 6, htons((uint16_t)(n - 20))));
	ck_assert_uint_eq(memcmp(ip + 36, &part, 2), 0);
	ck_assert_int_lt(recv(sv[1], out, sizeof(out), 0), 0);
}
END_TEST

/* What must not merge: another flow, a gap, a FIN, a longer segment, a lone packet. */
START_TEST(not_merged)
{
	struct pktbuf *b[8];
	struct virtio_net_hdr h;
	ssize_t len[] = { 40 + 2 * 1000, 40 + 1000, 40 + 1000, 40 + 1000, 40 + 1200, 40 + 1000 };

	b[0] = seg(1000, 100, 1000, 0x10);
	b[1] = seg(1000, 1100, 1000, 0x10);       /* merges with b[0] */
	b[2] = seg(2000, 2100, 1000, 0x10);       /* another flow */
	b[3] = seg(2000, 9999, 1000, 0x10);       /* a gap */
	b[4] = seg(2000, 10999, 1000, 0x11);      /* FIN */
	b[5] = seg(3000, 0, 1200, 0x10);
	b[6] = seg(3000, 1200, 1000, 0x10);       /* shorter than the first: merges, ends the run */
	b[7] = seg(3000, 2200, 1000, 0x10);       /* after a short one: alone */
	ck_assert_uint_eq(gro_write(sv[0], b, 8, g, &ctr), 2);
	ck_assert_uint_eq(pkts, 8);
	ck_assert_uint_eq(drops, 0);
	for (int i = 0; i < 4; i++) {
		ck_assert_int_eq(next(&h), len[i]);
		ck_assert_uint_eq(h.gso_type, i == 0 ? VIRTIO_NET_HDR_GSO_TCPV4 : 0);
	}
	ck_assert_int_eq(next(&h), 40 + 1200 + 1000);
	ck_assert_uint_eq(h.gso_size, 1200);
	ck_assert_int_eq(next(&h), 40 + 1000);
	ck_assert_uint_eq(h.gso_type, 0);
	ck_assert_uint_eq(h.flags, 0);
	ck_assert_int_lt(recv(sv[1], out, sizeof(out), 0), 0);
}
END_TEST

/* seg() in an Ethernet frame to mac (last byte), IPv4 ethertype unless arp. */
static struct pktbuf *eth_seg(uint8_t mac, uint32_t seq, size_t paylen, uint8_t flags, bool arp)
{
	struct pktbuf *p = seg(1000, seq, paylen, flags);

	ck_assert_ptr_nonnull(pktbuf_push(p, 14));
	memset(p->data, 0x02, 12);
	p->data[5] = mac;
	tp_put16(p->data + 12, arp ? 0x0806 : 0x0800);
	return p;
}

/* Frames to a tap: a run merges with its Ethernet header; another MAC or ethertype does not. */
START_TEST(eth_run)
{
	struct pktbuf *b[6];
	struct virtio_net_hdr h;
	uint8_t *ip = out + VNET_HDR_LEN + 14;
	uint32_t src, dst;
	uint16_t part;
	ssize_t n;

	b[0] = eth_seg(1, 700, 1000, 0x10, false);
	b[1] = eth_seg(1, 1700, 1000, 0x10, false);
	b[2] = eth_seg(1, 2700, 1000, 0x10, false);
	b[3] = eth_seg(2, 3700, 1000, 0x10, false);   /* in sequence, another destination MAC */
	b[4] = eth_seg(2, 4700, 1000, 0x10, true);    /* not IPv4 */
	b[5] = eth_seg(2, 5700, 1000, 0x10, false);
	ck_assert_uint_eq(gro_write_eth(sv[0], b, 6, g, &ctr), 1);
	ck_assert_uint_eq(pkts, 6);
	ck_assert_uint_eq(drops, 0);
	n = next(&h);
	ck_assert_int_eq(n, 14 + 40 + 3000);
	ck_assert_uint_eq(h.gso_type, VIRTIO_NET_HDR_GSO_TCPV4);
	ck_assert_uint_eq(h.gso_size, 1000);
	ck_assert_uint_eq(h.hdr_len, 54);
	ck_assert_uint_eq(h.csum_start, 34);
	ck_assert_uint_eq(h.csum_offset, 16);
	ck_assert_uint_eq(out[VNET_HDR_LEN + 5], 1);
	ck_assert_uint_eq(tp_get16(out + VNET_HDR_LEN + 12), 0x0800);
	ck_assert_uint_eq(tp_get16(ip + 2), 40 + 3000);
	ck_assert_uint_eq(tp_get16(ip + 10), ntohs(tp_full_ip_csum(ip)));
	ck_assert_uint_eq(ip[33], 0x10);
	for (int i = 0; i < 3000; i++)
		ck_assert_uint_eq(ip[40 + i], (uint8_t)(700 + i));
	memcpy(&src, ip + 12, 4);
	memcpy(&dst, ip + 16, 4);
	part = (uint16_t)~csum_fold(csum_ip4_pseudo(src, dst, 6, htons((uint16_t)(20 + 3000))));
	ck_assert_uint_eq(memcmp(ip + 36, &part, 2), 0);
	for (int i = 3; i < 6; i++) {
		ck_assert_int_eq(next(&h), 14 + 40 + 1000);
		ck_assert_uint_eq(h.gso_type, 0);
	}
	ck_assert_int_lt(recv(sv[1], out, sizeof(out), 0), 0);
}
END_TEST

static Suite *gro_suite(void)
{
	Suite *s = suite_create("gro");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, run_merged);
	tcase_add_test(tc, not_merged);
	tcase_add_test(tc, eth_run);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *r = srunner_create(gro_suite());
	int failed;

	srunner_run_all(r, CK_NORMAL);
	failed = srunner_ntests_failed(r);
	srunner_free(r);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
