/* SPDX-License-Identifier: MIT */
/* edged.h - the edge daemon's state, shared by its loop and its control handler. */
#ifndef SPAT_EDGED_H
#define SPAT_EDGED_H

#include <stdbool.h>

#include "burst.h"
#include "edge_conf.h"
#include "evloop.h"
#include "pktbuf.h"
#include "relay.h"
#include "rules.h"
#include "udpgro.h"
#include "udpgso.h"
#include "vnet.h"

struct event_base;
struct event;
struct evbuffer;
struct svc;
struct gro_buf;

struct edged {
	struct event_base *base;
	struct evloop loop;      /* runs base; polls after traffic (busy_poll) */
	const char *conf_path;
	struct edge_conf conf;
	struct rules *rules;
	struct relay relay;      /* points at conf and rules; counters live here */
	struct pktpool pool;
	uint32_t fabric_mtu;     /* MTU of the listen interface at start (tunnel_mtu: auto) */
	int tun_fd, rx_fd, tx_fd;
	struct udpgro grx;       /* receiving: coalesced runs from rx_fd */
	struct udpgso gso;       /* sending: UDP_SEGMENT runs, the rest raw (tx_fd) */
	struct vnet_rx *vrx;     /* the TUN packet being split (TSO); pending only within a callback */
	struct burst_pace tun_pace; /* whether TUN reads may stop after one frame */
	bool tun_vnet;           /* TUN opened with a virtio-net header: GSO writes (gro.c) */
	struct gro_buf *gro;     /* scratch for them */
	struct event *ev_tun, *ev_rx;
	struct svc *svc;
};

/* edge_ctl_request() - answer one control request (stats, rules, hosts) as JSON. */
int edge_ctl_request(void *arg, int argc, char **argv, struct evbuffer *out);
/* edge_ctl_metrics() - Prometheus text for the metrics endpoint. */
void edge_ctl_metrics(void *arg, struct evbuffer *out);

#endif
