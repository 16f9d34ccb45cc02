// SPDX-License-Identifier: MIT
/* test_pkt.c - unit tests for IPv4/TCP/UDP/ICMP parsing. */
#include <check.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "pkt.h"
#include "testpkt.h"

static const uint8_t payload[32] = "0123456789abcdefghijklmnopqrstu";

static struct tp_spec spec_tcp(void)
{
	return (struct tp_spec){
		.proto = PROTO_TCP, .src = TP_CLIENT, .dst = TP_PUBLIC,
		.sport = 40000, .dport = 8080, .tcp_flags = TCPF_SYN,
		.payload = payload, .paylen = 5,
	};
}

static struct tp_spec spec_udp(void)
{
	return (struct tp_spec){
		.proto = PROTO_UDP, .src = TP_VM, .dst = TP_CLIENT,
		.sport = 53, .dport = 40053, .payload = payload, .paylen = 11,
	};
}

static struct tp_spec spec_echo(uint8_t type)
{
	return (struct tp_spec){
		.proto = PROTO_ICMP, .src = TP_CLIENT, .dst = TP_PUBLIC,
		.sport = 0x4242, .icmp_type = type, .payload = payload, .paylen = 16,
	};
}

/* Parse a heap copy of exactly len bytes so that ASan sees any overread. */
static enum pkt_err parse_exact(const uint8_t *buf, size_t len, struct pkt_ip4 *pi)
{
	uint8_t *copy = malloc(len ? len : 1);
	enum pkt_err err;

	ck_assert_ptr_nonnull(copy);
	memcpy(copy, buf, len);
	err = pkt_parse_ip4(copy, len, pi);
	free(copy);
	return err;
}

START_TEST(test_tcp_syn)
{
	struct tp_spec s = spec_tcp();
	struct pkt_ip4 pi;
	uint8_t buf[128];
	size_t len = tp_build(buf, &s);

	ck_assert_int_eq(parse_exact(buf, len, &pi), PKT_OK);
	ck_assert_uint_eq(pi.src, TP_CLIENT);
	ck_assert_uint_eq(pi.dst, TP_PUBLIC);
	ck_assert_uint_eq(pi.proto, PROTO_TCP);
	ck_assert_uint_eq(pi.l3len, len);
	ck_assert_uint_eq(pi.hlen, 20);
	ck_assert_uint_eq(pi.l4off, 20);
	ck_assert_uint_eq(pi.l4len, 25);
	ck_assert_uint_eq(pi.ttl, 64);
	ck_assert_uint_eq(pi.ipid, 0xBEEF);
	ck_assert(!pi.is_frag && !pi.more_frags);
	ck_assert_uint_eq(pi.frag_off, 0);
	ck_assert(pi.has_ports);
	ck_assert_uint_eq(pi.sport, 40000);
	ck_assert_uint_eq(pi.dport, 8080);
	ck_assert_uint_eq(pi.tcp_flags, TCPF_SYN);
	ck_assert(pkt_ip4_csum_ok(buf, len));
}
END_TEST

START_TEST(test_udp)
{
	struct tp_spec s = spec_udp();
	struct pkt_ip4 pi;
	uint8_t buf[128];
	size_t len = tp_build(buf, &s);

	ck_assert_int_eq(parse_exact(buf, len, &pi), PKT_OK);
	ck_assert(pi.has_ports);
	ck_assert_uint_eq(pi.sport, 53);
	ck_assert_uint_eq(pi.dport, 40053);
	ck_assert_uint_eq(pi.l4len, 19);
	ck_assert_uint_eq(pi.tcp_flags, 0);
}
END_TEST

