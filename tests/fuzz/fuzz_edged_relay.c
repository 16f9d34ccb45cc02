// SPDX-License-Identifier: MIT
/* fuzz_edged_relay.c - packets into edged from TUN and from the tunnel, over the lab's rules. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "frag.h"
#include "relay.h"

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
 * The first byte picks the entry point and, for the tunnel, the sender
 * (one of the hosts or a stranger); the rest is the packet.
 */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct pktbuf b;
	static const uint32_t peers[4] = { 0xC612000Bu, 0xC612000Cu, 0xC6120063u, 0 };
	static uint32_t now = 1;

	if (!r.rules)
		fuzz_init();
	if (size < 1 || size - 1 > PKTBUF_MTU)
		return 0;
	now += data[0] & 0x40 ? 700 : 1;    /* bit 6: let held fragments time out */
	relay_tick(&r, now);
	pktbuf_reset(&b);
	memcpy(b.data, data + 1, size - 1);
	b.len = (uint32_t)(size - 1);
	if (data[0] & 0x80) {
		b.peer = peers[data[0] & 3];
		relay_from_tunnel(&r, &b);
	} else {
		relay_from_tun(&r, &b);
	}
	if (b.data < b.buf || b.data + b.len > b.buf + PKTBUF_SIZE)
		abort();
	for (unsigned i = 0; i < r.nrel; i++)
		if (r.rel[i]->data < r.rel[i]->buf || r.rel[i]->len > PKTBUF_SIZE)
			abort();
	relay_put_released(&r);
	return 0;
}
