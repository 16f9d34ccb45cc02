/* SPDX-License-Identifier: MIT */
/* ct.h - conntrack table: NAT mappings indexed by private and by public endpoint. */
#ifndef SPAT_CT_H
#define SPAT_CT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * Theory of operation: one entry per mapping (RFC 4787 endpoint-independent
 * mapping), i.e. (tenant, protocol, VM address, VM port) <-> (public
 * address, public port).  Entries sit in one preallocated array; two
 * bucket arrays of 32-bit indices chain them by their private and their
 * public key, so both directions are one hash and a short walk.  Free
 * entries form a list through next_priv.  Nothing allocates after ct_new().
 * Expiry is an incremental sweep (ct_sweep()) bounded per call.
 */

#define CT_NONE UINT32_MAX

enum ct_state {
	CT_S_NEW = 0,            /* only the opening direction seen */
	CT_S_EST,                /* traffic both ways (TCP: handshake done) */
	CT_S_CLOSING,            /* TCP FIN seen both ways, or RST */
};

#define CT_F_STATIC 0x01         /* seeded from config: never expires */
#define CT_F_FIN_OUT 0x02        /* TCP FIN seen from the VM */
#define CT_F_FIN_IN 0x04         /* TCP FIN seen from outside */
#define CT_F_USED 0x80           /* slot in use */

struct ct_entry {
	uint32_t vni;
	uint32_t vm_addr;
	uint32_t pub_addr;
	uint16_t vm_port;
	uint16_t pub_port;
	uint32_t expires;        /* monotonic seconds; ignored for CT_F_STATIC */
	uint32_t next_priv;      /* chain in the private index, or the free list */
	uint32_t next_pub;       /* chain in the public index */
	uint16_t vm;             /* VM index in the host config */
	uint8_t proto;
	uint8_t state;
	uint8_t flags;
};

struct ct;

/* ct_new() - a table for at most max entries (>= 1); NULL on ENOMEM. */
struct ct *ct_new(uint32_t max);
void ct_free(struct ct *t);
/* ct_count() / ct_capacity() - entries in use, and the maximum. */
uint32_t ct_count(const struct ct *t);
uint32_t ct_capacity(const struct ct *t);

/* ct_find_priv() - mapping of a VM endpoint, or NULL. */
struct ct_entry *ct_find_priv(struct ct *t, uint32_t vni, uint8_t proto, uint32_t vm_addr,
			      uint16_t vm_port);
/* ct_find_pub() - mapping of a public endpoint, or NULL. */
struct ct_entry *ct_find_pub(struct ct *t, uint32_t vni, uint8_t proto, uint32_t pub_addr,
			     uint16_t pub_port);
/*
 * ct_insert() - copy *e into a free slot and index it both ways.  Returns
 * the entry, or NULL when the table is full or either key already exists.
 */
struct ct_entry *ct_insert(struct ct *t, const struct ct_entry *e);
/* ct_remove() - unlink e from both indices and free its slot. */
void ct_remove(struct ct *t, struct ct_entry *e);

/*
 * ct_sweep() - examine up to budget slots from where the last sweep
 * stopped; for each non-static entry with expires <= now call cb (if set)
 * and remove it.  Returns the number removed.
 */
typedef void (*ct_expire_fn)(void *arg, const struct ct_entry *e);
uint32_t ct_sweep(struct ct *t, uint32_t now, uint32_t budget, ct_expire_fn cb, void *arg);

/* ct_iter() - walk entries in use: start with *pos = 0; NULL at the end. */
struct ct_entry *ct_iter(struct ct *t, uint32_t *pos);

#endif
