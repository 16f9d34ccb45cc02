// SPDX-License-Identifier: MIT
/* fuzz_common_gro.c - libFuzzer target: coalescing a burst of arbitrary packets into GSO writes. */
#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "gro.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/*
 * LLVMFuzzerTestOneInput() - the input is a byte whose low bit picks a tap
 * (Ethernet frames) or a TUN, then a burst: packets, each a 2-byte
 * big-endian length and its bytes.  Every packet must be counted exactly
 * once, written or dropped.
 */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct pktbuf bufs[BURST_MAX];
	static struct gro_buf g;
	struct pktbuf *pkts[BURST_MAX];
	uint64_t pkts_n = 0, bytes = 0, drops = 0;
	const struct burst_ctr c = { &pkts_n, &bytes, &drops };
	static int fd = -1;
	unsigned n = 0;
	size_t len;
	bool eth;

	if (size < 1)
		return 0;
	eth = data[0] & 1;
	data++;
	size--;
	if (fd < 0)
		fd = open("/dev/null", O_WRONLY | O_CLOEXEC);
	while (size >= 2 && n < BURST_MAX) {
		len = (size_t)data[0] << 8 | data[1];
		data += 2;
		size -= 2;
		if (len > size)
			len = size;
		pktbuf_reset(&bufs[n]);
		if (len > pktbuf_room(&bufs[n]))
			len = pktbuf_room(&bufs[n]);
		memcpy(bufs[n].data, data, len);
		bufs[n].len = (uint32_t)len;
		pkts[n] = &bufs[n];
		n++;
		data += len;
		size -= len;
	}
	if (eth)
		gro_write_eth(fd, pkts, n, &g, &c);
	else
		gro_write(fd, pkts, n, &g, &c);
	if (pkts_n + drops != n)
		abort();
	return 0;
}
