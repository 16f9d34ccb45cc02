// SPDX-License-Identifier: MIT
/* test_nat.c - unit tests for NAT rewriting: incremental checksums match full ones. */
#include <check.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "nat.h"
#include "pkt.h"
#include "testpkt.h"

static uint32_t rng_state = 0x9E3779B9;

static uint32_t rng(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 17;
	rng_state ^= rng_state << 5;
	return rng_state;
}

/* Both checksums of the packet at ip must equal a full recomputation. */
static void ck_csums_full(const uint8_t *ip, const struct pkt_ip4 *pi)
{
	size_t off = tp_l4_check_off(pi->proto);
	uint16_t got;

	memcpy(&got, ip + 10, 2);
	ck_assert_uint_eq(got, tp_full_ip_csum(ip));
	if (!off || pi->frag_off || pi->more_frags)
		return;
	memcpy(&got, ip + pi->l4off + off, 2);
	if (pi->proto == PROTO_UDP && got == 0)
		return;
	ck_assert_uint_eq(got, tp_full_l4_csum(ip, ip + pi->l4off, pi->l4len));
}

/* A random address in one of the documentation/benchmark ranges (DESIGN.md s5). */
static uint32_t rng_addr(void)
{
	static const uint32_t nets[] = { 0xC0000200, 0xC6336400, 0xCB007100 };

	if (rng() % 4 == 0)
		return 0xC6120000 | (rng() & 0x1FFFF);      /* 198.18.0.0/15 */
	return nets[rng() % 3] | (rng() & 0xFF);
}

/* Rewrite a copy of the packet at an odd address (no alignment assumed). */
static void rewrite_unaligned(uint8_t *pkt, size_t len, struct pkt_ip4 *pi,
			      enum nat_side side, uint32_t addr, uint16_t port)
{
	uint8_t store[256];

	ck_assert_uint_le(len + 1, sizeof(store));
	memcpy(store + 1, pkt, len);
	nat_rewrite(store + 1, pi, side, addr, port);
	memcpy(pkt, store + 1, len);
}

/* Random packets: the rewrite equals building the packet with the new values. */
START_TEST(test_random_vs_rebuild)
{
	static const uint8_t protos[] = { PROTO_TCP, PROTO_UDP, PROTO_UDP, PROTO_ICMP };
	uint8_t payload[64], pkt[128], want[128];
	int iter;

	for (iter = 0; iter < 4000; iter++) {
		struct tp_spec s = {
			.proto = protos[rng() % 4], .src = rng_addr(), .dst = rng_addr(),
			.sport = (uint16_t)rng(), .dport = (uint16_t)rng(),
			.tcp_flags = (uint8_t)rng(), .icmp_type = rng() & 1 ? ICMP_ECHO : 0,
			.udp_nocsum = rng() % 4 == 0, .payload = payload,
			.paylen = rng() % sizeof(payload),
		};
		enum nat_side side = rng() & 1 ? NAT_SRC : NAT_DST;
		uint32_t addr = rng_addr();
		uint16_t port = (uint16_t)rng();
		struct pkt_ip4 pi, again;
		size_t i, len;

		for (i = 0; i < s.paylen; i++)
			payload[i] = (uint8_t)rng();
		len = tp_build(pkt, &s);
		ck_assert_int_eq(pkt_parse_ip4(pkt, len, &pi), PKT_OK);
		rewrite_unaligned(pkt, len, &pi, side, addr, port);

		if (s.proto == PROTO_ICMP) {
			s.sport = port;
		} else if (side == NAT_SRC) {
			s.sport = port;
		} else {
			s.dport = port;
		}
		if (side == NAT_SRC)
			s.src = addr;
		else
			s.dst = addr;
		tp_build(want, &s);
		ck_assert_mem_eq(pkt, want, len);
		ck_csums_full(pkt, &pi);

		/* *pi follows the packet. */
		ck_assert_int_eq(pkt_parse_ip4(pkt, len, &again), PKT_OK);
		ck_assert_mem_eq(&again, &pi, sizeof(pi));
	}
}
END_TEST

