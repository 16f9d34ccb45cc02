// SPDX-License-Identifier: MIT
/* test_vnet.c - virtio-net header frames: partial checksums completed, TSO frames split. */
#include <check.h>
#include <linux/virtio_net.h>
#include <stdlib.h>
#include <string.h>

#include "testpkt.h"
#include "vnet.h"

static struct vnet_rx *rx;
static struct pktbuf b;

static void setup(void)
{
	rx = calloc(1, sizeof(*rx));
	ck_assert_ptr_nonnull(rx);
}

static void teardown(void)
{
	free(rx);
}

/* Put a virtio header and an Ethernet/IPv4 frame of s into rx->buf; the frame's length. */
static uint32_t frame(const struct virtio_net_hdr *h, const struct tp_spec *s)
{
	uint8_t *f = rx->buf + VNET_HDR_LEN;

	memcpy(rx->buf, h, sizeof(*h));
	memset(f, 0xaa, 12);
	tp_put16(f + 12, 0x0800);
	return 14 + (uint32_t)tp_build(f + 14, s);
}

static void next_ok(void)
{
	pktbuf_reset(&b);
	ck_assert_int_eq(vnet_next(rx, &b), 1);
}

/* A TSO frame of 3000 payload bytes and MSS 1000: three segments, as a NIC would send. */
START_TEST(tso_split)
{
	static uint8_t pay[3000];
	struct tp_spec s = { .proto = PROTO_TCP, .src = TP_VM, .dst = TP_CLIENT, .sport = 40000,
			     .dport = 5201, .tcp_flags = 0x18 | 0x01 | 0x80, .payload = pay,
			     .paylen = sizeof(pay) };
	struct virtio_net_hdr h = { .flags = VIRTIO_NET_HDR_F_NEEDS_CSUM,
				    .gso_type = VIRTIO_NET_HDR_GSO_TCPV4, .hdr_len = 54,
				    .gso_size = 1000, .csum_start = 34, .csum_offset = 16 };
	uint32_t n, i, seq;
	uint8_t *ip, *tcp;

	for (i = 0; i < sizeof(pay); i++)
		pay[i] = (uint8_t)(i * 7);
	n = frame(&h, &s);
	/* A partial checksum, as the guest leaves it: garbage must not matter. */
	memset(rx->buf + VNET_HDR_LEN + 34 + 16, 0x5a, 2);
	ck_assert_int_eq(vnet_start(rx, VNET_HDR_LEN + n), 0);
	for (i = 0; i < 3; i++) {
		ck_assert(vnet_pending(rx));
		next_ok();
		ck_assert_uint_eq(b.seg, i);         /* marked as the frame's i-th (path.c) */
		ck_assert_uint_ne(b.frame, 0);
		ck_assert_uint_eq(b.len, 14 + 20 + 20 + 1000);
		ip = b.data + 14;
		tcp = ip + 20;
		ck_assert_uint_eq(tp_get16(ip + 2), 20 + 20 + 1000);
		ck_assert_uint_eq(tp_get16(ip + 4), (0xBEEF + i) & 0xffff);
		ck_assert_uint_eq(tp_get16(ip + 10), ntohs(tp_full_ip_csum(ip)));
		ck_assert_uint_eq(tp_get16(tcp + 16), ntohs(tp_full_l4_csum(ip, tcp, 1020)));
		memcpy(&seq, tcp + 4, 4);
		ck_assert_uint_eq(ntohl(seq), 0x11223344u + i * 1000);
		ck_assert_int_eq(memcmp(tcp + 20, pay + i * 1000, 1000), 0);
		/* CWR on the first only; FIN and PSH on the last only; ACK on all. */
		ck_assert_uint_eq(tcp[13], i == 0 ? 0x80 | 0x10 : i == 2 ? 0x10 | 0x08 | 0x01 : 0x10);
	}
	ck_assert(!vnet_pending(rx));
	pktbuf_reset(&b);
	ck_assert_int_eq(vnet_next(rx, &b), 0);
}
END_TEST

