// SPDX-License-Identifier: MIT
/* pkt.c - IPv4, TCP, UDP and ICMP header parsing through a bounds-checked cursor. */
#include <assert.h>
#include <string.h>

#include "csum.h"
#include "cursor.h"
#include "pkt.h"

#define IP4_MIN_HLEN 20
#define IP4_DF 0x4000
#define IP4_MF 0x2000
#define IP4_OFFMASK 0x1FFF
#define TCP_MIN_HLEN 20
#define UDP_HLEN 8
#define ICMP_MIN_HLEN 8

/* The IPv4 fixed header as read off the wire, host order. */
struct ip4_fixed {
	uint8_t ver_ihl, tos;
	uint16_t tot_len, id, frag;
	uint8_t ttl, proto;
	uint16_t check;
	uint32_t src, dst;
};

/* Read the 20-byte fixed header in wire order; nonzero if it is truncated. */
static int ip4_read_fixed(struct cursor *c, struct ip4_fixed *h)
{
	return cur_get_u8(c, &h->ver_ihl) || cur_get_u8(c, &h->tos) ||
	       cur_get_u16(c, &h->tot_len) || cur_get_u16(c, &h->id) ||
	       cur_get_u16(c, &h->frag) || cur_get_u8(c, &h->ttl) ||
	       cur_get_u8(c, &h->proto) || cur_get_u16(c, &h->check) ||
	       cur_get_u32(c, &h->src) || cur_get_u32(c, &h->dst);
}

/* Check the version, header and total lengths against each other and len. */
static enum pkt_err ip4_check_lens(const struct ip4_fixed *h, size_t len)
{
	size_t hlen = (size_t)(h->ver_ihl & 0x0F) * 4;

	if (hlen < IP4_MIN_HLEN || hlen > len)
		return PKT_ERR_HDRLEN;
	if (h->tot_len > len || h->tot_len < hlen)
		return PKT_ERR_TOTLEN;
	return PKT_OK;
}

static void ip4_fill(struct pkt_ip4 *pi, const struct ip4_fixed *h)
{
	pi->src = h->src;
	pi->dst = h->dst;
	pi->l3len = h->tot_len;
	pi->frag_off = (uint16_t)((h->frag & IP4_OFFMASK) * 8);
	pi->ipid = h->id;
	pi->hlen = (uint8_t)((h->ver_ihl & 0x0F) * 4);
	pi->proto = h->proto;
	pi->ttl = h->ttl;
	pi->more_frags = h->frag & IP4_MF;
	pi->dont_frag = h->frag & IP4_DF;
	pi->is_frag = pi->more_frags || pi->frag_off;
	pi->l4off = pi->hlen;
	pi->l4len = (uint16_t)(pi->l3len - pi->hlen);
}

/* TCP: ports, flags, and a data offset that fits in the segment. */
static enum pkt_err parse_tcp(struct cursor *l4, struct pkt_ip4 *pi)
{
	uint8_t doff, flags;

	if (cur_left(l4) < TCP_MIN_HLEN)
		return PKT_ERR_L4;
	cur_get_u16(l4, &pi->sport);
	cur_get_u16(l4, &pi->dport);
	cur_skip(l4, 8);                /* sequence and acknowledgment numbers */
	cur_get_u8(l4, &doff);
	cur_get_u8(l4, &flags);
	doff >>= 4;
	if (doff < 5 || (size_t)doff * 4 > pi->l4len)
		return PKT_ERR_L4;
	pi->tcp_flags = flags;
	pi->has_ports = true;
	return PKT_OK;
}

static enum pkt_err parse_udp(struct cursor *l4, struct pkt_ip4 *pi)
{
	if (cur_left(l4) < UDP_HLEN)
		return PKT_ERR_L4;
	cur_get_u16(l4, &pi->sport);
	cur_get_u16(l4, &pi->dport);
	pi->has_ports = true;
	return PKT_OK;
}

/* ICMP: type and code always; echo's identifier stands in for both ports. */
static enum pkt_err parse_icmp(struct cursor *l4, struct pkt_ip4 *pi)
{
	uint16_t id;

