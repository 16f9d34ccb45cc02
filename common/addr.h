/* SPDX-License-Identifier: MIT */
/* addr.h - parse and print IPv4 addresses, ports, port ranges, MACs, protocols. */
#ifndef SPAT_ADDR_H
#define SPAT_ADDR_H

#include <stdbool.h>
#include <stdint.h>

#define ADDR_STRLEN 16   /* "255.255.255.255" + NUL */
#define MAC_STRLEN 18
#define PROTO_ANY 0      /* matches TCP, UDP and ICMP in rules */

/* All functions return 0 on success, -1 on a malformed string; values host order. */
int addr_parse_ip4(const char *s, uint32_t *addr);
/* addr_parse_ip4_port() - "a.b.c.d:port" with port 1..65535 (port 0 is rejected). */
int addr_parse_ip4_port(const char *s, uint32_t *addr, uint16_t *port);
/* addr_parse_port() - decimal 0..65535 without sign, spaces or trailing junk. */
int addr_parse_port(const char *s, uint16_t *port);
/* addr_parse_range() - "lo-hi" or a single "port"; 1 <= lo <= hi <= 65535. */
int addr_parse_range(const char *s, uint16_t *lo, uint16_t *hi);
/* addr_parse_mac() - "xx:xx:xx:xx:xx:xx", hex, case-insensitive. */
int addr_parse_mac(const char *s, uint8_t mac[6]);
/* addr_parse_proto() - "tcp", "udp", "icmp" or "any" (PROTO_ANY). */
int addr_parse_proto(const char *s, uint8_t *proto);
/* addr_parse_u32() - decimal within [min, max]. */
int addr_parse_u32(const char *s, uint32_t min, uint32_t max, uint32_t *v);

/* addr_fmt_ip4() - dotted quad into buf (ADDR_STRLEN); returns buf. */
const char *addr_fmt_ip4(uint32_t addr, char *buf);
/* addr_fmt_mac() - into buf (MAC_STRLEN); returns buf. */
const char *addr_fmt_mac(const uint8_t mac[6], char *buf);
/* addr_proto_name() - "tcp", "udp", "icmp", "any" or "other". */
const char *addr_proto_name(uint8_t proto);

#endif
