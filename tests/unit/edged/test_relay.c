// SPDX-License-Identifier: MIT
/* test_relay.c - edged's packet decisions over the lab's rules: steering, checks, drops. */
#include <check.h>
#include <linux/virtio_net.h>
#include <stdlib.h>
#include <string.h>

#include "../common/testpkt.h"
#include "frag.h"
#include "geneve.h"
#include "probe.h"
#include "relay.h"
#include "udpio.h"
#include "vnet.h"

#define EDGE1 0xC6120001u        /* 198.18.0.1 */
#define HOST_A 0xC612000Bu       /* 198.18.0.11 */
#define HOST_B 0xC612000Cu       /* 198.18.0.12 */
#define PUB10 0xCB00710Au        /* 203.0.113.10 */
#define PUB11 0xCB00710Bu        /* 203.0.113.11 */
#define PUB12 0xCB00710Cu        /* 203.0.113.12: no rule */
#define PUB20 0xCB007114u        /* 203.0.113.20: 1:1 */

static struct edge_conf conf;
static struct rules *rules;
static struct relay r;
static struct pktbuf buf;

static void setup(void)
{
	struct yerr err;

	ck_assert_msg(edge_conf_load(&conf, SPAT_SOURCE_DIR "/etc/edged.yaml", &err) == 0, "%s",
		      err.msg);
	rules = rules_build(&conf);
	ck_assert_ptr_nonnull(rules);
	memset(&r, 0, sizeof(r));
	r.conf = &conf;
	r.rules = rules;
}

static void teardown(void)
{
	rules_free(rules);
	edge_conf_free(&conf);
}

/* Put an IP packet from the Internet into buf as read from TUN. */
static struct pktbuf *from_tun(const struct tp_spec *s)
{
	pktbuf_reset(&buf);
	buf.len = (uint32_t)tp_build(buf.data, s);
	return &buf;
}

/* Put a Geneve datagram from peer into buf as received on the tunnel socket. */
static struct pktbuf *from_host(uint32_t peer, uint32_t vni, uint16_t proto, bool oam,
				const struct tp_spec *s)
{
	pktbuf_reset(&buf);
	geneve_encode(buf.data, vni, proto, oam);
	buf.len = GENEVE_HLEN + (uint32_t)tp_build(buf.data + GENEVE_HLEN, s);
	buf.peer = peer;
	return &buf;
}

static uint32_t get32(const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, 4);
	return ntohl(v);
}

/* Check the outer headers and return the Geneve header's VNI. */
static uint32_t check_outer(const struct pktbuf *b, uint32_t host)
{
	struct geneve_hdr gh;
	uint16_t sport;

	ck_assert_uint_eq(b->peer, host);
	ck_assert_uint_eq(b->data[0], 0x45);
	ck_assert_uint_eq(b->data[9], 17);
	ck_assert_uint_eq(get32(b->data + 12), EDGE1);
	ck_assert_uint_eq(get32(b->data + 16), host);
	sport = tp_get16(b->data + 20);
	ck_assert_uint_ge(sport, 49152);
	ck_assert_uint_eq(tp_get16(b->data + 22), 6081);
	ck_assert_uint_eq(tp_get16(b->data + 2), b->len);
	ck_assert_uint_eq(tp_get16(b->data + 24), b->len - 20);
	ck_assert_int_eq(geneve_decode(b->data + 28, b->len - 28, &gh), GENEVE_OK);
	ck_assert_uint_eq(gh.proto, GENEVE_PT_IPV4);
	ck_assert(!gh.oam);
	return gh.vni;
}

START_TEST(tun_static_forward_to_host_a)
{
	struct tp_spec s = { .proto = PROTO_TCP, .src = TP_CLIENT, .dst = PUB10, .sport = 40000,
			     .dport = 8080, .tcp_flags = TCPF_SYN };
	uint8_t orig[128];
	size_t n = tp_build(orig, &s);

	ck_assert_int_eq(relay_from_tun(&r, from_tun(&s)), RELAY_TO_HOST);
	ck_assert_uint_eq(check_outer(&buf, HOST_A), 100);
	ck_assert_uint_eq(buf.len, 28 + GENEVE_HLEN + n);
	ck_assert_mem_eq(buf.data + 28 + GENEVE_HLEN, orig, n);   /* relayed unmodified */
	ck_assert_uint_eq(r.ctr[EC_RX_TUN_PKTS], 1);
}
END_TEST

