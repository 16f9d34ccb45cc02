/* SPDX-License-Identifier: MIT */
/* flow.h - NAT decisions of hostd: find or create the mapping for a packet. */
#ifndef SPAT_FLOW_H
#define SPAT_FLOW_H

#include <stdbool.h>
#include <stdint.h>

#include "ct.h"
#include "host_conf.h"
#include "maplog.h"
#include "pkt.h"
#include "portmap.h"

/* Why flow_out()/flow_in() refused a packet; daemons map these to counters. */
enum flow_drop {
	FLOW_OK = 0,
	FLOW_DROP_NO_POOL,       /* VM's tenant has no pool and VM no 1:1 address */
	FLOW_DROP_PORTS_FULL,    /* no free public port (or ICMP id) in the range */
	FLOW_DROP_TABLE_FULL,    /* conntrack table full */
	FLOW_DROP_NO_MAPPING,    /* inbound packet matches no mapping */
	FLOW_DROP_UNSUPPORTED,   /* no ports to translate: fragment, ICMP error, other proto */
	FLOW_DROP_QUOTA,         /* the VM has max_mappings_per_vm mappings already */
	FLOW_DROP_FILTERED,      /* address-dependent filtering: the VM never sent to its source */
	FLOW_DROP__N
};

/* Result of a decision: where the packet goes once rewritten. */
struct flow_result {
	uint32_t vm;             /* VM index (inbound) */
	uint32_t addr;           /* new address for the rewritten side */
	uint16_t port;           /* new port (or ICMP id) */
	uint8_t has_port;        /* 0: rewrite the address only (1:1 mapping) */
	uint8_t created;         /* flow_out() made a new mapping */
};

/* A tenant's port blocks: blk[first .. first + n - 1] of struct flowtab. */
struct flow_tenant {
	uint32_t vni;
	uint32_t first, n;
};

/*
 * The per-host NAT state: the conntrack table, a portmap per port block
 * (pools entry) and protocol, timeouts from the config.  conf is borrowed
 * and must outlive it.
 */
struct flowtab {
	const struct host_conf *conf;
	struct ct *ct;
	struct portmap (*pm)[3]; /* [npools][TCP, UDP, ICMP] */
	uint64_t rnd;            /* splitmix64 state for port choice */
	uint32_t *blk;           /* pool indices by tenant, address and first port */
	struct flow_tenant *ten; /* sorted by vni */
	size_t nten;
	uint32_t cool_step;      /* seconds between reuse-delay rotations; 0: no delay */
	uint32_t cool_last;      /* time of the last rotation */
	uint64_t *o2o;           /* 1:1 VMs as (public_addr << 32 | vm), sorted, for flow_in() */
	size_t no2o;
	uint32_t *vm_used;       /* dynamic mappings per VM, against conf->vm_quota */
	struct maplog *log;      /* mapping log, or NULL; borrowed (set after flow_init) */
};

/* flow_init() - table for conf, seeded with its static forwards; 0 or -1. */
int flow_init(struct flowtab *ft, const struct host_conf *conf, uint32_t seed);
/*
 * flow_init_ct() - flow_init() on ct, an empty table of conf->max_entries
 * (ct_new() or ct_create()), which ft owns from now on, even on failure.
 * A NULL ct fails.
 */
int flow_init_ct(struct flowtab *ft, const struct host_conf *conf, uint32_t seed, struct ct *ct);
void flow_destroy(struct flowtab *ft);

/*
 * flow_out() - a packet from VM vm (already checked to be from that VM):
 * decide its new source.  Creates a mapping when none exists (TCP, UDP,
 * ICMP echo request); refreshes the timer and TCP state, and notes the
 * destination address for address-dependent filtering.  1:1 VMs get their
 * public address with the port unchanged and no state.
 */
enum flow_drop flow_out(struct flowtab *ft, uint32_t vm, const struct pkt_ip4 *pi, uint32_t now,
			struct flow_result *res);
