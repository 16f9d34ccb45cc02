// SPDX-License-Identifier: MIT
/* test_path_icmp.c - hostd's translation of ICMP errors both ways, checked against rebuilt packets. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "../common/testpkt.h"
#include "eth.h"
#include "geneve.h"
#include "path.h"

#define EDGE1 0xC6120001u        /* 198.18.0.1 */
#define ROUTER 0xC00002FEu       /* 192.0.2.254 */
#define PUB10 0xCB00710Au        /* 203.0.113.10 */
#define PUB11 0xCB00710Bu        /* 203.0.113.11 */
#define PUB20 0xCB007114u        /* 203.0.113.20 */
#define VM_A 0xC613000Bu         /* 198.19.0.11: vm-a1 and vm-a2 */
#define VM_B2 0xC6130016u        /* 198.19.0.22 */

static const uint8_t gw_mac[6] = { 0x02, 0x5a, 0, 0, 0, 0x01 };
static const uint8_t a1_mac[6] = { 0x02, 0x5a, 0, 0, 0x0a, 0x01 };
static const uint8_t b2_mac[6] = { 0x02, 0x5a, 0, 0, 0x0b, 0x02 };

static struct host_conf conf;
static struct flowtab ft;
static struct path p;
static struct pktbuf buf;

static void load(const char *file)
{
	struct yerr err;

	ck_assert_msg(host_conf_load(&conf, file, &err) == 0, "%s", err.msg);
	ck_assert_int_eq(flow_init(&ft, &conf, 42), 0);
	memset(&p, 0, sizeof(p));
	p.conf = &conf;
	p.ft = &ft;
}

static void setup_a(void)
{
	load(SPAT_SOURCE_DIR "/etc/hostd-a.yaml");
}

static void setup_b(void)
{
	load(SPAT_SOURCE_DIR "/etc/hostd-b.yaml");
}

static void teardown(void)
{
	flow_destroy(&ft);
	host_conf_free(&conf);
}

/* An ICMP error from src to dst about the first keep bytes of emb, into e. */
static size_t make_err(uint8_t *e, uint8_t type, uint32_t src, uint32_t dst,
		       const struct tp_spec *emb, size_t keep)
{
	uint8_t inner[128];
	size_t n = tp_build(inner, emb);

	return tp_build_err(e, type, type == ICMP_UNREACH ? 3 : 0, src, dst, inner,
			    keep < n ? keep : n);
}

static struct pktbuf *err_from_edge(uint32_t vni, const uint8_t *e, size_t len)
{
	pktbuf_reset(&buf);
	geneve_encode(buf.data, vni, GENEVE_PT_IPV4, false);
	memcpy(buf.data + GENEVE_HLEN, e, len);
	buf.len = GENEVE_HLEN + (uint32_t)len;
	buf.peer = EDGE1;
	return &buf;
}

static struct pktbuf *err_from_vm(const uint8_t *mac, const uint8_t *e, size_t len)
{
	pktbuf_reset(&buf);
	eth_write(buf.data, gw_mac, mac, ETHT_IPV4);
	memcpy(buf.data + ETH_HLEN_, e, len);
	buf.len = ETH_HLEN_ + (uint32_t)len;
	return &buf;
}

static struct pktbuf *pkt_from_vm(const uint8_t *mac, const struct tp_spec *s)
{
	pktbuf_reset(&buf);
	eth_write(buf.data, gw_mac, mac, ETHT_IPV4);
	buf.len = ETH_HLEN_ + (uint32_t)tp_build(buf.data + ETH_HLEN_, s);
	return &buf;
}

/* The frame for VM vm is exactly want (every checksum as a fresh build has it). */
static void ck_to_vm(uint32_t vm, const uint8_t *mac, const uint8_t *want, size_t len)
{
	ck_assert_uint_eq(buf.out, vm);
	ck_assert_uint_eq(buf.len, ETH_HLEN_ + len);
	ck_assert_mem_eq(buf.data, mac, 6);
	ck_assert_mem_eq(buf.data + ETH_HLEN_, want, len);
}

/* The tunnel packet to edge1 with tenant vni carries exactly want. */
static void ck_to_edge(uint32_t vni, const uint8_t *want, size_t len)
{
	struct geneve_hdr gh;

	ck_assert_uint_eq(buf.peer, EDGE1);
	ck_assert_int_eq(geneve_decode(buf.data + 28, buf.len - 28, &gh), GENEVE_OK);
	ck_assert_uint_eq(gh.vni, vni);
	ck_assert_uint_eq(buf.len, 28 + gh.hlen + len);
	ck_assert_mem_eq(buf.data + 28 + gh.hlen, want, len);
}