START_TEST(test_tcp_dnat)
{
	struct tp_spec s = { .proto = PROTO_TCP, .src = TP_CLIENT, .dst = TP_PUBLIC,
			     .sport = 40000, .dport = 8080, .tcp_flags = TCPF_SYN };
	uint8_t pkt[128];
	struct pkt_ip4 pi;
	size_t len = tp_build(pkt, &s);

	ck_assert_int_eq(pkt_parse_ip4(pkt, len, &pi), PKT_OK);
	nat_rewrite(pkt, &pi, NAT_DST, TP_VM, 80);
	ck_assert_uint_eq(pi.dst, TP_VM);
	ck_assert_uint_eq(pi.dport, 80);
	ck_assert_uint_eq(pi.src, TP_CLIENT);
	ck_assert_uint_eq(pi.sport, 40000);
	ck_assert_uint_eq(tp_get16(pkt + 22), 80);
	ck_assert(pkt_ip4_csum_ok(pkt, len));
	ck_csums_full(pkt, &pi);
}
END_TEST

START_TEST(test_udp_zero_stays_zero)
{
	struct tp_spec s = { .proto = PROTO_UDP, .src = TP_VM, .dst = TP_CLIENT,
			     .sport = 5353, .dport = 53, .udp_nocsum = true };
	uint8_t pkt[64];
	struct pkt_ip4 pi;
	size_t len = tp_build(pkt, &s);

	ck_assert_int_eq(pkt_parse_ip4(pkt, len, &pi), PKT_OK);
	nat_rewrite(pkt, &pi, NAT_SRC, TP_PUBLIC, 40053);
	ck_assert_uint_eq(tp_get16(pkt + 26), 0);
	ck_assert_uint_eq(tp_get16(pkt + 20), 40053);
	ck_assert(pkt_ip4_csum_ok(pkt, len));
}
END_TEST

/*
 * Pick the 2-byte payload so that after SNAT to TP_PUBLIC:40053 the full
 * UDP checksum computes to 0: the rewrite must then send 0xFFFF.
 */
START_TEST(test_udp_zero_becomes_ffff)
{
	struct tp_spec s = { .proto = PROTO_UDP, .src = TP_VM, .dst = TP_CLIENT,
			     .sport = 5353, .dport = 53 };
	uint8_t pay[2] = { 0, 0 }, pkt[64];
	struct pkt_ip4 pi;
	uint32_t sum;
	size_t len;
	uint16_t w;

	s.payload = pay;
	s.paylen = sizeof(pay);
	/* Sum of the rewritten packet with a zero word; the word then makes it 0xFFFF. */
	s.src = TP_PUBLIC;
	s.sport = 40053;
	s.udp_nocsum = true;
	len = tp_build(pkt, &s);
	sum = csum_ip4_pseudo(htonl(TP_PUBLIC), htonl(TP_CLIENT), PROTO_UDP, htons(10));
	w = csum_fold(csum_partial(pkt + 20, 10, sum));
	memcpy(pay, &w, 2);

	s.src = TP_VM;
	s.sport = 5353;
	s.udp_nocsum = false;
	len = tp_build(pkt, &s);
	ck_assert_uint_ne(tp_get16(pkt + 26), 0xFFFF);     /* the case is not trivial */
	ck_assert_int_eq(pkt_parse_ip4(pkt, len, &pi), PKT_OK);
	nat_rewrite(pkt, &pi, NAT_SRC, TP_PUBLIC, 40053);
	ck_assert_uint_eq(tp_get16(pkt + 26), 0xFFFF);
	ck_assert_uint_eq(tp_full_l4_csum(pkt, pkt + 20, 10), 0xFFFF);
	/* And it verifies: the sum including 0xFFFF folds to all ones. */
	ck_assert_uint_eq(csum_fold(csum_partial(pkt + 20, 10, sum)), 0);
}
END_TEST

