// SPDX-License-Identifier: MIT
/* fuzz_common_mtu.c - libFuzzer target: fragmentation, ICMP frag-needed and MSS clamping of any input. */
#include <arpa/inet.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "csum.h"
#include "icmpgen.h"
#include "ipfrag.h"
#include "mss.h"
#include "pkt.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct pktpool pool;

/* Cut the packet; pieces must parse, fit, and carry the payload in order. */
static void check_split(const uint8_t *pkt, size_t len, unsigned mtu)
{
	static struct pktbuf b;
	struct pktbuf *out[IPFRAG_MAX];
	size_t nfree = pool.nfree;
	int n;

	pktbuf_reset(&b);
	memcpy(b.data, pkt, len);
	b.len = (uint32_t)len;
	n = ipfrag_split(&b, mtu, &pool, out, IPFRAG_MAX);
	if (n < 0) {
		if (pool.nfree != nfree || memcmp(b.data, pkt, len))
			abort();             /* a refusal changes nothing */
		return;
	}
	if (n > 0 && b.len > mtu)
		abort();
	for (int i = 0; i < n; i++) {
		struct pkt_ip4 pi;

		if (out[i]->len > mtu || !pkt_ip4_csum_ok(out[i]->data, out[i]->len) ||
		    (pkt_parse_ip4(out[i]->data, out[i]->len, &pi) != PKT_OK &&
		     pkt_parse_ip4(out[i]->data, out[i]->len, &pi) != PKT_ERR_L4))
			abort();
		pktpool_put(&pool, out[i]);
	}
	if (pool.nfree != nfree)
		abort();
}

/* Turn the packet into an ICMP error; it must verify from scratch. */
static void check_icmp(const uint8_t *pkt, size_t len)
{
	static struct pktbuf b;
	struct pkt_ip4 pi;

	pktbuf_reset(&b);
	memcpy(b.data, pkt, len);
	b.len = (uint32_t)len;
	if (icmpgen_frag_needed(&b, 0xCB00710A, 1464))
		return;
	if (b.len > ICMPGEN_MAX || pkt_parse_ip4(b.data, b.len, &pi) != PKT_OK ||
	    !pkt_ip4_csum_ok(b.data, b.len) || csum_fold(csum_partial(b.data + 20, b.len - 20, 0)))
		abort();
}

/* Clamp; the TCP checksum must verify after if it did before. */
static void check_mss(const uint8_t *pkt, size_t len, uint16_t max)
{
	uint8_t *copy = malloc(len);
	struct pkt_ip4 pi;
	uint32_t src, dst;
	bool ok_before;

	if (!copy)
		abort();
	memcpy(copy, pkt, len);
	if (pkt_parse_ip4(copy, len, &pi) == PKT_OK && pi.proto == PROTO_TCP && !pi.is_frag) {
		memcpy(&src, copy + 12, 4);
		memcpy(&dst, copy + 16, 4);
		ok_before = !csum_fold(csum_partial(copy + pi.l4off, pi.l4len,
						    csum_ip4_pseudo(src, dst, PROTO_TCP,
								    htons(pi.l4len))));
		if (mss_clamp(copy, &pi, max) == MSS_CLAMPED && ok_before &&
		    csum_fold(csum_partial(copy + pi.l4off, pi.l4len,
					   csum_ip4_pseudo(src, dst, PROTO_TCP,
							   htons(pi.l4len)))))
			abort();
	}
	free(copy);
}

/* LLVMFuzzerTestOneInput() - byte 0-1: MTU and MSS; the rest: an IPv4 packet. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	unsigned mtu;

	if (!pool.n && pktpool_init(&pool, IPFRAG_MAX))
		abort();
	if (size < 2 || size - 2 > PKTBUF_MTU)
		return 0;
	mtu = 60u + (unsigned)data[0] * 8;
	check_split(data + 2, size - 2, mtu);
	check_icmp(data + 2, size - 2);
	check_mss(data + 2, size - 2, (uint16_t)(data[1] * 8));
	return 0;
}
