/* SPDX-License-Identifier: MIT */
/* tcpstate.h - the TCP state of a mapping: RFC 7857 s2 / RFC 6146 s3.5.2 transitions. */
#ifndef SPAT_TCPSTATE_H
#define SPAT_TCPSTATE_H

#include <stdbool.h>
#include <stdint.h>

#include "ct.h"

/*
 * Theory of operation: a mapping is one VM endpoint (endpoint-independent
 * mapping), so its TCP state is that of the connection using it.  A SYN
 * each way establishes it, whatever the order (a simultaneous open is two
 * SYNs crossing); a FIN each way, or a RST, makes it transitory; from
 * there a bare SYN starts a new connection on the same port, and (after a
 * RST only) any other packet re-establishes it, since RFC 7857 s2.2 warns
 * that a RST may be forged or lost.  A TCP mapping created by something
 * other than a SYN (picked up mid-stream, e.g. after its state was lost)
 * is NEW, and an answer from outside establishes it.  The state picks the
 * timer (tcpstate_established()); who refreshes it is flow.c's business.
 */

/* Direction of a packet through its mapping. */
enum tcpstate_dir { TCPSTATE_OUT = 0, TCPSTATE_IN };

/* tcpstate_next() - the state after a packet with TCP flags from dir. */
uint8_t tcpstate_next(uint8_t state, enum tcpstate_dir dir, uint8_t flags);
/* tcpstate_initial() - the state of a mapping created by an outbound TCP packet. */
uint8_t tcpstate_initial(uint8_t flags);
/* tcpstate_established() - true when the state runs on the established timer. */
bool tcpstate_established(uint8_t state);
/* tcpstate_name() - the state's name in spatctl and metrics, "?" if unknown. */
const char *tcpstate_name(uint8_t state);

#endif
