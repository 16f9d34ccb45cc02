/* SPDX-License-Identifier: MIT */
/* hostd.h - the host daemon's state, shared by its loop and its control handler. */
#ifndef SPAT_HOSTD_H
#define SPAT_HOSTD_H

#include "burst.h"
#include "edges.h"
#include "evloop.h"
#include "flow.h"
#include "host_conf.h"
#include "path.h"
#include "pktbuf.h"
#include "state.h"
#include "udpgro.h"
#include "udpgso.h"

struct event_base;
struct event;
struct evbuffer;
struct svc;
struct gro_buf;
struct hostd;

/* One VM's tap and its read event. */
struct hostd_vm {
	struct hostd *h;
	uint32_t idx;
	int fd;
	bool vnet;               /* tap opened with a virtio-net header and offloads */
	struct burst_pace pace;  /* whether its reads may stop after one frame */
	struct event *ev;
};

struct hostd {
	struct event_base *base;
	struct evloop loop;      /* runs base; polls after traffic (busy_poll) */
	const char *conf_path;
	struct host_conf conf;
	struct flowtab ft;
	struct state state;      /* the files ft.ct lives in */
	struct path path;        /* points at conf, ft and edges; counters live here */
	struct edges edges;      /* keepalive state of the edges, the return path's pick */
	struct pktpool pool;
	struct gro_buf *gro;     /* scratch for GSO writes to taps (gro_write_eth()) */
	struct vnet_rx *vrx;     /* the frame being split; pending only within one callback */
	uint32_t fabric_mtu;     /* MTU of the listen interface at start (tunnel_mtu: auto) */
	struct hostd_vm *vms;    /* conf.nvms of them */
	int rx_fd, tx_fd;        /* the Geneve socket; the raw socket */
	struct udpgso gso;       /* sending: UDP_SEGMENT runs, the rest raw (tx_fd) */
	struct udpgro grx;       /* receiving: coalesced runs from rx_fd */
	struct event *ev_rx, *ev_timer, *ev_probe;
	struct svc *svc;
	struct maplog *maplog;   /* NULL unless mapping_log is configured */
};

/* host_ctl_request() - answer a control request (stats, conntrack, vms) as JSON. */
int host_ctl_request(void *arg, int argc, char **argv, struct evbuffer *out);
/* host_ctl_metrics() - Prometheus text for the metrics endpoint. */
void host_ctl_metrics(void *arg, struct evbuffer *out);

#endif
