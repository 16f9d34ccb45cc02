// SPDX-License-Identifier: MIT
/* test_path.c - hostd's packet path over the lab's configs: NAT both ways, ARP, checks. */
#include <check.h>
#include <linux/virtio_net.h>
#include <stdlib.h>
#include <string.h>

#include "../common/testpkt.h"
#include "edges.h"
#include "eth.h"
#include "frag.h"
#include "geneve.h"
#include "path.h"
#include "probe.h"
#include "udpio.h"
#include "vnet.h"

#define EDGE1 0xC6120001u        /* 198.18.0.1 */
#define HOST_A 0xC612000Bu       /* 198.18.0.11 */
#define PUB10 0xCB00710Au        /* 203.0.113.10 */
#define PUB11 0xCB00710Bu        /* 203.0.113.11 */
#define PUB20 0xCB007114u        /* 203.0.113.20 */
#define VM_A 0xC613000Bu         /* 198.19.0.11: vm-a1 and vm-a2 */
#define VM_B2 0xC6130016u        /* 198.19.0.22 */
#define GW 0xC6130001u           /* 198.19.0.1 */

static const uint8_t gw_mac[6] = { 0x02, 0x5a, 0, 0, 0, 0x01 };
static const uint8_t a1_mac[6] = { 0x02, 0x5a, 0, 0, 0x0a, 0x01 };
static const uint8_t a2_mac[6] = { 0x02, 0x5a, 0, 0, 0x0a, 0x02 };
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

static struct pktbuf *from_edge(uint32_t peer, uint32_t vni, const struct tp_spec *s)
{
	pktbuf_reset(&buf);
	geneve_encode(buf.data, vni, GENEVE_PT_IPV4, false);
	buf.len = GENEVE_HLEN + (uint32_t)tp_build(buf.data + GENEVE_HLEN, s);
	buf.peer = peer;
	return &buf;
}

static struct pktbuf *from_vm(const uint8_t *src_mac, const uint8_t *dst_mac,
			      const struct tp_spec *s)
{
	pktbuf_reset(&buf);
	eth_write(buf.data, dst_mac, src_mac, ETHT_IPV4);
	buf.len = ETH_HLEN_ + (uint32_t)tp_build(buf.data + ETH_HLEN_, s);
	return &buf;
}

/* Parse the IPv4 packet at ip and check every checksum against a full recomputation. */
static void check_ip(const uint8_t *ip, size_t len, struct pkt_ip4 *pi)
{
	uint16_t c;

	ck_assert_int_eq(pkt_parse_ip4(ip, len, pi), PKT_OK);
	memcpy(&c, ip + 10, 2);
	ck_assert_uint_eq(c, tp_full_ip_csum(ip));
	if (pi->is_frag && pi->frag_off)
		return;                      /* no L4 header in a later fragment */
	if (pi->proto == PROTO_TCP || pi->proto == PROTO_ICMP ||
	    (pi->proto == PROTO_UDP && tp_get16(ip + pi->hlen + 6) != 0)) {
		memcpy(&c, ip + pi->hlen + tp_l4_check_off(pi->proto), 2);
		ck_assert_uint_eq(c, tp_full_l4_csum(ip, ip + pi->hlen, pi->l3len - pi->hlen));
	}
}

/* Check a frame for VM index vm with MAC mac and return its parsed IPv4 packet. */
static void check_to_vm(uint32_t vm, const uint8_t *mac, struct pkt_ip4 *pi)
{
	struct eth_hdr_info eh;

	ck_assert_uint_eq(buf.out, vm);
	ck_assert_int_eq(eth_parse(buf.data, buf.len, &eh), 0);
	ck_assert_mem_eq(eh.dst, mac, 6);
	ck_assert_mem_eq(eh.src, gw_mac, 6);
	ck_assert_uint_eq(eh.type, ETHT_IPV4);
	check_ip(buf.data + ETH_HLEN_, buf.len - ETH_HLEN_, pi);
}

