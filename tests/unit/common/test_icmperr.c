// SPDX-License-Identifier: MIT
/* test_icmperr.c - unit tests for ICMP errors: embedded packet parsing and translation. */
#include <check.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "icmperr.h"
#include "nat.h"
#include "pkt.h"
#include "testpkt.h"

#define ROUTER 0xC00002FEu       /* 192.0.2.254: whoever reports the error */

static const uint8_t payload[40] = "0123456789abcdefghijklmnopqrstuvwxyzABC";
static uint32_t rng_state = 0x2545F491;

static uint32_t rng(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 17;
	rng_state ^= rng_state << 5;
	return rng_state;
}

/* The error ROUTER sends to dst about the first keep bytes of emb. */
static size_t build_err(uint8_t *buf, uint8_t type, uint8_t code, uint32_t dst,
			const uint8_t *emb, size_t keep)
{
	return tp_build_err(buf, type, code, ROUTER, dst, emb, keep);
}

/* Sum over len bytes, checksum field included: a valid one makes it 0 after fold. */
static uint16_t verify(const uint8_t *p, size_t len)
{
	return csum_fold(csum_partial(p, len, 0));
}

/* Outer IPv4, outer ICMP (whole message) and embedded IPv4 checksums verify from scratch. */
static void ck_outer_and_emb_ip(const uint8_t *buf, size_t len, const struct icmperr *ie)
{
	ck_assert_uint_eq(verify(buf, 20), 0);
	ck_assert_uint_eq(verify(buf + 20, len - 20), 0);
	ck_assert_uint_eq(verify(buf + ie->ipoff, ie->l4off - ie->ipoff), 0);
}

/* One's complement has two zeros; a full and an incremental sum may pick either. */
static void ck_csum_equiv(uint16_t got, uint16_t want)
{
	if ((got == 0 || got == 0xFFFF) && (want == 0 || want == 0xFFFF))
		return;
	ck_assert_uint_eq(got, want);
}

static int parse_err(const uint8_t *buf, size_t len, struct pkt_ip4 *pi, struct icmperr *ie)
{
	uint8_t *copy = malloc(len ? len : 1);  /* exact size: ASan sees any overread */
	int r = -1;

	memcpy(copy, buf, len);
	if (pkt_parse_ip4(copy, len, pi) == PKT_OK)
		r = icmperr_parse(copy, pi, ie);
	free(copy);
	return r;
}

/*
 * Translate one error carrying keep bytes of a packet made from before and
 * check every byte and checksum against the same error built around the
 * packet made from after: the incremental rewrite equals a rebuild.
 */
static void ck_rewrite(const struct tp_spec *before, const struct tp_spec *after, size_t keep,
		       enum nat_side side)
{
	uint8_t eb[128], ea[128], got[256], want[256];
	size_t lb = tp_build(eb, before), la = tp_build(ea, after), len, wlen;
	uint32_t err_dst = side == NAT_SRC ? before->src : after->src;
	uint16_t port = side == NAT_SRC ? after->sport : after->dport;
	uint32_t addr = side == NAT_SRC ? after->src : after->dst;
	struct pkt_ip4 pi;
	struct icmperr ie;
	size_t c;

	ck_assert_uint_eq(lb, la);
	if (keep > lb)
		keep = lb;
	len = build_err(got, ICMP_UNREACH, 3, err_dst, eb, keep);
	wlen = build_err(want, ICMP_UNREACH, 3, err_dst, ea, keep);
	ck_assert_uint_eq(len, wlen);
	ck_assert_int_eq(pkt_parse_ip4(got, len, &pi), PKT_OK);
	ck_assert_int_eq(icmperr_parse(got, &pi, &ie), 0);
	ck_assert_uint_eq(ie.proto, before->proto);
	ck_assert_uint_eq(ie.src, before->src);
	ck_assert_uint_eq(ie.dst, before->dst);
	ck_assert_uint_eq(ie.sport, before->sport);
	if (before->proto != PROTO_ICMP)
		ck_assert_uint_eq(ie.dport, before->dport);
	icmperr_rewrite(got, &pi, &ie, side, addr, port);
	ck_assert_uint_eq(side == NAT_SRC ? ie.src : ie.dst, addr);
	ck_assert_uint_eq(side == NAT_SRC ? ie.sport : ie.dport, port);
	ck_outer_and_emb_ip(got, len, &ie);
	/* Every byte but the checksums equals the rebuilt error. */
	for (size_t i = 0; i < len; i++) {
		c = tp_l4_check_off(before->proto);
		if (i == 22 || i == 23 || i == ie.ipoff + 10u || i == ie.ipoff + 11u ||
		    i == ie.l4off + c || i == ie.l4off + c + 1)
			continue;
		ck_assert_msg(got[i] == want[i], "byte %zu: %02x != %02x", i, got[i], want[i]);
	}
	/* The embedded L4 checksum, where the error carries it, is the rebuilt one. */
	c = ie.l4off + tp_l4_check_off(before->proto);
	if (c + 2 <= len) {
		if (before->proto == PROTO_UDP)
			ck_assert_uint_eq(tp_get16(got + c), tp_get16(want + c));
		else
			ck_csum_equiv(tp_get16(got + c), tp_get16(want + c));
	}
}

