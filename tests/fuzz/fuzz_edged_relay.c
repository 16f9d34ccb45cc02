// SPDX-License-Identifier: MIT
/* fuzz_edged_relay.c - packets into edged from TUN and from the tunnel, over the lab's rules. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "frag.h"
#include "relay.h"
#include "vnet.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct edge_conf conf;
static struct relay r;

static void fuzz_init(void)
{
	struct yerr err;

	if (edge_conf_load(&conf, SPAT_SOURCE_DIR "/etc/edged.yaml", &err) < 0)
		abort();
	r.conf = &conf;
	r.rules = rules_build(&conf);
	r.frags = frag_new(64, 8, 1000);     /* small, so eviction and "full" are reachable */
	if (!r.rules || !r.frags)
		abort();
}

/*
 * A TUN read with a virtio-net header, split by vnet.c as edged_on_tun()
 * does, each segment steered.  A later segment that takes its first
 * segment's way (relay_tso_next()) must come out as the full path makes
 * it: the same copy steered with nothing kept must match, byte for byte.
 */
static void fuzz_tso(const uint8_t *data, size_t size)
{
	static struct vnet_rx rx = { .bare_ip = true };
	static struct pktbuf b, full;
	struct relay_tso kept;
	enum relay_out o1, o2;

	if (size > sizeof(rx.buf))
		return;
	memcpy(rx.buf, data, size);
	if (vnet_start(&rx, (uint32_t)size) < 0)
		return;
	while (vnet_pending(&rx)) {
		pktbuf_reset(&b);
		if (vnet_next(&rx, &b) != 1)
			break;
		full = b;
		full.data = full.buf + (b.data - b.buf);
		kept = r.tso;
		r.tso.frame = 0;
		o1 = relay_from_tun(&r, &full);
		if (!b.seg)
			kept = r.tso;
		relay_put_released(&r);
		r.tso = kept;
		o2 = relay_from_tun(&r, &b);
		if (b.seg && r.tso.frame == b.frame && o1 != o2)
			abort();
		if (b.seg && o2 == RELAY_TO_HOST && r.tso.frame == b.frame &&
		    (b.len != full.len || b.peer != full.peer || memcmp(b.data, full.data, b.len)))
			abort();
		if (b.data < b.buf || b.data + b.len > b.buf + PKTBUF_SIZE)
			abort();
		relay_put_released(&r);
	}
	vnet_discard(&rx);
}

/*
 * The first byte picks the entry point and, for the tunnel, the sender
 * (one of the hosts or a stranger); bit 4, from the TUN: the rest is a
 * virtio-net header and packet, split (fuzz_tso()).  Otherwise the rest is
 * the packet.  From the tunnel it is lent to the buffer from a block of
 * its exact size, as udpgro.c lends it (bit 4: copied in instead), so that
 * a write past a lent packet is caught by AddressSanitizer.
 */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct pktbuf b;
	static const uint32_t peers[4] = { 0xC612000Bu, 0xC612000Cu, 0xC6120063u, 0 };
	static uint32_t now = 1;
	uint8_t *lent = NULL;

	if (!r.rules)
		fuzz_init();
	if (size < 1)
		return 0;
	now += data[0] & 0x40 ? 700 : 1;    /* bit 6: let held fragments time out */
	relay_tick(&r, now);
	if ((data[0] & 0x90) == 0x10) {
		fuzz_tso(data + 1, size - 1);
		return 0;
	}
	if (size - 1 > PKTBUF_MTU)
		return 0;
	pktbuf_reset(&b);
	b.len = (uint32_t)(size - 1);
	if ((data[0] & 0x90) == 0x80 && size > 1) {
		lent = malloc(size - 1);
		if (!lent)
			abort();
		memcpy(lent, data + 1, size - 1);
		b.data = lent;
		b.lent = true;
	} else {
		memcpy(b.data, data + 1, size - 1);
	}
	if (data[0] & 0x80) {
		b.peer = peers[data[0] & 3];
		relay_from_tunnel(&r, &b);
	} else {
		relay_from_tun(&r, &b);
	}
	if (b.lent ? b.data < lent || b.data + b.len > lent + (size - 1) :
		     b.data < b.buf || b.data + b.len > b.buf + PKTBUF_SIZE)
		abort();
	free(lent);
	for (unsigned i = 0; i < r.nrel; i++)
		if (r.rel[i]->data < r.rel[i]->buf || r.rel[i]->len > PKTBUF_SIZE)
			abort();
	relay_put_released(&r);
	return 0;
}