/* Check a tunnel packet to edge1 and return the inner packet and the VNI. */
static uint32_t check_to_edge(struct pkt_ip4 *pi)
{
	struct geneve_hdr gh;
	uint32_t a;

	ck_assert_uint_eq(buf.peer, EDGE1);
	memcpy(&a, buf.data + 12, 4);
	ck_assert_uint_eq(ntohl(a), conf.local);
	ck_assert_uint_eq(tp_get16(buf.data + 22), 6081);
	ck_assert_int_eq(geneve_decode(buf.data + 28, buf.len - 28, &gh), GENEVE_OK);
	check_ip(buf.data + 28 + gh.hlen, buf.len - 28 - gh.hlen, pi);
	return gh.vni;
}

START_TEST(inbound_static_forward)
{
	struct tp_spec s = { .proto = PROTO_TCP, .src = TP_CLIENT, .dst = PUB10, .sport = 40000,
			     .dport = 8080, .tcp_flags = TCPF_SYN };
	struct pkt_ip4 pi;

	ck_assert_int_eq(path_from_tunnel(&p, from_edge(EDGE1, 100, &s), 1000), PATH_TO_VM);
	check_to_vm(0, a1_mac, &pi);
	ck_assert_uint_eq(pi.dst, VM_A);
	ck_assert_uint_eq(pi.dport, 80);
	ck_assert_uint_eq(pi.src, TP_CLIENT);
	ck_assert_uint_eq(pi.sport, 40000);
}
END_TEST

START_TEST(inbound_tenants_apart)
{
	struct tp_spec s = { .proto = PROTO_TCP, .src = TP_CLIENT, .dst = PUB11, .sport = 40000,
			     .dport = 8080, .tcp_flags = TCPF_SYN };
	struct pkt_ip4 pi;

	ck_assert_int_eq(path_from_tunnel(&p, from_edge(EDGE1, 200, &s), 1000), PATH_TO_VM);
	check_to_vm(1, a2_mac, &pi);
	ck_assert_uint_eq(pi.dst, VM_A);
	s.dst = PUB10;                       /* tenant 100's address in tenant 200 */
	ck_assert_int_eq(path_from_tunnel(&p, from_edge(EDGE1, 200, &s), 1000), PATH_DROP);
	ck_assert_uint_eq(p.ctr[HC_DROP_NO_MAPPING], 1);
}
END_TEST

START_TEST(outbound_then_reply)
{
	struct tp_spec s = { .proto = PROTO_UDP, .src = VM_A, .dst = TP_CLIENT, .sport = 5555,
			     .dport = 7000 };
	struct pkt_ip4 pi;
	uint16_t pub;

	ck_assert_int_eq(path_from_vm(&p, 0, from_vm(a1_mac, gw_mac, &s), 1000), PATH_TO_EDGE);
	ck_assert_uint_eq(check_to_edge(&pi), 100);
	ck_assert_uint_eq(pi.src, PUB10);
	ck_assert_uint_ge(pi.sport, 1024);
	ck_assert_uint_le(pi.sport, 32767);
	ck_assert_uint_eq(pi.dst, TP_CLIENT);
	pub = pi.sport;
	/* vm-a2 from the same address and port: its own tenant's address. */
	ck_assert_int_eq(path_from_vm(&p, 1, from_vm(a2_mac, gw_mac, &s), 1000), PATH_TO_EDGE);
	ck_assert_uint_eq(check_to_edge(&pi), 200);
	ck_assert_uint_eq(pi.src, PUB11);
	/* The reply to vm-a1's mapping. */
	s = (struct tp_spec){ .proto = PROTO_UDP, .src = TP_CLIENT, .dst = PUB10, .sport = 7000,
			      .dport = pub };
	ck_assert_int_eq(path_from_tunnel(&p, from_edge(EDGE1, 100, &s), 1001), PATH_TO_VM);
	check_to_vm(0, a1_mac, &pi);
	ck_assert_uint_eq(pi.dst, VM_A);
	ck_assert_uint_eq(pi.dport, 5555);
}
END_TEST

