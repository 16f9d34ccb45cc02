// SPDX-License-Identifier: MIT
/* path.c - hostd's per-packet decisions; no I/O here, so it is unit-tested and fuzzed. */
#include <string.h>

#include "addr.h"
#include "be.h"
#include "edges.h"
#include "eth.h"
#include "frag.h"
#include "geneve.h"
#include "hash.h"
#include "icmperr.h"
#include "log.h"
#include "mss.h"
#include "nat.h"
#include "path.h"
#include "pkt.h"
#include "probe.h"
#include "tunmtu.h"
#include "udpgso.h"
#include "udpio.h"

#define HOST_CTR_DEF(id, n, h) [HC_##id] = { .name = n, .help = h },
#define HOST_DROP_DEF(id, n, h) [HC_##id] = { .name = n, .reason = n, .help = h },
const struct ctr_def host_ctr_defs[HC__N] = { HOST_COUNTERS(HOST_CTR_DEF, HOST_DROP_DEF) };

static const enum host_ctr path_flow_ctr[FLOW_DROP__N] = {
	[FLOW_DROP_NO_POOL] = HC_DROP_NO_POOL,
	[FLOW_DROP_PORTS_FULL] = HC_DROP_PORTS_FULL,
	[FLOW_DROP_TABLE_FULL] = HC_DROP_TABLE_FULL,
	[FLOW_DROP_NO_MAPPING] = HC_DROP_NO_MAPPING,
	[FLOW_DROP_UNSUPPORTED] = HC_DROP_UNSUPPORTED,
	[FLOW_DROP_QUOTA] = HC_DROP_VM_QUOTA,
	[FLOW_DROP_FILTERED] = HC_DROP_FILTERED,
};

static enum path_out path_drop(struct path *p, enum host_ctr why)
{
	p->ctr[why]++;
	return PATH_DROP;
}

/* The counter of each way a tunnel datagram can fail to be data. */
static const enum host_ctr path_gnv_ctr[GENEVE_VERDICT__N] = {
	[GENEVE_BAD] = HC_DROP_GNV_MALFORMED,
	[GENEVE_BAD_CRITICAL] = HC_DROP_GNV_CRITICAL,
	[GENEVE_CONTROL] = HC_DROP_GNV_OAM,
	[GENEVE_NOT_IPV4] = HC_DROP_GNV_PROTO,
};

/* Clamp a SYN's MSS so the segments of both sides fit the tunnel (mss.c). */
static void path_mss(struct path *p, uint8_t *ip, const struct pkt_ip4 *pi)
{
	switch (mss_clamp(ip, pi, p->mss_max)) {
	case MSS_CLAMPED:
		p->ctr[HC_MSS_CLAMPED]++;
		break;
	case MSS_BAD:
		p->ctr[HC_MSS_BAD]++;
		break;
	case MSS_NONE:
		break;
	}
}

/* Rewrite the destination per res and put the Ethernet header for the VM in front. */
static enum path_out path_to_vm(struct path *p, struct pktbuf *b, struct pkt_ip4 *pi,
				const struct flow_result *res)
{
	const struct host_vm *vm = &p->conf->vms[res->vm];
	uint8_t *eth;

	if (p->mss_max)
		path_mss(p, b->data, pi);
	nat_rewrite(b->data, pi, NAT_DST, res->addr, res->has_port ? res->port : pi->dport);
	eth = pktbuf_push(b, ETH_HLEN_);
	if (!eth)
		return path_drop(p, HC_DROP_HEADROOM);
	eth_write(eth, vm->mac, p->conf->gw_mac, ETHT_IPV4);
	b->out = (uint16_t)res->vm;
	return PATH_TO_VM;
}

static struct frag_key path_frag_key(const struct pkt_ip4 *pi, uint32_t ctx, uint32_t tag)
{
	return (struct frag_key){ .src = pi->src, .dst = pi->dst, .ctx = ctx, .tag = tag,
				  .id = pi->ipid, .proto = pi->proto };
}