START_TEST(test_icmp)
{
	struct tp_spec s = spec_echo(ICMP_ECHO);
	struct pkt_ip4 pi;
	uint8_t buf[128];
	size_t len = tp_build(buf, &s);

	ck_assert_int_eq(parse_exact(buf, len, &pi), PKT_OK);
	ck_assert(pi.has_ports);
	ck_assert_uint_eq(pi.sport, 0x4242);
	ck_assert_uint_eq(pi.dport, 0x4242);
	ck_assert_uint_eq(pi.icmp_type, ICMP_ECHO);

	s = spec_echo(ICMP_ECHOREPLY);
	len = tp_build(buf, &s);
	ck_assert_int_eq(parse_exact(buf, len, &pi), PKT_OK);
	ck_assert(pi.has_ports);
	ck_assert_uint_eq(pi.sport, 0x4242);

	/* An error message has no identifier: type and code only. */
	s.icmp_type = ICMP_UNREACH;
	s.icmp_code = 3;
	len = tp_build(buf, &s);
	ck_assert_int_eq(parse_exact(buf, len, &pi), PKT_OK);
	ck_assert(!pi.has_ports);
	ck_assert_uint_eq(pi.icmp_type, ICMP_UNREACH);
	ck_assert_uint_eq(pi.icmp_code, 3);
	ck_assert_uint_eq(pi.sport, 0);
}
END_TEST

START_TEST(test_other_proto)
{
	struct tp_spec s = { .proto = 47, .src = TP_CLIENT, .dst = TP_PUBLIC,
			     .payload = payload, .paylen = 3 };
	struct pkt_ip4 pi;
	uint8_t buf[64];
	size_t len = tp_build(buf, &s);

	ck_assert_int_eq(parse_exact(buf, len, &pi), PKT_OK);
	ck_assert(!pi.has_ports);
	ck_assert_uint_eq(pi.proto, 47);
	ck_assert_uint_eq(pi.l4len, 3);
}
END_TEST

/* Cut every packet kind at every length short of whole: a clean error each time. */
START_TEST(test_truncated_everywhere)
{
	struct tp_spec specs[] = { spec_tcp(), spec_udp(), spec_echo(ICMP_ECHO) };
	struct pkt_ip4 pi;
	uint8_t buf[128];
	size_t i, len, cut;

	specs[0].paylen = 0;
	for (i = 0; i < sizeof(specs) / sizeof(specs[0]); i++) {
		len = tp_build(buf, &specs[i]);
		for (cut = 0; cut < len; cut++)
			ck_assert_int_ne(parse_exact(buf, cut, &pi), PKT_OK);
		ck_assert_int_eq(parse_exact(buf, len, &pi), PKT_OK);
	}
	ck_assert_int_eq(parse_exact(buf, 0, &pi), PKT_ERR_SHORT);
	ck_assert_int_eq(parse_exact(buf, 19, &pi), PKT_ERR_SHORT);
	ck_assert_int_eq(parse_exact(buf, 20, &pi), PKT_ERR_TOTLEN);
}
END_TEST

/* tot_len itself cut short of the L4 header: the L4 parse refuses it. */
START_TEST(test_l4_short_by_totlen)
{
	struct tp_spec specs[] = { spec_tcp(), spec_udp(), spec_echo(ICMP_ECHO) };
	const size_t need[] = { 20, 8, 8 };
	struct pkt_ip4 pi;
	uint8_t buf[128];
	size_t i, l4;

	for (i = 0; i < 3; i++) {
		tp_build(buf, &specs[i]);
		for (l4 = 0; l4 < need[i]; l4++) {
			tp_put16(buf + 2, (uint16_t)(20 + l4));
			ck_assert_int_eq(parse_exact(buf, 20 + l4, &pi), PKT_ERR_L4);
		}
		tp_put16(buf + 2, (uint16_t)(20 + need[i]));
		ck_assert_int_eq(parse_exact(buf, 20 + need[i], &pi), PKT_OK);
	}
}
END_TEST

START_TEST(test_bad_version)
{
	struct tp_spec s = spec_udp();
	struct pkt_ip4 pi;
	uint8_t buf[128];
	size_t len = tp_build(buf, &s);

	buf[0] = 0x65;
	ck_assert_int_eq(parse_exact(buf, len, &pi), PKT_ERR_VERSION);
	buf[0] = 0x05;
	ck_assert_int_eq(parse_exact(buf, len, &pi), PKT_ERR_VERSION);
}
END_TEST

