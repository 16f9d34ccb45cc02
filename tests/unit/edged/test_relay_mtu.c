// SPDX-License-Identifier: MIT
/* test_relay_mtu.c - edged over a 1500-byte fabric: ICMP frag-needed to the Internet, fragments. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "../common/testpkt.h"
#include "relay.h"

#define HOST_A 0xC612000Bu       /* 198.18.0.11 */
#define PUB10 0xCB00710Au        /* 203.0.113.10 */
#define PUB12 0xCB00710Cu        /* 203.0.113.12: no rule */
#define PUB20 0xCB007114u        /* 203.0.113.20: 1:1 */
#define INNER_MAX 1464           /* 1500 - 36 */

static struct edge_conf conf;
static struct rules *rules;
static struct relay r;
static struct pktpool pool;
static struct pktbuf buf;
static uint8_t payload[1600];

static void setup(void)
{
	struct yerr err;

	ck_assert_msg(edge_conf_load(&conf, SPAT_SOURCE_DIR "/etc/edged.yaml", &err) == 0, "%s",
		      err.msg);
	rules = rules_build(&conf);
	ck_assert_ptr_nonnull(rules);
	ck_assert_int_eq(pktpool_init(&pool, 8), 0);
	memset(&r, 0, sizeof(r));
	r.conf = &conf;
	r.rules = rules;
	tunmtu_init(&r.mtu, 1500, 2, &pool, 0);
	for (size_t i = 0; i < sizeof(payload); i++)
		payload[i] = (uint8_t)(i * 3 + 1);
}

static void teardown(void)
{
	tunmtu_put(&r.mtu);
	pktpool_destroy(&pool);
	rules_free(rules);
	edge_conf_free(&conf);
}

static struct pktbuf *from_tun(const struct tp_spec *s, uint8_t *copy)
{
	pktbuf_reset(&buf);
	buf.len = (uint32_t)tp_build(buf.data, s);
	if (copy)
		memcpy(copy, buf.data, buf.len);
	return &buf;
}

START_TEST(df_too_big_answered_from_public_address)
{
	struct tp_spec s = { .proto = PROTO_TCP, .src = TP_CLIENT, .dst = PUB10, .sport = 40000,
			     .dport = 8080, .frag = 0x4000, .tcp_flags = TCPF_ACK,
			     .payload = payload, .paylen = 1460 };
	static uint8_t orig[1500], emb[1472];
	struct pkt_ip4 pi;
	uint16_t c;

	ck_assert_int_eq(relay_from_tun(&r, from_tun(&s, orig)), RELAY_TO_TUN);
	ck_assert_int_eq(pkt_parse_ip4(buf.data, buf.len, &pi), PKT_OK);
	ck_assert_uint_eq(pi.src, PUB10);
	ck_assert_uint_eq(pi.dst, TP_CLIENT);
	ck_assert_uint_eq(pi.icmp_type, 3);
	ck_assert_uint_eq(pi.icmp_code, 4);
	ck_assert_uint_eq(tp_get16(buf.data + 26), INNER_MAX);
	ck_assert_uint_eq(buf.len, 576);
	memcpy(&c, buf.data + 22, 2);
	ck_assert_uint_eq(c, tp_full_l4_csum(buf.data, buf.data + 20, 556));
	ck_assert_mem_eq(buf.data + 28, orig, 548);
	ck_assert_uint_eq(r.ctr[EC_FRAG_NEEDED], 1);
	/* Rate 2 a second: the third in the same instant is a counted drop. */
	ck_assert_int_eq(relay_from_tun(&r, from_tun(&s, NULL)), RELAY_TO_TUN);
	ck_assert_int_eq(relay_from_tun(&r, from_tun(&s, NULL)), RELAY_DROP);
	ck_assert_uint_eq(r.ctr[EC_DROP_TOO_BIG_RATE], 1);
	/* No rule, no ICMP: the pool is not a reflector for unused addresses. */
	s.dst = PUB12;
	r.now_ms = 5000;
	ck_assert_int_eq(relay_from_tun(&r, from_tun(&s, NULL)), RELAY_DROP);
	ck_assert_uint_eq(r.ctr[EC_DROP_NO_RULE], 1);
	/*
	 * Never an ICMP about an ICMP error: a well-formed one (its embedded
	 * packet left the 1:1 address), padded past the tunnel's room.
	 */
	memcpy(emb, payload, sizeof(emb));
	tp_build(emb, &(struct tp_spec){ .proto = PROTO_UDP, .src = PUB20, .dst = TP_CLIENT,
					 .sport = 5000, .dport = 53 });
	s = (struct tp_spec){ .proto = PROTO_ICMP, .src = TP_CLIENT, .dst = PUB20,
			      .icmp_type = 3, .icmp_code = 1, .frag = 0x4000,
			      .payload = emb, .paylen = 1472 };
	ck_assert_int_eq(relay_from_tun(&r, from_tun(&s, NULL)), RELAY_DROP);
	ck_assert_uint_eq(r.ctr[EC_DROP_TOO_BIG_SILENT], 1);
}
END_TEST

START_TEST(no_df_fragmented_to_the_same_host)
{
	struct tp_spec s = { .proto = PROTO_UDP, .src = TP_CLIENT, .dst = PUB10, .sport = 5000,
			     .dport = 2000, .payload = payload, .paylen = 1472 };
	static uint8_t orig[1500];
	struct pkt_ip4 a, b;

	ck_assert_int_eq(relay_from_tun(&r, from_tun(&s, orig)), RELAY_TO_HOST);
	ck_assert_uint_eq(r.mtu.nfrag, 1);
	ck_assert_int_eq(r.mtu.frag[0]->out, RELAY_TO_HOST);
	ck_assert_uint_eq(r.ctr[EC_FRAG_MADE], 1);
	ck_assert_uint_eq(buf.peer, HOST_A);
	ck_assert_uint_eq(r.mtu.frag[0]->peer, HOST_A);
	ck_assert_uint_le(buf.len, 1500);
	ck_assert_uint_le(r.mtu.frag[0]->len, 1500);
	ck_assert_uint_eq(tp_get16(buf.data + 20), tp_get16(r.mtu.frag[0]->data + 20));
	ck_assert_int_eq(pkt_parse_ip4(buf.data + 36, buf.len - 36, &a), PKT_OK);
	ck_assert_int_eq(pkt_parse_ip4(r.mtu.frag[0]->data + 36, r.mtu.frag[0]->len - 36, &b),
			 PKT_OK);
	ck_assert(a.more_frags && !b.more_frags && b.frag_off == a.l3len - 20);
	ck_assert_mem_eq(buf.data + 36 + 20, orig + 20, a.l3len - 20);
	ck_assert_mem_eq(r.mtu.frag[0]->data + 36 + 20, orig + 20 + b.frag_off, b.l3len - 20);
}
END_TEST

static Suite *relay_mtu_suite(void)
{
	Suite *s = suite_create("relay_mtu");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, df_too_big_answered_from_public_address);
	tcase_add_test(tc, no_df_fragmented_to_the_same_host);
	suite_add_tcase(s, tc);
	return s;
}

/* main() - run the relay_mtu suite; the exit status is nonzero if any check failed. */
int main(void)
{
	SRunner *sr = srunner_create(relay_mtu_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