START_TEST(outbound_udp_zero_checksum_kept)
{
	struct tp_spec s = { .proto = PROTO_UDP, .src = VM_A, .dst = TP_CLIENT, .sport = 5556,
			     .dport = 7000, .udp_nocsum = true };
	struct pkt_ip4 pi;

	ck_assert_int_eq(path_from_vm(&p, 0, from_vm(a1_mac, gw_mac, &s), 1000), PATH_TO_EDGE);
	check_to_edge(&pi);
	ck_assert_uint_eq(tp_get16(buf.data + 28 + GENEVE_HLEN + 20 + 6), 0);
}
END_TEST

/*
 * Prefetching reads no byte past a packet's end, whatever it is cut to: each
 * cut of a VM frame and of a Geneve datagram sits at the very end of a heap
 * buffer, so that ASan (the unit tests' sanitized run) catches an over-read.
 * It changes no result either: the mapping made afterwards answers as usual.
 */
START_TEST(prefetch_bounds)
{
	struct tp_spec s = { .proto = PROTO_TCP, .src = VM_A, .dst = TP_CLIENT, .sport = 4444,
			     .dport = 443 };
	struct pktbuf *cut = malloc(sizeof(*cut));
	uint8_t frame[256], dgram[256];
	uint32_t flen, dlen;
	struct pkt_ip4 pi;

	ck_assert_ptr_nonnull(cut);
	from_vm(a1_mac, gw_mac, &s);
	flen = buf.len;
	memcpy(frame, buf.data, flen);
	s = (struct tp_spec){ .proto = PROTO_UDP, .src = TP_CLIENT, .dst = PUB10, .sport = 53,
			      .dport = 2000 };
	from_edge(EDGE1, 100, &s);
	dlen = buf.len;
	memcpy(dgram, buf.data, dlen);
	for (uint32_t n = 0; n <= flen || n <= dlen; n++) {
		struct pktbuf *const one = cut;

		/* The allocation's last byte, past buf[]'s padding too. */
		cut->data = (uint8_t *)cut + sizeof(*cut) - n;
		cut->len = n;
		if (n <= flen) {
			memcpy(cut->data, frame, n);
			path_prefetch_vm(&p, 0, &one, 1);
			path_prefetch_vm(&p, 99, &one, 1);     /* no such VM: nothing read */
		}
		if (n <= dlen) {
			memcpy(cut->data, dgram, n);
			path_prefetch_tunnel(&p, &one, 1);
		}
	}
	free(cut);
	s = (struct tp_spec){ .proto = PROTO_TCP, .src = VM_A, .dst = TP_CLIENT, .sport = 4444,
			      .dport = 443, .tcp_flags = 0x02 };
	from_vm(a1_mac, gw_mac, &s);
	{
		struct pktbuf *const one = &buf;

		path_prefetch_vm(&p, 0, &one, 1);
	}
	ck_assert_int_eq(path_from_vm(&p, 0, &buf, 1000), PATH_TO_EDGE);
	check_to_edge(&pi);
	ck_assert_uint_eq(pi.src, PUB10);
}
END_TEST

START_TEST(arp_for_gateway)
{
	uint8_t *f;
	struct arp_info a;

	pktbuf_reset(&buf);
	f = buf.data;
	eth_write(f, (const uint8_t[6]){ 0xff, 0xff, 0xff, 0xff, 0xff, 0xff }, a1_mac, ETHT_ARP);
	memcpy(f + 14, (const uint8_t[]){ 0, 1, 8, 0, 6, 4, 0, 1 }, 8);
	memcpy(f + 22, a1_mac, 6);
	tp_put32(f + 28, VM_A);
	memset(f + 32, 0, 6);
	tp_put32(f + 38, GW);
	buf.len = 42;
	ck_assert_int_eq(path_from_vm(&p, 0, &buf, 1), PATH_TO_VM);
	ck_assert_uint_eq(buf.out, 0);
	ck_assert_int_eq(arp_parse(buf.data + 14, buf.len - 14, &a), 0);
	ck_assert_uint_eq(a.op, 2);
	ck_assert_mem_eq(a.sha, gw_mac, 6);
	ck_assert_uint_eq(a.spa, GW);
	ck_assert_mem_eq(a.tha, a1_mac, 6);
	ck_assert_uint_eq(a.tpa, VM_A);
	ck_assert_mem_eq(buf.data, a1_mac, 6);
	/* A request for any other address is not ours to answer. */
	pktbuf_reset(&buf);
	eth_write(buf.data, (const uint8_t[6]){ 0xff, 0xff, 0xff, 0xff, 0xff, 0xff }, a1_mac,
		  ETHT_ARP);
	memcpy(buf.data + 14, (const uint8_t[]){ 0, 1, 8, 0, 6, 4, 0, 1 }, 8);
	memcpy(buf.data + 22, a1_mac, 6);
	tp_put32(buf.data + 28, VM_A);
	tp_put32(buf.data + 38, 0xC6130002u);
	buf.len = 42;
	ck_assert_int_eq(path_from_vm(&p, 0, &buf, 1), PATH_DROP);
	ck_assert_uint_eq(p.ctr[HC_DROP_ARP_IGNORED], 1);
}
END_TEST

