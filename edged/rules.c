// SPDX-License-Identifier: MIT
/* rules.c - the edge's compiled rule table: address hash, per-protocol sorted port ranges. */
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

#include "addr.h"
#include "rules.h"

/*
 * Layout (see rules.h for the idea): flat arrays that refer to each other by
 * index.  slots[] is the open-addressing table, 32 bytes a slot, 64-byte
 * aligned, at most half full, so a probe is nearly always one cache line.
 * A slot holds the public address, the whole-address target if any, and
 * four offsets into the range array: the ranges of protocol p on that
 * address are [off[p], off[p+1]), sorted by low port.  A range is 8 bytes,
 * low and high port and target together, so that the few ranges the port
 * index leaves to bisect, the bound check and the target index share one
 * cache line: one miss where parallel lo[], hi[] and tgt[] arrays cost
 * three.  tgt indexes targets[], which holds each distinct (host, VNI) once.
 *
 * An address with many ranges also gets a port index: per protocol,
 * IDX_BUCKETS 16-bit counts, idx[b] = how many of its ranges start below
 * port b << IDX_SHIFT.  The lookup reads idx[port >> IDX_SHIFT] and bisects
 * only the few ranges that can hold the port (about 6 instead of 6,250 at
 * 100,000 rules on 16 addresses): 3 dependent loads in one cache line
 * instead of 13 spread over the address's whole run.  The counts are
 * relative to the protocol's run, which holds at most 65,536 disjoint
 * ranges, and a count for a bucket start below 65,536 is at most 65,535, so
 * 16 bits do.
 * Small addresses skip the index (its 6 KB would outweigh their ranges).
 */

#define NPROTO 3                 /* ICMP, TCP, UDP, in that order */
#define KIND_WHOLE NPROTO        /* sorts after the protocols within an address */
#define HASH_MUL 0x9E3779B1u     /* Fibonacci hashing: spreads consecutive addresses */
#define IDX_SHIFT 6              /* 64 ports a bucket */
#define IDX_BUCKETS (65536u >> IDX_SHIFT)
#define IDX_MIN_RANGES 64        /* addresses with fewer ranges bisect all of them */

struct rslot {
	uint32_t addr;
	uint32_t whole;          /* target index + 1; 0 when no whole-address rule */
	uint32_t off[NPROTO + 1];
	uint32_t used;
	uint32_t idx;            /* port index + 1 (in units of NPROTO * IDX_BUCKETS); 0: none */
};
_Static_assert(sizeof(struct rslot) == 32, "two slots per cache line");

struct rrange {
	uint16_t lo, hi;
	uint32_t tgt;
};

struct rules {
	struct rslot *slots;
	uint32_t mask;           /* capacity - 1 */
	uint32_t shift;          /* 32 - log2(capacity) */
	struct rrange *ranges;
	uint16_t *idx;           /* port indices, NPROTO * IDX_BUCKETS counts an indexed address */
	struct rule_target *targets;
	size_t count;            /* expanded entries */
	struct rhost *hosts;     /* sorted by address: who may send tunnel packets */
	size_t nhosts;
};

struct rhost {
	uint32_t addr;
	uint32_t idx;            /* index into the config's hosts */
};

/* One expanded rule, the unit of sorting while building. */
struct rent {
	uint32_t pub;
	uint32_t target;
	uint16_t lo, hi;
	uint8_t kind;            /* protocol index, or KIND_WHOLE */
};

/* Protocol number -> index + 1 (0: none): a load, where a switch's branches mispredict. */
static const uint8_t proto_idx1[256] = { [IPPROTO_ICMP] = 1, [IPPROTO_TCP] = 2, [IPPROTO_UDP] = 3 };

static int proto_index(uint8_t proto)
{
	return (int)proto_idx1[proto] - 1;
}

static int cmp_rent(const void *a, const void *b)
{
	const struct rent *x = a, *y = b;

	if (x->pub != y->pub)
		return x->pub < y->pub ? -1 : 1;
	if (x->kind != y->kind)
		return x->kind < y->kind ? -1 : 1;
	return (x->lo > y->lo) - (x->lo < y->lo);
}

/* A (host, VNI) pair with the rule it came from, for deduplicating targets. */
struct tkey {
	uint32_t host, vni, rule;
};

static int cmp_tkey(const void *a, const void *b)
{
	const struct tkey *x = a, *y = b;

	if (x->host != y->host)
		return x->host < y->host ? -1 : 1;
	return (x->vni > y->vni) - (x->vni < y->vni);
}