/* Hold a later fragment until its first shows the way; counted either way. */
static enum path_out path_hold(struct path *p, const struct frag_key *k, struct pktbuf *b)
{
	if (!p->frags || !frag_hold(p->frags, k, b, p->now_ms))
		return path_drop(p, HC_DROP_FRAG_FULL);
	p->ctr[HC_FRAG_HELD]++;
	return PATH_HELD;
}

/* Queue a released fragment with its verdict; the caller sends p->rel[]. */
static void path_queue(struct path *p, struct pktbuf *hb, enum path_out out)
{
	if (out == PATH_DROP) {
		frag_put(p->frags, hb);
		return;
	}
	p->ctr[HC_FRAG_STEERED]++;
	p->rel_out[p->nrel] = out;
	p->rel[p->nrel++] = hb;
}

/* Later inbound fragments of k: their destination becomes the first's. */
static void path_release_in(struct path *p, const struct frag_key *k,
			    const struct flow_result *res)
{
	struct flow_result r = { .vm = res->vm, .addr = res->addr };
	struct pktbuf *hb;
	struct pkt_ip4 pi;

	while (p->nrel < PATH_FRAG_HOLD && (hb = frag_release(p->frags, k))) {
		if (pkt_parse_ip4(hb->data, hb->len, &pi) != PKT_OK) {
			frag_put(p->frags, hb);
			continue;
		}
		path_queue(p, hb, path_to_vm(p, hb, &pi, &r));
	}
}

/*
 * Decide an inbound packet.  The first fragment of a datagram is placed by
 * its ports and its decision (VM, address) kept; later fragments take it
 * from the cache, or wait for it.  1:1 addresses need no cache.
 */
static enum path_out path_in(struct path *p, struct pktbuf *b, struct pkt_ip4 *pi, uint32_t vni,
			     uint32_t now)
{
	struct frag_key k = path_frag_key(pi, 1, vni);
	bool later = pi->is_frag && pi->frag_off;
	struct flow_result res;
	enum flow_drop fd;
	uint64_t v;

	if (later && p->frags && frag_lookup(p->frags, &k, p->now_ms, &v)) {
		res = (struct flow_result){ .vm = (uint32_t)(v >> 32), .addr = (uint32_t)v };
		if (res.vm < p->conf->nvms) {
			p->ctr[HC_FRAG_STEERED]++;
			return path_to_vm(p, b, pi, &res);
		}
	}
	fd = flow_in(p->ft, vni, pi, now, &res);
	if (fd == FLOW_DROP_UNSUPPORTED && later)
		return path_hold(p, &k, b);
	if (fd != FLOW_OK)
		return path_drop(p, path_flow_ctr[fd]);
	if (pi->is_frag && !later && p->frags) {
		frag_learn(p->frags, &k, (uint64_t)res.vm << 32 | res.addr, p->now_ms);
		path_release_in(p, &k, &res);
	}
	return path_to_vm(p, b, pi, &res);
}

/* A Geneve control packet from an edge: a keepalive reply, or counted as OAM. */
static enum path_out path_control(struct path *p, struct pktbuf *b)
{
	struct probe pr;
	int r;

	if (!p->edges || probe_decode(b->data, b->len, &pr) < 0 ||
	    (r = edges_reply(p->edges, b->peer, &pr, p->now_ms)) < 0)
		return path_drop(p, HC_DROP_GNV_OAM);
	p->ctr[HC_PROBE_REPLIES]++;
	if (r > 0)
		p->ctr[HC_EDGE_UPS]++;
	return PATH_DROP;
}

/*
 * Check an ICMP error and find its embedded packet: 0, or the drop reason.
 * The embedded endpoint that a NAT translates must be the error's own
 * public (inbound) or VM (outbound) address.
 */
