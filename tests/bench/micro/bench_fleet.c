// SPDX-License-Identifier: MIT
/* bench_fleet.c - micro-benchmark of edged at fleet size: load, rule build, memory, lookups. */
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "bench.h"
#include "edge_conf.h"
#include "rules.h"

/*
 * Loads an edged config as edged does (edge_conf_load: YAML, checks, overlap
 * by sorting), compiles it (rules_build), and times random lookups: keys are
 * drawn from the config's own rules (a random rule, a random port of it, a
 * random protocol of TCP, UDP and ICMP), so they all hit, spread over every
 * rule.  RSS growth is measured around load and build.  tests/bench/run feeds
 * it the 1,000-host fleet of tests/fleet/make-fleet, written by spatfleet.
 */
#define NKEY (1u << 20)

struct key {
	uint32_t addr;
	uint16_t port;
	uint8_t proto;
};

/* main() - bench_fleet EDGED.yaml [LOOKUPS]: load, build, time LOOKUPS (default 50 M) lookups. */
int main(int argc, char **argv)
{
	static const uint8_t protos[] = { IPPROTO_TCP, IPPROTO_UDP, IPPROTO_ICMP };
	uint64_t lookups = argc > 2 ? strtoull(argv[2], NULL, 10) : 50000000ULL, i, hits = 0;
	uint64_t seed = 0x5a17f1ee7ULL, sum = 0, rss0, rss1, rss2;
	double t0, tload, tbuild, t;
	struct edge_conf c;
	struct rules *r;
	struct yerr err;
	struct key *k;

	if (argc < 2 || !lookups) {
		fprintf(stderr, "usage: bench_fleet EDGED.yaml [LOOKUPS]\n");
		return 2;
	}
	rss0 = bench_rss();
	t0 = bench_now();
	if (edge_conf_load(&c, argv[1], &err)) {
		fprintf(stderr, "bench_fleet: %s\n", err.msg);
		return 1;
	}
	tload = bench_now() - t0;
	rss1 = bench_rss();
	t0 = bench_now();
	r = rules_build(&c);
	tbuild = bench_now() - t0;
	rss2 = bench_rss();
	k = malloc(NKEY * sizeof(*k));
	if (!r || !k || !c.nrules)
		return 1;
	for (i = 0; i < NKEY; i++) {
		const struct edge_rule *ru = &c.rules[bench_below(&seed, (uint32_t)c.nrules)];

		k[i] = (struct key){ ru->pub,
				     (uint16_t)(ru->lo + bench_below(&seed, (uint32_t)(ru->hi - ru->lo) + 1)),
				     protos[bench_below(&seed, 3)] };
	}
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
	printf("fleet: %zu hosts, %zu rules (%zu compiled); loaded in %.3f s (+%.1f MB RSS), built "
	       "in %.3f s (+%.1f MB); %llu random lookups in %.3f s: %.1f M lookups/s, %.1f%% hits\n",
	       c.nhosts, c.nrules, rules_count(r), tload, (double)(rss1 - rss0) / 1e6, tbuild,
	       (double)(rss2 - rss1) / 1e6, (unsigned long long)lookups, t,
	       (double)lookups / t / 1e6, 100.0 * (double)hits / (double)lookups);
	printf("{\"bench\": \"fleet\", \"hosts\": %zu, \"rules\": %zu, \"load_s\": %.4f, "
	       "\"build_s\": %.4f, \"load_rss_bytes\": %llu, \"build_rss_bytes\": %llu, "
	       "\"lookups\": %llu, \"seconds\": %.4f, \"lookups_per_s\": %.0f, \"hit_ratio\": %.4f, "
	       "\"checksum\": %llu}\n", c.nhosts, c.nrules, tload, tbuild,
	       (unsigned long long)(rss1 - rss0), (unsigned long long)(rss2 - rss1),
	       (unsigned long long)lookups, t, (double)lookups / t,
	       (double)hits / (double)lookups, (unsigned long long)sum);
	rules_free(r);
	edge_conf_free(&c);
	free(k);
	return 0;
}
