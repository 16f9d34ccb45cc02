// SPDX-License-Identifier: MIT
/* main.c - edged: relays packets between the TUN device and hosts' Geneve tunnels. */
#include <event2/event.h>
#include <linux/if_tun.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "burst.h"
#include "edge_sandbox.h"
#include "edged.h"
#include "frag.h"
#include "gro.h"
#include "ifmtu.h"
#include "log.h"
#include "svc.h"
#include "tun.h"
#include "udpio.h"

#define EDGED_POOL (4 * BURST_MAX)
/* What the TUN may hand us: TCP super-packets and partial checksums (vnet.c). */
#define EDGED_OFFLOADS (TUN_F_CSUM | TUN_F_TSO4)
#define EDGED_SOCKBUF (4 << 20)

static void edged_flush(struct edged *e, struct burst *tx)
{
	const struct burst_ctr c = { &e->relay.ctr[EC_TX_GNV_PKTS], &e->relay.ctr[EC_TX_GNV_BYTES],
				     &e->relay.ctr[EC_DROP_TX_TUNNEL] };

	udpgso_send(&e->gso, tx->pkt, tx->n, &c);
	tx->n = 0;
	e->relay.ctr[EC_TX_GSO_SENDS] = e->gso.sends;
	e->relay.ctr[EC_TX_GSO_PKTS] = e->gso.segs;
	e->relay.ctr[EC_TX_GSO_FALLBACKS] = e->gso.fallbacks;
}

static void edged_to_tun(struct edged *e, struct pktbuf *b)
{
	const struct burst_ctr c = { &e->relay.ctr[EC_TX_TUN_PKTS], &e->relay.ctr[EC_TX_TUN_BYTES],
				     &e->relay.ctr[EC_DROP_TX_TUN] };

	if (e->tun_vnet)
		burst_write_vnet(e->tun_fd, b, &c);
	else
		burst_write(e->tun_fd, b, &c);
}

/* Write a burst's packets for the TUN in order; runs of one TCP flow as one GSO write. */
static void edged_tun_flush(struct edged *e, struct burst *b)
{
	const struct burst_ctr c = { &e->relay.ctr[EC_TX_TUN_PKTS], &e->relay.ctr[EC_TX_TUN_BYTES],
				     &e->relay.ctr[EC_DROP_TX_TUN] };

	if (e->tun_vnet) {
		e->relay.ctr[EC_TX_TUN_GSO] += gro_write(e->tun_fd, b->pkt, b->n, e->gro, &c);
		return;
	}
	for (unsigned i = 0; i < b->n; i++)
		burst_write(e->tun_fd, b->pkt[i], &c);
}

/* Send the held fragments whose first fragment came in this burst. */
static void edged_send_released(struct edged *e)
{
	struct relay *r = &e->relay;
	struct burst tx = { .n = 0 };

	for (unsigned i = 0; i < r->nrel; i++) {
		if (r->rel[i]->out == RELAY_TO_HOST)
			tx.pkt[tx.n++] = r->rel[i];
		else if (r->rel[i]->out == RELAY_TO_TUN)
			edged_to_tun(e, r->rel[i]);
	}
	edged_flush(e, &tx);
	relay_put_released(r);
}

/* Send the later fragments of packets that were too big for the tunnel. */
static void edged_send_frags(struct edged *e)
{
	struct tunmtu *m = &e->relay.mtu;
	struct burst tx = { .n = 0 };

	for (unsigned i = 0; i < m->nfrag; i++)
		if (m->frag[i]->out == RELAY_TO_HOST) {
			tx.pkt[tx.n++] = m->frag[i];
			if (tx.n == BURST_MAX)
				edged_flush(e, &tx);
		}
	edged_flush(e, &tx);
	tunmtu_put(m);
}

/* Read a burst from TUN; round > 0 only hands out the rest of a split packet. */
static int edged_read_tun(struct edged *e, int fd, struct burst *rx, unsigned round)
{
	if (!e->tun_vnet)
		return burst_read(&e->pool, fd, rx, e->conf.batch, &e->tun_pace);
	return burst_read_vnet(&e->pool, fd, e->vrx, rx, e->conf.batch, round == 0,
			       &e->relay.ctr[EC_DROP_TUN_OFFLOAD], &e->tun_pace);
}

