/* SPDX-License-Identifier: MIT */
/* geneve.h - Geneve (RFC 8926) header encode and decode, payload is bare IP. */
#ifndef SPAT_GENEVE_H
#define SPAT_GENEVE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define GENEVE_PORT 6081
#define GENEVE_HLEN 8            /* base header without options */
#define GENEVE_PT_IPV4 0x0800
#define GENEVE_PT_IPV6 0x86DD
#define GENEVE_OPT_CRITICAL 0x80 /* high bit of the option type */
/* Option class of our own metadata (RFC 8926 s8: experimental range). */
#define GENEVE_CLASS_SPAT 0xFFF0

enum geneve_err {
	GENEVE_OK = 0,
	GENEVE_ERR_SHORT,     /* shorter than the base header or its options */
	GENEVE_ERR_VERSION,   /* version != 0 */
	GENEVE_ERR_CRITICAL,  /* an unknown option has the critical bit */
	GENEVE_ERR_OPTION,    /* option length runs past the option area */
};

struct geneve_hdr {
	uint32_t vni;         /* 24 bits */
	uint16_t proto;       /* protocol type of the payload */
	bool oam;             /* O bit: control packet, never forwarded as data */
	bool critical;        /* C bit */
	uint16_t optlen;      /* bytes of options */
	size_t hlen;          /* GENEVE_HLEN + optlen: where the payload starts */
};

/*
 * geneve_decode() - parse the Geneve header at buf[0..len).  Unknown options
 * are skipped; an unknown option with the critical bit set fails with
 * GENEVE_ERR_CRITICAL (we know no options yet, so any critical option does).
 */
enum geneve_err geneve_decode(const uint8_t *buf, size_t len, struct geneve_hdr *h);
/* geneve_encode() - write an 8-byte base header (no options) to buf. */
void geneve_encode(uint8_t *buf, uint32_t vni, uint16_t proto, bool oam);
/* geneve_err_str() - short name for logs and counters. */
const char *geneve_err_str(enum geneve_err e);

struct pktbuf;

/* What geneve_strip() made of a tunnel datagram; both daemons count each. */
enum geneve_verdict {
	GENEVE_DATA = 0,         /* an IPv4 data packet: header pulled, VNI known */
	GENEVE_BAD,              /* malformed header or options */
	GENEVE_BAD_CRITICAL,     /* an unknown option with the critical bit */
	GENEVE_CONTROL,          /* O bit: never forwarded as data (RFC 8926) */
	GENEVE_NOT_IPV4,         /* payload other than IPv4 */
	GENEVE_VERDICT__N
};

/*
 * geneve_strip() - accept b as data only if it is a well-formed Geneve
 * packet carrying IPv4 with the O bit clear; then pull the header so b
 * starts at the inner packet and set *vni.  Anything else: b untouched.
 */
enum geneve_verdict geneve_strip(struct pktbuf *b, uint32_t *vni);

#endif
