/* SPDX-License-Identifier: MIT */
/* pkt.h - IPv4, TCP, UDP and ICMP header parsing into a flat summary. */
#ifndef SPAT_PKT_H
#define SPAT_PKT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PROTO_ICMP 1
#define PROTO_TCP 6
#define PROTO_UDP 17

#define ICMP_ECHOREPLY 0
#define ICMP_UNREACH 3
#define ICMP_ECHO 8
#define ICMP_TIMXCEED 11

#define TCPF_FIN 0x01
#define TCPF_SYN 0x02
#define TCPF_RST 0x04
#define TCPF_PSH 0x08
#define TCPF_ACK 0x10
#define TCPF_CWR 0x80

/* Why pkt_parse_ip4() refused a packet; also used as drop reasons. */
enum pkt_err {
	PKT_OK = 0,
	PKT_ERR_SHORT,     /* shorter than the headers it claims */
	PKT_ERR_VERSION,   /* not IPv4 */
	PKT_ERR_HDRLEN,    /* IHL < 5 or beyond the packet */
	PKT_ERR_TOTLEN,    /* total length beyond the buffer or below the header */
	PKT_ERR_L4,        /* L4 header truncated or malformed (TCP doff) */
};

/*
 * Summary of one IPv4 packet.  Addresses and ports are in host byte order.
 * The packet may be longer than tot_len (link padding); l3len is tot_len.
 * For ICMP echo request/reply the identifier is both sport and dport, so
 * callers treat it as "the port" in either direction.  has_ports is false
 * for non-first fragments, other ICMP types and protocols without ports.
 */
struct pkt_ip4 {
	uint32_t src, dst;
	uint16_t l3len;      /* IPv4 total length */
	uint16_t frag_off;   /* fragment offset in bytes */
	uint16_t ipid;
	uint8_t hlen;        /* IPv4 header length in bytes */
	uint8_t proto;
	uint8_t ttl;
	bool more_frags;     /* MF set */
	bool dont_frag;      /* DF set */
	bool is_frag;        /* MF set or offset != 0 */
	bool has_ports;
	uint16_t sport, dport;
	uint16_t l4off;      /* offset of the L4 header from the IP header */
	uint16_t l4len;      /* bytes of L4 header + payload present (per tot_len) */
	uint8_t tcp_flags;
	uint8_t icmp_type, icmp_code;
};

/* pkt_parse_ip4() - parse an IPv4 packet; fills *pi; returns PKT_OK or the reason. */
enum pkt_err pkt_parse_ip4(const uint8_t *buf, size_t len, struct pkt_ip4 *pi);
/* pkt_err_str() - short name of a parse error for logs and counters. */
const char *pkt_err_str(enum pkt_err e);
/* pkt_ip4_csum_ok() - true when the IPv4 header checksum verifies. */
bool pkt_ip4_csum_ok(const uint8_t *buf, size_t len);

#endif
