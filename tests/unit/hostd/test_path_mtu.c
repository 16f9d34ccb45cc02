// SPDX-License-Identifier: MIT
/* test_path_mtu.c - hostd over a 1500-byte fabric: ICMP frag-needed to VMs, fragments, MSS clamp. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "../common/testpkt.h"
#include "eth.h"
#include "geneve.h"
#include "path.h"

#define EDGE1 0xC6120001u        /* 198.18.0.1 */
#define PUB10 0xCB00710Au        /* 203.0.113.10 */
#define VM_A 0xC613000Bu         /* 198.19.0.11: vm-a1 */
#define GW 0xC6130001u           /* 198.19.0.1 */
#define INNER_MAX 1464           /* 1500 - 36 */

static const uint8_t gw_mac[6] = { 0x02, 0x5a, 0, 0, 0, 0x01 };
static const uint8_t a1_mac[6] = { 0x02, 0x5a, 0, 0, 0x0a, 0x01 };

static struct host_conf conf;
static struct flowtab ft;
static struct path p;
static struct pktpool pool;
static struct pktbuf buf;
static uint8_t payload[1600];

static void setup(void)
{
	struct yerr err;

	ck_assert_msg(host_conf_load(&conf, SPAT_SOURCE_DIR "/etc/hostd-a.yaml", &err) == 0, "%s",
		      err.msg);
	ck_assert_int_eq(flow_init(&ft, &conf, 42), 0);
	ck_assert_int_eq(pktpool_init(&pool, 8), 0);
	memset(&p, 0, sizeof(p));
	p.conf = &conf;
	p.ft = &ft;
	tunmtu_init(&p.mtu, 1500, 100, &pool, 0);
	p.mss_max = INNER_MAX - 40;
	for (size_t i = 0; i < sizeof(payload); i++)
		payload[i] = (uint8_t)(i * 5 + 11);
}

static void teardown(void)
{
	tunmtu_put(&p.mtu);
	pktpool_destroy(&pool);
	flow_destroy(&ft);
	host_conf_free(&conf);
}

/* A frame from vm-a1 carrying s; the IP packet is also copied to ip. */
static struct pktbuf *from_vm(const struct tp_spec *s, uint8_t *ip)
{
	size_t len;

	pktbuf_reset(&buf);
	eth_write(buf.data, gw_mac, a1_mac, ETHT_IPV4);
	len = tp_build(buf.data + ETH_HLEN_, s);
	buf.len = ETH_HLEN_ + (uint32_t)len;
	if (ip)
		memcpy(ip, buf.data + ETH_HLEN_, len);
	return &buf;
}

/* The inner packet of a tunnel packet b (outer 28 + Geneve 8 bytes in front). */
static const uint8_t *inner(const struct pktbuf *b, size_t *len)
{
	ck_assert_uint_eq(b->peer, EDGE1);
	*len = b->len - 36;
	return b->data + 36;
}

START_TEST(df_too_big_gets_icmp_from_gateway)
{
	struct tp_spec s = { .proto = PROTO_UDP, .src = VM_A, .dst = TP_CLIENT, .sport = 5000,
			     .dport = 7000, .frag = 0x4000, .payload = payload, .paylen = 1472 };
	static uint8_t orig[1500];
	struct eth_hdr_info eh;
	struct pkt_ip4 pi;
	const uint8_t *ip;
	uint16_t c;

	ck_assert_int_eq(path_from_vm(&p, 0, from_vm(&s, orig), 1000), PATH_TO_VM);
	ck_assert_uint_eq(buf.out, 0);
	ck_assert_int_eq(eth_parse(buf.data, buf.len, &eh), 0);
	ck_assert_mem_eq(eh.dst, a1_mac, 6);
	ck_assert_mem_eq(eh.src, gw_mac, 6);
	ip = buf.data + ETH_HLEN_;
	ck_assert_int_eq(pkt_parse_ip4(ip, buf.len - ETH_HLEN_, &pi), PKT_OK);
	ck_assert_uint_eq(pi.src, GW);
	ck_assert_uint_eq(pi.dst, VM_A);
	ck_assert_uint_eq(pi.icmp_type, 3);
	ck_assert_uint_eq(pi.icmp_code, 4);
	ck_assert_uint_eq(tp_get16(ip + 26), INNER_MAX);
	memcpy(&c, ip + 10, 2);
	ck_assert_uint_eq(c, tp_full_ip_csum(ip));
	memcpy(&c, ip + 22, 2);
	ck_assert_uint_eq(c, tp_full_l4_csum(ip, ip + 20, pi.l3len - 20));
	ck_assert_mem_eq(ip + 28, orig, pi.l3len - 28);   /* the VM's packet, untranslated */
	ck_assert_uint_eq(p.ctr[HC_FRAG_NEEDED], 1);
	ck_assert_uint_eq(p.ctr[HC_MAP_CREATED], 0);      /* no mapping for a packet not sent */
	/* Within the limit, a DF packet goes through whole. */
	s.paylen = INNER_MAX - 28;
	ck_assert_int_eq(path_from_vm(&p, 0, from_vm(&s, NULL), 1000), PATH_TO_EDGE);
	ck_assert_uint_eq(p.ctr[HC_FRAG_NEEDED], 1);
	/* Rate limit: 100 a second, then counted drops. */
	s.paylen = 1472;
	for (int i = 0; i < 150; i++)
		path_from_vm(&p, 0, from_vm(&s, NULL), 1000);
	ck_assert_uint_eq(p.ctr[HC_FRAG_NEEDED], 100);
	ck_assert_uint_eq(p.ctr[HC_DROP_TOO_BIG_RATE], 51);
}
END_TEST