START_TEST(tun_ranges_and_tenants)
{
	struct tp_spec s = { .proto = PROTO_UDP, .src = TP_CLIENT, .dst = PUB10, .sport = 53,
			     .dport = 40053 };

	ck_assert_int_eq(relay_from_tun(&r, from_tun(&s)), RELAY_TO_HOST);
	ck_assert_uint_eq(check_outer(&buf, HOST_B), 100);
	s.dst = PUB11;
	s.dport = 32767;
	ck_assert_int_eq(relay_from_tun(&r, from_tun(&s)), RELAY_TO_HOST);
	ck_assert_uint_eq(check_outer(&buf, HOST_A), 200);
	s.dport = 32768;
	ck_assert_int_eq(relay_from_tun(&r, from_tun(&s)), RELAY_TO_HOST);
	ck_assert_uint_eq(check_outer(&buf, HOST_B), 200);
}
END_TEST

START_TEST(tun_icmp_echo_by_identifier)
{
	struct tp_spec s = { .proto = PROTO_ICMP, .src = TP_CLIENT, .dst = PUB10, .sport = 2000,
			     .icmp_type = ICMP_ECHOREPLY };

	ck_assert_int_eq(relay_from_tun(&r, from_tun(&s)), RELAY_TO_HOST);
	ck_assert_uint_eq(check_outer(&buf, HOST_A), 100);
	s.sport = 50000;
	ck_assert_int_eq(relay_from_tun(&r, from_tun(&s)), RELAY_TO_HOST);
	ck_assert_uint_eq(check_outer(&buf, HOST_B), 100);
}
END_TEST

START_TEST(tun_one_to_one_any_protocol)
{
	struct tp_spec s = { .proto = 47, .src = TP_CLIENT, .dst = PUB20 };

	ck_assert_int_eq(relay_from_tun(&r, from_tun(&s)), RELAY_TO_HOST);
	ck_assert_uint_eq(check_outer(&buf, HOST_B), 200);
	s.proto = PROTO_TCP;
	s.dport = 22;
	ck_assert_int_eq(relay_from_tun(&r, from_tun(&s)), RELAY_TO_HOST);
	ck_assert_uint_eq(check_outer(&buf, HOST_B), 200);
}
END_TEST

START_TEST(tun_same_flow_same_outer_port)
{
	struct tp_spec s = { .proto = PROTO_UDP, .src = TP_CLIENT, .dst = PUB10, .sport = 1111,
			     .dport = 2222 };
	uint16_t p1, p2;

	relay_from_tun(&r, from_tun(&s));
	p1 = tp_get16(buf.data + 20);
	relay_from_tun(&r, from_tun(&s));
	p2 = tp_get16(buf.data + 20);
	ck_assert_uint_eq(p1, p2);
}
END_TEST

START_TEST(tun_drops_counted)
{
	struct tp_spec s = { .proto = PROTO_UDP, .src = TP_CLIENT, .dst = PUB10, .sport = 1,
			     .dport = 500 };
	struct pktbuf *b;

	ck_assert_int_eq(relay_from_tun(&r, from_tun(&s)), RELAY_DROP);
	ck_assert_uint_eq(r.ctr[EC_DROP_NO_RULE], 1);
	s.dst = PUB12;
	s.dport = 2000;
	ck_assert_int_eq(relay_from_tun(&r, from_tun(&s)), RELAY_DROP);
	ck_assert_uint_eq(r.ctr[EC_DROP_NO_RULE], 2);
	s.dst = PUB10;
	s.frag = 100;                        /* offset 800: non-first fragment */
	ck_assert_int_eq(relay_from_tun(&r, from_tun(&s)), RELAY_DROP);  /* no cache to hold it */
	ck_assert_uint_eq(r.ctr[EC_DROP_FRAG_FULL], 1);
	s.frag = 0;
	s.proto = PROTO_ICMP;
	s.icmp_type = 5;                     /* redirect: not translated, no ports */
	ck_assert_int_eq(relay_from_tun(&r, from_tun(&s)), RELAY_DROP);
	ck_assert_uint_eq(r.ctr[EC_DROP_NO_PORTS], 1);
	s.icmp_type = ICMP_UNREACH;          /* an error with no embedded packet */
	ck_assert_int_eq(relay_from_tun(&r, from_tun(&s)), RELAY_DROP);
	ck_assert_uint_eq(r.ctr[EC_DROP_ICMPERR_MALFORMED], 1);
	b = from_tun(&s);
	b->data[0] = 0x60;                   /* IPv6 */
	ck_assert_int_eq(relay_from_tun(&r, b), RELAY_DROP);
	ck_assert_uint_eq(r.ctr[EC_DROP_TUN_NOT_IP4], 1);
	b = from_tun(&s);
	b->len = 10;
	ck_assert_int_eq(relay_from_tun(&r, b), RELAY_DROP);
	ck_assert_uint_eq(r.ctr[EC_DROP_TUN_MALFORMED], 1);
}
END_TEST