static struct tp_spec spec(uint8_t proto, uint32_t src, uint16_t sport, uint32_t dst,
			   uint16_t dport)
{
	return (struct tp_spec){
		.proto = proto, .src = src, .dst = dst, .sport = sport, .dport = dport,
		.icmp_type = ICMP_ECHO, .tcp_flags = TCPF_SYN, .payload = payload, .paylen = 17,
	};
}

/* Inbound: the VM's datagram left as public:port; the error goes back to the VM's endpoint. */
START_TEST(test_udp_inbound)
{
	struct tp_spec b = spec(PROTO_UDP, TP_PUBLIC, 20001, TP_CLIENT, 7000);
	struct tp_spec a = spec(PROTO_UDP, TP_VM, 5555, TP_CLIENT, 7000);

	ck_rewrite(&b, &a, 28, NAT_SRC);
	ck_rewrite(&b, &a, 1000, NAT_SRC);
}
END_TEST

/* Outbound: the VM reports a datagram that came to it; its address goes public. */
START_TEST(test_udp_outbound)
{
	struct tp_spec b = spec(PROTO_UDP, TP_CLIENT, 7000, TP_VM, 53);
	struct tp_spec a = spec(PROTO_UDP, TP_CLIENT, 7000, TP_PUBLIC, 40053);

	ck_rewrite(&b, &a, 28, NAT_DST);
	ck_rewrite(&b, &a, 1000, NAT_DST);
}
END_TEST

START_TEST(test_udp_nocsum_stays_zero)
{
	struct tp_spec b = spec(PROTO_UDP, TP_PUBLIC, 20001, TP_CLIENT, 7000);
	struct tp_spec a = spec(PROTO_UDP, TP_VM, 5555, TP_CLIENT, 7000);
	uint8_t eb[128], got[256];
	struct pkt_ip4 pi;
	struct icmperr ie;
	size_t len;

	b.udp_nocsum = a.udp_nocsum = true;
	ck_rewrite(&b, &a, 100, NAT_SRC);
	len = build_err(got, ICMP_UNREACH, 3, TP_PUBLIC, eb, tp_build(eb, &b));
	ck_assert_int_eq(pkt_parse_ip4(got, len, &pi), PKT_OK);
	ck_assert_int_eq(icmperr_parse(got, &pi, &ie), 0);
	icmperr_rewrite(got, &pi, &ie, NAT_SRC, TP_VM, 5555);
	ck_assert_uint_eq(tp_get16(got + ie.l4off + 6), 0);
	ck_outer_and_emb_ip(got, len, &ie);
}
END_TEST

/* TCP: 8 bytes (RFC 792 minimum) hold no checksum; 28 or the whole segment do. */
START_TEST(test_tcp_truncated_and_whole)
{
	struct tp_spec b = spec(PROTO_TCP, TP_PUBLIC, 30000, TP_CLIENT, 443);
	struct tp_spec a = spec(PROTO_TCP, TP_VM, 40000, TP_CLIENT, 443);
	size_t keep;

	for (keep = 28; keep <= 20 + 20 + 17; keep++)
		ck_rewrite(&b, &a, keep, NAT_SRC);
	ck_rewrite(&b, &a, 28, NAT_SRC);
	b = spec(PROTO_TCP, TP_CLIENT, 443, TP_VM, 80);
	a = spec(PROTO_TCP, TP_CLIENT, 443, TP_PUBLIC, 8080);
	ck_rewrite(&b, &a, 28, NAT_DST);
	ck_rewrite(&b, &a, 1000, NAT_DST);
}
END_TEST

