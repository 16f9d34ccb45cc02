/* SPDX-License-Identifier: MIT */
/* mss.h - TCP MSS clamping on SYNs crossing hostd, with the checksum fixed incrementally. */
#ifndef SPAT_MSS_H
#define SPAT_MSS_H

#include <stdint.h>

#include "pkt.h"

#define MSS_OPT_KIND 2
#define MSS_OPT_LEN 4
#define MSS_OVERHEAD 40          /* IPv4 and TCP headers without options */

/* What mss_clamp() did to a packet. */
enum mss_result {
	MSS_NONE = 0,            /* not a SYN, no MSS option, or the MSS was small enough */
	MSS_CLAMPED,             /* an MSS option was lowered to the limit */
	MSS_BAD,                 /* the options do not parse: left as they were */
};

/*
 * mss_clamp() - if ip (parsed as pi, l3len bytes) is an unfragmented TCP
 * SYN whose MSS option exceeds max, lower it to max and update the TCP
 * checksum (RFC 1624), wherever the option sits (odd offsets too).  Every
 * MSS option is clamped.  A malformed option list is MSS_BAD and nothing is
 * written.
 */
enum mss_result mss_clamp(uint8_t *ip, const struct pkt_ip4 *pi, uint16_t max);

#endif
