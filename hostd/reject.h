/* SPDX-License-Identifier: MIT */
/* reject.h - ICMP errors hostd answers a VM with itself, and their rate limit. */
#ifndef SPAT_REJECT_H
#define SPAT_REJECT_H

#include <stdbool.h>
#include <stdint.h>

#include "pkt.h"
#include "pktbuf.h"

/*
 * When a VM's new flow cannot have a public port (its quota or the range
 * is exhausted), hostd drops the packet and tells the VM at once with an
 * ICMP destination unreachable, code 13 "communication administratively
 * prohibited" (RFC 6888 REQ-11), from the VM's gateway, so that the
 * application fails fast instead of retrying into a black hole.  A token bucket per hostd bounds them: a VM hammering a full
 * range gets a few errors a second, never one per packet.
 */
#define REJECT_CODE_ADMIN 13     /* ICMP unreachable: communication administratively prohibited */
#define REJECT_PER_SEC 10        /* steady rate of ICMP errors */
#define REJECT_BURST 10          /* and the burst above it */

struct reject_limit {
	uint32_t last_ms;        /* time of the last refill */
	uint32_t tokens;
	bool started;
};

/* reject_allow() - true (and one token used) if an error may be sent at now_ms. */
bool reject_allow(struct reject_limit *r, uint32_t now_ms);
/*
 * reject_build() - turn the IPv4 packet pi at b->data (b->len bytes) into
 * an ICMP error type/code from src to pi's source, in place: the new IPv4
 * and ICMP headers go in front (b needs 28 bytes of headroom) and the
 * quote is the offending header and the first 8 bytes of its payload
 * (RFC 792).  Returns 0, or -1 (b unchanged) for a packet that must not
 * get an error (RFC 1812 s4.3.2.7: ICMP errors, later fragments).
 */
int reject_build(struct pktbuf *b, const struct pkt_ip4 *pi, uint32_t src, uint8_t type,
		 uint8_t code);

#endif
