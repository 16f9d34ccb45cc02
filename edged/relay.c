// SPDX-License-Identifier: MIT
/* relay.c - edged's per-packet decisions; no I/O here, so it is unit-tested and fuzzed. */
#include "be.h"
#include "frag.h"
#include "geneve.h"
#include "hash.h"
#include "icmperr.h"
#include "pkt.h"
#include "probe.h"
#include "relay.h"
#include "tunmtu.h"
#include "udpgso.h"
#include "udpio.h"

#define EDGE_CTR_DEF(id, n, h) [EC_##id] = { .name = n, .help = h },
#define EDGE_DROP_DEF(id, n, h) [EC_##id] = { .name = n, .reason = n, .help = h },
const struct ctr_def edge_ctr_defs[EC__N] = { EDGE_COUNTERS(EDGE_CTR_DEF, EDGE_DROP_DEF) };

#define PROTO_NONE 255           /* matches whole-address rules only */
#define FRAG_TO_TUN UINT64_MAX   /* fragment decision: to the Internet */

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

/*
 * Wrap b's IP packet for target t: Geneve, then outer UDP/IPv4 with a
 * flow-hashed port.  Fragments hash without ports, so every fragment of a
 * datagram takes the same outer port (and the same receive queue).
 */
static enum relay_out relay_wrap(struct relay *r, struct pktbuf *b, const struct pkt_ip4 *pi,
				 const struct rule_target *t)
{
	uint32_t h = pi->is_frag ? hash_flow(pi->src, pi->dst, pi->proto, 0, 0) :
				   hash_flow(pi->src, pi->dst, pi->proto, pi->sport, pi->dport);
	uint16_t sport = udpgso_sport(r->gso, h);
	uint8_t *g = pktbuf_push(b, GENEVE_HLEN);

	if (!g)
		return relay_drop(r, EC_DROP_HEADROOM);
	geneve_encode(g, t->vni, GENEVE_PT_IPV4, false);
	if (udpio_encap(b, r->conf->local, t->host_addr, sport, r->conf->port) < 0)
		return relay_drop(r, EC_DROP_HEADROOM);
	return RELAY_TO_HOST;
}

/*
 * A packet too big for the tunnel.  DF: it becomes an ICMP "fragmentation
 * needed" to its source, from the public address it was sent to (the only
 * address of ours its sender knows, and one that routes back to an edge),
 * written to TUN.  No DF: it is cut into fragments, each wrapped for t; the
 * later ones wait in r->mtu.frag[] for the caller.
 */
static enum relay_out relay_fit(struct relay *r, struct pktbuf *b, const struct pkt_ip4 *pi,
				const struct rule_target *t)
{
	struct pkt_ip4 fi;
	unsigned first;

	switch (tunmtu_fit(&r->mtu, b, pi, pi->dst, r->now_ms, &first)) {
	case TUNMTU_ICMP:
		r->ctr[EC_FRAG_NEEDED]++;
		return RELAY_TO_TUN;
	case TUNMTU_NO_ICMP:
		return relay_drop(r, EC_DROP_TOO_BIG_SILENT);
	case TUNMTU_RATE:
		return relay_drop(r, EC_DROP_TOO_BIG_RATE);
	case TUNMTU_BAD:
		return relay_drop(r, EC_DROP_FRAG_BAD);
	case TUNMTU_NOBUF:
		return relay_drop(r, EC_DROP_FRAG_NOBUF);
	case TUNMTU_SPLIT:
		break;
	}
	r->ctr[EC_FRAG_MADE]++;
	/* Every piece is a fragment now: parsed again, each hashes to the same outer port. */
	for (unsigned i = first; i < r->mtu.nfrag; i++) {
		struct pktbuf *f = r->mtu.frag[i];

		f->out = pkt_parse_ip4(f->data, f->len, &fi) == PKT_OK ? relay_wrap(r, f, &fi, t) :
									  relay_drop(r, EC_DROP_FRAG_BAD);
	}
	if (pkt_parse_ip4(b->data, b->len, &fi) != PKT_OK)
		return relay_drop(r, EC_DROP_FRAG_BAD);
	return relay_wrap(r, b, &fi, t);
}