/* The last segment is shorter; an MSS that does not fit a buffer drops the frame. */
START_TEST(tso_short_last_and_too_big)
{
	static uint8_t pay[2500];
	struct tp_spec s = { .proto = PROTO_TCP, .src = TP_VM, .dst = TP_CLIENT, .sport = 1,
			     .dport = 2, .tcp_flags = 0x10, .payload = pay, .paylen = sizeof(pay) };
	struct virtio_net_hdr h = { .flags = VIRTIO_NET_HDR_F_NEEDS_CSUM,
				    .gso_type = VIRTIO_NET_HDR_GSO_TCPV4, .gso_size = 1448,
				    .csum_start = 34, .csum_offset = 16 };
	uint32_t n = frame(&h, &s);

	ck_assert_int_eq(vnet_start(rx, VNET_HDR_LEN + n), 0);
	next_ok();
	ck_assert_uint_eq(b.len, 54 + 1448);
	next_ok();
	ck_assert_uint_eq(b.len, 54 + 2500 - 1448);
	ck_assert_uint_eq(tp_get16(b.data + 14 + 20 + 16),
			  ntohs(tp_full_l4_csum(b.data + 14, b.data + 34, 20 + 2500 - 1448)));
	ck_assert(!vnet_pending(rx));
	h.gso_size = 2400;
	n = frame(&h, &s);
	ck_assert_int_eq(vnet_start(rx, VNET_HDR_LEN + n), 0);
	pktbuf_reset(&b);
	ck_assert_int_eq(vnet_next(rx, &b), -1);
	ck_assert(!vnet_pending(rx));
}
END_TEST

/* A plain frame with a partial UDP checksum comes out whole with it completed. */
START_TEST(csum_completed)
{
	static const uint8_t pay[] = "hello, partial checksum";
	struct tp_spec s = { .proto = PROTO_UDP, .src = TP_VM, .dst = TP_CLIENT, .sport = 5353,
			     .dport = 53, .payload = pay, .paylen = sizeof(pay) };
	struct virtio_net_hdr h = { .flags = VIRTIO_NET_HDR_F_NEEDS_CSUM, .csum_start = 34,
				    .csum_offset = 6 };
	uint8_t *f = rx->buf + VNET_HDR_LEN, *ip = f + 14;
	uint32_t n = frame(&h, &s), src, dst, ps;
	uint16_t l4len = (uint16_t)(8 + sizeof(pay)), want, c;

	want = tp_get16(ip + 20 + 6);
	/* What the guest leaves: the pseudo-header sum, not complemented. */
	memcpy(&src, ip + 12, 4);
	memcpy(&dst, ip + 16, 4);
	ps = csum_ip4_pseudo(src, dst, PROTO_UDP, htons(l4len));
	c = (uint16_t)~csum_fold(ps);
	memcpy(ip + 20 + 6, &c, 2);
	ck_assert_int_eq(vnet_start(rx, VNET_HDR_LEN + n), 0);
	next_ok();
	ck_assert_uint_eq(b.len, n);
	ck_assert_uint_eq(tp_get16(b.data + 14 + 20 + 6), want);
	ck_assert(!vnet_pending(rx));
}
END_TEST

/* Refused: short reads, offsets past the frame, GSO types not offered, TSO of non-TCP. */
START_TEST(refused)
{
	struct tp_spec s = { .proto = PROTO_UDP, .src = TP_VM, .dst = TP_CLIENT, .sport = 1,
			     .dport = 2 };
	struct virtio_net_hdr h = { 0 };
	uint32_t n = frame(&h, &s);

	ck_assert_int_eq(vnet_start(rx, 5), -1);
	ck_assert_int_eq(vnet_start(rx, VNET_HDR_LEN + 13), -1);
	h.flags = VIRTIO_NET_HDR_F_NEEDS_CSUM;
	h.csum_start = (uint16_t)(n - 1);
	h.csum_offset = 0;
	frame(&h, &s);
	ck_assert_int_eq(vnet_start(rx, VNET_HDR_LEN + n), -1);
	h = (struct virtio_net_hdr){ .gso_type = VIRTIO_NET_HDR_GSO_UDP, .gso_size = 100 };
	frame(&h, &s);
	ck_assert_int_eq(vnet_start(rx, VNET_HDR_LEN + n), -1);
	h = (struct virtio_net_hdr){ .gso_type = VIRTIO_NET_HDR_GSO_TCPV4, .gso_size = 100 };
	frame(&h, &s);
	ck_assert_int_eq(vnet_start(rx, VNET_HDR_LEN + n), -1);
	h.gso_type = VIRTIO_NET_HDR_GSO_TCPV4 | VIRTIO_NET_HDR_GSO_ECN;
	frame(&h, &s);
	ck_assert_int_eq(vnet_start(rx, VNET_HDR_LEN + n), -1);
	ck_assert(!vnet_pending(rx));
	/* Nothing special: handed out as it is. */
	h = (struct virtio_net_hdr){ 0 };
	frame(&h, &s);
	ck_assert_int_eq(vnet_start(rx, VNET_HDR_LEN + n), 0);
	next_ok();
	ck_assert_int_eq(memcmp(b.data, rx->buf + VNET_HDR_LEN, n), 0);
}
END_TEST

