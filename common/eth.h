/* SPDX-License-Identifier: MIT */
/* eth.h - Ethernet header and ARP for the VM side of a tap. */
#ifndef SPAT_ETH_H
#define SPAT_ETH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define ETH_HLEN_ 14
#define ETHT_IPV4 0x0800
#define ETHT_ARP 0x0806
#define ETHT_IPV6 0x86DD
#define ARP_LEN 28               /* IPv4-over-Ethernet ARP body */

struct eth_hdr_info {
	uint8_t dst[6], src[6];
	uint16_t type;           /* host order; VLAN tags are not supported */
};

/* eth_parse() - read the Ethernet header; -1 if the frame is too short. */
int eth_parse(const uint8_t *buf, size_t len, struct eth_hdr_info *e);
/* eth_write() - write a 14-byte Ethernet header to buf. */
void eth_write(uint8_t *buf, const uint8_t dst[6], const uint8_t src[6], uint16_t type);
/* eth_is_bcast() - ff:ff:ff:ff:ff:ff. */
bool eth_is_bcast(const uint8_t mac[6]);

struct arp_info {
	uint16_t op;             /* 1 request, 2 reply */
	uint8_t sha[6], tha[6];
	uint32_t spa, tpa;       /* host order */
};

/* arp_parse() - parse an IPv4/Ethernet ARP body (after the Ethernet header). */
int arp_parse(const uint8_t *buf, size_t len, struct arp_info *a);
/*
 * arp_reply() - write a complete Ethernet+ARP reply frame (42 bytes) to out
 * answering request *req with mac as the owner of req->tpa.  Returns length.
 */
size_t arp_reply(uint8_t *out, const struct arp_info *req, const uint8_t mac[6]);

#endif
