// SPDX-License-Identifier: MIT
/* probe.c - encode and decode spat's Geneve OAM keepalive (edge liveness for hosts). */
#include <arpa/inet.h>
#include <string.h>

#include "cursor.h"
#include "geneve.h"
#include "pktbuf.h"
#include "probe.h"

#define PROBE_OPT_WORDS 3        /* option header + 8 data bytes, in 4-byte words */
#define PROBE_DATA_WORDS 2

/* probe_encode() - base header with O bit and one spat option; see probe.h. */
void probe_encode(uint8_t *buf, enum probe_kind kind, uint32_t seq, uint32_t stamp_ms)
{
	uint16_t cls = htons(GENEVE_CLASS_SPAT);
	uint32_t s = htonl(seq), t = htonl(stamp_ms);

	geneve_encode(buf, 0, 0, true);
	buf[0] = PROBE_OPT_WORDS;        /* version 0, option length in words */
	memcpy(buf + 8, &cls, 2);
	buf[10] = (uint8_t)kind;         /* high bit clear: not critical */
	buf[11] = PROBE_DATA_WORDS;
	memcpy(buf + 12, &s, 4);
	memcpy(buf + 16, &t, 4);
}

/* probe_decode() - find our option in a Geneve control packet; see probe.h. */
int probe_decode(const uint8_t *buf, size_t len, struct probe *p)
{
	struct geneve_hdr h;
	struct cursor c;
	uint16_t cls;
	uint8_t type, words;

	if (geneve_decode(buf, len, &h) != GENEVE_OK || !h.oam)
		return -1;
	cur_init(&c, buf + GENEVE_HLEN, h.optlen);
	while (cur_left(&c)) {
		if (cur_get_u16(&c, &cls) || cur_get_u8(&c, &type) || cur_get_u8(&c, &words))
			return -1;
		words &= 0x1F;
		if (cls == GENEVE_CLASS_SPAT && words == PROBE_DATA_WORDS &&
		    (type == PROBE_REQUEST || type == PROBE_REPLY)) {
			if (cur_get_u32(&c, &p->seq) || cur_get_u32(&c, &p->stamp_ms))
				return -1;
			p->kind = (enum probe_kind)type;
			return 0;
		}
		if (cur_skip(&c, (size_t)words * 4))
			return -1;
	}
	return -1;
}

/* probe_build() - reset b to an empty packet and put a probe in it. */
int probe_build(struct pktbuf *b, enum probe_kind kind, uint32_t seq, uint32_t stamp_ms)
{
	uint8_t *d;

	pktbuf_reset(b);
	d = pktbuf_push(b, PROBE_LEN);
	if (!d)
		return -1;
	probe_encode(d, kind, seq, stamp_ms);
	return 0;
}