/* Wrap b for t when it fits the tunnel; see relay_fit() when it does not. */
static enum relay_out relay_encap(struct relay *r, struct pktbuf *b, const struct pkt_ip4 *pi,
				  const struct rule_target *t)
{
	if (r->mtu.inner_max && b->len > r->mtu.inner_max)
		return relay_fit(r, b, pi, t);
	return relay_wrap(r, b, pi, t);
}

/* Look up the host owning a public destination; counts the reason when none does. */
static const struct rule_target *relay_dst_rule(struct relay *r, const struct pkt_ip4 *pi)
{
	const struct rule_target *t;

	t = rules_lookup(r->rules, pi->dst, relay_key_proto(pi), pi->dport);
	if (t)
		return t;
	if (!pi->has_ports && (pi->proto == PROTO_TCP || pi->proto == PROTO_UDP ||
			       pi->proto == PROTO_ICMP))
		r->ctr[EC_DROP_NO_PORTS]++;
	else
		r->ctr[EC_DROP_NO_RULE]++;
	return NULL;
}

static struct frag_key relay_frag_key(const struct pkt_ip4 *pi, uint32_t ctx, uint32_t tag)
{
	return (struct frag_key){ .src = pi->src, .dst = pi->dst, .ctx = ctx, .tag = tag,
				  .id = pi->ipid, .proto = pi->proto };
}

static uint64_t relay_frag_val(const struct rule_target *t)
{
	return (uint64_t)t->host_addr << 32 | t->vni;
}

static struct rule_target relay_frag_target(uint64_t v)
{
	return (struct rule_target){ .host_addr = (uint32_t)(v >> 32), .vni = (uint32_t)v };
}

/*
 * Apply decision v to the fragments of k that were held: each is wrapped
 * (or marked for TUN) and queued in r->rel for the caller to send.
 */
static void relay_release(struct relay *r, const struct frag_key *k, uint64_t v)
{
	struct pktbuf *hb;

	while ((hb = frag_release(r->frags, k))) {
		struct rule_target t = relay_frag_target(v);
		struct pkt_ip4 pi;

		if (r->nrel == RELAY_FRAG_HOLD || pkt_parse_ip4(hb->data, hb->len, &pi) != PKT_OK) {
			frag_put(r->frags, hb);  /* cannot happen: held ones parsed before */
			continue;
		}
		hb->out = v == FRAG_TO_TUN ? RELAY_TO_TUN : relay_encap(r, hb, &pi, &t);
		r->ctr[EC_FRAG_STEERED]++;
		r->rel[r->nrel++] = hb;
	}
}

/* Hold a later fragment until its first shows the way; counted either way. */
static enum relay_out relay_hold(struct relay *r, const struct frag_key *k, struct pktbuf *b)
{
	if (!r->frags || !frag_hold(r->frags, k, b, r->now_ms))
		return relay_drop(r, EC_DROP_FRAG_FULL);
	r->ctr[EC_FRAG_HELD]++;
	return RELAY_HELD;
}

/* A fragment from the Internet: the first is placed by its ports, the rest follow it. */
static enum relay_out relay_tun_frag(struct relay *r, struct pktbuf *b, const struct pkt_ip4 *pi)
{
	struct frag_key k = relay_frag_key(pi, 0, 0);
	const struct rule_target *t;
	struct rule_target ft;
	uint64_t v;

