/* SPDX-License-Identifier: MIT */
/* icmpgen.h - ICMP "fragmentation needed" built in place, and a rate limit for ICMP errors. */
#ifndef SPAT_ICMPGEN_H
#define SPAT_ICMPGEN_H

#include <stdbool.h>
#include <stdint.h>

#include "pkt.h"
#include "pktbuf.h"

#define ICMP_UNREACH_NEEDFRAG 4
#define ICMPGEN_HLEN 28          /* the IPv4 (20) and ICMP (8) headers put in front */
#define ICMPGEN_MAX 576          /* RFC 1812 s4.3.2.3: an ICMP error stays within 576 bytes */

/*
 * icmpgen_may_answer() - whether an ICMP error may be sent about pi (RFC
 * 1122 s3.2.2, RFC 1812 s4.3.2.7): not about an ICMP error, a non-first
 * fragment, or a source that is not one host (0/8, loopback, multicast,
 * class E, broadcast).
 */
bool icmpgen_may_answer(const struct pkt_ip4 *pi);

/*
 * icmpgen_frag_needed() - replace b's IPv4 packet (b->len is its length)
 * with an ICMP type 3 code 4 from src (host order) to the packet's source,
 * carrying next-hop MTU mtu and as much of the packet as fits in 576
 * bytes.  Built in place: the headers go into b's headroom.  0, or -1 (b
 * unchanged) when the headroom is short or b is not IPv4.
 */
int icmpgen_frag_needed(struct pktbuf *b, uint32_t src, uint16_t mtu);

/* A token bucket: rate ICMP errors a second, bursts of up to rate. */
struct icmpgen_limit {
	uint32_t rate;           /* per second; 0: never send */
	uint32_t tokens;         /* in 1/1000 of a message */
	uint32_t last_ms;
};

/* icmpgen_limit_init() - a full bucket of rate messages a second. */
void icmpgen_limit_init(struct icmpgen_limit *l, uint32_t rate, uint32_t now_ms);
/* icmpgen_limit_take() - true (and one token used) when a message may go now. */
bool icmpgen_limit_take(struct icmpgen_limit *l, uint32_t now_ms);

#endif
