// SPDX-License-Identifier: MIT
/* main.c - hostd: NAT between its VMs' taps and the edges' Geneve tunnels. */
#include <event2/event.h>
#include <linux/if_tun.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <unistd.h>

#include "addr.h"
#include "burst.h"
#include "frag.h"
#include "gro.h"
#include "host_sandbox.h"
#include "hostd.h"
#include "ifmtu.h"
#include "log.h"
#include "mss.h"
#include "probe.h"
#include "svc.h"
#include "tun.h"
#include "udpgro.h"
#include "udpgso.h"
#include "udpio.h"

#define HOSTD_POOL (4 * BURST_MAX)
#define HOSTD_SOCKBUF (4 << 20)
/* What a VM's kernel may leave to us: checksums and TCP segmentation (vnet.c does both). */
#define HOSTD_OFFLOADS (TUN_F_CSUM | TUN_F_TSO4)

static void hostd_flush(struct hostd *h, struct burst *tx)
{
	const struct burst_ctr c = { &h->path.ctr[HC_TX_GNV_PKTS], &h->path.ctr[HC_TX_GNV_BYTES],
				     &h->path.ctr[HC_DROP_TX_TUNNEL] };

	udpgso_send(&h->gso, tx->pkt, tx->n, &c);
	tx->n = 0;
	h->path.ctr[HC_TX_GSO_SENDS] = h->gso.sends;
	h->path.ctr[HC_TX_GSO_PKTS] = h->gso.segs;
	h->path.ctr[HC_TX_GSO_FALLBACKS] = h->gso.fallbacks;
}

static void hostd_to_vm(struct hostd *h, struct pktbuf *b)
{
	const struct burst_ctr c = { &h->path.ctr[HC_TX_VM_PKTS], &h->path.ctr[HC_TX_VM_BYTES],
				     &h->path.ctr[HC_DROP_TX_VM] };

	if (h->vms[b->out].vnet)
		burst_write_vnet(h->vms[b->out].fd, b, &c);
	else
		burst_write(h->vms[b->out].fd, b, &c);
}

/*
 * Write a burst's frames to their VMs in order; a run of frames to one VM
 * with a virtio-net header goes through gro_write_eth(), which writes the
 * segments of one TCP flow as one GSO frame (one write, one trip through
 * the VM's stack).
 */
static void hostd_to_vms(struct hostd *h, struct burst *tv)
{
	const struct burst_ctr c = { &h->path.ctr[HC_TX_VM_PKTS], &h->path.ctr[HC_TX_VM_BYTES],
				     &h->path.ctr[HC_DROP_TX_VM] };
	unsigned i = 0, k;

	while (i < tv->n) {
		const struct hostd_vm *v = &h->vms[tv->pkt[i]->out];

		for (k = 1; i + k < tv->n && tv->pkt[i + k]->out == tv->pkt[i]->out; k++)
			;
		if (v->vnet)
			h->path.ctr[HC_TX_VM_GSO] += gro_write_eth(v->fd, tv->pkt + i, k, h->gro, &c);
		else
			for (unsigned j = i; j < i + k; j++)
				burst_write(v->fd, tv->pkt[j], &c);
		i += k;
	}
	tv->n = 0;
}

/* Send the held fragments whose first fragment came in this burst. */
static void hostd_send_released(struct hostd *h)
{
	struct path *p = &h->path;
	struct burst tx = { .n = 0 };

	for (unsigned i = 0; i < p->nrel; i++) {
		if (p->rel_out[i] == PATH_TO_EDGE)
			tx.pkt[tx.n++] = p->rel[i];
		else if (p->rel_out[i] == PATH_TO_VM)
			hostd_to_vm(h, p->rel[i]);
	}
	hostd_flush(h, &tx);
	path_put_released(p);
}

