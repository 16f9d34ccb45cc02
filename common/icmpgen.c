// SPDX-License-Identifier: MIT
/* icmpgen.c - ICMP "fragmentation needed" (RFC 792, RFC 1191) built in place; a token bucket. */
#include <arpa/inet.h>
#include <string.h>

#include "csum.h"
#include "icmpgen.h"

/* icmpgen_may_answer() - RFC 1122/1812: never an error about an error, a later fragment, a non-host. */
bool icmpgen_may_answer(const struct pkt_ip4 *pi)
{
	uint8_t top = (uint8_t)(pi->src >> 24);

	if (pi->frag_off)
		return false;
	if (pi->proto == PROTO_ICMP && !pi->has_ports && !pi->is_frag)
		return false;            /* not an echo request/reply: an error or unknown type */
	if (top == 0 || top == 127 || top >= 224 || pi->src == 0xFFFFFFFFu)
		return false;
	return true;
}

static void icmpgen_put16(uint8_t *p, uint16_t v)
{
	v = htons(v);
	memcpy(p, &v, 2);
}

static void icmpgen_put32(uint8_t *p, uint32_t v)
{
	v = htonl(v);
	memcpy(p, &v, 4);
}

/* icmpgen_frag_needed() - turn b's packet into the ICMP error about it, in place. */
int icmpgen_frag_needed(struct pktbuf *b, uint32_t src, uint16_t mtu)
{
	uint32_t orig_src, embed = b->len;
	uint16_t check;
	uint8_t *h;

	if (b->len < 20 || (b->data[0] >> 4) != 4)
		return -1;
	memcpy(&orig_src, b->data + 12, 4);
	if (embed > ICMPGEN_MAX - ICMPGEN_HLEN)
		embed = ICMPGEN_MAX - ICMPGEN_HLEN;
	h = pktbuf_push(b, ICMPGEN_HLEN);
	if (!h)
		return -1;
	b->len = ICMPGEN_HLEN + embed;
	h[0] = 0x45;
	h[1] = 0xC0;                 /* precedence 6, internetwork control (RFC 1812 s4.3.2.5) */
	icmpgen_put16(h + 2, (uint16_t)b->len);
	memset(h + 4, 0, 4);         /* id 0, no DF: 576 bytes pass every link */
	h[8] = 64;
	h[9] = PROTO_ICMP;
	memset(h + 10, 0, 2);
	icmpgen_put32(h + 12, src);
	memcpy(h + 16, &orig_src, 4);
	check = csum_fold(csum_partial(h, 20, 0));
	memcpy(h + 10, &check, 2);
	h[20] = ICMP_UNREACH;
	h[21] = ICMP_UNREACH_NEEDFRAG;
	memset(h + 22, 0, 4);        /* checksum, then the unused word (RFC 1191 s4) */
	icmpgen_put16(h + 26, mtu);
	check = csum_fold(csum_partial(h + 20, b->len - 20, 0));
	memcpy(h + 22, &check, 2);
	return 0;
}

/* icmpgen_limit_init() - start with a full bucket. */
void icmpgen_limit_init(struct icmpgen_limit *l, uint32_t rate, uint32_t now_ms)
{
	l->rate = rate;
	l->tokens = rate * 1000;
	l->last_ms = now_ms;
}

/* icmpgen_limit_take() - refill by the time since the last call, then take one. */
bool icmpgen_limit_take(struct icmpgen_limit *l, uint32_t now_ms)
{
	uint64_t t = l->tokens + (uint64_t)(uint32_t)(now_ms - l->last_ms) * l->rate;
	uint64_t cap = (uint64_t)l->rate * 1000;

	l->last_ms = now_ms;
	l->tokens = (uint32_t)(t > cap ? cap : t);
	if (l->tokens < 1000)
		return false;
	l->tokens -= 1000;
	return true;
}