START_TEST(test_bad_ihl)
{
	struct tp_spec s = spec_udp();
	struct pkt_ip4 pi;
	uint8_t buf[128];
	size_t len = tp_build(buf, &s);
	int ihl;

	for (ihl = 0; ihl < 5; ihl++) {
		buf[0] = (uint8_t)(0x40 | ihl);
		ck_assert_int_eq(parse_exact(buf, len, &pi), PKT_ERR_HDRLEN);
	}
	/* 60-byte header in a 39-byte packet. */
	buf[0] = 0x4F;
	ck_assert_int_eq(parse_exact(buf, len, &pi), PKT_ERR_HDRLEN);
	/* 24-byte header with options: the L4 header moves. */
	memmove(buf + 24, buf + 20, len - 20);
	memset(buf + 20, 1, 4);              /* four NOP options */
	buf[0] = 0x46;
	tp_put16(buf + 2, (uint16_t)(len + 4));
	ck_assert_int_eq(parse_exact(buf, len + 4, &pi), PKT_OK);
	ck_assert_uint_eq(pi.hlen, 24);
	ck_assert_uint_eq(pi.l4off, 24);
	ck_assert_uint_eq(pi.sport, 53);
}
END_TEST

START_TEST(test_totlen)
{
	struct tp_spec s = spec_udp();
	struct pkt_ip4 pi;
	uint8_t buf[128];
	size_t len = tp_build(buf, &s);

	tp_put16(buf + 2, (uint16_t)(len + 1));
	ck_assert_int_eq(parse_exact(buf, len, &pi), PKT_ERR_TOTLEN);
	tp_put16(buf + 2, 19);
	ck_assert_int_eq(parse_exact(buf, len, &pi), PKT_ERR_TOTLEN);
	tp_put16(buf + 2, 0);
	ck_assert_int_eq(parse_exact(buf, len, &pi), PKT_ERR_TOTLEN);
}
END_TEST

/* Link padding after tot_len is not part of the packet. */
START_TEST(test_padding)
{
	struct tp_spec s = spec_tcp();
	struct pkt_ip4 pi;
	uint8_t buf[128];
	size_t len;

	s.paylen = 0;
	len = tp_build(buf, &s);
	memset(buf + len, 0xAA, 14);
	ck_assert_int_eq(parse_exact(buf, len + 14, &pi), PKT_OK);
	ck_assert_uint_eq(pi.l3len, len);
	ck_assert_uint_eq(pi.l4len, 20);
}
END_TEST

START_TEST(test_tcp_doff)
{
	struct tp_spec s = spec_tcp();
	struct pkt_ip4 pi;
	uint8_t buf[128];
	size_t len = tp_build(buf, &s);       /* 20-byte TCP header + 5 bytes */
	int doff;

	for (doff = 0; doff < 5; doff++) {
		buf[32] = (uint8_t)(doff << 4);
		ck_assert_int_eq(parse_exact(buf, len, &pi), PKT_ERR_L4);
	}
	buf[32] = 6 << 4;                     /* 24 <= 25: fits */
	ck_assert_int_eq(parse_exact(buf, len, &pi), PKT_OK);
	buf[32] = 7 << 4;                     /* 28 > 25 */
	ck_assert_int_eq(parse_exact(buf, len, &pi), PKT_ERR_L4);
	buf[32] = 0xF0;
	ck_assert_int_eq(parse_exact(buf, len, &pi), PKT_ERR_L4);
}
END_TEST

START_TEST(test_tcp_flags)
{
	struct tp_spec s = spec_tcp();
	struct pkt_ip4 pi;
	uint8_t buf[128];
	size_t len;

	s.tcp_flags = TCPF_FIN | TCPF_ACK | TCPF_PSH;
	len = tp_build(buf, &s);
	ck_assert_int_eq(parse_exact(buf, len, &pi), PKT_OK);
	ck_assert_uint_eq(pi.tcp_flags, TCPF_FIN | TCPF_ACK | TCPF_PSH);
}
END_TEST