/* Embedded echo: the identifier is the port; the embedded ICMP checksum covers it. */
START_TEST(test_echo_id)
{
	struct tp_spec b = spec(PROTO_ICMP, TP_PUBLIC, 0x1234, TP_CLIENT, 0);
	struct tp_spec a = spec(PROTO_ICMP, TP_VM, 0x0042, TP_CLIENT, 0);

	ck_rewrite(&b, &a, 28, NAT_SRC);
	ck_rewrite(&b, &a, 1000, NAT_SRC);
	b = spec(PROTO_ICMP, TP_CLIENT, 0x0042, TP_VM, 0x0042);
	a = spec(PROTO_ICMP, TP_CLIENT, 0x1234, TP_PUBLIC, 0x1234);
	b.icmp_type = a.icmp_type = ICMP_ECHOREPLY;
	ck_rewrite(&b, &a, 1000, NAT_DST);
}
END_TEST

/* Random endpoints, protocols, sides and truncations: always equal to a rebuild. */
START_TEST(test_random)
{
	static const uint8_t protos[] = { PROTO_TCP, PROTO_UDP, PROTO_ICMP };

	for (int i = 0; i < 5000; i++) {
		uint8_t proto = protos[rng() % 3];
		uint32_t x = 0xC6120000u | (rng() & 0x1FFFF), y = 0xCB007100u | (rng() & 0xFF);
		uint32_t far = 0xC0000200u | (rng() & 0xFF);
		uint16_t p1 = (uint16_t)rng(), p2 = (uint16_t)rng(), pf = (uint16_t)rng();
		size_t keep = 28 + rng() % 40;
		struct tp_spec b, a;

		if (proto == PROTO_TCP && keep < 40 && keep > 28)
			keep = 40;      /* a torn checksum field is a case of its own, below */
		if (rng() & 1) {
			b = spec(proto, x, p1, far, proto == PROTO_ICMP ? p1 : pf);
			a = spec(proto, y, p2, far, proto == PROTO_ICMP ? p2 : pf);
			ck_rewrite(&b, &a, keep, NAT_SRC);
		} else {
			b = spec(proto, far, proto == PROTO_ICMP ? p1 : pf, x, p1);
			a = spec(proto, far, proto == PROTO_ICMP ? p2 : pf, y, p2);
			ck_rewrite(&b, &a, keep, NAT_DST);
		}
	}
}
END_TEST

/* TCP cut inside its checksum field: the half that is there stays as it was. */
START_TEST(test_tcp_torn_checksum)
{
	struct tp_spec b = spec(PROTO_TCP, TP_PUBLIC, 30000, TP_CLIENT, 443);
	uint8_t eb[128], got[256];
	struct pkt_ip4 pi;
	struct icmperr ie;
	size_t len;

	tp_build(eb, &b);
	len = build_err(got, ICMP_TIMXCEED, 0, TP_PUBLIC, eb, 20 + 17);
	ck_assert_int_eq(pkt_parse_ip4(got, len, &pi), PKT_OK);
	ck_assert_int_eq(icmperr_parse(got, &pi, &ie), 0);
	ck_assert_uint_eq(ie.l4avail, 17);
	icmperr_rewrite(got, &pi, &ie, NAT_SRC, TP_VM, 1234);
	ck_assert_uint_eq(got[len - 1], eb[20 + 16]);
	ck_outer_and_emb_ip(got, len, &ie);
}
END_TEST

/* Which outer packets are errors at all. */
START_TEST(test_is_error)
{
	struct pkt_ip4 pi = { .proto = PROTO_ICMP };

	for (unsigned t = 0; t < 256; t++) {
		pi.icmp_type = (uint8_t)t;
		ck_assert_int_eq(icmperr_is_error(&pi), t == 3 || t == 11 || t == 12);
	}
	pi.icmp_type = ICMP_UNREACH;
	pi.is_frag = true;
	ck_assert(!icmperr_is_error(&pi));
	pi.is_frag = false;
	pi.proto = PROTO_UDP;
	ck_assert(!icmperr_is_error(&pi));
}
END_TEST

/* Every cut of a good error: refused below 20 + 8 embedded bytes, never an overread. */
START_TEST(test_truncations)
{
	struct tp_spec b = spec(PROTO_UDP, TP_PUBLIC, 20001, TP_CLIENT, 7000);
	uint8_t eb[128], buf[256];
	struct pkt_ip4 pi;
	struct icmperr ie;
	size_t lb = tp_build(eb, &b);

	for (size_t keep = 0; keep <= lb; keep++) {
		size_t len = build_err(buf, ICMP_UNREACH, 3, TP_PUBLIC, eb, keep);

		ck_assert_int_eq(parse_err(buf, len, &pi, &ie), keep >= 28 ? 0 : -1);
	}
}
END_TEST