	if (pi->frag_off && r->frags && frag_lookup(r->frags, &k, r->now_ms, &v)) {
		ft = relay_frag_target(v);
		r->ctr[EC_FRAG_STEERED]++;
		return relay_encap(r, b, pi, &ft);
	}
	if (pi->frag_off && !rules_lookup(r->rules, pi->dst, PROTO_NONE, 0)) {
		if (!rules_has_addr(r->rules, pi->dst))
			return relay_drop(r, EC_DROP_NO_RULE);
		return relay_hold(r, &k, b);
	}
	/* A first fragment, or any fragment to a whole (1:1) address. */
	t = relay_dst_rule(r, pi);
	if (!t)
		return RELAY_DROP;
	if (r->frags && pi->frag_off == 0) {
		frag_learn(r->frags, &k, relay_frag_val(t), r->now_ms);
		relay_release(r, &k, relay_frag_val(t));
	}
	return relay_encap(r, b, pi, t);
}

/*
 * An ICMP error from the Internet is about a packet a VM sent: the
 * embedded packet's source is the public address and port (or echo id)
 * that the error's destination owns, so that endpoint picks the host
 * (RFC 5508).  The error itself is relayed unmodified.
 */
static enum relay_out relay_tun_icmperr(struct relay *r, struct pktbuf *b,
					const struct pkt_ip4 *pi)
{
	const struct rule_target *t;
	struct icmperr ie;

	if (icmperr_parse(b->data, pi, &ie))
		return relay_drop(r, EC_DROP_ICMPERR_MALFORMED);
	if (ie.src != pi->dst)
		return relay_drop(r, EC_DROP_ICMPERR_MISMATCH);
	t = rules_lookup(r->rules, ie.src, ie.has_ports ? ie.proto : PROTO_NONE, ie.sport);
	if (!t)
		return relay_drop(r, EC_DROP_NO_RULE);
	r->ctr[EC_ICMPERR_PKTS]++;
	return relay_encap(r, b, pi, t);
}

/*
 * A later segment of the super-packet r->tso kept: wrapped for the first's
 * host with the first's outer port.  No longer than the first, it fits the
 * tunnel as the first did.
 */
static enum relay_out relay_tso_next(struct relay *r, struct pktbuf *b)
{
	uint8_t *g = pktbuf_push(b, GENEVE_HLEN);

	if (!g)
		return relay_drop(r, EC_DROP_HEADROOM);
	geneve_encode(g, r->tso.t->vni, GENEVE_PT_IPV4, false);
	if (udpio_encap(b, r->conf->local, r->tso.t->host_addr, r->tso.sport, r->conf->port) < 0)
		return relay_drop(r, EC_DROP_HEADROOM);
	r->ctr[EC_RX_TUN_TSO_FOLLOW]++;
	return RELAY_TO_HOST;
}

/* relay_from_tun() - steer a packet from the Internet to the host owning its port. */
enum relay_out relay_from_tun(struct relay *r, struct pktbuf *b)
{
	const struct rule_target *t;
	enum relay_out out;
	struct pkt_ip4 pi;
	enum pkt_err e;
	bool whole;

	r->ctr[EC_RX_TUN_PKTS]++;
	r->ctr[EC_RX_TUN_BYTES] += b->len;
	if (b->seg && b->frame == r->tso.frame && b->len <= r->tso.len)
		return relay_tso_next(r, b);
	e = pkt_parse_ip4(b->data, b->len, &pi);
	if (e == PKT_ERR_VERSION)
		return relay_drop(r, EC_DROP_TUN_NOT_IP4);
	if (e != PKT_OK)
		return relay_drop(r, EC_DROP_TUN_MALFORMED);
	b->len = pi.l3len;           /* forward the packet, not the link padding */
	if (pi.is_frag)
		return relay_tun_frag(r, b, &pi);
	if (icmperr_is_error(&pi))
		return relay_tun_icmperr(r, b, &pi);
	t = relay_dst_rule(r, &pi);
	if (!t)
		return RELAY_DROP;
	whole = !r->mtu.inner_max || b->len <= r->mtu.inner_max;
	out = relay_encap(r, b, &pi, t);
	if (b->frame && !b->seg && out == RELAY_TO_HOST && whole)
		r->tso = (struct relay_tso){ .frame = b->frame, .len = pi.l3len, .t = t,
					     .sport = be16(b->data + 20) };
	return out;
}