/* vm-a1 opens a mapping from port vm_port; returns its public port. */
static uint16_t open_mapping(uint8_t proto, uint16_t vm_port)
{
	struct tp_spec s = { .proto = proto, .src = VM_A, .dst = TP_CLIENT, .sport = vm_port,
			     .dport = 7000, .icmp_type = ICMP_ECHO };
	const struct ct_entry *e;

	ck_assert_int_eq(path_from_vm(&p, 0, pkt_from_vm(a1_mac, &s), 1000), PATH_TO_EDGE);
	e = ct_find_priv(ft.ct, 100, proto, VM_A, vm_port);
	ck_assert_ptr_nonnull(e);
	return e->pub_port;
}

/* Errors about vm-a1's mappings (UDP, echo) and its forward (TCP) reach it restored. */
START_TEST(inbound_restores_embedded)
{
	uint16_t pu = open_mapping(PROTO_UDP, 5555), pe = open_mapping(PROTO_ICMP, 0x77);
	struct tp_spec emb = { .proto = PROTO_UDP, .src = PUB10, .dst = TP_CLIENT, .sport = pu,
			       .dport = 7000 };
	struct tp_spec want = { .proto = PROTO_UDP, .src = VM_A, .dst = TP_CLIENT, .sport = 5555,
				.dport = 7000 };
	const struct ct_entry *ce = ct_find_priv(ft.ct, 100, PROTO_UDP, VM_A, 5555);
	uint32_t expires = ce->expires, count = ct_count(ft.ct);
	uint8_t e[256], w[256];
	size_t keeps[] = { 28, 1000 }, n, wn;

	for (unsigned i = 0; i < 2; i++) {
		n = make_err(e, ICMP_UNREACH, ROUTER, PUB10, &emb, keeps[i]);
		wn = make_err(w, ICMP_UNREACH, ROUTER, VM_A, &want, keeps[i]);
		ck_assert_int_eq(path_from_tunnel(&p, err_from_edge(100, e, n), 2000), PATH_TO_VM);
		ck_to_vm(0, a1_mac, w, wn);
	}
	/* Time exceeded about an echo request: the identifier comes back. */
	emb = (struct tp_spec){ .proto = PROTO_ICMP, .src = PUB10, .dst = TP_CLIENT, .sport = pe,
				.icmp_type = ICMP_ECHO };
	want = (struct tp_spec){ .proto = PROTO_ICMP, .src = VM_A, .dst = TP_CLIENT, .sport = 0x77,
				 .icmp_type = ICMP_ECHO };
	n = make_err(e, ICMP_TIMXCEED, ROUTER, PUB10, &emb, 1000);
	wn = make_err(w, ICMP_TIMXCEED, ROUTER, VM_A, &want, 1000);
	ck_assert_int_eq(path_from_tunnel(&p, err_from_edge(100, e, n), 2000), PATH_TO_VM);
	ck_to_vm(0, a1_mac, w, wn);
	/* About a reply vm-a1 sent through its static forward 8080 -> 80. */
	emb = (struct tp_spec){ .proto = PROTO_TCP, .src = PUB10, .dst = TP_CLIENT, .sport = 8080,
				.dport = 40000, .tcp_flags = TCPF_ACK };
	want = (struct tp_spec){ .proto = PROTO_TCP, .src = VM_A, .dst = TP_CLIENT, .sport = 80,
				 .dport = 40000, .tcp_flags = TCPF_ACK };
	n = make_err(e, ICMP_UNREACH, ROUTER, PUB10, &emb, 28);
	wn = make_err(w, ICMP_UNREACH, ROUTER, VM_A, &want, 28);
	ck_assert_int_eq(path_from_tunnel(&p, err_from_edge(100, e, n), 2000), PATH_TO_VM);
	ck_to_vm(0, a1_mac, w, wn);
	ck_assert_uint_eq(p.ctr[HC_ICMPERR_IN], 4);
	/* Errors neither create, refresh nor end a mapping. */
	ck_assert_uint_eq(ct_count(ft.ct), count);
	ck_assert_ptr_eq(ct_find_priv(ft.ct, 100, PROTO_UDP, VM_A, 5555), ce);
	ck_assert_uint_eq(ce->expires, expires);
}
END_TEST