/* A reply from vm-a1 leaving host-a from its public mapping. */
static const struct tp_spec host_a_out = { .proto = PROTO_UDP, .src = PUB10, .dst = TP_CLIENT,
					   .sport = 20000, .dport = 7000 };

START_TEST(tunnel_to_internet)
{
	uint8_t orig[128];
	size_t n = tp_build(orig, &host_a_out);

	ck_assert_int_eq(relay_from_tunnel(&r, from_host(HOST_A, 100, GENEVE_PT_IPV4, false,
							 &host_a_out)), RELAY_TO_TUN);
	ck_assert_uint_eq(buf.len, n);
	ck_assert_mem_eq(buf.data, orig, n);
}
END_TEST

START_TEST(tunnel_one_to_one_other_protocol)
{
	struct tp_spec s = { .proto = 47, .src = PUB20, .dst = TP_CLIENT };

	ck_assert_int_eq(relay_from_tunnel(&r, from_host(HOST_B, 200, GENEVE_PT_IPV4, false, &s)),
			 RELAY_TO_TUN);
	ck_assert_int_eq(relay_from_tunnel(&r, from_host(HOST_A, 200, GENEVE_PT_IPV4, false, &s)),
			 RELAY_DROP);
	ck_assert_uint_eq(r.ctr[EC_DROP_SPOOFED], 1);
}
END_TEST

START_TEST(tunnel_checks_sender_and_source)
{
	struct tp_spec s = host_a_out;

	ck_assert_int_eq(relay_from_tunnel(&r, from_host(0xC6120063u, 100, GENEVE_PT_IPV4, false,
							 &s)), RELAY_DROP);
	ck_assert_uint_eq(r.ctr[EC_DROP_UNKNOWN_HOST], 1);
	s.sport = 40000;                     /* host-b's range */
	ck_assert_int_eq(relay_from_tunnel(&r, from_host(HOST_A, 100, GENEVE_PT_IPV4, false, &s)),
			 RELAY_DROP);
	ck_assert_uint_eq(r.ctr[EC_DROP_SPOOFED], 1);
	s.sport = 20000;
	ck_assert_int_eq(relay_from_tunnel(&r, from_host(HOST_A, 200, GENEVE_PT_IPV4, false, &s)),
			 RELAY_DROP);
	ck_assert_uint_eq(r.ctr[EC_DROP_VNI], 1);
	s.src = PUB12;
	ck_assert_int_eq(relay_from_tunnel(&r, from_host(HOST_A, 100, GENEVE_PT_IPV4, false, &s)),
			 RELAY_DROP);
	ck_assert_uint_eq(r.ctr[EC_DROP_SPOOFED], 2);
}
END_TEST

