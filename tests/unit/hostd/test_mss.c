// SPDX-License-Identifier: MIT
/* test_mss.c - unit tests for MSS clamping: option layouts, odd offsets, bad options. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "../common/testpkt.h"
#include "mss.h"

static uint8_t pkt[128];

/* A TCP segment with flags and the option bytes opts (a multiple of 4); parsed into *pi. */
static void build(const uint8_t *opts, size_t optlen, uint8_t flags, struct pkt_ip4 *pi)
{
	struct tp_spec s = { .proto = PROTO_TCP, .src = TP_VM, .dst = TP_CLIENT, .sport = 40000,
			     .dport = 80, .tcp_flags = flags, .payload = opts, .paylen = optlen };
	size_t len = tp_build(pkt, &s);
	uint16_t c;

	pkt[20 + 12] = (uint8_t)((20 + optlen) / 4 << 4);
	c = tp_full_l4_csum(pkt, pkt + 20, len - 20);
	memcpy(pkt + 20 + 16, &c, 2);
	ck_assert_int_eq(pkt_parse_ip4(pkt, len, pi), PKT_OK);
}

/* The TCP checksum must equal one computed from scratch. */
static void ck_tcp_csum(const struct pkt_ip4 *pi)
{
	uint16_t got;

	memcpy(&got, pkt + 20 + 16, 2);
	ck_assert_uint_eq(got, tp_full_l4_csum(pkt, pkt + 20, pi->l4len));
}

static uint16_t mss_at(size_t off)
{
	return tp_get16(pkt + 20 + off);
}

START_TEST(test_plain)
{
	static const uint8_t o[] = { 2, 4, 0x05, 0xB4, 1, 1, 4, 2 };
	struct pkt_ip4 pi;

	build(o, sizeof(o), TCPF_SYN, &pi);
	ck_assert_int_eq(mss_clamp(pkt, &pi, 1424), MSS_CLAMPED);
	ck_assert_uint_eq(mss_at(22), 1424);
	ck_tcp_csum(&pi);
	ck_assert_int_eq(mss_clamp(pkt, &pi, 1424), MSS_NONE);   /* already small enough */
	build(o, sizeof(o), TCPF_SYN | TCPF_ACK, &pi);             /* SYN-ACK: the other way */
	ck_assert_int_eq(mss_clamp(pkt, &pi, 1000), MSS_CLAMPED);
	ck_assert_uint_eq(mss_at(22), 1000);
	ck_tcp_csum(&pi);
}
END_TEST

/* The MSS at each odd offset that a NOP run or window scale can put it at. */
START_TEST(test_odd_offsets)
{
	static const uint8_t o1[] = { 1, 2, 4, 0x05, 0xB4, 1, 1, 0 };          /* option at 21 */
	static const uint8_t o2[] = { 3, 3, 7, 2, 4, 0x23, 0x28, 0 };          /* option at 23 */
	static const uint8_t o3[] = { 4, 2, 1, 2, 4, 0xFF, 0xFF, 0 };          /* option at 23 */
	const uint8_t *all[] = { o1, o2, o3 };
	const size_t at[] = { 3, 5, 5 };            /* the MSS value, from the TCP header */
	struct pkt_ip4 pi;

	for (int i = 0; i < 3; i++) {
		build(all[i], 8, TCPF_SYN, &pi);
		ck_assert_int_eq(mss_clamp(pkt, &pi, 1424), MSS_CLAMPED);
		ck_assert_uint_eq(mss_at(20 + at[i]), 1424);
		ck_tcp_csum(&pi);
	}
}
END_TEST

START_TEST(test_two_mss_options)
{
	static const uint8_t o[] = { 2, 4, 0x05, 0xB4, 1, 2, 4, 0x05, 0xB4, 0, 0, 0 };
	struct pkt_ip4 pi;

	build(o, sizeof(o), TCPF_SYN, &pi);
	ck_assert_int_eq(mss_clamp(pkt, &pi, 536), MSS_CLAMPED);
	ck_assert_uint_eq(mss_at(22), 536);
	ck_assert_uint_eq(mss_at(27), 536);
	ck_tcp_csum(&pi);
}
END_TEST

