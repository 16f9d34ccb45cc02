// SPDX-License-Identifier: MIT
/* eth.c - Ethernet header and IPv4 ARP parsing, and ARP replies for the VM side. */
#include <arpa/inet.h>
#include <string.h>

#include "cursor.h"
#include "eth.h"

#define ARP_HTYPE_ETH 1
#define ARP_OP_REPLY 2
#define ETH_ALEN_ 6
#define IP4_ALEN 4

/* eth_parse() - read the 14-byte Ethernet header. Return: 0, or -1 if too short. */
int eth_parse(const uint8_t *buf, size_t len, struct eth_hdr_info *e)
{
	struct cursor c;

	cur_init(&c, buf, len);
	if (cur_get_bytes(&c, e->dst, ETH_ALEN_) || cur_get_bytes(&c, e->src, ETH_ALEN_) ||
	    cur_get_u16(&c, &e->type))
		return -1;
	return 0;
}

/* Write helpers: network order, any alignment; return the next write position. */
static uint8_t *put_u16(uint8_t *p, uint16_t v)
{
	uint16_t be = htons(v);

	memcpy(p, &be, sizeof(be));
	return p + sizeof(be);
}

static uint8_t *put_u32(uint8_t *p, uint32_t v)
{
	uint32_t be = htonl(v);

	memcpy(p, &be, sizeof(be));
	return p + sizeof(be);
}

static uint8_t *put_bytes(uint8_t *p, const void *src, size_t n)
{
	memcpy(p, src, n);
	return p + n;
}

/* eth_write() - write a 14-byte Ethernet header to buf. */
void eth_write(uint8_t *buf, const uint8_t dst[6], const uint8_t src[6], uint16_t type)
{
	buf = put_bytes(buf, dst, ETH_ALEN_);
	buf = put_bytes(buf, src, ETH_ALEN_);
	put_u16(buf, type);
}

/* eth_is_bcast() - true for ff:ff:ff:ff:ff:ff. */
bool eth_is_bcast(const uint8_t mac[6])
{
	static const uint8_t bcast[ETH_ALEN_] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };

	return memcmp(mac, bcast, ETH_ALEN_) == 0;
}

/*
 * arp_parse() - parse an IPv4-over-Ethernet ARP body (after the Ethernet
 * header) into *a.  Return: 0, or -1 if short or not Ethernet/IPv4.
 */
int arp_parse(const uint8_t *buf, size_t len, struct arp_info *a)
{
	uint16_t htype, ptype;
	uint8_t hlen, plen;
	struct cursor c;

	cur_init(&c, buf, len);
	if (cur_get_u16(&c, &htype) || cur_get_u16(&c, &ptype) || cur_get_u8(&c, &hlen) ||
	    cur_get_u8(&c, &plen) || cur_get_u16(&c, &a->op) ||
	    cur_get_bytes(&c, a->sha, ETH_ALEN_) || cur_get_u32(&c, &a->spa) ||
	    cur_get_bytes(&c, a->tha, ETH_ALEN_) || cur_get_u32(&c, &a->tpa))
		return -1;
	if (htype != ARP_HTYPE_ETH || ptype != ETHT_IPV4 || hlen != ETH_ALEN_ || plen != IP4_ALEN)
		return -1;
	return 0;
}

/*
 * arp_reply() - write to out a complete Ethernet+ARP reply to *req that
 * names mac as the owner of req->tpa.  out must hold ETH_HLEN_ + ARP_LEN bytes.
 * Return: the frame length, 42.
 */
size_t arp_reply(uint8_t *out, const struct arp_info *req, const uint8_t mac[6])
{
	uint8_t *p = out;

	eth_write(p, req->sha, mac, ETHT_ARP);
	p += ETH_HLEN_;
	p = put_u16(p, ARP_HTYPE_ETH);
	p = put_u16(p, ETHT_IPV4);
	*p++ = ETH_ALEN_;
	*p++ = IP4_ALEN;
	p = put_u16(p, ARP_OP_REPLY);
	p = put_bytes(p, mac, ETH_ALEN_);
	p = put_u32(p, req->tpa);
	p = put_bytes(p, req->sha, ETH_ALEN_);
	p = put_u32(p, req->spa);
	return (size_t)(p - out);
}