static enum host_ctr path_icmperr_check(const uint8_t *l3, const struct pkt_ip4 *pi,
					uint32_t own, bool inbound, struct icmperr *ie)
{
	if (!icmperr_csum_ok(l3, pi))
		return HC_DROP_ICMPERR_CSUM;
	if (icmperr_parse(l3, pi, ie))
		return HC_DROP_ICMPERR_MALFORMED;
	if (!icmperr_inner_csum_ok(l3, ie))
		return HC_DROP_ICMPERR_CSUM;     /* RFC 5508 REQ-3a */
	if ((inbound ? ie->src : ie->dst) != own)
		return HC_DROP_ICMPERR_MISMATCH;
	return 0;
}

/*
 * An ICMP error about a packet a VM sent: the embedded source is the
 * public endpoint; it becomes the VM's again, then the outer destination.
 * Nothing in the table changes (RFC 5508: errors never refresh nor end a
 * mapping).
 */
static enum path_out path_icmperr_in(struct path *p, struct pktbuf *b, struct pkt_ip4 *pi,
				     uint32_t vni)
{
	struct flow_result res;
	enum host_ctr why;
	enum flow_drop fd;
	struct icmperr ie;

	why = path_icmperr_check(b->data, pi, pi->dst, true, &ie);
	if (why)
		return path_drop(p, why);
	fd = flow_find_pub(p->ft, vni, ie.proto, ie.has_ports, ie.src, ie.sport, &res);
	if (fd != FLOW_OK)
		return path_drop(p, path_flow_ctr[fd]);
	icmperr_rewrite(b->data, pi, &ie, NAT_SRC, res.addr, res.port);
	p->ctr[HC_ICMPERR_IN]++;
	return path_to_vm(p, b, pi, &res);
}

/* path_from_tunnel() - translate an inbound packet and frame it for its VM. */
enum path_out path_from_tunnel(struct path *p, struct pktbuf *b, uint32_t now)
{
	enum geneve_verdict gv;
	struct pkt_ip4 pi;
	uint32_t vni;

	p->ctr[HC_RX_GNV_PKTS]++;
	p->ctr[HC_RX_GNV_BYTES] += b->len;
	if (host_conf_edge(p->conf, b->peer) < 0)
		return path_drop(p, HC_DROP_UNKNOWN_EDGE);
	if (b->len == 0)
		return path_drop(p, HC_DROP_TRUNCATED);
	gv = geneve_strip(b, &vni);
	if (gv == GENEVE_CONTROL)
		return path_control(p, b);
	if (gv != GENEVE_DATA)
		return path_drop(p, path_gnv_ctr[gv]);
	if (pkt_parse_ip4(b->data, b->len, &pi) != PKT_OK)
		return path_drop(p, HC_DROP_INNER_MALFORMED);
	b->len = pi.l3len;
	if (icmperr_is_error(&pi))
		return path_icmperr_in(p, b, &pi, vni);
	return path_in(p, b, &pi, vni, now);
}

/* Answer an ARP request for the VM's gateway in place. */
static enum path_out path_arp(struct path *p, uint32_t vm_idx, struct pktbuf *b)
{
	const struct host_vm *vm = &p->conf->vms[vm_idx];
	struct arp_info req;

	if (arp_parse(b->data + ETH_HLEN_, b->len - ETH_HLEN_, &req) < 0 || req.op != 1 ||
	    req.tpa != vm->gateway || memcmp(req.sha, vm->mac, 6) != 0)
		return path_drop(p, HC_DROP_ARP_IGNORED);
	b->len = (uint32_t)arp_reply(b->data, &req, p->conf->gw_mac);
	b->out = (uint16_t)vm_idx;
	p->ctr[HC_ARP_REPLIES]++;
	return PATH_TO_VM;
}