/* Send the later fragments of packets that were too big for the tunnel. */
static void hostd_send_frags(struct hostd *h)
{
	struct tunmtu *m = &h->path.mtu;
	struct burst tx = { .n = 0 };

	for (unsigned i = 0; i < m->nfrag; i++)
		if (m->frag[i]->out == PATH_TO_EDGE) {
			tx.pkt[tx.n++] = m->frag[i];
			if (tx.n == BURST_MAX)
				hostd_flush(h, &tx);
		}
	hostd_flush(h, &tx);
	tunmtu_put(m);
}

/*
 * The tunnel room (tunnel_mtu, or the fabric interface's MTU found at
 * start) and the MSS clamp it implies: tcp_mss_clamp auto is the largest
 * TCP segment whose IPv4 packet fits inside the tunnel.
 */
static void hostd_mtu(struct hostd *h)
{
	uint32_t mtu = h->conf.tunnel_mtu ? h->conf.tunnel_mtu : h->fabric_mtu;
	struct path *p = &h->path;

	tunmtu_init(&p->mtu, mtu, h->conf.icmp_rate, &h->pool, svc_now_ms());
	p->mss_max = h->conf.mss_clamp == HOST_MSS_OFF ? 0 :
		     h->conf.mss_clamp == HOST_MSS_AUTO ? (uint16_t)(p->mtu.inner_max - MSS_OVERHEAD) :
							  (uint16_t)h->conf.mss_clamp;
	log_info("tunnel MTU %u: inner packets up to %u bytes; TCP MSS clamp %u%s", mtu,
		 p->mtu.inner_max, p->mss_max, p->mss_max ? "" : " (off)");
}

/* Read a burst from a VM's tap; round > 0 only hands out the rest of a split frame. */
static int hostd_read_vm(struct hostd *h, struct hostd_vm *v, struct burst *rx, unsigned round)
{
	if (!v->vnet)
		return burst_read(&h->pool, v->fd, rx, h->conf.batch, &v->pace);
	return burst_read_vnet(&h->pool, v->fd, h->vrx, rx, h->conf.batch, round == 0,
			       &h->path.ctr[HC_DROP_VM_OFFLOAD], &v->pace);
}

/* One round of hostd_on_vm(). */
static void hostd_vm_burst(struct hostd *h, struct hostd_vm *v, unsigned round, uint32_t now)
{
	struct burst rx = { .n = 0 }, tx = { .n = 0 };
	int err;

	err = hostd_read_vm(h, v, &rx, round);
	if (err)
		log_warnx("read %s: %s", h->conf.vms[v->idx].tap, strerror(-err));
	if (!rx.n && v->vnet && vnet_pending(h->vrx)) {
		/* No buffer free to split into: drop the rest rather than spin. */
		vnet_discard(h->vrx);
		h->path.ctr[HC_DROP_VM_OFFLOAD]++;
	}
	path_prefetch_vm(&h->path, v->idx, rx.pkt, rx.n);
	for (unsigned i = 0; i < rx.n; i++) {
		switch (path_from_vm(&h->path, v->idx, rx.pkt[i], now)) {
		case PATH_TO_EDGE:
			tx.pkt[tx.n++] = rx.pkt[i];
			break;
		case PATH_TO_VM:
			hostd_to_vm(h, rx.pkt[i]);
			break;
		case PATH_DROP:
		case PATH_HELD:
			break;
		}
	}
	hostd_flush(h, &tx);
	burst_put(&h->pool, &rx);
	hostd_send_released(h);
	hostd_send_frags(h);
	maplog_flush(h->maplog);
}

/*
 * Drain a burst of frames from one VM's tap, translate, tunnel them with one
 * sendmmsg.  A TSO frame split into more packets than a burst holds goes
 * out in further rounds, all before returning: h->vrx is shared by the VMs.
 */
static void hostd_on_vm(evutil_socket_t fd, short what, void *arg)
{
	struct hostd_vm *v = arg;
	struct hostd *h = v->h;
	uint32_t now = svc_now();
	unsigned round = 0;

	evloop_worked(&h->loop);
	path_tick(&h->path, svc_now_ms());
	do {
		hostd_vm_burst(h, v, round++, now);
	} while (v->vnet && vnet_pending(h->vrx));
	h->path.ctr[HC_RX_VM_TSO] = h->vrx->tso_frames;
}

