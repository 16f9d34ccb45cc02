// SPDX-License-Identifier: MIT
/* fleet_split.c - the deterministic split of public pools into per-host port blocks. */
#include <stdlib.h>

#include "fleet_split.h"

/* fleet_pool_size() - derive per_addr and slots; -1 when not even one host fits. */
int fleet_pool_size(struct fleet_pool *p)
{
	uint32_t span = (uint32_t)p->hi - p->lo + 1;
	uint64_t total;

	p->per_addr = p->block_size ? span / p->block_size : 0;
	total = (uint64_t)p->naddrs * p->per_addr;
	p->slots = p->blocks ? (uint32_t)(total / p->blocks) : 0;
	return p->slots ? 0 : -1;
}

/* fleet_block_of() - block k of slot in sized pool p: the formula of enum fleet_layout. */
void fleet_block_of(const struct fleet_pool *p, uint32_t slot, uint32_t k, uint32_t *pub,
		    uint16_t *lo, uint16_t *hi)
{
	uint64_t g = p->layout == FLEET_STRIPED ? (uint64_t)k * p->slots + slot
						: (uint64_t)slot * p->blocks + k;
	uint32_t b = (uint32_t)(g % p->per_addr);

	*pub = p->addrs[g / p->per_addr];
	*lo = (uint16_t)(p->lo + b * p->block_size);
	*hi = (uint16_t)(*lo + p->block_size - 1);
}

static int cmp_u32(uint32_t a, uint32_t b)
{
	return (a > b) - (a < b);
}

static int cmp_addr_port(const void *a, const void *b)
{
	const struct fleet_block *x = a, *y = b;

	return x->pub != y->pub ? cmp_u32(x->pub, y->pub) : cmp_u32(x->lo, y->lo);
}

static int cmp_host(const void *a, const void *b)
{
	const struct fleet_block *x = a, *y = b;

	return x->host != y->host ? cmp_u32(x->host, y->host) : cmp_addr_port(a, b);
}

/* fleet_split() - every block of every host in every pool, sorted by address and port. */
long fleet_split(const struct fleet_conf *c, struct fleet_block **out)
{
	struct fleet_block *b;
	size_t total = 0, n = 0, h, p;
	uint32_t k;

	for (p = 0; p < c->npools; p++)
		total += c->nhosts * c->pools[p].blocks;
	b = calloc(total + 1, sizeof(*b));
	if (!b)
		return -1;
	for (p = 0; p < c->npools; p++) {
		const struct fleet_pool *pl = &c->pools[p];

		for (h = 0; h < c->nhosts; h++)
			for (k = 0; k < pl->blocks; k++, n++) {
				fleet_block_of(pl, c->hosts[h].slot, k, &b[n].pub, &b[n].lo,
					       &b[n].hi);
				b[n].vni = pl->vni;
				b[n].host = (uint32_t)h;
				b[n].pool = (uint32_t)p;
			}
	}
	qsort(b, n, sizeof(*b), cmp_addr_port);
	*out = b;
	return (long)n;
}

/* fleet_merge() - merge adjacent blocks of one host, VNI and address, in place. */
size_t fleet_merge(struct fleet_block *b, size_t n)
{
	size_t i, m = 0;

	for (i = 0; i < n; i++) {
		struct fleet_block *last = m ? &b[m - 1] : NULL;

		if (last && last->pub == b[i].pub && last->host == b[i].host &&
		    last->vni == b[i].vni && (uint32_t)last->hi + 1 == b[i].lo)
			last->hi = b[i].hi;
		else
			b[m++] = b[i];
	}
	return m;
}

/* fleet_by_host() - sort blocks by host, then address and port. */
void fleet_by_host(struct fleet_block *b, size_t n)
{
	qsort(b, n, sizeof(*b), cmp_host);
}
