// SPDX-License-Identifier: MIT
/* fuzz_common_vnet.c - libFuzzer target: a tap or TUN read with a virtio-net header, split in full. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "vnet.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* LLVMFuzzerTestOneInput() - one read (the first byte: tap or TUN); abort() flags a broken invariant. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct vnet_rx rx;
	static struct pktbuf b;
	unsigned n = 0;
	int r;

	if (size < 1 || size - 1 > sizeof(rx.buf))
		return 0;
	rx.bare_ip = data[0] & 1;
	data++;
	size--;
	memcpy(rx.buf, data, size);
	if (vnet_start(&rx, (uint32_t)size) < 0) {
		if (vnet_pending(&rx))
			abort();
		return 0;
	}
	/* Every frame ends: at most one packet per payload byte, plus one. */
	do {
		pktbuf_reset(&b);
		r = vnet_next(&rx, &b);
		if (r == 1 && (b.len == 0 || b.len > pktbuf_room(&b)))
			abort();
		if (++n > size + 1)
			abort();
	} while (r == 1);
	if (vnet_pending(&rx))
		abort();
	return 0;
}
