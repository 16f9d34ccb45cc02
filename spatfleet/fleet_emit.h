/* SPDX-License-Identifier: MIT */
/* fleet_emit.h - write spatfleet's outputs: edged and hostd configs, the block map. */
#ifndef SPAT_FLEET_EMIT_H
#define SPAT_FLEET_EMIT_H

#include <stddef.h>
#include <stdio.h>

#include "fleet_conf.h"
#include "fleet_split.h"

/*
 * fleet_emit_edge() - edged config of edge e: its name and listen address,
 * the `edge:` keys, every host, one rule (proto any) per merged block in
 * rules[0..n), then one whole-address rule per 1:1 address.
 */
void fleet_emit_edge(const struct fleet_conf *c, size_t e, const struct fleet_block *rules,
		     size_t n, FILE *f);
/*
 * fleet_emit_host() - hostd config of host h: name, listen, the `hostd:`
 * keys (the host's own replace the fleet's of the same name), every edge,
 * and one pool entry per merged block of that host in b[0..n).
 */
void fleet_emit_host(const struct fleet_conf *c, size_t h, const struct fleet_block *b, size_t n,
		     FILE *f);
/*
 * fleet_emit_map() - the block map as CSV, one line per block of b[0..n)
 * (unmerged, sorted by address and port): public,ports,host,address,slot,vni,pool;
 * then one line per 1:1 address, ports "all", pool "one_to_one".
 */
void fleet_emit_map(const struct fleet_conf *c, const struct fleet_block *b, size_t n, FILE *f);

#endif