START_TEST(vm_checks)
{
	struct tp_spec s = { .proto = PROTO_UDP, .src = VM_A, .dst = TP_CLIENT, .sport = 1,
			     .dport = 7000 };
	const uint8_t other[6] = { 0x02, 0x5a, 0, 0, 0x0a, 0x99 };
	struct pktbuf *b;

	ck_assert_int_eq(path_from_vm(&p, 0, from_vm(other, gw_mac, &s), 1), PATH_DROP);
	ck_assert_uint_eq(p.ctr[HC_DROP_VM_SPOOF_MAC], 1);
	ck_assert_int_eq(path_from_vm(&p, 0, from_vm(a2_mac, gw_mac, &s), 1), PATH_DROP);
	ck_assert_uint_eq(p.ctr[HC_DROP_VM_SPOOF_MAC], 2);
	s.src = 0xC6130063u;
	ck_assert_int_eq(path_from_vm(&p, 0, from_vm(a1_mac, gw_mac, &s), 1), PATH_DROP);
	ck_assert_uint_eq(p.ctr[HC_DROP_VM_SPOOF_IP], 1);
	s.src = VM_A;
	ck_assert_int_eq(path_from_vm(&p, 0, from_vm(a1_mac, other, &s), 1), PATH_DROP);
	ck_assert_uint_eq(p.ctr[HC_DROP_VM_NOT_GW], 1);
	s.dst = GW;
	ck_assert_int_eq(path_from_vm(&p, 0, from_vm(a1_mac, gw_mac, &s), 1), PATH_DROP);
	ck_assert_uint_eq(p.ctr[HC_DROP_VM_TO_GW], 1);
	b = from_vm(a1_mac, gw_mac, &s);
	b->data[12] = 0x86;
	b->data[13] = 0xdd;
	ck_assert_int_eq(path_from_vm(&p, 0, b, 1), PATH_DROP);
	ck_assert_uint_eq(p.ctr[HC_DROP_VM_ETHERTYPE], 1);
	b = from_vm(a1_mac, gw_mac, &s);
	b->len = 20;
	ck_assert_int_eq(path_from_vm(&p, 0, b, 1), PATH_DROP);
	b->len = 8;
	ck_assert_int_eq(path_from_vm(&p, 0, b, 1), PATH_DROP);
	ck_assert_uint_eq(p.ctr[HC_DROP_VM_MALFORMED], 2);
}
END_TEST

/* An edge's keepalive reply reaches the edge state; without one it is plain OAM. */
START_TEST(tunnel_probe_reply)
{
	struct edges es;
	struct probe pr = { .kind = PROBE_REPLY };

	ck_assert_int_eq(edges_init(&es, &conf, 0), 0);
	p.edges = &es;
	edges_tick(&es, 900);                        /* silent: out of use */
	ck_assert(!es.e[0].up);
	pr.seq = edges_sent(&es, 0);
	path_tick(&p, 1000);
	pktbuf_reset(&buf);
	probe_encode(buf.data, PROBE_REPLY, pr.seq, 990);
	buf.len = PROBE_LEN;
	buf.peer = EDGE1;
	ck_assert_int_eq(path_from_tunnel(&p, &buf, 1), PATH_DROP);
	ck_assert_uint_eq(p.ctr[HC_PROBE_REPLIES], 1);
	ck_assert_uint_eq(p.ctr[HC_EDGE_UPS], 1);
	ck_assert(es.e[0].up);
	ck_assert_uint_eq(es.e[0].rtt_ms, 10);
	ck_assert_uint_eq(p.ctr[HC_DROP_GNV_OAM], 0);
	/* A request sent to a host is not ours to answer: counted as OAM. */
	pktbuf_reset(&buf);
	probe_encode(buf.data, PROBE_REQUEST, 1, 2);
	buf.len = PROBE_LEN;
	buf.peer = EDGE1;
	ck_assert_int_eq(path_from_tunnel(&p, &buf, 1), PATH_DROP);
	ck_assert_uint_eq(p.ctr[HC_DROP_GNV_OAM], 1);
	p.edges = NULL;
	edges_free(&es);
}
END_TEST