/* Wrap a translated packet in Geneve and outer IPv4/UDP toward an edge. */
static enum path_out path_encap(struct path *p, struct pktbuf *b, const struct pkt_ip4 *pi,
				uint32_t vni)
{
	/* Fragments hash without ports: every fragment of a datagram meets the same edge. */
	uint32_t h = pi->is_frag ? hash_flow(pi->src, pi->dst, pi->proto, 0, 0) :
				   hash_flow(pi->src, pi->dst, pi->proto, pi->sport, pi->dport);
	uint32_t edge = p->edges ? edges_pick(p->edges, h) : p->conf->edges[h % p->conf->nedges].addr;
	uint8_t *g = pktbuf_push(b, GENEVE_HLEN);

	if (!g)
		return path_drop(p, HC_DROP_HEADROOM);
	geneve_encode(g, vni, GENEVE_PT_IPV4, false);
	if (udpio_encap(b, p->conf->local, edge, udpgso_sport(p->gso, h), p->conf->port) < 0)
		return path_drop(p, HC_DROP_HEADROOM);
	return PATH_TO_EDGE;
}

/* -d: one line per new mapping (never per packet, and never without -d). */
static void path_log_mapping(const struct host_vm *vm, const struct pkt_ip4 *pi,
			     const struct flow_result *res)
{
	char a[ADDR_STRLEN], b[ADDR_STRLEN];

	log_debug("new mapping: vm %s %s %s:%u -> %s:%u", vm->name, addr_proto_name(pi->proto),
		  addr_fmt_ip4(pi->src, a), pi->sport, addr_fmt_ip4(res->addr, b), res->port);
}

/* The counter of each way a packet too big for the tunnel ends. */
static const enum host_ctr path_mtu_ctr[] = {
	[TUNMTU_ICMP] = HC_FRAG_NEEDED,
	[TUNMTU_SPLIT] = HC_FRAG_MADE,
	[TUNMTU_NO_ICMP] = HC_DROP_TOO_BIG_SILENT,
	[TUNMTU_RATE] = HC_DROP_TOO_BIG_RATE,
	[TUNMTU_BAD] = HC_DROP_FRAG_BAD,
	[TUNMTU_NOBUF] = HC_DROP_FRAG_NOBUF,
};

/*
 * A VM's DF packet too big for the tunnel (RFC 4787 REQ-13, RFC 1191): it
 * becomes an ICMP "fragmentation needed" from the VM's gateway, the router
 * the VM sees, with the tunnel's inner MTU, framed back to the VM.
 */
static enum path_out path_too_big(struct path *p, uint32_t vm_idx, struct pktbuf *b,
				  const struct pkt_ip4 *pi)
{
	const struct host_vm *vm = &p->conf->vms[vm_idx];
	enum tunmtu_verdict v;
	unsigned first;
	uint8_t *eth;

	v = tunmtu_fit(&p->mtu, b, pi, vm->gateway, p->now_ms, &first);
	p->ctr[path_mtu_ctr[v]]++;
	if (v != TUNMTU_ICMP)
		return PATH_DROP;
	eth = pktbuf_push(b, ETH_HLEN_);
	if (!eth)
		return path_drop(p, HC_DROP_HEADROOM);
	eth_write(eth, vm->mac, p->conf->gw_mac, ETHT_IPV4);
	b->out = (uint16_t)vm_idx;
	return PATH_TO_VM;
}

/*
 * A translated packet without DF too big for the tunnel: cut into
 * fragments, each parsed again (so all hash to the same edge) and wrapped;
 * the later ones wait in p->mtu.frag[] for the caller.
 */
static enum path_out path_split(struct path *p, struct pktbuf *b, const struct pkt_ip4 *pi,
				uint32_t vni)
{
	enum tunmtu_verdict v = TUNMTU_NO_ICMP;
	struct pkt_ip4 fi;
	unsigned first = 0;

	if (!pi->dont_frag)          /* DF here: a held fragment; its first was answered */
		v = tunmtu_fit(&p->mtu, b, pi, 0, p->now_ms, &first);
	p->ctr[path_mtu_ctr[v]]++;
	if (v != TUNMTU_SPLIT)
		return PATH_DROP;
	for (unsigned i = first; i < p->mtu.nfrag; i++) {
		struct pktbuf *f = p->mtu.frag[i];

		f->out = pkt_parse_ip4(f->data, f->len, &fi) == PKT_OK ? path_encap(p, f, &fi, vni) :
									  path_drop(p, HC_DROP_FRAG_BAD);
	}
	if (pkt_parse_ip4(b->data, b->len, &fi) != PKT_OK)
		return path_drop(p, HC_DROP_FRAG_BAD);
	return path_encap(p, b, &fi, vni);
}