/* A host's keepalive comes back to it as the reply, its data echoed. */
START_TEST(tunnel_probe_answered)
{
	struct probe pr;
	uint8_t req[PROBE_LEN];

	pktbuf_reset(&buf);
	probe_encode(buf.data, PROBE_REQUEST, 42, 4242);
	memcpy(req, buf.data, sizeof(req));
	buf.len = PROBE_LEN;
	buf.peer = HOST_B;
	ck_assert_int_eq(relay_from_tunnel(&r, &buf), RELAY_TO_HOST);
	ck_assert_uint_eq(r.ctr[EC_PROBES_ANSWERED], 1);
	ck_assert_uint_eq(buf.peer, HOST_B);
	ck_assert_uint_eq(buf.len, 28 + PROBE_LEN);
	ck_assert_uint_eq(get32(buf.data + 12), EDGE1);
	ck_assert_uint_eq(get32(buf.data + 16), HOST_B);
	ck_assert_uint_eq(tp_get16(buf.data + 22), 6081);
	ck_assert_int_eq(probe_decode(buf.data + 28, PROBE_LEN, &pr), 0);
	ck_assert_int_eq(pr.kind, PROBE_REPLY);
	ck_assert_uint_eq(pr.seq, 42);
	ck_assert_uint_eq(pr.stamp_ms, 4242);
	/* A reply (or any other control packet) is not answered: no ping-pong. */
	pktbuf_reset(&buf);
	probe_encode(buf.data, PROBE_REPLY, 1, 2);
	buf.len = PROBE_LEN;
	buf.peer = HOST_B;
	ck_assert_int_eq(relay_from_tunnel(&r, &buf), RELAY_DROP);
	ck_assert_uint_eq(r.ctr[EC_DROP_GNV_OAM], 1);
	/* From a stranger: refused before anything else. */
	pktbuf_reset(&buf);
	memcpy(buf.data, req, sizeof(req));
	buf.len = PROBE_LEN;
	buf.peer = 0xC6120063u;
	ck_assert_int_eq(relay_from_tunnel(&r, &buf), RELAY_DROP);
	ck_assert_uint_eq(r.ctr[EC_DROP_UNKNOWN_HOST], 1);
	ck_assert_uint_eq(r.ctr[EC_PROBES_ANSWERED], 1);
}
END_TEST

START_TEST(tunnel_bad_geneve)
{
	struct pktbuf *b;

	from_host(HOST_A, 100, GENEVE_PT_IPV4, true, &host_a_out);
	ck_assert_int_eq(relay_from_tunnel(&r, &buf), RELAY_DROP);
	ck_assert_uint_eq(r.ctr[EC_DROP_GNV_OAM], 1);
	from_host(HOST_A, 100, GENEVE_PT_IPV6, false, &host_a_out);
	ck_assert_int_eq(relay_from_tunnel(&r, &buf), RELAY_DROP);
	ck_assert_uint_eq(r.ctr[EC_DROP_GNV_PROTO], 1);
	b = from_host(HOST_A, 100, GENEVE_PT_IPV4, false, &host_a_out);
	b->data[0] = 0x40;                   /* version 1 */
	ck_assert_int_eq(relay_from_tunnel(&r, b), RELAY_DROP);
	ck_assert_uint_eq(r.ctr[EC_DROP_GNV_MALFORMED], 1);
	b = from_host(HOST_A, 100, GENEVE_PT_IPV4, false, &host_a_out);
	b->len = 0;                          /* truncated by recvmmsg */
	ck_assert_int_eq(relay_from_tunnel(&r, b), RELAY_DROP);
	ck_assert_uint_eq(r.ctr[EC_DROP_TRUNCATED], 1);
	b = from_host(HOST_A, 100, GENEVE_PT_IPV4, false, &host_a_out);
	b->len = GENEVE_HLEN + 12;
	ck_assert_int_eq(relay_from_tunnel(&r, b), RELAY_DROP);
	ck_assert_uint_eq(r.ctr[EC_DROP_INNER_MALFORMED], 1);
}
END_TEST

START_TEST(tunnel_hairpin)
{
	struct tp_spec s = host_a_out;

	s.dst = PUB10;
	s.dport = 40053;                     /* vm-b1's forward, on host-b */
	ck_assert_int_eq(relay_from_tunnel(&r, from_host(HOST_A, 100, GENEVE_PT_IPV4, false, &s)),
			 RELAY_TO_HOST);
	ck_assert_uint_eq(check_outer(&buf, HOST_B), 100);
	ck_assert_uint_eq(r.ctr[EC_HAIRPIN_PKTS], 1);
	s.dport = 500;                       /* pool address, no rule */
	ck_assert_int_eq(relay_from_tunnel(&r, from_host(HOST_A, 100, GENEVE_PT_IPV4, false, &s)),
			 RELAY_DROP);
	ck_assert_uint_eq(r.ctr[EC_DROP_NO_RULE], 1);
}
END_TEST

#define ROUTER 0xC00002FEu       /* 192.0.2.254 */

