// SPDX-License-Identifier: MIT
/* fuzz_common_geneve.c - libFuzzer target: Geneve decode, then IPv4 parse of the payload. */
#include <stdint.h>
#include <stdlib.h>

#include "geneve.h"
#include "pkt.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* What geneve_encode() writes must decode to the same VNI, protocol and O bit. */
static void check_roundtrip(const struct geneve_hdr *h)
{
	uint8_t buf[GENEVE_HLEN];
	struct geneve_hdr back;

	geneve_encode(buf, h->vni, h->proto, h->oam);
	if (geneve_decode(buf, sizeof(buf), &back) != GENEVE_OK || back.vni != h->vni ||
	    back.proto != h->proto || back.oam != h->oam || back.hlen != GENEVE_HLEN)
		abort();
}

/* LLVMFuzzerTestOneInput() - one input; abort() flags a broken invariant. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct geneve_hdr h;
	struct pkt_ip4 pi;

	if (geneve_decode(data, size, &h) != GENEVE_OK)
		return 0;
	if (h.hlen > size || h.hlen != GENEVE_HLEN + (size_t)h.optlen || h.vni > 0xFFFFFF)
		abort();
	check_roundtrip(&h);
	pkt_parse_ip4(data + h.hlen, size - h.hlen, &pi);
	return 0;
}
