// SPDX-License-Identifier: MIT
/* addr.c - strict parsers and formatters for IPv4 addresses, ports, ranges, MACs, protocols. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>

#include "addr.h"

/*
 * Parsers accept only the canonical spelling: decimal digits without sign,
 * whitespace, leading zeros or trailing characters.  A config value that
 * strtoul() would half-accept ("80x", " 80", "+80", "080") is a typo we
 * want reported, not guessed at.
 */

/* Parse s in full as a canonical decimal into *v; -1 if not one or above max. */
static int parse_dec(const char *s, uint32_t max, uint32_t *v)
{
	uint64_t n = 0;
	const char *p;

	if (s[0] < '0' || s[0] > '9' || (s[0] == '0' && s[1] != '\0'))
		return -1;
	for (p = s; *p; p++) {
		if (*p < '0' || *p > '9')
			return -1;
		n = n * 10 + (uint64_t)(*p - '0');
		if (n > max)
			return -1;
	}
	*v = (uint32_t)n;
	return 0;
}

/* addr_parse_ip4() - dotted quad; inet_pton already refuses leading zeros and junk. */
int addr_parse_ip4(const char *s, uint32_t *addr)
{
	struct in_addr a;

	if (inet_pton(AF_INET, s, &a) != 1)
		return -1;
	*addr = ntohl(a.s_addr);
	return 0;
}

/* addr_parse_ip4_port() - "a.b.c.d:port" with port 1..65535. */
int addr_parse_ip4_port(const char *s, uint32_t *addr, uint16_t *port)
{
	char ip[ADDR_STRLEN];
	const char *colon = strchr(s, ':');
	uint32_t p;

	if (!colon || (size_t)(colon - s) >= sizeof(ip))
		return -1;
	memcpy(ip, s, (size_t)(colon - s));
	ip[colon - s] = '\0';
	if (addr_parse_ip4(ip, addr) || parse_dec(colon + 1, 65535, &p) || p == 0)
		return -1;
	*port = (uint16_t)p;
	return 0;
}

/* addr_parse_port() - decimal 0..65535. */
int addr_parse_port(const char *s, uint16_t *port)
{
	uint32_t p;

	if (parse_dec(s, 65535, &p))
		return -1;
	*port = (uint16_t)p;
	return 0;
}

/* addr_parse_range() - "lo-hi" or "port", both ends 1..65535 and lo <= hi. */
int addr_parse_range(const char *s, uint16_t *lo, uint16_t *hi)
{
	char first[6];
	const char *dash = strchr(s, '-');
	uint32_t l, h;

	if (!dash) {
		if (parse_dec(s, 65535, &l) || l == 0)
			return -1;
		*lo = *hi = (uint16_t)l;
		return 0;
	}
	if ((size_t)(dash - s) >= sizeof(first))
		return -1;
	memcpy(first, s, (size_t)(dash - s));
	first[dash - s] = '\0';
	if (parse_dec(first, 65535, &l) || parse_dec(dash + 1, 65535, &h))
		return -1;
	if (l == 0 || l > h)
		return -1;
	*lo = (uint16_t)l;
	*hi = (uint16_t)h;
	return 0;
}

static int hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* addr_parse_mac() - exactly six two-digit hex bytes separated by ':'. */
int addr_parse_mac(const char *s, uint8_t mac[6])
{
	uint8_t m[6];
	int i, hi, lo;

	for (i = 0; i < 6; i++, s += 3) {
		hi = hex_digit(s[0]);
		lo = hi < 0 ? -1 : hex_digit(s[1]);
		if (lo < 0 || s[2] != (i == 5 ? '\0' : ':'))
			return -1;
		m[i] = (uint8_t)(hi << 4 | lo);
	}
	memcpy(mac, m, sizeof(m));
	return 0;
}

static const struct {
	const char *name;
	uint8_t proto;
} proto_names[] = {
	{ "any", PROTO_ANY },
	{ "icmp", IPPROTO_ICMP },
	{ "tcp", IPPROTO_TCP },
	{ "udp", IPPROTO_UDP },
};

/* addr_parse_proto() - "tcp", "udp", "icmp" or "any" (PROTO_ANY); lower case only. */
int addr_parse_proto(const char *s, uint8_t *proto)
{
	size_t i;

	for (i = 0; i < sizeof(proto_names) / sizeof(proto_names[0]); i++) {
		if (!strcmp(s, proto_names[i].name)) {
			*proto = proto_names[i].proto;
			return 0;
		}
	}
	return -1;
}

/* addr_parse_u32() - canonical decimal within [min, max]. */
int addr_parse_u32(const char *s, uint32_t min, uint32_t max, uint32_t *v)
{
	uint32_t n;

	if (parse_dec(s, max, &n) || n < min)
		return -1;
	*v = n;
	return 0;
}

/* addr_fmt_ip4() - dotted quad into buf (ADDR_STRLEN); returns buf. */
const char *addr_fmt_ip4(uint32_t addr, char *buf)
{
	snprintf(buf, ADDR_STRLEN, "%u.%u.%u.%u", addr >> 24, (addr >> 16) & 0xff,
		 (addr >> 8) & 0xff, addr & 0xff);
	return buf;
}

/* addr_fmt_mac() - lower-case "xx:xx:xx:xx:xx:xx" into buf (MAC_STRLEN); returns buf. */
const char *addr_fmt_mac(const uint8_t mac[6], char *buf)
{
	snprintf(buf, MAC_STRLEN, "%02x:%02x:%02x:%02x:%02x:%02x", mac[0], mac[1], mac[2],
		 mac[3], mac[4], mac[5]);
	return buf;
}

/* addr_proto_name() - "tcp", "udp", "icmp", "any" or "other". */
const char *addr_proto_name(uint8_t proto)
{
	size_t i;

	for (i = 0; i < sizeof(proto_names) / sizeof(proto_names[0]); i++)
		if (proto_names[i].proto == proto)
			return proto_names[i].name;
	return "other";
}