/* Rewrite the source to addr (and port) and tunnel the packet to an edge. */
static enum path_out path_to_edge(struct path *p, struct pktbuf *b, struct pkt_ip4 *pi,
				  const struct flow_result *res, uint32_t vni)
{
	if (p->mss_max)
		path_mss(p, b->data, pi);
	nat_rewrite(b->data, pi, NAT_SRC, res->addr, res->has_port ? res->port : pi->sport);
	if (p->mtu.inner_max && b->len > p->mtu.inner_max)
		return path_split(p, b, pi, vni);
	return path_encap(p, b, pi, vni);
}

/* Later outbound fragments of k: their source becomes the first's public address. */
static void path_release_out(struct path *p, const struct frag_key *k, uint32_t addr,
			     uint32_t vni)
{
	struct flow_result r = { .addr = addr };
	struct pktbuf *hb;
	struct pkt_ip4 pi;

	while (p->nrel < PATH_FRAG_HOLD && (hb = frag_release(p->frags, k))) {
		if (pkt_parse_ip4(hb->data, hb->len, &pi) != PKT_OK) {
			frag_put(p->frags, hb);
			continue;
		}
		path_queue(p, hb, path_to_edge(p, hb, &pi, &r, vni));
	}
}

/*
 * No port for the VM's new flow (its quota or the range is full): the
 * packet is dropped and counted, and the VM told with ICMP 3/13 from its
 * gateway, within the rate limit.  No live mapping is ever evicted.
 */
static enum path_out path_reject(struct path *p, uint32_t vm_idx, struct pktbuf *b,
				 const struct pkt_ip4 *pi, enum host_ctr why)
{
	const struct host_vm *vm = &p->conf->vms[vm_idx];
	uint8_t *eth;

	p->ctr[why]++;
	if (!reject_allow(&p->rej, p->now_ms)) {
		p->ctr[HC_REJECTS_LIMITED]++;
		return PATH_DROP;
	}
	if (reject_build(b, pi, vm->gateway, ICMP_UNREACH, REJECT_CODE_ADMIN) < 0)
		return PATH_DROP;
	eth = pktbuf_push(b, ETH_HLEN_);
	if (!eth)
		return PATH_DROP;
	eth_write(eth, vm->mac, p->conf->gw_mac, ETHT_IPV4);
	b->out = (uint16_t)vm_idx;
	p->ctr[HC_REJECTS_SENT]++;
	return PATH_TO_VM;
}

/*
 * An ICMP error a VM sends about a packet that came in to it (a forward,
 * a mapping, its 1:1 address): the embedded destination becomes public,
 * then the outer source; an edge hairpins it when it is for the pool.
 */
static enum path_out path_icmperr_out(struct path *p, uint32_t vm_idx, struct pktbuf *b,
				      struct pkt_ip4 *pi)
{
	const struct host_vm *vm = &p->conf->vms[vm_idx];
	struct flow_result res;
	enum host_ctr why;
	enum flow_drop fd;
	struct icmperr ie;

	why = path_icmperr_check(b->data, pi, vm->addr, false, &ie);
	if (why)
		return path_drop(p, why);
	fd = flow_find_priv(p->ft, vm_idx, ie.proto, ie.has_ports, ie.dport, &res);
	if (fd != FLOW_OK)
		return path_drop(p, path_flow_ctr[fd]);
	icmperr_rewrite(b->data, pi, &ie, NAT_DST, res.addr, res.port);
	p->ctr[HC_ICMPERR_OUT]++;
	return path_to_edge(p, b, pi, &res, vm->vni);
}

