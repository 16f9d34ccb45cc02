/* SPDX-License-Identifier: MIT */
/* bench.h - clock, RSS and PRNG helpers shared by the micro-benchmarks. */
#ifndef SPAT_BENCH_H
#define SPAT_BENCH_H

#include <stdint.h>
#include <stdio.h>
#include <time.h>
#include <unistd.h>

/* bench_now() - monotonic seconds. */
static inline double bench_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* bench_rss() - resident bytes of this process (/proc/self/statm), 0 if unknown. */
static inline uint64_t bench_rss(void)
{
	unsigned long size = 0, res = 0;
	FILE *f = fopen("/proc/self/statm", "r");

	if (!f)
		return 0;
	if (fscanf(f, "%lu %lu", &size, &res) != 2)
		res = 0;
	fclose(f);
	return (uint64_t)res * (uint64_t)sysconf(_SC_PAGESIZE);
}

/* bench_rand() - xorshift64*: fast, fixed-seed, good enough to scatter keys. */
static inline uint64_t bench_rand(uint64_t *s)
{
	*s ^= *s >> 12;
	*s ^= *s << 25;
	*s ^= *s >> 27;
	return *s * 0x2545F4914F6CDD1DULL;
}

/* bench_below() - uniform in [0, n) from one PRNG draw (multiply-shift, no division). */
static inline uint32_t bench_below(uint64_t *s, uint32_t n)
{
	return (uint32_t)(((bench_rand(s) >> 32) * (uint64_t)n) >> 32);
}

#endif
