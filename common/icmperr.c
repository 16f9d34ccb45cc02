// SPDX-License-Identifier: MIT
/* icmperr.c - ICMP errors (RFC 5508): the embedded packet, found and translated in place. */
#include <arpa/inet.h>
#include <string.h>

#include "csum.h"
#include "cursor.h"
#include "icmperr.h"

#define ICMP_HLEN 8
#define IP4_MIN_HLEN 20
#define IP4_OFFMASK 0x1FFF
#define EMB_L4_MIN 8             /* RFC 792: the first 64 bits of the datagram */
#define IP4_OFF_CHECK 10
#define IP4_OFF_SRC 12
#define IP4_OFF_DST 16
#define TCP_OFF_CHECK 16
#define UDP_OFF_CHECK 6
#define ICMP_OFF_CHECK 2
#define ICMP_OFF_ID 4

/* icmperr_is_error() - an unfragmented ICMP error translated by its embedded packet. */
bool icmperr_is_error(const struct pkt_ip4 *pi)
{
	if (pi->proto != PROTO_ICMP || pi->is_frag)
		return false;
	return pi->icmp_type == ICMP_UNREACH || pi->icmp_type == ICMP_TIMXCEED ||
	       pi->icmp_type == ICMP_PARAMPROB;
}

/* Ports (or the echo identifier) of the embedded L4 header; -1 if it has none. */
static int icmperr_ports(struct cursor *l4, struct icmperr *ie)
{
	uint8_t code;

	switch (ie->proto) {
	case PROTO_TCP:
	case PROTO_UDP:
		return cur_get_u16(l4, &ie->sport) || cur_get_u16(l4, &ie->dport) ? -1 : 0;
	case PROTO_ICMP:
		/* Only echo has an identifier; an error about an error is never sent. */
		if (cur_get_u8(l4, &ie->icmp_type) || cur_get_u8(l4, &code) || cur_skip(l4, 2) ||
		    cur_get_u16(l4, &ie->sport))
			return -1;
		if (ie->icmp_type != ICMP_ECHO && ie->icmp_type != ICMP_ECHOREPLY)
			return -1;
		ie->dport = ie->sport;
		return 0;
	default:
		return -1;
	}
}

/*
 * icmperr_parse() - find the embedded packet of an ICMP error.  Only the
 * bytes the outer header vouches for (pi->l3len) are read; the embedded
 * total length is not checked against them, since errors truncate it.
 */
int icmperr_parse(const uint8_t *l3, const struct pkt_ip4 *pi, struct icmperr *ie)
{
	uint8_t ver_ihl, proto;
	uint16_t frag;
	struct cursor c, emb, l4;
	size_t hlen;

	memset(ie, 0, sizeof(*ie));
	if (!icmperr_is_error(pi))
		return -1;
	cur_init(&c, l3, pi->l3len);
	if (cur_skip(&c, (size_t)pi->l4off + ICMP_HLEN))
		return -1;
	emb = c;
	if (cur_peek_u8(&emb, 0, &ver_ihl) || ver_ihl >> 4 != 4)
		return -1;
	hlen = (size_t)(ver_ihl & 0x0F) * 4;
	if (hlen < IP4_MIN_HLEN || cur_peek_u16(&emb, 6, &frag) || cur_peek_u8(&emb, 9, &proto) ||
	    cur_skip(&emb, IP4_OFF_SRC) || cur_get_u32(&emb, &ie->src) ||
	    cur_get_u32(&emb, &ie->dst) || cur_skip(&emb, hlen - IP4_MIN_HLEN))
		return -1;
	l4 = emb;
	ie->proto = proto;
	ie->ipoff = (uint16_t)(pi->l4off + ICMP_HLEN);
	ie->l4off = (uint16_t)(ie->ipoff + hlen);
	ie->l4avail = (uint16_t)cur_left(&l4);
	if ((frag & IP4_OFFMASK) ||
	    (proto != PROTO_TCP && proto != PROTO_UDP && proto != PROTO_ICMP))
		return 0;               /* no ports to go by: a whole address may still be */
	if (cur_left(&l4) < EMB_L4_MIN)
		return -1;
	ie->has_ports = true;
	return icmperr_ports(&l4, ie);
}

/* icmperr_csum_ok() - the whole ICMP message sums to zero. */
bool icmperr_csum_ok(const uint8_t *l3, const struct pkt_ip4 *pi)
{
	struct cursor c;
	const uint8_t *msg;

	cur_init(&c, l3, pi->l3len);
	if (cur_skip(&c, pi->l4off) || cur_get_ptr(&c, &msg, pi->l4len))
		return false;
	return csum_fold(csum_partial(msg, pi->l4len, 0)) == 0;
}