/* Make the outer ICMP checksum of the error at e (n bytes, no IP options) right again. */
static void ck_set_icmp_csum(uint8_t *e, size_t n)
{
	uint16_t c = tp_full_l4_csum(e, e + 20, n - 20);

	memcpy(e + 22, &c, 2);
}

/* What cannot be translated is a counted drop, and no state appears. */
START_TEST(inbound_drops)
{
	uint16_t pu = open_mapping(PROTO_UDP, 5555);
	struct tp_spec emb = { .proto = PROTO_UDP, .src = PUB10, .dst = TP_CLIENT, .sport = pu,
			       .dport = 7000 };
	uint32_t count = ct_count(ft.ct);
	uint8_t e[256];
	size_t n;

	n = make_err(e, ICMP_UNREACH, ROUTER, PUB10, &emb, 28);
	e[n - 1] ^= 1;                       /* ICMP checksum no longer verifies */
	ck_assert_int_eq(path_from_tunnel(&p, err_from_edge(100, e, n), 2000), PATH_DROP);
	ck_assert_uint_eq(p.ctr[HC_DROP_ICMPERR_CSUM], 1);
	/* RFC 5508 REQ-3a: a good ICMP checksum over a bad embedded IPv4 header. */
	n = make_err(e, ICMP_UNREACH, ROUTER, PUB10, &emb, 28);
	e[20 + 8 + 8] ^= 0x10;               /* the embedded TTL, its checksum left alone */
	ck_set_icmp_csum(e, n);
	ck_assert_int_eq(path_from_tunnel(&p, err_from_edge(100, e, n), 2000), PATH_DROP);
	ck_assert_uint_eq(p.ctr[HC_DROP_ICMPERR_CSUM], 2);
	n = make_err(e, ICMP_UNREACH, ROUTER, PUB10, &emb, 27);
	ck_assert_int_eq(path_from_tunnel(&p, err_from_edge(100, e, n), 2000), PATH_DROP);
	ck_assert_uint_eq(p.ctr[HC_DROP_ICMPERR_MALFORMED], 1);
	n = make_err(e, ICMP_UNREACH, ROUTER, PUB11, &emb, 28);
	ck_assert_int_eq(path_from_tunnel(&p, err_from_edge(100, e, n), 2000), PATH_DROP);
	ck_assert_uint_eq(p.ctr[HC_DROP_ICMPERR_MISMATCH], 1);
	n = make_err(e, ICMP_UNREACH, ROUTER, PUB10, &emb, 28);
	ck_assert_int_eq(path_from_tunnel(&p, err_from_edge(200, e, n), 2000), PATH_DROP);
	emb.sport = (uint16_t)(pu + 1);      /* no mapping there */
	n = make_err(e, ICMP_UNREACH, ROUTER, PUB10, &emb, 28);
	ck_assert_int_eq(path_from_tunnel(&p, err_from_edge(100, e, n), 2000), PATH_DROP);
	ck_assert_uint_eq(p.ctr[HC_DROP_NO_MAPPING], 2);
	ck_assert_uint_eq(ct_count(ft.ct), count);
	ck_assert_uint_eq(p.ctr[HC_ICMPERR_IN], 0);
}
END_TEST

/* vm-a1 reports a segment that came through its forward: the embedded side goes public. */
START_TEST(outbound_translates_embedded)
{
	struct tp_spec emb = { .proto = PROTO_TCP, .src = TP_CLIENT, .dst = VM_A, .sport = 40000,
			       .dport = 80, .tcp_flags = TCPF_SYN };
	struct tp_spec want = { .proto = PROTO_TCP, .src = TP_CLIENT, .dst = PUB10, .sport = 40000,
				.dport = 8080, .tcp_flags = TCPF_SYN };
	uint32_t count = ct_count(ft.ct);
	uint8_t e[256], w[256];
	size_t n, wn;

	n = make_err(e, ICMP_UNREACH, VM_A, TP_CLIENT, &emb, 1000);
	wn = make_err(w, ICMP_UNREACH, PUB10, TP_CLIENT, &want, 1000);
	ck_assert_int_eq(path_from_vm(&p, 0, err_from_vm(a1_mac, e, n), 2000), PATH_TO_EDGE);
	ck_to_edge(100, w, wn);
	/* Hairpin: the segment came from another VM's public mapping; the edge turns it. */
	emb.src = want.src = PUB10;
	emb.sport = want.sport = 40000;
	n = make_err(e, ICMP_UNREACH, VM_A, PUB10, &emb, 28);
	wn = make_err(w, ICMP_UNREACH, PUB10, PUB10, &want, 28);
	ck_assert_int_eq(path_from_vm(&p, 0, err_from_vm(a1_mac, e, n), 2000), PATH_TO_EDGE);
	ck_to_edge(100, w, wn);
	ck_assert_uint_eq(p.ctr[HC_ICMPERR_OUT], 2);
	/* About a port nobody mapped: dropped, and no mapping is made for it. */
	emb.dport = 9999;
	n = make_err(e, ICMP_UNREACH, VM_A, TP_CLIENT, &emb, 28);
	ck_assert_int_eq(path_from_vm(&p, 0, err_from_vm(a1_mac, e, n), 2000), PATH_DROP);
	ck_assert_uint_eq(p.ctr[HC_DROP_NO_MAPPING], 1);
	/* The embedded destination must be the VM itself. */
	emb.dst = 0xC613000Cu;
	emb.dport = 80;
	n = make_err(e, ICMP_UNREACH, VM_A, TP_CLIENT, &emb, 28);
	ck_assert_int_eq(path_from_vm(&p, 0, err_from_vm(a1_mac, e, n), 2000), PATH_DROP);
	ck_assert_uint_eq(p.ctr[HC_DROP_ICMPERR_MISMATCH], 1);
	ck_assert_uint_eq(ct_count(ft.ct), count);
	ck_assert_uint_eq(p.ctr[HC_MAP_CREATED], 0);
}
END_TEST

