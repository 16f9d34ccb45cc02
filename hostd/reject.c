// SPDX-License-Identifier: MIT
/* reject.c - ICMP errors hostd sends a VM itself (no port for a new flow), rate-limited. */
#include <arpa/inet.h>
#include <string.h>

#include "csum.h"
#include "reject.h"

#define REJECT_HDRS 28           /* IPv4 (20) + ICMP error header (8) */

/* reject_allow() - token bucket: REJECT_PER_SEC a second, REJECT_BURST at once. */
bool reject_allow(struct reject_limit *r, uint32_t now_ms)
{
	uint32_t add;

	if (!r->started) {
		*r = (struct reject_limit){ .last_ms = now_ms, .tokens = REJECT_BURST,
					    .started = true };
	}
	add = (now_ms - r->last_ms) / (1000 / REJECT_PER_SEC);
	if (add) {
		r->tokens = r->tokens + add > REJECT_BURST ? REJECT_BURST : r->tokens + add;
		r->last_ms += add * (1000 / REJECT_PER_SEC);
	}
	if (!r->tokens)
		return false;
	r->tokens--;
	return true;
}

/* Only echo requests and replies are ICMP we may answer with an error (never an error). */
static bool reject_is_icmp_error(const struct pkt_ip4 *pi)
{
	return pi->proto == PROTO_ICMP &&
	       (!pi->has_ports || (pi->icmp_type != ICMP_ECHO && pi->icmp_type != ICMP_ECHOREPLY));
}

/* reject_build() - the ICMP error about pi, in place, from src to pi's source. */
int reject_build(struct pktbuf *b, const struct pkt_ip4 *pi, uint32_t src, uint8_t type,
		 uint8_t code)
{
	uint32_t quote = pi->hlen + 8u, sum;
	uint16_t v, check;
	uint32_t a;
	uint8_t *h;

	if (pi->frag_off || reject_is_icmp_error(pi))
		return -1;
	if (quote > b->len)
		quote = b->len;
	h = pktbuf_push(b, REJECT_HDRS);
	if (!h)
		return -1;
	b->len = REJECT_HDRS + quote;
	memset(h, 0, REJECT_HDRS);
	h[0] = 0x45;
	v = htons((uint16_t)b->len);
	memcpy(h + 2, &v, 2);
	h[8] = 64;               /* TTL */
	h[9] = PROTO_ICMP;
	a = htonl(src);
	memcpy(h + 12, &a, 4);
	a = htonl(pi->src);
	memcpy(h + 16, &a, 4);
	check = csum_fold(csum_partial(h, 20, 0));
	memcpy(h + 10, &check, 2);
	h[20] = type;
	h[21] = code;
	sum = csum_partial(h + 20, 8 + quote, 0);
	check = csum_fold(sum);
	memcpy(h + 22, &check, 2);
	return 0;
}
