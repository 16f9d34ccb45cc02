// SPDX-License-Identifier: MIT
/* fuzz_common_icmperr.c - libFuzzer target: ICMP error parse, embedded rewrite, re-parse and checksums. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "csum.h"
#include "icmperr.h"
#include "pkt.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The embedded IPv4 header checksum verifies. */
static int emb_ip_ok(const uint8_t *ip, const struct icmperr *ie)
{
	return csum_fold(csum_partial(ip + ie->ipoff, (size_t)(ie->l4off - ie->ipoff), 0)) == 0;
}

/* Rewrite one embedded side; the result must parse to what was written, checksums kept. */
static void check_side(const uint8_t *data, const struct pkt_ip4 *pi, const struct icmperr *orig,
		       enum nat_side side, uint32_t addr, uint16_t port)
{
	uint8_t *copy = malloc(pi->l3len);      /* exactly l3len: ASan sees any stray write */
	struct icmperr ie = *orig, again;
	struct pkt_ip4 pi2;
	int icmp_ok, ip_ok;

	if (!copy)
		abort();
	memcpy(copy, data, pi->l3len);
	icmp_ok = icmperr_csum_ok(copy, pi);
	ip_ok = emb_ip_ok(copy, orig);
	icmperr_rewrite(copy, pi, &ie, side, addr, port);
	if (pkt_parse_ip4(copy, pi->l3len, &pi2) != PKT_OK || icmperr_parse(copy, &pi2, &again))
		abort();
	if (again.src != ie.src || again.dst != ie.dst || again.has_ports != orig->has_ports ||
	    (side == NAT_SRC ? again.src : again.dst) != addr)
		abort();
	if (orig->has_ports && (again.sport != ie.sport || again.dport != ie.dport ||
				(side == NAT_SRC ? again.sport : again.dport) != port))
		abort();
	if ((icmp_ok && !icmperr_csum_ok(copy, &pi2)) || (ip_ok && !emb_ip_ok(copy, &again)))
		abort();
	free(copy);
}

/* LLVMFuzzerTestOneInput() - one input; abort() flags a broken invariant. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint32_t addr = 0xC613000B;
	uint16_t port = 5555;
	struct pkt_ip4 pi;
	struct icmperr ie;

	if (pkt_parse_ip4(data, size, &pi) != PKT_OK || !icmperr_is_error(&pi))
		return 0;
	if (icmperr_parse(data, &pi, &ie))
		return 0;
	if (ie.ipoff != pi.l4off + 8 || ie.l4off < ie.ipoff + 20 ||
	    (size_t)ie.l4off + ie.l4avail != pi.l3len || (ie.has_ports && ie.l4avail < 8))
		abort();
	if (pi.l3len >= 4) {
		memcpy(&addr, data + pi.l3len - 4, 4);
		port = (uint16_t)(data[pi.l3len - 1] << 8 | data[0]);
	}
	check_side(data, &pi, &ie, NAT_SRC, addr, port);
	check_side(data, &pi, &ie, NAT_DST, addr ^ 0x01010101u, (uint16_t)~port);
	return 0;
}
