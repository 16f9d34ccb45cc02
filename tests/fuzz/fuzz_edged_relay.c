// SPDX-License-Identifier: MIT
/* fuzz_edged_relay.c - packets into edged from TUN and from the tunnel, over the lab's rules. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

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
	if (!r.rules)
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

	if (!r.rules)
		fuzz_init();
	if (size < 1 || size - 1 > PKTBUF_MTU)
		return 0;
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
	return 0;
}
