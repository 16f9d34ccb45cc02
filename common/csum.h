/* SPDX-License-Identifier: MIT */
/* csum.h - Internet checksum (RFC 1071) and its incremental update (RFC 1624). */
#ifndef SPAT_CSUM_H
#define SPAT_CSUM_H

#include <stddef.h>
#include <stdint.h>

/*
 * Checksums are handled as they sit in the packet: a uint16_t holding the
 * two wire bytes, loaded/stored with memcpy.  Values passed as "old"/"new"
 * words are likewise in network byte order.  The arithmetic of the one's
 * complement sum is byte-order independent, so no swaps are needed.
 */

/* csum_partial() - one's complement sum of buf folded into 32 bits, plus sum. */
uint32_t csum_partial(const void *buf, size_t len, uint32_t sum);
/* csum_fold() - fold a 32-bit partial sum and complement it. */
uint16_t csum_fold(uint32_t sum);
/* csum_ip4_pseudo() - partial sum of the IPv4 pseudo header (args in network order). */
uint32_t csum_ip4_pseudo(uint32_t src_be, uint32_t dst_be, uint8_t proto, uint16_t l4len);
/* csum_replace16() - RFC 1624 eqn. 3: checksum after one 16-bit word changes. */
uint16_t csum_replace16(uint16_t check, uint16_t old_w, uint16_t new_w);
/* csum_replace32() - same for a 32-bit field (an IPv4 address), network order. */
uint16_t csum_replace32(uint16_t check, uint32_t old_w, uint32_t new_w);

#endif
