// SPDX-License-Identifier: MIT
/* fuzz_common_pkt.c - libFuzzer target: IPv4 parse, NAT both sides, re-parse and checksums. */
#include <arpa/inet.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "csum.h"
#include "nat.h"
#include "pkt.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* True when the L4 checksum of a whole (unfragmented) packet verifies; -1: not applicable. */
static int l4_csum_ok(const uint8_t *ip, const struct pkt_ip4 *pi)
{
	uint32_t src, dst, sum = 0;
	uint16_t udp_check;

	if (pi->is_frag)
		return -1;
	if (pi->proto == PROTO_UDP) {
		memcpy(&udp_check, ip + pi->l4off + 6, 2);
		if (!udp_check)
			return -1;
	} else if (pi->proto != PROTO_TCP && pi->proto != PROTO_ICMP) {
		return -1;
	}
	if (pi->proto != PROTO_ICMP) {
		memcpy(&src, ip + 12, 4);
		memcpy(&dst, ip + 16, 4);
		sum = csum_ip4_pseudo(src, dst, pi->proto, htons(pi->l4len));
	}
	return csum_fold(csum_partial(ip + pi->l4off, pi->l4len, sum)) == 0;
}

/* Rewrite both sides; the result must parse to what nat_rewrite() said it wrote. */
static void check_rewrite(const uint8_t *data, const struct pkt_ip4 *orig)
{
	uint8_t *copy = malloc(orig->l3len);    /* exactly l3len: ASan sees any stray write */
	uint32_t saddr = 0xCB00710A, daddr = 0xC613000B;
	uint16_t sport = 1024, dport = 80;
	struct pkt_ip4 pi = *orig, again;
	int ip_ok, l4_ok;

	if (!copy)
		abort();
	memcpy(copy, data, orig->l3len);
	/* Ports and addresses from the input; ports stay nonzero like any we allocate. */
	if (orig->l3len >= 24) {
		memcpy(&saddr, data + orig->l3len - 4, 4);
		sport = (uint16_t)(data[orig->l3len - 1] << 8 | data[0]) | 1;
		dport = (uint16_t)(data[1] << 8 | data[orig->l3len - 2]) | 1;
	}
	ip_ok = pkt_ip4_csum_ok(copy, orig->l3len);
	l4_ok = l4_csum_ok(copy, orig);
	nat_rewrite(copy, &pi, NAT_SRC, saddr, sport);
	nat_rewrite(copy, &pi, NAT_DST, daddr, dport);
	if (pkt_parse_ip4(copy, orig->l3len, &again) != PKT_OK)
		abort();
	if (again.src != pi.src || again.dst != pi.dst || again.src != saddr ||
	    again.dst != daddr || again.has_ports != orig->has_ports ||
	    again.sport != pi.sport || again.dport != pi.dport)
		abort();
	if (ip_ok && !pkt_ip4_csum_ok(copy, orig->l3len))
		abort();
	if (l4_ok == 1 && l4_csum_ok(copy, &again) != 1)
		abort();
	free(copy);
}

/* LLVMFuzzerTestOneInput() - one input; abort() flags a broken invariant. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pkt_ip4 pi;

	if (pkt_parse_ip4(data, size, &pi) != PKT_OK)
		return 0;
	if (pi.l3len > size || pi.hlen < 20 || pi.l4off + pi.l4len != pi.l3len)
		abort();
	check_rewrite(data, &pi);
	return 0;
}
