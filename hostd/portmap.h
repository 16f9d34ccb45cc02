/* SPDX-License-Identifier: MIT */
/* portmap.h - which public ports of one range are in use: a bitmap with allocation. */
#ifndef SPAT_PORTMAP_H
#define SPAT_PORTMAP_H

#include <stdbool.h>
#include <stdint.h>

/*
 * One portmap per (pool, protocol).  ICMP echo identifiers use their own
 * map, like a protocol.  Allocation prefers the VM's own port (port
 * preservation, RFC 4787 REQ-3 SHOULD) and otherwise starts at a random
 * point in the range and scans for a free bit (RFC 6056 style), so the next
 * port is not guessable from the previous one.
 */
struct portmap {
	uint16_t lo, hi;
	uint32_t used;           /* ports taken */
	uint64_t *bits;          /* (hi - lo + 1) bits */
};

/* portmap_init() - empty map over [lo, hi]; 0, or -1 on ENOMEM. */
int portmap_init(struct portmap *pm, uint16_t lo, uint16_t hi);
void portmap_destroy(struct portmap *pm);
/* portmap_take() - mark port used; -1 if outside the range or already used. */
int portmap_take(struct portmap *pm, uint16_t port);
/* portmap_release() - mark port free (no-op if outside or free). */
void portmap_release(struct portmap *pm, uint16_t port);
/* portmap_is_used() - true if port is inside and used. */
bool portmap_is_used(const struct portmap *pm, uint16_t port);
/*
 * portmap_alloc() - take and return a free port: want if it is inside and
 * free, else the first free port at or after a random start (rnd), wrapping.
 * Returns 0 when the range is full (port 0 is never in a range).
 */
uint16_t portmap_alloc(struct portmap *pm, uint16_t want, uint32_t rnd);

#endif
