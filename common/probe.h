/* SPDX-License-Identifier: MIT */
/* probe.h - spat's edge keepalive: a Geneve OAM packet carrying one option of our own. */
#ifndef SPAT_PROBE_H
#define SPAT_PROBE_H

#include <stddef.h>
#include <stdint.h>

struct pktbuf;

/*
 * Wire format: a Geneve base header with the O (control) bit set, VNI 0,
 * protocol type 0 and no payload, then one non-critical option of class
 * GENEVE_CLASS_SPAT: type PROBE_REQUEST or PROBE_REPLY, 8 bytes of data
 * (sequence number, sender's timestamp in ms, both big-endian).  A reply
 * echoes the request's data.  Receivers that do not know the option drop
 * the packet as control traffic (RFC 8926), so it never becomes data.
 */
#define PROBE_LEN 20             /* 8 base + 4 option header + 8 data */

enum probe_kind { PROBE_REQUEST = 1, PROBE_REPLY = 2 };

struct probe {
	enum probe_kind kind;
	uint32_t seq;
	uint32_t stamp_ms;
};

/* probe_encode() - write a PROBE_LEN-byte probe of kind to buf. */
void probe_encode(uint8_t *buf, enum probe_kind kind, uint32_t seq, uint32_t stamp_ms);
/*
 * probe_decode() - 0 with *p set if buf[0..len) is a well-formed Geneve
 * control packet carrying our probe option; -1 otherwise.
 */
int probe_decode(const uint8_t *buf, size_t len, struct probe *p);
/*
 * probe_build() - make b (a pool buffer) hold just a probe, at its
 * headroom, ready for udpio_encap().  Returns 0, or -1 without headroom.
 */
int probe_build(struct pktbuf *b, enum probe_kind kind, uint32_t seq, uint32_t stamp_ms);

#endif
