// SPDX-License-Identifier: MIT
/* path.c - hostd's per-packet decisions; no I/O here, so it is unit-tested and fuzzed. */
#include <string.h>

#include "eth.h"
#include "geneve.h"
#include "hash.h"
#include "nat.h"
#include "path.h"
#include "pkt.h"
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
};

static enum path_out path_drop(struct path *p, enum host_ctr why)
{
	p->ctr[why]++;
	return PATH_DROP;
}

static int path_decap(struct path *p, struct pktbuf *b, uint32_t *vni)
{
	struct geneve_hdr gh;

	switch (geneve_decode(b->data, b->len, &gh)) {
	case GENEVE_OK:
		break;
	case GENEVE_ERR_CRITICAL:
		return path_drop(p, HC_DROP_GNV_CRITICAL), -1;
	default:
		return path_drop(p, HC_DROP_GNV_MALFORMED), -1;
	}
	if (gh.oam)
		return path_drop(p, HC_DROP_GNV_OAM), -1;
	if (gh.proto != GENEVE_PT_IPV4)
		return path_drop(p, HC_DROP_GNV_PROTO), -1;
	pktbuf_pull(b, gh.hlen);
	*vni = gh.vni;
	return 0;
}

/* path_from_tunnel() - translate an inbound packet and frame it for its VM. */
enum path_out path_from_tunnel(struct path *p, struct pktbuf *b, uint32_t now)
{
	const struct host_vm *vm;
	struct flow_result res;
	enum flow_drop fd;
	struct pkt_ip4 pi;
	uint8_t *eth;
	uint32_t vni;

	p->ctr[HC_RX_GNV_PKTS]++;
	p->ctr[HC_RX_GNV_BYTES] += b->len;
	if (host_conf_edge(p->conf, b->peer) < 0)
		return path_drop(p, HC_DROP_UNKNOWN_EDGE);
	if (b->len == 0)
		return path_drop(p, HC_DROP_TRUNCATED);
	if (path_decap(p, b, &vni) < 0)
		return PATH_DROP;
	if (pkt_parse_ip4(b->data, b->len, &pi) != PKT_OK)
		return path_drop(p, HC_DROP_INNER_MALFORMED);
	b->len = pi.l3len;
	fd = flow_in(p->ft, vni, &pi, now, &res);
	if (fd != FLOW_OK)
		return path_drop(p, path_flow_ctr[fd]);
	vm = &p->conf->vms[res.vm];
	nat_rewrite(b->data, &pi, NAT_DST, res.addr, res.has_port ? res.port : pi.dport);
	eth = pktbuf_push(b, ETH_HLEN_);
	if (!eth)
		return path_drop(p, HC_DROP_HEADROOM);
	eth_write(eth, vm->mac, p->conf->gw_mac, ETHT_IPV4);
	b->out = (uint16_t)res.vm;
	return PATH_TO_VM;
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
	uint32_t h = hash_flow(pi->src, pi->dst, pi->proto, pi->sport, pi->dport);
	uint32_t edge = p->conf->edges[h % p->conf->nedges].addr;
	uint8_t *g = pktbuf_push(b, GENEVE_HLEN);

	if (!g)
		return path_drop(p, HC_DROP_HEADROOM);
	geneve_encode(g, vni, GENEVE_PT_IPV4, false);
	if (udpio_encap(b, p->conf->local, edge, (uint16_t)(49152 + (h >> 18)), p->conf->port) < 0)
		return path_drop(p, HC_DROP_HEADROOM);
	return PATH_TO_EDGE;
}

static enum path_out path_ip4(struct path *p, uint32_t vm_idx, struct pktbuf *b, uint32_t now)
{
	const struct host_vm *vm = &p->conf->vms[vm_idx];
	struct flow_result res;
	enum flow_drop fd;
	struct pkt_ip4 pi;

	pktbuf_pull(b, ETH_HLEN_);
	if (pkt_parse_ip4(b->data, b->len, &pi) != PKT_OK)
		return path_drop(p, HC_DROP_VM_MALFORMED);
	if (pi.src != vm->addr)
		return path_drop(p, HC_DROP_VM_SPOOF_IP);
	if (pi.dst == vm->gateway)
		return path_drop(p, HC_DROP_VM_TO_GW);
	b->len = pi.l3len;
	fd = flow_out(p->ft, vm_idx, &pi, now, &res);
	if (fd != FLOW_OK)
		return path_drop(p, path_flow_ctr[fd]);
	p->ctr[HC_MAP_CREATED] += res.created;
	nat_rewrite(b->data, &pi, NAT_SRC, res.addr, res.has_port ? res.port : pi.sport);
	return path_encap(p, b, &pi, vm->vni);
}

/* path_from_vm() - check a VM's frame, answer ARP, translate and tunnel IPv4. */
enum path_out path_from_vm(struct path *p, uint32_t vm_idx, struct pktbuf *b, uint32_t now)
{
	const struct host_vm *vm = &p->conf->vms[vm_idx];
	struct eth_hdr_info eh;

	p->ctr[HC_RX_VM_PKTS]++;
	p->ctr[HC_RX_VM_BYTES] += b->len;
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