START_TEST(no_df_is_fragmented_after_translation)
{
	struct tp_spec s = { .proto = PROTO_UDP, .src = VM_A, .dst = TP_CLIENT, .sport = 5000,
			     .dport = 7000, .payload = payload, .paylen = 1472 };
	static uint8_t orig[1500], whole[1500];
	struct pkt_ip4 a, b;
	const uint8_t *ia, *ib;
	size_t la, lb;
	uint16_t c;

	ck_assert_int_eq(path_from_vm(&p, 0, from_vm(&s, orig), 1000), PATH_TO_EDGE);
	ck_assert_uint_eq(p.mtu.nfrag, 1);
	ck_assert_int_eq(p.mtu.frag[0]->out, PATH_TO_EDGE);
	ck_assert_uint_eq(p.ctr[HC_FRAG_MADE], 1);
	ia = inner(&buf, &la);
	ib = inner(p.mtu.frag[0], &lb);
	ck_assert_uint_le(la, INNER_MAX);
	ck_assert_int_eq(pkt_parse_ip4(ia, la, &a), PKT_OK);
	ck_assert_int_eq(pkt_parse_ip4(ib, lb, &b), PKT_OK);
	ck_assert(a.more_frags && a.frag_off == 0 && !b.more_frags && b.frag_off == la - 20);
	ck_assert_uint_eq(a.src, PUB10);
	ck_assert_uint_eq(b.src, PUB10);
	ck_assert_uint_eq(a.ipid, b.ipid);
	/* Both go to the same edge with the same outer source port. */
	ck_assert_uint_eq(tp_get16(buf.data + 20), tp_get16(p.mtu.frag[0]->data + 20));
	memcpy(&c, ia + 10, 2);
	ck_assert_uint_eq(c, tp_full_ip_csum(ia));
	memcpy(&c, ib + 10, 2);
	ck_assert_uint_eq(c, tp_full_ip_csum(ib));
	/* Put together again, the translated datagram's UDP checksum verifies. */
	memcpy(whole, ia, la);
	memcpy(whole + la, ib + 20, lb - 20);
	tp_put16(whole + 2, (uint16_t)(la + lb - 20));
	memcpy(&c, whole + 26, 2);
	ck_assert_uint_eq(c, tp_full_l4_csum(whole, whole + 20, la + lb - 40));
	ck_assert_mem_eq(whole + 28, orig + 28, 1472);
}
END_TEST

