// SPDX-License-Identifier: MIT
/* test_reject.c - ICMP 3/13 to a VM refused a port: the packet, the rate limit, the path. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "../common/testpkt.h"
#include "eth.h"
#include "path.h"
#include "reject.h"

#define GW 0xC6130001u           /* 198.19.0.1 */

static const uint8_t gw_mac[6] = { 0x02, 0x5a, 0, 0, 0, 0x01 };
static const uint8_t vm_mac[6] = { 0x02, 0x5a, 0, 0, 0x0a, 0x01 };
static struct pktbuf buf;

/* A UDP packet from the VM with 100 bytes of payload, at buf.data (no Ethernet). */
static void vm_udp(uint16_t sport)
{
	static const uint8_t payload[100];
	struct tp_spec s = { .proto = PROTO_UDP, .src = TP_VM, .dst = TP_CLIENT, .sport = sport,
			     .dport = 53, .payload = payload, .paylen = sizeof(payload) };

	pktbuf_reset(&buf);
	pktbuf_pull(&buf, ETH_HLEN_);          /* as path_ip4() leaves it */
	buf.len = (uint32_t)tp_build(buf.data, &s);
}

/* Check buf.data as the ICMP 3/13 about the VM packet orig (hdr + 8 bytes quoted). */
static void check_reject(const uint8_t *orig)
{
	struct pkt_ip4 pi;
	uint16_t c;

	ck_assert_int_eq(pkt_parse_ip4(buf.data, buf.len, &pi), PKT_OK);
	ck_assert_uint_eq(buf.len, 20 + 8 + 28);
	ck_assert_uint_eq(pi.src, GW);
	ck_assert_uint_eq(pi.dst, TP_VM);
	ck_assert_uint_eq(pi.proto, PROTO_ICMP);
	ck_assert_uint_eq(pi.icmp_type, 3);
	ck_assert_uint_eq(pi.icmp_code, 13);
	ck_assert_uint_eq(pi.ttl, 64);
	memcpy(&c, buf.data + 10, 2);
	ck_assert_uint_eq(c, tp_full_ip_csum(buf.data));
	memcpy(&c, buf.data + 22, 2);
	ck_assert_uint_eq(c, tp_full_l4_csum(buf.data, buf.data + 20, buf.len - 20));
	ck_assert_mem_eq(buf.data + 28, orig, 28);
}

START_TEST(test_build)
{
	uint8_t orig[28];
	struct pkt_ip4 pi;

	vm_udp(5000);
	memcpy(orig, buf.data, sizeof(orig));
	ck_assert_int_eq(pkt_parse_ip4(buf.data, buf.len, &pi), PKT_OK);
	ck_assert_int_eq(reject_build(&buf, &pi, GW, ICMP_UNREACH, REJECT_CODE_ADMIN), 0);
	check_reject(orig);
}
END_TEST

START_TEST(test_build_refuses_errors_and_later_fragments)
{
	struct tp_spec s = { .proto = PROTO_ICMP, .src = TP_VM, .dst = TP_CLIENT,
			     .icmp_type = 3, .icmp_code = 3 };
	struct pkt_ip4 pi;

	pktbuf_reset(&buf);
	buf.len = (uint32_t)tp_build(buf.data, &s);
	ck_assert_int_eq(pkt_parse_ip4(buf.data, buf.len, &pi), PKT_OK);
	ck_assert_int_eq(reject_build(&buf, &pi, GW, 3, 13), -1);
	vm_udp(5000);
	ck_assert_int_eq(pkt_parse_ip4(buf.data, buf.len, &pi), PKT_OK);
	pi.frag_off = 1480;
	ck_assert_int_eq(reject_build(&buf, &pi, GW, 3, 13), -1);
}
END_TEST

START_TEST(test_rate_limit)
{
	struct reject_limit rl = { 0 };
	uint32_t n = 0, t;

	/* A burst, then REJECT_PER_SEC a second however hard it is asked. */
	for (t = 5000; t < 5000 + 3000; t++)
		n += reject_allow(&rl, t);
	ck_assert_uint_ge(n, REJECT_BURST + 3 * REJECT_PER_SEC - 1);
	ck_assert_uint_le(n, REJECT_BURST + 3 * REJECT_PER_SEC);
	/* Idle: the bucket fills up to the burst, no more. */
	n = 0;
	for (t = 100000; t < 100000 + 50; t++)
		n += reject_allow(&rl, t);
	ck_assert_uint_eq(n, REJECT_BURST);
}
END_TEST

/* Through the path: a VM at its quota gets ICMP 3/13 from its gateway, rate-limited. */
START_TEST(test_path_quota)
{
	static const char yaml[] =
		"listen: 198.18.0.11\nedges: [ { address: 198.18.0.1 } ]\n"
		"max_mappings_per_vm: 1\n"
		"pools: [ { vni: 100, public: 203.0.113.10, ports: 1024-2047 } ]\n"
		"vms: [ { name: vm, vni: 100, tap: t0, address: 198.19.0.11,"
		" mac: 02:5a:00:00:0a:01, gateway: 198.19.0.1 } ]\n";
	struct host_conf conf;
	struct flowtab ft;
	struct path p;
	struct yerr err;
	uint8_t orig[28];
	uint32_t sent = 0;

	ck_assert_msg(host_conf_parse(&conf, "t.yaml", yaml, strlen(yaml), &err) == 0, "%s",
		      err.msg);
	ck_assert_int_eq(flow_init(&ft, &conf, 1), 0);
	memset(&p, 0, sizeof(p));
	p.conf = &conf;
	p.ft = &ft;
	path_tick(&p, 1000);
	for (uint16_t sp = 5000; sp < 5050; sp++) {
		vm_udp(sp);
		memcpy(orig, buf.data, sizeof(orig));
		eth_write(pktbuf_push(&buf, ETH_HLEN_), gw_mac, vm_mac, ETHT_IPV4);
		if (sp == 5000) {
			ck_assert_int_eq(path_from_vm(&p, 0, &buf, 1), PATH_TO_EDGE);
			continue;
		}
		if (path_from_vm(&p, 0, &buf, 1) != PATH_TO_VM)
			continue;
		sent++;
		ck_assert_uint_eq(buf.out, 0);
		ck_assert_mem_eq(buf.data, vm_mac, 6);
		ck_assert_mem_eq(buf.data + 6, gw_mac, 6);
		pktbuf_pull(&buf, ETH_HLEN_);
		check_reject(orig);
	}
	/* 49 refused, each counted; a burst of errors, the rest held back. */
	ck_assert_uint_eq(p.ctr[HC_DROP_VM_QUOTA], 49);
	ck_assert_uint_eq(sent, REJECT_BURST);
	ck_assert_uint_eq(p.ctr[HC_REJECTS_SENT], REJECT_BURST);
	ck_assert_uint_eq(p.ctr[HC_REJECTS_LIMITED], 49 - REJECT_BURST);
	ck_assert_uint_eq(ct_count(ft.ct), 1);          /* the live mapping stays */
	flow_destroy(&ft);
	host_conf_free(&conf);
}
END_TEST

static Suite *reject_suite(void)
{
	Suite *s = suite_create("reject");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_build);
	tcase_add_test(tc, test_build_refuses_errors_and_later_fragments);
	tcase_add_test(tc, test_rate_limit);
	tcase_add_test(tc, test_path_quota);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(reject_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