/* One round of hostd_on_tunnel(). */
static void hostd_tunnel_burst(struct hostd *h, int fd, uint32_t now)
{
	struct burst rx = { .n = 0 }, tv = { .n = 0 };
	int got;

	burst_fill(&h->pool, &rx, h->conf.batch);
	got = udpgro_recv(&h->grx, fd, rx.pkt, rx.n);
	if (got < 0)
		log_warnx("recvmmsg: %s", strerror(-got));
	if (got > 0)
		path_prefetch_tunnel(&h->path, rx.pkt, (unsigned)got);
	for (int i = 0; i < got; i++)
		if (path_from_tunnel(&h->path, rx.pkt[i], now) == PATH_TO_VM)
			tv.pkt[tv.n++] = rx.pkt[i];
	hostd_to_vms(h, &tv);
	burst_put(&h->pool, &rx);
	hostd_send_released(h);
	/* No buffer to take the rest: drop it rather than spin. */
	if (got <= 0 && udpgro_pending(&h->grx))
		h->path.ctr[HC_DROP_RX_NOBUF] += udpgro_discard(&h->grx);
}

/*
 * Receive from the edges, translate, write each frame to its VM's tap; the
 * datagrams of coalesced runs (udpgro.c) in further rounds, all before
 * returning.
 */
static void hostd_on_tunnel(evutil_socket_t fd, short what, void *arg)
{
	struct hostd *h = arg;
	uint32_t now = svc_now();

	evloop_worked(&h->loop);
	path_tick(&h->path, svc_now_ms());
	do {
		hostd_tunnel_burst(h, fd, now);
	} while (udpgro_pending(&h->grx));
	maplog_flush(h->maplog);
}

/* Once a second: expire idle mappings, a bounded slice of the table per tick. */
static void hostd_on_timer(evutil_socket_t fd, short what, void *arg)
{
	struct hostd *h = arg;
	uint32_t budget = ct_capacity(h->ft.ct) / 8;
	uint64_t e;

	if (budget < 4096)
		budget = 4096;
	/* Fresh bits for the port choice each second (RFC 6056); never per packet. */
	if (getrandom(&e, sizeof(e), GRND_NONBLOCK) == sizeof(e))
		flow_stir(&h->ft, e);
	h->path.ctr[HC_MAP_EXPIRED] += flow_expire(&h->ft, svc_now(), budget);
	maplog_flush(h->maplog);
}

/* Log each edge whose state changed since the last look (rare: not per packet). */
static void hostd_log_edges(struct hostd *h)
{
	char a[ADDR_STRLEN];

	for (size_t i = 0; i < h->edges.n; i++) {
		struct edge_live *e = &h->edges.e[i];

		if (e->up == e->logged_up)
			continue;
		e->logged_up = e->up;
		if (e->up)
			log_info("edge %s back in use (rtt %u ms)", addr_fmt_ip4(e->addr, a),
				 e->rtt_ms);
		else
			log_warnx("edge %s out of use: no keepalive reply for %u ms",
				  addr_fmt_ip4(e->addr, a), h->edges.down_ms);
	}
}

/*
 * Every probe interval: take silent edges out of use, then probe every
 * edge, in one sendmmsg per BURST_MAX edges.
 */
