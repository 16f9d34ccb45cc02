// SPDX-License-Identifier: MIT
/* geneve.c - Geneve (RFC 8926) base header and option walk, payload is bare IP. */
#include <arpa/inet.h>
#include <assert.h>
#include <string.h>

#include "cursor.h"
#include "geneve.h"
#include "pktbuf.h"

#define GENEVE_VER_SHIFT 6
#define GENEVE_OPTLEN_MASK 0x3F
#define GENEVE_F_OAM 0x80
#define GENEVE_F_CRIT 0x40
#define GENEVE_OPT_HLEN 4
#define GENEVE_OPT_LEN_MASK 0x1F
#define GENEVE_VNI_MASK 0xFFFFFF

/*
 * Walk the option TLVs.  Each must fit in the option area; we understand no
 * option yet, so a critical one means the packet must be dropped (RFC 8926
 * s3.5) and the rest are skipped.
 */
static enum geneve_err geneve_walk_opts(struct cursor *opts)
{
	uint16_t opt_class;
	uint8_t type, len;

	while (cur_left(opts)) {
		if (cur_get_u16(opts, &opt_class) || cur_get_u8(opts, &type) ||
		    cur_get_u8(opts, &len))
			return GENEVE_ERR_OPTION;
		if (cur_skip(opts, (size_t)(len & GENEVE_OPT_LEN_MASK) * 4))
			return GENEVE_ERR_OPTION;
		if (type & GENEVE_OPT_CRITICAL)
			return GENEVE_ERR_CRITICAL;
	}
	return GENEVE_OK;
}

/*
 * geneve_decode() - parse the Geneve header at buf[0..len) into *h.
 * Return: GENEVE_OK (payload at buf + h->hlen), or why it was refused.
 */
enum geneve_err geneve_decode(const uint8_t *buf, size_t len, struct geneve_hdr *h)
{
	struct cursor c, opts;
	uint8_t ver_opt, flags;

	memset(h, 0, sizeof(*h));
	cur_init(&c, buf, len);
	if (cur_get_u8(&c, &ver_opt) || cur_get_u8(&c, &flags) ||
	    cur_get_u16(&c, &h->proto) || cur_get_u24(&c, &h->vni) || cur_skip(&c, 1))
		return GENEVE_ERR_SHORT;
	if (ver_opt >> GENEVE_VER_SHIFT)
		return GENEVE_ERR_VERSION;
	h->oam = flags & GENEVE_F_OAM;
	h->critical = flags & GENEVE_F_CRIT;
	h->optlen = (uint16_t)((ver_opt & GENEVE_OPTLEN_MASK) * 4);
	h->hlen = GENEVE_HLEN + h->optlen;
	if (cur_sub(&c, &opts, h->optlen))
		return GENEVE_ERR_SHORT;
	return geneve_walk_opts(&opts);
}

/* geneve_encode() - write an 8-byte base header (version 0, no options) to buf. */
void geneve_encode(uint8_t *buf, uint32_t vni, uint16_t proto, bool oam)
{
	uint16_t proto_be = htons(proto);
	uint32_t vni_be = htonl((vni & GENEVE_VNI_MASK) << 8);  /* low byte: reserved */

	buf[0] = 0;
	buf[1] = oam ? GENEVE_F_OAM : 0;
	memcpy(buf + 2, &proto_be, sizeof(proto_be));
	memcpy(buf + 4, &vni_be, sizeof(vni_be));
}

static const char *const geneve_err_names[] = {
	[GENEVE_OK] = "ok",
	[GENEVE_ERR_SHORT] = "short",
	[GENEVE_ERR_VERSION] = "version",
	[GENEVE_ERR_CRITICAL] = "critical",
	[GENEVE_ERR_OPTION] = "option",
};
static_assert(sizeof(geneve_err_names) / sizeof(geneve_err_names[0]) == GENEVE_ERR_OPTION + 1,
	      "geneve_err_names must name every enum geneve_err");

/* geneve_strip() - check a tunnel datagram is IPv4 data and pull the header. */
enum geneve_verdict geneve_strip(struct pktbuf *b, uint32_t *vni)
{
	struct geneve_hdr gh;

	switch (geneve_decode(b->data, b->len, &gh)) {
	case GENEVE_OK:
		break;
	case GENEVE_ERR_CRITICAL:
		return GENEVE_BAD_CRITICAL;
	default:
		return GENEVE_BAD;
	}
	if (gh.oam)
		return GENEVE_CONTROL;
	if (gh.proto != GENEVE_PT_IPV4)
		return GENEVE_NOT_IPV4;
	pktbuf_pull(b, gh.hlen);
	*vni = gh.vni;
	return GENEVE_DATA;
}

/* geneve_err_str() - short name of a decode error for logs and counters. */
const char *geneve_err_str(enum geneve_err e)
{
	if ((unsigned int)e >= sizeof(geneve_err_names) / sizeof(geneve_err_names[0]))
		return "unknown";
	return geneve_err_names[e];
}