/* Embedded packets that cannot be translated are refused. */
START_TEST(test_refused)
{
	struct tp_spec b = spec(PROTO_UDP, TP_PUBLIC, 20001, TP_CLIENT, 7000);
	uint8_t eb[128], buf[256];
	struct pkt_ip4 pi;
	struct icmperr ie;
	size_t lb = tp_build(eb, &b), len;

	eb[0] = 0x65;                   /* version 6 */
	len = build_err(buf, ICMP_UNREACH, 3, TP_PUBLIC, eb, lb);
	ck_assert_int_eq(parse_err(buf, len, &pi, &ie), -1);
	eb[0] = 0x44;                   /* IHL 4 */
	len = build_err(buf, ICMP_UNREACH, 3, TP_PUBLIC, eb, lb);
	ck_assert_int_eq(parse_err(buf, len, &pi, &ie), -1);
	eb[0] = 0x4F;                   /* IHL 15: 60 bytes, more than there are before L4 */
	len = build_err(buf, ICMP_UNREACH, 3, TP_PUBLIC, eb, 40);
	ck_assert_int_eq(parse_err(buf, len, &pi, &ie), -1);
	eb[0] = 0x45;
	eb[9] = PROTO_UDP;
	eb[6] = 0x20;                   /* MF alone: a first fragment has its ports */
	len = build_err(buf, ICMP_UNREACH, 3, TP_PUBLIC, eb, lb);
	ck_assert_int_eq(parse_err(buf, len, &pi, &ie), 0);
	ck_assert(ie.has_ports);
	len = build_err(buf, ICMP_ECHOREPLY, 0, TP_PUBLIC, eb, lb);
	ck_assert_int_eq(parse_err(buf, len, &pi, &ie), -1);
}
END_TEST

/*
 * Another protocol (GRE), or a later fragment, has no ports: it parses with
 * the IP header alone, and only its address is rewritten.
 */
START_TEST(test_no_ports_address_only)
{
	struct tp_spec b = spec(PROTO_UDP, TP_PUBLIC, 20001, TP_CLIENT, 7000);
	uint8_t eb[128], buf[256], before[256];
	struct pkt_ip4 pi;
	struct icmperr ie;
	size_t lb = tp_build(eb, &b), len;

	for (int later = 0; later < 2; later++) {
		tp_build(eb, &b);
		if (later)
			eb[7] = 3;
		else
			eb[9] = 47;
		memset(eb + 10, 0, 2);
		memcpy(eb + 10, (uint16_t[]){ csum_fold(csum_partial(eb, 20, 0)) }, 2);
		for (size_t keep = 20; keep <= lb; keep += 4) {
			len = build_err(buf, ICMP_UNREACH, 1, TP_PUBLIC, eb, keep);
			ck_assert_int_eq(parse_err(buf, len, &pi, &ie), 0);
			ck_assert(!ie.has_ports);
			ck_assert_uint_eq(ie.l4avail, keep - 20);
			ck_assert_int_eq(pkt_parse_ip4(buf, len, &pi), PKT_OK);
			memcpy(before, buf, len);
			icmperr_rewrite(buf, &pi, &ie, NAT_SRC, TP_VM, 999);
			ck_assert_uint_eq(ie.src, TP_VM);
			ck_outer_and_emb_ip(buf, len, &ie);
			/* Past the embedded IP header nothing moved. */
			ck_assert_mem_eq(buf + ie.l4off, before + ie.l4off, len - ie.l4off);
		}
	}
}
END_TEST

/* An error about an error is never answered, so none is translated either. */
START_TEST(test_embedded_error_refused)
{
	struct tp_spec b = spec(PROTO_ICMP, TP_PUBLIC, 0, TP_CLIENT, 0);
	uint8_t eb[128], buf[256];
	struct pkt_ip4 pi;
	struct icmperr ie;
	size_t lb, len;

	b.icmp_type = ICMP_UNREACH;
	lb = tp_build(eb, &b);
	len = build_err(buf, ICMP_TIMXCEED, 0, TP_PUBLIC, eb, lb);
	ck_assert_int_eq(parse_err(buf, len, &pi, &ie), -1);
}
END_TEST