START_TEST(tunnel_checks)
{
	struct tp_spec s = { .proto = PROTO_TCP, .src = TP_CLIENT, .dst = PUB10, .sport = 1,
			     .dport = 8080 };
	struct pktbuf *b;

	ck_assert_int_eq(path_from_tunnel(&p, from_edge(HOST_A, 100, &s), 1), PATH_DROP);
	ck_assert_uint_eq(p.ctr[HC_DROP_UNKNOWN_EDGE], 1);
	b = from_edge(EDGE1, 100, &s);
	b->data[1] |= 0x80;                  /* O bit */
	ck_assert_int_eq(path_from_tunnel(&p, b, 1), PATH_DROP);
	ck_assert_uint_eq(p.ctr[HC_DROP_GNV_OAM], 1);
	b = from_edge(EDGE1, 100, &s);
	b->len = GENEVE_HLEN + 19;
	ck_assert_int_eq(path_from_tunnel(&p, b, 1), PATH_DROP);
	ck_assert_uint_eq(p.ctr[HC_DROP_INNER_MALFORMED], 1);
	b = from_edge(EDGE1, 100, &s);
	b->len = 0;
	ck_assert_int_eq(path_from_tunnel(&p, b, 1), PATH_DROP);
	ck_assert_uint_eq(p.ctr[HC_DROP_TRUNCATED], 1);
}
END_TEST

START_TEST(one_to_one_both_ways)
{
	struct tp_spec s = { .proto = 47, .src = TP_CLIENT, .dst = PUB20 };
	struct pkt_ip4 pi;

	ck_assert_int_eq(path_from_tunnel(&p, from_edge(EDGE1, 200, &s), 1), PATH_TO_VM);
	check_to_vm(1, b2_mac, &pi);
	ck_assert_uint_eq(pi.dst, VM_B2);
	s = (struct tp_spec){ .proto = PROTO_TCP, .src = VM_B2, .dst = TP_CLIENT, .sport = 4444,
			      .dport = 7001, .tcp_flags = TCPF_SYN };
	ck_assert_int_eq(path_from_vm(&p, 1, from_vm(b2_mac, gw_mac, &s), 1), PATH_TO_EDGE);
	ck_assert_uint_eq(check_to_edge(&pi), 200);
	ck_assert_uint_eq(pi.src, PUB20);
	ck_assert_uint_eq(pi.sport, 4444);
}
END_TEST

