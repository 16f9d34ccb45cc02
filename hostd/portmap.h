/* SPDX-License-Identifier: MIT */
/* portmap.h - which public ports of one range are in use: a bitmap with allocation. */
#ifndef SPAT_PORTMAP_H
#define SPAT_PORTMAP_H

#include <stdbool.h>
#include <stdint.h>

/*
 * One portmap per (port block, protocol).  ICMP echo identifiers use their
 * own map, like a protocol.  Allocation prefers the VM's own port (port
 * preservation, RFC 4787 REQ-3 SHOULD) and otherwise starts at a random
 * point in the range and scans for a free bit (RFC 6056 style), so the next
 * port is not guessable from the previous one.
 *
 * A port that a mapping gave back can be held in a reuse delay (RFC 6888
 * REQ-8: a new flow must not inherit packets meant for the old one)
 * instead of freed: portmap_retire() puts it in the youngest of
 * PORTMAP_GENS generations of bitmaps, and each portmap_rotate() frees the
 * oldest generation.  Rotating every delay / (PORTMAP_GENS - 1) seconds
 * holds every port between delay and delay * PORTMAP_GENS / (PORTMAP_GENS - 1)
 * seconds, at a cost of PORTMAP_GENS bits per port and no timer per port.
 */
#define PORTMAP_GENS 4

struct portmap {
	uint16_t lo, hi;
	uint32_t used;           /* ports held by mappings */
	uint32_t cooling;        /* ports in their reuse delay */
	uint32_t ncool[PORTMAP_GENS];   /* ports of each generation */
	uint8_t gen;             /* the generation retired ports go to */
	uint64_t *bits;          /* (hi - lo + 1) bits: used or cooling */
	uint64_t *cool;          /* PORTMAP_GENS bitmaps of the same size, one per generation */
};

/* portmap_init() - empty map over [lo, hi]; 0, or -1 on ENOMEM. */
int portmap_init(struct portmap *pm, uint16_t lo, uint16_t hi);
void portmap_destroy(struct portmap *pm);
/* portmap_take() - mark port used; -1 if outside the range, used or cooling. */
int portmap_take(struct portmap *pm, uint16_t port);
/* portmap_release() - mark a used port free at once (no-op if outside, free or cooling). */
void portmap_release(struct portmap *pm, uint16_t port);
/* portmap_retire() - a used port goes into its reuse delay (as portmap_release() otherwise). */
void portmap_retire(struct portmap *pm, uint16_t port);
/*
 * portmap_cool() - put a free port into the reuse delay as if retired age
 * rotations ago (0: now; at most PORTMAP_GENS - 1), e.g. when a reload
 * carries the delay over; -1 if outside or not free.
 */
int portmap_cool(struct portmap *pm, uint16_t port, unsigned age);
/* portmap_rotate() - one generation older: the oldest one's ports become free. */
void portmap_rotate(struct portmap *pm);
/* portmap_cool_age() - rotations since port was retired, or -1 if it is not cooling. */
int portmap_cool_age(const struct portmap *pm, uint16_t port);
/* portmap_is_used() - true if port is inside and used or cooling (not allocatable). */
bool portmap_is_used(const struct portmap *pm, uint16_t port);
/* portmap_free() - ports that can be taken now. */
uint32_t portmap_free(const struct portmap *pm);
/*
 * portmap_alloc() - take and return a free port: want if it is inside and
 * free, else the first free port at or after a random start (rnd), wrapping.
 * Returns 0 when the range is full (port 0 is never in a range).
 */
uint16_t portmap_alloc(struct portmap *pm, uint16_t want, uint32_t rnd);
/*
 * portmap_alloc_random() - take and return a free port chosen from rnd: a
 * few random probes, then the first free port at or after a random start,
 * wrapping.  parity 0 or 1 takes only even or odd ports (RFC 4787 REQ-4),
 * -1 any port.  Returns 0 when there is none.
 */
uint16_t portmap_alloc_random(struct portmap *pm, int parity, uint64_t rnd);

#endif