/* One round of edged_on_tun(). */
static void edged_tun_burst(struct edged *e, int fd, unsigned round)
{
	struct burst rx = { .n = 0 }, tx = { .n = 0 };
	int err;

	err = edged_read_tun(e, fd, &rx, round);
	if (err)
		log_warnx("read %s: %s", e->conf.tun, strerror(-err));
	if (!rx.n && vnet_pending(e->vrx)) {
		/* No buffer free to split into: drop the rest rather than spin. */
		vnet_discard(e->vrx);
		e->relay.ctr[EC_DROP_TUN_OFFLOAD]++;
	}
	for (unsigned i = 0; i < rx.n; i++) {
		switch (relay_from_tun(&e->relay, rx.pkt[i])) {
		case RELAY_TO_HOST:
			tx.pkt[tx.n++] = rx.pkt[i];
			break;
		case RELAY_TO_TUN:   /* an ICMP error in place of a packet too big (relay_fit()) */
			edged_to_tun(e, rx.pkt[i]);
			break;
		case RELAY_DROP:
		case RELAY_HELD:
			break;
		}
	}
	edged_flush(e, &tx);
	burst_put(&e->pool, &rx);
	edged_send_released(e);
	edged_send_frags(e);
}

/*
 * Drain a burst from TUN, steer each packet, tunnel the burst (udpgso.c).  A
 * TCP super-packet (TSO) split into more packets than a burst holds goes out
 * in further rounds, all before returning.
 */
static void edged_on_tun(evutil_socket_t fd, short what, void *arg)
{
	struct edged *e = arg;
	unsigned round = 0;

	evloop_worked(&e->loop);
	relay_tick(&e->relay, svc_now_ms());
	do {
		edged_tun_burst(e, fd, round++);
	} while (vnet_pending(e->vrx));
	e->relay.ctr[EC_RX_TUN_TSO] = e->vrx->tso_frames;
}

/* One round of edged_on_tunnel(). */
static void edged_tunnel_burst(struct edged *e, int fd)
{
	struct burst rx = { .n = 0 }, tx = { .n = 0 }, tun = { .n = 0 };
	int got;

	burst_fill(&e->pool, &rx, e->conf.batch);
	got = udpgro_recv(&e->grx, fd, rx.pkt, rx.n);
	if (got < 0)
		log_warnx("recvmmsg: %s", strerror(-got));
	for (int i = 0; i < got; i++) {
		switch (relay_from_tunnel(&e->relay, rx.pkt[i])) {
		case RELAY_TO_TUN:
			tun.pkt[tun.n++] = rx.pkt[i];
			break;
		case RELAY_TO_HOST:
			tx.pkt[tx.n++] = rx.pkt[i];
			break;
		case RELAY_DROP:
		case RELAY_HELD:
			break;
		}
	}
	edged_tun_flush(e, &tun);
	edged_flush(e, &tx);
	burst_put(&e->pool, &rx);
	edged_send_released(e);
	edged_send_frags(e);
	/* No buffer to take the rest: drop it rather than spin. */
	if (got <= 0 && udpgro_pending(&e->grx))
		e->relay.ctr[EC_DROP_RX_NOBUF] += udpgro_discard(&e->grx);
}

/*
 * Receive Geneve datagrams; write to TUN or hairpin back to a host; the
 * datagrams of coalesced runs (udpgro.c) in further rounds, all before
 * returning.
 */
static void edged_on_tunnel(evutil_socket_t fd, short what, void *arg)
{
	struct edged *e = arg;

	evloop_worked(&e->loop);
	relay_tick(&e->relay, svc_now_ms());
	do {
		edged_tunnel_burst(e, fd);
	} while (udpgro_pending(&e->grx));
}

