// SPDX-License-Identifier: MIT
/* test_eth.c - unit tests for Ethernet header and ARP parsing and ARP replies. */
#include <check.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "eth.h"

static const uint8_t vm_mac[6] = { 0x52, 0x54, 0x00, 0x12, 0x34, 0x56 };
static const uint8_t gw_mac[6] = { 0x02, 0x00, 0x00, 0x00, 0x00, 0x01 };

/* Broadcast "who has 198.19.0.1? tell 198.19.0.11" from the VM. */
static const uint8_t arp_req_frame[42] = {
	0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x52, 0x54, 0x00, 0x12, 0x34, 0x56,
	0x08, 0x06,
	0x00, 0x01, 0x08, 0x00, 0x06, 0x04, 0x00, 0x01,
	0x52, 0x54, 0x00, 0x12, 0x34, 0x56, 198, 19, 0, 11,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 198, 19, 0, 1,
};

/* "198.19.0.1 is at 02:00:00:00:00:01", to the VM. */
static const uint8_t arp_reply_frame[42] = {
	0x52, 0x54, 0x00, 0x12, 0x34, 0x56, 0x02, 0x00, 0x00, 0x00, 0x00, 0x01,
	0x08, 0x06,
	0x00, 0x01, 0x08, 0x00, 0x06, 0x04, 0x00, 0x02,
	0x02, 0x00, 0x00, 0x00, 0x00, 0x01, 198, 19, 0, 1,
	0x52, 0x54, 0x00, 0x12, 0x34, 0x56, 198, 19, 0, 11,
};

START_TEST(test_eth_parse)
{
	struct eth_hdr_info e;
	size_t len;

	ck_assert_int_eq(eth_parse(arp_req_frame, sizeof(arp_req_frame), &e), 0);
	ck_assert(eth_is_bcast(e.dst));
	ck_assert_mem_eq(e.src, vm_mac, 6);
	ck_assert_uint_eq(e.type, ETHT_ARP);
	ck_assert_int_eq(eth_parse(arp_req_frame, ETH_HLEN_, &e), 0);
	for (len = 0; len < ETH_HLEN_; len++)
		ck_assert_int_eq(eth_parse(arp_req_frame, len, &e), -1);
}
END_TEST

START_TEST(test_eth_write)
{
	static const uint8_t want[ETH_HLEN_] = {
		0x52, 0x54, 0x00, 0x12, 0x34, 0x56, 0x02, 0x00, 0x00, 0x00, 0x00, 0x01,
		0x08, 0x00,
	};
	uint8_t buf[ETH_HLEN_ + 1];
	struct eth_hdr_info e;

	memset(buf, 0xEE, sizeof(buf));
	eth_write(buf, vm_mac, gw_mac, ETHT_IPV4);
	ck_assert_mem_eq(buf, want, sizeof(want));
	ck_assert_uint_eq(buf[ETH_HLEN_], 0xEE);
	ck_assert_int_eq(eth_parse(buf, ETH_HLEN_, &e), 0);
	ck_assert_uint_eq(e.type, ETHT_IPV4);
}
END_TEST

START_TEST(test_bcast)
{
	uint8_t m[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };

	ck_assert(eth_is_bcast(m));
	m[5] = 0xfe;
	ck_assert(!eth_is_bcast(m));
	m[5] = 0xff;
	m[0] = 0x7f;
	ck_assert(!eth_is_bcast(m));
	ck_assert(!eth_is_bcast(vm_mac));
}
END_TEST

START_TEST(test_arp_parse)
{
	const uint8_t *body = arp_req_frame + ETH_HLEN_;
	struct arp_info a;
	size_t len;

	ck_assert_int_eq(arp_parse(body, ARP_LEN, &a), 0);
	ck_assert_uint_eq(a.op, 1);
	ck_assert_mem_eq(a.sha, vm_mac, 6);
	ck_assert_uint_eq(a.spa, 0xC613000B);
	ck_assert_uint_eq(a.tpa, 0xC6130001);
	for (len = 0; len < ARP_LEN; len++)
		ck_assert_int_eq(arp_parse(body, len, &a), -1);
}
END_TEST

/* Anything but Ethernet/IPv4 with 6- and 4-byte addresses is refused. */
START_TEST(test_arp_parse_wrong_kind)
{
	static const size_t pos[] = { 1, 2, 3, 4, 5 };
	uint8_t body[ARP_LEN];
	struct arp_info a;
	size_t i;

	for (i = 0; i < sizeof(pos) / sizeof(pos[0]); i++) {
		memcpy(body, arp_req_frame + ETH_HLEN_, ARP_LEN);
		body[pos[i]] ^= 0x10;
		ck_assert_int_eq(arp_parse(body, ARP_LEN, &a), -1);
	}
	memcpy(body, arp_req_frame + ETH_HLEN_, ARP_LEN);
	body[0] = 0x01;                                   /* htype 0x0101 */
	ck_assert_int_eq(arp_parse(body, ARP_LEN, &a), -1);
}
END_TEST

START_TEST(test_arp_reply)
{
	uint8_t out[64];
	struct arp_info req, rep;
	struct eth_hdr_info e;

	ck_assert_int_eq(arp_parse(arp_req_frame + ETH_HLEN_, ARP_LEN, &req), 0);
	memset(out, 0xEE, sizeof(out));
	ck_assert_uint_eq(arp_reply(out, &req, gw_mac), 42);
	ck_assert_mem_eq(out, arp_reply_frame, sizeof(arp_reply_frame));
	ck_assert_uint_eq(out[42], 0xEE);

	ck_assert_int_eq(eth_parse(out, 42, &e), 0);
	ck_assert_int_eq(arp_parse(out + ETH_HLEN_, 42 - ETH_HLEN_, &rep), 0);
	ck_assert_uint_eq(rep.op, 2);
	ck_assert_uint_eq(rep.spa, req.tpa);
	ck_assert_uint_eq(rep.tpa, req.spa);
	ck_assert_mem_eq(rep.sha, gw_mac, 6);
	ck_assert_mem_eq(rep.tha, req.sha, 6);
}
END_TEST

static Suite *eth_suite(void)
{
	Suite *s = suite_create("eth");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_eth_parse);
	tcase_add_test(tc, test_eth_write);
	tcase_add_test(tc, test_bcast);
	tcase_add_test(tc, test_arp_parse);
	tcase_add_test(tc, test_arp_parse_wrong_kind);
	tcase_add_test(tc, test_arp_reply);
	suite_add_tcase(s, tc);
	return s;
}

/* main() - run the eth suite; the exit status is nonzero if any check failed. */
int main(void)
{
	SRunner *sr = srunner_create(eth_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
