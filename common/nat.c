// SPDX-License-Identifier: MIT
/* nat.c - rewrite an IPv4 packet's address and port with incremental checksums. */
#include <arpa/inet.h>
#include <string.h>

#include "csum.h"
#include "nat.h"

/* Field offsets from the IPv4 header, and from the L4 header. */
#define IP4_OFF_CHECK 10
#define IP4_OFF_SRC 12
#define IP4_OFF_DST 16
#define L4_OFF_SPORT 0
#define L4_OFF_DPORT 2
#define TCP_OFF_CHECK 16
#define UDP_OFF_CHECK 6
#define ICMP_OFF_CHECK 2
#define ICMP_OFF_ID 4

#define NAT_NO_FIELD ((size_t)-1)

/*
 * Fields are loaded and stored with memcpy (the packet may sit at any
 * alignment) and only inside the l3len bytes the parser vouched for.
 */
static int nat_load16(const uint8_t *l3, const struct pkt_ip4 *pi, size_t off, uint16_t *v)
{
	if (off > pi->l3len || pi->l3len - off < sizeof(*v))
		return -1;
	memcpy(v, l3 + off, sizeof(*v));
	return 0;
}

static void nat_store16(uint8_t *l3, const struct pkt_ip4 *pi, size_t off, uint16_t v)
{
	if (off <= pi->l3len && pi->l3len - off >= sizeof(v))
		memcpy(l3 + off, &v, sizeof(v));
}

/* Offset of the L4 checksum that covers the port and the pseudo header, if any. */
static size_t nat_l4_check_off(const struct pkt_ip4 *pi)
{
	if (pi->frag_off)
		return NAT_NO_FIELD;    /* the L4 header is in the first fragment */
	if (pi->proto == PROTO_TCP)
		return pi->l4off + TCP_OFF_CHECK;
	if (pi->proto == PROTO_UDP)
		return pi->l4off + UDP_OFF_CHECK;
	return NAT_NO_FIELD;            /* ICMP has no pseudo header */
}

/* Load the L4 checksum at off; -1 when there is none to update (UDP 0: "no checksum"). */
static int nat_l4_check_get(const uint8_t *l3, const struct pkt_ip4 *pi, size_t off,
			    uint16_t *check)
{
	if (off == NAT_NO_FIELD || nat_load16(l3, pi, off, check))
		return -1;
	return pi->proto == PROTO_UDP && *check == 0 ? -1 : 0;
}

/* Store an updated L4 checksum; a computed UDP 0 is sent as 0xFFFF (RFC 768). */
static void nat_l4_check_put(uint8_t *l3, const struct pkt_ip4 *pi, size_t off, uint16_t check)
{
	if (pi->proto == PROTO_UDP && check == 0)
		check = 0xFFFF;
	nat_store16(l3, pi, off, check);
}

/* Swap the address at off, fixing the IPv4 header checksum and a TCP/UDP checksum. */
static void nat_set_addr(uint8_t *l3, const struct pkt_ip4 *pi, size_t off, uint32_t addr)
{
	size_t l4c = nat_l4_check_off(pi);
	uint32_t old_be, new_be = htonl(addr);
	uint16_t check;

	memcpy(&old_be, l3 + off, sizeof(old_be));
	memcpy(l3 + off, &new_be, sizeof(new_be));
	memcpy(&check, l3 + IP4_OFF_CHECK, sizeof(check));
	check = csum_replace32(check, old_be, new_be);
	memcpy(l3 + IP4_OFF_CHECK, &check, sizeof(check));
	if (nat_l4_check_get(l3, pi, l4c, &check))
		return;
	nat_l4_check_put(l3, pi, l4c, csum_replace32(check, old_be, new_be));
}

/* Swap the 16-bit port or identifier at off, fixing the checksum at check_off. */
static void nat_set_port(uint8_t *l3, const struct pkt_ip4 *pi, size_t off, size_t check_off,
			 uint16_t port)
{
	uint16_t old_be, new_be = htons(port), check;

	if (nat_load16(l3, pi, off, &old_be))
		return;
	nat_store16(l3, pi, off, new_be);
	if (nat_l4_check_get(l3, pi, check_off, &check))
		return;
	nat_l4_check_put(l3, pi, check_off, csum_replace16(check, old_be, new_be));
}

static void nat_rewrite_port(uint8_t *l3, struct pkt_ip4 *pi, enum nat_side side, uint16_t port)
{
	size_t l4 = pi->l4off;

	if (pi->proto == PROTO_ICMP) {
		/* Echo: the identifier is the port of either side. */
		nat_set_port(l3, pi, l4 + ICMP_OFF_ID, l4 + ICMP_OFF_CHECK, port);
		pi->sport = port;
		pi->dport = port;
		return;
	}
	if (side == NAT_SRC) {
		nat_set_port(l3, pi, l4 + L4_OFF_SPORT, nat_l4_check_off(pi), port);
		pi->sport = port;
	} else {
		nat_set_port(l3, pi, l4 + L4_OFF_DPORT, nat_l4_check_off(pi), port);
		pi->dport = port;
	}
}

/*
 * nat_rewrite() - set the source or destination address and port of the
 * IPv4 packet at l3 to addr:port (host order), with incremental checksums.
 * Ports are only touched when pi->has_ports; *pi is updated to match.
 */
void nat_rewrite(uint8_t *l3, struct pkt_ip4 *pi, enum nat_side side,
		 uint32_t addr, uint16_t port)
{
	if (pi->l3len < IP4_OFF_DST + 4)
		return;                 /* not a packet pkt_parse_ip4() accepted */
	if (side == NAT_SRC) {
		nat_set_addr(l3, pi, IP4_OFF_SRC, addr);
		pi->src = addr;
	} else {
		nat_set_addr(l3, pi, IP4_OFF_DST, addr);
		pi->dst = addr;
	}
	if (pi->has_ports)
		nat_rewrite_port(l3, pi, side, port);
}
