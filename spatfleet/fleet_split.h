/* SPDX-License-Identifier: MIT */
/* fleet_split.h - the deterministic split of public pools into per-host port blocks. */
#ifndef SPAT_FLEET_SPLIT_H
#define SPAT_FLEET_SPLIT_H

#include <stddef.h>
#include <stdint.h>

#include "fleet_conf.h"

/*
 * Theory of operation (RFC 7422 style): a block is a function of the pool
 * and the host's slot alone, never of the other hosts, so adding or removing
 * a host moves no one else's ports, and the block-to-host map, kept with the
 * date it took effect, is the NAT log: (public address, port, time) gives
 * the host with no per-connection record.  A pool of A addresses with
 * per_addr blocks each has T = A * per_addr blocks and room for
 * slots = T / blocks hosts; see enum fleet_layout for where block k of slot
 * s lies.  Blocks past slots * blocks are never used.
 */

/* One block, or after fleet_merge() a run of adjacent blocks of one host. */
struct fleet_block {
	uint32_t pub;
	uint16_t lo, hi;
	uint32_t vni;
	uint32_t host;           /* index into fleet_conf.hosts */
	uint32_t pool;           /* index into fleet_conf.pools */
};

/*
 * fleet_pool_size() - derive p->per_addr and p->slots from the pool's
 * addresses, ports, block size and blocks per host.  Returns 0, or -1 when
 * the pool cannot hold one host.
 */
int fleet_pool_size(struct fleet_pool *p);
/* fleet_block_of() - block k (< p->blocks) of slot (< p->slots) in sized pool p. */
void fleet_block_of(const struct fleet_pool *p, uint32_t slot, uint32_t k, uint32_t *pub,
		    uint16_t *lo, uint16_t *hi);
/*
 * fleet_split() - every block of every host in every pool, sorted by public
 * address and port, into a malloc'd *out.  Returns the count, or -1 on
 * ENOMEM.  c must have passed fleet_conf_parse().
 */
long fleet_split(const struct fleet_conf *c, struct fleet_block **out);
/*
 * fleet_merge() - merge, in place, neighbours of a sorted block list that
 * belong to the same host and VNI on the same address with no port between
 * them (one edge rule, one hostd pool entry each).  Returns the new count.
 */
size_t fleet_merge(struct fleet_block *b, size_t n);
/* fleet_by_host() - sort blocks by host, then address and port (for per-host output). */
void fleet_by_host(struct fleet_block *b, size_t n);

#endif
