/* SPDX-License-Identifier: MIT */
/* hash.h - small fast hashes for flow keys and table buckets. */
#ifndef SPAT_HASH_H
#define SPAT_HASH_H

#include <stdint.h>

/* hash_u32x3() - mix three words into a well-spread 32-bit hash (seeded). */
static inline uint32_t hash_u32x3(uint32_t a, uint32_t b, uint32_t c, uint32_t seed)
{
	uint64_t h = ((uint64_t)a << 32 | b) * 0x9E3779B97F4A7C15ULL;
	h ^= ((uint64_t)c << 32 | seed) * 0xC2B2AE3D27D4EB4FULL;
	h ^= h >> 29;
	h *= 0xBF58476D1CE4E5B9ULL;
	h ^= h >> 32;
	return (uint32_t)h;
}

/*
 * hash_flow() - symmetric-free 5-tuple hash used for the outer UDP source
 * port (RFC 8926 s3.3) and for spreading flows over edges.
 */
static inline uint32_t hash_flow(uint32_t src, uint32_t dst, uint8_t proto,
				 uint16_t sport, uint16_t dport)
{
	return hash_u32x3(src, dst, (uint32_t)proto << 16 ^ ((uint32_t)sport << 16 | dport), 0x5a17u);
}

#endif