/* A later fragment has no L4 header: no ports, and short L4 data is fine. */
START_TEST(test_nonfirst_fragment)
{
	struct tp_spec s = { .proto = PROTO_UDP, .src = TP_CLIENT, .dst = TP_PUBLIC,
			     .frag = 185, .payload = payload, .paylen = 3 };
	struct pkt_ip4 pi;
	uint8_t buf[128];
	size_t len;

	len = tp_build(buf, &s);
	tp_put16(buf + 2, 23);                /* just 3 bytes of data */
	ck_assert_int_eq(parse_exact(buf, 23, &pi), PKT_OK);
	ck_assert(pi.is_frag);
	ck_assert(!pi.more_frags);
	ck_assert_uint_eq(pi.frag_off, 1480);
	ck_assert(!pi.has_ports);
	ck_assert_uint_eq(pi.sport, 0);
	ck_assert_uint_eq(pi.l4len, 3);

	s.proto = PROTO_TCP;
	s.frag = TP_IP_MF | 0x1FFF;           /* middle fragment, largest offset */
	len = tp_build(buf, &s);
	ck_assert_int_eq(parse_exact(buf, len, &pi), PKT_OK);
	ck_assert(pi.is_frag && pi.more_frags);
	ck_assert_uint_eq(pi.frag_off, 0x1FFF * 8);
	ck_assert(!pi.has_ports);
	ck_assert_uint_eq(pi.tcp_flags, 0);
}
END_TEST

START_TEST(test_first_fragment)
{
	struct tp_spec s = spec_udp();
	struct pkt_ip4 pi;
	uint8_t buf[128];
	size_t len;

	s.frag = TP_IP_MF;
	len = tp_build(buf, &s);
	ck_assert_int_eq(parse_exact(buf, len, &pi), PKT_OK);
	ck_assert(pi.is_frag && pi.more_frags);
	ck_assert_uint_eq(pi.frag_off, 0);
	ck_assert(pi.has_ports);
	ck_assert_uint_eq(pi.dport, 40053);

	/* DF alone is not a fragment. */
	s.frag = 0x4000;
	len = tp_build(buf, &s);
	ck_assert_int_eq(parse_exact(buf, len, &pi), PKT_OK);
	ck_assert(!pi.is_frag);
}
END_TEST

START_TEST(test_csum_ok)
{
	struct tp_spec s = spec_tcp();
	uint8_t buf[128];
	size_t len = tp_build(buf, &s);

	ck_assert(pkt_ip4_csum_ok(buf, len));
	ck_assert(!pkt_ip4_csum_ok(buf, 19));
	ck_assert(!pkt_ip4_csum_ok(buf, 0));
	buf[8]--;                             /* TTL changed, checksum not */
	ck_assert(!pkt_ip4_csum_ok(buf, len));
	buf[8]++;
	buf[0] = 0x44;
	ck_assert(!pkt_ip4_csum_ok(buf, len));
}
END_TEST

START_TEST(test_err_str)
{
	enum pkt_err e;

	for (e = PKT_OK; e <= PKT_ERR_L4; e++) {
		ck_assert_ptr_nonnull(pkt_err_str(e));
		ck_assert_str_ne(pkt_err_str(e), "unknown");
	}
	ck_assert_str_eq(pkt_err_str(PKT_ERR_L4), "l4");
	ck_assert_str_eq(pkt_err_str((enum pkt_err)99), "unknown");
}
END_TEST

static Suite *pkt_suite(void)
{
	Suite *s = suite_create("pkt");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_tcp_syn);
	tcase_add_test(tc, test_udp);
	tcase_add_test(tc, test_icmp);
	tcase_add_test(tc, test_other_proto);
	tcase_add_test(tc, test_truncated_everywhere);
	tcase_add_test(tc, test_l4_short_by_totlen);
	tcase_add_test(tc, test_bad_version);
	tcase_add_test(tc, test_bad_ihl);
	tcase_add_test(tc, test_totlen);
	tcase_add_test(tc, test_padding);
	tcase_add_test(tc, test_tcp_doff);
	tcase_add_test(tc, test_tcp_flags);
	tcase_add_test(tc, test_nonfirst_fragment);
	tcase_add_test(tc, test_first_fragment);
	tcase_add_test(tc, test_csum_ok);
	tcase_add_test(tc, test_err_str);
	suite_add_tcase(s, tc);
	return s;
}

/* main() - run the pkt suite; the exit status is nonzero if any check failed. */
int main(void)
{
	SRunner *sr = srunner_create(pkt_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