/* Fragments of a static forward: later ones get the first's VM and address. */
START_TEST(fragments_in_and_out)
{
	struct tp_spec first = { .proto = PROTO_UDP, .src = TP_CLIENT, .dst = PUB10, .sport = 7,
				 .dport = 8080, .frag = TP_IP_MF };
	struct tp_spec later = { .proto = PROTO_UDP, .src = TP_CLIENT, .dst = PUB10, .frag = 185 };
	struct pkt_ip4 pi;
	uint16_t pub;

	/* 203.0.113.10:8080 is a TCP forward; make a UDP mapping to receive on first. */
	first = (struct tp_spec){ .proto = PROTO_UDP, .src = VM_A, .dst = TP_CLIENT, .sport = 6000,
				  .dport = 7, .frag = TP_IP_MF };
	p.frags = frag_new(64, 4, 1000);
	path_tick(&p, 100);
	/* Outbound: a later fragment first (held), then the first releases it. */
	later = (struct tp_spec){ .proto = PROTO_UDP, .src = VM_A, .dst = TP_CLIENT, .frag = 185 };
	ck_assert_int_eq(path_from_vm(&p, 0, from_vm(a1_mac, gw_mac, &later), 1), PATH_HELD);
	ck_assert_int_eq(path_from_vm(&p, 0, from_vm(a1_mac, gw_mac, &first), 1), PATH_TO_EDGE);
	ck_assert_uint_eq(check_to_edge(&pi), 100);
	ck_assert_uint_eq(pi.src, PUB10);
	pub = pi.sport;
	ck_assert_uint_eq(p.nrel, 1);
	ck_assert_int_eq(p.rel_out[0], PATH_TO_EDGE);
	buf = *p.rel[0];
	buf.data = buf.buf + (p.rel[0]->data - p.rel[0]->buf);
	ck_assert_uint_eq(check_to_edge(&pi), 100);
	ck_assert_uint_eq(pi.src, PUB10);            /* the held later fragment, translated */
	ck_assert(pi.is_frag && !pi.has_ports);
	path_put_released(&p);
	/* Inbound reply, fragmented: first by port, later by the cache. */
	first = (struct tp_spec){ .proto = PROTO_UDP, .src = TP_CLIENT, .dst = PUB10, .sport = 7,
				  .dport = pub, .frag = TP_IP_MF };
	later = (struct tp_spec){ .proto = PROTO_UDP, .src = TP_CLIENT, .dst = PUB10, .frag = 185 };
	ck_assert_int_eq(path_from_tunnel(&p, from_edge(EDGE1, 100, &first), 2), PATH_TO_VM);
	check_to_vm(0, a1_mac, &pi);
	ck_assert_uint_eq(pi.dport, 6000);
	ck_assert_int_eq(path_from_tunnel(&p, from_edge(EDGE1, 100, &later), 2), PATH_TO_VM);
	check_to_vm(0, a1_mac, &pi);
	ck_assert_uint_eq(pi.dst, VM_A);
	/* The same datagram in another tenant is not placed by tenant 100's first. */
	ck_assert_int_eq(path_from_tunnel(&p, from_edge(EDGE1, 200, &later), 2), PATH_HELD);
	path_tick(&p, 1200);
	ck_assert_uint_eq(p.ctr[HC_DROP_FRAG_TIMEOUT], 1);
	frag_free(p.frags);
	p.frags = NULL;
	/* Without a cache, a later fragment cannot be translated: counted drop. */
	ck_assert_int_eq(path_from_tunnel(&p, from_edge(EDGE1, 100, &later), 2), PATH_DROP);
	ck_assert_uint_eq(p.ctr[HC_DROP_FRAG_FULL], 1);
}
END_TEST

/*
 * A TSO frame from vm-a1, split by vnet.c: the first segment is decided in
 * full, the later ones take its decision (path_tso_next()).  Each comes out
 * byte for byte as the full path makes it; the FIN on the last takes the
 * full path (the state machine sees it); a later path_tick() forgets the
 * decision.
 */
