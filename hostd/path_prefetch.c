// SPDX-License-Identifier: MIT
/* path_prefetch.c - start loading the conntrack slots a burst's packets will look up. */
#include "be.h"
#include "ct.h"
#include "eth.h"
#include "flow.h"
#include "geneve.h"
#include "path.h"
#include "pkt.h"


/*
 * The protocol and the offset of the ports of the IPv4 packet at ip (len
 * bytes), or 0 when it is not a first (or only) TCP/UDP fragment with its
 * ports in reach: only what a lookup could use, nothing validated beyond
 * staying inside the buffer (the path checks the packet for real).
 */
static uint8_t path_prefetch_l4(const uint8_t *ip, uint32_t len, uint32_t *l4)
{
	uint32_t ihl;

	if (len < 20 || ip[0] >> 4 != 4 || (be16(ip + 6) & 0x1fff))
		return 0;
	ihl = (ip[0] & 0x0fu) * 4;
	if (ihl < 20 || len < ihl + 4 || (ip[9] != PROTO_TCP && ip[9] != PROTO_UDP))
		return 0;
	*l4 = ihl;
	return ip[9];
}

/* path_prefetch_vm() - prefetch the private-key slots of n frames from VM vm_idx. */
void path_prefetch_vm(const struct path *p, uint32_t vm_idx, struct pktbuf *const *b, unsigned n)
{
	const struct host_vm *vm;
	uint32_t l4;
	uint8_t proto;

	if (vm_idx >= p->conf->nvms)
		return;
	vm = &p->conf->vms[vm_idx];
	if (vm->public_addr)
		return;                  /* 1:1: no lookup */
	for (unsigned i = 0; i < n; i++) {
		const uint8_t *f = b[i]->data;

		/* A TSO frame's later segments are its first's flow (path_tso_next()). */
		if (b[i]->seg || b[i]->len < ETH_HLEN_ || be16(f + 12) != ETHT_IPV4)
			continue;
		proto = path_prefetch_l4(f + ETH_HLEN_, b[i]->len - ETH_HLEN_, &l4);
		if (proto)
			ct_prefetch_priv(p->ft->ct, vm->vni, proto, vm->addr,
					 be16(f + ETH_HLEN_ + l4));
	}
}

/* path_prefetch_tunnel() - prefetch the public-key slots of n Geneve datagrams. */
void path_prefetch_tunnel(const struct path *p, struct pktbuf *const *b, unsigned n)
{
	uint32_t hl, l4;
	uint8_t proto;

	for (unsigned i = 0; i < n; i++) {
		const uint8_t *g = b[i]->data;

		if (b[i]->len < GENEVE_HLEN || be16(g + 2) != GENEVE_PT_IPV4)
			continue;
		hl = GENEVE_HLEN + (g[0] & 0x3fu) * 4;
		if (b[i]->len <= hl)
			continue;
		proto = path_prefetch_l4(g + hl, b[i]->len - hl, &l4);
		if (proto)
			ct_prefetch_pub(p->ft->ct, be32(g + 4) >> 8, proto, be32(g + hl + 16),
					be16(g + hl + l4 + 2));
	}
}