/* Fill r->targets with the distinct (host, VNI) pairs; tid[i] is rule i's. */
static int build_targets(struct rules *r, const struct edge_conf *c, uint32_t *tid)
{
	struct tkey *k = calloc(c->nrules + 1, sizeof(*k));
	size_t i, n = 0;

	r->targets = calloc(c->nrules + 1, sizeof(*r->targets));
	if (!k || !r->targets) {
		free(k);
		return -1;
	}
	for (i = 0; i < c->nrules; i++)
		k[i] = (struct tkey){ c->rules[i].host, c->rules[i].vni, (uint32_t)i };
	qsort(k, c->nrules, sizeof(*k), cmp_tkey);
	for (i = 0; i < c->nrules; i++) {
		if (!n || cmp_tkey(&k[i], &k[i - 1]))
			r->targets[n++] = (struct rule_target){
				k[i].host, c->hosts[k[i].host].addr, k[i].vni };
		tid[k[i].rule] = (uint32_t)(n - 1);
	}
	free(k);
	return 0;
}

/* Expand rules into e[] ("any" into three protocols); returns the count. */
static size_t expand(const struct edge_conf *c, const uint32_t *tid, struct rent *e)
{
	static const uint8_t protos[NPROTO] = { IPPROTO_ICMP, IPPROTO_TCP, IPPROTO_UDP };
	const struct edge_rule *ru;
	size_t i, p, n = 0;

	for (i = 0; i < c->nrules; i++) {
		ru = &c->rules[i];
		if (ru->whole) {
			e[n++] = (struct rent){ ru->pub, tid[i], 0, 65535, KIND_WHOLE };
			continue;
		}
		for (p = 0; p < NPROTO; p++)
			if (ru->proto == PROTO_ANY || ru->proto == protos[p])
				e[n++] = (struct rent){ ru->pub, tid[i], ru->lo, ru->hi, (uint8_t)p };
	}
	return n;
}

static uint32_t slot_of(const struct rules *r, uint32_t addr)
{
	return (addr * HASH_MUL) >> r->shift;
}

/* The slot for addr: its own if present, else the empty one where it would go. */
static struct rslot *probe(const struct rules *r, uint32_t addr)
{
	uint32_t i = slot_of(r, addr);

	while (r->slots[i].used && r->slots[i].addr != addr)
		i = (i + 1) & r->mask;
	return &r->slots[i];
}

/* Table of at least twice as many slots as addresses (load <= 0.5), 64-byte aligned. */
static int alloc_slots(struct rules *r, size_t naddr)
{
	uint32_t bits = 3;

	while (((size_t)1 << bits) < naddr * 2)
		bits++;
	if (bits > 31)
		return -1;
	r->mask = (1u << bits) - 1;
	r->shift = 32 - bits;
	r->slots = aligned_alloc(64, ((size_t)1 << bits) * sizeof(*r->slots));
	if (!r->slots)
		return -1;
	memset(r->slots, 0, ((size_t)1 << bits) * sizeof(*r->slots));
	return 0;
}

/* Fill the port index of protocol run [o, end): idx[b] = ranges starting below b << IDX_SHIFT. */
static void index_run(const struct rules *r, uint16_t *idx, uint32_t o, uint32_t end)
{
	uint32_t b, j = 0;

	for (b = 0; b < IDX_BUCKETS; b++) {
		while (o + j < end && r->ranges[o + j].lo < b << IDX_SHIFT)
			j++;
		idx[b] = (uint16_t)j;
	}
}

/*
 * Sorted entries e[0..n) of one address become one slot and its run of
 * ranges, appended at index *nr of the range arrays.  Whole entries sort last.
 * An address of IDX_MIN_RANGES ranges or more takes port index *ni.
 */
static void add_address(struct rules *r, const struct rent *e, size_t n, uint32_t *nr,
			uint32_t *ni)
{
	struct rslot *s = probe(r, e[0].pub);
	size_t i = 0;
	uint32_t p;

	s->used = 1;
	s->addr = e[0].pub;
	for (p = 0; p < NPROTO; p++) {
		s->off[p] = *nr;
		for (; i < n && e[i].kind == p; i++, (*nr)++) {
			r->ranges[*nr] = (struct rrange){ e[i].lo, e[i].hi, e[i].target };
		}
	}
	s->off[NPROTO] = *nr;
	if (i < n)
		s->whole = e[i].target + 1;
	if (s->off[NPROTO] - s->off[0] >= IDX_MIN_RANGES) {
		uint16_t *idx = r->idx + (size_t)*ni * NPROTO * IDX_BUCKETS;

		for (p = 0; p < NPROTO; p++)
			index_run(r, idx + p * IDX_BUCKETS, s->off[p], s->off[p + 1]);
		s->idx = ++*ni;
	}
}

