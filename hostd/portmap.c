// SPDX-License-Identifier: MIT
/* portmap.c - a bitmap of one public port range with preserving, randomised allocation. */
#include <stdlib.h>

#include "portmap.h"

/*
 * Bit i stands for port lo + i; a set bit is a port that cannot be taken
 * (used, or cooling in its reuse delay).  The bits past the range in the
 * last word are set at init, so word scans never return them.  cool holds
 * PORTMAP_GENS more bitmaps of the same size, the ports retired in each
 * generation; a cooling port is set both there and in bits.
 */

#define PM_PROBES 3              /* random probes before the scan (RFC 6056 s3.3.1 spirit) */

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

static uint64_t *pm_gen(const struct portmap *pm, unsigned g)
{
	return pm->cool + (size_t)g * pm_nwords(pm);
}

static bool pm_bit(const uint64_t *w, uint32_t i)
{
	return w[i / 64] >> (i % 64) & 1;
}

/* portmap_init() - empty map over [lo, hi]; 0, or -1 on ENOMEM. */
int portmap_init(struct portmap *pm, uint16_t lo, uint16_t hi)
{
	uint32_t nbits, tail;

	*pm = (struct portmap){ .lo = lo, .hi = hi };
	if (lo == 0 || lo > hi)
		return -1;
	/* One allocation: the busy bitmap, then the generations. */
	pm->bits = calloc((size_t)pm_nwords(pm) * (1 + PORTMAP_GENS), sizeof(*pm->bits));
	if (!pm->bits)
		return -1;
	pm->cool = pm->bits + pm_nwords(pm);
	nbits = pm_nbits(pm);
	tail = nbits % 64;
	if (tail)
		pm->bits[nbits / 64] = ~0ULL << tail;
	return 0;
}

/* portmap_destroy() - free the bitmaps; the map is empty and unusable after. */
void portmap_destroy(struct portmap *pm)
{
	free(pm->bits);
	*pm = (struct portmap){ .lo = pm->lo, .hi = pm->hi };
}

/* portmap_is_used() - true if port is inside and used or cooling. */
bool portmap_is_used(const struct portmap *pm, uint16_t port)
{
	if (!pm_inside(pm, port))
		return false;
	return pm_bit(pm->bits, (uint32_t)port - pm->lo);
}

/* portmap_cool_age() - rotations since port was retired, or -1 if it is not cooling. */
int portmap_cool_age(const struct portmap *pm, uint16_t port)
{
	if (!pm->cooling || !portmap_is_used(pm, port))
		return -1;
	for (unsigned a = 0; a < PORTMAP_GENS; a++)
		if (pm_bit(pm_gen(pm, (pm->gen + PORTMAP_GENS - a) % PORTMAP_GENS),
			   (uint32_t)port - pm->lo))
			return (int)a;
	return -1;
}

/* portmap_free() - ports that can be taken now. */
uint32_t portmap_free(const struct portmap *pm)
{
	return pm->bits ? pm_nbits(pm) - pm->used - pm->cooling : 0;
}

static void pm_set(struct portmap *pm, uint32_t i)
{
	pm->bits[i / 64] |= 1ULL << (i % 64);
	pm->used++;
}

/* portmap_take() - mark port used; -1 if outside the range, used or cooling. */
int portmap_take(struct portmap *pm, uint16_t port)
{
	if (!pm_inside(pm, port) || portmap_is_used(pm, port))
		return -1;
	pm_set(pm, (uint32_t)port - pm->lo);
	return 0;
}

/* A used port (set, in no generation): true. */
static bool pm_is_mapped(const struct portmap *pm, uint16_t port)
{
	return portmap_is_used(pm, port) && portmap_cool_age(pm, port) < 0;
}

/* portmap_release() - mark a used port free at once. */
void portmap_release(struct portmap *pm, uint16_t port)
{
	uint32_t i = (uint32_t)port - pm->lo;

	if (!pm_is_mapped(pm, port))
		return;
	pm->bits[i / 64] &= ~(1ULL << (i % 64));
	pm->used--;
}

static void pm_cool_bit(struct portmap *pm, uint32_t i, unsigned g)
{
	pm_gen(pm, g)[i / 64] |= 1ULL << (i % 64);
	pm->ncool[g]++;
	pm->cooling++;
}

/* portmap_retire() - a used port goes into its reuse delay. */
void portmap_retire(struct portmap *pm, uint16_t port)
{
	if (!pm_is_mapped(pm, port))
		return;
	pm->used--;
	pm_cool_bit(pm, (uint32_t)port - pm->lo, pm->gen);
}