/* Put an ICMP error from src to dst about (the first keep bytes of) emb into buf. */
static struct pktbuf *err_from_tun(uint32_t src, uint32_t dst, const struct tp_spec *emb,
				   size_t keep)
{
	uint8_t e[128];
	size_t n = tp_build(e, emb);

	pktbuf_reset(&buf);
	buf.len = (uint32_t)tp_build_err(buf.data, ICMP_UNREACH, 3, src, dst, e,
					 keep < n ? keep : n);
	return &buf;
}

/* The same error as a host tunnels it with tenant vni. */
static struct pktbuf *err_from_host(uint32_t peer, uint32_t vni, uint32_t src, uint32_t dst,
				    const struct tp_spec *emb)
{
	uint8_t e[128];
	size_t n = tp_build(e, emb);

	pktbuf_reset(&buf);
	geneve_encode(buf.data, vni, GENEVE_PT_IPV4, false);
	buf.len = GENEVE_HLEN + (uint32_t)tp_build_err(buf.data + GENEVE_HLEN, ICMP_UNREACH, 3,
						       src, dst, e, n);
	buf.peer = peer;
	return &buf;
}

/* Errors from the Internet go to the host owning the embedded source, unmodified. */
START_TEST(tun_icmp_error_by_embedded_source)
{
	struct tp_spec emb = { .proto = PROTO_UDP, .src = PUB10, .dst = TP_CLIENT,
			       .sport = 20000, .dport = 7000 };
	uint8_t orig[256];
	size_t n;

	err_from_tun(ROUTER, PUB10, &emb, 28);
	n = buf.len;
	memcpy(orig, buf.data, n);
	ck_assert_int_eq(relay_from_tun(&r, &buf), RELAY_TO_HOST);
	ck_assert_uint_eq(check_outer(&buf, HOST_A), 100);
	ck_assert_uint_eq(buf.len, 28 + GENEVE_HLEN + n);
	ck_assert_mem_eq(buf.data + 28 + GENEVE_HLEN, orig, n);
	emb.sport = 40000;                   /* host-b's half of the range */
	ck_assert_int_eq(relay_from_tun(&r, err_from_tun(ROUTER, PUB10, &emb, 200)), RELAY_TO_HOST);
	ck_assert_uint_eq(check_outer(&buf, HOST_B), 100);
	emb = (struct tp_spec){ .proto = PROTO_ICMP, .src = PUB11, .dst = TP_CLIENT,
				.sport = 50000, .icmp_type = ICMP_ECHO };
	ck_assert_int_eq(relay_from_tun(&r, err_from_tun(TP_CLIENT, PUB11, &emb, 28)),
			 RELAY_TO_HOST);
	ck_assert_uint_eq(check_outer(&buf, HOST_B), 200);
	emb = (struct tp_spec){ .proto = PROTO_TCP, .src = PUB20, .dst = TP_CLIENT,
				.sport = 22, .dport = 50000, .tcp_flags = TCPF_SYN };
	ck_assert_int_eq(relay_from_tun(&r, err_from_tun(ROUTER, PUB20, &emb, 28)),
			 RELAY_TO_HOST);
	ck_assert_uint_eq(check_outer(&buf, HOST_B), 200);
	/* No ports (GRE): a whole address places it, a port range cannot. */
	emb = (struct tp_spec){ .proto = 47, .src = PUB20, .dst = TP_CLIENT };
	ck_assert_int_eq(relay_from_tun(&r, err_from_tun(ROUTER, PUB20, &emb, 20)),
			 RELAY_TO_HOST);
	ck_assert_uint_eq(check_outer(&buf, HOST_B), 200);
	ck_assert_uint_eq(r.ctr[EC_ICMPERR_PKTS], 5);
	emb.src = PUB10;
	ck_assert_int_eq(relay_from_tun(&r, err_from_tun(ROUTER, PUB10, &emb, 20)), RELAY_DROP);
	ck_assert_uint_eq(r.ctr[EC_DROP_NO_RULE], 1);
}
END_TEST