START_TEST(test_icmp_echo_id)
{
	struct tp_spec s = { .proto = PROTO_ICMP, .src = TP_VM, .dst = TP_CLIENT,
			     .sport = 0x1234, .icmp_type = ICMP_ECHO };
	uint8_t pkt[64];
	struct pkt_ip4 pi;
	size_t len = tp_build(pkt, &s);
	uint16_t check0;

	/* Address only (same id): the ICMP checksum has no pseudo header to change. */
	memcpy(&check0, pkt + 22, 2);
	ck_assert_int_eq(pkt_parse_ip4(pkt, len, &pi), PKT_OK);
	nat_rewrite(pkt, &pi, NAT_SRC, TP_PUBLIC, 0x1234);
	ck_assert_mem_eq(pkt + 22, &check0, 2);

	/* SNAT changes the identifier. */
	nat_rewrite(pkt, &pi, NAT_SRC, TP_PUBLIC, 2000);
	ck_assert_uint_eq(tp_get16(pkt + 24), 2000);
	ck_assert_uint_eq(pi.sport, 2000);
	ck_assert_uint_eq(pi.dport, 2000);
	ck_csums_full(pkt, &pi);

	/* The reply is DNATed: the identifier changes too. */
	s = (struct tp_spec){ .proto = PROTO_ICMP, .src = TP_CLIENT, .dst = TP_PUBLIC,
			      .sport = 2000, .icmp_type = ICMP_ECHOREPLY };
	len = tp_build(pkt, &s);
	ck_assert_int_eq(pkt_parse_ip4(pkt, len, &pi), PKT_OK);
	nat_rewrite(pkt, &pi, NAT_DST, TP_VM, 0x1234);
	ck_assert_uint_eq(tp_get16(pkt + 24), 0x1234);
	ck_assert_uint_eq(pi.dst, TP_VM);
	ck_csums_full(pkt, &pi);
	ck_assert(pkt_ip4_csum_ok(pkt, len));
}
END_TEST

/* ICMP errors carry no port: only the address (the embedded packet is not ours). */
START_TEST(test_icmp_error_addr_only)
{
	uint8_t body[28] = { 0x45 }, pkt[64], before[64];
	struct tp_spec s = { .proto = PROTO_ICMP, .src = TP_CLIENT, .dst = TP_PUBLIC,
			     .icmp_type = ICMP_UNREACH, .icmp_code = 3,
			     .payload = body, .paylen = sizeof(body) };
	struct pkt_ip4 pi;
	size_t len = tp_build(pkt, &s);

	memcpy(before, pkt, len);
	ck_assert_int_eq(pkt_parse_ip4(pkt, len, &pi), PKT_OK);
	nat_rewrite(pkt, &pi, NAT_DST, TP_VM, 999);
	ck_assert_mem_eq(pkt + 20, before + 20, len - 20);
	ck_assert_uint_eq(pi.dst, TP_VM);
	ck_assert(pkt_ip4_csum_ok(pkt, len));
}
END_TEST

/* A later fragment: the address and IP checksum change, nothing past the header. */
START_TEST(test_nonfirst_fragment)
{
	uint8_t pay[24], pkt[64], before[64];
	struct tp_spec s = { .proto = PROTO_TCP, .src = TP_CLIENT, .dst = TP_PUBLIC,
			     .sport = 1, .dport = 2, .frag = 3, .payload = pay,
			     .paylen = sizeof(pay) };
	struct pkt_ip4 pi;
	size_t len;

	memset(pay, 0x5A, sizeof(pay));
	len = tp_build(pkt, &s);
	memcpy(before, pkt, len);
	ck_assert_int_eq(pkt_parse_ip4(pkt, len, &pi), PKT_OK);
	ck_assert(!pi.has_ports);
	nat_rewrite(pkt, &pi, NAT_DST, TP_VM, 80);
	ck_assert_mem_eq(pkt + 20, before + 20, len - 20);
	ck_assert_uint_eq(tp_get16(pkt + 16), TP_VM >> 16);
	ck_assert_uint_eq(pi.dst, TP_VM);
	ck_assert_uint_eq(pi.dport, 0);
	ck_assert(pkt_ip4_csum_ok(pkt, len));
}
END_TEST

