/* SPDX-License-Identifier: MIT */
/* nat.h - rewrite an IPv4 packet's address and port with incremental checksums. */
#ifndef SPAT_NAT_H
#define SPAT_NAT_H

#include <stdint.h>

#include "pkt.h"

enum nat_side { NAT_SRC, NAT_DST };

/*
 * nat_rewrite() - set the source or destination address and port of the
 * packet at l3 (parsed into *pi) to addr:port (host order).  Fixes the IPv4
 * header checksum and the TCP/UDP checksum incrementally (RFC 1624): an IPv4
 * UDP checksum of 0 stays 0, a computed 0 becomes 0xFFFF.  For ICMP echo the
 * identifier is the port and only the ICMP checksum changes for it.  Ports
 * are left alone when pi->has_ports is false (non-first fragment: only the
 * address changes).  Updates *pi to the new values.  l3 must hold
 * pi->l3len bytes, as pkt_parse_ip4() checked.
 */
void nat_rewrite(uint8_t *l3, struct pkt_ip4 *pi, enum nat_side side,
		 uint32_t addr, uint16_t port);

#endif
