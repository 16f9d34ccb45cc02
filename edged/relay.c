// SPDX-License-Identifier: MIT
/* relay.c - edged's per-packet decisions; no I/O here, so it is unit-tested and fuzzed. */
#include "geneve.h"
#include "hash.h"
#include "pkt.h"
#include "relay.h"
#include "udpio.h"

#define EDGE_CTR_DEF(id, n, h) [EC_##id] = { .name = n, .help = h },
#define EDGE_DROP_DEF(id, n, h) [EC_##id] = { .name = n, .reason = n, .help = h },
const struct ctr_def edge_ctr_defs[EC__N] = { EDGE_COUNTERS(EDGE_CTR_DEF, EDGE_DROP_DEF) };

#define PROTO_NONE 255           /* matches whole-address rules only */

static enum relay_out relay_drop(struct relay *r, enum edge_ctr why)
{
	r->ctr[why]++;
	return RELAY_DROP;
}

/* The rule key of a packet's source or destination side. */
static uint8_t relay_key_proto(const struct pkt_ip4 *pi)
{
	return pi->has_ports ? pi->proto : PROTO_NONE;
}

/* Wrap b's IP packet for target t: Geneve, then outer UDP/IPv4 with a flow-hashed port. */
static enum relay_out relay_encap(struct relay *r, struct pktbuf *b, const struct pkt_ip4 *pi,
				  const struct rule_target *t)
{
	uint32_t h = hash_flow(pi->src, pi->dst, pi->proto, pi->sport, pi->dport);
	uint16_t sport = (uint16_t)(49152 + (h & 0x3FFF));
	uint8_t *g = pktbuf_push(b, GENEVE_HLEN);

	if (!g)
		return relay_drop(r, EC_DROP_HEADROOM);
	geneve_encode(g, t->vni, GENEVE_PT_IPV4, false);
	if (udpio_encap(b, r->conf->local, t->host_addr, sport, r->conf->port) < 0)
		return relay_drop(r, EC_DROP_HEADROOM);
	return RELAY_TO_HOST;
}

/* Look up the host owning a public destination; counts the reason when none does. */
static const struct rule_target *relay_dst_rule(struct relay *r, const struct pkt_ip4 *pi)
{
	const struct rule_target *t;

	t = rules_lookup(r->rules, pi->dst, relay_key_proto(pi), pi->dport);
	if (t)
		return t;
	if (pi->is_frag && !pi->has_ports)
		r->ctr[EC_DROP_FRAGMENT]++;
	else if (!pi->has_ports && (pi->proto == PROTO_TCP || pi->proto == PROTO_UDP ||
				    pi->proto == PROTO_ICMP))
		r->ctr[EC_DROP_NO_PORTS]++;
	else
		r->ctr[EC_DROP_NO_RULE]++;
	return NULL;
}

/* relay_from_tun() - steer a packet from the Internet to the host owning its port. */
enum relay_out relay_from_tun(struct relay *r, struct pktbuf *b)
{
	const struct rule_target *t;
	struct pkt_ip4 pi;
	enum pkt_err e;

	r->ctr[EC_RX_TUN_PKTS]++;
	r->ctr[EC_RX_TUN_BYTES] += b->len;
	e = pkt_parse_ip4(b->data, b->len, &pi);
	if (e == PKT_ERR_VERSION)
		return relay_drop(r, EC_DROP_TUN_NOT_IP4);
	if (e != PKT_OK)
		return relay_drop(r, EC_DROP_TUN_MALFORMED);
	b->len = pi.l3len;           /* forward the packet, not the link padding */
	t = relay_dst_rule(r, &pi);
	if (!t)
		return RELAY_DROP;
	return relay_encap(r, b, &pi, t);
}

/* Parse and check the Geneve header; leaves b at the inner packet. */
static int relay_decap(struct relay *r, struct pktbuf *b, uint32_t *vni)
{
	struct geneve_hdr gh;

	switch (geneve_decode(b->data, b->len, &gh)) {
	case GENEVE_OK:
		break;
	case GENEVE_ERR_CRITICAL:
		return relay_drop(r, EC_DROP_GNV_CRITICAL), -1;
	default:
		return relay_drop(r, EC_DROP_GNV_MALFORMED), -1;
	}
	if (gh.oam)
		return relay_drop(r, EC_DROP_GNV_OAM), -1;
	if (gh.proto != GENEVE_PT_IPV4)
		return relay_drop(r, EC_DROP_GNV_PROTO), -1;
	pktbuf_pull(b, gh.hlen);
	*vni = gh.vni;
	return 0;
}

/* relay_from_tunnel() - check a host's packet and send it to the Internet or hairpin it. */
enum relay_out relay_from_tunnel(struct relay *r, struct pktbuf *b)
{
	const struct rule_target *own, *t;
	struct pkt_ip4 pi;
	uint32_t vni;
	long host;

	r->ctr[EC_RX_GNV_PKTS]++;
	r->ctr[EC_RX_GNV_BYTES] += b->len;
	host = rules_host(r->rules, b->peer);
	if (host < 0)
		return relay_drop(r, EC_DROP_UNKNOWN_HOST);
	if (b->len == 0)
		return relay_drop(r, EC_DROP_TRUNCATED);
	if (relay_decap(r, b, &vni) < 0)
		return RELAY_DROP;
	if (pkt_parse_ip4(b->data, b->len, &pi) != PKT_OK)
		return relay_drop(r, EC_DROP_INNER_MALFORMED);
	b->len = pi.l3len;
	/* The host may only speak for public endpoints it owns, in their tenant. */
	own = rules_lookup(r->rules, pi.src, relay_key_proto(&pi), pi.sport);
	if (!own || own->host != (uint32_t)host)
		return relay_drop(r, EC_DROP_SPOOFED);
	if (own->vni != vni)
		return relay_drop(r, EC_DROP_VNI);
	if (!rules_has_addr(r->rules, pi.dst))
		return RELAY_TO_TUN;
	t = relay_dst_rule(r, &pi);
	if (!t)
		return RELAY_DROP;
	r->ctr[EC_HAIRPIN_PKTS]++;
	return relay_encap(r, b, &pi, t);
}
