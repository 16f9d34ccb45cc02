/* SPDX-License-Identifier: MIT */
/* testpkt.h - build IPv4 TCP/UDP/ICMP test packets and recompute their checksums in full. */
#ifndef SPAT_TESTPKT_H
#define SPAT_TESTPKT_H

#include <arpa/inet.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "csum.h"
#include "pkt.h"

/* Addresses from the documentation ranges only (DESIGN.md s5). */
#define TP_CLIENT 0xC0000201u    /* 192.0.2.1 */
#define TP_PUBLIC 0xCB00710Au    /* 203.0.113.10 */
#define TP_VM 0xC613000Bu        /* 198.19.0.11 */

#define TP_IP_MF 0x2000

/* What to build; the L4 header comes from proto, the rest is payload. */
struct tp_spec {
	uint8_t proto;
	uint32_t src, dst;
	uint16_t sport, dport;   /* ICMP echo: sport is the identifier */
	uint16_t frag;           /* flags and offset field, host order */
	uint8_t tcp_flags;
	uint8_t icmp_type, icmp_code;
	bool udp_nocsum;         /* send a UDP checksum of 0 */
	const uint8_t *payload;
	size_t paylen;
};

static inline void tp_put16(uint8_t *p, uint16_t v)
{
	v = htons(v);
	memcpy(p, &v, 2);
}

static inline void tp_put32(uint8_t *p, uint32_t v)
{
	v = htonl(v);
	memcpy(p, &v, 4);
}

static inline uint16_t tp_get16(const uint8_t *p)
{
	uint16_t v;

	memcpy(&v, p, 2);
	return ntohs(v);
}

/* Offset of the L4 checksum field for proto, or 0 when it has none. */
static inline size_t tp_l4_check_off(uint8_t proto)
{
	return proto == PROTO_TCP ? 16 : proto == PROTO_UDP ? 6 : proto == PROTO_ICMP ? 2 : 0;
}

/* Full IPv4 header checksum of the header at ip, wire order (field read as 0). */
static inline uint16_t tp_full_ip_csum(const uint8_t *ip)
{
	uint8_t hdr[60];
	size_t hlen = (size_t)(ip[0] & 0x0F) * 4;

	memcpy(hdr, ip, hlen);
	memset(hdr + 10, 0, 2);
	return csum_fold(csum_partial(hdr, hlen, 0));
}

/*
 * Full L4 checksum, wire order, over l4len bytes at l4 (field read as 0),
 * with the pseudo header for TCP/UDP.  A UDP result of 0 is given as 0xFFFF.
 */
static inline uint16_t tp_full_l4_csum(const uint8_t *ip, const uint8_t *l4, size_t l4len)
{
	uint8_t proto = ip[9];
	size_t off = tp_l4_check_off(proto);
	uint32_t src, dst, sum = 0;
	uint16_t zero = 0, c;

	if (proto != PROTO_ICMP) {
		memcpy(&src, ip + 12, 4);
		memcpy(&dst, ip + 16, 4);
		sum = csum_ip4_pseudo(src, dst, proto, htons((uint16_t)l4len));
	}
	sum = csum_partial(l4, off, sum);
	sum = csum_partial(&zero, 2, sum);
	sum = csum_partial(l4 + off + 2, l4len - off - 2, sum);
	c = csum_fold(sum);
	return proto == PROTO_UDP && c == 0 ? 0xFFFF : c;
}

static inline size_t tp_l4_hlen(uint8_t proto)
{
	return proto == PROTO_TCP ? 20 : proto == PROTO_UDP || proto == PROTO_ICMP ? 8 : 0;
}

static inline void tp_write_l4(uint8_t *l4, const struct tp_spec *s, size_t l4len)
{
	switch (s->proto) {
	case PROTO_TCP:
		tp_put16(l4, s->sport);
		tp_put16(l4 + 2, s->dport);
		tp_put32(l4 + 4, 0x11223344);
		tp_put32(l4 + 8, 0x55667788);
		l4[12] = 5 << 4;
		l4[13] = s->tcp_flags;
		tp_put16(l4 + 14, 64240);
		break;
	case PROTO_UDP:
		tp_put16(l4, s->sport);
		tp_put16(l4 + 2, s->dport);
		tp_put16(l4 + 4, (uint16_t)l4len);
		break;
	case PROTO_ICMP:
		l4[0] = s->icmp_type;
		l4[1] = s->icmp_code;
		tp_put16(l4 + 4, s->sport);
		tp_put16(l4 + 6, 0x0007);
		break;
	}
}

/*
 * tp_build() - write the packet described by s to buf with valid checksums
 * (UDP 0 if udp_nocsum).  Return: its length.
 */
static inline size_t tp_build(uint8_t *buf, const struct tp_spec *s)
{
	size_t l4h = tp_l4_hlen(s->proto), l4len = l4h + s->paylen, len = 20 + l4len;
	size_t coff = tp_l4_check_off(s->proto);
	uint16_t c;

	memset(buf, 0, len);
	buf[0] = 0x45;
	tp_put16(buf + 2, (uint16_t)len);
	tp_put16(buf + 4, 0xBEEF);
	tp_put16(buf + 6, s->frag);
	buf[8] = 64;
	buf[9] = s->proto;
	tp_put32(buf + 12, s->src);
	tp_put32(buf + 16, s->dst);
	c = tp_full_ip_csum(buf);
	memcpy(buf + 10, &c, 2);
	tp_write_l4(buf + 20, s, l4len);
	if (s->paylen)
		memcpy(buf + 20 + l4h, s->payload, s->paylen);
	if (coff && !(s->proto == PROTO_UDP && s->udp_nocsum)) {
		c = tp_full_l4_csum(buf, buf + 20, l4len);
		memcpy(buf + 20 + coff, &c, 2);
	}
	return len;
}

/*
 * tp_build_err() - an ICMP error type/code from src to dst carrying the
 * first keep bytes of the packet emb, with valid outer checksums (the
 * unused word after the checksum is zero).  Return: its length.
 */
static inline size_t tp_build_err(uint8_t *buf, uint8_t type, uint8_t code, uint32_t src,
				  uint32_t dst, const uint8_t *emb, size_t keep)
{
	struct tp_spec outer = {
		.proto = PROTO_ICMP, .src = src, .dst = dst, .icmp_type = type,
		.icmp_code = code, .payload = emb, .paylen = keep,
	};
	size_t len = tp_build(buf, &outer);
	uint16_t c;

	memset(buf + 22, 0, 6);
	c = tp_full_l4_csum(buf, buf + 20, len - 20);
	memcpy(buf + 22, &c, 2);
	return len;
}

#endif