	if (cur_left(l4) < ICMP_MIN_HLEN)
		return PKT_ERR_L4;
	cur_get_u8(l4, &pi->icmp_type);
	cur_get_u8(l4, &pi->icmp_code);
	cur_skip(l4, 2);                /* checksum */
	cur_get_u16(l4, &id);
	if (pi->icmp_type == ICMP_ECHO || pi->icmp_type == ICMP_ECHOREPLY) {
		pi->sport = id;
		pi->dport = id;
		pi->has_ports = true;
	}
	return PKT_OK;
}

static enum pkt_err parse_l4(struct cursor *l4, struct pkt_ip4 *pi)
{
	switch (pi->proto) {
	case PROTO_TCP:
		return parse_tcp(l4, pi);
	case PROTO_UDP:
		return parse_udp(l4, pi);
	case PROTO_ICMP:
		return parse_icmp(l4, pi);
	default:
		return PKT_OK;
	}
}

/*
 * pkt_parse_ip4() - parse an IPv4 packet at buf[0..len) into *pi.
 *
 * Bytes past the IPv4 total length are link padding and ignored.  Only the
 * first fragment (or an unfragmented packet) carries an L4 header.
 * Return: PKT_OK, or why the packet was refused (*pi is then partly filled).
 */
enum pkt_err pkt_parse_ip4(const uint8_t *buf, size_t len, struct pkt_ip4 *pi)
{
	struct cursor c, ip, l4;
	struct ip4_fixed h;
	enum pkt_err err;

	memset(pi, 0, sizeof(*pi));
	cur_init(&c, buf, len);
	if (cur_peek_u8(&c, 0, &h.ver_ihl))
		return PKT_ERR_SHORT;
	if (h.ver_ihl >> 4 != 4)
		return PKT_ERR_VERSION;
	if (ip4_read_fixed(&c, &h))
		return PKT_ERR_SHORT;
	err = ip4_check_lens(&h, len);
	if (err)
		return err;
	ip4_fill(pi, &h);

	/* Only tot_len bytes are the packet: cut them out, then step over the header. */
	cur_init(&c, buf, len);
	if (cur_sub(&c, &ip, pi->l3len) || cur_skip(&ip, pi->hlen) ||
	    cur_sub(&ip, &l4, pi->l4len))
		return PKT_ERR_TOTLEN;  /* cannot happen after ip4_check_lens() */
	if (pi->frag_off)
		return PKT_OK;
	return parse_l4(&l4, pi);
}

static const char *const pkt_err_names[] = {
	[PKT_OK] = "ok",
	[PKT_ERR_SHORT] = "short",
	[PKT_ERR_VERSION] = "version",
	[PKT_ERR_HDRLEN] = "hdrlen",
	[PKT_ERR_TOTLEN] = "totlen",
	[PKT_ERR_L4] = "l4",
};
static_assert(sizeof(pkt_err_names) / sizeof(pkt_err_names[0]) == PKT_ERR_L4 + 1,
	      "pkt_err_names must name every enum pkt_err");

/* pkt_err_str() - short name of a parse error for logs and counters. */
const char *pkt_err_str(enum pkt_err e)
{
	if ((unsigned int)e >= sizeof(pkt_err_names) / sizeof(pkt_err_names[0]))
		return "unknown";
	return pkt_err_names[e];
}

/* pkt_ip4_csum_ok() - true when the IPv4 header checksum verifies. */
bool pkt_ip4_csum_ok(const uint8_t *buf, size_t len)
{
	const uint8_t *hdr;
	struct cursor c;
	uint8_t ver_ihl;
	size_t hlen;

	cur_init(&c, buf, len);
	if (cur_peek_u8(&c, 0, &ver_ihl))
		return false;
	hlen = (size_t)(ver_ihl & 0x0F) * 4;
	if (hlen < IP4_MIN_HLEN || cur_get_ptr(&c, &hdr, hlen))
		return false;
	return csum_fold(csum_partial(hdr, hlen, 0)) == 0;
}
