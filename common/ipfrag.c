// SPDX-License-Identifier: MIT
/* ipfrag.c - IPv4 fragmentation into preallocated buffers; headers read through a cursor. */
#include <arpa/inet.h>
#include <stdbool.h>
#include <string.h>

#include "csum.h"
#include "cursor.h"
#include "ipfrag.h"

#define IP4_DF 0x4000
#define IP4_MF 0x2000
#define IP4_OFFMASK 0x1FFF
#define IPOPT_EOL 0
#define IPOPT_NOP 1
#define IPOPT_COPIED 0x80
#define IPFRAG_MIN_MTU 68        /* RFC 791: every link passes 68 bytes */

/*
 * The header of later fragments: the fixed 20 bytes and the options whose
 * copied flag is set, padded with EOL to 4 bytes.  Returns its length, or
 * 0 when an option's length runs off the header.
 */
static unsigned ipfrag_later_hdr(const uint8_t *h, unsigned hlen, uint8_t *out)
{
	struct cursor c;
	unsigned n = 20;
	uint8_t t, l;

	memcpy(out, h, 20);
	cur_init(&c, h + 20, hlen - 20);
	while (!cur_get_u8(&c, &t) && t != IPOPT_EOL) {
		if (t == IPOPT_NOP)
			continue;
		if (cur_get_u8(&c, &l) || l < 2 || cur_left(&c) < (size_t)l - 2)
			return 0;
		if (t & IPOPT_COPIED) {
			out[n] = t;
			out[n + 1] = l;
			cur_get_bytes(&c, out + n + 2, (size_t)l - 2);
			n += l;
		} else {
			cur_skip(&c, (size_t)l - 2);
		}
	}
	while (n % 4)
		out[n++] = IPOPT_EOL;
	out[0] = (uint8_t)(0x40 | n / 4);
	return n;
}

/* Set total length and the fragment field, then the header checksum in full. */
static void ipfrag_fix(uint8_t *h, unsigned hlen, unsigned tot, uint16_t frag)
{
	uint16_t w = htons((uint16_t)tot), check;

	memcpy(h + 2, &w, 2);
	w = htons(frag);
	memcpy(h + 6, &w, 2);
	memset(h + 10, 0, 2);
	check = csum_fold(csum_partial(h, hlen, 0));
	memcpy(h + 10, &check, 2);
}

/* ipfrag_split() - first piece stays in b, the rest go to buffers from pool. */
int ipfrag_split(struct pktbuf *b, unsigned mtu, struct pktpool *pool, struct pktbuf **out,
		 unsigned n)
{
	uint8_t lh[60];
	unsigned hlen, lhlen, tot, pay, first, step, off, k = 0;
	uint16_t frag, tot16, base;
	uint8_t vihl;
	struct cursor c;

	cur_init(&c, b->data, b->len);
	if (cur_get_u8(&c, &vihl) || cur_skip(&c, 1) || cur_get_u16(&c, &tot16) ||
	    cur_skip(&c, 2) || cur_get_u16(&c, &frag))
		return IPFRAG_BAD;
	hlen = (vihl & 0x0Fu) * 4;
	tot = tot16;
	if (vihl >> 4 != 4 || hlen < 20 || tot < hlen || tot > b->len || (frag & IP4_DF) ||
	    mtu < IPFRAG_MIN_MTU)
		return IPFRAG_BAD;
	if (tot <= mtu)
		return 0;
	lhlen = ipfrag_later_hdr(b->data, hlen, lh);
	pay = tot - hlen;
	base = frag & IP4_OFFMASK;
	if (!lhlen || mtu < hlen + 8 || base + pay / 8 > IP4_OFFMASK)
		return IPFRAG_BAD;
	first = (mtu - hlen) & ~7u;
	step = (mtu - lhlen) & ~7u;
	if ((pay - first + step - 1) / step > n || (pay - first + step - 1) / step > pool->nfree)
		return IPFRAG_NOBUF;
	for (off = first; off < pay; off += step) {
		unsigned len = pay - off < step ? pay - off : step;
		bool last = off + len == pay;
		struct pktbuf *f = pktpool_get(pool);

		memcpy(f->data, lh, lhlen);
		memcpy(f->data + lhlen, b->data + hlen + off, len);
		f->len = lhlen + len;
		ipfrag_fix(f->data, lhlen, f->len,
			   (uint16_t)((base + off / 8) | (last ? (frag & IP4_MF) : IP4_MF)));
		out[k++] = f;
	}
	b->len = hlen + first;
	ipfrag_fix(b->data, hlen, b->len, (uint16_t)(base | IP4_MF));
	return (int)k;
}
