// SPDX-License-Identifier: MIT
/* tunmtu.c - a packet that does not fit the tunnel: ICMP "fragmentation needed" or fragments. */
#include "tunmtu.h"

/* tunmtu_init() - inner room of the tunnel and a full ICMP bucket. */
void tunmtu_init(struct tunmtu *m, uint32_t mtu, uint32_t rate, struct pktpool *pool,
		 uint32_t now_ms)
{
	if (!mtu)
		mtu = TUNMTU_DEFAULT;
	m->inner_max = (uint16_t)(mtu - TUNMTU_OVERHEAD);
	m->pool = pool;
	m->nfrag = 0;
	icmpgen_limit_init(&m->icmp, rate, now_ms);
}

/* tunmtu_fit() - DF: the ICMP error in place of the packet; otherwise fragments. */
enum tunmtu_verdict tunmtu_fit(struct tunmtu *m, struct pktbuf *b, const struct pkt_ip4 *pi,
			       uint32_t icmp_src, uint32_t now_ms, unsigned *first)
{
	int n;

	*first = m->nfrag;
	if (pi->dont_frag) {
		if (!icmpgen_may_answer(pi))
			return TUNMTU_NO_ICMP;
		if (!icmpgen_limit_take(&m->icmp, now_ms))
			return TUNMTU_RATE;
		return icmpgen_frag_needed(b, icmp_src, m->inner_max) ? TUNMTU_NO_ICMP : TUNMTU_ICMP;
	}
	if (!m->pool)
		return TUNMTU_NOBUF;
	n = ipfrag_split(b, m->inner_max, m->pool, m->frag + m->nfrag, TUNMTU_FRAGS - m->nfrag);
	if (n == IPFRAG_NOBUF)
		return TUNMTU_NOBUF;
	if (n < 0)
		return TUNMTU_BAD;
	m->nfrag += (unsigned)n;
	return TUNMTU_SPLIT;
}

/* tunmtu_put() - return the fragments cut in this burst. */
void tunmtu_put(struct tunmtu *m)
{
	for (unsigned i = 0; i < m->nfrag; i++)
		pktpool_put(m->pool, m->frag[i]);
	m->nfrag = 0;
}