static void hostd_on_probe(evutil_socket_t fd, short what, void *arg)
{
	struct hostd *h = arg;
	struct edges *es = &h->edges;
	uint32_t now = svc_now_ms();
	struct burst tx = { .n = 0 };
	uint64_t bytes = 0;          /* probes are not data: kept out of the tunnel totals */
	const struct burst_ctr c = { &h->path.ctr[HC_PROBES_SENT], &bytes,
				     &h->path.ctr[HC_DROP_TX_TUNNEL] };

	h->path.ctr[HC_EDGE_DOWNS] += edges_tick(es, now);
	hostd_log_edges(h);
	for (size_t i = 0; i < es->n; i++) {
		struct pktbuf *b = pktpool_get(&h->pool);
		uint32_t seq;

		if (!b)
			break;
		seq = edges_sent(es, i);
		if (probe_build(b, PROBE_REQUEST, seq, now) < 0 ||
		    udpio_encap(b, h->conf.local, es->e[i].addr, (uint16_t)(49152 + (seq & 0x3FFF)),
				h->conf.port) < 0) {
			pktpool_put(&h->pool, b);
			continue;
		}
		tx.pkt[tx.n++] = b;
		if (tx.n == BURST_MAX) {
			burst_send(h->tx_fd, &tx, &c);
			burst_put(&h->pool, &tx);
		}
	}
	burst_send(h->tx_fd, &tx, &c);
	burst_put(&h->pool, &tx);
}

/* (Re)arm the probe timer for the configured interval; off when it is 0. */
static void hostd_probe_timer(struct hostd *h)
{
	struct timeval tv = { .tv_sec = h->edges.interval_ms / 1000,
			      .tv_usec = (h->edges.interval_ms % 1000) * 1000 };

	event_del(h->ev_probe);
	if (h->edges.interval_ms && event_add(h->ev_probe, &tv))
		log_warnx("cannot arm the edge probe timer");
}

/*
 * The VM of c that is v with the same tap (same name, tap and netns), or -1.
 * Linear: a reload with V VMs costs V^2 string compares, well under a
 * millisecond for the few thousand VMs a hypervisor holds.
 */
static long hostd_vm_find(const struct host_conf *c, const struct host_vm *v)
{
	for (size_t i = 0; i < c->nvms; i++) {
		const struct host_vm *o = &c->vms[i];

		if (!strcmp(o->name, v->name) && !strcmp(o->tap, v->tap) &&
		    !strcmp(o->netns, v->netns))
			return (long)i;
	}
	return -1;
}

static void hostd_close_new_taps(struct hostd *h, struct hostd_vm *nv, size_t n,
				 const struct host_conf *nc)
{
	for (size_t i = 0; i < n; i++)
		if (nv[i].fd >= 0 && hostd_vm_find(&h->conf, &nc->vms[i]) < 0)
			close(nv[i].fd);
	free(nv);
}

/*
 * The taps of the new VM set: kept ones reuse the running fd (the VM keeps
 * its link), new ones are opened now.  NULL (and nothing changed) if one
 * cannot be opened.
 */
static struct hostd_vm *hostd_taps_for(struct hostd *h, const struct host_conf *nc)
{
	struct hostd_vm *nv = calloc(nc->nvms ? nc->nvms : 1, sizeof(*nv));

	if (!nv)
		return NULL;
	for (size_t i = 0; i < nc->nvms; i++) {
		const struct host_vm *v = &nc->vms[i];
		long old = hostd_vm_find(&h->conf, v);

		nv[i].h = h;
		nv[i].idx = (uint32_t)i;
		nv[i].vnet = old >= 0 ? h->vms[old].vnet : true;
		nv[i].fd = old >= 0 ? h->vms[old].fd
				    : tun_open_vnet(v->tap, TUN_TAP, v->netns, HOSTD_OFFLOADS,
						    &nv[i].vnet);
		if (nv[i].fd < 0) {
			log_warnx("reload rejected: vm %s: cannot open tap %s: %s", v->name, v->tap,
				  strerror(-nv[i].fd));
			hostd_close_new_taps(h, nv, i, nc);
			return NULL;
		}
	}
	return nv;
}

static void hostd_vm_events(struct hostd *h)
{
	for (size_t i = 0; i < h->conf.nvms; i++) {
		struct hostd_vm *v = &h->vms[i];

		v->pace = (struct burst_pace){ .turn = &h->loop.turn };
		v->ev = event_new(h->base, v->fd, EV_READ | EV_PERSIST, hostd_on_vm, v);
		if (!v->ev || event_add(v->ev, NULL))
			fatalx("cannot set up events");
	}
}

