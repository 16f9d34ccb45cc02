// SPDX-License-Identifier: MIT
/* portmap.c - a bitmap of one public port range with preserving, randomised allocation. */
#include <stdlib.h>

#include "portmap.h"

/*
 * Bit i stands for port lo + i; a set bit is a used port.  The bits past the
 * range in the last word are set at init, so word scans never return them.
 */

static uint32_t pm_nbits(const struct portmap *pm)
{
	return (uint32_t)pm->hi - pm->lo + 1;
}

static uint32_t pm_nwords(const struct portmap *pm)
{
	return (pm_nbits(pm) + 63) / 64;
}

static bool pm_inside(const struct portmap *pm, uint16_t port)
{
	return pm->bits && port >= pm->lo && port <= pm->hi;
}

/* portmap_init() - empty map over [lo, hi]; 0, or -1 on ENOMEM. */
int portmap_init(struct portmap *pm, uint16_t lo, uint16_t hi)
{
	uint32_t nbits, tail;

	pm->lo = lo;
	pm->hi = hi;
	pm->used = 0;
	pm->bits = NULL;
	if (lo == 0 || lo > hi)
		return -1;
	pm->bits = calloc(pm_nwords(pm), sizeof(*pm->bits));
	if (!pm->bits)
		return -1;
	nbits = pm_nbits(pm);
	tail = nbits % 64;
	if (tail)
		pm->bits[nbits / 64] = ~0ULL << tail;
	return 0;
}

/* portmap_destroy() - free the bitmap; the map is empty and unusable after. */
void portmap_destroy(struct portmap *pm)
{
	free(pm->bits);
	pm->bits = NULL;
	pm->used = 0;
}

/* portmap_is_used() - true if port is inside and used. */
bool portmap_is_used(const struct portmap *pm, uint16_t port)
{
	uint32_t i = (uint32_t)port - pm->lo;

	if (!pm_inside(pm, port))
		return false;
	return pm->bits[i / 64] >> (i % 64) & 1;
}

/* portmap_take() - mark port used; -1 if outside the range or already used. */
int portmap_take(struct portmap *pm, uint16_t port)
{
	uint32_t i = (uint32_t)port - pm->lo;

	if (!pm_inside(pm, port) || portmap_is_used(pm, port))
		return -1;
	pm->bits[i / 64] |= 1ULL << (i % 64);
	pm->used++;
	return 0;
}

/* portmap_release() - mark port free (no-op if outside or free). */
void portmap_release(struct portmap *pm, uint16_t port)
{
	uint32_t i = (uint32_t)port - pm->lo;

	if (!portmap_is_used(pm, port))
		return;
	pm->bits[i / 64] &= ~(1ULL << (i % 64));
	pm->used--;
}

/* First clear bit at index >= from, or UINT32_MAX; tail bits are set, so never past the end. */
static uint32_t pm_find_free(const struct portmap *pm, uint32_t from)
{
	uint32_t w = from / 64, nw = pm_nwords(pm);
	uint64_t free_bits;

	if (w >= nw)
		return UINT32_MAX;
	free_bits = ~pm->bits[w] & (~0ULL << (from % 64));
	while (!free_bits) {
		if (++w == nw)
			return UINT32_MAX;
		free_bits = ~pm->bits[w];
	}
	return w * 64 + (uint32_t)__builtin_ctzll(free_bits);
}

/*
 * portmap_alloc() - take and return a free port: want if it is inside and
 * free, else the first free port at or after a random start (rnd), wrapping.
 * Returns 0 when the range is full (port 0 is never in a range).
 */
uint16_t portmap_alloc(struct portmap *pm, uint16_t want, uint32_t rnd)
{
	uint32_t i;
	uint16_t port;

	if (!pm->bits || pm->used >= pm_nbits(pm))
		return 0;
	if (portmap_take(pm, want) == 0)
		return want;
	i = pm_find_free(pm, rnd % pm_nbits(pm));
	if (i == UINT32_MAX)
		i = pm_find_free(pm, 0);
	if (i == UINT32_MAX)
		return 0;
	port = (uint16_t)(pm->lo + i);
	pm->bits[i / 64] |= 1ULL << (i % 64);
	pm->used++;
	return port;
}
