// SPDX-License-Identifier: MIT
/* bench_rules.c - micro-benchmark of the edge's rule lookup with 100,000 rules. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench.h"
#include "edge_conf.h"
#include "pkt.h"
#include "rules.h"

/*
 * The table: 16 public addresses (203.0.113.1-16) x 6,250 port ranges of
 * 10 ports (1024-63523), TCP on even addresses and UDP on odd ones, so each
 * lookup bisects 6,250 ranges, the deepest case for this many rules.  Targets
 * spread over 64 hosts and 4 VNIs.  Keys: 1 Mi pre-generated (address,
 * protocol, port) triples, uniform, about 3% of them misses (ports outside
 * the ranges), read in order so that generating them costs nothing.
 */
#define NADDR 16
#define NRANGE 6250
#define NHOST 64
#define NKEY (1u << 20)
#define PUB_NET 0xcb007100u      /* 203.0.113.0 */
#define HOST_NET 0xc6120100u     /* 198.18.1.0 */

struct key {
	uint32_t addr;
	uint16_t port;
	uint8_t proto;
};

static uint8_t proto_of(uint32_t a)
{
	return a % 2 ? PROTO_UDP : PROTO_TCP;
}

static int fill_conf(struct edge_conf *c)
{
	size_t a, j, n = 0;

	memset(c, 0, sizeof(*c));
	snprintf(c->name, sizeof(c->name), "bench");
	c->hosts = calloc(NHOST, sizeof(*c->hosts));
	c->rules = calloc((size_t)NADDR * NRANGE, sizeof(*c->rules));
	if (!c->hosts || !c->rules)
		return -1;
	for (j = 0; j < NHOST; j++) {
		snprintf(c->hosts[j].name, sizeof(c->hosts[j].name), "host-%zu", j);
		c->hosts[j].addr = HOST_NET + (uint32_t)j + 1;
	}
	c->nhosts = NHOST;
	for (a = 0; a < NADDR; a++)
		for (j = 0; j < NRANGE; j++, n++)
			c->rules[n] = (struct edge_rule){
				.pub = PUB_NET + (uint32_t)a + 1,
				.proto = proto_of((uint32_t)a),
				.lo = (uint16_t)(1024 + j * 10),
				.hi = (uint16_t)(1024 + j * 10 + 9),
				.host = (uint32_t)(j % NHOST),
				.vni = 100 + (uint32_t)(j % 4),
			};
	c->nrules = n;
	return 0;
}

/* main() - bench_rules [LOOKUPS]: build the table, time LOOKUPS (default 50 M) lookups. */
int main(int argc, char **argv)
{
	uint64_t lookups = argc > 1 ? strtoull(argv[1], NULL, 10) : 50000000ULL, i, hits = 0;
	uint64_t seed = 0x5a17b0b0ULL, sum = 0;
	struct edge_conf c;
	struct rules *r;
	struct key *k;
	double t0, tbuild, t;

	if (!lookups || fill_conf(&c))
		return 1;
	k = malloc(NKEY * sizeof(*k));
	if (!k)
		return 1;
	for (i = 0; i < NKEY; i++) {
		uint32_t a = bench_below(&seed, NADDR);

		k[i] = (struct key){ PUB_NET + a + 1, (uint16_t)(1024 + bench_below(&seed, 64512)),
				     proto_of(a) };
	}
	t0 = bench_now();
	r = rules_build(&c);
	tbuild = bench_now() - t0;
	if (!r)
		return 1;
	t0 = bench_now();
	for (i = 0; i < lookups; i++) {
		const struct key *q = &k[i & (NKEY - 1)];
		const struct rule_target *tg = rules_lookup(r, q->addr, q->proto, q->port);

		if (tg) {
			hits++;
			sum += tg->vni;
		}
	}
	t = bench_now() - t0;
	printf("rules: %zu rules (%zu compiled), built in %.3f s; %llu random lookups in %.3f s: "
	       "%.1f M lookups/s, %.1f ns each, %.1f%% hits\n",
	       c.nrules, rules_count(r), tbuild, (unsigned long long)lookups, t,
	       (double)lookups / t / 1e6, t * 1e9 / (double)lookups,
	       100.0 * (double)hits / (double)lookups);
	printf("{\"bench\": \"rules\", \"rules\": %zu, \"build_s\": %.4f, \"lookups\": %llu, "
	       "\"seconds\": %.4f, \"lookups_per_s\": %.0f, \"hit_ratio\": %.4f, \"checksum\": %llu}\n",
	       c.nrules, tbuild, (unsigned long long)lookups, t, (double)lookups / t,
	       (double)hits / (double)lookups, (unsigned long long)sum);
	rules_free(r);
	edge_conf_free(&c);
	free(k);
	return 0;
}