/* Settings that only a restart can change keep their running values. */
static void hostd_keep_fixed(const struct host_conf *old, struct host_conf *nc)
{
	if (old->local != nc->local || old->port != nc->port ||
	    strcmp(old->control, nc->control) || strcmp(old->metrics, nc->metrics) ||
	    strcmp(old->state_file, nc->state_file) ||
	    strcmp(old->maplog.path, nc->maplog.path) || old->maplog.rate != nc->maplog.rate ||
	    old->maplog.destination != nc->maplog.destination)
		log_warnx("reload: listen, port, control, metrics, state_file and mapping_log need "
			  "a restart; keeping the running values");
	nc->local = old->local;
	nc->port = old->port;
	memcpy(nc->control, old->control, sizeof(nc->control));
	memcpy(nc->metrics, old->metrics, sizeof(nc->metrics));
	memcpy(nc->state_file, old->state_file, sizeof(nc->state_file));
	nc->maplog = old->maplog;
}

/* Swap in the new config, taps and flow table; the old ones are released. */
static void hostd_commit(struct hostd *h, struct host_conf *nc, struct hostd_vm *nv,
			 struct flowtab *nft)
{
	for (size_t i = 0; i < h->conf.nvms; i++) {
		event_free(h->vms[i].ev);
		if (hostd_vm_find(nc, &h->conf.vms[i]) < 0)
			close(h->vms[i].fd);     /* VM gone: its tap is released */
	}
	free(h->vms);
	flow_destroy(&h->ft);
	host_conf_free(&h->conf);
	h->conf = *nc;
	h->ft = *nft;
	h->ft.conf = &h->conf;
	h->vms = nv;
	h->path.conf = &h->conf;
	h->path.ft = &h->ft;
	frag_clear(h->path.frags);   /* its decisions name VMs by their old index */
	h->loop.busy_us = h->conf.busy_poll;
	hostd_vm_events(h);
}

/*
 * Build the new config, taps and flow table beside the running ones, move
 * the live dynamic mappings over, and swap only when all of it succeeded:
 * a bad file or a tap that cannot be opened leaves everything as it was.
 */
static void hostd_reload(void *arg)
{
	struct hostd *h = arg;
	struct host_conf nc;
	struct hostd_vm *nv;
	struct flowtab nft;
	struct edges nes;
	uint32_t moved, lost, seed;
	struct yerr err;

	if (host_conf_load(&nc, h->conf_path, &err) < 0) {
		log_warnx("reload rejected, running config kept: %s", err.msg);
		goto fail;
	}
	hostd_keep_fixed(&h->conf, &nc);
	nv = hostd_taps_for(h, &nc);
	if (!nv)
		goto fail_conf;
	if (getrandom(&seed, sizeof(seed), 0) != sizeof(seed) ||
	    state_build(&h->state, &nft, &nc, seed) < 0) {
		log_warnx("reload rejected: cannot build the flow table");
		hostd_close_new_taps(h, nv, nc.nvms, &nc);
		goto fail_conf;
	}
	if (edges_init(&nes, &nc, svc_now_ms()) < 0) {
		log_warnx("reload rejected: out of memory");
		flow_destroy(&nft);
		hostd_close_new_taps(h, nv, nc.nvms, &nc);
		goto fail_conf;
	}
	edges_carry(&nes, &h->edges);
	edges_free(&h->edges);
	h->edges = nes;
	hostd_probe_timer(h);
	nft.log = h->maplog;
	moved = flow_migrate(&nft, &h->ft, &lost);
	hostd_commit(h, &nc, nv, &nft);
	state_commit(&h->state, &h->ft);
	hostd_mtu(h);
	h->path.ctr[HC_RELOADS]++;
	svc_status(h->svc, "%zu vms, %zu edges", h->conf.nvms, h->conf.nedges);
	log_info("reloaded %s: %zu vms, %zu forwards; %u mappings kept, %u dropped",
		 h->conf_path, h->conf.nvms, h->conf.nfwds, moved, lost);
	return;
fail_conf:
	host_conf_free(&nc);
fail:
	h->path.ctr[HC_RELOAD_FAILS]++;
}