/* vm-b2's 1:1 address: only addresses change, any protocol, both ways. */
START_TEST(one_to_one_both_ways)
{
	struct tp_spec emb = { .proto = PROTO_UDP, .src = PUB20, .dst = TP_CLIENT, .sport = 4444,
			       .dport = 7000 };
	struct tp_spec want = { .proto = PROTO_UDP, .src = VM_B2, .dst = TP_CLIENT, .sport = 4444,
				.dport = 7000 };
	uint8_t e[256], w[256];
	size_t n, wn;

	n = make_err(e, ICMP_UNREACH, ROUTER, PUB20, &emb, 1000);
	wn = make_err(w, ICMP_UNREACH, ROUTER, VM_B2, &want, 1000);
	ck_assert_int_eq(path_from_tunnel(&p, err_from_edge(200, e, n), 1), PATH_TO_VM);
	ck_to_vm(1, b2_mac, w, wn);
	emb.proto = want.proto = 47;         /* GRE: no ports, the address is enough */
	n = make_err(e, ICMP_TIMXCEED, ROUTER, PUB20, &emb, 20);
	wn = make_err(w, ICMP_TIMXCEED, ROUTER, VM_B2, &want, 20);
	ck_assert_int_eq(path_from_tunnel(&p, err_from_edge(200, e, n), 1), PATH_TO_VM);
	ck_to_vm(1, b2_mac, w, wn);
	/* vm-b2 refuses a datagram to its port 5999. */
	emb = (struct tp_spec){ .proto = PROTO_UDP, .src = TP_CLIENT, .dst = VM_B2, .sport = 7000,
				.dport = 5999 };
	want = (struct tp_spec){ .proto = PROTO_UDP, .src = TP_CLIENT, .dst = PUB20, .sport = 7000,
				 .dport = 5999 };
	n = make_err(e, ICMP_UNREACH, VM_B2, TP_CLIENT, &emb, 1000);
	wn = make_err(w, ICMP_UNREACH, PUB20, TP_CLIENT, &want, 1000);
	ck_assert_int_eq(path_from_vm(&p, 1, err_from_vm(b2_mac, e, n), 1), PATH_TO_EDGE);
	ck_to_edge(200, w, wn);
	ck_assert_uint_eq(p.ctr[HC_ICMPERR_IN], 2);
	ck_assert_uint_eq(p.ctr[HC_ICMPERR_OUT], 1);
}
END_TEST

static Suite *path_icmp_suite(void)
{
	Suite *s = suite_create("path_icmp");
	TCase *a = tcase_create("host-a");
	TCase *b = tcase_create("host-b");

	tcase_add_checked_fixture(a, setup_a, teardown);
	tcase_add_test(a, inbound_restores_embedded);
	tcase_add_test(a, inbound_drops);
	tcase_add_test(a, outbound_translates_embedded);
	suite_add_tcase(s, a);
	tcase_add_checked_fixture(b, setup_b, teardown);
	tcase_add_test(b, one_to_one_both_ways);
	suite_add_tcase(s, b);
	return s;
}

/* main() - run the path_icmp suite; the exit status is nonzero if any check failed. */
int main(void)
{
	SRunner *sr = srunner_create(path_icmp_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