/* Settings that only a restart can change keep their running values. */
static void edged_keep_fixed(const struct edge_conf *old, struct edge_conf *nc)
{
	if (strcmp(old->tun, nc->tun) || old->local != nc->local || old->port != nc->port ||
	    strcmp(old->control, nc->control) || strcmp(old->metrics, nc->metrics))
		log_warnx("reload: tun, listen, port, control and metrics need a restart; "
			  "keeping the running values");
	memcpy(nc->tun, old->tun, sizeof(nc->tun));
	nc->local = old->local;
	nc->port = old->port;
	memcpy(nc->control, old->control, sizeof(nc->control));
	memcpy(nc->metrics, old->metrics, sizeof(nc->metrics));
}

/* The tunnel room: tunnel_mtu, or the fabric interface's MTU found at start. */
static void edged_mtu(struct edged *e)
{
	uint32_t mtu = e->conf.tunnel_mtu ? e->conf.tunnel_mtu : e->fabric_mtu;

	tunmtu_init(&e->relay.mtu, mtu, e->conf.icmp_rate, &e->pool, svc_now_ms());
	log_info("tunnel MTU %u: inner packets up to %u bytes", mtu, e->relay.mtu.inner_max);
}

/* Build the new config and rules beside the old ones; swap only when both are good. */
static void edged_reload(void *arg)
{
	struct edged *e = arg;
	struct edge_conf nc;
	struct rules *nr;
	struct yerr err;

	if (edge_conf_load(&nc, e->conf_path, &err) < 0) {
		log_warnx("reload rejected, running config kept: %s", err.msg);
		e->relay.ctr[EC_RELOAD_FAILS]++;
		return;
	}
	nr = rules_build(&nc);
	if (!nr) {
		log_warnx("reload rejected: out of memory building rules");
		edge_conf_free(&nc);
		e->relay.ctr[EC_RELOAD_FAILS]++;
		return;
	}
	edged_keep_fixed(&e->conf, &nc);
	rules_free(e->rules);
	edge_conf_free(&e->conf);
	e->conf = nc;
	e->rules = nr;
	e->relay.conf = &e->conf;
	e->relay.rules = nr;
	edged_mtu(e);
	e->loop.busy_us = e->conf.busy_poll;
	e->relay.ctr[EC_RELOADS]++;
	malloc_trim(0);          /* see main() */
	svc_status(e->svc, "relaying: %zu hosts, %zu rules", nc.nhosts, nc.nrules);
	log_info("reloaded %s: %zu hosts, %zu rules", e->conf_path, nc.nhosts, nc.nrules);
}

static void edged_open(struct edged *e)
{
	int mtu;

	/* The header lets us write TCP runs as one GSO packet (gro.c) and read them (vnet.c). */
	e->tun_vnet = true;
	e->tun_fd = tun_open_vnet(e->conf.tun, TUN_L3, NULL, EDGED_OFFLOADS, &e->tun_vnet);
	if (e->tun_fd < 0)
		fatalx("cannot open TUN %s: %s", e->conf.tun, strerror(-e->tun_fd));
	if (!e->tun_vnet)
		log_info("TUN %s without a virtio-net header: one write a packet", e->conf.tun);
	e->gro = calloc(1, sizeof(*e->gro));
	e->vrx = calloc(1, sizeof(*e->vrx));
	if (!e->gro || !e->vrx)
		fatalx("out of memory");
	e->vrx->bare_ip = true;
	e->rx_fd = udpio_listen(e->conf.local, e->conf.port, EDGED_SOCKBUF);
	if (e->rx_fd < 0)
		fatalx("cannot listen on UDP port %u: %s", e->conf.port, strerror(-e->rx_fd));
	udpgro_start(&e->grx, e->rx_fd);
	/*
	 * Datagrams lent in place, not copied: a burst is written or dropped
	 * before the next receive (edged_tunnel_burst()), held fragments are
	 * copies (frag_hold()), and hairpins push, which copies (pktbuf_own()).
	 */
	e->grx.lend = true;
	e->tx_fd = udpio_raw(EDGED_SOCKBUF);
	if (e->tx_fd < 0)
		fatalx("cannot open raw socket: %s", strerror(-e->tx_fd));
	udpgso_start(&e->gso, e->tx_fd, e->conf.local, EDGED_SOCKBUF);
	e->relay.gso = &e->gso;
	if (pktpool_init(&e->pool, EDGED_POOL) < 0)
		fatalx("out of memory");
	mtu = ifmtu_of_addr(e->conf.local);
	if (mtu < 0 && !e->conf.tunnel_mtu)
		log_warnx("tunnel_mtu auto: no interface holds the listen address (%s); assuming %d",
			  strerror(-mtu), TUNMTU_DEFAULT);
	e->fabric_mtu = mtu < EDGE_MTU_MIN ? TUNMTU_DEFAULT :
			mtu > EDGE_MTU_MAX ? EDGE_MTU_MAX : (uint32_t)mtu;
	edged_mtu(e);
}