/* The mapping log, if configured: opened now, as root; the sandbox opens nothing for writing. */
static void hostd_open_maplog(struct hostd *h)
{
	const struct host_maplog *m = &h->conf.maplog;
	const struct maplog_ctr c = { &h->path.ctr[HC_MAPLOG_LOGGED],
				      &h->path.ctr[HC_MAPLOG_SUPPRESSED],
				      &h->path.ctr[HC_MAPLOG_LOST] };

	if (!m->path[0])
		return;
	h->maplog = maplog_open(m->path, m->rate, m->destination, &c);
	if (!h->maplog)
		fatal("mapping log %s", m->path);
	h->ft.log = h->maplog;
}

/* UDP_SEGMENT sends and UDP_GRO receives on the tunnel, where the kernel has them. */
static void hostd_open_offloads(struct hostd *h)
{
	udpgso_start(&h->gso, h->tx_fd, h->conf.local, HOSTD_SOCKBUF);
	udpgro_start(&h->grx, h->rx_fd);
	h->path.gso = &h->gso;
}

static void hostd_open(struct hostd *h)
{
	int mtu;

	h->vms = calloc(h->conf.nvms, sizeof(*h->vms));
	h->vrx = calloc(1, sizeof(*h->vrx));
	h->gro = calloc(1, sizeof(*h->gro));
	if (!h->vms || !h->vrx || !h->gro || pktpool_init(&h->pool, HOSTD_POOL) < 0)
		fatalx("out of memory");
	for (size_t i = 0; i < h->conf.nvms; i++) {
		const struct host_vm *vm = &h->conf.vms[i];
		struct hostd_vm *v = &h->vms[i];

		v->h = h;
		v->idx = (uint32_t)i;
		/* Offloads (TSO: one read for up to 64 KB) when the kernel takes them. */
		v->vnet = true;
		v->fd = tun_open_vnet(vm->tap, TUN_TAP, vm->netns, HOSTD_OFFLOADS, &v->vnet);
		if (v->fd < 0)
			fatalx("vm %s: cannot open tap %s%s%s: %s", vm->name, vm->tap,
			       *vm->netns ? " in netns " : "", vm->netns, strerror(-v->fd));
		if (!v->vnet)
			log_info("vm %s: tap %s without offloads", vm->name, vm->tap);
	}
	h->rx_fd = udpio_listen(h->conf.local, h->conf.port, HOSTD_SOCKBUF);
	if (h->rx_fd < 0)
		fatalx("cannot listen on UDP port %u: %s", h->conf.port, strerror(-h->rx_fd));
	h->tx_fd = udpio_raw(HOSTD_SOCKBUF);
	if (h->tx_fd < 0)
		fatalx("cannot open raw socket: %s", strerror(-h->tx_fd));
	hostd_open_offloads(h);
	hostd_open_maplog(h);
	mtu = ifmtu_of_addr(h->conf.local);
	if (mtu < 0 && !h->conf.tunnel_mtu)
		log_warnx("tunnel_mtu auto: no interface holds the listen address (%s); assuming %d",
			  strerror(-mtu), TUNMTU_DEFAULT);
	h->fabric_mtu = mtu < HOST_MTU_MIN ? TUNMTU_DEFAULT :
			mtu > HOST_MTU_MAX ? HOST_MTU_MAX : (uint32_t)mtu;
	hostd_mtu(h);
}