/* icmperr_inner_csum_ok() - the embedded IPv4 header, options included, sums to zero. */
bool icmperr_inner_csum_ok(const uint8_t *l3, const struct icmperr *ie)
{
	/* icmperr_parse() checked that the whole header (IHL words) is there. */
	size_t hlen = (size_t)(l3[ie->ipoff] & 0x0F) * 4;

	return csum_fold(csum_partial(l3 + ie->ipoff, hlen, 0)) == 0;
}

/* A 16-bit field inside the ICMP message: store it and carry the change into *ocheck. */
static void icmperr_put16(uint8_t *l3, size_t off, uint16_t new_be, uint16_t *ocheck)
{
	uint16_t old_be;

	memcpy(&old_be, l3 + off, sizeof(old_be));
	memcpy(l3 + off, &new_be, sizeof(new_be));
	*ocheck = csum_replace16(*ocheck, old_be, new_be);
}

static uint16_t icmperr_get16(const uint8_t *l3, size_t off)
{
	uint16_t v;

	memcpy(&v, l3 + off, sizeof(v));
	return v;
}

/*
 * Offset of the embedded L4 checksum if the error carries it and it is in
 * use, else 0 (it can never be at offset 0: the outer headers come first).
 */
static size_t icmperr_l4_check_off(const uint8_t *l3, const struct icmperr *ie)
{
	size_t off;

	switch (ie->proto) {
	case PROTO_TCP:
		off = TCP_OFF_CHECK;
		break;
	case PROTO_UDP:
		off = UDP_OFF_CHECK;
		break;
	default:
		off = ICMP_OFF_CHECK;
		break;
	}
	if (ie->l4avail < off + 2)
		return 0;               /* truncated before the checksum (TCP in 8 bytes) */
	if (ie->proto == PROTO_UDP && icmperr_get16(l3, ie->l4off + off) == 0)
		return 0;               /* UDP sent without checksum: leave it so */
	return ie->l4off + off;
}

/*
 * The embedded port (or echo identifier) and the embedded L4 checksum,
 * which for TCP and UDP also covers the address through the pseudo header.
 */
static void icmperr_rewrite_port(uint8_t *l3, struct icmperr *ie, enum nat_side side,
				 uint32_t old_a, uint32_t new_a, uint16_t port, uint16_t *ocheck)
{
	size_t poff = ie->l4off + (ie->proto == PROTO_ICMP ? ICMP_OFF_ID :
				   side == NAT_SRC ? 0 : 2);
	size_t l4c = icmperr_l4_check_off(l3, ie);
	uint16_t old_p = icmperr_get16(l3, poff), new_p = htons(port), check;

	icmperr_put16(l3, poff, new_p, ocheck);
	if (l4c) {
		check = icmperr_get16(l3, l4c);
		if (ie->proto != PROTO_ICMP)
			check = csum_replace32(check, old_a, new_a);
		check = csum_replace16(check, old_p, new_p);
		if (ie->proto == PROTO_UDP && check == 0)
			check = 0xFFFF;
		icmperr_put16(l3, l4c, check, ocheck);
	}
	if (ie->proto == PROTO_ICMP)
		ie->sport = ie->dport = port;
	else if (side == NAT_SRC)
		ie->sport = port;
	else
		ie->dport = port;
}

/*
 * icmperr_rewrite() - translate the embedded source or destination with
 * incremental checksums.  Every 16-bit word that changes inside the ICMP
 * message also goes into the outer ICMP checksum; the embedded header sits
 * at an even offset from it, so the words line up.
 */
void icmperr_rewrite(uint8_t *l3, const struct pkt_ip4 *pi, struct icmperr *ie,
		     enum nat_side side, uint32_t addr, uint16_t port)
{
	size_t aoff = ie->ipoff + (side == NAT_SRC ? IP4_OFF_SRC : IP4_OFF_DST);
	size_t ocoff = (size_t)pi->l4off + ICMP_OFF_CHECK;
	uint16_t ocheck = icmperr_get16(l3, ocoff), check, half[2];
	uint32_t old_a, new_a = htonl(addr);

	memcpy(&old_a, l3 + aoff, sizeof(old_a));
	memcpy(half, &new_a, sizeof(half));     /* the two words as they sit on the wire */
	icmperr_put16(l3, aoff, half[0], &ocheck);
	icmperr_put16(l3, aoff + 2, half[1], &ocheck);
	check = csum_replace32(icmperr_get16(l3, ie->ipoff + IP4_OFF_CHECK), old_a, new_a);
	icmperr_put16(l3, ie->ipoff + IP4_OFF_CHECK, check, &ocheck);
	if (side == NAT_SRC)
		ie->src = addr;
	else
		ie->dst = addr;
	if (ie->has_ports)
		icmperr_rewrite_port(l3, ie, side, old_a, new_a, port, &ocheck);
	memcpy(l3 + ocoff, &ocheck, sizeof(ocheck));
}