static void edged_loop(struct edged *e, const char *sock)
{
	struct svc_hooks hooks = {
		.reload = edged_reload, .request = edge_ctl_request,
		.metrics = edge_ctl_metrics, .arg = e,
	};

	e->base = event_base_new();
	if (!e->base)
		fatalx("event_base_new failed");
	e->tun_pace = (struct burst_pace){ .turn = &e->loop.turn };
	e->ev_tun = event_new(e->base, e->tun_fd, EV_READ | EV_PERSIST, edged_on_tun, e);
	e->ev_rx = event_new(e->base, e->rx_fd, EV_READ | EV_PERSIST, edged_on_tunnel, e);
	if (!e->ev_tun || !e->ev_rx || event_add(e->ev_tun, NULL) || event_add(e->ev_rx, NULL))
		fatalx("cannot set up events");
	e->svc = svc_start(e->base, sock ? sock : e->conf.control, e->conf.metrics, &hooks);
	if (!e->svc)
		fatalx("cannot start control socket or metrics");
	edge_sandbox(e->conf.user);
	log_info("running: tun %s, %zu hosts, %zu rules", e->conf.tun, e->conf.nhosts,
		 e->conf.nrules);
	svc_ready(e->svc, "relaying: %zu hosts, %zu rules", e->conf.nhosts, e->conf.nrules);
	e->loop = (struct evloop){ .base = e->base, .busy_us = e->conf.busy_poll,
				   .polls = &e->relay.ctr[EC_LOOP_POLLS],
				   .waits = &e->relay.ctr[EC_LOOP_WAITS] };
	if (evloop_run(&e->loop) < 0)
		log_warnx("stopping");
	svc_stop(e->svc);
	event_free(e->ev_tun);
	event_free(e->ev_rx);
	event_base_free(e->base);
}

int main(int argc, char **argv)
{
	static struct edged e;
	struct svc_opts o;
	struct yerr err;

	svc_parse_args(argc, argv, "edged", &o);
	e.conf_path = o.conf;
	if (edge_conf_load(&e.conf, o.conf, &err) < 0)
		fatalx("%s", err.msg);
	if (o.check) {
		if (o.verbose)
			edge_conf_print(&e.conf, stdout);
		fprintf(stderr, "%s: configuration OK\n", o.conf);
		edge_conf_free(&e.conf);
		return 0;
	}
	e.rules = rules_build(&e.conf);
	if (!e.rules)
		fatalx("out of memory building rules");
	/*
	 * The YAML document is freed, but a big config's (about 800 bytes a rule
	 * in libyaml's nodes, 50 MB at 64,000 rules) stays in the heap: give it
	 * back.  brk and madvise are in the sandbox's allowlist for reloads.
	 */
	malloc_trim(0);
	e.relay.conf = &e.conf;
	e.relay.rules = e.rules;
	e.relay.frags = frag_new(RELAY_FRAG_ENTRIES, RELAY_FRAG_HOLD, RELAY_FRAG_MS);
	if (!e.relay.frags)
		fatalx("out of memory for the fragment cache");
	edged_open(&e);
	edged_loop(&e, o.sock);
	close(e.tun_fd);
	udpgro_free(&e.grx);
	udpgso_close(&e.gso);
	close(e.rx_fd);
	close(e.tx_fd);
	rules_free(e.rules);
	edge_conf_free(&e.conf);
	frag_free(e.relay.frags);
	pktpool_destroy(&e.pool);
	free(e.gro);
	free(e.vrx);
	log_info("stopped");
	return 0;
}