/* portmap_cool() - put a free port into the reuse delay, retired age rotations ago. */
int portmap_cool(struct portmap *pm, uint16_t port, unsigned age)
{
	uint32_t i = (uint32_t)port - pm->lo;

	if (age >= PORTMAP_GENS || !pm_inside(pm, port) || portmap_is_used(pm, port))
		return -1;
	pm->bits[i / 64] |= 1ULL << (i % 64);
	pm_cool_bit(pm, i, (pm->gen + PORTMAP_GENS - age) % PORTMAP_GENS);
	return 0;
}

/* portmap_rotate() - one generation older: the oldest one's ports become free. */
void portmap_rotate(struct portmap *pm)
{
	unsigned old = (pm->gen + 1) % PORTMAP_GENS;
	uint64_t *w = pm_gen(pm, old);

	if (!pm->bits)
		return;
	if (pm->ncool[old]) {
		for (uint32_t k = 0; k < pm_nwords(pm); k++) {
			pm->bits[k] &= ~w[k];
			w[k] = 0;
		}
		pm->cooling -= pm->ncool[old];
		pm->ncool[old] = 0;
	}
	pm->gen = (uint8_t)old;      /* the emptied generation takes new retirees */
}

/* Free bits of word w: with parity 0 or 1, only those of even or odd ports. */
static uint64_t pm_free_bits(const struct portmap *pm, uint32_t w, int parity)
{
	uint64_t f = ~pm->bits[w];

	/* Bit i is port lo + i, and word starts are even: mask by (lo + i) & 1. */
	if (parity >= 0)
		f &= ((parity ^ (pm->lo & 1)) ? 0xAAAAAAAAAAAAAAAAULL : 0x5555555555555555ULL);
	return f;
}

/* First allowed free bit at index >= from, or UINT32_MAX; never past the end (tail set). */
static uint32_t pm_find_free(const struct portmap *pm, uint32_t from, int parity)
{
	uint32_t w = from / 64, nw = pm_nwords(pm);
	uint64_t free_bits;

	if (w >= nw)
		return UINT32_MAX;
	free_bits = pm_free_bits(pm, w, parity) & (~0ULL << (from % 64));
	while (!free_bits) {
		if (++w == nw)
			return UINT32_MAX;
		free_bits = pm_free_bits(pm, w, parity);
	}
	return w * 64 + (uint32_t)__builtin_ctzll(free_bits);
}

/* Scan from index start, wrapping; take and return the port, or 0. */
static uint16_t pm_scan_take(struct portmap *pm, uint32_t start, int parity)
{
	uint32_t i = pm_find_free(pm, start, parity);

	if (i == UINT32_MAX)
		i = pm_find_free(pm, 0, parity);
	if (i == UINT32_MAX)
		return 0;
	pm_set(pm, i);
	return (uint16_t)(pm->lo + i);
}

/* portmap_alloc() - want if free, else the first free port from a random start. */
uint16_t portmap_alloc(struct portmap *pm, uint16_t want, uint32_t rnd)
{
	if (!pm->bits || !portmap_free(pm))
		return 0;
	if (portmap_take(pm, want) == 0)
		return want;
	return pm_scan_take(pm, rnd % pm_nbits(pm), -1);
}

/*
 * portmap_alloc_random() - a free port of the given parity (-1: any) chosen
 * from rnd.  The probes make the choice uniform while the map is sparse;
 * the scan alone would favour ports just after a run of used ones.
 */
uint16_t portmap_alloc_random(struct portmap *pm, int parity, uint64_t rnd)
{
	uint32_t n = pm_nbits(pm), i;

	if (!pm->bits || !portmap_free(pm))
		return 0;
	/* 16 random bits per probe, the top 16 for the scan's start. */
	for (int k = 0; k < PM_PROBES; k++) {
		i = (uint32_t)((rnd >> (16 * k) & 0xffff) * n >> 16);
		if (parity >= 0 && ((pm->lo + i) & 1) != (uint32_t)parity)
			i ^= 1;          /* the neighbour has the other parity */
		if (i < n && !pm_bit(pm->bits, i)) {
			pm_set(pm, i);
			return (uint16_t)(pm->lo + i);
		}
	}
	return pm_scan_take(pm, (uint32_t)((rnd >> 48) * n >> 16), parity);
}
