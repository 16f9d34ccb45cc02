// SPDX-License-Identifier: MIT
/* fuzz_hostd_path.c - packets into hostd from the tunnel and from VM taps, lab config. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "edges.h"
#include "frag.h"
#include "path.h"
#include "vnet.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct host_conf conf;
static struct flowtab ft;
static struct path p;
static struct edges es;          /* so that keepalive replies reach edges_reply() */
static uint32_t now = 1;

static void fuzz_init(void)
{
	struct yerr err;

	if (host_conf_load(&conf, SPAT_SOURCE_DIR "/etc/hostd-a.yaml", &err) < 0)
		abort();
	conf.max_entries = 4096;     /* small, so "table full" is reachable */
	conf.vm_quota = 256;         /* reachable too: the ICMP 3/13 answer to a refused flow */
	conf.port_reuse_delay = 90;  /* ports rest and rotate as the clock moves on */
	if (flow_init(&ft, &conf, 1) < 0)
		abort();
	if (edges_init(&es, &conf, 0) < 0)
		abort();
	p.conf = &conf;
	p.ft = &ft;
	p.edges = &es;
	p.frags = frag_new(64, 8, 1000);    /* small, so eviction and "full" are reachable */
	if (!p.frags)
		abort();
}

/*
 * A VM's frame with a virtio-net header, split by vnet.c as hostd_on_vm()
 * does, each segment through the path.  A later segment that takes its
 * first segment's decision (path_tso_next()) must come out as the full
 * path makes it: the same copy decided with nothing kept must match, byte
 * for byte.
 */
static void fuzz_tso(uint32_t vm, const uint8_t *data, size_t size)
{
	static struct vnet_rx rx;
	static struct pktbuf b, full;
	struct path_tso kept;
	enum path_out o1, o2;

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
		kept = p.tso;
		p.tso.frame = 0;
		o1 = path_from_vm(&p, vm, &full, now);
		if (!b.seg)
			kept = p.tso;
		p.tso = kept;
		o2 = path_from_vm(&p, vm, &b, now);
		if (b.seg && o1 != o2)
			abort();
		if (b.seg && o2 == PATH_TO_EDGE &&
		    (b.len != full.len || b.peer != full.peer || memcmp(b.data, full.data, b.len)))
			abort();
		if (b.data < b.buf || b.data + b.len > b.buf + PKTBUF_SIZE)
			abort();
		path_put_released(&p);
	}
	vnet_discard(&rx);
}

/*
 * First byte: bit 7 picks tunnel (bits 0-1: sender) or VM (bit 0: which VM);
 * bit 6 advances the clock by a minute so expiry runs; bit 5 sets address-dependent
 * filtering (clear: endpoint-independent); bit 4, from a VM: the rest is a
 * virtio-net header and frame, split (fuzz_tso()).  Otherwise the rest is the
 * packet.  State carries over between inputs, as it does in the daemon.
 */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct pktbuf b;
	struct pktbuf *const bp = &b;
	static const uint32_t peers[4] = { 0xC6120001u, 0xC612000Bu, 0xC6120063u, 0 };

	if (!p.conf)
		fuzz_init();
	if (size < 1)
		return 0;
	if (data[0] & 0x40) {
		now += 60;
		flow_expire(&ft, now, 1024);
	}
	conf.filtering = data[0] & 0x20 ? HOST_FILTER_ADF : HOST_FILTER_EIF;
	path_tick(&p, now * 1000);
	if ((data[0] & 0x90) == 0x10) {
		fuzz_tso(data[0] & 1, data + 1, size - 1);
		return 0;
	}
	if (size - 1 > PKTBUF_MTU)
		return 0;
	pktbuf_reset(&b);
	memcpy(b.data, data + 1, size - 1);
	b.len = (uint32_t)(size - 1);
	if (data[0] & 0x80) {
		b.peer = peers[data[0] & 3];
		path_prefetch_tunnel(&p, &bp, 1);
		path_from_tunnel(&p, &b, now);
	} else {
		path_prefetch_vm(&p, data[0] & 1, &bp, 1);
		path_from_vm(&p, data[0] & 1, &b, now);
	}
	if (b.data < b.buf || b.data + b.len > b.buf + PKTBUF_SIZE)
		abort();
	for (unsigned i = 0; i < p.nrel; i++)
		if (p.rel[i]->data < p.rel[i]->buf || p.rel[i]->len > PKTBUF_SIZE)
			abort();
	path_put_released(&p);
	return 0;
}