static void hostd_events(struct hostd *h)
{
	struct timeval sec = { .tv_sec = 1 };

	h->ev_rx = event_new(h->base, h->rx_fd, EV_READ | EV_PERSIST, hostd_on_tunnel, h);
	h->ev_timer = event_new(h->base, -1, EV_PERSIST, hostd_on_timer, h);
	h->ev_probe = event_new(h->base, -1, EV_PERSIST, hostd_on_probe, h);
	if (!h->ev_rx || !h->ev_timer || !h->ev_probe || event_add(h->ev_rx, NULL) ||
	    event_add(h->ev_timer, &sec))
		fatalx("cannot set up events");
	hostd_probe_timer(h);
	hostd_vm_events(h);
}

static void hostd_loop(struct hostd *h, const char *sock)
{
	struct svc_hooks hooks = {
		.reload = hostd_reload, .request = host_ctl_request,
		.metrics = host_ctl_metrics, .arg = h,
	};

	h->base = event_base_new();
	if (!h->base)
		fatalx("event_base_new failed");
	hostd_events(h);
	h->svc = svc_start(h->base, sock ? sock : h->conf.control, h->conf.metrics, &hooks);
	if (!h->svc)
		fatalx("cannot start control socket or metrics");
	host_sandbox(h->conf.user);
	log_info("running: %zu vms, %zu pools, %zu edges, %zu forwards", h->conf.nvms,
		 h->conf.npools, h->conf.nedges, h->conf.nfwds);
	svc_ready(h->svc, "%zu vms, %zu edges", h->conf.nvms, h->conf.nedges);
	h->loop = (struct evloop){ .base = h->base, .busy_us = h->conf.busy_poll,
				   .polls = &h->path.ctr[HC_LOOP_POLLS],
				   .waits = &h->path.ctr[HC_LOOP_WAITS] };
	if (evloop_run(&h->loop) < 0)
		log_warnx("stopping");
	svc_stop(h->svc);
	for (size_t i = 0; i < h->conf.nvms; i++) {
		event_free(h->vms[i].ev);
		close(h->vms[i].fd);
	}
	event_free(h->ev_rx);
	event_free(h->ev_timer);
	event_free(h->ev_probe);
	event_base_free(h->base);
}

int main(int argc, char **argv)
{
	static struct hostd h;
	struct svc_opts o;
	struct yerr err;
	uint32_t seed;

	svc_parse_args(argc, argv, "hostd", &o);
	h.conf_path = o.conf;
	if (host_conf_load(&h.conf, o.conf, &err) < 0)
		fatalx("%s", err.msg);
	if (o.check) {
		if (o.verbose)
			host_conf_print(&h.conf, stdout);
		fprintf(stderr, "%s: configuration OK\n", o.conf);
		host_conf_free(&h.conf);
		return 0;
	}
	/* Port choice must not be guessable from outside (RFC 6056). */
	if (getrandom(&seed, sizeof(seed), 0) != sizeof(seed))
		fatal("getrandom");
	/* Before privileges go: the state files are created and locked here. */
	if (state_start(&h.state, &h.ft, &h.conf, seed, svc_now()) < 0)
		fatalx("cannot set up the conntrack table (%u entries, state %s)",
		       h.conf.max_entries, h.conf.state_file);
	if (edges_init(&h.edges, &h.conf, svc_now_ms()) < 0)
		fatalx("out of memory");
	h.path.conf = &h.conf;
	h.path.ft = &h.ft;
	h.path.edges = &h.edges;
	h.path.frags = frag_new(PATH_FRAG_ENTRIES, PATH_FRAG_HOLD, PATH_FRAG_MS);
	if (!h.path.frags)
		fatalx("out of memory for the fragment cache");
	hostd_open(&h);
	hostd_loop(&h, o.sock);
	udpgso_close(&h.gso);
	udpgro_free(&h.grx);
	close(h.rx_fd);
	close(h.tx_fd);
	flow_destroy(&h.ft);
	maplog_close(h.maplog);
	state_close(&h.state);
	frag_free(h.path.frags);
	edges_free(&h.edges);
	free(h.vms);
	free(h.vrx);
	free(h.gro);
	pktpool_destroy(&h.pool);
	host_conf_free(&h.conf);
	log_info("stopped");
	return 0;
}