/* Malformed, inconsistent or unowned errors from the Internet are counted drops. */
START_TEST(tun_icmp_error_drops)
{
	struct tp_spec emb = { .proto = PROTO_UDP, .src = PUB10, .dst = TP_CLIENT,
			       .sport = 20000, .dport = 7000 };

	ck_assert_int_eq(relay_from_tun(&r, err_from_tun(ROUTER, PUB10, &emb, 27)), RELAY_DROP);
	ck_assert_uint_eq(r.ctr[EC_DROP_ICMPERR_MALFORMED], 1);
	ck_assert_int_eq(relay_from_tun(&r, err_from_tun(ROUTER, PUB11, &emb, 28)), RELAY_DROP);
	ck_assert_uint_eq(r.ctr[EC_DROP_ICMPERR_MISMATCH], 1);
	emb.src = PUB12;
	ck_assert_int_eq(relay_from_tun(&r, err_from_tun(ROUTER, PUB12, &emb, 28)), RELAY_DROP);
	ck_assert_uint_eq(r.ctr[EC_DROP_NO_RULE], 1);
	ck_assert_uint_eq(r.ctr[EC_ICMPERR_PKTS], 0);
}
END_TEST

/*
 * Errors from a host (a VM answering an inbound packet) are checked by the
 * embedded destination the host speaks for; to a pool address they hairpin
 * to the owner of the embedded source.
 */
START_TEST(tunnel_icmp_error_out_and_hairpin)
{
	/* vm-b1's port unreachable about a datagram that came to the forward 40053. */
	struct tp_spec emb = { .proto = PROTO_UDP, .src = TP_CLIENT, .dst = PUB10,
			       .sport = 7000, .dport = 40053 };

	ck_assert_int_eq(relay_from_tunnel(&r, err_from_host(HOST_B, 100, PUB10, TP_CLIENT, &emb)),
			 RELAY_TO_TUN);
	ck_assert_uint_eq(r.ctr[EC_ICMPERR_PKTS], 1);
	ck_assert_int_eq(relay_from_tunnel(&r, err_from_host(HOST_A, 100, PUB10, TP_CLIENT, &emb)),
			 RELAY_DROP);
	ck_assert_uint_eq(r.ctr[EC_DROP_SPOOFED], 1);
	ck_assert_int_eq(relay_from_tunnel(&r, err_from_host(HOST_B, 200, PUB10, TP_CLIENT, &emb)),
			 RELAY_DROP);
	ck_assert_uint_eq(r.ctr[EC_DROP_VNI], 1);
	ck_assert_int_eq(relay_from_tunnel(&r, err_from_host(HOST_B, 100, PUB11, TP_CLIENT, &emb)),
			 RELAY_DROP);
	ck_assert_uint_eq(r.ctr[EC_DROP_ICMPERR_MISMATCH], 1);
	/* Hairpin: the datagram came from vm-a1's mapping 203.0.113.10:20000. */
	emb.src = PUB10;
	emb.sport = 20000;
	ck_assert_int_eq(relay_from_tunnel(&r, err_from_host(HOST_B, 100, PUB10, PUB10, &emb)),
			 RELAY_TO_HOST);
	ck_assert_uint_eq(check_outer(&buf, HOST_A), 100);
	ck_assert_uint_eq(r.ctr[EC_HAIRPIN_PKTS], 1);
	/* To a pool address that is not the embedded source: inconsistent. */
	ck_assert_int_eq(relay_from_tunnel(&r, err_from_host(HOST_B, 100, PUB10, PUB11, &emb)),
			 RELAY_DROP);
	ck_assert_uint_eq(r.ctr[EC_DROP_ICMPERR_MISMATCH], 2);
	/* From vm-b2's 1:1 address to vm-a2's mapping on 203.0.113.11 (tenant 200). */
	emb = (struct tp_spec){ .proto = PROTO_UDP, .src = PUB11, .dst = PUB20,
				.sport = 1500, .dport = 5999 };
	ck_assert_int_eq(relay_from_tunnel(&r, err_from_host(HOST_B, 200, PUB20, PUB11, &emb)),
			 RELAY_TO_HOST);
	ck_assert_uint_eq(check_outer(&buf, HOST_A), 200);
	/* Truncated embedded packet. */
	err_from_host(HOST_B, 200, PUB20, PUB11, &emb);
	buf.len -= 1;
	tp_put16(buf.data + GENEVE_HLEN + 2, (uint16_t)(buf.len - GENEVE_HLEN));
	ck_assert_int_eq(relay_from_tunnel(&r, &buf), RELAY_DROP);
	ck_assert_uint_eq(r.ctr[EC_DROP_ICMPERR_MALFORMED], 1);
}
END_TEST

