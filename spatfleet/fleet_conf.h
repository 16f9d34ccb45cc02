/* SPDX-License-Identifier: MIT */
/* fleet_conf.h - spatfleet's input: edges, public pools and hosts, parsed from YAML and checked. */
#ifndef SPAT_FLEET_CONF_H
#define SPAT_FLEET_CONF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ydoc.h"

#define FLEET_ADDRS_MAX 65536    /* public addresses in one pool */

struct fleet_edge {
	char name[64];
	uint32_t addr;           /* fabric address: every hostd lists it under edges */
	struct ypos pos;
};

/*
 * How a host's blocks lie in its pool.  Striped: block k of slot s is the
 * pool's block k * slots + s, so a host's blocks spread over every address
 * and never touch each other.  Contiguous: block s * blocks + k, so a host's
 * blocks sit side by side and merge into one or two rules.
 */
enum fleet_layout { FLEET_STRIPED, FLEET_CONTIGUOUS };

/*
 * One public pool for one tenant (VNI).  Each address's ports [lo, hi] are
 * cut into per_addr blocks of block_size ports (the rest is unused); the
 * pool's blocks are numbered address-major, g = address index * per_addr +
 * block.  Every host gets `blocks` of them, by its slot alone.
 */
struct fleet_pool {
	char name[64];
	uint32_t vni;
	uint32_t *addrs;         /* in file order, ranges expanded */
	size_t naddrs;
	uint16_t lo, hi;         /* default 1024-65535 */
	uint32_t block_size;     /* ports per block */
	uint32_t blocks;         /* blocks per host */
	enum fleet_layout layout;
	uint32_t per_addr;       /* derived: blocks per address */
	uint32_t slots;          /* derived: hosts the pool has room for */
	struct ypos pos;
};

struct fleet_host {
	char name[64];
	uint32_t addr;           /* fabric address */
	uint32_t slot;           /* its place in every pool: never reused while it lives */
	yaml_node_t *hostd;      /* its own hostd keys (a mapping), or NULL */
	struct ypos pos;
};

/* A 1:1 public address found in a host's one_to_one: a whole-address edge rule. */
struct fleet_o2o {
	uint32_t pub;
	uint32_t host;           /* index into fleet_conf.hosts */
	uint32_t vni;            /* its VM's */
	struct ypos pos;
};

struct fleet_conf {
	char file[256];
	struct ydoc doc;         /* kept: the pass-through nodes live in it */
	yaml_node_t *edge;       /* keys copied into every edged config, or NULL */
	yaml_node_t *hostd;      /* default hostd keys for every host, or NULL */
	struct fleet_edge *edges;
	size_t nedges;
	struct fleet_pool *pools;
	size_t npools;
	struct fleet_host *hosts;
	size_t nhosts;
	struct fleet_o2o *o2o;   /* sorted by address */
	size_t no2o;
};

/*
 * fleet_conf_parse() - parse the YAML in buf into *c (zeroed first); name is
 * used in messages.  Returns 0, or -1 with err as "name:line:col: message".
 * Checks: unique edge names and addresses, unique host names, addresses and
 * slots, no host on an edge's address, pools with unique names whose
 * (address, port) spans are disjoint, each pool big enough for one host and
 * every host's slot within every pool's room, pass-through keys that
 * spatfleet does not generate itself, and what fleet_pass_check() checks
 * (1:1 addresses, forwards).  On failure *c is freed already.
 */
int fleet_conf_parse(struct fleet_conf *c, const char *name, const char *buf, size_t len,
		     struct yerr *err);
/* fleet_conf_load() - read path and fleet_conf_parse() it. */
int fleet_conf_load(struct fleet_conf *c, const char *path, struct yerr *err);
/* fleet_conf_free() - release c; safe on a zeroed or already freed one. */
void fleet_conf_free(struct fleet_conf *c);

#endif
