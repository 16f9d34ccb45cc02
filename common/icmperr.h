/* SPDX-License-Identifier: MIT */
/* icmperr.h - ICMP error messages (RFC 5508): parse and translate the embedded packet. */
#ifndef SPAT_ICMPERR_H
#define SPAT_ICMPERR_H

#include <stdbool.h>
#include <stdint.h>

#include "nat.h"
#include "pkt.h"

#define ICMP_PARAMPROB 12

/*
 * The packet embedded in an ICMP error, as far as a NAT needs it.  The
 * embedded packet is one the error's destination sent, so its source is
 * the destination's own endpoint.  Addresses and ports are in host order;
 * for embedded ICMP echo (request or reply) the identifier is both ports.
 * Offsets count from the outer IPv4 header.  An embedded packet of
 * another protocol, or a later fragment, has no ports (has_ports false):
 * only a whole (1:1) address can place it.
 */
struct icmperr {
	uint32_t src, dst;       /* embedded IPv4 source and destination */
	uint16_t sport, dport;   /* embedded ports, or the echo identifier */
	uint8_t proto;           /* embedded protocol: TCP, UDP or ICMP (echo) */
	uint8_t icmp_type;       /* embedded ICMP type (echo request or reply) */
	bool has_ports;          /* sport/dport are valid */
	uint16_t ipoff;          /* embedded IPv4 header */
	uint16_t l4off;          /* embedded L4 header */
	uint16_t l4avail;        /* embedded L4 bytes present (the error may truncate it) */
};

/*
 * icmperr_is_error() - true for an unfragmented ICMP destination
 * unreachable, time exceeded or parameter problem: the errors translated
 * by their embedded packet (RFC 5508 s4).  Redirect and source quench
 * (RFC 6633) are not among them.
 */
bool icmperr_is_error(const struct pkt_ip4 *pi);
/*
 * icmperr_parse() - find the embedded packet of the ICMP error at l3
 * (parsed into *pi, icmperr_is_error() true).  It must be a whole IPv4
 * header (IHL >= 5); for TCP, UDP and ICMP (not a later fragment) at least
 * 8 bytes of the L4 header (RFC 792: the ports or identifier) must follow,
 * and an embedded ICMP must be an echo (an error about an error is never
 * sent, RFC 1122 s3.2.2).  Other protocols pass without ports.
 * Return: 0 and *ie filled, or -1 for a truncated or unusable embedded packet.
 */
int icmperr_parse(const uint8_t *l3, const struct pkt_ip4 *pi, struct icmperr *ie);
/*
 * icmperr_csum_ok() - true when the ICMP checksum of the message at l3
 * verifies: an error that fails it is dropped rather than translated
 * (RFC 5508), as its receiver would drop it anyway.  Errors are small and
 * rare, so the whole message is summed.
 */
bool icmperr_csum_ok(const uint8_t *l3, const struct pkt_ip4 *pi);
/*
 * icmperr_inner_csum_ok() - true when the header checksum of the embedded
 * IPv4 packet (found by icmperr_parse()) verifies: RFC 5508 REQ-3a says
 * to drop an error whose embedded header fails it rather than translate it.
 */
bool icmperr_inner_csum_ok(const uint8_t *l3, const struct icmperr *ie);
/*
 * icmperr_rewrite() - set the embedded source (side NAT_SRC) or
 * destination (NAT_DST) to addr:port, host order (port ignored without
 * ie->has_ports).  Fixes the embedded IPv4
 * header checksum, the embedded TCP/UDP checksum when the error carries
 * it (an UDP checksum of 0 stays 0; for embedded ICMP echo only the
 * identifier counts) and the outer ICMP checksum, all incrementally
 * (RFC 1624), so a checksum that was wrong stays wrong.  The outer IPv4
 * header is the caller's (nat_rewrite(): its ICMP has no ports).  Updates *ie.
 */
void icmperr_rewrite(uint8_t *l3, const struct pkt_ip4 *pi, struct icmperr *ie,
		     enum nat_side side, uint32_t addr, uint16_t port);

#endif
