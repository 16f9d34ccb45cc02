/* SPDX-License-Identifier: MIT */
/* edge_conf.h - edged configuration: parsed from YAML into plain data, then checked. */
#ifndef SPAT_EDGE_CONF_H
#define SPAT_EDGE_CONF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <net/if.h>
#include <stdio.h>

#include "ydoc.h"

struct edge_host {
	char name[64];
	uint32_t addr;           /* tunnel endpoint, host order */
	struct ypos pos;
};

/*
 * One forwarding rule.  whole: every protocol and port of pub (a 1:1
 * address); otherwise proto (PROTO_ANY, or tcp/udp/icmp) and [lo, hi] of
 * destination port (ICMP echo identifier for icmp).
 */
struct edge_rule {
	uint32_t pub;
	bool whole;
	uint8_t proto;
	uint16_t lo, hi;
	uint32_t host;           /* index into edge_conf.hosts */
	uint32_t vni;
	struct ypos pos;
};

#define EDGE_MTU_MIN 576
#define EDGE_MTU_MAX 9216

struct edge_conf {
	char file[256];          /* for messages */
	char name[64];
	char tun[IFNAMSIZ];      /* default "spat0" */
	uint32_t local;          /* tunnel source address; listen on it */
	uint16_t port;           /* Geneve port, default 6081 */
	char control[108];       /* control socket path; "" for none */
	char user[32];           /* drop to this user after start-up; default "nobody" */
	char metrics[64];        /* "addr:port" for the metrics endpoint; "" for off */
	uint32_t batch;          /* burst size, 1..BURST_MAX, default BURST_MAX */
	uint32_t busy_poll;      /* microseconds of polling after traffic (evloop.h); 0: off */
	uint32_t tunnel_mtu;     /* fabric MTU toward the hosts; 0: auto, from the listen interface */
	uint32_t icmp_rate;      /* ICMP "fragmentation needed" per second, default 100; 0: none */
	struct edge_host *hosts;
	size_t nhosts;
	struct edge_rule *rules;
	size_t nrules;
};

/*
 * edge_conf_parse() - parse the YAML in buf into *c (zeroed first).  name is
 * used in messages.  Returns 0, or -1 with err set to
 * "name:line:col: message".  Checks every reference (a rule's host exists),
 * value ranges and rule overlap (two rules whose address, protocol and ports
 * intersect; a whole-address rule overlaps anything on its address).
 * On failure *c is freed already.
 */
int edge_conf_parse(struct edge_conf *c, const char *name, const char *buf, size_t len,
		    struct yerr *err);
/* edge_conf_load() - read path and edge_conf_parse() it. */
int edge_conf_load(struct edge_conf *c, const char *path, struct yerr *err);
void edge_conf_free(struct edge_conf *c);
/* edge_conf_print() - canonical YAML of the config (for -n -v and round trips). */
void edge_conf_print(const struct edge_conf *c, FILE *f);
/* edge_conf_host() - index of the host with that address, or -1. */
long edge_conf_host(const struct edge_conf *c, uint32_t addr);

#endif