/* A SYN's MSS is lowered on the way out, and the SYN-ACK's on the way in. */
START_TEST(mss_clamped_both_ways)
{
	static const uint8_t opts[] = { 2, 4, 0x05, 0xB4, 1, 1, 4, 2 };
	struct tp_spec s = { .proto = PROTO_TCP, .src = VM_A, .dst = TP_CLIENT, .sport = 40000,
			     .dport = 80, .tcp_flags = TCPF_SYN, .payload = opts,
			     .paylen = sizeof(opts) };
	struct pkt_ip4 pi;
	const uint8_t *ip;
	uint8_t *ipw;
	size_t len;
	uint16_t c, pub;

	from_vm(&s, NULL);
	ipw = buf.data + ETH_HLEN_;
	ipw[20 + 12] = 7 << 4;
	c = tp_full_l4_csum(ipw, ipw + 20, 28);
	memcpy(ipw + 36, &c, 2);
	ck_assert_int_eq(path_from_vm(&p, 0, &buf, 1000), PATH_TO_EDGE);
	ip = inner(&buf, &len);
	ck_assert_int_eq(pkt_parse_ip4(ip, len, &pi), PKT_OK);
	ck_assert_uint_eq(tp_get16(ip + 42), INNER_MAX - 40);
	memcpy(&c, ip + 36, 2);
	ck_assert_uint_eq(c, tp_full_l4_csum(ip, ip + 20, 28));
	ck_assert_uint_eq(p.ctr[HC_MSS_CLAMPED], 1);
	pub = pi.sport;

	/* The SYN-ACK from the server, through the tunnel. */
	s = (struct tp_spec){ .proto = PROTO_TCP, .src = TP_CLIENT, .dst = PUB10, .sport = 80,
			      .dport = pub, .tcp_flags = TCPF_SYN | TCPF_ACK, .payload = opts,
			      .paylen = sizeof(opts) };
	pktbuf_reset(&buf);
	geneve_encode(buf.data, 100, GENEVE_PT_IPV4, false);
	ipw = buf.data + GENEVE_HLEN;
	buf.len = GENEVE_HLEN + (uint32_t)tp_build(ipw, &s);
	ipw[20 + 12] = 7 << 4;
	c = tp_full_l4_csum(ipw, ipw + 20, 28);
	memcpy(ipw + 36, &c, 2);
	buf.peer = EDGE1;
	ck_assert_int_eq(path_from_tunnel(&p, &buf, 1001), PATH_TO_VM);
	ip = buf.data + ETH_HLEN_;
	ck_assert_uint_eq(tp_get16(ip + 42), INNER_MAX - 40);
	memcpy(&c, ip + 36, 2);
	ck_assert_uint_eq(c, tp_full_l4_csum(ip, ip + 20, 28));
	ck_assert_uint_eq(p.ctr[HC_MSS_CLAMPED], 2);
}
END_TEST

/* A SYN whose options do not parse is counted and passes unchanged (but translated). */
START_TEST(mss_bad_options_counted)
{
	static const uint8_t opts[] = { 2, 4, 0x05, 0xB4, 8, 1, 0, 0 };
	struct tp_spec s = { .proto = PROTO_TCP, .src = VM_A, .dst = TP_CLIENT, .sport = 40001,
			     .dport = 80, .tcp_flags = TCPF_SYN, .payload = opts,
			     .paylen = sizeof(opts) };
	const uint8_t *ip;
	uint8_t *ipw;
	size_t len;
	uint16_t c;

	from_vm(&s, NULL);
	ipw = buf.data + ETH_HLEN_;
	ipw[20 + 12] = 7 << 4;
	c = tp_full_l4_csum(ipw, ipw + 20, 28);
	memcpy(ipw + 36, &c, 2);
	ck_assert_int_eq(path_from_vm(&p, 0, &buf, 1000), PATH_TO_EDGE);
	ip = inner(&buf, &len);
	ck_assert_uint_eq(tp_get16(ip + 42), 1460);
	memcpy(&c, ip + 36, 2);
	ck_assert_uint_eq(c, tp_full_l4_csum(ip, ip + 20, 28));
	ck_assert_uint_eq(p.ctr[HC_MSS_BAD], 1);
	ck_assert_uint_eq(p.ctr[HC_MSS_CLAMPED], 0);
}
END_TEST

static Suite *path_mtu_suite(void)
{
	Suite *s = suite_create("path_mtu");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, df_too_big_gets_icmp_from_gateway);
	tcase_add_test(tc, no_df_is_fragmented_after_translation);
	tcase_add_test(tc, mss_clamped_both_ways);
	tcase_add_test(tc, mss_bad_options_counted);
	suite_add_tcase(s, tc);
	return s;
}

/* main() - run the path_mtu suite; the exit status is nonzero if any check failed. */
int main(void)
{
	SRunner *sr = srunner_create(path_mtu_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