START_TEST(tso_segments_follow_first)
{
	static uint8_t pay[4 * 1000 + 300];
	struct tp_spec s = { .proto = PROTO_TCP, .src = VM_A, .dst = TP_CLIENT, .sport = 41000,
			     .dport = 5201, .tcp_flags = TCPF_ACK | TCPF_PSH | TCPF_FIN | TCPF_CWR,
			     .payload = pay, .paylen = sizeof(pay) };
	struct virtio_net_hdr h = { .flags = VIRTIO_NET_HDR_F_NEEDS_CSUM,
				    .gso_type = VIRTIO_NET_HDR_GSO_TCPV4, .hdr_len = 54,
				    .gso_size = 1000, .csum_start = 34, .csum_offset = 16 };
	struct vnet_rx *rx = calloc(1, sizeof(*rx));
	struct pktbuf seg, full;
	struct path_tso kept;
	struct pkt_ip4 pi;
	struct ct_entry *e;
	uint16_t pub = 0;
	uint8_t st = 0;
	unsigned i;
	int n;

	ck_assert_ptr_nonnull(rx);
	for (i = 0; i < sizeof(pay); i++)
		pay[i] = (uint8_t)(i * 13);
	/* The connection exists: a SYN made the mapping and an ACK established it. */
	s.tcp_flags = TCPF_SYN;
	s.paylen = 0;
	ck_assert_int_eq(path_from_vm(&p, 0, from_vm(a1_mac, gw_mac, &s), 1000), PATH_TO_EDGE);
	s.tcp_flags = TCPF_ACK | TCPF_PSH | TCPF_FIN | TCPF_CWR;
	s.paylen = sizeof(pay);
	memcpy(rx->buf, &h, sizeof(h));
	eth_write(rx->buf + VNET_HDR_LEN, gw_mac, a1_mac, ETHT_IPV4);
	n = ETH_HLEN_ + (int)tp_build(rx->buf + VNET_HDR_LEN + ETH_HLEN_, &s);
	ck_assert_int_eq(vnet_start(rx, VNET_HDR_LEN + (uint32_t)n), 0);
	path_tick(&p, 100);
	for (i = 0; vnet_pending(rx); i++) {
		pktbuf_reset(&seg);
		ck_assert_int_eq(vnet_next(rx, &seg), 1);
		ck_assert_uint_eq(seg.seg, i);
		ck_assert_uint_ne(seg.frame, 0);
		/* The full path's answer first, with nothing kept... */
		full = seg;
		full.data = full.buf + (seg.data - seg.buf);
		kept = p.tso;
		p.tso.frame = 0;
		ck_assert_int_eq(path_from_vm(&p, 0, &full, 1000), PATH_TO_EDGE);
		if (i == 0)
			kept = p.tso;
		p.tso = kept;
		e = ct_find_priv(ft.ct, 100, PROTO_TCP, VM_A, 41000);
		ck_assert_ptr_nonnull(e);
		st = e->state;
		/* ...then this segment's own, which must match it. */
		buf = seg;
		buf.data = buf.buf + (seg.data - seg.buf);
		ck_assert_int_eq(path_from_vm(&p, 0, &buf, 1000), PATH_TO_EDGE);
		ck_assert_uint_eq(buf.len, full.len);
		ck_assert_uint_eq(buf.peer, full.peer);
		ck_assert_mem_eq(buf.data, full.data, buf.len);
		ck_assert_uint_eq(check_to_edge(&pi), 100);
		ck_assert_uint_eq(pi.src, PUB10);
		if (i == 0)
			pub = pi.sport;
		ck_assert_uint_eq(pi.sport, pub);
		ck_assert_uint_eq(e->state, st);
	}
	ck_assert_uint_eq(i, 5);
	/* Segments 1-3 followed; the last carries the FIN: the full path. */
	ck_assert_uint_eq(p.ctr[HC_RX_VM_TSO_FOLLOW], 3);
	ck_assert_uint_eq(p.ctr[HC_RX_VM_PKTS], 1 + 2 * 5);
	/* Kept for this frame only until the next tick. */
	ck_assert_uint_ne(p.tso.frame, 0);
	path_tick(&p, 200);
	ck_assert_uint_eq(p.tso.frame, 0);
	free(rx);
}
END_TEST

static Suite *path_suite(void)
{
	Suite *s = suite_create("path");
	TCase *a = tcase_create("host-a");
	TCase *b = tcase_create("host-b");

	tcase_add_checked_fixture(a, setup_a, teardown);
	tcase_add_test(a, inbound_static_forward);
	tcase_add_test(a, inbound_tenants_apart);
	tcase_add_test(a, outbound_then_reply);
	tcase_add_test(a, outbound_udp_zero_checksum_kept);
	tcase_add_test(a, arp_for_gateway);
	tcase_add_test(a, prefetch_bounds);
	tcase_add_test(a, vm_checks);
	tcase_add_test(a, tunnel_checks);
	tcase_add_test(a, tunnel_probe_reply);
	tcase_add_test(a, fragments_in_and_out);
	tcase_add_test(a, tso_segments_follow_first);
	suite_add_tcase(s, a);
	tcase_add_checked_fixture(b, setup_b, teardown);
	tcase_add_test(b, one_to_one_both_ways);
	suite_add_tcase(s, b);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(path_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