/* A TUN's bare IPv4 packets: a TSO packet split, a partial checksum completed, short reads refused. */
START_TEST(bare_ip)
{
	static uint8_t pay[2100];
	struct tp_spec s = { .proto = PROTO_TCP, .src = TP_CLIENT, .dst = TP_PUBLIC, .sport = 5201,
			     .dport = 40000, .tcp_flags = 0x10 | 0x08, .payload = pay,
			     .paylen = sizeof(pay) };
	struct virtio_net_hdr h = { .flags = VIRTIO_NET_HDR_F_NEEDS_CSUM,
				    .gso_type = VIRTIO_NET_HDR_GSO_TCPV4, .hdr_len = 40,
				    .gso_size = 1000, .csum_start = 20, .csum_offset = 16 };
	uint8_t *f = rx->buf + VNET_HDR_LEN, *ip, *tcp;
	uint32_t n, i, seq;

	rx->bare_ip = true;
	for (i = 0; i < sizeof(pay); i++)
		pay[i] = (uint8_t)(i * 13);
	memcpy(rx->buf, &h, sizeof(h));
	n = (uint32_t)tp_build(f, &s);
	memset(f + 20 + 16, 0x5a, 2);
	ck_assert_int_eq(vnet_start(rx, VNET_HDR_LEN + n), 0);
	for (i = 0; i < 3; i++) {
		uint32_t pl = i < 2 ? 1000 : 100;

		next_ok();
		ck_assert_uint_eq(b.len, 40 + pl);
		ip = b.data;
		tcp = ip + 20;
		ck_assert_uint_eq(ip[0], 0x45);
		ck_assert_uint_eq(tp_get16(ip + 2), 40 + pl);
		ck_assert_uint_eq(tp_get16(ip + 10), ntohs(tp_full_ip_csum(ip)));
		ck_assert_uint_eq(tp_get16(tcp + 16), ntohs(tp_full_l4_csum(ip, tcp, 20 + pl)));
		memcpy(&seq, tcp + 4, 4);
		ck_assert_uint_eq(ntohl(seq), 0x11223344u + i * 1000);
		ck_assert_int_eq(memcmp(tcp + 20, pay + i * 1000, pl), 0);
		ck_assert_uint_eq(tcp[13], i == 2 ? 0x18 : 0x10);
	}
	ck_assert(!vnet_pending(rx));
	/* Not split: a UDP packet with its checksum left partial. */
	s = (struct tp_spec){ .proto = PROTO_UDP, .src = TP_CLIENT, .dst = TP_PUBLIC, .sport = 53,
			      .dport = 5353, .payload = pay, .paylen = 100 };
	h = (struct virtio_net_hdr){ .flags = VIRTIO_NET_HDR_F_NEEDS_CSUM, .csum_start = 20,
				     .csum_offset = 6 };
	memcpy(rx->buf, &h, sizeof(h));
	n = (uint32_t)tp_build(f, &s);
	{
		uint16_t want = tp_get16(f + 20 + 6), c;
		uint32_t src, dst;

		memcpy(&src, f + 12, 4);
		memcpy(&dst, f + 16, 4);
		c = (uint16_t)~csum_fold(csum_ip4_pseudo(src, dst, PROTO_UDP, htons(108)));
		memcpy(f + 20 + 6, &c, 2);
		ck_assert_int_eq(vnet_start(rx, VNET_HDR_LEN + n), 0);
		next_ok();
		ck_assert_uint_eq(b.len, n);
		ck_assert_uint_eq(tp_get16(b.data + 20 + 6), want);
	}
	/* Shorter than an IPv4 header; a checksum said to start inside it. */
	ck_assert_int_eq(vnet_start(rx, VNET_HDR_LEN + 19), -1);
	h.csum_start = 10;
	memcpy(rx->buf, &h, sizeof(h));
	ck_assert_int_eq(vnet_start(rx, VNET_HDR_LEN + n), -1);
	/* An Ethernet-framed TSO frame is not IPv4 to a TUN reader. */
	h = (struct virtio_net_hdr){ .gso_type = VIRTIO_NET_HDR_GSO_TCPV4, .gso_size = 100 };
	rx->bare_ip = false;
	n = frame(&h, &(struct tp_spec){ .proto = PROTO_TCP, .src = TP_VM, .dst = TP_CLIENT,
					 .sport = 1, .dport = 2, .payload = pay, .paylen = 500 });
	rx->bare_ip = true;
	ck_assert_int_eq(vnet_start(rx, VNET_HDR_LEN + n), -1);
}
END_TEST

static Suite *vnet_suite(void)
{
	Suite *s = suite_create("vnet");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, tso_split);
	tcase_add_test(tc, tso_short_last_and_too_big);
	tcase_add_test(tc, csum_completed);
	tcase_add_test(tc, refused);
	tcase_add_test(tc, bare_ip);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *r = srunner_create(vnet_suite());
	int failed;

	srunner_run_all(r, CK_NORMAL);
	failed = srunner_ntests_failed(r);
	srunner_free(r);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