/* The counter of each way a tunnel datagram can fail to be data. */
static const enum edge_ctr relay_gnv_ctr[GENEVE_VERDICT__N] = {
	[GENEVE_BAD] = EC_DROP_GNV_MALFORMED,
	[GENEVE_BAD_CRITICAL] = EC_DROP_GNV_CRITICAL,
	[GENEVE_CONTROL] = EC_DROP_GNV_OAM,
	[GENEVE_NOT_IPV4] = EC_DROP_GNV_PROTO,
};

/*
 * Where a host's packet may go: RELAY_TO_TUN, or RELAY_TO_HOST with *t set
 * (hairpin), after checking that the host owns the inner source in vni.
 */
static enum relay_out relay_host_decide(struct relay *r, const struct pkt_ip4 *pi, long host,
					uint32_t vni, const struct rule_target **t)
{
	const struct rule_target *own;

	/* The host may only speak for public endpoints it owns, in their tenant. */
	own = rules_lookup(r->rules, pi->src, relay_key_proto(pi), pi->sport);
	if (!own || own->host != (uint32_t)host)
		return relay_drop(r, EC_DROP_SPOOFED);
	if (own->vni != vni)
		return relay_drop(r, EC_DROP_VNI);
	if (!rules_has_addr(r->rules, pi->dst))
		return RELAY_TO_TUN;
	*t = relay_dst_rule(r, pi);
	if (!*t)
		return RELAY_DROP;
	r->ctr[EC_HAIRPIN_PKTS]++;
	return RELAY_TO_HOST;
}

/*
 * A fragment from a host: the first is checked by its ports and its fate
 * recorded under (sender, tenant); later ones follow it or wait for it.
 * Later fragments from a whole-address (1:1) source need no record: their
 * address says it all.
 */
static enum relay_out relay_host_frag(struct relay *r, struct pktbuf *b, const struct pkt_ip4 *pi,
				      long host, uint32_t vni)
{
	struct frag_key k = relay_frag_key(pi, (uint32_t)host + 1, vni);
	const struct rule_target *t = NULL;
	enum relay_out out;
	struct rule_target ft;
	uint64_t v;

	if (pi->frag_off && r->frags && frag_lookup(r->frags, &k, r->now_ms, &v)) {
		r->ctr[EC_FRAG_STEERED]++;
		if (v == FRAG_TO_TUN)
			return RELAY_TO_TUN;
		ft = relay_frag_target(v);
		return relay_encap(r, b, pi, &ft);
	}
	if (pi->frag_off && !rules_lookup(r->rules, pi->src, PROTO_NONE, 0)) {
		if (!rules_has_addr(r->rules, pi->src))
			return relay_drop(r, EC_DROP_SPOOFED);
		return relay_hold(r, &k, b);
	}
	out = relay_host_decide(r, pi, host, vni, &t);
	if (out == RELAY_DROP)
		return out;
	if (r->frags && pi->frag_off == 0) {
		v = out == RELAY_TO_TUN ? FRAG_TO_TUN : relay_frag_val(t);
		frag_learn(r->frags, &k, v, r->now_ms);
		relay_release(r, &k, v);
	}
	return out == RELAY_TO_TUN ? out : relay_encap(r, b, pi, t);
}

/*
 * A Geneve control packet from a known host: answer our keepalive probe
 * (so the host keeps this edge in use), count anything else as OAM.
 */
static enum relay_out relay_control(struct relay *r, struct pktbuf *b)
{
	struct probe pr;
	uint32_t host = b->peer;