/* Fragments: later ones follow the first, in either order, both directions. */
START_TEST(fragments_follow_their_first)
{
	struct tp_spec first = { .proto = PROTO_UDP, .src = TP_CLIENT, .dst = PUB10, .sport = 9,
				 .dport = 40053, .frag = TP_IP_MF };
	struct tp_spec later = { .proto = PROTO_UDP, .src = TP_CLIENT, .dst = PUB10, .frag = 185 };

	r.frags = frag_new(64, 4, 1000);
	relay_tick(&r, 100);
	/* A later fragment before its first: held, nothing sent yet. */
	ck_assert_int_eq(relay_from_tun(&r, from_tun(&later)), RELAY_HELD);
	ck_assert_uint_eq(r.nrel, 0);
	/* The first goes to host-b by its port, and releases the held one to host-b too. */
	ck_assert_int_eq(relay_from_tun(&r, from_tun(&first)), RELAY_TO_HOST);
	ck_assert_uint_eq(check_outer(&buf, HOST_B), 100);
	ck_assert_uint_eq(r.nrel, 1);
	ck_assert_int_eq(r.rel[0]->out, RELAY_TO_HOST);
	ck_assert_uint_eq(r.rel[0]->peer, HOST_B);
	relay_put_released(&r);
	/* Another later fragment is steered straight away. */
	later.frag = 370;
	ck_assert_int_eq(relay_from_tun(&r, from_tun(&later)), RELAY_TO_HOST);
	ck_assert_uint_eq(check_outer(&buf, HOST_B), 100);
	ck_assert_uint_eq(r.ctr[EC_FRAG_STEERED], 2);
	/* A later fragment of another datagram whose first never comes times out. */
	later.src = 0xC0000202u;
	ck_assert_int_eq(relay_from_tun(&r, from_tun(&later)), RELAY_HELD);
	relay_tick(&r, 1200);
	ck_assert_uint_eq(r.ctr[EC_DROP_FRAG_TIMEOUT], 1);
	/* Fragments to a 1:1 address need no first. */
	later.dst = PUB20;
	ck_assert_int_eq(relay_from_tun(&r, from_tun(&later)), RELAY_TO_HOST);
	ck_assert_uint_eq(check_outer(&buf, HOST_B), 200);
	frag_free(r.frags);
	r.frags = NULL;
}
END_TEST

START_TEST(host_fragments_checked_by_their_first)
{
	struct tp_spec first = { .proto = PROTO_UDP, .src = PUB10, .dst = TP_CLIENT, .sport = 20000,
				 .dport = 7000, .frag = TP_IP_MF };
	struct tp_spec later = { .proto = PROTO_UDP, .src = PUB10, .dst = TP_CLIENT, .frag = 185 };
	struct tp_spec forged = first;

	r.frags = frag_new(64, 4, 1000);
	relay_tick(&r, 100);
	ck_assert_int_eq(relay_from_tunnel(&r, from_host(HOST_A, 100, GENEVE_PT_IPV4, false,
							 &later)), RELAY_HELD);
	ck_assert_int_eq(relay_from_tunnel(&r, from_host(HOST_A, 100, GENEVE_PT_IPV4, false,
							 &first)), RELAY_TO_TUN);
	ck_assert_uint_eq(r.nrel, 1);
	ck_assert_int_eq(r.rel[0]->out, RELAY_TO_TUN);
	relay_put_released(&r);
	/* The same datagram's later fragment from the other host is not placed by it. */
	ck_assert_int_eq(relay_from_tunnel(&r, from_host(HOST_B, 100, GENEVE_PT_IPV4, false,
							 &later)), RELAY_HELD);
	/* A forged first fragment (host-b's range from host-a) releases nothing. */
	forged.sport = 40000;
	forged.src = PUB10;
	later.src = PUB11;
	forged.dst = later.dst;
	ck_assert_int_eq(relay_from_tunnel(&r, from_host(HOST_A, 100, GENEVE_PT_IPV4, false,
							 &forged)), RELAY_DROP);
	ck_assert_uint_eq(r.nrel, 0);
	ck_assert_uint_eq(r.ctr[EC_DROP_SPOOFED], 1);
	/* Unowned public source for a later fragment: dropped at once. */
	later.src = 0xCB00710Cu;
	ck_assert_int_eq(relay_from_tunnel(&r, from_host(HOST_A, 100, GENEVE_PT_IPV4, false,
							 &later)), RELAY_DROP);
	ck_assert_uint_eq(r.ctr[EC_DROP_SPOOFED], 2);
	frag_free(r.frags);
	r.frags = NULL;
}
END_TEST