/*
 * flow_in() - a packet from the tunnel with tenant vni: decide its new
 * destination and the VM.  Never creates state.  Inbound traffic does not
 * refresh mapping timers (RFC 4787 REQ-6: outbound refresh is the one that
 * must hold); it may advance the TCP state, which sets the timer by state.
 * With address-dependent filtering, a dynamic mapping only accepts sources
 * the VM has sent to (FLOW_DROP_FILTERED); static forwards and 1:1
 * addresses are never filtered.
 */
enum flow_drop flow_in(struct flowtab *ft, uint32_t vni, const struct pkt_ip4 *pi, uint32_t now,
		       struct flow_result *res);
/*
 * flow_migrate() - move the live dynamic mappings of src into dst, which
 * was just built by flow_init() for a new configuration (a reload).  A
 * mapping moves when its VM (by name) still exists with the same tenant and
 * address and no 1:1 address, and its public port is still inside one of
 * that tenant's port blocks and free in dst (a new static forward wins).
 * The reuse delay carries over: ports cooling in src, and the ports of
 * mappings left behind, cool in dst for the rest of their delay (when dst
 * has a delay and still owns the port).  Returns the number moved;
 * *dropped (if set) gets the number left behind.
 */
uint32_t flow_migrate(struct flowtab *dst, struct flowtab *src, uint32_t *dropped);
/*
 * flow_restore() - adopt the dynamic mappings of src, a table saved by an
 * earlier run (ct_load()), into dst, just built by flow_init_ct() for the
 * running config.  The entries only record a VM index, so a mapping is
 * re-checked against the config: it moves to the VM that has its tenant
 * and address (the private key the data path looks it up by), if that VM
 * has no 1:1 address, and its public address and port are that tenant's
 * pool and free (static forwards, already in dst, win).  Static entries of
 * src are skipped.  Timers later than now plus their timeout are capped
 * (monotonic time restarts at boot).  Returns the number adopted;
 * *dropped (if set) gets the number left behind.
 */
uint32_t flow_restore(struct flowtab *dst, struct ct *src, uint32_t now, uint32_t *dropped);
/*
 * flow_expire() - sweep up to budget entries, retiring the ports of expired
 * ones (port_reuse_delay; logged), and free the ports whose delay is over.
 */
uint32_t flow_expire(struct flowtab *ft, uint32_t now, uint32_t budget);
/*
 * flow_stir() - mix fresh entropy into the port choice generator.  It is a
 * fast non-cryptographic one (splitmix64); stirring it with getrandom()
 * bits every second leaves an observer of public ports no time to learn its
 * state (RFC 6056 s3.1: ports not predictable from outside).
 */
void flow_stir(struct flowtab *ft, uint64_t entropy);
/* flow_tenant_blocks() - the pool indices of vni's port blocks and their number (0: none). */
const uint32_t *flow_tenant_blocks(const struct flowtab *ft, uint32_t vni, uint32_t *n);
/*
 * flow_find_pub() - the VM endpoint behind public endpoint addr:port of
 * proto in tenant vni, for an ICMP error about it: a mapping or forward
 * (res->port its VM port), or a 1:1 address (res->port = port; without
 * has_ports only 1:1 addresses match).  Changes nothing: an ICMP error
 * neither creates, refreshes, advances nor ends a mapping (RFC 5508, RFC 5382).
 */
enum flow_drop flow_find_pub(struct flowtab *ft, uint32_t vni, uint8_t proto, bool has_ports,
			     uint32_t addr, uint16_t port, struct flow_result *res);
/*
 * flow_find_priv() - the public endpoint of VM vm's endpoint port of proto,
 * for an ICMP error the VM sends about a packet it received; the same
 * rules as flow_find_pub() the other way.  Changes nothing.
 */
enum flow_drop flow_find_priv(struct flowtab *ft, uint32_t vm, uint8_t proto, bool has_ports,
			      uint16_t port, struct flow_result *res);
/* flow_drop_str() - counter/reason name. */
const char *flow_drop_str(enum flow_drop d);

#endif