	if (probe_decode(b->data, b->len, &pr) < 0 || pr.kind != PROBE_REQUEST)
		return relay_drop(r, EC_DROP_GNV_OAM);
	if (probe_build(b, PROBE_REPLY, pr.seq, pr.stamp_ms) < 0 ||
	    udpio_encap(b, r->conf->local, host, (uint16_t)(49152 + (pr.seq & 0x3FFF)),
			r->conf->port) < 0)
		return relay_drop(r, EC_DROP_HEADROOM);
	r->ctr[EC_PROBES_ANSWERED]++;
	return RELAY_TO_HOST;
}

/*
 * An ICMP error from a host is about a packet that came in to one of its
 * VMs: the host speaks for the embedded destination, which must be its own
 * public endpoint and the error's source.  An error to a public address of
 * the pool hairpins to the host owning the embedded source, as the error
 * would have come back from the Internet.
 */
static enum relay_out relay_host_icmperr(struct relay *r, struct pktbuf *b,
					 const struct pkt_ip4 *pi, long host, uint32_t vni,
					 const struct rule_target **t)
{
	const struct rule_target *own;
	struct icmperr ie;

	if (icmperr_parse(b->data, pi, &ie))
		return relay_drop(r, EC_DROP_ICMPERR_MALFORMED);
	if (ie.dst != pi->src)
		return relay_drop(r, EC_DROP_ICMPERR_MISMATCH);
	own = rules_lookup(r->rules, ie.dst, ie.has_ports ? ie.proto : PROTO_NONE, ie.dport);
	if (!own || own->host != (uint32_t)host)
		return relay_drop(r, EC_DROP_SPOOFED);
	if (own->vni != vni)
		return relay_drop(r, EC_DROP_VNI);
	r->ctr[EC_ICMPERR_PKTS]++;
	if (!rules_has_addr(r->rules, pi->dst))
		return RELAY_TO_TUN;
	if (ie.src != pi->dst)
		return relay_drop(r, EC_DROP_ICMPERR_MISMATCH);
	*t = rules_lookup(r->rules, ie.src, ie.has_ports ? ie.proto : PROTO_NONE, ie.sport);
	if (!*t)
		return relay_drop(r, EC_DROP_NO_RULE);
	r->ctr[EC_HAIRPIN_PKTS]++;
	return RELAY_TO_HOST;
}

/* relay_from_tunnel() - check a host's packet and send it to the Internet or hairpin it. */
enum relay_out relay_from_tunnel(struct relay *r, struct pktbuf *b)
{
	const struct rule_target *t = NULL;
	enum geneve_verdict gv;
	enum relay_out out;
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
	gv = geneve_strip(b, &vni);
	if (gv == GENEVE_CONTROL)
		return relay_control(r, b);
	if (gv != GENEVE_DATA)
		return relay_drop(r, relay_gnv_ctr[gv]);
	if (pkt_parse_ip4(b->data, b->len, &pi) != PKT_OK)
		return relay_drop(r, EC_DROP_INNER_MALFORMED);
	b->len = pi.l3len;
	if (pi.is_frag)
		return relay_host_frag(r, b, &pi, host, vni);
	if (icmperr_is_error(&pi))
		out = relay_host_icmperr(r, b, &pi, host, vni, &t);
	else
		out = relay_host_decide(r, &pi, host, vni, &t);
	return out == RELAY_TO_HOST ? relay_encap(r, b, &pi, t) : out;
}

/* relay_tick() - note the burst's time; expire held fragments. */
void relay_tick(struct relay *r, uint32_t now_ms)
{
	r->now_ms = now_ms;
	r->tso.frame = 0;            /* super-packets are split within one callback */
	if (r->frags)
		r->ctr[EC_DROP_FRAG_TIMEOUT] += frag_expire(r->frags, now_ms);
}

/* relay_put_released() - return released fragments' buffers to the cache. */
void relay_put_released(struct relay *r)
{
	for (unsigned i = 0; i < r->nrel; i++)
		frag_put(r->frags, r->rel[i]);
	r->nrel = 0;
}
