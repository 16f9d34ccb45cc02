// SPDX-License-Identifier: MIT
/* mss.c - lower the TCP MSS option of SYNs so segments fit the tunnel (RFC 6691, RFC 879). */
#include <arpa/inet.h>
#include <string.h>

#include "csum.h"
#include "cursor.h"
#include "mss.h"

#define TCPOPT_EOL 0
#define TCPOPT_NOP 1
#define TCP_CHECK_OFF 16

/*
 * Offsets of MSS options to lower, found in one pass so a bad list writes
 * nothing.  A TCP header has at most 40 option bytes: 10 MSS options.
 */
struct mss_hits {
	size_t off[10];
	unsigned n;
};

/* Walk the options in c (starting at byte base of the TCP header); -1 if malformed. */
static int mss_scan(struct cursor *c, size_t base, uint16_t max, struct mss_hits *h)
{
	size_t start = cur_left(c);
	uint8_t kind, len;
	uint16_t v;

	while (!cur_get_u8(c, &kind) && kind != TCPOPT_EOL) {
		if (kind == TCPOPT_NOP)
			continue;
		if (cur_get_u8(c, &len) || len < 2 || cur_left(c) < (size_t)len - 2)
			return -1;
		if (kind != MSS_OPT_KIND) {
			cur_skip(c, (size_t)len - 2);
			continue;
		}
		if (len != MSS_OPT_LEN)
			return -1;
		if (cur_get_u16(c, &v))
			return -1;
		if (v > max && h->n < sizeof(h->off) / sizeof(h->off[0]))
			h->off[h->n++] = base + (start - cur_left(c)) - 2;
	}
	return 0;
}

/* mss_clamp() - find the MSS options of a SYN, lower those above max, fix the checksum. */
enum mss_result mss_clamp(uint8_t *ip, const struct pkt_ip4 *pi, uint16_t max)
{
	struct mss_hits hits = { .n = 0 };
	uint8_t *tcp = ip + pi->l4off;
	uint16_t check, old_w, new_w = htons(max);
	struct cursor c;
	uint8_t doff;

	if (pi->proto != PROTO_TCP || pi->is_frag || !(pi->tcp_flags & TCPF_SYN))
		return MSS_NONE;
	cur_init(&c, tcp, pi->l4len);
	if (cur_peek_u8(&c, 12, &doff))
		return MSS_BAD;
	doff = (uint8_t)((doff >> 4) * 4);
	if (doff < 20 || cur_skip(&c, 20) || cur_left(&c) < (size_t)doff - 20)
		return MSS_BAD;
	c.len = (size_t)doff - 20;   /* the options only */
	if (mss_scan(&c, 20, max, &hits))
		return MSS_BAD;
	if (!hits.n)
		return MSS_NONE;
	memcpy(&check, tcp + TCP_CHECK_OFF, 2);
	for (unsigned i = 0; i < hits.n; i++) {
		size_t off = hits.off[i];
		uint16_t o, n;

		memcpy(&old_w, tcp + off, 2);
		/* At an odd offset the two bytes straddle two checksum words: swap them. */
		o = off & 1 ? (uint16_t)(old_w << 8 | old_w >> 8) : old_w;
		n = off & 1 ? (uint16_t)(new_w << 8 | new_w >> 8) : new_w;
		check = csum_replace16(check, o, n);
		memcpy(tcp + off, &new_w, 2);
	}
	memcpy(tcp + TCP_CHECK_OFF, &check, 2);
	return MSS_CLAMPED;
}