/*
 * The first fragment holds the checksum of the whole datagram: after the
 * rewrite it must equal the checksum of the whole datagram rewritten.
 */
static void check_first_fragment(uint8_t proto, enum nat_side side)
{
	uint8_t pay[40], whole[128], frag[64];
	struct tp_spec s = { .proto = proto, .src = TP_VM, .dst = TP_CLIENT,
			     .sport = 3333, .dport = 443, .tcp_flags = TCPF_ACK,
			     .payload = pay, .paylen = sizeof(pay) };
	size_t coff = tp_l4_check_off(proto), flen = 20 + 24;
	struct pkt_ip4 pi;
	size_t i, len;

	for (i = 0; i < sizeof(pay); i++)
		pay[i] = (uint8_t)(i * 37 + 1);
	len = tp_build(whole, &s);
	/* First 24 bytes of L4 in a fragment with MF set. */
	memcpy(frag, whole, flen);
	tp_put16(frag + 2, (uint16_t)flen);
	tp_put16(frag + 6, TP_IP_MF);
	memset(frag + 10, 0, 2);
	{
		uint16_t c = tp_full_ip_csum(frag);

		memcpy(frag + 10, &c, 2);
	}
	ck_assert_int_eq(pkt_parse_ip4(frag, flen, &pi), PKT_OK);
	ck_assert(pi.has_ports && pi.more_frags);
	nat_rewrite(frag, &pi, side, TP_PUBLIC, 40001);

	ck_assert_int_eq(pkt_parse_ip4(whole, len, &pi), PKT_OK);
	nat_rewrite(whole, &pi, side, TP_PUBLIC, 40001);
	ck_csums_full(whole, &pi);
	ck_assert_mem_eq(frag + 20 + coff, whole + 20 + coff, 2);
	ck_assert_mem_eq(frag + 12, whole + 12, 8);
	ck_assert(pkt_ip4_csum_ok(frag, flen));
}

START_TEST(test_first_fragment)
{
	check_first_fragment(PROTO_TCP, NAT_SRC);
	check_first_fragment(PROTO_TCP, NAT_DST);
	check_first_fragment(PROTO_UDP, NAT_SRC);
	check_first_fragment(PROTO_UDP, NAT_DST);
}
END_TEST

/* Nothing is written past l3len, even when the buffer holds link padding. */
START_TEST(test_padding_untouched)
{
	struct tp_spec s = { .proto = PROTO_UDP, .src = TP_VM, .dst = TP_CLIENT,
			     .sport = 1, .dport = 2 };
	uint8_t pkt[64];
	struct pkt_ip4 pi;
	size_t len = tp_build(pkt, &s), i;

	memset(pkt + len, 0xCC, sizeof(pkt) - len);
	ck_assert_int_eq(pkt_parse_ip4(pkt, sizeof(pkt), &pi), PKT_OK);
	nat_rewrite(pkt, &pi, NAT_SRC, TP_PUBLIC, 9);
	nat_rewrite(pkt, &pi, NAT_DST, TP_PUBLIC, 9);
	for (i = len; i < sizeof(pkt); i++)
		ck_assert_uint_eq(pkt[i], 0xCC);
	ck_csums_full(pkt, &pi);
}
END_TEST

static Suite *nat_suite(void)
{
	Suite *s = suite_create("nat");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_random_vs_rebuild);
	tcase_add_test(tc, test_tcp_dnat);
	tcase_add_test(tc, test_udp_zero_stays_zero);
	tcase_add_test(tc, test_udp_zero_becomes_ffff);
	tcase_add_test(tc, test_icmp_echo_id);
	tcase_add_test(tc, test_icmp_error_addr_only);
	tcase_add_test(tc, test_nonfirst_fragment);
	tcase_add_test(tc, test_first_fragment);
	tcase_add_test(tc, test_padding_untouched);
	suite_add_tcase(s, tc);
	return s;
}

/* main() - run the nat suite; the exit status is nonzero if any check failed. */
int main(void)
{
	SRunner *sr = srunner_create(nat_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