/* Flags a TSO frame's segments may differ in (vnet.c); none moves the TCP state. */
#define PATH_TSO_FREE_FLAGS (TCPF_PSH | TCPF_CWR)

/*
 * The first segment of a TSO frame: translated and tunnelled as any packet;
 * when it went whole to an edge, the decision is kept for the frame's other
 * segments (path_tso_next()).
 */
static enum path_out path_tso_first(struct path *p, uint32_t vm_idx, struct pktbuf *b,
				    struct pkt_ip4 *pi, const struct flow_result *res)
{
	struct path_tso t = { .frame = b->frame, .vm = vm_idx, .len = b->len, .pi = *pi,
			      .res = *res, .flags = pi->tcp_flags & (uint8_t)~PATH_TSO_FREE_FLAGS };
	bool whole = !p->mtu.inner_max || b->len <= p->mtu.inner_max;
	enum path_out out = path_to_edge(p, b, pi, res, p->conf->vms[vm_idx].vni);

	if (out == PATH_TO_EDGE && whole && pi->proto == PROTO_TCP && !pi->is_frag &&
	    !(t.flags & (TCPF_SYN | TCPF_FIN | TCPF_RST))) {
		t.edge = b->peer;
		t.sport = be16(b->data + 20);
		p->tso = t;
	}
	return out;
}

/*
 * A later segment of the frame p->tso kept.  vnet.c copied its Ethernet,
 * IPv4 and TCP headers from the first's, changing only length, IP id,
 * sequence number, PSH/CWR and checksums: every check the first passed
 * holds for it, and its flow is the first's, refreshed by that lookup.  So
 * it only gets the same translation (incremental checksums, as any packet)
 * and the same edge.  -1 when it does not look like that (a FIN, which the
 * state machine must see): the caller takes the full path.
 */
static int path_tso_next(struct path *p, struct pktbuf *b, enum path_out *out)
{
	const struct path_tso *t = &p->tso;
	struct pkt_ip4 pi = t->pi;
	const uint8_t *ip = b->data + ETH_HLEN_;
	uint8_t *g;

	if (b->len < ETH_HLEN_ + (uint32_t)pi.l4off + 20)
		return -1;
	pi.l3len = be16(ip + 2);
	pi.tcp_flags = ip[pi.l4off + 13];
	if (pi.l3len != b->len - ETH_HLEN_ || pi.l3len > t->len ||
	    (pi.tcp_flags & (uint8_t)~PATH_TSO_FREE_FLAGS) != t->flags)
		return -1;
	pi.l4len = (uint16_t)(pi.l3len - pi.l4off);
	pktbuf_pull(b, ETH_HLEN_);
	nat_rewrite(b->data, &pi, NAT_SRC, t->res.addr, t->res.has_port ? t->res.port : pi.sport);
	g = pktbuf_push(b, GENEVE_HLEN);
	if (!g) {
		*out = path_drop(p, HC_DROP_HEADROOM);
		return 0;
	}
	geneve_encode(g, p->conf->vms[t->vm].vni, GENEVE_PT_IPV4, false);
	if (udpio_encap(b, p->conf->local, t->edge, t->sport, p->conf->port) < 0) {
		*out = path_drop(p, HC_DROP_HEADROOM);
		return 0;
	}
	p->ctr[HC_RX_VM_TSO_FOLLOW]++;
	*out = PATH_TO_EDGE;
	return 0;
}

static enum path_out path_ip4(struct path *p, uint32_t vm_idx, struct pktbuf *b, uint32_t now)
{
	const struct host_vm *vm = &p->conf->vms[vm_idx];
	struct flow_result res;
	struct frag_key k;
	enum flow_drop fd;
	struct pkt_ip4 pi;
	bool later;
	uint64_t v;

