// SPDX-License-Identifier: MIT
/* bench_ct.c - micro-benchmark of hostd's conntrack table at 1 million entries. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "bench.h"
#include "ct.h"
#include "pkt.h"

/*
 * One table of capacity 1,000,000 (ct_new(), in memory) filled to the brim:
 * entry i maps VM 198.19.0.0 + i / 1000, port 10000 + i % 1000 to
 * 203.0.113.(1 + i / 62500), port 1024 + i % 62500, UDP, VNI 100.  Keys are
 * computed from i, so the benchmark keeps no key array of its own and the
 * RSS growth across ct_new() and the inserts is the table's alone.  Lookups
 * draw i uniformly (every cache level misses on a 40 MB table): hits by the
 * private key (VM -> outside), hits by the public key (outside -> VM), and
 * misses (ports no entry has), BURST keys at a time with their index slots
 * prefetched first, as hostd handles a burst of packets (path_prefetch.c).
 */
#define N_ENTRIES 1000000u
#define VM_NET 0xc6130000u       /* 198.19.0.0 */
#define PUB_NET 0xcb007100u      /* 203.0.113.0 */
#define VNI 100u
#define BURST 32                 /* keys a burst: hostd's packets a burst (batch: up to 128) or fewer */

static struct ct_entry entry(uint32_t i)
{
	return (struct ct_entry){
		.vni = VNI, .proto = PROTO_UDP,
		.vm_addr = VM_NET + i / 1000, .vm_port = (uint16_t)(10000 + i % 1000),
		.pub_addr = PUB_NET + 1 + i / 62500, .pub_port = (uint16_t)(1024 + i % 62500),
		.expires = 300, .state = CT_S_NEW,
	};
}

enum kind { PRIV, PUB, MISS };

/* The key of entry x for a lookup kind (for MISS: a port no entry has). */
static void key(enum kind kind, uint32_t x, uint32_t *addr, uint16_t *port)
{
	switch (kind) {
	case PRIV:
		*addr = VM_NET + x / 1000;
		*port = (uint16_t)(10000 + x % 1000);
		break;
	case PUB:
		*addr = PUB_NET + 1 + x / 62500;
		*port = (uint16_t)(1024 + x % 62500);
		break;
	default:                 /* same addresses, ports outside every mapping */
		*addr = PUB_NET + 1 + x / 62500;
		*port = (uint16_t)(64000 + x % 1500);
		break;
	}
}

/*
 * Time n lookups of one kind, in bursts of BURST keys as hostd's data path
 * meets them (a burst of packets): the burst's index slots are prefetched,
 * then each key looked up.  Returns lookups per second, hits in *hits.
 */
static double run(struct ct *t, enum kind kind, uint64_t n, uint64_t *hits)
{
	uint64_t seed = 0x5a17c7c7ULL + (uint64_t)kind, i, h = 0;
	uint32_t addr[BURST];
	uint16_t port[BURST];
	double t0 = bench_now(), dt;

	for (i = 0; i < n; i += BURST) {
		unsigned k, m = n - i < BURST ? (unsigned)(n - i) : BURST;

		for (k = 0; k < m; k++) {
			key(kind, bench_below(&seed, N_ENTRIES), &addr[k], &port[k]);
			if (kind == PRIV)
				ct_prefetch_priv(t, VNI, PROTO_UDP, addr[k], port[k]);
			else
				ct_prefetch_pub(t, VNI, PROTO_UDP, addr[k], port[k]);
		}
		for (k = 0; k < m; k++) {
			struct ct_entry *e = kind == PRIV ?
				ct_find_priv(t, VNI, PROTO_UDP, addr[k], port[k]) :
				ct_find_pub(t, VNI, PROTO_UDP, addr[k], port[k]);

			h += e != NULL;
		}
	}
	dt = bench_now() - t0;
	*hits = h;
	return (double)n / dt;
}

/* main() - bench_ct [LOOKUPS]: fill 1 M entries, time LOOKUPS (default 20 M) lookups per kind. */
int main(int argc, char **argv)
{
	uint64_t n = argc > 1 ? strtoull(argv[1], NULL, 10) : 20000000ULL, hp, hb, hm;
	uint64_t rss0, rss1;
	double t0, tins, priv, pub, miss, measured, theory;
	uint32_t i, nb = 1;
	struct ct *t;

	if (!n)
		return 1;
	rss0 = bench_rss();
	t0 = bench_now();
	t = ct_new(N_ENTRIES);
	if (!t)
		return 1;
	for (i = 0; i < N_ENTRIES; i++) {
		struct ct_entry e = entry(i);

		if (!ct_insert(t, &e)) {
			fprintf(stderr, "bench_ct: insert %u failed\n", i);
			return 1;
		}
	}
	tins = bench_now() - t0;
	rss1 = bench_rss();
	priv = run(t, PRIV, n, &hp);
	pub = run(t, PUB, n, &hb);
	miss = run(t, MISS, n, &hm);
	if (hp != n || hb != n || hm != 0) {
		fprintf(stderr, "bench_ct: wrong results (%llu %llu %llu)\n", (unsigned long long)hp,
			(unsigned long long)hb, (unsigned long long)hm);
		return 1;
	}
	while (nb < N_ENTRIES + N_ENTRIES / 2 + 1)
		nb <<= 1;
	/* An entry, plus its share of the two indices (4-byte slots, at most 2/3 full). */
	theory = (double)sizeof(struct ct_entry) + 2.0 * 4.0 * nb / N_ENTRIES;
	measured = (double)(rss1 - rss0) / N_ENTRIES;
	printf("ct: %u entries inserted in %.3f s (ct_new included): %.2f M inserts/s; "
	       "lookups: %.1f M/s private key, %.1f M/s public key, %.1f M/s misses; "
	       "%.1f bytes/entry measured (RSS), %.1f in theory (%zu entry + index slots)\n",
	       N_ENTRIES, tins, N_ENTRIES / tins / 1e6, priv / 1e6, pub / 1e6, miss / 1e6,
	       measured, theory, sizeof(struct ct_entry));
	printf("{\"bench\": \"ct\", \"entries\": %u, \"insert_s\": %.4f, \"inserts_per_s\": %.0f, "
	       "\"lookups\": %llu, \"lookups_priv_per_s\": %.0f, \"lookups_pub_per_s\": %.0f, "
	       "\"lookups_miss_per_s\": %.0f, \"bytes_per_entry_rss\": %.1f, "
	       "\"bytes_per_entry_theory\": %.1f, \"entry_size\": %zu}\n",
	       N_ENTRIES, tins, N_ENTRIES / tins, (unsigned long long)n, priv, pub, miss, measured,
	       theory, sizeof(struct ct_entry));
	ct_free(t);
	return 0;
}
