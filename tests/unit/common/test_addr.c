// SPDX-License-Identifier: MIT
/* test_addr.c - unit tests for the strict address, port, range, MAC and protocol parsers. */
#include <check.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

#include "addr.h"

static const char *const bad_ip4[] = {
	"", "198", "198.18.0", "198.18.0.1.5", "198.18.0.300", "198.18.0.256", " 198.18.0.1",
	"198.18.0.1 ", "198.18.0.1x", "198.018.0.1", "+198.18.0.1", "198.18.0.-1",
	"198.18..1", "198.18.0.", ".198.18.0", "0xc6.18.0.1", "198.18.0.1/24", "198.18.0.1:80",
	"192.0.2.1\n",
};

START_TEST(ip4_good)
{
	uint32_t a = 1;
	char buf[ADDR_STRLEN];

	ck_assert_int_eq(addr_parse_ip4("198.18.0.1", &a), 0);
	ck_assert_uint_eq(a, 0xc6120001u);
	ck_assert_int_eq(addr_parse_ip4("0.0.0.0", &a), 0);
	ck_assert_uint_eq(a, 0);
	ck_assert_int_eq(addr_parse_ip4("255.255.255.255", &a), 0);
	ck_assert_uint_eq(a, 0xffffffffu);
	ck_assert_str_eq(addr_fmt_ip4(0xcb00710au, buf), "203.0.113.10");
	ck_assert_str_eq(addr_fmt_ip4(0xffffffffu, buf), "255.255.255.255");
	ck_assert_str_eq(addr_fmt_ip4(0, buf), "0.0.0.0");
}
END_TEST

START_TEST(ip4_bad)
{
	uint32_t a = 42;

	ck_assert_msg(addr_parse_ip4(bad_ip4[_i], &a) == -1, "accepted '%s'", bad_ip4[_i]);
	ck_assert_uint_eq(a, 42);
}
END_TEST

/* Every address of 198.18.0.0/15 (the only range a test may use) prints and parses back. */
START_TEST(ip4_roundtrip)
{
	uint32_t a, b;
	char buf[ADDR_STRLEN];

	for (a = 0xc6120000u; a <= 0xc613ffffu; a++) {
		ck_assert_int_eq(addr_parse_ip4(addr_fmt_ip4(a, buf), &b), 0);
		ck_assert_uint_eq(a, b);
	}
}
END_TEST

START_TEST(ip4_port)
{
	uint32_t a = 0;
	uint16_t p = 0;

	ck_assert_int_eq(addr_parse_ip4_port("127.0.0.1:9750", &a, &p), 0);
	ck_assert_uint_eq(a, 0x7f000001u);
	ck_assert_uint_eq(p, 9750);
	ck_assert_int_eq(addr_parse_ip4_port("198.18.0.1:65535", &a, &p), 0);
	ck_assert_uint_eq(p, 65535);
	ck_assert_int_eq(addr_parse_ip4_port("198.18.0.1:1", &a, &p), 0);
	ck_assert_uint_eq(p, 1);
	ck_assert_int_eq(addr_parse_ip4_port("198.18.0.1:0", &a, &p), -1);
	ck_assert_int_eq(addr_parse_ip4_port("198.18.0.1:65536", &a, &p), -1);
	ck_assert_int_eq(addr_parse_ip4_port("198.18.0.1:", &a, &p), -1);
	ck_assert_int_eq(addr_parse_ip4_port("198.18.0.1", &a, &p), -1);
	ck_assert_int_eq(addr_parse_ip4_port(":80", &a, &p), -1);
	ck_assert_int_eq(addr_parse_ip4_port("198.18.0.1:080", &a, &p), -1);
	ck_assert_int_eq(addr_parse_ip4_port("198.18.0.1:80:80", &a, &p), -1);
	ck_assert_int_eq(addr_parse_ip4_port("198.18.0.1: 80", &a, &p), -1);
	ck_assert_int_eq(addr_parse_ip4_port("198.18.0.1:+80", &a, &p), -1);
	ck_assert_int_eq(addr_parse_ip4_port("198.18.0.300:80", &a, &p), -1);
	ck_assert_int_eq(addr_parse_ip4_port("1198.18.0.300:80", &a, &p), -1);
	ck_assert_int_eq(addr_parse_ip4_port("198.180.100.200x:80", &a, &p), -1);
}
END_TEST

START_TEST(port)
{
	static const char *const bad[] = {
		"", "-1", "+1", " 1", "1 ", "65536", "99999999999999999999", "01", "00", "1a",
		"0x10", "1.0", "1e3",
	};
	uint16_t p = 7;
	size_t i;

	ck_assert_int_eq(addr_parse_port("0", &p), 0);
	ck_assert_uint_eq(p, 0);
	ck_assert_int_eq(addr_parse_port("65535", &p), 0);
	ck_assert_uint_eq(p, 65535);
	ck_assert_int_eq(addr_parse_port("6081", &p), 0);
	ck_assert_uint_eq(p, 6081);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ck_assert_msg(addr_parse_port(bad[i], &p) == -1, "accepted '%s'", bad[i]);
	ck_assert_uint_eq(p, 6081);
}
END_TEST