	pktbuf_pull(b, ETH_HLEN_);
	if (pkt_parse_ip4(b->data, b->len, &pi) != PKT_OK)
		return path_drop(p, HC_DROP_VM_MALFORMED);
	if (pi.src != vm->addr)
		return path_drop(p, HC_DROP_VM_SPOOF_IP);
	if (pi.dst == vm->gateway)
		return path_drop(p, HC_DROP_VM_TO_GW);
	b->len = pi.l3len;
	if (pi.dont_frag && p->mtu.inner_max && b->len > p->mtu.inner_max)
		return path_too_big(p, vm_idx, b, &pi);
	if (icmperr_is_error(&pi))
		return path_icmperr_out(p, vm_idx, b, &pi);
	k = path_frag_key(&pi, 2 + vm_idx, vm->vni);
	later = pi.is_frag && pi.frag_off;
	if (later && p->frags && frag_lookup(p->frags, &k, p->now_ms, &v)) {
		res = (struct flow_result){ .addr = (uint32_t)v };
		p->ctr[HC_FRAG_STEERED]++;
		return path_to_edge(p, b, &pi, &res, vm->vni);
	}
	fd = flow_out(p->ft, vm_idx, &pi, now, &res);
	if (fd == FLOW_DROP_UNSUPPORTED && later)
		return path_hold(p, &k, b);
	if (fd == FLOW_DROP_QUOTA || fd == FLOW_DROP_PORTS_FULL)
		return path_reject(p, vm_idx, b, &pi, path_flow_ctr[fd]);
	if (fd != FLOW_OK)
		return path_drop(p, path_flow_ctr[fd]);
	p->ctr[HC_MAP_CREATED] += res.created;
	if (res.created && log_enabled(LOG_LVL_DEBUG))
		path_log_mapping(vm, &pi, &res);
	if (pi.is_frag && !later && p->frags) {
		frag_learn(p->frags, &k, res.addr, p->now_ms);
		path_release_out(p, &k, res.addr, vm->vni);
	}
	if (b->frame && b->seg == 0)
		return path_tso_first(p, vm_idx, b, &pi, &res);
	return path_to_edge(p, b, &pi, &res, vm->vni);
}

/* path_from_vm() - check a VM's frame, answer ARP, translate and tunnel IPv4. */
enum path_out path_from_vm(struct path *p, uint32_t vm_idx, struct pktbuf *b, uint32_t now)
{
	const struct host_vm *vm = &p->conf->vms[vm_idx];
	struct eth_hdr_info eh;
	enum path_out out;

	p->ctr[HC_RX_VM_PKTS]++;
	p->ctr[HC_RX_VM_BYTES] += b->len;
	if (b->seg && b->frame == p->tso.frame && vm_idx == p->tso.vm && !path_tso_next(p, b, &out))
		return out;
	if (eth_parse(b->data, b->len, &eh) < 0)
		return path_drop(p, HC_DROP_VM_MALFORMED);
	if (memcmp(eh.src, vm->mac, 6) != 0)
		return path_drop(p, HC_DROP_VM_SPOOF_MAC);
	switch (eh.type) {
	case ETHT_ARP:
		return path_arp(p, vm_idx, b);
	case ETHT_IPV4:
		if (memcmp(eh.dst, p->conf->gw_mac, 6) != 0)
			return path_drop(p, HC_DROP_VM_NOT_GW);
		return path_ip4(p, vm_idx, b, now);
	default:
		return path_drop(p, HC_DROP_VM_ETHERTYPE);
	}
}

/* path_tick() - note the burst's time; expire held fragments. */
void path_tick(struct path *p, uint32_t now_ms)
{
	p->now_ms = now_ms;
	p->tso.frame = 0;            /* frames are split within one callback */
	if (p->frags)
		p->ctr[HC_DROP_FRAG_TIMEOUT] += frag_expire(p->frags, now_ms);
}

/* path_put_released() - return released fragments' buffers to the cache. */
void path_put_released(struct path *p)
{
	for (unsigned i = 0; i < p->nrel; i++)
		frag_put(p->frags, p->rel[i]);
	p->nrel = 0;
}
