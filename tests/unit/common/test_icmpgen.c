// SPDX-License-Identifier: MIT
/* test_icmpgen.c - unit tests for ICMP "fragmentation needed": every field and checksum from scratch. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "icmpgen.h"
#include "pkt.h"
#include "testpkt.h"

#define TP_GW 0xC6130001u        /* 198.19.0.1 */

static uint8_t payload[1800];

/* A TCP packet of len bytes from TP_CLIENT to TP_PUBLIC in a fresh buffer, DF set. */
static void build(struct pktbuf *b, size_t paylen)
{
	struct tp_spec s = { .proto = PROTO_TCP, .src = TP_CLIENT, .dst = TP_PUBLIC,
			     .sport = 40000, .dport = 8080, .frag = 0x4000,
			     .tcp_flags = TCPF_ACK, .payload = payload, .paylen = paylen };

	for (size_t i = 0; i < sizeof(payload); i++)
		payload[i] = (uint8_t)(i * 7 + 3);
	pktbuf_reset(b);
	b->len = (uint32_t)tp_build(b->data, &s);
}

/* The ICMP at b, checked field by field, with both checksums recomputed in full. */
static void ck_frag_needed(const struct pktbuf *b, const uint8_t *orig, size_t origlen,
			   uint32_t src, uint16_t mtu)
{
	const uint8_t *h = b->data;
	size_t embed = origlen > 548 ? 548 : origlen;
	uint16_t got, want;
	struct pkt_ip4 pi;

	ck_assert_uint_eq(b->len, 28 + embed);
	ck_assert_uint_le(b->len, 576);
	ck_assert_int_eq(pkt_parse_ip4(b->data, b->len, &pi), PKT_OK);
	ck_assert_uint_eq(pi.src, src);
	ck_assert_uint_eq(pi.dst, TP_CLIENT);
	ck_assert_uint_eq(pi.proto, PROTO_ICMP);
	ck_assert_uint_eq(pi.l3len, b->len);
	ck_assert(!pi.dont_frag && !pi.is_frag);
	ck_assert_uint_eq(pi.icmp_type, 3);
	ck_assert_uint_eq(pi.icmp_code, 4);
	ck_assert(pkt_ip4_csum_ok(b->data, b->len));
	memcpy(&got, h + 10, 2);
	ck_assert_uint_eq(got, tp_full_ip_csum(h));
	/* The ICMP checksum over the whole message, summed from scratch. */
	ck_assert_uint_eq(csum_fold(csum_partial(h + 20, b->len - 20, 0)), 0);
	memcpy(&got, h + 22, 2);
	want = tp_full_l4_csum(h, h + 20, b->len - 20);
	ck_assert_uint_eq(got, want);
	ck_assert_uint_eq(tp_get16(h + 24), 0);          /* unused (RFC 1191) */
	ck_assert_uint_eq(tp_get16(h + 26), mtu);        /* next-hop MTU */
	ck_assert_mem_eq(h + 28, orig, embed);
}

START_TEST(test_full_size)
{
	static struct pktbuf b;
	uint8_t orig[1500];

	build(&b, 1460);
	ck_assert_uint_eq(b.len, 1500);
	memcpy(orig, b.data, b.len);
	ck_assert_int_eq(icmpgen_frag_needed(&b, TP_PUBLIC, 1464), 0);
	ck_frag_needed(&b, orig, 1500, TP_PUBLIC, 1464);
}
END_TEST

START_TEST(test_small_and_odd)
{
	static struct pktbuf b;
	uint8_t orig[600];

	for (size_t n = 0; n < 530; n += 37) {   /* odd lengths: the ICMP sum pads a byte */
		build(&b, n);
		memcpy(orig, b.data, b.len);
		ck_assert_int_eq(icmpgen_frag_needed(&b, TP_GW, 576), 0);
		ck_frag_needed(&b, orig, 40 + n, TP_GW, 576);
	}
}
END_TEST

START_TEST(test_no_headroom)
{
	static struct pktbuf b;

	build(&b, 100);
	memmove(b.buf, b.data, b.len);
	b.data = b.buf + 10;
	ck_assert_int_eq(icmpgen_frag_needed(&b, TP_GW, 1464), -1);
	b.data = b.buf;
	b.len = 10;
	ck_assert_int_eq(icmpgen_frag_needed(&b, TP_GW, 1464), -1);
}
END_TEST

START_TEST(test_may_answer)
{
	struct pkt_ip4 pi = { .src = TP_CLIENT, .proto = PROTO_TCP, .has_ports = true };

	ck_assert(icmpgen_may_answer(&pi));
	pi.frag_off = 1480;
	ck_assert(!icmpgen_may_answer(&pi));          /* a later fragment */
	pi.frag_off = 0;
	pi.src = 0xE0000001u;
	ck_assert(!icmpgen_may_answer(&pi));          /* multicast */
	pi.src = 0x7F000001u;
	ck_assert(!icmpgen_may_answer(&pi));          /* loopback */
	pi.src = 0;
	ck_assert(!icmpgen_may_answer(&pi));
	pi.src = TP_CLIENT;
	pi.proto = PROTO_ICMP;
	pi.has_ports = false;                        /* an ICMP error */
	ck_assert(!icmpgen_may_answer(&pi));
	pi.has_ports = true;                         /* an echo request */
	ck_assert(icmpgen_may_answer(&pi));
}
END_TEST

START_TEST(test_rate_limit)
{
	struct icmpgen_limit l;
	unsigned sent = 0;

	icmpgen_limit_init(&l, 10, 1000);
	for (int i = 0; i < 100; i++)
		sent += icmpgen_limit_take(&l, 1000);
	ck_assert_uint_eq(sent, 10);                 /* one second's worth at once */
	ck_assert(!icmpgen_limit_take(&l, 1050));
	ck_assert(icmpgen_limit_take(&l, 1100));     /* 100 ms: one more token */
	ck_assert(!icmpgen_limit_take(&l, 1100));
	sent = 0;
	for (int i = 0; i < 100; i++)
		sent += icmpgen_limit_take(&l, 60000);
	ck_assert_uint_eq(sent, 10);                 /* the bucket never holds more */
	icmpgen_limit_init(&l, 0, 0);
	ck_assert(!icmpgen_limit_take(&l, 5000));    /* rate 0: never */
	icmpgen_limit_init(&l, 100000, 0xFFFFFF00u);
	ck_assert(icmpgen_limit_take(&l, 0x00000100u)); /* the clock wraps */
}
END_TEST

static Suite *icmpgen_suite(void)
{
	Suite *s = suite_create("icmpgen");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_full_size);
	tcase_add_test(tc, test_small_and_odd);
	tcase_add_test(tc, test_no_headroom);
	tcase_add_test(tc, test_may_answer);
	tcase_add_test(tc, test_rate_limit);
	suite_add_tcase(s, tc);
	return s;
}

/* main() - run the icmpgen suite; the exit status is nonzero if any check failed. */
int main(void)
{
	SRunner *sr = srunner_create(icmpgen_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