START_TEST(test_left_alone)
{
	static const uint8_t none[] = { 1, 1, 4, 2, 3, 3, 7, 0 };
	static const uint8_t after_eol[] = { 0, 0, 0, 0, 2, 4, 0x05, 0xB4 };
	static const uint8_t mss[] = { 2, 4, 0x05, 0xB4 };
	struct pkt_ip4 pi;
	uint8_t before[128];

	build(none, sizeof(none), TCPF_SYN, &pi);
	ck_assert_int_eq(mss_clamp(pkt, &pi, 1000), MSS_NONE);
	build(after_eol, sizeof(after_eol), TCPF_SYN, &pi);
	memcpy(before, pkt, sizeof(pkt));
	ck_assert_int_eq(mss_clamp(pkt, &pi, 1000), MSS_NONE);
	ck_assert_mem_eq(before, pkt, sizeof(pkt));
	build(mss, sizeof(mss), TCPF_ACK, &pi);                    /* not a SYN */
	ck_assert_int_eq(mss_clamp(pkt, &pi, 1000), MSS_NONE);
	build(NULL, 0, TCPF_SYN, &pi);                             /* no options */
	ck_assert_int_eq(mss_clamp(pkt, &pi, 1000), MSS_NONE);
	build(mss, sizeof(mss), TCPF_SYN, &pi);
	pi.is_frag = true;                                         /* a first fragment */
	ck_assert_int_eq(mss_clamp(pkt, &pi, 1000), MSS_NONE);
	pi.is_frag = false;
	pi.proto = PROTO_UDP;
	ck_assert_int_eq(mss_clamp(pkt, &pi, 1000), MSS_NONE);
}
END_TEST

/* Malformed lists are reported and nothing is written, even an MSS seen before. */
START_TEST(test_bad_options)
{
	static const uint8_t bad[][8] = {
		{ 2, 4, 0x05, 0xB4, 8, 0, 0, 0 },                /* length 0 */
		{ 2, 4, 0x05, 0xB4, 8, 1, 0, 0 },                /* length 1 */
		{ 2, 4, 0x05, 0xB4, 8, 10, 0, 0 },               /* runs off the options */
		{ 2, 3, 0x05, 1, 1, 1, 1, 1 },                   /* MSS of length 3 */
		{ 1, 1, 1, 1, 1, 1, 1, 2 },                      /* kind with no length byte */
		{ 1, 1, 1, 1, 1, 2, 4, 0x05 },                   /* MSS cut short */
	};
	uint8_t before[128];
	struct pkt_ip4 pi;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		build(bad[i], 8, TCPF_SYN, &pi);
		memcpy(before, pkt, sizeof(pkt));
		ck_assert_int_eq(mss_clamp(pkt, &pi, 536), MSS_BAD);
		ck_assert_mem_eq(before, pkt, sizeof(pkt));
	}
	build(bad[0], 8, TCPF_SYN, &pi);
	pi.l4len = 21;                                   /* data offset beyond the segment */
	ck_assert_int_eq(mss_clamp(pkt, &pi, 536), MSS_BAD);
	pi.l4len = 10;
	ck_assert_int_eq(mss_clamp(pkt, &pi, 536), MSS_BAD);
	pkt[20 + 12] = 4 << 4;                           /* data offset below 5 */
	pi.l4len = 28;
	ck_assert_int_eq(mss_clamp(pkt, &pi, 536), MSS_BAD);
}
END_TEST

static Suite *mss_suite(void)
{
	Suite *s = suite_create("mss");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_plain);
	tcase_add_test(tc, test_odd_offsets);
	tcase_add_test(tc, test_two_mss_options);
	tcase_add_test(tc, test_left_alone);
	tcase_add_test(tc, test_bad_options);
	suite_add_tcase(s, tc);
	return s;
}

/* main() - run the mss suite; the exit status is nonzero if any check failed. */
int main(void)
{
	SRunner *sr = srunner_create(mss_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