/*
 * A TSO super-packet from the TUN to a forward, split by vnet.c: the first
 * segment is steered in full, the later ones take its way (relay_tso_next())
 * and come out byte for byte as the full path makes them; a later
 * relay_tick() forgets it.
 */
START_TEST(tun_tso_segments_follow_first)
{
	static uint8_t pay[3 * 1000 + 200];
	struct tp_spec s = { .proto = PROTO_TCP, .src = TP_CLIENT, .dst = PUB10, .sport = 40000,
			     .dport = 8080, .tcp_flags = TCPF_ACK | TCPF_PSH, .payload = pay,
			     .paylen = sizeof(pay) };
	struct virtio_net_hdr h = { .flags = VIRTIO_NET_HDR_F_NEEDS_CSUM,
				    .gso_type = VIRTIO_NET_HDR_GSO_TCPV4, .hdr_len = 40,
				    .gso_size = 1000, .csum_start = 20, .csum_offset = 16 };
	struct vnet_rx *rx = calloc(1, sizeof(*rx));
	struct pktbuf seg, full;
	struct relay_tso kept;
	uint32_t n;
	unsigned i;

	ck_assert_ptr_nonnull(rx);
	rx->bare_ip = true;
	for (i = 0; i < sizeof(pay); i++)
		pay[i] = (uint8_t)(i * 5);
	memcpy(rx->buf, &h, sizeof(h));
	n = (uint32_t)tp_build(rx->buf + VNET_HDR_LEN, &s);
	ck_assert_int_eq(vnet_start(rx, VNET_HDR_LEN + n), 0);
	relay_tick(&r, 100);
	for (i = 0; vnet_pending(rx); i++) {
		pktbuf_reset(&seg);
		ck_assert_int_eq(vnet_next(rx, &seg), 1);
		full = seg;
		full.data = full.buf + (seg.data - seg.buf);
		kept = r.tso;
		r.tso.frame = 0;
		ck_assert_int_eq(relay_from_tun(&r, &full), RELAY_TO_HOST);
		if (i == 0)
			kept = r.tso;
		r.tso = kept;
		buf = seg;
		buf.data = buf.buf + (seg.data - seg.buf);
		ck_assert_int_eq(relay_from_tun(&r, &buf), RELAY_TO_HOST);
		ck_assert_uint_eq(check_outer(&buf, HOST_A), 100);
		ck_assert_uint_eq(buf.len, full.len);
		ck_assert_mem_eq(buf.data, full.data, buf.len);
	}
	ck_assert_uint_eq(i, 4);
	ck_assert_uint_eq(r.ctr[EC_RX_TUN_TSO_FOLLOW], 3);
	ck_assert_uint_eq(r.ctr[EC_RX_TUN_PKTS], 2 * 4);
	ck_assert_uint_ne(r.tso.frame, 0);
	relay_tick(&r, 200);
	ck_assert_uint_eq(r.tso.frame, 0);
	free(rx);
}
END_TEST

static Suite *relay_suite(void)
{
	Suite *s = suite_create("relay");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, tun_static_forward_to_host_a);
	tcase_add_test(tc, tun_ranges_and_tenants);
	tcase_add_test(tc, tun_icmp_echo_by_identifier);
	tcase_add_test(tc, tun_one_to_one_any_protocol);
	tcase_add_test(tc, tun_same_flow_same_outer_port);
	tcase_add_test(tc, tun_drops_counted);
	tcase_add_test(tc, tunnel_to_internet);
	tcase_add_test(tc, tunnel_one_to_one_other_protocol);
	tcase_add_test(tc, tunnel_checks_sender_and_source);
	tcase_add_test(tc, tunnel_bad_geneve);
	tcase_add_test(tc, tunnel_probe_answered);
	tcase_add_test(tc, tunnel_hairpin);
	tcase_add_test(tc, tun_icmp_error_by_embedded_source);
	tcase_add_test(tc, tun_icmp_error_drops);
	tcase_add_test(tc, tunnel_icmp_error_out_and_hairpin);
	tcase_add_test(tc, fragments_follow_their_first);
	tcase_add_test(tc, host_fragments_checked_by_their_first);
	tcase_add_test(tc, tun_tso_segments_follow_first);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(relay_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