START_TEST(range)
{
	static const char *const bad[] = {
		"", "0", "0-10", "500-100", "1-65536", "65536", "-", "-5", "5-", "1--5", "1-2-3",
		" 1-5", "1 -5", "1- 5", "1-5 ", "+1-5", "01-5", "1-05", "100000-5", "1-5x",
	};
	uint16_t lo = 3, hi = 4;
	size_t i;

	ck_assert_int_eq(addr_parse_range("1024-32767", &lo, &hi), 0);
	ck_assert_uint_eq(lo, 1024);
	ck_assert_uint_eq(hi, 32767);
	ck_assert_int_eq(addr_parse_range("8080", &lo, &hi), 0);
	ck_assert_uint_eq(lo, 8080);
	ck_assert_uint_eq(hi, 8080);
	ck_assert_int_eq(addr_parse_range("1-65535", &lo, &hi), 0);
	ck_assert_uint_eq(lo, 1);
	ck_assert_uint_eq(hi, 65535);
	ck_assert_int_eq(addr_parse_range("7-7", &lo, &hi), 0);
	ck_assert_uint_eq(lo, 7);
	ck_assert_uint_eq(hi, 7);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ck_assert_msg(addr_parse_range(bad[i], &lo, &hi) == -1, "accepted '%s'", bad[i]);
	ck_assert_uint_eq(lo, 7);
	ck_assert_uint_eq(hi, 7);
}
END_TEST

START_TEST(mac)
{
	static const char *const bad[] = {
		"", "02:00:00:00:00", "02:00:00:00:00:00:00", "02:00:00:00:00:0", "2:00:00:00:00:00",
		"02-00-00-00-00-00", "02:00:00:00:00:0g", "02:00:00:00:00:00 ", " 02:00:00:00:00:00",
		"0200.0000.0000", "02:00:00:00:00:", "02::00:00:00:00",
	};
	uint8_t m[6] = { 0 }, want[6] = { 0x02, 0xab, 0xcd, 0xef, 0x00, 0x9f };
	char buf[MAC_STRLEN];
	size_t i;

	ck_assert_int_eq(addr_parse_mac("02:AB:cd:Ef:00:9f", m), 0);
	ck_assert_mem_eq(m, want, 6);
	ck_assert_str_eq(addr_fmt_mac(m, buf), "02:ab:cd:ef:00:9f");
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ck_assert_msg(addr_parse_mac(bad[i], m) == -1, "accepted '%s'", bad[i]);
	ck_assert_mem_eq(m, want, 6);
}
END_TEST

START_TEST(proto)
{
	static const char *const bad[] = { "", "TCP", "Tcp", "tcp ", "gre", "6", "icmp6", "an" };
	uint8_t p = 99;
	size_t i;

	ck_assert_int_eq(addr_parse_proto("tcp", &p), 0);
	ck_assert_uint_eq(p, IPPROTO_TCP);
	ck_assert_int_eq(addr_parse_proto("udp", &p), 0);
	ck_assert_uint_eq(p, IPPROTO_UDP);
	ck_assert_int_eq(addr_parse_proto("icmp", &p), 0);
	ck_assert_uint_eq(p, IPPROTO_ICMP);
	ck_assert_int_eq(addr_parse_proto("any", &p), 0);
	ck_assert_uint_eq(p, PROTO_ANY);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ck_assert_msg(addr_parse_proto(bad[i], &p) == -1, "accepted '%s'", bad[i]);
	ck_assert_str_eq(addr_proto_name(IPPROTO_TCP), "tcp");
	ck_assert_str_eq(addr_proto_name(IPPROTO_UDP), "udp");
	ck_assert_str_eq(addr_proto_name(IPPROTO_ICMP), "icmp");
	ck_assert_str_eq(addr_proto_name(PROTO_ANY), "any");
	ck_assert_str_eq(addr_proto_name(47), "other");
}
END_TEST

START_TEST(u32)
{
	uint32_t v = 5;

	ck_assert_int_eq(addr_parse_u32("4294967295", 0, UINT32_MAX, &v), 0);
	ck_assert_uint_eq(v, UINT32_MAX);
	ck_assert_int_eq(addr_parse_u32("4294967296", 0, UINT32_MAX, &v), -1);
	ck_assert_int_eq(addr_parse_u32("18446744073709551617", 0, UINT32_MAX, &v), -1);
	ck_assert_int_eq(addr_parse_u32("16777215", 1, 16777215, &v), 0);
	ck_assert_uint_eq(v, 16777215);
	ck_assert_int_eq(addr_parse_u32("16777216", 1, 16777215, &v), -1);
	ck_assert_int_eq(addr_parse_u32("0", 1, 16777215, &v), -1);
	ck_assert_int_eq(addr_parse_u32("0", 0, 10, &v), 0);
	ck_assert_uint_eq(v, 0);
	ck_assert_int_eq(addr_parse_u32("-0", 0, 10, &v), -1);
	ck_assert_int_eq(addr_parse_u32("07", 0, 10, &v), -1);
	ck_assert_int_eq(addr_parse_u32("", 0, 10, &v), -1);
	ck_assert_int_eq(addr_parse_u32("1 ", 0, 10, &v), -1);
	ck_assert_uint_eq(v, 0);
}
END_TEST

static Suite *addr_suite(void)
{
	Suite *s = suite_create("addr");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, ip4_good);
	tcase_add_loop_test(tc, ip4_bad, 0, (int)(sizeof(bad_ip4) / sizeof(bad_ip4[0])));
	tcase_add_test(tc, ip4_roundtrip);
	tcase_add_test(tc, ip4_port);
	tcase_add_test(tc, port);
	tcase_add_test(tc, range);
	tcase_add_test(tc, mac);
	tcase_add_test(tc, proto);
	tcase_add_test(tc, u32);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(addr_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
