/* SPDX-License-Identifier: MIT */
/* be.h - reading and writing big-endian (network order) fields at any alignment. */
#ifndef SPAT_BE_H
#define SPAT_BE_H

#include <stdint.h>

/* be16() - the 16-bit big-endian value at p. */
static inline uint16_t be16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

/* be32() - the 32-bit big-endian value at p. */
static inline uint32_t be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* be16_put() - store v at p, big-endian. */
static inline void be16_put(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

#endif