static int build_table(struct rules *r, struct rent *e, size_t n)
{
	size_t i, start, naddr = 0, nidx = 0;
	uint32_t nr = 0, ni = 0;

	qsort(e, n, sizeof(*e), cmp_rent);
	for (start = 0, i = 1; i <= n; i++) {
		if (i == n || e[i].pub != e[start].pub) {
			naddr++;
			nidx += i - start >= IDX_MIN_RANGES;
			start = i;
		}
	}
	r->ranges = calloc(n + 1, sizeof(*r->ranges));
	r->idx = calloc(nidx * NPROTO * IDX_BUCKETS + 1, sizeof(*r->idx));
	if (!r->ranges || !r->idx || alloc_slots(r, naddr))
		return -1;
	for (start = 0, i = 1; i <= n; i++) {
		if (i == n || e[i].pub != e[start].pub) {
			add_address(r, &e[start], i - start, &nr, &ni);
			start = i;
		}
	}
	return 0;
}

static int cmp_rhost(const void *a, const void *b)
{
	const struct rhost *x = a, *y = b;

	return (x->addr > y->addr) - (x->addr < y->addr);
}

static int build_hosts(struct rules *r, const struct edge_conf *c)
{
	r->hosts = calloc(c->nhosts + 1, sizeof(*r->hosts));
	if (!r->hosts)
		return -1;
	for (size_t i = 0; i < c->nhosts; i++)
		r->hosts[i] = (struct rhost){ .addr = c->hosts[i].addr, .idx = (uint32_t)i };
	r->nhosts = c->nhosts;
	qsort(r->hosts, r->nhosts, sizeof(*r->hosts), cmp_rhost);
	return 0;
}

/* rules_build() - compile the rules of c; NULL on ENOMEM. c must be valid. */
struct rules *rules_build(const struct edge_conf *c)
{
	struct rules *r = calloc(1, sizeof(*r));
	uint32_t *tid = calloc(c->nrules + 1, sizeof(*tid));
	struct rent *e = calloc(c->nrules * NPROTO + 1, sizeof(*e));
	int ret = -1;

	if (r && tid && e && !build_targets(r, c, tid) && !build_hosts(r, c)) {
		r->count = expand(c, tid, e);
		ret = build_table(r, e, r->count);
	}
	free(tid);
	free(e);
	if (ret) {
		rules_free(r);
		return NULL;
	}
	return r;
}

/* rules_free() - release a table from rules_build(); NULL is fine. */
void rules_free(struct rules *r)
{
	if (!r)
		return;
	free(r->slots);
	free(r->ranges);
	free(r->idx);
	free(r->targets);
	free(r->hosts);
	free(r);
}

static const struct rslot *find(const struct rules *r, uint32_t addr)
{
	const struct rslot *s = probe(r, addr);

	return s->used ? s : NULL;
}

/* rules_lookup() - the target for (addr, proto, port), or NULL. */
const struct rule_target *rules_lookup(const struct rules *r, uint32_t addr, uint8_t proto,
				       uint16_t port)
{
	const struct rslot *s = find(r, addr);
	uint32_t base, n, half;
	int p;

	if (!s)
		return NULL;
	if (s->whole)
		return &r->targets[s->whole - 1];
	p = proto_index(proto);
	if (p < 0)
		return NULL;
	base = s->off[p];
	n = s->off[p + 1] - base;
	if (s->idx) {
		/* Narrow to the ranges starting below the bucket's end, from the one before it. */
		const uint16_t *idx = r->idx + ((size_t)(s->idx - 1) * NPROTO + (uint32_t)p) *
						  IDX_BUCKETS;
		uint32_t b = (uint32_t)port >> IDX_SHIFT;
		uint32_t first = idx[b], end = b + 1 < IDX_BUCKETS ? idx[b + 1] : n;

		first -= first > 0;
		base += first;
		n = end - first;
	}
	if (!n)
		return NULL;
	/* Branch-free bisection for the last range with lo <= port. */
	while (n > 1) {
		half = n / 2;
		base = r->ranges[base + half].lo <= port ? base + half : base;
		n -= half;
	}
	if (r->ranges[base].lo <= port && port <= r->ranges[base].hi)
		return &r->targets[r->ranges[base].tgt];
	return NULL;
}

/* rules_has_addr() - true when any rule covers addr. */
bool rules_has_addr(const struct rules *r, uint32_t addr)
{
	return find(r, addr) != NULL;
}

/* rules_count() - number of compiled (expanded) entries, for stats. */
size_t rules_count(const struct rules *r)
{
	return r->count;
}

/* rules_host() - index of the configured host with address addr, or -1. */
long rules_host(const struct rules *r, uint32_t addr)
{
	size_t lo = 0, hi = r->nhosts;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (r->hosts[mid].addr < addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < r->nhosts && r->hosts[lo].addr == addr ? (long)r->hosts[lo].idx : -1;
}
