/* SPDX-License-Identifier: MIT */
/* rules.h - the edge's forwarding rule table: (public IP, proto, port) -> (host, VNI). */
#ifndef SPAT_RULES_H
#define SPAT_RULES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "edge_conf.h"

/*
 * Theory of operation: rules are grouped by public address in an
 * open-addressing hash table.  Each address holds either one whole-address
 * target or, per protocol (TCP, UDP, ICMP), a sorted array of disjoint port
 * ranges searched by bisection.  "any" rules are expanded into the three
 * protocols when the table is built.  An address with many ranges also has
 * a port index (64-port buckets) that narrows the bisection to the few
 * ranges near the port.  Lookup cost is one hash probe, one index read and
 * a bisection of a handful of ranges; it does not grow with the rule count.
 * The table is immutable once built, so a reload builds a new one and swaps.
 */
struct rules;

struct rule_target {
	uint32_t host;           /* index into the config's hosts */
	uint32_t host_addr;
	uint32_t vni;
};

/* rules_build() - compile the rules of c; NULL on ENOMEM. c must be valid. */
struct rules *rules_build(const struct edge_conf *c);
void rules_free(struct rules *r);
/*
 * rules_lookup() - the target for (addr, proto, port), or NULL.  proto
 * other than TCP/UDP/ICMP only matches whole-address rules; port is
 * ignored for whole-address rules.
 */
const struct rule_target *rules_lookup(const struct rules *r, uint32_t addr, uint8_t proto,
				       uint16_t port);
/* rules_has_addr() - true when any rule covers addr (it is a public address of the pool). */
bool rules_has_addr(const struct rules *r, uint32_t addr);
/*
 * rules_host() - index of the configured host whose tunnel address is addr,
 * or -1: the per-packet sender check, a bisection over the sorted hosts.
 */
long rules_host(const struct rules *r, uint32_t addr);
/* rules_count() - number of compiled (expanded) entries, for stats. */
size_t rules_count(const struct rules *r);

#endif