/* IP options in the embedded header move the L4 header; the rewrite follows. */
START_TEST(test_embedded_options)
{
	uint8_t eb[128], buf[256];
	struct tp_spec b = spec(PROTO_UDP, TP_PUBLIC, 20001, TP_CLIENT, 7000);
	size_t lb = tp_build(eb, &b), len;
	struct pkt_ip4 pi;
	struct icmperr ie;
	uint16_t c;

	/* Insert a 4-byte NOP option row: IHL 6, total length + 4, header checksum anew. */
	memmove(eb + 24, eb + 20, lb - 20);
	memset(eb + 20, 1, 4);
	eb[0] = 0x46;
	tp_put16(eb + 2, (uint16_t)(lb + 4));
	memset(eb + 10, 0, 2);
	c = csum_fold(csum_partial(eb, 24, 0));
	memcpy(eb + 10, &c, 2);
	len = build_err(buf, ICMP_PARAMPROB, 0, TP_PUBLIC, eb, lb + 4);
	ck_assert_int_eq(pkt_parse_ip4(buf, len, &pi), PKT_OK);
	ck_assert_int_eq(icmperr_parse(buf, &pi, &ie), 0);
	ck_assert_uint_eq(ie.l4off, 20 + 8 + 24);
	ck_assert_uint_eq(ie.sport, 20001);
	icmperr_rewrite(buf, &pi, &ie, NAT_SRC, TP_VM, 5555);
	ck_assert_uint_eq(tp_get16(buf + ie.l4off), 5555);
	ck_outer_and_emb_ip(buf, len, &ie);
}
END_TEST

/* The outer ICMP checksum is verified over the whole message. */
START_TEST(test_csum_ok)
{
	struct tp_spec b = spec(PROTO_UDP, TP_PUBLIC, 20001, TP_CLIENT, 7000);
	uint8_t eb[128], buf[256];
	struct pkt_ip4 pi;
	size_t len = build_err(buf, ICMP_UNREACH, 3, TP_PUBLIC, eb, tp_build(eb, &b));

	ck_assert_int_eq(pkt_parse_ip4(buf, len, &pi), PKT_OK);
	ck_assert(icmperr_csum_ok(buf, &pi));
	buf[len - 1] ^= 0x40;
	ck_assert(!icmperr_csum_ok(buf, &pi));
	buf[len - 1] ^= 0x40;
	buf[22] ^= 1;
	ck_assert(!icmperr_csum_ok(buf, &pi));
}
END_TEST

/* RFC 5508 REQ-3a: the embedded IPv4 header's own checksum, options included. */
START_TEST(test_inner_csum_ok)
{
	struct tp_spec b = spec(PROTO_UDP, TP_PUBLIC, 20001, TP_CLIENT, 7000);
	uint8_t eb[128], buf[256];
	struct icmperr ie;
	struct pkt_ip4 pi;
	size_t len = build_err(buf, ICMP_UNREACH, 3, TP_PUBLIC, eb, tp_build(eb, &b));

	ck_assert_int_eq(pkt_parse_ip4(buf, len, &pi), PKT_OK);
	ck_assert_int_eq(icmperr_parse(buf, &pi, &ie), 0);
	ck_assert(icmperr_inner_csum_ok(buf, &ie));
	/* Still right after a translation (incremental update). */
	icmperr_rewrite(buf, &pi, &ie, NAT_SRC, TP_VM, 40000);
	ck_assert(icmperr_inner_csum_ok(buf, &ie));
	buf[ie.ipoff + 8] ^= 0x10;               /* the embedded TTL */
	ck_assert(!icmperr_inner_csum_ok(buf, &ie));
}
END_TEST

static Suite *icmperr_suite(void)
{
	Suite *s = suite_create("icmperr");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_udp_inbound);
	tcase_add_test(tc, test_udp_outbound);
	tcase_add_test(tc, test_udp_nocsum_stays_zero);
	tcase_add_test(tc, test_tcp_truncated_and_whole);
	tcase_add_test(tc, test_echo_id);
	tcase_add_test(tc, test_random);
	tcase_add_test(tc, test_tcp_torn_checksum);
	tcase_add_test(tc, test_is_error);
	tcase_add_test(tc, test_truncations);
	tcase_add_test(tc, test_refused);
	tcase_add_test(tc, test_embedded_error_refused);
	tcase_add_test(tc, test_no_ports_address_only);
	tcase_add_test(tc, test_csum_ok);
	tcase_add_test(tc, test_inner_csum_ok);
	tcase_add_test(tc, test_embedded_options);
	suite_add_tcase(s, tc);
	return s;
}

/* main() - run the icmperr suite; the exit status is nonzero if any check failed. */
int main(void)
{
	SRunner *sr = srunner_create(icmperr_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
